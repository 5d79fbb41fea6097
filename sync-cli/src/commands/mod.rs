//! One module per subcommand, each a `clap::Args` struct with a `run(self, home)`.
//!
//! Convention: machine-readable results go to stdout (`record` prints only the new id,
//! `--json` prints only JSON); human messages go to stderr.

pub mod backup;
pub mod comment;
pub mod conflicts;
pub mod delete;
pub mod edit;
pub mod enrol;
pub mod export;
pub mod fetch;
pub mod filter_args;
pub mod history;
pub mod init;
pub mod link;
pub mod list;
pub mod record;
pub mod report;
pub mod reset;
pub mod resolutions;
pub mod resolve;
pub mod review;
pub mod search;
pub mod show;
mod show_thread;
pub mod sync;
mod values;

use std::path::Path;

use anyhow::{Context as _, bail};
use fieldsync_schema::{Catalog, CheckDoc};

use crate::output::truncate;
use crate::store::Store;

/// Most characters in free text (`--notes`, `--comment`). Every device keeps and syncs every
/// check, and merging an edited text diffs it at a cost that grows with the square of its
/// length: a 20 MB note exhausted memory on every device and the server.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// Most characters in a name (`--site-name`, `--site-name-en`, `--inspector`).
pub const MAX_NAME_CHARS: usize = 200;

/// How much of a refused value an error message repeats.
const SHOWN_CHARS: usize = 40;

/// Refuses free text longer than [`MAX_TEXT_CHARS`], naming the flag, length and limit.
fn check_text(flag: &str, text: &str) -> anyhow::Result<()> {
    // Bytes bound characters from above: most text needs no count.
    if text.len() > MAX_TEXT_CHARS {
        let n = text.chars().count();
        if n > MAX_TEXT_CHARS {
            bail!("{flag}: {n} characters is longer than the limit of {MAX_TEXT_CHARS}");
        }
    }
    Ok(())
}

/// Like [`check_text`], for text that must say something (a deletion's reason, a comment):
/// blank text is refused naming `flag`.
fn check_required_text(flag: &str, text: &str) -> anyhow::Result<()> {
    if text.trim().is_empty() {
        let shown = truncate(text, SHOWN_CHARS);
        bail!(
            "{flag} {shown:?}: لا يمكن أن يكون فارغاً / must not be empty (1 to {MAX_TEXT_CHARS} characters)"
        );
    }
    check_text(flag, text)
}

/// A name as typed, trimmed: 1 to [`MAX_NAME_CHARS`] characters on one line. A refusal names
/// the flag, the value (cut for display, control characters escaped) and the rule.
fn check_name<'a>(flag: &str, raw: &'a str) -> anyhow::Result<&'a str> {
    let name = raw.trim();
    let n = name.chars().count();
    let shown = truncate(name, SHOWN_CHARS);
    if n == 0 {
        let raw = truncate(raw, SHOWN_CHARS);
        bail!("{flag} {raw:?}: must not be empty (1 to {MAX_NAME_CHARS} characters)");
    }
    if n > MAX_NAME_CHARS {
        bail!("{flag} {shown:?}: {n} characters is longer than the limit of {MAX_NAME_CHARS}");
    }
    if name.chars().any(char::is_control) {
        bail!("{flag} {shown:?}: must be one line without control characters (newline, tab)");
    }
    Ok(name)
}

/// Opens the initialised store, naming the home directory on failure.
fn open_store(home: &Path) -> anyhow::Result<Store> {
    Store::open(home).with_context(|| format!("opening the store in {}", home.display()))
}

/// Refuses a command the store's user may not run: `what` names it (`delete a check`).
fn require_supervisor(meta: &crate::store::Meta, what: &str) -> anyhow::Result<()> {
    if !meta.role.may_decide() {
        bail!(
            "هذا للمشرفين فقط / only a supervisor may {what}: this store belongs to {} ({})",
            meta.user,
            meta.role.as_str()
        );
    }
    Ok(())
}

/// Refuses to change a deleted check, saying who deleted it and why.
fn refuse_deleted(doc: &CheckDoc, id: fieldsync_schema::CheckId) -> anyhow::Result<()> {
    if let Some(d) = doc.deletion()? {
        bail!(
            "check {id} was deleted by {} at {}: {}; it can no longer be changed",
            d.by,
            d.at,
            d.reason
        );
    }
    Ok(())
}

/// Recomputes the check's resolution links from its current fields and manual decisions
/// and writes them if they differ, so links show offline (the server recomputes them too).
fn refresh_links(doc: &mut CheckDoc, author: &fieldsync_schema::Author) -> anyhow::Result<bool> {
    let check = doc.read().context("reading the check back")?;
    let links = Catalog::builtin().check_links(&check);
    Ok(doc.set_links(author, &links)?)
}

#[cfg(test)]
mod input_tests;
#[cfg(test)]
mod output_tests;
#[cfg(test)]
mod tests;
