//! Guard.

use std::sync::Arc;

use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::error::{decision, JsResult};
use crate::host::{
    self, AuditLogArg, CapArg, Decision, Int, PermitIssuerArg, ReqArg, Str, VerifierArg,
};
use crate::permit::Permit;
use crate::{request, verifier};

crate::class! {
    /// check -> permit -> receipt, fail closed: `protect()` returns a Permit
    /// or throws `Denied`, and records a receipt either way.
    Guard(core::Guard) {} static {}

    /// Permits are issued for the verifier's audience (the tool that runs the
    /// call). The guard shares the verifier (its revocations and replay
    /// store) and writes to `auditLog`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        verifier: VerifierArg,
        permitIssuer: PermitIssuerArg,
        auditLog: AuditLogArg,
    ) -> JsResult<Guard> {
        let v = host::obj::<Arc<core::Verifier>>(&verifier, "verifier", "Verifier")?;
        let p = host::obj::<core::PermitIssuer>(&permitIssuer, "permitIssuer", "PermitIssuer")?;
        let log = host::obj::<Arc<dyn core::AuditLog>>(&auditLog, "auditLog", "AuditLog")?;
        Ok(Guard::wrap(core::Guard::new((*v).clone(), (*p).clone(), (*log).clone())))
    }

    /// Decides and records the decision; returns it as data (`{allowed, reasons}`).
    pub fn check(
        &self,
        capability: CapArg,
        request: ReqArg,
        proof: Option<Str>,
        now: Option<Int>,
    ) -> JsResult<Decision> {
        let (req, o) = (request::arg(&request)?, verifier::options(proof, now)?);
        Ok(decision(&host::with_cap(&capability, |c| self.inner().check(c, &req, &o))?))
    }

    /// A permit for exactly this call, or a thrown `Denied` with `.reasons`.
    /// `permitId` fixes the permit's `jti`; `idempotencyKey` goes in its claims.
    pub fn protect(
        &self,
        capability: CapArg,
        request: ReqArg,
        proof: Option<Str>,
        idempotencyKey: Option<Str>,
        now: Option<Int>,
        permitId: Option<Str>,
    ) -> JsResult<Permit> {
        let req = request::arg(&request)?;
        host::args!(?string: idempotencyKey, permitId;);
        let o = core::CallOptions {
            idempotency_key: idempotencyKey,
            permit_id: permitId,
            ..verifier::options(proof, now)?
        };
        Ok(Permit::wrap(host::with_cap(&capability, |c| self.inner().protect(c, &req, &o))??))
    }
}
