//! `Guard`: check -> permit -> receipt, fail closed.

use charter_core as core;
use napi::bindgen_prelude::{Either, Unknown};
use napi_derive::napi;

use crate::audit::AuditLog;
use crate::capability::with_cap;
use crate::permit::{Permit, PermitIssuer};
use crate::request::RequestArg;
use crate::verifier::{decision, options, Verifier};

/// check -> permit -> receipt, fail closed: `protect()` returns a `Permit` or
/// throws `Denied`, and records a receipt either way.
#[napi]
pub struct Guard(core::Guard);

/// A refusal of `protect`, which `charter.js` throws as `Denied`.
#[napi(object, object_from_js = false)]
pub struct Denial {
    /// `denied`, or `approval_required` when approvals are all that is
    /// missing (thrown as `ApprovalRequired`).
    pub code: String,
    /// The core's message (names every reason).
    pub message: String,
    /// Why.
    pub reasons: Vec<core::Reason>,
}

accessors!(Guard |g| get {} fn {} try {
    "Decides and records the decision; returns it as data."
    [ts_return_type = "Decision"]
    check(#[napi(ts_arg_type = "Capability | string")] capability: Unknown, #[napi(ts_arg_type = "Request | import('./charter').RequestJson | string")] request: Unknown, proof: Option<String>, now: Option<f64>) -> Option<core::Decision> = {
        let (req, o) = (RequestArg::read(request)?, options(proof, now)?);
        decision(with_cap(capability, |c| g.check(c, req.get(), &o))?)
    };
    "A permit for exactly this call, or throws `Denied` (with `.reasons`). `permitId` fixes the permit's `jti` (default random)."
    [ts_return_type = "Permit"]
    protect(#[napi(ts_arg_type = "Capability | string")] capability: Unknown, #[napi(ts_arg_type = "Request | import('./charter').RequestJson | string")] request: Unknown, proof: Option<String>, idempotency_key: Option<String>, now: Option<f64>, permit_id: Option<String>) -> Either<Permit, Denial> = {
        let req = RequestArg::read(request)?;
        let o = core::CallOptions { idempotency_key, permit_id, ..options(proof, now)? };
        match with_cap(capability, |c| g.protect(c, req.get(), &o))? {
            Ok(permit) => Either::A(Permit(permit)),
            Err(e) if e.code().family() == core::ErrorFamily::Denied => {
                let (message, reasons) = (e.message().to_string(), e.reasons().to_vec());
                Either::B(Denial { code: e.code().as_str().to_string(), message, reasons })
            }
            Err(e) => return Err(e),
        }
    };
} new {} ctor {
    "The guard decides with the verifier's roots, audience, revocations and replay store (shared with `verifier`), signs permits for the verifier's audience, and records in `auditLog`."
    (verifier: &Verifier, permit_issuer: &PermitIssuer, audit_log: &AuditLog) = {
        let (v, p, a) = (verifier.0.clone(), permit_issuer.0.clone(), audit_log.0.clone());
        Guard(core::Guard::new(v, p, a))
    };
});
