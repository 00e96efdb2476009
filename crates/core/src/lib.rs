//! charter-core: offline, in-process authorization for AI agents.
//!
//! - a [`capability::Capability`] (a macaroon whose caveats are CEL expressions)
//!   says what an agent may do; any holder can narrow it, nobody can widen it;
//! - a permit (an Ed25519 JWT) authorizes one exact call, once;
//! - a receipt (signed, hash-chained) records every decision.
//!
//! Every object has one canonical encoding, every bound is a count, and every
//! doubt is a denial or an error with a stable [`ErrorCode`].

pub mod audit;
pub mod b64;
pub mod decision;
pub mod error;
pub mod jcs;
pub mod keys;
pub mod permit;
pub mod receipt;
pub mod replay;

pub use audit::{
    export_bundle, verify_bundle, verify_bundle_from, AuditLog, Bundle, BundleHead, BundleReport,
    FileAuditLog, MemoryAuditLog, TornTail,
};
pub use decision::{Decision, Reason};
pub use error::{Error, ErrorCode, Result};
pub use keys::{KeySet, PublicKey, RootKey, SigningKey};
pub use permit::{Permit, PermitClaims, PermitIssuer, PermitRequest, PermitVerifier};
pub use receipt::{Outcome, Receipt, ReceiptInput, GENESIS};
pub use replay::{MemoryReplayStore, ReplayStore};
