//! Swift and Kotlin bindings for Charter, through uniffi proc-macros.
//!
//! This crate is a thin mapping of `charter-core`: every call forwards to the
//! core, every value is converted, every error is mapped once (in
//! [`error`]). Nothing here decides anything.
//!
//! Conventions across the boundary:
//! - JSON (requests' args, JWKs, JWKS, receipts, bundles) crosses as JSON
//!   **text**: uniffi has no dynamic value type, and text keeps numbers exact
//!   (a JSON library on the foreign side could round `9007199254740993`).
//! - Bytes cross as `ByteArray` (Kotlin) / `Data` (Swift).
//! - Times are Unix seconds (`Long` / `Int64`); `now` left out means the
//!   system clock.
//! - Panics never cross: uniffi catches every unwinding panic at the
//!   boundary, and the binding's own code has no panicking paths.

uniffi::setup_scaffolding!();

mod audit;
mod capability;
mod error;
mod guard;
mod keys;
mod permit;
mod verify;

pub use audit::{verify_bundle, AuditLog, BundleHead, BundleReport, Receipt};
pub use capability::{Capability, Holder, Issuer, Request};
pub use error::CharterError;
pub use guard::Guard;
pub use keys::{KeySet, PublicKey, RootKey, SigningKey};
pub use permit::{Permit, PermitClaims, PermitIssuer, PermitVerifier};
pub use verify::{Decision, Reason, Verifier};

use charter_core::jcs;

/// `now` when the caller gave none: the system clock.
pub(crate) fn now_or_clock(now: Option<i64>) -> i64 {
    now.unwrap_or_else(charter_core::unix_now)
}

/// Parses strict I-JSON text (what every JSON argument is).
pub(crate) fn parse_json(text: &str) -> Result<serde_json::Value, CharterError> {
    jcs::parse(text).map_err(|e| charter_core::Error::from(e).into())
}

/// RFC 8785 canonical form of strict I-JSON text.
#[uniffi::export]
pub fn canonicalize_json(text: String) -> Result<String, CharterError> {
    jcs::canonicalize_str(&text).map_err(|e| charter_core::Error::from(e).into())
}

/// base64url SHA-256 of the canonical form (the args hash of permits and receipts).
#[uniffi::export]
pub fn hash_json(text: String) -> Result<String, CharterError> {
    let value = parse_json(&text)?;
    jcs::hash(&value).map_err(|e| charter_core::Error::from(e).into())
}
