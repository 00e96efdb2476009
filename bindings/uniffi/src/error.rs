//! The one place core errors become foreign errors.
//!
//! `CharterError` has one variant per family of `contract/errors.json`; each
//! carries the stable `code` and the core's message as `detail` (Kotlin's
//! `Throwable.message` is taken; the hand-written accessors `errorMessage`
//! (Kotlin) and `message` (Swift) read it) (and `Denied` the
//! decision's `reasons`). Kotlin sees a sealed `CharterException` with
//! `FormatException`, `UsageException`, … `Denied` subclasses; Swift sees an
//! `enum CharterError: Error` with one case per family. The family is chosen
//! from `ErrorCode::family()`, so a new code lands in the right class without
//! touching this file.

use std::fmt;

use crate::verify::Reason;

/// Every error Charter raises: a stable `code` (see `contract/errors.json`)
/// and a message a person can act on, grouped by family.
#[derive(Debug, Clone, PartialEq, uniffi::Error)]
pub enum CharterError {
    /// Input could not be decoded (`malformed`, `not_canonical`, `unsupported_version`).
    FormatError { code: String, detail: String },
    /// A usable type with an unusable value, a caveat outside the language
    /// when minting or narrowing, or a bound hit (`invalid_argument`,
    /// `invalid_caveat`, `limit_exceeded`).
    UsageError { code: String, detail: String },
    /// A signature or key problem (`bad_signature`, `unknown_key`).
    CryptoError { code: String, detail: String },
    /// Not authorized: expired, replayed, a holder proof missing
    /// (`proof_required`) or invalid, wrong audience, … .
    AuthorizationError { code: String, detail: String },
    /// An audit chain or log problem (`chain_broken`, `log_corrupt`).
    AuditError { code: String, detail: String },
    /// The platform failed or lacks the feature (`io`, `unsupported`).
    EnvironmentError { code: String, detail: String },
    /// `protect` refused the call; `reasons` say why (code `denied`).
    Denied {
        code: String,
        detail: String,
        reasons: Vec<Reason>,
    },
}

impl CharterError {
    /// The stable code, whatever the family.
    pub fn code(&self) -> &str {
        match self {
            CharterError::FormatError { code, .. }
            | CharterError::UsageError { code, .. }
            | CharterError::CryptoError { code, .. }
            | CharterError::AuthorizationError { code, .. }
            | CharterError::AuditError { code, .. }
            | CharterError::EnvironmentError { code, .. }
            | CharterError::Denied { code, .. } => code,
        }
    }

    /// The message, whatever the family.
    pub fn message(&self) -> &str {
        match self {
            CharterError::FormatError { detail, .. }
            | CharterError::UsageError { detail, .. }
            | CharterError::CryptoError { detail, .. }
            | CharterError::AuthorizationError { detail, .. }
            | CharterError::AuditError { detail, .. }
            | CharterError::EnvironmentError { detail, .. }
            | CharterError::Denied { detail, .. } => detail,
        }
    }
}

impl fmt::Display for CharterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for CharterError {}

impl From<charter_core::Error> for CharterError {
    fn from(e: charter_core::Error) -> Self {
        let code = e.code().as_str().to_string();
        let detail = e.message().to_string();
        match e.code().family() {
            "FormatError" => CharterError::FormatError { code, detail },
            "UsageError" => CharterError::UsageError { code, detail },
            "CryptoError" => CharterError::CryptoError { code, detail },
            "AuthorizationError" => CharterError::AuthorizationError { code, detail },
            "AuditError" => CharterError::AuditError { code, detail },
            "Denied" => CharterError::Denied {
                code,
                detail,
                reasons: e.reasons().iter().map(Reason::from).collect(),
            },
            // "EnvironmentError", and any family a newer core adds.
            _ => CharterError::EnvironmentError { code, detail },
        }
    }
}

/// Errors of the core's module-level error types convert through `charter_core::Error`.
macro_rules! via_core {
    ($($t:ty),*) => {$(
        impl From<$t> for CharterError {
            fn from(e: $t) -> Self {
                charter_core::Error::from(e).into()
            }
        }
    )*};
}
via_core!(
    charter_core::keys::KeyError,
    charter_core::capability::CapabilityError,
    charter_core::jcs::JsonError
);
