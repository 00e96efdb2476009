//! Shared stores (`charter-store`): `open_store` and `Store`, which
//! Verifier, PermitVerifier, PermitIssuer, Guard (`store=`) and
//! `AuditLog.in_store` keep their state in. Every call that may touch the
//! database runs with the interpreter released.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::error::{detached, invalid};
use crate::host::Text;

methods!(@bare
/// A shared store: single use, revocations, idempotency keys, budgets and
/// audit chains in one database (SQLite file, or PostgreSQL for many hosts).
#[derive(Clone)]
Store(charter_store::Store) {
    url: String { .description().to_string() }
}
    /// Revokes a capability id or token id for every verifier on this store.
    fn revoke(&self, py: Python<'_>, capability_id: Text) -> PyResult<()> {
        detached(py, || self.0.revocations().revoke(&capability_id.0))
    }
    /// Every revoked id, sorted.
    fn revoked(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        detached(py, || self.0.revocations().revoked())
    }
    fn __repr__(&self) -> String { format!("Store({:?})", self.0.description()) }
);

/// Opens the store at `url` (`sqlite:///abs/path.db`, `postgres://...`,
/// `memory:`) or a plain path (a SQLite file, `str` or `os.PathLike`).
#[pyfunction]
pub fn open_store(py: Python<'_>, url: &Bound<'_, PyAny>) -> PyResult<Store> {
    let target = match url.cast::<PyString>() {
        Ok(s) => s.extract::<Text>()?.0,
        Err(_) => {
            let path: PathBuf = url.extract().map_err(|_| {
                invalid("open_store takes a URL (str) or a path (str or os.PathLike)")
            })?;
            path.to_str()
                .ok_or_else(|| invalid("the store path is not valid UTF-8"))?
                .to_string()
        }
    };
    detached(py, || charter_store::open_url_or_path(&target)).map(Store)
}
