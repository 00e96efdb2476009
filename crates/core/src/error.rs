//! Stable error codes shared by every binding (`contract/errors.json`), and the
//! umbrella [`Error`] that bindings map once per language.

use std::fmt;

/// A stable, machine-readable error code. The string form is the contract:
/// bindings expose it as `.code`, and `contract/errors.json` lists every one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum ErrorCode {
    /// Input could not be decoded: bad base64, bad varint, unknown field,
    /// duplicate key, trailing bytes, non-canonical encoding.
    Malformed,
    /// Well-formed, but not in the one canonical encoding the format requires
    /// (for example a pretty-printed bundle); re-canonicalize it, nothing was
    /// verified or found altered.
    NotCanonical,
    /// A format version this build does not know.
    UnsupportedVersion,
    /// The caller passed a value of the right type but an unusable shape
    /// (a 16-byte root key, a negative lifetime, an empty action).
    InvalidArgument,
    /// A caveat given while minting or narrowing is not in the caveat
    /// language: the caller's mistake, refused before anything is signed.
    InvalidCaveat,
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
    /// The holder proof is malformed, stale, for another capability or request.
    ProofInvalid,
    /// The capability is bound to a holder key and no holder proof was shown.
    ProofRequired,
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
    /// A shared store (a database) could not be reached or did not answer;
    /// nothing was decided or recorded as allowed. Retry later.
    StoreUnavailable,
    /// An idempotency key was reused for a different call (use a new key for
    /// a new call), or the same call under it is still being decided (retry
    /// with the same key).
    IdempotencyConflict,
    /// A budget caveat's counter has no room left in its window for this
    /// call; wait for the next window.
    BudgetExhausted,
    /// The call needs human approvals (an `approval(...)` caveat) and too few
    /// valid ones came with it; the reason says which keys, how many, and the
    /// exact call they must approve. `protect` raises it (a kind of
    /// `Denied`) when approvals are all that is missing.
    ApprovalRequired,
}

impl ErrorCode {
    /// Every code, in the order of `contract/errors.json`.
    pub const ALL: [ErrorCode; 30] = [
        ErrorCode::Malformed,
        ErrorCode::NotCanonical,
        ErrorCode::UnsupportedVersion,
        ErrorCode::InvalidArgument,
        ErrorCode::InvalidCaveat,
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
        ErrorCode::ProofRequired,
        ErrorCode::AudienceMismatch,
        ErrorCode::ActionMismatch,
        ErrorCode::ArgsMismatch,
        ErrorCode::ChainBroken,
        ErrorCode::LogCorrupt,
        ErrorCode::Io,
        ErrorCode::Unsupported,
        ErrorCode::Denied,
        ErrorCode::Internal,
        ErrorCode::StoreUnavailable,
        ErrorCode::IdempotencyConflict,
        ErrorCode::BudgetExhausted,
        ErrorCode::ApprovalRequired,
    ];

    /// The code as written in `contract/errors.json` and every binding (snake_case).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed",
            ErrorCode::NotCanonical => "not_canonical",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::InvalidCaveat => "invalid_caveat",
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
            ErrorCode::ProofRequired => "proof_required",
            ErrorCode::AudienceMismatch => "audience_mismatch",
            ErrorCode::ActionMismatch => "action_mismatch",
            ErrorCode::ArgsMismatch => "args_mismatch",
            ErrorCode::ChainBroken => "chain_broken",
            ErrorCode::LogCorrupt => "log_corrupt",
            ErrorCode::Io => "io",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::Denied => "denied",
            ErrorCode::Internal => "internal",
            ErrorCode::StoreUnavailable => "store_unavailable",
            ErrorCode::IdempotencyConflict => "idempotency_conflict",
            ErrorCode::BudgetExhausted => "budget_exhausted",
            ErrorCode::ApprovalRequired => "approval_required",
        }
    }

    /// The code spelled `s` ([`ErrorCode::as_str`]), if there is one.
    pub fn parse(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The error family a binding raises this code as (one exception class each).
    pub const fn family(self) -> ErrorFamily {
        match self {
            ErrorCode::Malformed | ErrorCode::NotCanonical | ErrorCode::UnsupportedVersion => {
                ErrorFamily::Format
            }
            ErrorCode::InvalidArgument
            | ErrorCode::InvalidCaveat
            | ErrorCode::LimitExceeded
            | ErrorCode::IdempotencyConflict => ErrorFamily::Usage,
            ErrorCode::BadSignature | ErrorCode::UnknownKey => ErrorFamily::Crypto,
            ErrorCode::Expired
            | ErrorCode::NotYetValid
            | ErrorCode::CaveatFailed
            | ErrorCode::CaveatError
            | ErrorCode::CaveatSyntax
            | ErrorCode::Replayed
            | ErrorCode::Revoked
            | ErrorCode::ProofInvalid
            | ErrorCode::ProofRequired
            | ErrorCode::AudienceMismatch
            | ErrorCode::ActionMismatch
            | ErrorCode::ArgsMismatch
            | ErrorCode::BudgetExhausted => ErrorFamily::Authorization,
            ErrorCode::ChainBroken | ErrorCode::LogCorrupt => ErrorFamily::Audit,
            ErrorCode::Io
            | ErrorCode::Unsupported
            | ErrorCode::Internal
            | ErrorCode::StoreUnavailable => ErrorFamily::Environment,
            ErrorCode::Denied | ErrorCode::ApprovalRequired => ErrorFamily::Denied,
        }
    }
}

/// The exception class a binding raises an error as: one per family, all
/// subclasses of `CharterError` (`contract/surface.json` lists them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorFamily {
    /// Input that could not be decoded or is not canonical.
    Format,
    /// A value of the right type and the wrong shape, or a bound hit.
    Usage,
    /// A MAC or signature that does not verify, or an unknown key.
    Crypto,
    /// A check that refused: expired, caveat false, replayed, revoked, ...
    Authorization,
    /// An audit chain that does not hold together.
    Audit,
    /// Storage, platform or a bug in Charter.
    Environment,
    /// `protect` refused the call; the error carries the reasons.
    Denied,
}

impl ErrorFamily {
    /// Every family, in the order of `contract/surface.json`.
    pub const ALL: [ErrorFamily; 7] = [
        ErrorFamily::Format,
        ErrorFamily::Usage,
        ErrorFamily::Crypto,
        ErrorFamily::Authorization,
        ErrorFamily::Audit,
        ErrorFamily::Environment,
        ErrorFamily::Denied,
    ];

    /// The class name every binding uses (`FormatError`, ..., `Denied`).
    pub const fn class_name(self) -> &'static str {
        match self {
            ErrorFamily::Format => "FormatError",
            ErrorFamily::Usage => "UsageError",
            ErrorFamily::Crypto => "CryptoError",
            ErrorFamily::Authorization => "AuthorizationError",
            ErrorFamily::Audit => "AuditError",
            ErrorFamily::Environment => "EnvironmentError",
            ErrorFamily::Denied => "Denied",
        }
    }
}

impl fmt::Display for ErrorFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.class_name())
    }
}

// Swift and Kotlin see a code as its stable string, as every other binding does.
#[cfg(feature = "uniffi")]
uniffi::custom_type!(ErrorCode, String, {
    lower: |code| code.as_str().to_string(),
    try_lift: |text| ErrorCode::parse(&text)
        .ok_or_else(|| uniffi::deps::anyhow::anyhow!("unknown error code {text:?}")),
});

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
    /// An error with `code` and a message a person can act on.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            reasons: Vec::new(),
        }
    }

    /// A denial carrying the decision's reasons. The message names every
    /// reason (not only the first), so a log line or `str()` of the error
    /// shows all that must change before the call can pass.
    pub fn denied(reasons: Vec<crate::decision::Reason>) -> Self {
        let message = match reasons.as_slice() {
            [] => "denied: no reason given".to_string(),
            [one] => format!("denied: {}", one.message),
            many => {
                let all: Vec<String> = many
                    .iter()
                    .enumerate()
                    .map(|(i, r)| format!("({}) {}", i + 1, r.message))
                    .collect();
                format!("denied for {} reasons: {}", many.len(), all.join("; "))
            }
        };
        // Approvals are all that is missing: the denial is its own kind, so
        // a tool can ask a person instead of giving up.
        let code = if !reasons.is_empty()
            && reasons
                .iter()
                .all(|r| r.code == ErrorCode::ApprovalRequired)
        {
            ErrorCode::ApprovalRequired
        } else {
            ErrorCode::Denied
        };
        Error {
            code,
            message,
            reasons,
        }
    }

    /// The stable code callers match on.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// What went wrong and what to do, for people (not for matching).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The reasons of a `denied` (or `approval_required`) error; empty for every other code.
    pub fn reasons(&self) -> &[crate::decision::Reason] {
        &self.reasons
    }

    /// Runs `f`, turning a panic into an `internal` error that carries the
    /// panic's message: a binding runs core calls through this, so no panic
    /// unwinds into its host (where it would abort the process).
    pub fn catching<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
            let what = (payload.downcast_ref::<&str>().copied())
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("unknown panic");
            let m = format!("internal error in charter (a bug: please report it with the input that caused it); nothing was decided: {what}");
            Err(Error::new(ErrorCode::Internal, m))
        })
    }
}

/// `Result` with Charter's one [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Reason;

    #[test]
    fn a_panic_is_an_internal_error_not_an_unwind() {
        let e = Error::catching::<()>(|| panic!("boom")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Internal);
        assert!(
            e.message().ends_with("nothing was decided: boom"),
            "{}",
            e.message()
        );
        assert_eq!(Error::catching(|| Ok(5)).unwrap(), 5);
        let e = Error::catching::<()>(|| Err(Error::new(ErrorCode::Io, "disk"))).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Io);
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
        }
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn new_codes_have_their_families() {
        assert_eq!(ErrorCode::InvalidCaveat.family(), ErrorFamily::Usage);
        assert_eq!(
            ErrorCode::ProofRequired.family(),
            ErrorFamily::Authorization
        );
        assert_eq!(ErrorCode::NotCanonical.family().class_name(), "FormatError");
        assert_eq!(
            ErrorCode::StoreUnavailable.family(),
            ErrorFamily::Environment
        );
        assert_eq!(ErrorCode::IdempotencyConflict.family(), ErrorFamily::Usage);
        assert_eq!(
            ErrorCode::BudgetExhausted.family(),
            ErrorFamily::Authorization
        );
        for f in ErrorFamily::ALL {
            assert!(
                ErrorCode::ALL.iter().any(|c| c.family() == f),
                "{f} has no code"
            );
        }
    }

    #[test]
    fn a_denial_names_every_reason() {
        let one = Error::denied(vec![Reason::new(ErrorCode::Expired, Some(0), "too late")]);
        assert_eq!(one.message(), "denied: too late");
        let two = Error::denied(vec![
            Reason::new(ErrorCode::CaveatFailed, Some(1), "caveat 1 is false: a"),
            Reason::new(ErrorCode::ProofRequired, Some(2), "caveat 2: no proof"),
        ]);
        assert_eq!(
            two.message(),
            "denied for 2 reasons: (1) caveat 1 is false: a; (2) caveat 2: no proof"
        );
        assert_eq!(two.to_string(), two.message());
        assert_eq!(two.reasons().len(), 2);
    }
}
