//! Wire types of the HTTP API (`/api/v1`), shared by the server and the CLI.
//!
//! Bodies are JSON. Binary payloads (Automerge sync messages) are base64 (standard alphabet,
//! padded) inside JSON strings; responses are gzip-compressed when the client accepts it.

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Check, CheckId, Conflict, Deletion, FacilityKind, ReviewState, Role, Violation};

/// Who is syncing: sent with every sync request until device enrolment exists (issue 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// The device's id, chosen at `fieldsync init` (a UUID).
    pub id: String,
    /// The inspector or supervisor using the device.
    pub user: String,
    /// The user's role.
    pub role: Role,
}

/// `POST /api/v1/sync` request: one round of the batched sync.
///
/// `cursor` is the server change sequence the device has fully applied (0 at first sync);
/// `messages` holds one Automerge sync message per document the device has something to say
/// about. Sending the same request twice is harmless: Automerge ignores changes it already has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncRequest {
    /// The syncing device.
    pub device: DeviceInfo,
    /// Highest server sequence number the device has applied.
    pub cursor: u64,
    /// The server's horizon as the device last saw it (absent before the first round): the
    /// server checks it still holds exactly that, or tells the device to start over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon: Option<Horizon>,
    /// Which changed documents the server sends besides replies (default [`Receive::All`]).
    #[serde(default, skip_serializing_if = "Receive::is_all")]
    pub receive: Receive,
    /// At most [`MAX_MESSAGES_PER_REQUEST`] sync messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<DocMessage>,
    /// How many bytes of messages the device wants in the response at most (its current
    /// window, see [`BATCH_BYTES`]); the server keeps within [`BATCH_BYTES`] and
    /// [`MAX_WINDOW_BYTES`]. Absent: [`BATCH_BYTES`] times 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<u32>,
}

impl Receive {
    /// True for the default, [`Receive::All`] (left out of requests to save bytes).
    pub fn is_all(&self) -> bool {
        *self == Receive::All
    }
}

/// How far a server's history reached when a device last heard from it: the highest change
/// sequence assigned (the device's own pushes included) and the random tag stored with it.
///
/// A server restored from a backup has lost everything after some sequence; it either no
/// longer has `seq`, or has reused it for other changes (a different `tag`). Either way the
/// device must offer everything again. The cursor alone cannot tell: a round that pushes
/// checks and pages (`more`) answers a cursor below the sequences of those very checks.
///
/// On the wire it is one string, `"<seq>.<tag>"` (e.g. `"10001.3f9c0a1b2c3d4e5f"`): it rides
/// on every request and response, including idle ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Horizon {
    /// Highest change sequence the server had assigned.
    pub seq: u64,
    /// Its tag, 16 hex digits.
    pub tag: String,
}

impl From<Horizon> for String {
    fn from(h: Horizon) -> String {
        format!("{}.{}", h.seq, h.tag)
    }
}

impl TryFrom<String> for Horizon {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let bad = || format!("invalid horizon {text:?}: expected <sequence>.<hex tag>");
        let (seq, tag) = text.split_once('.').ok_or_else(bad)?;
        let seq = seq.parse().map_err(|_| bad())?;
        if tag.is_empty() || !tag.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(Horizon {
            seq,
            tag: tag.to_owned(),
        })
    }
}

/// Which documents a device receives from the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Receive {
    /// Every check changed since the cursor (supervisors; inspectors sharing checks).
    #[default]
    All,
    /// Only changes to checks the device already holds (its own, and those it received
    /// before): reviews, co-inspectors' edits and conflicts reach it, other inspectors' new
    /// checks do not. For inspectors on poor links.
    Own,
}

/// Most documents one sync request may carry; clients split larger syncs into rounds.
pub const MAX_MESSAGES_PER_REQUEST: usize = 500;

/// Smallest window: the most bytes of sync messages a device puts in one request at first (a
/// single larger message still goes alone), and about half of what a server puts in one
/// response. Sized for 2G: 16 KiB is about 6.5 s at
/// 20 kbit/s, so a batch fits between the cuts of a poor link and a cut costs at most one
/// batch. Messages are base64 in JSON, which gzip brings back to about their own size.
pub const BATCH_BYTES: usize = 16 * 1024;

/// Largest window a device may grow to on a fast link (see [`BATCH_BYTES`]): a device
/// doubles its window after a quick round and halves it after a slow or failed one, so a
/// good link is not held to 2G-sized rounds.
pub const MAX_WINDOW_BYTES: usize = 1024 * 1024;

/// One Automerge sync message (`automerge::sync::Message::encode`) for one check document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocMessage {
    /// The check (document) the message is about.
    pub check: CheckId,
    /// The encoded sync message.
    #[serde(serialize_with = "to_base64", deserialize_with = "from_base64")]
    pub message: Vec<u8>,
}

/// `POST /api/v1/sync` response. Empty lists and false flags are left out of the JSON (an
/// idle reconnect is a few dozen bytes each way).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncResponse {
    /// The server's identity, 16 hex digits (stable for one database, restored backups
    /// included). A device
    /// that sees a different id is talking to another server: it must forget what it believes
    /// the server has (cursor, acknowledged heads) and sync everything again.
    pub server: String,
    /// True when the device's cursor or horizon is ahead of everything this server holds,
    /// or the horizon's tag does not match (the server was restored from a backup, or lost data):
    /// nothing of the request was processed, and the device must forget what it believes
    /// the server has and sync everything again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reset: bool,
    /// The cursor to send next time (all server changes up to it are in this response).
    pub cursor: u64,
    /// The server's horizon at the end of this round, to send back next time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon: Option<Horizon>,
    /// True when more changed documents remain past `cursor`: sync again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
    /// Replies and server-initiated messages, one per document.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<DocMessage>,
    /// Documents whose message was refused; the rest of the batch was processed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<Rejection>,
    /// Deleted checks this device sent changes to (from another device than the one that
    /// deleted them): the changes were merged into the tombstone, which the messages bring
    /// back, and the check stays deleted (for a damaged check rebuilt from copies without
    /// the tombstone, it comes once a device that holds it sends it: see `wanted`). Absent
    /// from servers before deletion existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleted: Vec<DeletedCheck>,
    /// Checks the server needs whole from this device: their stored copy was found damaged
    /// on disk, and this device held them when it was. A device that holds one forgets what
    /// it believed the server has of it and sends it whole (a fresh sync state) in the next
    /// round of the same sync, once per sync. The server stops asking a device once it has
    /// sent a message about the check, and everyone once a stored version holds every change
    /// of the damaged one. Absent from servers before damage was asked for; ignored by
    /// devices before it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wanted: Vec<CheckId>,
}

/// A deleted check named in a [`SyncResponse`]: who deleted it, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedCheck {
    /// The check.
    pub check: CheckId,
    /// The tombstone.
    pub deletion: Deletion,
}

/// Why one document of a batch was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// The document.
    pub check: CheckId,
    /// Stable machine-readable code: `malformed_message`, `invalid_check`, `too_large`,
    /// `too_many_changes`, `too_many_operations`, `text_too_long` or `internal`.
    pub error: String,
    /// Human-readable reason naming the field, the value and the rule.
    pub message: String,
}

/// The JSON body of every error response: `{ "error": code, "message": text }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable machine-readable code (`not_found`, `malformed_message`, `bad_request`).
    pub error: String,
    /// Human-readable explanation.
    pub message: String,
    /// The document concerned, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckId>,
}

/// `POST /api/v1/enrol` request: a device exchanges a one-time enrolment code for a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    /// The code as printed by `fieldsync-server user add` or `device enrol` (dashes optional).
    pub code: String,
    /// The device's id (chosen at `fieldsync init`).
    pub device: String,
    /// The Automerge actor id the device writes as, hex.
    pub actor: String,
    /// For a device set up offline: the name it already writes under (must be the code's
    /// user's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// For a device set up offline: the role it already writes under (must be the user's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
}

/// `POST /api/v1/enrol` response: the device's token and who the server says it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    /// The bearer token, shown this once: send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// The user's name, to write as.
    pub user: String,
    /// The user's role.
    pub role: Role,
    /// The user's team.
    pub team: String,
}

/// One row of `GET /api/v1/checks`: the server's index entry for a check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckSummary {
    /// Check id.
    pub id: CheckId,
    /// Facility kind.
    pub kind: FacilityKind,
    /// Site id.
    pub site_id: String,
    /// Site name in Arabic, as typed.
    pub site_name_ar: String,
    /// Inspector who recorded the check.
    pub inspector: String,
    /// Observation time, RFC 3339 with the device's offset.
    pub observed_at: String,
    /// Current review state.
    pub review_state: ReviewState,
    /// Linked resolution numbers, ascending.
    pub resolutions: Vec<u16>,
    /// Server change sequence of the latest stored version.
    pub seq: u64,
    /// False when the server flagged the check `invalid`: it breaks its form version's rules
    /// or a manual link names a resolution that does not exist (the reasons are in
    /// [`CheckDetail::violations`]). The check is stored and synced all the same. Absent
    /// (from a server before validation): true.
    #[serde(default = "yes")]
    pub valid: bool,
}

fn yes() -> bool {
    true
}

/// `GET /api/v1/checks/{id}` response: the check as the server stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckDetail {
    /// The check (winning value of every field).
    pub check: Check,
    /// Fields written concurrently with different values.
    pub conflicts: Vec<Conflict>,
    /// Server change sequence of the stored version.
    pub seq: u64,
    /// False when [`CheckDetail::violations`] holds an error (see [`CheckSummary::valid`]).
    #[serde(default = "yes")]
    pub valid: bool,
    /// Every rule the check breaks, errors and warnings, each with a stable `code`
    /// (`required`, `max`, `unknown_resolution`, ...), the field and the value
    /// ([`crate::validation::check_violations`]). Absent: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<Violation>,
}

/// One row of `GET /api/v1/resolutions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolutionSummary {
    /// Resolution number (1-42).
    pub number: u16,
    /// Arabic text exactly as in the source.
    pub text_ar: String,
    /// English title.
    pub title_en: String,
    /// Facility kinds the resolution concerns.
    pub kinds: Vec<FacilityKind>,
    /// Number of checks linked to it.
    pub checks: u64,
    /// Number of distinct sites among those checks.
    pub sites: u64,
}

fn to_base64<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn from_base64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let text = String::deserialize(d)?;
    base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .map_err(|e| serde::de::Error::custom(format!("message is not base64: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_request_round_trips_with_base64_messages() {
        let req = SyncRequest {
            device: DeviceInfo {
                id: "dev-1".into(),
                user: "أحمد".into(),
                role: Role::Inspector,
            },
            cursor: 7,
            horizon: None,
            receive: Default::default(),
            window: None,
            messages: vec![DocMessage {
                check: CheckId::new(),
                message: vec![0x42, 0, 255],
            }],
        };
        let json = serde_json::to_string(&req).expect("serialise");
        assert!(json.contains("\"QgD/\""), "{json}");
        assert_eq!(
            serde_json::from_str::<SyncRequest>(&json).expect("parse"),
            req
        );
    }

    #[test]
    fn a_horizon_is_one_compact_string() {
        let horizon = Horizon {
            seq: 10_001,
            tag: "3f9c0a1b2c3d4e5f".into(),
        };
        let json = serde_json::to_string(&horizon).expect("serialise");
        assert_eq!(json, "\"10001.3f9c0a1b2c3d4e5f\"");
        assert_eq!(
            serde_json::from_str::<Horizon>(&json).expect("parse"),
            horizon
        );
        for bad in ["\"10001\"", "\"x.ab\"", "\"12.zz\"", "\"12.\""] {
            let err = serde_json::from_str::<Horizon>(bad).expect_err(bad);
            assert!(err.to_string().contains("invalid horizon"), "{err}");
        }
    }

    #[test]
    fn wanted_is_left_out_when_empty_and_optional_when_parsing() {
        let old = r#"{"server":"0011223344556677","cursor":4}"#;
        let parsed: SyncResponse = serde_json::from_str(old).expect("a response without it");
        assert!(parsed.wanted.is_empty());
        assert_eq!(serde_json::to_string(&parsed).expect("serialise"), old);
        let check = CheckId::new();
        let asked = SyncResponse {
            wanted: vec![check],
            ..parsed
        };
        let json = serde_json::to_string(&asked).expect("serialise");
        assert!(
            json.ends_with(&format!(r#""wanted":["{check}"]}}"#)),
            "{json}"
        );
        assert_eq!(
            serde_json::from_str::<SyncResponse>(&json).expect("parse"),
            asked
        );
    }

    #[test]
    fn bad_base64_is_refused_with_a_reason() {
        let json = format!(r#"{{"check":"{}","message":"%%%"}}"#, CheckId::new());
        let err = serde_json::from_str::<DocMessage>(&json).unwrap_err();
        assert!(err.to_string().contains("not base64"), "{err}");
    }
}
