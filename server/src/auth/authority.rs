//! Who may write what into a check: the server's judgement of the changes a sync message
//! brings (rules in the [module docs](super)). Pure: no store, no I/O.

use std::collections::{BTreeSet, HashMap};

use automerge::legacy::{Key, ObjectId, Op, OpType};
use automerge::{Change, ChangeHash, Prop, ROOT, ReadDoc, ScalarValue, Value};
use fieldsync_schema::{CheckDoc, CheckId, ReviewState, Role};

use super::{Identity, Registry};

/// Root keys only supervisors and admins may write.
pub const DECISION_KEYS: [&str; 5] = [
    "review",
    "review_history",
    "decisions",
    "deleted",
    "manual_links",
];

/// What the server knows while judging one sync message.
#[derive(Debug, Clone)]
pub struct Authority<'a> {
    /// The authenticated sender.
    pub sender: &'a Identity,
    /// Every registered device by actor hex.
    pub registry: &'a Registry,
    /// The server's own actor, hex.
    pub server_actor: &'a str,
}

/// A decision a supervisor's accepted change made, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// `review`, `conflict_decision`, `manual_link` or `deletion`
    /// ([`super::audit`] constants).
    pub action: &'static str,
    /// Who made it.
    pub author: Identity,
}

/// The outcome of an accepted message: the check's team and the decisions it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The check's team (for a new check, its creator's).
    pub team: String,
    /// Decisions to audit, at most one per (action, author).
    pub decisions: Vec<Decision>,
}

/// Who wrote one change, as far as the rules are concerned.
enum Writer<'a> {
    /// A registered device (the sender or a relayed one).
    Device(&'a Identity),
    /// The server itself.
    Server,
}

impl<'a> Authority<'a> {
    /// Judges the changes `doc` gained since `before` (heads before the message was
    /// applied). `team` is the check's stored team, `None` for a check new to the server.
    ///
    /// # Errors
    /// The reason the message is refused, naming the check, the change's author and the
    /// rule.
    pub fn judge(
        &self,
        check: CheckId,
        doc: &mut CheckDoc,
        before: &[ChangeHash],
        team: Option<&str>,
    ) -> Result<Verdict, String> {
        // Who wrote the new changes, from their metadata: `get_changes` rebuilds each
        // change from the document's operations, which only the relay path needs.
        let (actors, creator) = {
            let metas = doc.automerge().get_changes_meta(before);
            let creator = metas
                .iter()
                .find(|m| m.deps.is_empty())
                .map(|m| m.actor.to_hex_string());
            let actors: BTreeSet<String> = metas.iter().map(|m| m.actor.to_hex_string()).collect();
            (actors, creator)
        };
        let team = match team {
            Some(team) => team.to_owned(),
            None => self.creator_team(creator.as_deref()),
        };
        if !self.sender.may_see(&team) {
            return Err(format!(
                "check {check} belongs to team {team:?}; {} may not change it",
                describe(self.sender)
            ));
        }
        super::authority_conflicts::conflicts_closed_by_deciders(
            check,
            doc,
            before,
            self.sender,
            self.registry,
            self.server_actor,
        )?;
        let own = self.sender.actor.as_str();
        if actors.iter().all(|actor| actor == own) {
            let decisions = super::authority_own::judge_own(check, self.sender, doc, before)?;
            self.author_entry_matches(check, doc, own)?;
            return Ok(Verdict { team, decisions });
        }
        let changes = doc.automerge().get_changes(before);
        let had = had_manual_links(doc, before);
        self.judge_changes(check, doc, &changes, team, had)
    }

    /// [`Authority::judge`] always by operations, the path taken for relays: tests compare it
    /// with the state comparison taken for the sender's own changes.
    #[cfg(test)]
    pub(super) fn judge_by_operations(
        &self,
        check: CheckId,
        doc: &mut CheckDoc,
        before: &[ChangeHash],
    ) -> Result<Verdict, String> {
        let changes = doc.automerge().get_changes(before);
        let creator = changes
            .iter()
            .find(|c| c.deps().is_empty())
            .map(|c| c.actor_id().to_hex_string());
        let team = self.creator_team(creator.as_deref());
        let had = had_manual_links(doc, before);
        self.judge_changes(check, doc, &changes, team, had)
    }

    /// [`Authority::judge`] change by change and operation by operation: for messages that
    /// carry other actors' changes (relays, the server's own links).
    fn judge_changes(
        &self,
        check: CheckId,
        doc: &mut CheckDoc,
        changes: &[Change],
        team: String,
        had_manual_links: bool,
    ) -> Result<Verdict, String> {
        let mut decisions = Vec::new();
        let mut writers = BTreeSet::new();
        // The path of each object written, found once: a new check's first change writes
        // a hundred or so operations into a dozen objects.
        let mut objects: HashMap<ObjectId, Vec<String>> = HashMap::new();
        for change in changes {
            let actor = change.actor_id().to_hex_string();
            let writer = self.writer(check, &actor)?;
            let creating = change.deps().is_empty();
            for op in &change.decode().operations {
                let path = op_path(doc, &mut objects, op).ok_or_else(|| {
                    format!("check {check}: cannot tell what a change by {actor} writes")
                })?;
                if creating && creates_empty_decisions(op, &path) {
                    continue;
                }
                self.allowed(check, &writer, &actor, &path, had_manual_links)?;
                if let (Writer::Device(author), Some(action)) = (&writer, decision_action(&path)) {
                    let decision = Decision {
                        action,
                        author: (*author).clone(),
                    };
                    if !decisions.contains(&decision) {
                        decisions.push(decision);
                    }
                }
            }
            writers.insert(actor);
        }
        for actor in &writers {
            self.author_entry_matches(check, doc, actor)?;
        }
        Ok(Verdict { team, decisions })
    }

    /// The team of the check's creator (the actor of its first change, `creator`, when the
    /// message brings it), or the sender's.
    fn creator_team(&self, creator: Option<&str>) -> String {
        creator
            .and_then(|actor| self.registry.get(actor))
            .map_or_else(|| self.sender.team.clone(), |i| i.team.clone())
    }

    fn writer(&self, check: CheckId, actor: &str) -> Result<Writer<'a>, String> {
        if actor == self.server_actor {
            return Ok(Writer::Server);
        }
        if actor == self.sender.actor {
            return Ok(Writer::Device(self.sender));
        }
        let Some(author) = self.registry.get(actor) else {
            return Err(format!(
                "check {check}: a change is written as actor {actor}, which is not {}'s device \
                 (actor {}) nor any enrolled device: refused as a forgery",
                self.sender.user, self.sender.actor
            ));
        };
        // The same person's earlier device (a device store restored from a backup writes
        // as a new actor, and still holds what the old one wrote offline).
        let same_user = author.user == self.sender.user;
        if !self.sender.role.may_decide() && !same_user {
            return Err(format!(
                "check {check}: a change is written as {}'s device {} (actor {actor}); {} may \
                 send only their own changes (only supervisors' devices relay others'): refused \
                 as a forgery; it reaches the server when that device syncs",
                author.user,
                author.device,
                describe(self.sender)
            ));
        }
        Ok(Writer::Device(author))
    }

    /// Whether `writer` may write at `path` (root key first).
    fn allowed(
        &self,
        check: CheckId,
        writer: &Writer<'_>,
        actor: &str,
        path: &[String],
        had_manual_links: bool,
    ) -> Result<(), String> {
        let root = path.first().map_or("", String::as_str);
        if root == "authors" && path.get(1).is_some_and(|entry| entry != actor) {
            return Err(format!(
                "check {check}: a change by actor {actor} writes the author entry of actor {}: \
                 a device may register only itself",
                path[1]
            ));
        }
        match writer {
            Writer::Server => {
                // The server re-links (`resolutions`), registers itself (its own `authors`
                // entry, checked above) and creates a missing `manual_links` map, and nothing
                // else: replacing or deleting `authors` or an existing `manual_links` would
                // erase people's names and supervisors' decisions.
                let ok = match root {
                    "resolutions" => true,
                    "authors" => path.len() >= 2,
                    "manual_links" => path.len() == 1 && !had_manual_links,
                    _ => false,
                };
                if ok {
                    Ok(())
                } else {
                    Err(format!(
                        "check {check}: a change written as the server's actor writes {}; \
                         the server writes only resolution links and its own author entry: \
                         refused as a forgery",
                        path.join(".")
                    ))
                }
            }
            Writer::Device(author) => {
                if DECISION_KEYS.contains(&root) && !author.role.may_decide() {
                    return Err(format!(
                        "check {check}: {} may not change {} (supervisors only); the change \
                         stays on the device",
                        describe(author),
                        what_key(root)
                    ));
                }
                Ok(())
            }
        }
    }

    /// After the merge, the `authors` entry of `actor` (if any) names its registered user,
    /// role and device.
    fn author_entry_matches(
        &self,
        check: CheckId,
        doc: &mut CheckDoc,
        actor: &str,
    ) -> Result<(), String> {
        let expected = if actor == self.server_actor {
            let server = crate::sync::server_author();
            (server.name, server.role, server.device)
        } else {
            match self.registry.get(actor) {
                Some(i) => (i.user.clone(), i.role, i.device.clone()),
                None => return Ok(()),
            }
        };
        let Some(found) = author_entry(doc, actor) else {
            return Ok(());
        };
        if found == expected {
            return Ok(());
        }
        Err(format!(
            "check {check}: actor {actor} is registered as {:?} ({}, device {}) but the check \
             names it {:?} ({}, device {}): refused",
            expected.0,
            expected.1.as_str(),
            expected.2,
            found.0,
            found.1.as_str(),
            found.2
        ))
    }
}

/// True for what the change creating a check writes into the decision keys whoever creates
/// it: their empty containers and `review.state = received`.
fn creates_empty_decisions(op: &Op, path: &[String]) -> bool {
    let root = path.first().map_or("", String::as_str);
    if !DECISION_KEYS.contains(&root) {
        return false;
    }
    match (&op.action, path) {
        (OpType::Make(_), [_]) => true,
        (OpType::Put(ScalarValue::Str(state)), [review, key]) => {
            review == "review" && key == "state" && state.as_str() == ReviewState::Received.as_str()
        }
        _ => false,
    }
}

/// `user "ana" (inspector, team "north")`.
pub(super) fn describe(who: &Identity) -> String {
    format!(
        "user {:?} ({}, team {:?})",
        who.user,
        who.role.as_str(),
        who.team
    )
}

pub(super) fn what_key(root: &str) -> &'static str {
    match root {
        "review" | "review_history" => "the review state",
        "decisions" => "conflict decisions",
        "deleted" => "the deletion tombstone",
        _ => "manual resolution links",
    }
}

fn decision_action(path: &[String]) -> Option<&'static str> {
    use super::audit::{CONFLICT_DECISION, DELETION, MANUAL_LINK, REVIEW};
    match path.first()?.as_str() {
        "review" | "review_history" => Some(REVIEW),
        "decisions" => Some(CONFLICT_DECISION),
        "deleted" => Some(DELETION),
        "manual_links" if path.len() > 1 => Some(MANUAL_LINK),
        _ => None,
    }
}

/// The map keys from the root down to what `op` writes (list positions left out), e.g.
/// `["authors", "<actor>"]`; `None` if its object cannot be found. `objects` caches the
/// path of each object already seen.
fn op_path(
    doc: &mut CheckDoc,
    objects: &mut HashMap<ObjectId, Vec<String>>,
    op: &Op,
) -> Option<Vec<String>> {
    let mut path = match objects.get(&op.obj) {
        Some(path) => path.clone(),
        None => {
            let path = object_path(doc, &op.obj)?;
            objects.insert(op.obj.clone(), path.clone());
            path
        }
    };
    if let Key::Map(key) = &op.key {
        path.push(key.to_string());
    }
    Some(path)
}

/// The map keys from the root down to object `obj` (list positions left out).
fn object_path(doc: &mut CheckDoc, obj: &ObjectId) -> Option<Vec<String>> {
    let mut path = Vec::new();
    if let ObjectId::Id(_) = obj {
        let am = doc.automerge();
        let obj = am.import_obj(&obj.to_string()).ok()?;
        for (_, prop) in am.parents(&obj).ok()?.path() {
            if let Prop::Map(key) = prop {
                path.push(key);
            }
        }
    }
    Some(path)
}

/// The `authors` entry of `actor`: name, role, device.
fn author_entry(doc: &mut CheckDoc, actor: &str) -> Option<(String, Role, String)> {
    let am = doc.automerge();
    let (Value::Object(_), authors) = am.get(ROOT, "authors").ok()?? else {
        return None;
    };
    let (Value::Object(_), entry) = am.get(&authors, actor).ok()?? else {
        return None;
    };
    let text = |key: &str| match am.get(&entry, key).ok()? {
        Some((Value::Scalar(s), _)) => s.as_str().map(str::to_owned),
        _ => None,
    };
    Some((text("name")?, text("role")?.parse().ok()?, text("device")?))
}

#[cfg(test)]
#[path = "authority_tests.rs"]
mod tests;

/// Whether the document held a `manual_links` map at `before` (the heads before the message).
fn had_manual_links(doc: &mut CheckDoc, before: &[ChangeHash]) -> bool {
    !before.is_empty()
        && doc
            .automerge()
            .get_at(automerge::ROOT, "manual_links", before)
            .ok()
            .flatten()
            .is_some()
}
