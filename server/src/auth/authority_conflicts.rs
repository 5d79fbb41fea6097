//! Only supervisors close conflicts. A conflict is a field (or the site name) holding two
//! or more different values written concurrently. In Automerge any later write to that
//! field supersedes all of them, so an inspector's ordinary edit of a conflicted field
//! would close it silently, with no decision recorded. The rule: when the values a field
//! held at `before` (the server's heads before the message) conflicted and are superseded
//! now, every value that superseded them must be written by a supervisor's or an admin's
//! actor (or the server's); otherwise the message is refused. Writing concurrently with
//! a conflict (adding a value) closes nothing and stays allowed.

use automerge::{ChangeHash, ObjId, ROOT, ReadDoc, Value};
use fieldsync_schema::{CheckDoc, CheckId};

use super::Registry;

/// Refuses a message in which a non-supervisor's value supersedes a conflict.
///
/// # Errors
/// A reason naming the check, the field, the writer and the rule.
pub(super) fn conflicts_closed_by_deciders(
    check: CheckId,
    doc: &mut CheckDoc,
    before: &[ChangeHash],
    registry: &Registry,
    server_actor: &str,
) -> Result<(), String> {
    if before.is_empty() {
        return Ok(());
    }
    let am = doc.automerge();
    for (parent, prefix) in [("fields", "fields."), ("site", "site.")] {
        let Some((Value::Object(_), obj)) = am.get(ROOT, parent).ok().flatten() else {
            continue;
        };
        let keys: Vec<String> = am.keys_at(&obj, before).collect();
        for key in keys {
            let was = am
                .get_all_at(&obj, key.as_str(), before)
                .unwrap_or_default();
            if !conflicting(&was) {
                continue;
            }
            let now = am.get_all(&obj, key.as_str()).unwrap_or_default();
            let superseded = was.iter().any(|(_, id)| !now.iter().any(|(_, n)| n == id));
            if !superseded {
                continue;
            }
            for (_, id) in now.iter().filter(|(_, n)| !was.iter().any(|(_, w)| w == n)) {
                let actor = actor_of(id);
                let decider = actor == server_actor
                    || registry.get(&actor).is_some_and(|i| i.role.may_decide());
                if !decider {
                    let who = registry
                        .get(&actor)
                        .map_or_else(|| format!("actor {actor}"), super::authority::describe);
                    return Err(format!(
                        "check {check}: {who} writes {prefix}{key}, which has conflicting \
                         values; only a supervisor settles a conflict (`fieldsync resolve`); \
                         the change stays on the device"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Two or more different scalar values.
fn conflicting(values: &[(Value<'_>, ObjId)]) -> bool {
    let scalars: Vec<String> = values
        .iter()
        .filter_map(|(v, _)| match v {
            Value::Scalar(s) => Some(format!("{s:?}")),
            Value::Object(_) => None,
        })
        .collect();
    scalars.windows(2).any(|w| w[0] != w[1])
}

fn actor_of(id: &ObjId) -> String {
    match id {
        ObjId::Id(_, actor, _) => actor.to_hex_string(),
        ObjId::Root => String::new(),
    }
}
