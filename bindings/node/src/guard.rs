//! `Guard`: check -> permit -> receipt, fail closed.

use charter_core as core;
use napi::bindgen_prelude::{Either, Unknown};
use napi_derive::napi;

use crate::audit::AuditLog;
use crate::capability::CapabilityArg;
use crate::error::{guard, Result};
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
    /// The core's message (names every reason).
    pub message: String,
    /// Why.
    pub reasons: Vec<core::Reason>,
}

#[napi]
impl Guard {
    /// The guard decides with the verifier's roots, audience, revocations and
    /// replay store (shared with `verifier`), signs permits for the verifier's
    /// audience, and records in `auditLog`.
    #[napi(constructor)]
    pub fn new(verifier: &Verifier, permit_issuer: &PermitIssuer, audit_log: &AuditLog) -> Self {
        Guard(core::Guard::new(
            verifier.0.clone(),
            permit_issuer.0.clone(),
            audit_log.0.clone(),
        ))
    }

    /// Decides and records the decision; returns it as data.
    #[napi(ts_return_type = "Decision")]
    pub fn check(
        &self,
        #[napi(ts_arg_type = "Capability | string")] capability: Unknown,
        #[napi(ts_arg_type = "Request | import('./charter').RequestJson | string")]
        request: Unknown,
        proof: Option<String>,
        now: Option<f64>,
    ) -> Result<Option<core::Decision>> {
        guard(|| {
            let (cap, req) = (CapabilityArg::read(capability)?, RequestArg::read(request)?);
            Ok(decision(self.0.check(
                cap.as_ref(),
                req.get(),
                &options(proof, now)?,
            )))
        })
    }

    /// A permit for exactly this call, or throws `Denied` (with `.reasons`).
    /// `permitId` fixes the permit's `jti` (default random).
    #[napi(ts_return_type = "Permit")]
    pub fn protect(
        &self,
        #[napi(ts_arg_type = "Capability | string")] capability: Unknown,
        #[napi(ts_arg_type = "Request | import('./charter').RequestJson | string")]
        request: Unknown,
        proof: Option<String>,
        idempotency_key: Option<String>,
        now: Option<f64>,
        permit_id: Option<String>,
    ) -> Result<Either<Permit, Denial>> {
        guard(|| {
            let (cap, req) = (CapabilityArg::read(capability)?, RequestArg::read(request)?);
            let o = core::CallOptions {
                idempotency_key,
                permit_id,
                ..options(proof, now)?
            };
            match self.0.protect(cap.as_ref(), req.get(), &o) {
                Ok(permit) => Ok(Either::A(Permit(permit))),
                Err(e) if e.code() == core::ErrorCode::Denied => {
                    let (message, reasons) = (e.message().to_string(), e.reasons().to_vec());
                    Ok(Either::B(Denial { message, reasons }))
                }
                Err(e) => Err(e),
            }
        })
    }
}
