//! Where a check's sync CPU goes, without a profiler: the Automerge, JSON and gzip steps
//! that the device and the server run for one check, repeated in memory over a sample of
//! generated checks and averaged. SQLite, HTTP and waiting are not included; comparing the sum
//! with the measured per-check time of a scenario shows how much those cost.

use std::io::Write as _;
use std::time::{Duration, Instant};

use automerge::ActorId;
use automerge::sync::{Message, State, SyncDoc as _};
use fieldsync_schema::sync::{prime, trust_their_heads};
use fieldsync_schema::wire::{DocMessage, SyncRequest};
use fieldsync_schema::{Catalog, CheckDoc};
use fieldsync_server::auth::authority::Authority;
use fieldsync_server::auth::{Identity, Registry};

use crate::device::Device;
use crate::report::Report;

/// The steps, in the order they happen for a pushed and then pulled check.
const STEPS: [(&str, &str); 10] = [
    ("device_load", "device: read the row, load the document"),
    (
        "device_prime",
        "device: prime and generate the first message",
    ),
    (
        "request_json_gzip",
        "device: JSON + base64 + gzip of its share of a request",
    ),
    (
        "server_receive",
        "server: decode, receive into an empty document",
    ),
    (
        "server_authority",
        "server: judge the new changes (authors, roles, teams)",
    ),
    (
        "server_read_link",
        "server: read the check back, compute and set links",
    ),
    ("server_save", "server: save() the whole document"),
    ("server_reply", "server: generate the (left out) reply"),
    (
        "server_pull",
        "server, per device pulling it: load, prime, generate",
    ),
    (
        "device_apply",
        "device, per pulled check: receive into an empty document, save()",
    ),
];

/// A figure: key, value, unit.
pub type Figure = (String, f64, String);

/// Measures every step over up to `sample` of `device`'s checks: one figure per step
/// (`cpu_ms_<step>`, mean ms per check), then their sum. Add them with [`add`].
///
/// # Errors
/// Store failures or a document that does not behave as generated.
pub fn measure(device: &Device, sample: usize) -> anyhow::Result<Vec<Figure>> {
    let mut spent = [Duration::ZERO; STEPS.len()];
    let server_actor = ActorId::from(&[0x5e; 16][..]);
    let author = fieldsync_server::sync::server_author();
    let server_hex = server_actor.to_hex_string();
    let sender = sender_of(device)?;
    let registry = Registry::from([(sender.actor.clone(), sender.clone())]);
    let ids: Vec<_> = device.ids.iter().take(sample).copied().collect();
    let mut messages = Vec::with_capacity(ids.len());
    let mut time = |step: usize, started: Instant| spent[step] += started.elapsed();
    for &id in &ids {
        let t = Instant::now();
        let mut doc = device.store.db().load_existing(id)?.doc;
        time(0, t);

        let t = Instant::now();
        let mut state = State::new();
        prime(&mut state);
        let first = doc.automerge().sync().generate_sync_message(&mut state);
        let bytes = first.map(|m| m.encode()).unwrap_or_default();
        time(1, t);
        messages.push(DocMessage {
            check: id,
            message: bytes.clone(),
        });

        let t = Instant::now();
        let mut server = CheckDoc::empty();
        let mut server_state = State::new();
        server
            .automerge()
            .sync()
            .receive_sync_message(&mut server_state, Message::decode(&bytes)?)?;
        time(3, t);

        let t = Instant::now();
        let authority = Authority {
            sender: &sender,
            registry: &registry,
            server_actor: &server_hex,
        };
        authority
            .judge(id, &mut server, &[], None)
            .map_err(|why| anyhow::anyhow!("the generated check was refused: {why}"))?;
        time(4, t);

        let t = Instant::now();
        let check = server.read()?;
        let links = Catalog::builtin().check_links(&check);
        server.set_actor(server_actor.clone());
        server.set_links(&author, &links)?;
        time(5, t);

        let t = Instant::now();
        let saved = server.save();
        time(6, t);

        let t = Instant::now();
        trust_their_heads(server.automerge(), &mut server_state);
        let _reply = server
            .automerge()
            .sync()
            .generate_sync_message(&mut server_state);
        time(7, t);

        let t = Instant::now();
        let mut stored = CheckDoc::load(&saved)?;
        let mut pull_state = State::new();
        prime(&mut pull_state);
        let pulled = stored
            .automerge()
            .sync()
            .generate_sync_message(&mut pull_state);
        let pulled = pulled.map(|m| m.encode()).unwrap_or_default();
        time(8, t);

        let t = Instant::now();
        let mut other = CheckDoc::empty();
        let mut other_state = State::new();
        other
            .automerge()
            .sync()
            .receive_sync_message(&mut other_state, Message::decode(&pulled)?)?;
        let _ = other
            .automerge()
            .sync()
            .generate_sync_message(&mut other_state);
        let _ = other.save();
        time(9, t);
    }
    let t = Instant::now();
    let request = SyncRequest {
        device: device.store.db().meta()?.device_info(),
        cursor: 0,
        horizon: None,
        receive: Default::default(),
        window: None,
        messages,
    };
    let json = serde_json::to_vec(&request)?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json)?;
    let _ = gz.finish()?;
    time(2, t);

    let n = ids.len().max(1) as f64;
    let mut figures: Vec<Figure> = STEPS
        .iter()
        .zip(spent)
        .map(|((name, what), spent)| {
            let ms = spent.as_secs_f64() * 1000.0 / n;
            (
                format!("cpu_ms_{name}"),
                ms,
                format!("ms per check ({what})"),
            )
        })
        .collect();
    let total = figures.iter().map(|f| f.1).sum();
    figures.push((
        "cpu_ms_total".into(),
        total,
        "ms per check, all steps above".into(),
    ));
    figures.push(("cpu_sample".into(), n, "checks measured in memory".into()));
    Ok(figures)
}

/// The device as the server's directory would know it after enrolment.
fn sender_of(device: &Device) -> anyhow::Result<Identity> {
    let meta = device.store.db().meta()?;
    Ok(Identity {
        user: meta.user,
        role: meta.role,
        team: fieldsync_server::auth::DEFAULT_TEAM.to_owned(),
        device: meta.device_id,
        actor: meta.actor.to_hex_string(),
        revoked: false,
    })
}

/// Adds measured figures to `report`.
pub fn add(report: &mut Report, figures: &[Figure]) {
    for (key, value, unit) in figures {
        report.set_f(key, *value, 4, unit);
    }
}
