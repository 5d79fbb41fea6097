//! # fieldsync-schema
//!
//! The domain of fieldsync, shared by the server and the CLI, with no I/O:
//!
//! - [`kind`]: facility kinds ([`FacilityKind`]).
//! - [`value`]: typed field values ([`FieldValue`]).
pub mod kind;
pub mod value;

pub use kind::FacilityKind;
pub use value::FieldValue;
