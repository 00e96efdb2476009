//! Receipts: one signed, hash-chained decision record each.

use charter_core::receipt as core;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::convert::Text;
use crate::decision::Reason;
use crate::errors::{check, detached};
use crate::permit::keyset_arg;

/// One signed, hash-chained decision record (canonical JSON). `args` is the
/// arguments' hash, `cap` the capability id, `permit` the permit's jti (or
/// None), `decision` "allow" or "deny".
#[pyclass(module = "charter", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct Receipt {
    pub inner: core::Receipt,
}

#[pymethods]
impl Receipt {
    /// Parses a receipt's canonical JSON text strictly (verifies nothing).
    #[staticmethod]
    fn parse(py: Python<'_>, json: Text) -> PyResult<Self> {
        Ok(Receipt {
            inner: check(py, core::Receipt::parse(&json.0))?,
        })
    }

    /// The canonical JSON text.
    fn to_json(&self) -> &str {
        self.inner.to_json()
    }

    /// base64url SHA-256 of the canonical text (what the next receipt's `prev` is).
    fn hash(&self) -> &str {
        self.inner.hash()
    }

    /// Checks the signature with trusted keys (a KeySet or JWKS); raises on failure.
    fn verify(&self, py: Python<'_>, keys: &Bound<'_, PyAny>) -> PyResult<()> {
        let keys = keyset_arg(keys)?;
        let inner = &self.inner;
        detached(py, move || inner.verify(&keys))
    }

    #[getter]
    fn seq(&self) -> u64 {
        self.inner.seq()
    }
    #[getter]
    fn prev(&self) -> &str {
        self.inner.prev()
    }
    #[getter]
    fn ts(&self) -> i64 {
        self.inner.ts()
    }
    #[getter]
    fn agent(&self) -> &str {
        self.inner.agent()
    }
    #[getter]
    fn action(&self) -> &str {
        self.inner.action()
    }
    #[getter]
    fn args(&self) -> &str {
        self.inner.args()
    }
    #[getter]
    fn cap(&self) -> Option<&str> {
        self.inner.cap()
    }
    #[getter]
    fn permit(&self) -> Option<&str> {
        self.inner.permit()
    }
    #[getter]
    fn decision(&self) -> &'static str {
        self.inner.decision().as_str()
    }
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let reasons: Vec<Reason> = self
            .inner
            .reasons()
            .iter()
            .cloned()
            .map(Reason::from)
            .collect();
        PyList::new(py, reasons)
    }
    #[getter]
    fn kid(&self) -> &str {
        self.inner.kid()
    }

    fn __repr__(&self) -> String {
        format!(
            "Receipt(seq={}, action={:?}, decision={:?})",
            self.inner.seq(),
            self.inner.action(),
            self.inner.decision().as_str()
        )
    }
}
