//! `fieldsync history`: every change to a check, from its Automerge change history.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use clap::Args;
use fieldsync_schema::HistoryEntry;

use super::open_store;
use crate::output;

/// Show every change to a check in causal order: time (UTC, the writing device's clock),
/// author, role and device, and what changed (`field: old -> new`, notes, review decisions,
/// links set by the server, comments, conflict decisions, deletion).
#[derive(Debug, Args)]
pub struct History {
    /// The check: its full id or a unique prefix of at least 8 characters.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Print a JSON array of changes `{hash, at, actor, author, message, changes}` instead.
    #[arg(long)]
    pub json: bool,
}

impl History {
    /// Prints the history.
    ///
    /// # Errors
    /// Unknown or ambiguous id, a document that is not a check, store failures, stdout
    /// cannot be written (a closed pipe is not a failure).
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        let store = open_store(home)?;
        let db = store.db();
        let id = db.resolve(&self.id)?;
        let mut doc = db.load_existing(id)?.doc;
        let history = doc
            .history()
            .with_context(|| format!("reading the history of check {id}"))?;
        let text = if self.json {
            serde_json::to_string_pretty(&history)? + "\n"
        } else {
            render(&history)
        };
        output::print(text).context("writing to stdout")?;
        Ok(())
    }
}

/// One block per change: `TIME NAME (ROLE, device D): MESSAGE`, then `  what: old -> new`.
pub fn render(history: &[HistoryEntry]) -> String {
    let mut out = String::new();
    for entry in history {
        let who = entry.author.as_ref().map_or_else(
            || format!("actor {}", entry.actor),
            |a| format!("{} ({}, device {})", a.name, a.role.as_str(), a.device),
        );
        let message = entry.message.as_deref().unwrap_or("");
        let _ = writeln!(out, "{} {who}: {message}", entry.at);
        for item in &entry.changes {
            let old = item.old.as_deref().unwrap_or("∅");
            let new = item.new.as_deref().unwrap_or("∅");
            if item.old.is_none() && !item.what.starts_with("fields.") {
                let _ = writeln!(out, "  {}: {new}", item.what);
            } else {
                let _ = writeln!(out, "  {}: {old} -> {new}", item.what);
            }
        }
    }
    out
}
