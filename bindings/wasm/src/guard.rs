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
    Guard(core::Guard) {}
}

#[wasm_bindgen]
impl Guard {
    /// Permits are issued for the verifier's audience (the tool that runs the
    /// call). The guard shares the verifier (its revocations and replay
    /// store) and writes to `auditLog`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        verifier: VerifierArg,
        #[wasm_bindgen(js_name = permitIssuer)] permit_issuer: PermitIssuerArg,
        #[wasm_bindgen(js_name = auditLog)] audit_log: AuditLogArg,
    ) -> JsResult<Guard> {
        let v = host::obj::<Arc<core::Verifier>>(&verifier, "verifier", "Verifier")?;
        let p = host::obj::<core::PermitIssuer>(&permit_issuer, "permitIssuer", "PermitIssuer")?;
        let log = host::obj::<Arc<dyn core::AuditLog>>(&audit_log, "auditLog", "AuditLog")?;
        Ok(Guard::wrap(core::Guard::new(
            (*v).clone(),
            (*p).clone(),
            (*log).clone(),
        )))
    }

    /// Decides and records the decision; returns it as data (`{allowed, reasons}`).
    pub fn check(
        &self,
        capability: CapArg,
        request: ReqArg,
        proof: Option<Str>,
        now: Option<Int>,
    ) -> JsResult<Decision> {
        let req = request::arg(&request)?;
        let o = verifier::options(proof.as_deref(), now.as_deref())?;
        Ok(decision(&host::with_cap(&capability, |c| {
            self.inner().check(c, &req, &o)
        })?))
    }

    /// A permit for exactly this call, or a thrown `Denied` with `.reasons`.
    /// `permitId` fixes the permit's `jti`; `idempotencyKey` goes in its claims.
    pub fn protect(
        &self,
        capability: CapArg,
        request: ReqArg,
        proof: Option<Str>,
        #[wasm_bindgen(js_name = idempotencyKey)] idempotency_key: Option<Str>,
        now: Option<Int>,
        #[wasm_bindgen(js_name = permitId)] permit_id: Option<Str>,
    ) -> JsResult<Permit> {
        let req = request::arg(&request)?;
        let o = core::CallOptions {
            idempotency_key: host::opt_string(idempotency_key.as_deref(), "idempotencyKey")?,
            permit_id: host::opt_string(permit_id.as_deref(), "permitId")?,
            ..verifier::options(proof.as_deref(), now.as_deref())?
        };
        Ok(Permit::wrap(host::with_cap(&capability, |c| {
            self.inner().protect(c, &req, &o)
        })??))
    }
}
