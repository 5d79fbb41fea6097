//! `relevant` conditions: when a field applies.
//!
//! The language is small on purpose, so that a person editing a form can read it:
//!
//! ```text
//! condition := clause ( "and" clause )*
//! clause    := field op value
//! op        := "=" | "!=" | "<" | "<=" | ">" | ">="
//! value     := true | false | a number | a choice value | another number field
//! ```
//!
//! Examples: `operating = false`, `hygiene != good`, `residual_chlorine_mgl < 0.2`,
//! `open = true and fees_charged = true`, `bread_price_syp > bread_price_official_syp`.
//! A clause may name only a field that comes earlier in the form (for linking rules: any
//! field of the form) and is `boolean` (`=`/`!=` with `true`/`false`), a number (any
//! operator with a number, or with another number field) or a select (`=`/`!=` with one of
//! its choice values; for `select_multiple`, `=` means "is among the selected").
//! [`Condition`] checks the syntax when read; [`Condition::check`] checks names, order and
//! value types when the form (or the linking rules) is loaded.
//!
//! A clause is false when a field it names has no value, has a value not of its type, or
//! is itself not relevant, so `operating = false` and `operating != true` both hide a field
//! until `operating` is answered, and `flour_received_kg < flour_due_kg` is false until both
//! are filled in.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::model::{FieldType, FormField};
use crate::FieldValue;

/// A parsed `relevant` condition: clauses joined by `and`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Condition {
    source: String,
    clauses: Vec<Clause>,
}

/// One comparison: `field op value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// The field compared.
    pub field: String,
    /// The comparison.
    pub op: Op,
    /// The value compared with.
    pub value: Literal,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// The right-hand side of a clause.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `true` or `false`.
    Bool(bool),
    /// A number (`0.2`, `-5`).
    Number(f64),
    /// A name: a choice value (`good`) after a select field, or another number field
    /// (`bread_price_official_syp`) after a number field.
    Choice(String),
}

/// A condition that cannot be read or does not fit the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("relevant = {condition:?}: {reason}")]
pub struct BadCondition {
    /// The condition as written.
    pub condition: String,
    /// What is wrong, for the person editing the form.
    pub reason: String,
}

const OPS: [(&str, Op); 6] = [
    ("!=", Op::Ne),
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("=", Op::Eq),
    ("<", Op::Lt),
    (">", Op::Gt),
];

impl Condition {
    /// Parses a condition's syntax (names and types are checked by [`Condition::check`]).
    ///
    /// # Errors
    /// [`BadCondition`] naming the condition and what is wrong.
    pub fn parse(source: &str) -> Result<Self, BadCondition> {
        let bad = |reason: String| BadCondition {
            condition: source.to_owned(),
            reason,
        };
        let clauses = source
            .split(" and ")
            .map(|text| parse_clause(text).map_err(&bad))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            source: source.trim().to_owned(),
            clauses,
        })
    }

    /// The clauses, in the order written.
    pub fn clauses(&self) -> &[Clause] {
        &self.clauses
    }

    /// The condition as written (`operating = false`).
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Checks every clause against the fields that come before the field it belongs to.
    ///
    /// # Errors
    /// [`BadCondition`] for an unknown or later field, a field type conditions cannot
    /// test, an operator the type does not allow, or a value of the wrong type.
    pub fn check(&self, earlier: &[FormField]) -> Result<(), BadCondition> {
        for clause in &self.clauses {
            clause.check(earlier).map_err(|reason| BadCondition {
                condition: self.source.clone(),
                reason,
            })?;
        }
        Ok(())
    }

    /// Whether the condition holds for these values (of relevant fields only).
    pub fn holds(&self, values: &BTreeMap<&str, &FieldValue>) -> bool {
        self.clauses.iter().all(|c| {
            values
                .get(c.field.as_str())
                .is_some_and(|v| c.holds(v, values))
        })
    }

    /// The field names the condition reads on the left of its comparisons, in order.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.clauses.iter().map(|c| c.field.as_str())
    }
}

fn parse_clause(text: &str) -> Result<Clause, String> {
    let (at, token, op) = OPS
        .iter()
        .filter_map(|(token, op)| text.find(token).map(|at| (at, *token, *op)))
        .min_by_key(|(at, token, _)| (*at, usize::MAX - token.len()))
        .ok_or_else(|| format!("{text:?} has no comparison (=, !=, <, <=, >, >=)"))?;
    let field = text[..at].trim();
    let value = text[at + token.len()..].trim();
    if !is_name(field) {
        return Err(format!(
            "{field:?} is not a field name (lowercase letters, digits, _)"
        ));
    }
    Ok(Clause {
        field: field.to_owned(),
        op,
        value: parse_literal(value)?,
    })
}

fn parse_literal(text: &str) -> Result<Literal, String> {
    match text {
        "true" => return Ok(Literal::Bool(true)),
        "false" => return Ok(Literal::Bool(false)),
        _ => {}
    }
    if let Ok(n) = text.parse::<f64>()
        && n.is_finite()
    {
        return Ok(Literal::Number(n));
    }
    if is_name(text) {
        return Ok(Literal::Choice(text.to_owned()));
    }
    Err(format!(
        "{text:?} is not true, false, a number or a choice value"
    ))
}

/// Lowercase ASCII letters, digits and `_`, starting with a letter.
pub(crate) fn is_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_lowercase())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Clause {
    fn check(&self, earlier: &[FormField]) -> Result<(), String> {
        let field = earlier
            .iter()
            .find(|f| f.name == self.field)
            .ok_or_else(|| {
                format!(
                    "{:?} is not a field before this one in the form",
                    self.field
                )
            })?;
        let equality = matches!(self.op, Op::Eq | Op::Ne);
        match (field.field_type, &self.value) {
            (FieldType::Boolean, Literal::Bool(_)) if equality => Ok(()),
            (FieldType::Boolean, _) => Err(format!(
                "{} is a yes/no field: write {} = true or {} = false",
                field.name, field.name, field.name
            )),
            (t, Literal::Number(_)) if t.is_number() => Ok(()),
            (t, Literal::Choice(other)) if t.is_number() => {
                match earlier.iter().find(|f| f.name == *other) {
                    Some(f) if f.field_type.is_number() => Ok(()),
                    _ => Err(format!(
                        "{} is a number field: compare it with a number or another number \
                         field ({other:?} is neither)",
                        field.name
                    )),
                }
            }
            (t, _) if t.is_number() => Err(format!("{} is a number field", field.name)),
            (t, Literal::Choice(c)) if t.is_select() && equality => match field.choice(c) {
                Some(_) => Ok(()),
                None => Err(format!(
                    "{c:?} is not a choice of {}: {}",
                    field.name,
                    field.choice_values().join(", ")
                )),
            },
            (t, _) if t.is_select() => Err(format!(
                "{} is a choice field: write = or != and one of its choice values",
                field.name
            )),
            (t, _) => Err(format!(
                "{} is a {t} field; conditions can test only yes/no, number and choice fields",
                field.name
            )),
        }
    }

    fn holds(&self, value: &FieldValue, values: &BTreeMap<&str, &FieldValue>) -> bool {
        match (&self.value, value) {
            (Literal::Choice(other), got) if got.as_f64().is_some() => {
                let want = values.get(other.as_str()).and_then(|v| v.as_f64());
                match (got.as_f64(), want) {
                    (Some(got), Some(want)) => self.compare(&got, &want),
                    _ => false,
                }
            }
            (Literal::Bool(want), FieldValue::Bool(got)) => self.compare(got, want),
            (Literal::Number(want), got) => {
                got.as_f64().is_some_and(|got| self.compare(&got, want))
            }
            (Literal::Choice(want), FieldValue::Text(got)) => {
                let selected = got.split_whitespace().any(|c| c == want);
                (self.op == Op::Eq) == selected
            }
            _ => false,
        }
    }

    fn compare<T: PartialOrd>(&self, got: &T, want: &T) -> bool {
        match self.op {
            Op::Eq => got == want,
            Op::Ne => got != want,
            Op::Lt => got < want,
            Op::Le => got <= want,
            Op::Gt => got > want,
            Op::Ge => got >= want,
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl TryFrom<String> for Condition {
    type Error = BadCondition;

    fn try_from(source: String) -> Result<Self, Self::Error> {
        Self::parse(&source)
    }
}

impl From<Condition> for String {
    fn from(c: Condition) -> Self {
        c.source
    }
}
