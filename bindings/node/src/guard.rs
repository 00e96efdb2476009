use charter_core as core;
use napi::bindgen_prelude::{Either, Unknown};
use napi_derive::napi;

use crate::audit::AuditLog;
use crate::capability::cap_arg;
use crate::host::opt_int;
use crate::permit::{Permit, PermitIssuer};
use crate::request::request_arg;
use crate::store::Store;
use crate::verifier::{decision, Verifier};

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

accessors!(Guard |g| get {} fn {} try {} twin {
    "Decides and records the decision; returns it as data."
    "`check` on the libuv thread pool: the event loop keeps running while the store and the log answer."
    check check_async(&self, #[napi(ts_arg_type = "Capability | string")] capability: Unknown, #[napi(ts_arg_type = "Request | import('./charter').RequestJson | string")] request: Unknown, proof: Option<String>, now: Option<f64>) -> Option<core::Decision> as "Decision" "Promise<Decision>" {
        let req = request_arg(request)?;
        let o = core::CallOptions::check(proof, opt_int(now, "now")?);
        let cap = cap_arg(capability)?;
    } => decision(g.check(&cap, &req, &o));
    "A permit for exactly this call, or throws `Denied` (with `.reasons`). `permitId` fixes the permit's `jti` (default random)."
    "`protect` on the libuv thread pool: resolves to a `Permit`, or rejects with `Denied`."
    protect protect_async(&self, #[napi(ts_arg_type = "Capability | string")] capability: Unknown, #[napi(ts_arg_type = "Request | import('./charter').RequestJson | string")] request: Unknown, proof: Option<String>, idempotency_key: Option<String>, now: Option<f64>, permit_id: Option<String>) -> Protected as "Permit" "Promise<Permit>" {
        let req = request_arg(request)?;
        let o = core::CallOptions { proof, idempotency_key, permit_id, now: opt_int(now, "now")? };
        let cap = cap_arg(capability)?;
    } => settled(g.protect(&cap, &req, &o))?;
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

fn settled(r: core::Result<core::Permit>) -> core::Result<Protected> {
    match r {
        Ok(permit) => Ok(Either::A(Permit(permit))),
        Err(e) if e.code().family() == core::ErrorFamily::Denied => Ok(Either::B(Denial {
            code: e.code().as_str().to_string(),
            message: e.message().to_string(),
            reasons: e.reasons().to_vec(),
        })),
        Err(e) => Err(e),
    }
}
