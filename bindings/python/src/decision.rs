//! A decision is data: allowed or not, with every reason.

use pyo3::prelude::*;
use pyo3::types::PyList;

/// Why a check denied: a stable code, the index of the failing caveat (or
/// None), and a message a person can act on.
#[pyclass(module = "charter", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct Reason {
    code: &'static str,
    caveat_index: Option<u32>,
    message: String,
}

impl From<charter_core::Reason> for Reason {
    fn from(r: charter_core::Reason) -> Self {
        Reason {
            code: r.code.as_str(),
            caveat_index: r.caveat_index,
            message: r.message,
        }
    }
}

#[pymethods]
impl Reason {
    /// A stable error code (contract/errors.json).
    #[getter]
    fn code(&self) -> &'static str {
        self.code
    }

    /// Index of the failing caveat, or None for a structural failure.
    #[getter]
    fn caveat_index(&self) -> Option<u32> {
        self.caveat_index
    }

    #[getter]
    fn message(&self) -> &str {
        &self.message
    }

    fn __repr__(&self) -> String {
        format!(
            "Reason(code={:?}, caveat_index={}, message={:?})",
            self.code,
            self.caveat_index
                .map(|i| i.to_string())
                .unwrap_or_else(|| "None".into()),
            self.message
        )
    }
}

/// The outcome of a check: `allowed` is True exactly when `reasons` is empty.
#[pyclass(module = "charter", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct Decision {
    allowed: bool,
    reasons: Vec<Reason>,
}

impl From<charter_core::Decision> for Decision {
    fn from(d: charter_core::Decision) -> Self {
        Decision {
            allowed: d.allowed,
            reasons: d.reasons.into_iter().map(Reason::from).collect(),
        }
    }
}

#[pymethods]
impl Decision {
    #[getter]
    fn allowed(&self) -> bool {
        self.allowed
    }

    /// Every reason for a denial (empty when allowed).
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.reasons.clone())
    }

    fn __repr__(&self) -> String {
        let reasons: Vec<String> = self.reasons.iter().map(Reason::__repr__).collect();
        format!(
            "Decision(allowed={}, reasons=[{}])",
            if self.allowed { "True" } else { "False" },
            reasons.join(", ")
        )
    }
}
