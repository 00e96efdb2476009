//! Deciding one call against capabilities minted with the verifier's root keys.

use std::sync::Arc;

use charter_core::MemoryRevocationList;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::capability::Capability;
use crate::convert::{class, Text, Time};
use crate::decision::Decision;
use crate::errors::{check, detached, invalid, shielded};
use crate::keys::RootKey;
use crate::request::request_arg;

/// Decides calls against capabilities minted with its root keys (several
/// allow rotation), for one audience. Holds its own revocation list and
/// replay store (holder proof nonces are single-use); a Guard built with it
/// shares both.
#[pyclass(module = "charter", frozen)]
pub struct Verifier {
    pub(crate) inner: Arc<charter_core::Verifier>,
    revocations: Arc<MemoryRevocationList>,
}

/// A capability as given: parsed, or text to parse (a parse failure is a denial).
pub enum CapIn {
    Parsed(charter_core::Capability),
    Text(String),
}

pub fn cap_in(obj: &Bound<'_, PyAny>) -> PyResult<CapIn> {
    if let Ok(c) = obj.cast::<Capability>() {
        return Ok(CapIn::Parsed(c.get().inner.clone()));
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(CapIn::Text(obj.extract::<Text>()?.0));
    }
    Err(invalid(
        obj.py(),
        "capability must be a Capability or its text",
    ))
}

#[pymethods]
impl Verifier {
    /// `roots`: a list of RootKey; `audience`: this verifier's identity (what
    /// caveats see as `audience`); `proof_window` (default 60) and `leeway`
    /// (default 30): holder proof freshness (1 to 600 seconds) and clock skew
    /// (0 to 600 seconds); a proof is fresh while iat − leeway <= now < iat + window.
    #[new]
    #[pyo3(signature = (roots, audience, proof_window=None, leeway=None))]
    fn new(
        py: Python<'_>,
        roots: &Bound<'_, PyAny>,
        audience: Text,
        proof_window: Option<i64>,
        leeway: Option<i64>,
    ) -> PyResult<Self> {
        if roots.is_instance_of::<RootKey>() {
            return Err(invalid(py, "roots must be a list of RootKey"));
        }
        let iter = roots
            .try_iter()
            .map_err(|_| invalid(py, "roots must be a list of RootKey"))?;
        let mut keys = Vec::new();
        for item in iter {
            let item = item?;
            keys.push(class::<RootKey>(&item, "each root")?.get().inner.clone());
        }
        let revocations = Arc::new(MemoryRevocationList::new());
        let mut inner = check(py, charter_core::Verifier::new(keys, audience.0))?
            .with_revocations(revocations.clone());
        if proof_window.is_some() || leeway.is_some() {
            inner = check(
                py,
                inner.with_proof_window(
                    proof_window.unwrap_or(charter_core::verifier::DEFAULT_PROOF_WINDOW),
                    leeway.unwrap_or(charter_core::verifier::DEFAULT_LEEWAY),
                ),
            )?;
        }
        Ok(Verifier {
            inner: Arc::new(inner),
            revocations,
        })
    }

    /// Decides one request. `capability`: a Capability or its text (text that
    /// does not parse is a denial); `request`: a Request, dict or JSON text;
    /// `proof`: a holder proof; `now`: int Unix seconds or aware datetime
    /// (the system clock by default). A denial is data: see `.reasons`.
    #[pyo3(signature = (capability, request, proof=None, now=None))]
    fn check(
        &self,
        py: Python<'_>,
        capability: &Bound<'_, PyAny>,
        request: &Bound<'_, PyAny>,
        proof: Option<Text>,
        now: Option<Time>,
    ) -> PyResult<Decision> {
        let cap = cap_in(capability)?;
        let req = request_arg(request)?;
        let now = now.map(|t| t.0).unwrap_or_else(charter_core::unix_now);
        let v = &self.inner;
        let proof = proof.map(|p| p.0);
        let d = detached(py, move || {
            Ok(match &cap {
                CapIn::Parsed(c) => v.check(c, &req, proof.as_deref(), now),
                CapIn::Text(t) => v.check_token(t, &req, proof.as_deref(), now),
            })
        })?;
        Ok(d.into())
    }

    /// Revokes a capability id (that capability and every one narrowed from
    /// it) or a token id (every capability minted with it). Raises UsageError
    /// (invalid_argument) for anything not shaped like one: 22 base64url
    /// characters, no padding.
    fn revoke(&self, py: Python<'_>, capability_id: Text) -> PyResult<()> {
        shielded(py, || self.revocations.revoke(capability_id.0))
    }

    /// This verifier's identity.
    #[getter]
    fn audience(&self) -> &str {
        self.inner.audience()
    }

    fn __repr__(&self) -> String {
        format!("Verifier(audience={:?})", self.inner.audience())
    }
}
