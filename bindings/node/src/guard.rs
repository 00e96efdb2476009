//! `Guard`: check -> permit -> receipt, fail closed.

use charter_core as core;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::args;
use crate::audit::AuditLog;
use crate::capability::CapabilityArg;
use crate::errors::{guard, OrThrow, Result};
use crate::permit::{Permit, PermitIssuer};
use crate::request::Request;
use crate::verifier::{decision, Decision, Verifier};

/// check -> permit -> receipt, fail closed: `protect()` returns a `Permit` or
/// throws `Denied`, and records a receipt either way.
#[napi]
pub struct Guard {
    inner: core::Guard,
}

#[napi]
impl Guard {
    /// The guard decides with the verifier's roots, audience, revocations and
    /// replay store (shared with `verifier`), signs permits for the verifier's
    /// audience, and records in `auditLog`.
    #[napi(constructor)]
    pub fn new(
        verifier: &Verifier,
        permit_issuer: &PermitIssuer,
        audit_log: &AuditLog,
    ) -> Result<Self> {
        guard(|| {
            Ok(Guard {
                inner: core::Guard::new(
                    verifier.inner.clone(),
                    permit_issuer.inner.clone(),
                    audit_log.inner.clone(),
                ),
            })
        })
    }

    /// Decides and records the decision; returns it as data.
    #[napi]
    pub fn check(
        &self,
        #[napi(ts_arg_type = "Capability | string")] capability: Unknown,
        request: &Request,
        proof: Option<String>,
        now: Option<f64>,
    ) -> Result<Decision> {
        guard(|| {
            let now = args::now(now)?;
            let d = match CapabilityArg::read(&capability)? {
                CapabilityArg::Parsed(c) => {
                    self.inner
                        .check(&c.inner, &request.inner, proof.as_deref(), now)
                }
                CapabilityArg::Text(t) => {
                    self.inner
                        .check_token(&t, &request.inner, proof.as_deref(), now)
                }
            };
            Ok(decision(&d))
        })
    }

    /// A permit for exactly this call, or throws `Denied` (with `.reasons`).
    /// `permitId` fixes the permit's `jti` (default random).
    #[napi]
    pub fn protect(
        &self,
        #[napi(ts_arg_type = "Capability | string")] capability: Unknown,
        request: &Request,
        proof: Option<String>,
        idempotency_key: Option<String>,
        now: Option<f64>,
        permit_id: Option<String>,
    ) -> Result<Permit> {
        guard(|| {
            let now = args::now(now)?;
            let (proof, idem, jti) = (
                proof.as_deref(),
                idempotency_key.as_deref(),
                permit_id.as_deref(),
            );
            let p = match CapabilityArg::read(&capability)? {
                CapabilityArg::Parsed(c) => {
                    self.inner
                        .protect(&c.inner, &request.inner, proof, idem, now, jti)
                }
                CapabilityArg::Text(t) => {
                    self.inner
                        .protect_token(&t, &request.inner, proof, idem, now, jti)
                }
            };
            Ok(Permit {
                inner: p.or_throw()?,
            })
        })
    }
}
