//! A decision is data: allowed or not, with every reason a person needs.

use serde::Serialize;

use crate::ErrorCode;

/// Why a check denied: a stable code, the index of the failing caveat (when a
/// caveat failed), and a message a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Reason {
    pub code: ErrorCode,
    pub caveat_index: Option<u32>,
    pub message: String,
}

impl Reason {
    pub fn new(code: ErrorCode, caveat_index: Option<u32>, message: impl Into<String>) -> Self {
        Reason {
            code,
            caveat_index,
            message: message.into(),
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
pub struct Decision {
    pub allowed: bool,
    pub reasons: Vec<Reason>,
}

impl Decision {
    pub fn allow() -> Self {
        Decision {
            allowed: true,
            reasons: Vec::new(),
        }
    }

    pub fn deny(reasons: Vec<Reason>) -> Self {
        debug_assert!(!reasons.is_empty());
        Decision {
            allowed: false,
            reasons,
        }
    }
}
