//! The form walk driven by scripted answers, no terminal.

use std::collections::{BTreeMap, VecDeque};

use fieldsync_schema::{FieldValue, Form, Forms, Lang};

use super::*;

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Say {
    /// Type this text.
    Type(&'static str),
    /// Pick the menu option with this label.
    Pick(&'static str),
    /// Pick the menu options with these labels.
    PickMany(&'static [&'static str]),
    /// Skip (Esc).
    Skip,
}

/// A prompter that answers from a script, then skips optional questions (and panics at a
/// required one, which would be asked forever), recording what it was asked.
#[derive(Debug, Default)]
pub struct Script {
    answers: VecDeque<Say>,
    /// Field names asked, in order (a field asked again appears again).
    pub asked: Vec<String>,
    /// Help texts shown, by field.
    pub help: BTreeMap<String, Option<String>>,
    /// Refusal messages shown.
    pub refusals: Vec<String>,
}

impl Script {
    /// A script of `answers`.
    pub fn new(answers: &[Say]) -> Self {
        Self {
            answers: answers.iter().cloned().collect(),
            ..Self::default()
        }
    }

    fn next(&mut self, question: &Question) -> Say {
        self.asked.push(question.field.clone());
        self.help
            .insert(question.field.clone(), question.help.clone());
        let next = self.answers.pop_front();
        assert!(
            next.is_some() || !question.required,
            "the script has no answer for required {}",
            question.field
        );
        next.unwrap_or(Say::Skip)
    }
}

fn index_of(options: &[String], label: &str) -> usize {
    options
        .iter()
        .position(|o| o == label)
        .unwrap_or_else(|| panic!("{label:?} not among {options:?}"))
}

impl Prompter for Script {
    fn text(&mut self, question: &Question) -> anyhow::Result<Option<String>> {
        match self.next(question) {
            Say::Type(text) => Ok(Some(text.to_owned())),
            Say::Skip => Ok(None),
            other => panic!("{} is asked as text, script says {other:?}", question.field),
        }
    }

    fn select(&mut self, question: &Question, options: &[String]) -> anyhow::Result<Option<usize>> {
        match self.next(question) {
            Say::Pick(label) => Ok(Some(index_of(options, label))),
            Say::Skip => Ok(None),
            other => panic!("{} is a menu, script says {other:?}", question.field),
        }
    }

    fn multi_select(
        &mut self,
        question: &Question,
        options: &[String],
    ) -> anyhow::Result<Option<Vec<usize>>> {
        match self.next(question) {
            Say::PickMany(labels) => {
                Ok(Some(labels.iter().map(|l| index_of(options, l)).collect()))
            }
            Say::Skip => Ok(None),
            other => panic!(
                "{} is a multiple choice, script says {other:?}",
                question.field
            ),
        }
    }

    fn refused(&mut self, message: &str) {
        self.refusals.push(message.to_owned());
    }
}

fn bakery() -> &'static Form {
    Forms::builtin().get("bakery", 2).expect("bakery v2")
}

fn given(pairs: &[(&str, FieldValue)]) -> Answers {
    let mut answers = Answers::default();
    for (name, value) in pairs {
        answers.insert(name, value.clone(), None);
    }
    answers
}

#[test]
fn only_relevant_fields_are_asked_in_form_order() {
    let mut script = Script::new(&[
        Say::Pick("No"),
        Say::Pick("No flour"),
        Say::Skip,
        Say::Skip,
        Say::Skip,
        Say::Skip,
        Say::Pick("Yes"),
        Say::Type("31/12/2026"),
        Say::Pick("Good"),
    ]);
    let answers = Walk::new(bakery(), Lang::En)
        .run(&mut script, Answers::default())
        .expect("walk");
    let asked: Vec<&str> = script.asked.iter().map(String::as_str).collect();
    assert_eq!(
        asked,
        [
            "operating",
            "reason_closed",
            "reserve_bakery",
            "bread_price_official_syp",
            "flour_due_kg",
            "flour_received_kg",
            "licence_valid",
            "licence_expiry",
            "hygiene",
            "manager_phone",
            "location",
            "photo",
        ],
        "bread price and queue only when operating, hygiene problems only when not good"
    );
    assert_eq!(answers.values["operating"], FieldValue::Bool(false));
    assert_eq!(
        answers.values["reason_closed"],
        FieldValue::Text("no_flour".into())
    );
    assert_eq!(
        answers.values["licence_expiry"],
        FieldValue::Text("2026-12-31".into())
    );
    assert_eq!(answers.values.len(), 5, "skipped fields have no value");
    assert_eq!(
        answers.raw,
        BTreeMap::from([("licence_expiry".into(), "31/12/2026".into())])
    );
    assert!(script.refusals.is_empty(), "{:?}", script.refusals);
    let help = &script.help["licence_expiry"];
    assert!(
        help.as_deref()
            .is_some_and(|h| h.contains("2026-12-31") && h.contains("Esc")),
        "{help:?}"
    );
}

#[test]
fn fields_given_by_set_are_not_asked_and_refusals_are_asked_again_in_arabic() {
    let mut script = Script::new(&[
        Say::Type("رخيص"),
        Say::Type("-5"),
        Say::Type("١٢٬٠٠٠"),
        Say::Type("1250"),
    ]);
    let start = given(&[
        ("operating", FieldValue::Bool(true)),
        ("reserve_bakery", FieldValue::Bool(true)),
    ]);
    let answers = Walk::new(bakery(), Lang::Ar)
        .run(&mut script, start)
        .expect("walk");
    assert_eq!(
        script.asked[..3],
        ["bread_price_official_syp"; 3],
        "asked until accepted"
    );
    assert_eq!(
        answers.values["bread_price_official_syp"],
        FieldValue::Int(12000)
    );
    assert_eq!(answers.raw["bread_price_official_syp"], "١٢٬٠٠٠");
    let [not_number, below] = script.refusals.as_slice() else {
        panic!("two refusals expected: {:?}", script.refusals)
    };
    let label = "«السعر الرسمي لربطة الخبز (ل.س)» (bread_price_official_syp)";
    assert!(
        not_number.starts_with(label) && not_number.contains("«رخيص» ليست عدداً صحيحاً"),
        "{not_number}"
    );
    assert!(below.contains("«-5» أقل من الحد الأدنى"), "{below}");
}

#[test]
fn a_required_field_skipped_is_asked_again_naming_the_rule() {
    let mut script = Script::new(&[
        Say::Skip,
        Say::Pick("نعم"),
        Say::Skip,
        Say::Skip,
        Say::Type("1250"),
    ]);
    let answers = Walk::new(bakery(), Lang::Ar)
        .run(&mut script, Answers::default())
        .expect("walk");
    assert_eq!(&script.asked[..2], ["operating", "operating"]);
    assert_eq!(script.refusals.len(), 1);
    assert!(
        script.refusals[0].contains("مطلوب"),
        "{}",
        script.refusals[0]
    );
    assert_eq!(answers.values["operating"], FieldValue::Bool(true));
    assert_eq!(answers.values["bread_price_syp"], FieldValue::Int(1250));
    assert!(
        answers.raw.is_empty(),
        "menu picks and canonical text keep no raw text"
    );
}

#[test]
fn menus_pick_choices_by_their_arabic_labels() {
    let mut script = Script::new(&[
        Say::Pick("سيئ"),
        Say::PickMany(&["وجود حشرات أو قوارض", "أسطح العمل غير نظيفة"]),
    ]);
    let start = given(&[
        ("operating", FieldValue::Bool(true)),
        ("reserve_bakery", FieldValue::Bool(false)),
        ("bread_price_official_syp", FieldValue::Int(1000)),
        ("bread_price_syp", FieldValue::Int(1250)),
        ("flour_due_kg", FieldValue::Int(900)),
        ("flour_received_kg", FieldValue::Int(900)),
        ("queue_people", FieldValue::Int(30)),
        ("licence_valid", FieldValue::Bool(false)),
    ]);
    let answers = Walk::new(bakery(), Lang::Ar)
        .run(&mut script, start)
        .expect("walk");
    assert_eq!(script.asked[..2], ["hygiene", "hygiene_issues"]);
    assert_eq!(answers.values["hygiene"], FieldValue::Text("poor".into()));
    assert_eq!(
        answers.values["hygiene_issues"],
        FieldValue::Text("dirty_surfaces pests".into()),
        "stored as values in form order"
    );
}

#[test]
fn the_next_field_follows_answers_so_far() {
    let walk = Walk::new(bakery(), Lang::En);
    let none = BTreeSet::new();
    let next =
        |values: &BTreeMap<String, FieldValue>| walk.next(values, &none).map(|f| f.name.as_str());
    let mut values = BTreeMap::new();
    assert_eq!(next(&values), Some("operating"));
    values.insert("operating".into(), FieldValue::Bool(false));
    assert_eq!(next(&values), Some("reason_closed"));
    values.insert("operating".into(), FieldValue::Bool(true));
    assert_eq!(next(&values), Some("reserve_bakery"));
    let asked: BTreeSet<String> = ["reserve_bakery".to_owned()].into();
    assert_eq!(
        walk.next(&values, &asked).map(|f| f.name.as_str()),
        Some("bread_price_official_syp")
    );
}
