use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::error::decision;
use crate::host::{
    self, AuditLogArg, CapArg, Decision, Int, NoStore, PermitIssuerArg, ReqArg, Str, VerifierArg,
};
use crate::permit::Permit;
use crate::{request, verifier};

crate::class! {
    /// check -> permit -> receipt, fail closed: `protect()` returns a Permit
    /// or throws `Denied`, and records a receipt either way.
    Guard(core::Guard) {} fn {
        /// Decides and records the decision; returns it as data (`{allowed, reasons}`).
        check(&g, capability: CapArg, request: ReqArg, proof: Option<Str>, now: Option<Int>)
            -> Decision = {
            let (req, o) = (request::arg(&request)?, verifier::options(proof, now)?);
            host::cap(&capability).map(|c| decision(&g.check(&c, &req, &o)))
        };
        /// A permit for exactly this call, or a thrown `Denied` with `.reasons`.
        /// `permitId` fixes the permit's `jti`; `idempotencyKey` goes in its claims.
        protect(&g, capability: CapArg, request: ReqArg, proof: Option<Str>,
            idempotencyKey: Option<Str>, now: Option<Int>, permitId: Option<Str>) -> Permit = {
            let req = request::arg(&request)?;
            host::args!(?string: idempotencyKey, permitId;);
            let o = core::CallOptions {
                idempotency_key: idempotencyKey,
                permit_id: permitId,
                ..verifier::options(proof, now)?
            };
            g.protect(&host::cap(&capability)?, &req, &o).map(Permit::wrap)
        };
    } static {
        /// Permits are issued for the verifier's audience (the tool that runs the
        /// call). The guard shares the verifier (its revocations and replay
        /// store) and writes to `auditLog`. `store` is refused (`unsupported`):
        /// WebAssembly has no store.
        #[wasm_bindgen(constructor)]
        new(verifier: VerifierArg, permitIssuer: PermitIssuerArg, auditLog: AuditLogArg, store: Option<NoStore>) = {
            host::no_store(&store)?;
            host::args!(class: verifier, permitIssuer, auditLog;);
            let verifier: std::sync::Arc<core::Verifier> = verifier;
            Ok::<_, core::Error>(core::Guard::new(verifier, permitIssuer, auditLog))
        };
    }
}
