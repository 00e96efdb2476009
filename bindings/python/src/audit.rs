//! Audit logs (in memory, or a JSON Lines file) and offline bundle verification.

use std::sync::Arc;

use charter_core::audit as core;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::convert::{class, Text};
use crate::errors::{detached, invalid};
use crate::keys::{KeySet, SigningKey};
use crate::permit::keyset_arg;
use crate::receipt::Receipt;

/// An append-only log of signed, hash-chained receipts: `in_memory(key)`, or
/// `open(path, key)` for a JSON Lines file synced on every append.
#[pyclass(module = "charter", frozen)]
pub struct AuditLog {
    pub inner: Arc<dyn core::AuditLog>,
}

#[pymethods]
impl AuditLog {
    /// A log kept in memory, signed with `signing_key`.
    #[staticmethod]
    fn in_memory(signing_key: &Bound<'_, PyAny>) -> PyResult<Self> {
        let key = class::<SigningKey>(signing_key, "signing_key")?;
        Ok(AuditLog {
            inner: Arc::new(core::MemoryAuditLog::new(key.get().inner.clone())),
        })
    }

    /// Opens (or creates) a JSON Lines log file; its chain is verified on open.
    /// `expect_head`, the JSON text of a receipt this log signed earlier
    /// (`head().to_json()`) kept elsewhere, makes a log cut or rewritten
    /// behind it raise AuditError `chain_broken` naming how many receipts
    /// are missing.
    #[staticmethod]
    #[pyo3(signature = (path, signing_key, expect_head=None))]
    fn open(
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        signing_key: &Bound<'_, PyAny>,
        expect_head: Option<Text>,
    ) -> PyResult<Self> {
        let key = class::<SigningKey>(signing_key, "signing_key")?
            .get()
            .inner
            .clone();
        let path: std::path::PathBuf = match path.extract::<std::path::PathBuf>() {
            Ok(p) => p,
            Err(_) => return Err(invalid(py, "path must be a str or os.PathLike")),
        };
        let log = detached(py, move || {
            core::FileAuditLog::open_expecting_text(
                &path,
                key,
                expect_head.as_ref().map(|t| t.0.as_str()),
            )
        })?;
        Ok(AuditLog {
            inner: Arc::new(log),
        })
    }

    /// Number of receipts.
    fn len(&self) -> u64 {
        self.inner.len()
    }

    /// The last receipt, or None when the log is empty.
    fn head(&self) -> Option<Receipt> {
        self.inner.head().map(|inner| Receipt { inner })
    }

    /// Receipts with seq in [start, end).
    fn receipts<'py>(&self, py: Python<'py>, start: u64, end: u64) -> PyResult<Bound<'py, PyList>> {
        let inner = &self.inner;
        let list = detached(py, move || inner.receipts(start..end))?;
        PyList::new(py, list.into_iter().map(|inner| Receipt { inner }))
    }

    /// The public keys that verify this log.
    fn keys(&self) -> KeySet {
        KeySet {
            inner: self.inner.keys(),
        }
    }

    /// Exports receipts [start, end) (default: all) as a signed bundle (JSON text).
    #[pyo3(signature = (start=None, end=None))]
    fn export_bundle(
        &self,
        py: Python<'_>,
        start: Option<u64>,
        end: Option<u64>,
    ) -> PyResult<String> {
        let inner = &self.inner;
        detached(py, move || {
            let range = start.unwrap_or(0)..end.unwrap_or_else(|| inner.len());
            core::export_bundle(inner.as_ref(), range).map(|b| b.to_json())
        })
    }

    fn __repr__(&self) -> String {
        format!("AuditLog(len={})", self.inner.len())
    }
}

/// What a verified bundle covers: `count` receipts, seq `first_seq` to
/// `last_seq`, and its signed `head` (a dict).
#[pyclass(module = "charter", frozen)]
pub struct BundleReport {
    inner: core::BundleReport,
}

#[pymethods]
impl BundleReport {
    #[getter]
    fn count(&self) -> u64 {
        self.inner.count
    }
    #[getter]
    fn first_seq(&self) -> u64 {
        self.inner.first_seq
    }
    #[getter]
    fn last_seq(&self) -> u64 {
        self.inner.last_seq
    }
    /// The signed head.
    #[getter]
    fn head(&self) -> BundleHead {
        BundleHead {
            inner: self.inner.head.clone(),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "BundleReport(count={}, first_seq={}, last_seq={})",
            self.inner.count, self.inner.first_seq, self.inner.last_seq
        )
    }
}

/// The signed summary of a bundle: `anchor` (the `prev` of its first
/// receipt), `count`, `first_seq`, `last_seq`, `last_hash`, `ts` (of the last
/// receipt), `kid` and `sig` of the signer, format version `v`.
#[pyclass(module = "charter", frozen)]
pub struct BundleHead {
    inner: core::BundleHead,
}

#[pymethods]
impl BundleHead {
    #[getter]
    fn anchor(&self) -> &str {
        &self.inner.anchor
    }
    #[getter]
    fn count(&self) -> u64 {
        self.inner.count
    }
    #[getter]
    fn first_seq(&self) -> u64 {
        self.inner.first_seq
    }
    #[getter]
    fn kid(&self) -> &str {
        &self.inner.kid
    }
    #[getter]
    fn last_hash(&self) -> &str {
        &self.inner.last_hash
    }
    #[getter]
    fn last_seq(&self) -> u64 {
        self.inner.last_seq
    }
    #[getter]
    fn sig(&self) -> &str {
        &self.inner.sig
    }
    #[getter]
    fn ts(&self) -> i64 {
        self.inner.ts
    }
    #[getter]
    fn v(&self) -> u64 {
        self.inner.v
    }

    fn __repr__(&self) -> String {
        format!(
            "BundleHead(count={}, last_seq={}, last_hash={:?})",
            self.inner.count, self.inner.last_seq, self.inner.last_hash
        )
    }
}

/// Verifies an exported audit bundle (JSON text) against trusted keys
/// (KeySet or JWKS), offline: every signature, link, sequence number, time
/// and the signed head. A bundle must start at the genesis unless `anchor`
/// (the hash of the receipt before its first, which the auditor trusts) is
/// given. Raises AuditError / CryptoError / FormatError naming the first bad
/// receipt.
#[pyfunction]
#[pyo3(signature = (bundle, trusted, anchor=None))]
pub fn verify_bundle(
    py: Python<'_>,
    bundle: Text,
    trusted: &Bound<'_, PyAny>,
    anchor: Option<Text>,
) -> PyResult<BundleReport> {
    let keys = keyset_arg(trusted)?;
    let report = detached(py, move || match &anchor {
        Some(a) => core::verify_bundle_from(&bundle.0, &keys, &a.0),
        None => core::verify_bundle(&bundle.0, &keys),
    })?;
    Ok(BundleReport { inner: report })
}
