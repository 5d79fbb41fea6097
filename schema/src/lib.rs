//! # fieldsync-schema
//!
//! The domain of fieldsync, shared by the server and the CLI, with no I/O.
//!
//! - [`kind`], [`value`], [`ids`], [`time`]: facility kinds, typed field values, id newtypes,
//!   offset-preserving observation times.
//! - [`check`]: the check model ([`Check`], [`Site`], [`Author`], [`ReviewState`]).
//! - [`document`] and [`document_read`]: the mapping between a check and its Automerge
//!   document ([`CheckDoc`]), conflicts included; `document_comments`, `document_resolve`,
//!   `document_delete` and `document_history`: the comment thread, conflict decisions,
//!   deletion tombstones and the change history; [`document_raw`]: values as typed, kept
//!   for audit.
//! - [`resolutions`] and [`catalog`]: the 42 resolutions parsed from the conference text in
//!   `seeds/`, their English titles, kinds and deadlines; [`link_rules`]: the data-driven
//!   linking rules (by kind and by value); [`links`]: link provenance and supervisors'
//!   manual link decisions, which win over rules.
//! - [`record`]: a check as exports and reports read it, with its conflicts and violations,
//!   and the filter (kind, resolution, review state, dates, site) both sides apply;
//!   [`record_params`]: that filter read from flags and query parameters, with bilingual
//!   refusals, for exports and reports on both sides.
//! - [`report`]: follow-up reports per resolution (checks, sites, review states, key
//!   findings per facility kind, latest check per site, open conflicts) built from a stream
//!   of records, rendered as JSON, Markdown and a self-contained HTML page.
//! - `export` (cargo feature `export`): the export encoders (CSV, JSON, NDJSON, GeoJSON,
//!   XLSX), push-style over `std::io::Write`, used by the CLI and the server.
//! - [`automerge_guard`]: panics inside automerge's decoding of peer bytes, contained.
//! - [`text_limit`]: every free text of a check by path, for the per-field length limit.
//! - [`validation`]: everything that makes a stored check `invalid` (form rules, manual
//!   links to resolutions that do not exist), computed alike by the server and the CLI.
//! - [`forms`]: per-kind, versioned forms as data (`schema/forms/<id>/v<N>.toml`): value
//!   parsing, the typed view of stored values, and whole-check validation with bilingual
//!   violation messages.
//! - [`input`]: input as people really type it: numbers in any digit system and separator,
//!   dates and date-times with offsets, and Arabic spelling folded for search.
//! - [`sync`]: the transport-agnostic pieces of the batched sync protocol;
//!   [`sync_bounds`] (with [`sync_bloom`], [`sync_chunks`], [`sync_columns`] and
//!   [`sync_reader`]): a sync message checked structurally, every peer-supplied count and
//!   size bounded (the operations its run-length-encoded columns describe included), before
//!   Automerge decodes it.
//! - [`wire`]: HTTP request and response bodies.
//!
//! Data flow: the CLI builds a [`NewCheck`], validates values with [`Form::parse_value`],
//! creates a [`CheckDoc`], and syncs it with [`wire::SyncRequest`]s; the server merges the
//! messages into its copy, reads the [`Check`] back, validates it against its form version
//! with [`validation::check_violations`] (stored either way, flagged `invalid` when it has
//! errors), and links it to resolutions with [`Catalog::resolve_links`].
pub mod automerge_guard;
pub mod catalog;
pub mod check;
pub mod document;
pub mod document_audit;
pub mod document_comments;
pub mod document_delete;
pub mod document_history;
mod document_links;
pub mod document_parallel;
#[cfg(test)]
mod document_props;
pub mod document_raw;
pub mod document_read;
pub mod document_resolve;
mod document_review;
pub mod document_shape;
#[cfg(test)]
mod document_tests;
#[cfg(feature = "export")]
pub mod export;
pub mod forms;
pub mod ids;
pub mod input;
pub mod kind;
pub mod link_rules;
pub mod links;
pub mod record;
pub mod record_params;
pub mod report;
pub mod resolutions;
pub mod sync;
pub mod sync_bloom;
pub mod sync_bounds;
pub mod sync_chunks;
pub mod sync_columns;
pub mod sync_reader;
pub mod text_limit;
pub mod time;
pub mod validation;
pub mod value;
pub mod wire;

pub use catalog::{Catalog, Deadline, ResolutionInfo};
pub use check::{Author, Check, FormRef, NewCheck, Review, ReviewEvent, ReviewState, Role, Site};
pub use document::{CheckDoc, CheckEdit};
pub use document_comments::Comment;
pub use document_delete::Deletion;
pub use document_history::{HistoryEntry, HistoryItem};
pub use document_links::LinkDecision;
pub use document_parallel::ParallelUpdate;
pub use document_read::{Conflict, ConflictValue, DocError};
pub use document_resolve::ConflictDecision;
pub use forms::{Form, FormError, FormField, Forms, Lang, TypedValue, Violation};
pub use ids::{CheckId, SiteId};
pub use kind::FacilityKind;
pub use link_rules::LinkRule;
pub use links::{LinkSource, ManualLink};
pub use record::{CheckRecord, RecordFilter, TimeBound};
pub use resolutions::{Resolution, SeedError};
pub use time::ObservedAt;
pub use value::FieldValue;
