//! `Guard`: check -> permit -> receipt, fail closed.

use charter_core as core;
use napi::bindgen_prelude::{AsyncTask, Either, Unknown};
use napi_derive::napi;

use crate::audit::AuditLog;
use crate::capability::{with_cap, OwnedCap};
use crate::error::{guard, Result};
use crate::permit::{Permit, PermitIssuer};
use crate::request::RequestArg;
use crate::store::Store;
use crate::task::{spawn, Job};
use crate::verifier::{check_task, decision, options, Verifier};

/// check -> permit -> receipt, fail closed: `protect()` returns a `Permit` or
/// throws `Denied`, and records a receipt either way.
#[napi]
pub struct Guard(std::sync::Arc<core::Guard>);

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
        settled(with_cap(capability, |c| g.protect(c, req.get(), &o))?)?
    };
} new {} ctor {
    "The guard decides with the verifier's roots, audience, revocations and replay store (shared with `verifier`), signs permits for the verifier's audience, and records in `auditLog`; with `store`, protect's idempotency keys live in the store."
    (verifier: &Verifier, permit_issuer: &PermitIssuer, audit_log: &AuditLog, store: Option<&Store>) = {
        let (v, a) = (verifier.0.clone(), audit_log.0.clone());
        let p = permit_issuer.0.clone().with_state(store.map(|s| &s.0));
        Guard(std::sync::Arc::new(core::Guard::new(v, p, a)))
    };
});

/// What `protect` gives JS: the permit, or the denial `charter.js` throws.
type Protected = Either<Permit, Denial>;

/// A protect result as JS sees it: the permit, or the denial `charter.js` throws.
fn settled(r: core::Result<core::Permit>) -> core::Result<Protected> {
    match r {
        Ok(permit) => Ok(Either::A(Permit(permit))),
        Err(e) if e.code().family() == core::ErrorFamily::Denied => {
            let (message, reasons) = (e.message().to_string(), e.reasons().to_vec());
            let code = e.code().as_str().to_string();
            Ok(Either::B(Denial {
                code,
                message,
                reasons,
            }))
        }
        Err(e) => Err(e),
    }
}

#[napi]
impl Guard {
    /// `check` on the libuv thread pool: the event loop keeps running while the store and the log answer.
    #[napi(ts_return_type = "Promise<Decision>")]
    pub fn check_async(
        &self,
        #[napi(ts_arg_type = "Capability | string")] capability: Unknown,
        #[napi(ts_arg_type = "Request | import('./charter').RequestJson | string")]
        request: Unknown,
        proof: Option<String>,
        now: Option<f64>,
    ) -> Result<AsyncTask<Job<core::Decision, Option<core::Decision>>>> {
        check_task(
            self.0.clone(),
            capability,
            request,
            proof,
            now,
            |g, c, r, o| g.check(c, r, o),
        )
    }

    /// `protect` on the libuv thread pool: resolves to a `Permit`, or rejects with `Denied`.
    #[napi(ts_return_type = "Promise<Permit>")]
    #[allow(clippy::too_many_arguments)] // the positional JS signature of surface.json
    pub fn protect_async(
        &self,
        #[napi(ts_arg_type = "Capability | string")] capability: Unknown,
        #[napi(ts_arg_type = "Request | import('./charter').RequestJson | string")]
        request: Unknown,
        proof: Option<String>,
        idempotency_key: Option<String>,
        now: Option<f64>,
        permit_id: Option<String>,
    ) -> Result<AsyncTask<Job<Protected, Protected>>> {
        guard(|| {
            let (cap, req) = (
                OwnedCap::read(capability)?,
                RequestArg::read(request)?.owned(),
            );
            let o = core::CallOptions {
                idempotency_key,
                permit_id,
                ..options(proof, now)?
            };
            let g = self.0.clone();
            Ok(spawn(
                move || settled(g.protect(cap.get(), &req, &o)),
                |r| r,
            ))
        })
    }
}
