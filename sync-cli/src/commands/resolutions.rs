//! `fieldsync resolutions`: the conference's 42 resolutions from the built-in catalog.

use std::path::Path;

use anyhow::Context as _;
use clap::Args;
use fieldsync_schema::{Catalog, ResolutionInfo};

use crate::output;

/// List the resolutions: number, Arabic text, English title, kinds and deadline.
#[derive(Debug, Args)]
pub struct Resolutions {
    /// Print the catalog entries as a JSON array instead.
    #[arg(long)]
    pub json: bool,
}

impl Resolutions {
    /// Prints the catalog (needs no store).
    ///
    /// # Errors
    /// A failure to serialise JSON or to write stdout (a closed pipe is not one).
    pub fn run(self, _home: &Path) -> anyhow::Result<()> {
        let all = Catalog::builtin().resolutions();
        if self.json {
            let json = serde_json::to_string_pretty(all)? + "\n";
            output::print(json).context("writing to stdout")?;
        } else {
            output::print_table(&table(all)).context("writing to stdout")?;
        }
        Ok(())
    }
}

/// The human table, one row per resolution.
pub fn table(all: &[ResolutionInfo]) -> comfy_table::Table {
    let mut table = output::table(&[
        ("رقم", "no."),
        ("النص", "text"),
        ("العنوان", "title"),
        ("المنشآت", "kinds"),
        ("المهلة", "deadline"),
    ]);
    for r in all {
        let kinds = r
            .kinds
            .iter()
            .map(|k| output::kind_label(*k))
            .collect::<Vec<_>>()
            .join("\n");
        let deadline = r
            .deadline
            .as_ref()
            .map(|d| output::bilingual(&d.text_ar, &d.text_en))
            .unwrap_or_default();
        table.add_row(vec![
            r.number.to_string(),
            r.text_ar.clone(),
            r.title_en.clone(),
            kinds,
            deadline,
        ]);
    }
    table
}
