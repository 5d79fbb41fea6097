//! # fieldsync-schema
//!
//! The domain of fieldsync, shared by the server and the CLI, with no I/O.
//!
//! - [`kind`], [`value`], [`ids`], [`time`]: facility kinds, typed field values, id newtypes,
//!   offset-preserving observation times.
//! - [`check`]: the check model ([`Check`], [`Site`], [`Author`], [`ReviewState`]).
//! - [`document`] and [`document_read`]: the mapping between a check and its Automerge
//!   document ([`CheckDoc`]), conflicts included; [`document_raw`]: values as typed, kept
//!   for audit.
//! - [`resolutions`] and [`catalog`]: the 42 resolutions parsed from the conference text in
//!   `seeds/`, their English titles, kinds and deadlines, and the data-driven linking rules.
//! - [`forms`]: per-kind, versioned forms as data (`schema/forms/<id>/v<N>.toml`): value
//!   parsing, the typed view of stored values, and whole-check validation with bilingual
//!   violation messages.
//! - [`input`]: input as people really type it: numbers in any digit system and separator,
//!   dates and date-times with offsets, and Arabic spelling folded for search.
//! - [`sync`]: the transport-agnostic pieces of the batched sync protocol.
//! - [`wire`]: HTTP request and response bodies.
//!
//! Data flow: the CLI builds a [`NewCheck`], validates values with [`Form::parse_value`],
//! creates a [`CheckDoc`], and syncs it with [`wire::SyncRequest`]s; the server merges the
//! messages into its copy, reads the [`Check`] back, validates it against its form version
//! with [`Forms::validate_check`], and links it to resolutions.
pub mod catalog;
pub mod check;
pub mod document;
#[cfg(test)]
mod document_props;
pub mod document_raw;
pub mod document_read;
mod document_review;
#[cfg(test)]
mod document_tests;
pub mod forms;
pub mod ids;
pub mod input;
pub mod kind;
pub mod resolutions;
pub mod sync;
pub mod time;
pub mod value;
pub mod wire;

pub use catalog::{Catalog, Deadline, LinkRule, ResolutionInfo};
pub use check::{Author, Check, FormRef, NewCheck, Review, ReviewEvent, ReviewState, Role, Site};
pub use document::{CheckDoc, CheckEdit};
pub use document_read::{Conflict, ConflictValue, DocError};
pub use forms::{Form, FormError, FormField, Forms, Lang, TypedValue, Violation};
pub use ids::{CheckId, SiteId};
pub use kind::FacilityKind;
pub use resolutions::{Resolution, SeedError};
pub use time::ObservedAt;
pub use value::FieldValue;
