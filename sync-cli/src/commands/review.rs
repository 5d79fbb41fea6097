//! `fieldsync review`: a supervisor's decision on a check.

use std::path::Path;

use clap::{Args, ValueEnum};
use fieldsync_schema::{CheckId, ReviewState};

use super::{check_text, open_store};
use crate::output::review_label;
use crate::store::Store;

/// Record a review decision (supervisors only).
#[derive(Debug, Args)]
pub struct Review {
    /// The check: its full id or a unique prefix of at least 8 characters.
    #[arg(value_name = "ID")]
    pub id: String,
    /// The decision.
    #[arg(long, value_enum)]
    pub state: Decision,
    /// Why, for the inspector (up to 10,000 characters).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub comment: String,
}

/// The review states a supervisor can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Decision {
    /// The check is accepted.
    Approved,
    /// The check has problems to fix.
    HasIssues,
    /// The check is rejected.
    Rejected,
}

impl From<Decision> for ReviewState {
    fn from(d: Decision) -> ReviewState {
        match d {
            Decision::Approved => ReviewState::Approved,
            Decision::HasIssues => ReviewState::HasIssues,
            Decision::Rejected => ReviewState::Rejected,
        }
    }
}

impl Review {
    /// Applies the decision to the check's document and saves it.
    ///
    /// # Errors
    /// The store's user is not a supervisor; a comment over the limit; unknown or ambiguous
    /// id; store failures.
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        let mut store = open_store(home)?;
        let id = self.apply(&mut store)?;
        let state = ReviewState::from(self.state);
        eprintln!("تمت المراجعة / reviewed: {id} -> {}", review_label(state));
        Ok(())
    }

    /// Applies the decision in one transaction and returns the check's id.
    ///
    /// # Errors
    /// As [`Review::run`].
    pub fn apply(&self, store: &mut Store) -> anyhow::Result<CheckId> {
        check_text("--comment", &self.comment)?;
        let meta = store.db().meta()?;
        super::require_supervisor(&meta, "review")?;
        store.write(|db| {
            let id = db.resolve(&self.id)?;
            let mut doc = db.load_existing(id)?.doc;
            super::refuse_deleted(&doc, id)?;
            doc.set_actor(meta.actor.clone());
            doc.review(&meta.author(), self.state.into(), self.comment.trim())?;
            db.save_local(id, &mut doc)?;
            Ok(id)
        })
    }
}
