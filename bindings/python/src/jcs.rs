//! Canonical JSON (RFC 8785) of strict I-JSON, and its hash.

use charter_core::jcs;
use pyo3::prelude::*;

use crate::convert::JsonArg;
use crate::errors::check;

/// RFC 8785 canonical form of strict I-JSON text (or of a native value:
/// dict, list, str, int, float, bool, None).
///
/// Raises FormatError (malformed) on duplicate keys, unsafe integers, lone
/// surrogates, trailing text; UsageError (limit_exceeded) beyond 64 levels.
#[pyfunction]
pub fn canonicalize_json(py: Python<'_>, text: JsonArg) -> PyResult<String> {
    check(py, jcs::canonicalize(&text.0))
}

/// base64url SHA-256 of the canonical form: the `args` hash of permits and receipts.
#[pyfunction]
pub fn hash_json(py: Python<'_>, text: JsonArg) -> PyResult<String> {
    check(py, jcs::hash(&text.0))
}
