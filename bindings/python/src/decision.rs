//! A decision is data: allowed or not, with every reason.

use pyo3::prelude::*;

/// Why a check denied: a stable code, the failing caveat's index (or None),
/// and a message a person can act on.
#[pyclass(module = "charter", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct Reason(pub charter_core::Reason);

methods!(Reason {
    code: &'static str { .code.as_str() }
    caveat_index: Option<u32> { .caveat_index }
    message: &str { .message.as_str() }
});

/// The outcome of a check: `allowed` is True exactly when `reasons` is empty.
#[pyclass(module = "charter", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct Decision(pub charter_core::Decision);

methods!(Decision {
    allowed: bool { .allowed }
    reasons: Vec<Reason> { .reasons.iter().cloned().map(Reason).collect() }
});
