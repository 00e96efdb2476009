//! A decision is data: allowed or not, with every reason a person needs.

use serde::Serialize;

use crate::ErrorCode;

/// Why a check denied: a stable code, the index of the failing caveat (when a
/// caveat failed), and a message a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(get_all, frozen, eq, module = "charter")
)]
#[cfg_attr(feature = "napi", napi_derive::napi(object, use_nullable = true))]
pub struct Reason {
    /// What went wrong, as a stable code.
    pub code: ErrorCode,
    /// Index of the failing caveat in the capability, when one failed.
    pub caveat_index: Option<u32>,
    /// What to change for the call to pass.
    pub message: String,
    /// For `approval_required`: which keys, how many, and the exact call
    /// they must approve. For every other code there is none: null in every
    /// binding (Python None, Swift nil), and no member in the JSON form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<crate::approval::ApprovalNeed>,
}

impl Reason {
    /// A reason; `caveat_index` is `None` for structural failures.
    pub fn new(code: ErrorCode, caveat_index: Option<u32>, message: impl Into<String>) -> Self {
        Reason {
            code,
            caveat_index,
            message: message.into(),
            approval: None,
        }
    }
}

impl From<crate::Error> for Reason {
    fn from(e: crate::Error) -> Self {
        Reason::new(e.code(), None, e.message())
    }
}

/// The outcome of `Verifier::check`. `allowed` is true exactly when `reasons` is empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(
    feature = "python",
    pyo3::pyclass(get_all, frozen, eq, module = "charter")
)]
#[cfg_attr(feature = "napi", napi_derive::napi(object))]
pub struct Decision {
    /// Whether the call may go ahead.
    pub allowed: bool,
    /// Every reason it may not; empty when allowed.
    pub reasons: Vec<Reason>,
}

impl Decision {
    /// The decision that lets the call through.
    pub fn allow() -> Self {
        Decision {
            allowed: true,
            reasons: Vec::new(),
        }
    }

    /// A denial; `reasons` must not be empty (a denial always says why).
    pub fn deny(reasons: Vec<Reason>) -> Self {
        debug_assert!(!reasons.is_empty());
        Decision {
            allowed: false,
            reasons,
        }
    }
}
