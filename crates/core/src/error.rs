//! Stable error codes shared by every binding (`contract/errors.json`), and the
//! umbrella [`Error`] that bindings map once per language.

use std::fmt;

/// A stable, machine-readable error code. The string form is the contract:
/// bindings expose it as `.code`, and `contract/errors.json` lists every one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    /// Input could not be decoded: bad base64, bad varint, unknown field,
    /// duplicate key, trailing bytes, non-canonical encoding.
    Malformed,
    /// A format version this build does not know.
    UnsupportedVersion,
    /// The caller passed a value of the right type but an unusable shape
    /// (a 16-byte root key, a negative lifetime, an empty action).
    InvalidArgument,
    /// A MAC or signature does not verify.
    BadSignature,
    /// No trusted key has the id an object names.
    UnknownKey,
    /// Past its expiry (beyond the clock leeway).
    Expired,
    /// Not valid yet (beyond the clock leeway).
    NotYetValid,
    /// A caveat evaluated to false.
    CaveatFailed,
    /// A caveat could not be evaluated: missing field, type error. Denies.
    CaveatError,
    /// A caveat is not in the accepted CEL subset.
    CaveatSyntax,
    /// A counted bound was hit: size, depth, steps, caveats, store capacity.
    LimitExceeded,
    /// A single-use value (permit `jti`, proof nonce) was presented twice.
    Replayed,
    /// The capability or one of its ancestors is on the revocation list.
    Revoked,
    /// The holder proof is missing, stale, for another capability or request.
    ProofInvalid,
    /// Made for another audience (verifier, tool or service).
    AudienceMismatch,
    /// Made for another action.
    ActionMismatch,
    /// Made for other arguments.
    ArgsMismatch,
    /// An audit chain link, sequence number or head does not match.
    ChainBroken,
    /// An audit log file ends in a partial record (a torn write).
    LogCorrupt,
    /// Reading or writing durable storage failed.
    Io,
    /// The operation is not available on this platform (e.g. files in WASM).
    Unsupported,
    /// `protect` refused the call; the reasons say why.
    Denied,
    /// A bug in Charter (a Rust panic) caught at a binding's boundary; nothing
    /// was decided. The core never returns it: no input is meant to cause it.
    Internal,
}

impl ErrorCode {
    /// Every code, in the order of `contract/errors.json`.
    pub const ALL: [ErrorCode; 23] = [
        ErrorCode::Malformed,
        ErrorCode::UnsupportedVersion,
        ErrorCode::InvalidArgument,
        ErrorCode::BadSignature,
        ErrorCode::UnknownKey,
        ErrorCode::Expired,
        ErrorCode::NotYetValid,
        ErrorCode::CaveatFailed,
        ErrorCode::CaveatError,
        ErrorCode::CaveatSyntax,
        ErrorCode::LimitExceeded,
        ErrorCode::Replayed,
        ErrorCode::Revoked,
        ErrorCode::ProofInvalid,
        ErrorCode::AudienceMismatch,
        ErrorCode::ActionMismatch,
        ErrorCode::ArgsMismatch,
        ErrorCode::ChainBroken,
        ErrorCode::LogCorrupt,
        ErrorCode::Io,
        ErrorCode::Unsupported,
        ErrorCode::Denied,
        ErrorCode::Internal,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::BadSignature => "bad_signature",
            ErrorCode::UnknownKey => "unknown_key",
            ErrorCode::Expired => "expired",
            ErrorCode::NotYetValid => "not_yet_valid",
            ErrorCode::CaveatFailed => "caveat_failed",
            ErrorCode::CaveatError => "caveat_error",
            ErrorCode::CaveatSyntax => "caveat_syntax",
            ErrorCode::LimitExceeded => "limit_exceeded",
            ErrorCode::Replayed => "replayed",
            ErrorCode::Revoked => "revoked",
            ErrorCode::ProofInvalid => "proof_invalid",
            ErrorCode::AudienceMismatch => "audience_mismatch",
            ErrorCode::ActionMismatch => "action_mismatch",
            ErrorCode::ArgsMismatch => "args_mismatch",
            ErrorCode::ChainBroken => "chain_broken",
            ErrorCode::LogCorrupt => "log_corrupt",
            ErrorCode::Io => "io",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::Denied => "denied",
            ErrorCode::Internal => "internal",
        }
    }

    pub fn parse(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The error family a binding raises this code as (one exception class each).
    pub const fn family(self) -> &'static str {
        match self {
            ErrorCode::Malformed | ErrorCode::UnsupportedVersion => "FormatError",
            ErrorCode::InvalidArgument | ErrorCode::LimitExceeded => "UsageError",
            ErrorCode::BadSignature | ErrorCode::UnknownKey => "CryptoError",
            ErrorCode::Expired
            | ErrorCode::NotYetValid
            | ErrorCode::CaveatFailed
            | ErrorCode::CaveatError
            | ErrorCode::CaveatSyntax
            | ErrorCode::Replayed
            | ErrorCode::Revoked
            | ErrorCode::ProofInvalid
            | ErrorCode::AudienceMismatch
            | ErrorCode::ActionMismatch
            | ErrorCode::ArgsMismatch => "AuthorizationError",
            ErrorCode::ChainBroken | ErrorCode::LogCorrupt => "AuditError",
            ErrorCode::Io | ErrorCode::Unsupported | ErrorCode::Internal => "EnvironmentError",
            ErrorCode::Denied => "Denied",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Every error the core returns: a stable code and a message a person can act on.
///
/// Each module keeps its own `thiserror` enum; they all convert into this one,
/// which is what bindings map to exceptions.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    code: ErrorCode,
    message: String,
    /// Reasons of a denial (`protect` raises `Denied` with the decision's reasons).
    reasons: Vec<crate::decision::Reason>,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            reasons: Vec::new(),
        }
    }

    pub fn denied(reasons: Vec<crate::decision::Reason>) -> Self {
        let first = reasons
            .first()
            .map(|r| r.message.as_str())
            .unwrap_or("no reason given");
        Error {
            code: ErrorCode::Denied,
            message: format!("denied: {first}"),
            reasons,
        }
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn reasons(&self) -> &[crate::decision::Reason] {
        &self.reasons
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
