use charter_core::CallOptions;
use pyo3::prelude::*;

use crate::audit::AuditLog;
use crate::capability::capability;
use crate::error::detached;
use crate::host::{Of, Text, Time};
use crate::permit::{Permit, PermitIssuer};
use crate::request::request;
use crate::store::Store;
use crate::verifier::Verifier;

methods!(
/// check -> permit -> receipt, fail closed: `protect()` returns a Permit or
/// raises Denied, and records a receipt either way.
Guard(charter_core::Guard) {}
    #[new]
    #[pyo3(signature = (verifier, permit_issuer, audit_log, store=None))]
    fn new(
        verifier: Of<Verifier>, permit_issuer: Of<PermitIssuer>, audit_log: Of<AuditLog>,
        store: Option<Of<Store>>,
    ) -> Self {
        let permits = permit_issuer.0 .0.with_state(store.as_ref().map(|Of(Store(s))| s));
        Guard(charter_core::Guard::new(verifier.0 .0, permits, audit_log.0 .0))
    }
    #[pyo3(signature = (capability, request, proof=None, now=None))]
    fn check(
        &self, capability: &Bound<'_, PyAny>, request: &Bound<'_, PyAny>, proof: Option<Text>,
        now: Option<Time>,
    ) -> PyResult<charter_core::Decision> {
        let (cap, req) = (self::capability(capability)?, self::request(request)?);
        let options = CallOptions::check(proof.map(|p| p.0), now.map(|t| t.0));
        detached(capability.py(), || Ok(self.0.check(cap, &req, &options)))
    }
    #[pyo3(signature = (capability, request, proof=None, idempotency_key=None, now=None, permit_id=None))]
    fn protect(
        &self, capability: &Bound<'_, PyAny>, request: &Bound<'_, PyAny>, proof: Option<Text>,
        idempotency_key: Option<Text>, now: Option<Time>, permit_id: Option<Text>,
    ) -> PyResult<Permit> {
        let (cap, req) = (self::capability(capability)?, self::request(request)?);
        let options = CallOptions {
            idempotency_key: idempotency_key.map(|k| k.0),
            permit_id: permit_id.map(|j| j.0),
            ..CallOptions::check(proof.map(|p| p.0), now.map(|t| t.0))
        };
        detached(capability.py(), || self.0.protect(cap, &req, &options)).map(Permit)
    }
);
