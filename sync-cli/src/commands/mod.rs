//! One module per subcommand, each a `clap::Args` struct with a `run(self, home)`.
//!
//! Convention: machine-readable results go to stdout (`record` prints only the new id,
//! `--json` prints only JSON); human messages go to stderr.

pub mod edit;
pub mod export;
pub mod init;
pub mod list;
pub mod record;
pub mod resolutions;
pub mod review;
pub mod show;
pub mod sync;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, bail};
use fieldsync_schema::{Catalog, CheckDoc, FacilityKind, FieldValue, Form};

use crate::store::Store;

/// Opens the initialised store, naming the home directory on failure.
fn open_store(home: &Path) -> anyhow::Result<Store> {
    Store::open(home).with_context(|| format!("opening the store in {}", home.display()))
}

/// Parses `--set field=value` arguments against `form`; an error names the field, the value
/// and the rule it breaks.
fn parse_sets(form: &Form, sets: &[String]) -> anyhow::Result<BTreeMap<String, FieldValue>> {
    let mut fields = BTreeMap::new();
    for set in sets {
        let Some((name, raw)) = set.split_once('=') else {
            bail!("--set {set:?}: expected field=value, e.g. --set bread_price_syp=1250");
        };
        let name = name.trim();
        let value = form.parse_value(name, raw)?;
        if fields.insert(name.to_owned(), value).is_some() {
            bail!("--set: field {name:?} is given more than once");
        }
    }
    Ok(fields)
}

/// Recomputes the check's resolution links from its current fields and writes them if they
/// differ, so links show offline (the server recomputes them too).
fn refresh_links(
    doc: &mut CheckDoc,
    author: &fieldsync_schema::Author,
    kind: FacilityKind,
) -> anyhow::Result<bool> {
    let fields = doc.read().context("reading the check back")?.fields;
    let links = Catalog::builtin().links(kind, &fields);
    Ok(doc.set_links(author, &links)?)
}

#[cfg(test)]
mod tests;
