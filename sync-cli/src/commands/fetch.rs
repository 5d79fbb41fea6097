//! `fieldsync fetch`: take a copy of checks other devices recorded.

use std::path::Path;

use anyhow::{Context as _, bail};
use clap::Args;
use fieldsync_schema::{CheckId, SiteId};

use super::open_store;
use super::sync::{Progress, server_url, summary_line};
use crate::sync_client::HttpTransport;
use crate::sync_rounds;

/// Fetch checks from the server by id or by site, to read, edit or review them offline.
///
/// An inspector's device receives only the checks it holds (`init --receive own`, the
/// inspector default); a fetched check is held from then on, so later changes to it (a
/// co-inspector's edit, a review) arrive with every `sync`. Fetching also syncs everything
/// else, like `sync`.
#[derive(Debug, Args)]
pub struct Fetch {
    /// Check ids (UUIDs) to fetch.
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Also fetch every check the server holds at this site id (repeatable).
    #[arg(long = "site", value_name = "SITE_ID")]
    pub sites: Vec<String>,
    /// The server [default: as for `sync`].
    #[arg(long, env = "FIELDSYNC_SERVER", value_name = "URL")]
    pub server: Option<String>,
}

impl Fetch {
    /// Resolves the ids, syncs asking for them, and reports any the server does not have.
    ///
    /// # Errors
    /// No id or site given, a malformed id or site id (named), the server unreachable or
    /// refusing, a wanted check the server does not have, or a site it has no checks at
    /// (both after the rest synced).
    pub fn run(self, home: &Path) -> anyhow::Result<()> {
        if self.ids.is_empty() && self.sites.is_empty() {
            bail!("fetch needs at least one check id or --site SITE_ID");
        }
        let mut wanted = parse_ids(&self.ids)?;
        let mut store = open_store(home)?;
        let server = server_url(&store, self.server)?;
        let token = store.db().token()?;
        let mut transport = HttpTransport::new(&server).with_token(token);
        let mut empty_sites = Vec::new();
        for raw in &self.sites {
            let site: SiteId = raw
                .parse()
                .map_err(|e| anyhow::anyhow!("--site {raw:?}: {e}"))?;
            let found = transport
                .checks_at_site(&site)
                .with_context(|| format!("listing the checks at site {site}"))
                .map_err(|e| super::enrol::explain_unauthorised(e, &server))?;
            eprintln!("site {site}: {} check(s) on the server", found.len());
            if found.is_empty() {
                empty_sites.push(site.to_string());
            }
            wanted.extend(found);
        }
        let mut progress = Progress::new();
        let outcome = sync_rounds::run_fetching(&mut store, &mut transport, &mut progress, &wanted);
        progress.finish();
        if transport.reached() {
            store.db().set_server_url(&server)?;
        }
        let summary = outcome
            .with_context(|| format!("fetching from {server}"))
            .map_err(|e| super::enrol::explain_unauthorised(e, &server))?;
        eprintln!("{}", summary_line(&summary));
        let missing = missing(&store, &wanted)?;
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().map(CheckId::to_string).collect();
            bail!(
                "the server has no check {}; nothing else was affected",
                list.join(", ")
            );
        }
        if !empty_sites.is_empty() {
            bail!(
                "لا توجد فحوص لهذا الموقع على الخادم / the server has no checks at site {} \
                 (site ids are matched exactly, e.g. DEZ-BAK-014); nothing else was affected",
                empty_sites.join(", ")
            );
        }
        Ok(())
    }
}

/// Parses check ids, naming the first malformed one.
fn parse_ids(raw: &[String]) -> anyhow::Result<Vec<CheckId>> {
    raw.iter()
        .map(|id| {
            id.trim()
                .parse::<CheckId>()
                .map_err(|e| anyhow::anyhow!("check id {id:?}: {e}"))
        })
        .collect()
}

/// The wanted checks still not on this device.
fn missing(store: &crate::store::Store, wanted: &[CheckId]) -> anyhow::Result<Vec<CheckId>> {
    let mut out = Vec::new();
    for &id in wanted {
        if !store.db().holds(id)? && !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}
