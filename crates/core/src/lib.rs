//! charter-core: offline, in-process authorization for AI agents.
//!
//! - a [`Capability`] (a macaroon whose caveats are CEL expressions) says what
//!   an agent may do; any holder can narrow it, nobody can widen it;
//! - a permit (an Ed25519 JWT) authorizes one exact call, once;
//! - a receipt (signed, hash-chained) records every decision.
//!
//! Every object has one canonical encoding, every bound is a count, and every
//! doubt is a denial or an error with a stable [`ErrorCode`].
//!
//! Bindings and other callers meet one shape everywhere: a capability as a
//! [`CapabilityRef`] (parsed or text), the optional parts of a call as
//! [`CallOptions`], JSON from host values through [`host::from_host`], and
//! one [`Error`] whose [`ErrorCode::family`] picks the exception class.

// No unsafe code of our own. With `napi`, napi-derive's generated
// conversions allow it locally (which `forbid` would refuse), so the core is
// `deny` there: hand-written unsafe code still fails to build.
#![cfg_attr(not(feature = "napi"), forbid(unsafe_code))]
#![cfg_attr(feature = "napi", deny(unsafe_code))]

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("charter_core");

pub mod approval;
pub mod audit;
pub mod b64;
pub mod budget;
pub mod call;
pub mod capability;
pub mod caveat;
pub mod decision;
pub mod error;
pub mod guard;
pub mod holder;
pub mod host;
pub mod idempotency;
pub mod jcs;
pub mod keys;
pub mod permit;
#[cfg(feature = "python")]
mod python;
pub mod receipt;
pub mod replay;
pub mod request;
pub mod revocation;
pub mod state;
pub mod verifier;

pub use approval::{Approval, ApprovalCaveat, ApprovalNeed, ApprovedCall};
pub use audit::{
    export_bundle, verify_bundle, verify_bundle_from, verify_bundle_with_anchor, AuditLog, Bundle,
    BundleHead, BundleReport, FileAuditLog, MemoryAuditLog, TornTail,
};
pub use budget::{BudgetStore, MemoryBudgetStore, Spend, SpendError};
pub use call::{CallOptions, CapabilityRef};
pub use capability::{Capability, CapabilityBuilder, IssueOptions, Issuer};
pub use decision::{Decision, Reason};
pub use error::{Error, ErrorCode, ErrorFamily, Result};
pub use guard::Guard;
pub use holder::Holder;
pub use idempotency::{IdempotencyStore, MemoryIdempotencyStore, Stored};
pub use keys::{KeySet, PublicKey, RootKey, SigningKey};
pub use permit::{Permit, PermitClaims, PermitIssuer, PermitRequest, PermitVerifier};
pub use receipt::{Outcome, Receipt, ReceiptInput, GENESIS};
pub use replay::{MemoryReplayStore, ReplayStore};
pub use request::{JsonInput, Request};
pub use revocation::{MemoryRevocationList, RevocationList};
pub use state::SharedState;
pub use verifier::Verifier;

/// The system clock, Unix seconds (what `now` is when a caller gives none).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
