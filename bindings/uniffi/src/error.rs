//! The one place core errors become foreign errors, the variant chosen by
//! `ErrorCode::family()`: Kotlin's sealed `CharterException` (`FormatException`,
//! …, `Denied`), Swift's `enum CharterError`.

use charter_core::{Error, ErrorCode, ErrorFamily, Reason};

/// Every error Charter raises: a stable `code` (`contract/errors.json`) and
/// a message a person can act on (`detail`), grouped by family.
#[allow(missing_docs)] // every variant's fields are `code` and `detail`, documented above
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
#[error("{self:?}")]
pub enum CharterError {
    /// Input could not be decoded (`malformed`, `not_canonical`, `unsupported_version`).
    FormatError { code: String, detail: String },
    /// An unusable value, caveat or size (`invalid_argument`, `invalid_caveat`, `limit_exceeded`,
    /// `idempotency_conflict`).
    UsageError { code: String, detail: String },
    /// A signature or key problem (`bad_signature`, `unknown_key`).
    CryptoError { code: String, detail: String },
    /// Not authorized: expired, replayed, wrong audience, a proof missing, a
    /// budget exhausted, … .
    AuthorizationError { code: String, detail: String },
    /// An audit chain or log problem (`chain_broken`, `log_corrupt`).
    AuditError { code: String, detail: String },
    /// The platform failed or lacks the feature (`io`, `unsupported`,
    /// `internal`, `store_unavailable`).
    EnvironmentError { code: String, detail: String },
    /// `protect` refused the call; `reasons` say why (code `denied`).
    Denied {
        code: String,
        detail: String,
        reasons: Vec<Reason>,
    },
    /// `protect` refused the call only for want of human approvals (code
    /// `approval_required`); each reason's `approval` says which keys, how
    /// many, and the exact call to approve.
    ApprovalRequired {
        code: String,
        detail: String,
        reasons: Vec<Reason>,
    },
}

impl From<Error> for CharterError {
    fn from(e: Error) -> Self {
        let (code, detail) = (e.code().as_str().to_string(), e.message().to_string());
        let reasons = e.reasons().to_vec();
        match e.code().family() {
            ErrorFamily::Format => CharterError::FormatError { code, detail },
            ErrorFamily::Usage => CharterError::UsageError { code, detail },
            ErrorFamily::Crypto => CharterError::CryptoError { code, detail },
            ErrorFamily::Authorization => CharterError::AuthorizationError { code, detail },
            ErrorFamily::Audit => CharterError::AuditError { code, detail },
            ErrorFamily::Environment => CharterError::EnvironmentError { code, detail },
            ErrorFamily::Denied if e.code() == ErrorCode::ApprovalRequired => {
                CharterError::ApprovalRequired {
                    code,
                    detail,
                    reasons,
                }
            }
            ErrorFamily::Denied => CharterError::Denied {
                code,
                detail,
                reasons,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_lands_in_the_variant_named_by_its_family() {
        for code in charter_core::ErrorCode::ALL {
            let mapped = format!("{:?}", CharterError::from(Error::new(code, "m")));
            let family = match code {
                charter_core::ErrorCode::ApprovalRequired => "ApprovalRequired",
                _ => code.family().class_name(),
            };
            assert!(mapped.starts_with(&format!("{family} {{ code: \"{code}\"")));
        }
    }
}
