//! The check model: what an inspector records at a site, as read from its document.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::links::{LinkSource, ManualLink};
use crate::{CheckId, FacilityKind, FieldValue, ObservedAt, SiteId};

/// A user's role. Inspectors record and edit checks of their team; supervisors also review,
/// resolve conflicts, link by hand, delete and export; admins are supervisors who also
/// enrol and revoke users and devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Records and edits checks in the field.
    Inspector,
    /// Reviews, resolves conflicts and exports.
    Supervisor,
    /// A supervisor who also enrols and revokes users and devices.
    Admin,
    /// The sync server itself (writes resolution links).
    Server,
}

impl Role {
    /// The stable identifier (`inspector`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inspector => "inspector",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
            Self::Server => "server",
        }
    }

    /// True for the roles that may make a supervisor's decisions (review states, conflict
    /// decisions, manual links, deletions, exports): supervisors and admins.
    pub fn may_decide(self) -> bool {
        matches!(self, Self::Supervisor | Self::Admin)
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "inspector" => Ok(Self::Inspector),
            "supervisor" => Ok(Self::Supervisor),
            "admin" => Ok(Self::Admin),
            "server" => Ok(Self::Server),
            other => Err(format!(
                "invalid role {other:?}: expected inspector, supervisor or admin"
            )),
        }
    }
}

/// The review state of a check.
///
/// `received` until a supervisor reviews it; `edited` is set automatically when data changes
/// after a review, so an approval never silently covers later edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Recorded, not yet reviewed.
    Received,
    /// A supervisor found problems to fix.
    HasIssues,
    /// A supervisor accepted it.
    Approved,
    /// A supervisor rejected it.
    Rejected,
    /// Data changed after a review.
    Edited,
}

impl ReviewState {
    /// Every state, in workflow order.
    pub const ALL: [ReviewState; 5] = [
        Self::Received,
        Self::HasIssues,
        Self::Approved,
        Self::Rejected,
        Self::Edited,
    ];

    /// The stable identifier (`has_issues`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::HasIssues => "has_issues",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Edited => "edited",
        }
    }

    /// The Arabic name (`فيه ملاحظات`), as reports and the CLI show it; the English name is
    /// the identifier ([`Self::as_str`]).
    pub fn label_ar(self) -> &'static str {
        match self {
            Self::Received => "مستلم",
            Self::HasIssues => "فيه ملاحظات",
            Self::Approved => "مقبول",
            Self::Rejected => "مرفوض",
            Self::Edited => "معدّل بعد المراجعة",
        }
    }

    /// True for the states a supervisor's decision produces.
    pub fn is_decision(self) -> bool {
        matches!(self, Self::HasIssues | Self::Approved | Self::Rejected)
    }
}

impl fmt::Display for ReviewState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReviewState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("invalid review state {s:?}: expected received, has_issues, approved, rejected or edited")
            })
    }
}

/// Who wrote changes under an Automerge actor id, registered in the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// The person's name (or `fieldsync-server`).
    pub name: String,
    /// The device id.
    pub device: String,
    /// Their role.
    pub role: Role,
}

/// The site a check was made at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Stable site id.
    pub id: SiteId,
    /// Name in Arabic, stored exactly as typed.
    pub name_ar: String,
    /// Optional English name.
    pub name_en: Option<String>,
    /// Latitude in decimal degrees (WGS 84), -90..=90.
    pub lat: Option<f64>,
    /// Longitude in decimal degrees (WGS 84), -180..=180.
    pub lon: Option<f64>,
}

/// The input to create a check.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCheck {
    /// The new check's id.
    pub id: CheckId,
    /// Facility kind (selects the form).
    pub kind: FacilityKind,
    /// The site.
    pub site: Site,
    /// When the inspector observed it.
    pub observed_at: ObservedAt,
    /// Typed form values, already validated against the form.
    pub fields: BTreeMap<String, FieldValue>,
    /// Free-text notes.
    pub notes: String,
}

/// The latest review decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// Current state.
    pub state: ReviewState,
    /// Who set it (absent while `received`).
    pub by: Option<String>,
    /// When, RFC 3339 UTC.
    pub at: Option<String>,
    /// The reviewer's comment.
    pub comment: Option<String>,
}

/// One entry of the review history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewEvent {
    /// State before.
    pub from: ReviewState,
    /// State after.
    pub to: ReviewState,
    /// Who (a person, or `fieldsync` for automatic `edited`).
    pub by: String,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// Comment given with the decision.
    pub comment: String,
}

/// A check as read from its Automerge document (the winning value of every field).
///
/// Its JSON is also a cache: the CLI store keeps it per document (`sync-cli/src/store/view.rs`);
/// a change to how it serialises must bump `VIEW_VERSION` there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Check id (= document id).
    pub id: CheckId,
    /// Facility kind.
    pub kind: FacilityKind,
    /// Form id and version the check was made with.
    pub form: FormRef,
    /// The site.
    pub site: Site,
    /// The inspector who recorded it.
    pub inspector: String,
    /// Observation time with offset.
    pub observed_at: ObservedAt,
    /// Typed form values.
    pub fields: BTreeMap<String, FieldValue>,
    /// Free-text notes.
    pub notes: String,
    /// Linked resolution numbers, ascending.
    pub resolutions: Vec<u16>,
    /// What made each link in `resolutions` (a rule, or a supervisor's manual decision).
    #[serde(default)]
    pub link_sources: BTreeMap<u16, LinkSource>,
    /// Supervisors' manual link decisions by resolution number; they win over rules.
    #[serde(default)]
    pub manual_links: BTreeMap<u16, ManualLink>,
    /// Latest review decision.
    pub review: Review,
    /// All review decisions, oldest first.
    pub review_history: Vec<ReviewEvent>,
    /// Authors by Automerge actor id (hex).
    pub authors: BTreeMap<String, Author>,
    /// The comment thread, oldest first.
    #[serde(default)]
    pub comments: Vec<crate::Comment>,
    /// Supervisors' decisions on conflicting fields, oldest first.
    #[serde(default)]
    pub decisions: Vec<crate::ConflictDecision>,
    /// The tombstone, if the check was deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<crate::Deletion>,
    /// Values as typed, by field name, where the typed text differs from the stored value
    /// (`١٢٬٠٠٠` for 12000), kept for audit; empty for documents made before it existed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub raw: BTreeMap<String, String>,
}

/// Which form (id and version) a check was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormRef {
    /// Form id.
    pub id: String,
    /// Form version.
    pub version: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_review_state_has_its_own_arabic_label() {
        let labels: Vec<&str> = ReviewState::ALL.iter().map(|s| s.label_ar()).collect();
        assert_eq!(labels[1], "فيه ملاحظات");
        for label in &labels {
            assert!(
                label
                    .chars()
                    .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
                    && !label.chars().any(|c| c.is_ascii_alphanumeric()),
                "{label}"
            );
        }
        let distinct: std::collections::BTreeSet<&str> = labels.iter().copied().collect();
        assert_eq!(distinct.len(), ReviewState::ALL.len());
    }
}
