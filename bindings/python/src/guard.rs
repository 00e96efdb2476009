//! Guard: check -> permit -> receipt, fail closed.

use charter_core::CallOptions;
use pyo3::prelude::*;

use crate::audit::AuditLog;
use crate::capability::capability;
use crate::decision::Decision;
use crate::error::detached;
use crate::host::{class, secs, Text, Time};
use crate::permit::{Permit, PermitIssuer};
use crate::request::request;
use crate::verifier::Verifier;

/// check -> permit -> receipt, fail closed: `protect()` returns a Permit or
/// raises Denied, and records a receipt either way.
#[pyclass(module = "charter", frozen)]
pub struct Guard(charter_core::Guard);

methods!(Guard {}
    #[new]
    fn new(
        verifier: &Bound<'_, PyAny>,
        permit_issuer: &Bound<'_, PyAny>,
        audit_log: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        Ok(Guard(charter_core::Guard::new(
            class::<Verifier>(verifier, "verifier")?.get().0.clone(),
            class::<PermitIssuer>(permit_issuer, "permit_issuer")?
                .get()
                .0
                .clone(),
            class::<AuditLog>(audit_log, "audit_log")?.get().0.clone(),
        )))
    }

    #[pyo3(signature = (capability, request, proof=None, now=None))]
    fn check(
        &self,
        capability: &Bound<'_, PyAny>,
        request: &Bound<'_, PyAny>,
        proof: Option<Text>,
        now: Option<Time>,
    ) -> PyResult<Decision> {
        let (cap, req) = (self::capability(capability)?, self::request(request)?);
        let options = CallOptions {
            proof: proof.map(|p| p.0),
            now: secs(now),
            ..CallOptions::default()
        };
        detached(capability.py(), || Ok(self.0.check(cap, &req, &options))).map(Decision)
    }

    #[pyo3(signature = (capability, request, proof=None, idempotency_key=None, now=None, permit_id=None))]
    fn protect(
        &self,
        capability: &Bound<'_, PyAny>,
        request: &Bound<'_, PyAny>,
        proof: Option<Text>,
        idempotency_key: Option<Text>,
        now: Option<Time>,
        permit_id: Option<Text>,
    ) -> PyResult<Permit> {
        let (cap, req) = (self::capability(capability)?, self::request(request)?);
        let options = CallOptions {
            proof: proof.map(|p| p.0),
            idempotency_key: idempotency_key.map(|k| k.0),
            permit_id: permit_id.map(|j| j.0),
            now: secs(now),
        };
        detached(capability.py(), || self.0.protect(cap, &req, &options)).map(Permit)
    }
);
