//! `fieldsync link`: a supervisor adds or removes resolution links by hand.
//!
//! The decisions are recorded in the check's document (`manual_links`, one entry per
//! number, with who, when and why), so they merge with everyone's edits and reach the
//! inspector on the next sync; the links are recomputed at once, and the server's
//! recomputation keeps them: a manual decision wins over the linking rules.

use std::path::Path;

use anyhow::{Context as _, bail};
use clap::Args;
use fieldsync_schema::forms::normalise_digits;
use fieldsync_schema::{Catalog, CheckId, LinkDecision};

use super::{check_text, open_store, refresh_links};
use crate::store::Store;

/// Add or remove resolution links by hand (supervisors only); wins over the linking rules.
#[derive(Debug, Args)]
pub struct Link {
    /// The check: its full id or a unique prefix of at least 8 characters.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Link the check to resolution N (1 to 42); repeat for several.
    #[arg(long, value_name = "N")]
    pub add: Vec<String>,
    /// Remove the link to resolution N, even if a rule makes it; repeat for several. Also
    /// clears an old device's decision on a number that is not a resolution (e.g. 43).
    #[arg(long, value_name = "N")]
    pub remove: Vec<String>,
    /// Why, for the inspector (up to 10,000 characters).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub comment: String,
}

impl Link {
    /// Records the decisions and recomputes the links.
    ///
    /// # Errors
    /// The store's user is not a supervisor; no `--add`/`--remove`; a number that is not a
    /// resolution (naming it and the valid range) or is both added and removed; a comment
    /// over the limit; unknown or ambiguous id; store failures.
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        let mut store = open_store(home)?;
        let (id, links) = self.apply(&mut store)?;
        let shown: Vec<String> = links.iter().map(u16::to_string).collect();
        eprintln!(
            "تم تعديل الربط / links decided: {id} -> {}",
            if shown.is_empty() {
                "-".to_owned()
            } else {
                shown.join(", ")
            }
        );
        Ok(())
    }

    /// Applies the decisions in one transaction; returns the id and the resulting links.
    ///
    /// # Errors
    /// As [`Link::run`].
    pub fn apply(&self, store: &mut Store) -> anyhow::Result<(CheckId, Vec<u16>)> {
        check_text("--comment", &self.comment)?;
        let meta = store.db().meta()?;
        super::require_supervisor(&meta, "add or remove resolution links")?;
        let decisions = self.decisions()?;
        let author = meta.author();
        store.write(|db| {
            let id = db.resolve(&self.id)?;
            let mut doc = db.load_existing(id)?.doc;
            super::refuse_deleted(&doc, id)?;
            refuse_nothing_to_clear(&doc, id, &decisions)?;
            doc.set_actor(meta.actor.clone());
            doc.decide_links(&author, &decisions, self.comment.trim())?;
            refresh_links(&mut doc, &author)?;
            let links = doc.read().with_context(|| format!("reading check {id}"))?;
            db.save_local(id, &mut doc)?;
            Ok((id, links.resolutions))
        })
    }

    fn decisions(&self) -> anyhow::Result<Vec<LinkDecision>> {
        if self.add.is_empty() && self.remove.is_empty() {
            bail!(
                "nothing to do: give --add N or --remove N (resolution numbers 1 to {})",
                last()
            );
        }
        let mut out: Vec<LinkDecision> = Vec::new();
        let flagged = [
            ("--add", &self.add, true),
            ("--remove", &self.remove, false),
        ];
        for (flag, values, linked) in flagged {
            for raw in values {
                // Removal also takes a number the catalog lacks, to clear an old device's
                // decision on it (the document refuses it if there is none).
                let number = match parse_number(raw) {
                    Some(n) if !linked => n,
                    _ => parse_resolution(flag, raw)?,
                };
                if out.iter().any(|d| d.number == number) {
                    bail!("{flag} {number}: resolution {number} is given more than once");
                }
                out.push(LinkDecision { number, linked });
            }
        }
        Ok(out)
    }
}

/// Refuses `--remove N` for a number that is not a resolution when the check holds no
/// decision on it (only an old device's decision on such a number can be cleared).
fn refuse_nothing_to_clear(
    doc: &fieldsync_schema::CheckDoc,
    id: CheckId,
    decisions: &[LinkDecision],
) -> anyhow::Result<()> {
    let manual = doc
        .read()
        .with_context(|| format!("reading check {id}"))?
        .manual_links;
    let catalog = Catalog::builtin();
    let stray = decisions
        .iter()
        .find(|d| !d.linked && catalog.get(d.number).is_none() && !manual.contains_key(&d.number));
    if let Some(d) = stray {
        bail!(
            "--remove {n}: لا يوجد قرار بالرقم {n} / there is no resolution {n} (they are numbered \
             1 to {last}) and check {id} holds no decision on {n} to clear",
            n = d.number,
            last = last()
        );
    }
    Ok(())
}

/// The last resolution number of the built-in catalog.
fn last() -> u16 {
    Catalog::builtin()
        .resolutions()
        .last()
        .map_or(0, |r| r.number)
}

/// A whole number as typed (Arabic-Indic digits accepted).
fn parse_number(raw: &str) -> Option<u16> {
    normalise_digits(raw.trim()).parse::<u16>().ok()
}

/// A resolution number of the catalog (Arabic-Indic digits accepted), else an error naming
/// the flag, the value and the valid range.
fn parse_resolution(flag: &str, raw: &str) -> anyhow::Result<u16> {
    parse_number(raw)
        .filter(|n| Catalog::builtin().get(*n).is_some())
        .with_context(|| {
            format!(
                "{flag} {raw}: there is no resolution {raw}; resolutions are numbered 1 to {}",
                last()
            )
        })
}

#[cfg(test)]
mod tests {
    use fieldsync_schema::{LinkSource, Role};

    use super::*;
    use crate::commands::show;
    use crate::test_support::{bakery, edit, new_store};

    fn link(id: CheckId, add: &[&str], remove: &[&str]) -> Link {
        Link {
            id: id.to_string(),
            add: add.iter().map(|s| (*s).to_owned()).collect(),
            remove: remove.iter().map(|s| (*s).to_owned()).collect(),
            comment: "حسب الزيارة".into(),
        }
    }

    #[test]
    fn a_supervisor_links_by_hand_and_the_decision_outlives_rule_changes() {
        let (_home, mut store) = new_store("sara", Role::Supervisor);
        let id = bakery(&["operating=yes", "licence_valid=no"])
            .record(&mut store)
            .expect("record");
        let (_, links) = link(id, &["7"], &["29"]).apply(&mut store).expect("link");
        assert_eq!(links, [7], "29 removed although its rule matches");
        // An edit recomputes links from the rules; the manual decisions still win.
        edit(id, &["bread_price_official_syp=1", "bread_price_syp=2"])
            .apply(&mut store)
            .expect("edit");
        let stored = store.db().check(id).expect("check");
        assert_eq!(stored.check.resolutions, [7, 20]);
        assert_eq!(
            stored.check.link_sources[&7],
            LinkSource::Manual("sara".into())
        );
        let text = show::render(&stored, fieldsync_schema::Lang::En);
        for needle in [
            "<- يدوي / manual: sara",
            "29: إلغاء الربط / unlinked — sara",
            "حسب الزيارة",
        ] {
            assert!(text.contains(needle), "{needle:?} not in\n{text}");
        }
    }

    #[test]
    fn inspectors_and_unknown_numbers_are_refused_and_nothing_is_written() {
        let (_home, mut store) = new_store("ana", Role::Inspector);
        let id = bakery(&["operating=yes"])
            .record(&mut store)
            .expect("record");
        let err = link(id, &["7"], &[])
            .apply(&mut store)
            .expect_err("inspector");
        assert!(err.to_string().contains("only a supervisor"), "{err}");

        let (_home, mut store) = new_store("sara", Role::Supervisor);
        let id = bakery(&["operating=yes"])
            .record(&mut store)
            .expect("record");
        let err = link(id, &["7", "43"], &[])
            .apply(&mut store)
            .expect_err("43");
        let err = err.to_string();
        assert!(err.contains("--add 43") && err.contains("1 to 42"), "{err}");
        let err = link(id, &["7"], &["7"])
            .apply(&mut store)
            .expect_err("both");
        assert!(err.to_string().contains("more than once"), "{err}");
        let err = link(id, &[], &[]).apply(&mut store).expect_err("nothing");
        assert!(err.to_string().contains("--add"), "{err}");
        assert!(
            store
                .db()
                .check(id)
                .expect("check")
                .check
                .manual_links
                .is_empty()
        );
    }

    #[test]
    fn numbers_outside_the_catalog_are_refused_naming_value_and_range() {
        for raw in ["43", "0", "abc", "-1", "٤٣"] {
            let err = parse_resolution("--add", raw).expect_err(raw).to_string();
            assert!(err.contains(raw) && err.contains("1 to 42"), "{err}");
        }
        assert_eq!(
            parse_resolution("--remove", "٢٠").expect("Arabic digits"),
            20
        );
    }
}
