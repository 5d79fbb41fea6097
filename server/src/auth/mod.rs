//! Identities, enrolment, bearer tokens, roles and the server's authority over changes
//! (issue 6).
//!
//! ## Who is who
//! - A **user** has a name, a role ([`Role::Inspector`], [`Role::Supervisor`] or
//!   [`Role::Admin`]) and a team (`default` unless given; e.g. one per council). Admins are
//!   supervisors who may also enrol and revoke; supervisors may do everything inspectors may.
//! - A **device** belongs to one user. It is enrolled with a one-time **enrolment code**
//!   (`fieldsync-server user add` / `device enrol` print one; valid 7 days by default) that
//!   `POST /api/v1/enrol` exchanges, together with the device's id and Automerge actor, for a
//!   long-lived **bearer token**. The user's name, role and team come from the server, never
//!   from the device. Codes and tokens are 60 and 256 random bits from the operating
//!   system's CSPRNG ([`secret`]); only their SHA-256 is stored (a slow password hash adds
//!   nothing for random secrets of that size). `device revoke` ends a token at once.
//! - Every request but `GET /healthz` and `POST /api/v1/enrol` carries
//!   `Authorization: Bearer <token>` ([`Caller`]). No token, an unknown one or a revoked
//!   one: 401 `unauthenticated`; a known caller whose role does not allow the request: 403
//!   `forbidden` ([`RequireRole`]). Both with the JSON error body.
//!
//! ## Authority over incoming changes ([`authority`])
//! Automerge changes are unsigned: the actor id in a change is a claim. The server judges
//! every change a sync message brings (the changes new to the server, `get_changes(heads
//! before)`), check by check; if one change is refused the whole message of that check is
//! refused (`forbidden`, the reason naming the check), nothing of it is stored, the device
//! keeps it, and the rest of the batch syncs.
//! - A change by the **sending device's own actor** is judged by the sender's role.
//! - A change by **another registered device of the same user** is that user's own work
//!   (a device store restored from a backup writes as a new actor, and may hold what the
//!   old one wrote offline): accepted, judged by that device's role.
//! - A change by **another registered device's actor** is a relay: after the server was
//!   restored from a backup, a device may hold changes the server lost. Only supervisors'
//!   and admins' devices may relay (their devices receive every check); the change is then
//!   judged by its author's role. From an inspector's device such a change is refused as a
//!   forgery; it reaches the server when its author's device (or a supervisor's) syncs.
//! - A change by the **server's actor** (resolution links, relayed after a restore) may only
//!   write `resolutions`, its own `authors` entry and create the `manual_links` map.
//! - A change by an **unknown actor** is refused.
//! - A change may write only its own actor's `authors` entry, and after the merge that entry
//!   must name the registered user, role and device: the history names real people.
//! - Only supervisors and admins may write `review`, `review_history` (review decisions),
//!   `decisions` (conflict decisions), `deleted` (tombstones) and `manual_links`.
//! - An inspector may send nothing about a check of another team (and gets nothing back).
//!
//! ## Reads
//! Supervisors and admins see every check. An inspector sees the checks of their team: a
//! check's team is the team of the user whose device created it, recorded at its first
//! sync (checks stored before identities existed are in team `default`). Sync replies and
//! server-initiated messages, `GET /api/v1/checks` and `GET /api/v1/checks/{id}` are
//! filtered so. `GET /api/v1/resolutions` (catalog text and link counts) is open to every
//! role. Exports and reports are supervisor-only: guard them with
//! `RequireRole<Supervisor>`.
//!
//! ## Audit
//! [`audit`]: an append-only table (triggers refuse UPDATE and DELETE) of users added,
//! codes issued, enrolments, revocations, review decisions, conflict decisions, manual
//! links, deletions and refused changes; `fieldsync-server audit` prints it.

pub mod audit;
pub mod authority;
mod authority_conflicts;
mod authority_own;
pub mod directory;
pub mod extract;
pub mod secret;

use std::collections::HashMap;

use fieldsync_schema::Role;
use serde::{Deserialize, Serialize};

pub use extract::{Admin, Caller, RequireRole, RoleBound, Supervisor};

/// The team of users created without `--team`, and of checks stored before identities.
pub const DEFAULT_TEAM: &str = "default";

/// An enrolled device and its user, as the server knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The user's name (recorded as author).
    pub user: String,
    /// The user's role.
    pub role: Role,
    /// The user's team.
    pub team: String,
    /// The device id (chosen by the device at `fieldsync init`).
    pub device: String,
    /// The device's Automerge actor id, hex.
    pub actor: String,
    /// True once the device was revoked (its token no longer authenticates).
    pub revoked: bool,
}

impl Identity {
    /// True when this caller may see (and so sync) a check of `team`.
    pub fn may_see(&self, team: &str) -> bool {
        self.role.may_decide() || self.team == team
    }

    /// The team filter for reads: `None` (everything) for supervisors and admins.
    pub fn visible_team(&self) -> Option<&str> {
        (!self.role.may_decide()).then_some(self.team.as_str())
    }
}

/// Every registered device by actor id (hex), revoked ones included: what a sync round
/// needs to know who wrote a change.
pub type Registry = HashMap<String, Identity>;
