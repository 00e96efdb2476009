use charter_core::jcs;
use pyo3::prelude::*;

use crate::{error::check, host::Text};

/// RFC 8785 canonical form of strict I-JSON text.
#[pyfunction]
pub fn canonicalize_json(text: Text) -> PyResult<String> {
    check(jcs::canonicalize_str(&text.0))
}

/// base64url SHA-256 of the canonical form (the args hash of permits and receipts).
#[pyfunction]
pub fn hash_json(text: Text) -> PyResult<String> {
    check(jcs::parse(&text.0).and_then(|v| jcs::hash(&v)))
}
