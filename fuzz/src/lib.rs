//! # fieldsync-fuzz
//!
//! The entry points the fuzz targets (`fuzz_targets/`, libFuzzer, built by `fuzz/run.sh`)
//! and the corpus replay test (`tests/corpus.rs`, an ordinary `cargo test`) share. Each
//! takes arbitrary bytes and panics only on a bug: a panic is what the fuzzer reports.
//!
//! | target | what the bytes are | code under test |
//! |---|---|---|
//! | [`sync_message`] | a sync message from a device | the server's bounds, decode, receive, read, validate, link, reply |
//! | [`load_document`] | a saved document | [`CheckDoc::load`], then reading it as a check |
//! | [`hydrate_check`] | edits to a check document's values and shapes | [`CheckDoc::read`], validation and linking |
//! | [`seed_parser`] | a conference text or a `resolutions.toml` | [`parse_resolutions`], [`Catalog::load`] |
//! | [`form_value`] | a form, a field and a value as typed | [`fieldsync_schema::FormField::parse`] |

mod hydrate;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use automerge::ActorId;
use fieldsync_schema::catalog::{RESOLUTIONS_TOML, SEED_TEXT};
use fieldsync_schema::resolutions::parse_resolutions;
use fieldsync_schema::sync_bounds::check_message;
use fieldsync_schema::wire::DocMessage;
use fieldsync_schema::{
    Author, Catalog, CheckDoc, CheckId, FacilityKind, FieldValue, Forms, NewCheck, Role, Site,
};
use fieldsync_server::auth::{DEFAULT_TEAM, Identity, Registry};
use fieldsync_server::sync::{DetachedAuth, Limits, receive_detached_as};

pub use hydrate::hydrate_check;

/// Replaces libFuzzer's panic hook, which aborts on every panic, with a silent one: panics
/// that fieldsync contains on purpose (automerge's, [`fieldsync_schema::automerge_guard`])
/// are not crashes. A panic that escapes an entry point still aborts the fuzzer
/// (libfuzzer-sys catches it and aborts); replaying the saved input with `cargo test -p
/// fieldsync-fuzz` shows its message.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|_| {}));
}

/// The check every target's documents are about.
pub fn check_id() -> CheckId {
    static ID: LazyLock<CheckId> = LazyLock::new(CheckId::new);
    *ID
}

/// The inspector who wrote [`stored_check`].
pub fn inspector() -> Author {
    Author {
        name: "fuzz".into(),
        device: "fuzz-device".into(),
        role: Role::Inspector,
    }
}

/// The actor of [`inspector`]'s device, who wrote [`stored_check`].
const INSPECTOR_ACTOR: [u8; 16] = [0xa1; 16];
/// The actor of an enrolled supervisor's device.
const SUPERVISOR_ACTOR: [u8; 16] = [0xb2; 16];

/// The inspector and a supervisor, enrolled, with `sender`'s device sending.
fn detached_auth(sender: &[u8; 16]) -> DetachedAuth {
    let person = |name: &str, role: Role, actor: &[u8; 16]| Identity {
        user: name.into(),
        role,
        team: DEFAULT_TEAM.into(),
        device: format!("{name}-device"),
        actor: ActorId::from(&actor[..]).to_hex_string(),
        revoked: false,
    };
    let ana = person("fuzz", Role::Inspector, &INSPECTOR_ACTOR);
    let sara = person("sara", Role::Supervisor, &SUPERVISOR_ACTOR);
    let caller = if sender == &SUPERVISOR_ACTOR {
        sara.clone()
    } else {
        ana.clone()
    };
    let registry: Registry = [ana, sara]
        .into_iter()
        .map(|i| (i.actor.clone(), i))
        .collect();
    DetachedAuth {
        caller,
        registry,
        server_actor: ActorId::from(&[0x5e; 16][..]).to_hex_string(),
    }
}

/// A bakery check as a server would store it: the document every mutation starts from.
pub fn stored_check() -> &'static [u8] {
    static BYTES: LazyLock<Vec<u8>> = LazyLock::new(|| {
        let new = NewCheck {
            id: check_id(),
            kind: FacilityKind::Bakery,
            site: Site {
                id: "DEZ-BAK-014".parse().expect("site id"),
                name_ar: "مخبز الأمل".into(),
                name_en: Some("Al-Amal".into()),
                lat: Some(35.3),
                lon: Some(40.1),
            },
            observed_at: "2026-03-29T10:15:00+03:00".parse().expect("time"),
            fields: BTreeMap::from([
                ("operating".to_owned(), FieldValue::Bool(true)),
                ("bread_price_syp".to_owned(), FieldValue::Int(1250)),
            ]),
            notes: "الطابور طويل".into(),
        };
        let form = Forms::builtin().current(FacilityKind::Bakery).form_ref();
        let actor = ActorId::from(&INSPECTOR_ACTOR[..]);
        let mut doc = CheckDoc::create(&new, &form, &inspector(), actor).expect("create");
        doc.save()
    });
    &BYTES
}

/// A sync message from a device. The first byte picks the server's copy: none (a check new
/// to the server) when even, [`stored_check`] when odd, and (bits 1 and 2) whether the
/// server's authority judges it and as whom; the rest is the message.
///
/// Never panics; a reply, when there is one, passes the same bounds the server applies to
/// what it receives (the device will send its heads back).
pub fn sync_message(data: &[u8]) {
    let Some((&pick, message)) = data.split_first() else {
        return;
    };
    let stored = (pick % 2 == 1).then(stored_check);
    let incoming = DocMessage {
        check: check_id(),
        message: message.to_vec(),
    };
    let limits = Limits::default();
    // Bits 1 and 2: judged by the server's authority, sent by the inspector who wrote
    // the stored check or by a supervisor (both enrolled), or not judged at all.
    let auth = match pick & 0b110 {
        0b010 => Some(detached_auth(&INSPECTOR_ACTOR)),
        0b100 => Some(detached_auth(&SUPERVISOR_ACTOR)),
        _ => None,
    };
    if let Ok(Some(reply)) = receive_detached_as(stored, &incoming, &limits, auth)
        && let Err(e) = check_message(&reply.message, &limits.message)
    {
        panic!("the server's reply breaks its own bounds: {e}");
    }
}

/// A saved document: loaded, read as a check and merged into [`stored_check`].
pub fn load_document(data: &[u8]) {
    if let Ok(doc) = CheckDoc::load(data) {
        let _ = doc.read();
        let _ = doc.conflicts();
    }
}

/// A conference text or a `resolutions.toml`, by the first byte: even, the text alone; odd,
/// the built-in text with this file as its `resolutions.toml`.
pub fn seed_parser(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    if pick % 2 == 0 {
        if parse_resolutions(&text).is_ok() {
            let _ = Catalog::load(&text, RESOLUTIONS_TOML);
        }
    } else {
        let _ = Catalog::load(SEED_TEXT, &text);
    }
}

/// A value as typed: the first byte picks the kind's current form, the second its field,
/// the rest is the text. A value that parses is stored in the field's shape: parsing its
/// own stored text again must not panic either.
pub fn form_value(data: &[u8]) {
    let [kind, field, rest @ ..] = data else {
        return;
    };
    let kind = FacilityKind::ALL[usize::from(*kind) % FacilityKind::ALL.len()];
    let form = Forms::builtin().current(kind);
    let Some(field) = form
        .fields
        .get(usize::from(*field) % form.fields.len().max(1))
    else {
        return;
    };
    let raw = String::from_utf8_lossy(rest);
    if let Ok(value) = field.parse(&raw) {
        let _ = field.parse(&value.to_string());
    }
}
