//! Guard: check -> permit -> receipt, fail closed.

use pyo3::prelude::*;

use crate::audit::AuditLog;
use crate::convert::{class, Text, Time};
use crate::decision::Decision;
use crate::errors::detached;
use crate::permit::{Permit, PermitIssuer};
use crate::request::request_arg;
use crate::verifier::{cap_in, CapIn, Verifier};

/// check -> permit -> receipt, fail closed: `protect()` returns a Permit or
/// raises Denied (with `.reasons`), and records a receipt in the audit log
/// either way. Shares the verifier's revocation list and replay store.
#[pyclass(module = "charter", frozen)]
pub struct Guard {
    inner: charter_core::guard::Guard,
}

#[pymethods]
impl Guard {
    #[new]
    fn new(
        verifier: &Bound<'_, PyAny>,
        permit_issuer: &Bound<'_, PyAny>,
        audit_log: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let verifier = class::<Verifier>(verifier, "verifier")?.get().inner.clone();
        let permits = class::<PermitIssuer>(permit_issuer, "permit_issuer")?
            .get()
            .inner
            .clone();
        let log = class::<AuditLog>(audit_log, "audit_log")?
            .get()
            .inner
            .clone();
        Ok(Guard {
            inner: charter_core::guard::Guard::new(verifier, permits, log),
        })
    }

    /// Decides and records the decision; returns it as data (a denial does
    /// not raise). If the receipt cannot be recorded, the decision is a denial.
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
        let g = &self.inner;
        let proof = proof.map(|p| p.0);
        let d = detached(py, move || {
            Ok(match &cap {
                CapIn::Parsed(c) => g.check(c, &req, proof.as_deref(), now),
                CapIn::Text(t) => g.check_token(t, &req, proof.as_deref(), now),
            })
        })?;
        Ok(d.into())
    }

    /// Returns a Permit for exactly this call, or raises Denied carrying the
    /// reasons. A receipt is recorded either way. `permit_id` fixes the
    /// permit's jti (e.g. derived from your own call id); random otherwise.
    #[pyo3(signature = (capability, request, proof=None, idempotency_key=None, now=None, permit_id=None))]
    #[allow(clippy::too_many_arguments)]
    fn protect(
        &self,
        py: Python<'_>,
        capability: &Bound<'_, PyAny>,
        request: &Bound<'_, PyAny>,
        proof: Option<Text>,
        idempotency_key: Option<Text>,
        now: Option<Time>,
        permit_id: Option<Text>,
    ) -> PyResult<Permit> {
        let cap = cap_in(capability)?;
        let req = request_arg(request)?;
        let now = now.map(|t| t.0).unwrap_or_else(charter_core::unix_now);
        let g = &self.inner;
        let (proof, idem, jti) = (
            proof.map(|p| p.0),
            idempotency_key.map(|k| k.0),
            permit_id.map(|j| j.0),
        );
        let permit = detached(py, move || match &cap {
            CapIn::Parsed(c) => g.protect(
                c,
                &req,
                proof.as_deref(),
                idem.as_deref(),
                now,
                jti.as_deref(),
            ),
            CapIn::Text(t) => g.protect_token(
                t,
                &req,
                proof.as_deref(),
                idem.as_deref(),
                now,
                jti.as_deref(),
            ),
        })?;
        Ok(Permit { inner: permit })
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.inner)
    }
}
