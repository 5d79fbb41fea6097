//! What every fault test needs: how many iterations, a seeded random source, a device
//! filled with checks through the real store, what a device and a server hold, and the
//! summary line.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use fieldsync_schema::{
    CheckDoc, CheckEdit, CheckId, FacilityKind, FieldValue, FormRef, Forms, NewCheck, ObservedAt,
    Site,
};
use fieldsync_sync_cli::store::{Store, StoreError};
use serde_json::Value;

use crate::process::ServerProcess;

/// Iterations of each fault: `FIELDSYNC_FAULT_ITERATIONS` (the long run, e.g. 50), else
/// `short` (what `cargo test` and `.ci/run` run).
pub fn iterations(short: usize) -> usize {
    std::env::var("FIELDSYNC_FAULT_ITERATIONS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(short)
}

/// A small xorshift generator: fault points are random, and the seed is printed in the
/// summary so a failing run can be repeated (`FIELDSYNC_FAULT_SEED=...`).
pub struct Rng {
    state: u64,
    /// The seed this generator started from.
    pub seed: u64,
}

impl Rng {
    /// Seeded from `FIELDSYNC_FAULT_SEED`, else from the clock.
    pub fn new() -> Self {
        let seed = std::env::var("FIELDSYNC_FAULT_SEED")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
        Self {
            state: seed | 1,
            seed,
        }
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state % n.max(1)
    }
}

/// One summary line per fault, written to the test's real stderr (not captured), so
/// `cargo test` and `.ci/run` show it.
pub struct Summary<'a> {
    /// The fault's name.
    pub fault: &'a str,
    /// Iterations run.
    pub iterations: usize,
    /// Changes made on devices (new checks and edits).
    pub written: usize,
    /// Of those, changes found on the server at the end.
    pub found: usize,
    /// Checks the server lists more than once, or holds beyond what devices wrote.
    pub duplicates: usize,
    /// The random seed.
    pub seed: u64,
    /// Syncs or commands the fault actually interrupted (the others had finished first).
    pub interrupted: usize,
}

impl Summary<'_> {
    /// Prints the line and fails if anything was lost or duplicated.
    ///
    /// # Errors
    /// `lost` or `duplicates` is not 0.
    pub fn report(&self) -> Result<()> {
        let lost = self.written.saturating_sub(self.found);
        let line = format!(
            "fault {:<26} iterations={:<3} interrupted={:<3} changes_written={:<5} \
             changes_found={:<5} lost={} duplicates={} seed={}",
            self.fault,
            self.iterations,
            self.interrupted,
            self.written,
            self.found,
            lost,
            self.duplicates,
            self.seed
        );
        let _ = writeln!(std::io::stderr().lock(), "{line}");
        if lost != 0 || self.duplicates != 0 {
            bail!("{line}");
        }
        Ok(())
    }
}

/// Records `n` new mill checks in the store of `home`, as its user, in one transaction
/// (the same store calls `fieldsync record` makes, without a process per check).
///
/// # Errors
/// Store or document failures.
pub fn seed_checks(home: &Path, n: usize, rng: &mut Rng) -> Result<Vec<CheckId>> {
    let mut store = Store::open(home)?;
    let meta = store.db().meta()?;
    let form = Forms::builtin().for_kind(FacilityKind::Mill);
    let form_ref = FormRef {
        id: form.id.clone(),
        version: form.version,
    };
    let mut docs = Vec::with_capacity(n);
    for _ in 0..n {
        let new = NewCheck {
            id: CheckId::new(),
            kind: FacilityKind::Mill,
            site: Site {
                id: format!("DEZ-MIL-{:04}", rng.below(400)).parse()?,
                name_ar: "مطحنة دير الزور".to_owned(),
                name_en: None,
                lat: None,
                lon: None,
            },
            observed_at: ObservedAt::now(),
            fields: [("operating".to_owned(), FieldValue::Bool(true))].into(),
            notes: String::new(),
        };
        let doc = CheckDoc::create(&new, &form_ref, &meta.author(), meta.actor.clone())?;
        docs.push((new.id, doc));
    }
    store.write(|db| {
        for (id, doc) in &mut docs {
            db.insert_new(*id, doc)?;
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(docs.into_iter().map(|(id, _)| id).collect())
}

/// Edits `ids` in the store of `home` (a new `wheat_stock_tonnes` each), as its user;
/// returns the values written.
///
/// # Errors
/// Store or document failures.
pub fn edit_checks(home: &Path, ids: &[CheckId], rng: &mut Rng) -> Result<Vec<(CheckId, f64)>> {
    let mut store = Store::open(home)?;
    let meta = store.db().meta()?;
    store.write(|db| {
        let mut written = Vec::with_capacity(ids.len());
        for id in ids {
            let mut doc = db.load_existing(*id)?.doc;
            doc.set_actor(meta.actor.clone());
            let tonnes = rng.below(100_000) as f64;
            let edit = CheckEdit {
                fields: BTreeMap::from([(
                    "wheat_stock_tonnes".to_owned(),
                    FieldValue::Decimal(tonnes),
                )]),
                notes: None,
            };
            doc.edit(&meta.author(), &edit)
                .map_err(|e| anyhow::anyhow!("edit {id}: {e}"))?;
            db.save_local(*id, &mut doc)?;
            written.push((*id, tonnes));
        }
        Ok::<_, anyhow::Error>(written)
    })
}

/// What a device holds: every check's fields (as JSON) and whether the server acknowledged
/// its current version.
pub struct DeviceState {
    /// Check id -> (fields, acknowledged).
    pub checks: BTreeMap<CheckId, (Value, bool)>,
}

impl DeviceState {
    /// Reads the store of `home` (it must open cleanly: that is part of every check).
    ///
    /// # Errors
    /// The store does not open, or a check does not read.
    pub fn read(home: &Path) -> Result<Self> {
        let store = Store::open(home).context("the device's store must open cleanly")?;
        let db = store.db();
        let pending: std::collections::BTreeSet<CheckId> = db.pending_ids()?.into_iter().collect();
        let all = db.checks()?;
        if let Some((id, why)) = all.unreadable.first() {
            bail!("check {id} on the device does not read: {why}");
        }
        let checks = all
            .readable
            .into_iter()
            .map(|c| {
                let fields = serde_json::to_value(&c.check.fields).unwrap_or(Value::Null);
                (c.check.id, (fields, !pending.contains(&c.check.id)))
            })
            .collect();
        Ok(Self { checks })
    }

    /// Checks whose current version the server acknowledged.
    pub fn acknowledged(&self) -> impl Iterator<Item = (&CheckId, &Value)> {
        self.checks
            .iter()
            .filter(|(_, (_, acked))| *acked)
            .map(|(id, (fields, _))| (id, fields))
    }
}

/// The server's check ids as listed (duplicates kept, so they can be counted).
///
/// # Errors
/// The list could not be read.
pub fn server_ids(server: &ServerProcess) -> Result<Vec<CheckId>> {
    let list = server.get_json("/api/v1/checks")?;
    list.as_array()
        .context("a list")?
        .iter()
        .map(|c| {
            c["id"]
                .as_str()
                .context("id")?
                .parse()
                .context("a check id")
        })
        .collect()
}

/// The fields of `id` as the server stores them, or `None` if it does not hold the check.
///
/// # Errors
/// Another answer than 200 or 404.
pub fn server_fields(server: &ServerProcess, id: CheckId) -> Result<Option<Value>> {
    let (status, body) = server.get(&format!("/api/v1/checks/{id}"))?;
    match status {
        200 => {
            let detail: Value = serde_json::from_slice(&body)?;
            Ok(Some(detail["check"]["fields"].clone()))
        }
        404 => Ok(None),
        _ => bail!(
            "GET check {id}: {status} {}",
            String::from_utf8_lossy(&body)
        ),
    }
}

/// How many of the device's acknowledged versions the server holds exactly (same fields);
/// fails naming the first one it lacks.
///
/// # Errors
/// An acknowledged version missing or different on the server.
pub fn acknowledged_present(device: &DeviceState, server: &ServerProcess) -> Result<usize> {
    let mut found = 0;
    for (id, fields) in device.acknowledged() {
        match server_fields(server, *id)? {
            Some(stored) if &stored == fields => found += 1,
            Some(stored) => bail!("acknowledged check {id}: server has {stored}, device {fields}"),
            None => bail!("acknowledged check {id} is not on the server"),
        }
    }
    Ok(found)
}

/// Compares a device with the server after a final fault-free sync: every check the device
/// holds is on the server with the same fields, and the server lists each check once and
/// nothing else. Returns (the checks found equal, duplicates or extras).
///
/// # Errors
/// The server could not be read.
pub fn converged(
    device: &DeviceState,
    server: &ServerProcess,
) -> Result<(std::collections::BTreeSet<CheckId>, usize)> {
    let listed = server_ids(server)?;
    let unique: std::collections::BTreeSet<CheckId> = listed.iter().copied().collect();
    let extras = unique
        .iter()
        .filter(|id| !device.checks.contains_key(id))
        .count();
    let duplicates = listed.len() - unique.len() + extras;
    let mut equal = std::collections::BTreeSet::new();
    for (id, (fields, _)) in &device.checks {
        if server_fields(server, *id)?.as_ref() == Some(fields) {
            equal.insert(*id);
        }
    }
    Ok((equal, duplicates))
}

/// Changes made per check (1 for its creation, 1 per edit), to count changes written and
/// changes found; and, for the checks the test wrote itself ([`seed_checks`],
/// [`edit_checks`]), the field values it wrote last, which the device and the server must
/// both hold: a change lost on both sides is lost, not found.
#[derive(Debug, Default)]
pub struct Changes(
    pub BTreeMap<CheckId, usize>,
    pub BTreeMap<CheckId, BTreeMap<String, Value>>,
);

impl Changes {
    /// Counts new checks.
    pub fn created(&mut self, ids: &[CheckId]) {
        for id in ids {
            self.0.insert(*id, 1);
        }
    }

    /// Counts new checks made by [`seed_checks`], with the value it writes.
    pub fn seeded(&mut self, ids: &[CheckId]) {
        self.created(ids);
        for id in ids {
            self.expect(*id, "operating", &FieldValue::Bool(true));
        }
    }

    /// Counts edits.
    pub fn edited(&mut self, ids: &[CheckId]) {
        for id in ids {
            *self.0.entry(*id).or_insert(0) += 1;
        }
    }

    /// Counts edits made by [`edit_checks`], with the values it wrote.
    pub fn edited_to(&mut self, written: &[(CheckId, f64)]) {
        for (id, tonnes) in written {
            self.edited(&[*id]);
            self.expect(*id, "wheat_stock_tonnes", &FieldValue::Decimal(*tonnes));
        }
    }

    fn expect(&mut self, id: CheckId, field: &str, value: &FieldValue) {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.1
            .entry(id)
            .or_default()
            .insert(field.to_owned(), value);
    }

    /// Up to `n` checks made before, picked at random (to edit them).
    pub fn pick(&self, n: usize, rng: &mut Rng) -> Vec<CheckId> {
        let ids: Vec<CheckId> = self.0.keys().copied().collect();
        let mut picked = std::collections::BTreeSet::new();
        for _ in 0..n.min(ids.len()) {
            picked.insert(ids[rng.below(ids.len() as u64) as usize]);
        }
        picked.into_iter().collect()
    }

    /// Every change made.
    pub fn written(&self) -> usize {
        self.0.values().sum()
    }

    /// The changes of the checks in `equal` (found on the server as the device has them)
    /// whose device copy holds the values the test wrote last.
    pub fn found(
        &self,
        equal: &std::collections::BTreeSet<CheckId>,
        device: &DeviceState,
    ) -> usize {
        self.0
            .iter()
            .filter(|(id, _)| equal.contains(id) && self.as_written(**id, device))
            .map(|(_, n)| n)
            .sum()
    }

    fn as_written(&self, id: CheckId, device: &DeviceState) -> bool {
        let Some(expected) = self.1.get(&id) else {
            return true;
        };
        let Some((fields, _)) = device.checks.get(&id) else {
            return false;
        };
        expected
            .iter()
            .all(|(field, value)| fields.get(field) == Some(value))
    }
}

/// Checks the final state against the device and prints the fault's summary line.
///
/// # Errors
/// Anything lost or duplicated.
pub fn finish(
    fault: &str,
    (iterations, interrupted): (usize, usize),
    changes: &Changes,
    device: &Path,
    server: &ServerProcess,
    seed: u64,
) -> Result<()> {
    let state = DeviceState::read(device)?;
    let (equal, duplicates) = converged(&state, server)?;
    Summary {
        fault,
        iterations,
        written: changes.written(),
        found: changes.found(&equal, &state),
        duplicates,
        seed,
        interrupted,
    }
    .report()
}
