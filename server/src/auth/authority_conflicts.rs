//! Only supervisors close conflicts. A conflict is a field (or the site name) holding two
//! or more different values written concurrently. In Automerge any later write to that
//! field supersedes all of them, so an inspector's ordinary edit of a conflicted field
//! would close it silently, with no decision recorded. The rule: when the values a field
//! held at `before` (the server's heads before the message) conflicted and some are gone
//! now, whoever replaced (or deleted) them must be a supervisor or an admin (or the
//! server), unless every value gone was their own user's: an inspector's offline edit of
//! their own value replaces only it, and the others' values keep the conflict open.
//! Writing concurrently with a conflict (adding a value) closes nothing and stays allowed.

use automerge::{ChangeHash, ObjId, ROOT, ReadDoc, Value};
use fieldsync_schema::{CheckDoc, CheckId};

use super::{Identity, Registry};

/// Refuses a message in which a non-supervisor's value supersedes a conflict.
///
/// # Errors
/// A reason naming the check, the field, the writer and the rule.
pub(super) fn conflicts_closed_by_deciders(
    check: CheckId,
    doc: &mut CheckDoc,
    before: &[ChangeHash],
    sender: &Identity,
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
            let user_of = |id: &ObjId| {
                let actor = actor_of(id);
                registry.get(&actor).map_or(actor, |i| i.user.clone())
            };
            // Values gone since `before`, by whose user.
            let gone: Vec<String> = was
                .iter()
                .filter(|(_, w)| !now.iter().any(|(_, n)| n == w))
                .map(|(_, w)| user_of(w))
                .collect();
            if gone.is_empty() {
                continue;
            }
            let added: Vec<String> = now
                .iter()
                .filter(|(_, n)| !was.iter().any(|(_, w)| w == n))
                .map(|(_, n)| actor_of(n))
                .collect();
            // A value deleted rather than replaced: the sender did it.
            let writers = if added.is_empty() {
                vec![sender.actor.clone()]
            } else {
                added
            };
            for actor in writers {
                let who = registry.get(&actor);
                let decider = actor == server_actor || who.is_some_and(|i| i.role.may_decide());
                // Replacing only one's own value (an offline edit made before the conflict
                // reached the device) leaves the others' values, and the conflict, open.
                let own_only = who.is_some_and(|i| gone.iter().all(|u| *u == i.user));
                if !decider && !own_only {
                    let who =
                        who.map_or_else(|| format!("actor {actor}"), super::authority::describe);
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
