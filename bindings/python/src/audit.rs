use std::{path::PathBuf, sync::Arc};

use charter_core::audit::{self as core, verify_bundle_with_anchor};
use pyo3::prelude::*;

use crate::error::{detached, invalid};
use crate::host::{Of, Text};
use crate::keys::{keyset, KeySet, SigningKey};
use crate::receipt::Receipt;
use crate::store::Store;

methods!(@bare
/// An append-only log of receipts, in memory, in a JSON Lines file, or in a
/// shared store (`in_store`).
#[derive(Clone)]
AuditLog(Arc<dyn core::AuditLog>) {}
    /// A log kept in memory, signed with `signing_key`.
    #[staticmethod]
    fn in_memory(signing_key: Of<SigningKey>) -> Self {
        AuditLog(Arc::new(core::MemoryAuditLog::new(signing_key.0 .0)))
    }
    /// The log `name` of `store`: one hash chain shared by every writer on
    /// that database, signing new receipts with `signing_key`.
    #[staticmethod]
    fn in_store(py: Python<'_>, store: Of<Store>, name: Text, signing_key: Of<SigningKey>)
        -> PyResult<Self> {
        let (store, key) = (store.0 .0, signing_key.0 .0);
        detached(py, || store.audit_log(&name.0, key)).map(AuditLog)
    }
    /// Opens (or creates) a JSON Lines log, verifying its chain (and, with
    /// `expect_head`, that nothing behind that receipt was cut or rewritten).
    #[staticmethod]
    #[pyo3(signature = (path, signing_key, expect_head=None))]
    fn open(py: Python<'_>, path: &Bound<'_, PyAny>, signing_key: Of<SigningKey>,
        expect_head: Option<Text>) -> PyResult<Self> {
        let path: PathBuf = path.extract().map_err(|_| invalid("path must be str or PathLike"))?;
        let (key, head) = (signing_key.0 .0, expect_head.map(|t| t.0));
        let open = || core::FileAuditLog::open_expecting_text(&path, key, head.as_deref());
        detached(py, open).map(|log| AuditLog(Arc::new(log)))
    }
    fn len(&self, py: Python<'_>) -> PyResult<u64> { detached(py, || self.0.len()) }
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> { self.len(py).map(|n| n as usize) }
    fn head(&self, py: Python<'_>) -> PyResult<Option<Receipt>> {
        Ok(detached(py, || self.0.head())?.map(Receipt))
    }
    fn receipts(&self, py: Python<'_>, start: u64, end: u64) -> PyResult<Vec<Receipt>> {
        let list = detached(py, || self.0.receipts(start..end))?;
        Ok(list.into_iter().map(Receipt).collect())
    }
    fn keys(&self) -> KeySet { KeySet(self.0.keys()) }
    #[pyo3(signature = (start=None, end=None))]
    fn export_bundle(&self, py: Python<'_>, start: Option<u64>, end: Option<u64>)
        -> PyResult<String> {
        detached(py, || self.0.export_range(start, end).map(|b| b.to_json()))
    }
    fn __repr__(&self) -> String {
        match self.0.len() {
            Ok(n) => format!("AuditLog(len={n})"),
            Err(e) => format!("AuditLog(len unavailable: {})", e.code()),
        }
    }
);

/// Verifies an exported audit bundle against trusted keys, offline; a bundle
/// not starting at genesis needs `anchor`.
#[pyfunction]
#[pyo3(signature = (bundle, trusted, anchor=None))]
pub fn verify_bundle(
    py: Python<'_>,
    bundle: Text,
    trusted: &Bound<'_, PyAny>,
    anchor: Option<Text>,
) -> PyResult<core::BundleReport> {
    let keys = keyset(trusted, "trusted")?;
    let anchor = anchor.as_ref().map(|a| a.0.as_str());
    detached(py, || verify_bundle_with_anchor(&bundle.0, &keys, anchor))
}
