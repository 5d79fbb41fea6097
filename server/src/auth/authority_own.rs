//! The judgement of a message whose new changes are all the sender's own (the common case:
//! a device sending what it recorded and edited), by comparing state instead of decoding
//! every operation.
//!
//! [`super::authority::Authority::judge`] decodes each new change and looks up what each
//! operation writes; for a new check that is a hundred or so operations, and it cost more
//! server CPU than receiving the document (`BENCHMARKS.md`, `cpu_ms_server_authority`).
//! When every new change is by the sender's own actor, the rules reduce to what the
//! message changed, which is read from the document before and after:
//! - an inspector's message leaves the decision keys (`review`, `review_history`,
//!   `decisions`, `deleted`, `manual_links`) as they were; in a check new to the server,
//!   each is absent or exactly as [`CheckDoc::create`] writes it (empty, state `received`);
//! - no message changes another actor's `authors` entry;
//! - a supervisor's or admin's message may change the decision keys: each changed key is a
//!   decision to audit.
//!
//! Values are compared with every concurrent value of each field (`get_all`), so a write
//! that only adds a conflicting value is a change too.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use automerge::{ActorId, Automerge, ChangeHash, ObjType, Prop, ROOT, ReadDoc, Value};
use fieldsync_schema::{
    Author, CheckDoc, CheckId, FacilityKind, FormRef, NewCheck, ObservedAt, Role, Site,
};
use serde_json::Value as Json;

use super::Identity;
use super::audit::{CONFLICT_DECISION, DELETION, MANUAL_LINK, REVIEW};
use super::authority::{DECISION_KEYS, Decision};

/// Why the message is refused (naming the check, the sender and the rule), or the
/// decisions it carries. `before` are the server's heads before the message (empty for a
/// check new to the server); the message is already applied to `doc`.
pub(super) fn judge_own(
    check: CheckId,
    sender: &Identity,
    doc: &mut CheckDoc,
    before: &[ChangeHash],
) -> Result<Vec<Decision>, String> {
    let am = doc.automerge().document();
    let after = am.get_heads();
    let mut decisions: Vec<Decision> = Vec::new();
    for key in DECISION_KEYS {
        let now = snapshot_root(am, key, &after);
        let unchanged = if before.is_empty() {
            now == Json::Array(vec![]) || creation_shape().get(key) == Some(&now)
        } else {
            snapshot_root(am, key, before) == now
        };
        if unchanged {
            continue;
        }
        if !sender.role.may_decide() {
            return Err(format!(
                "check {check}: {} may not change {} (supervisors only); the change stays on \
                 the device",
                super::authority::describe(sender),
                super::authority::what_key(key)
            ));
        }
        let decision = Decision {
            action: action_of(key),
            author: sender.clone(),
        };
        if !decisions.contains(&decision) {
            decisions.push(decision);
        }
    }
    others_authors_unchanged(check, sender, am, before, &after)?;
    Ok(decisions)
}

/// The audit action of a change to a decision key.
fn action_of(key: &str) -> &'static str {
    match key {
        "review" | "review_history" => REVIEW,
        "decisions" => CONFLICT_DECISION,
        "deleted" => DELETION,
        _ => MANUAL_LINK,
    }
}

/// Refuses a message that changed an `authors` entry other than the sender's.
fn others_authors_unchanged(
    check: CheckId,
    sender: &Identity,
    am: &Automerge,
    before: &[ChangeHash],
    after: &[ChangeHash],
) -> Result<(), String> {
    let entries = |heads: &[ChangeHash]| -> BTreeMap<String, Json> {
        let Some((Value::Object(_), authors)) = am.get_at(ROOT, "authors", heads).ok().flatten()
        else {
            return BTreeMap::new();
        };
        am.keys_at(&authors, heads)
            .filter(|actor| *actor != sender.actor)
            .map(|actor| {
                let value = snapshot_prop(am, &authors, Prop::Map(actor.clone()), heads);
                (actor, value)
            })
            .collect()
    };
    let (was, now) = (entries(before), entries(after));
    if was == now {
        return Ok(());
    }
    let changed = now
        .iter()
        .find(|(actor, value)| was.get(*actor) != Some(value))
        .map(|(actor, _)| actor.clone())
        .or_else(|| was.keys().find(|a| !now.contains_key(*a)).cloned())
        .unwrap_or_default();
    Err(format!(
        "check {check}: a change by actor {} writes the author entry of actor {changed}: a \
         device may register only itself",
        sender.actor
    ))
}

/// Every value of root key `key` at `heads`, objects expanded.
fn snapshot_root(am: &Automerge, key: &str, heads: &[ChangeHash]) -> Json {
    snapshot_prop(am, &ROOT, Prop::Map(key.to_owned()), heads)
}

/// Every concurrent value of `prop` in `obj` at `heads`, objects expanded: an array of
/// alternatives (empty when absent).
fn snapshot_prop(am: &Automerge, obj: &automerge::ObjId, prop: Prop, heads: &[ChangeHash]) -> Json {
    let values = am.get_all_at(obj, prop, heads).unwrap_or_default();
    Json::Array(
        values
            .into_iter()
            .map(|(value, id)| match value {
                Value::Scalar(scalar) => Json::String(format!("{scalar:?}")),
                Value::Object(kind) => snapshot_object(am, &id, kind, heads),
            })
            .collect(),
    )
}

fn snapshot_object(
    am: &Automerge,
    id: &automerge::ObjId,
    kind: ObjType,
    heads: &[ChangeHash],
) -> Json {
    match kind {
        ObjType::Map | ObjType::Table => Json::Object(
            am.keys_at(id, heads)
                .map(|key| {
                    let value = snapshot_prop(am, id, Prop::Map(key.clone()), heads);
                    (key, value)
                })
                .collect(),
        ),
        ObjType::List => Json::Array(
            (0..am.length_at(id, heads))
                .map(|i| snapshot_prop(am, id, Prop::Seq(i), heads))
                .collect(),
        ),
        ObjType::Text => Json::String(am.text_at(id, heads).unwrap_or_default()),
    }
}

/// The decision keys as [`CheckDoc::create`] writes them, by key (computed once from a
/// document made the way every device makes one).
fn creation_shape() -> &'static BTreeMap<&'static str, Json> {
    static SHAPE: OnceLock<BTreeMap<&'static str, Json>> = OnceLock::new();
    SHAPE.get_or_init(|| {
        let Some(mut doc) = sample_document() else {
            return BTreeMap::new();
        };
        let am = doc.automerge().document();
        let heads = am.get_heads();
        DECISION_KEYS
            .into_iter()
            .map(|key| (key, snapshot_root(am, key, &heads)))
            .collect()
    })
}

/// A new check document with nothing but what creation writes.
fn sample_document() -> Option<CheckDoc> {
    let new = NewCheck {
        id: CheckId::new(),
        kind: FacilityKind::Other,
        site: Site {
            id: "SHAPE-1".parse().ok()?,
            name_ar: "شكل".into(),
            name_en: None,
            lat: None,
            lon: None,
        },
        observed_at: ObservedAt::now(),
        fields: BTreeMap::new(),
        notes: String::new(),
    };
    let form = FormRef {
        id: "other".into(),
        version: 1,
    };
    let author = Author {
        name: "shape".into(),
        device: "shape".into(),
        role: Role::Inspector,
    };
    CheckDoc::create(&new, &form, &author, ActorId::random()).ok()
}
