//! `Guard`: check -> permit -> receipt, fail closed.

use std::sync::Arc;

use charter_core as core;

use crate::audit::AuditLog;
use crate::capability::Request;
use crate::permit::{Permit, PermitIssuer};
use crate::verify::{Decision, Verifier};
use crate::{now_or_clock, CharterError};

/// check -> permit -> receipt, fail closed: `protect` returns a Permit or
/// throws `Denied`, and records a receipt either way.
///
/// The guard takes the capability as its token text, as a gateway receives
/// it: a token that does not parse is a recorded denial, not an exception
/// before anything is recorded. It shares the verifier it is built with, so
/// `Verifier.revoke` applies to guarded calls too.
#[derive(uniffi::Object)]
pub struct Guard(core::Guard);

#[uniffi::export]
impl Guard {
    /// Permits are issued for the verifier's audience: the tool that runs the call.
    #[uniffi::constructor]
    pub fn new(
        verifier: Arc<Verifier>,
        permit_issuer: Arc<PermitIssuer>,
        audit_log: Arc<AuditLog>,
    ) -> Arc<Self> {
        Arc::new(Guard(core::Guard::new(
            verifier.inner.clone(),
            permit_issuer.0.clone(),
            audit_log.0.clone(),
        )))
    }

    /// Decides and records the decision; returns it as data (a denial is not
    /// an exception). If the receipt cannot be recorded, the decision is a denial.
    #[uniffi::method(default(proof = None, now = None))]
    pub fn check(
        &self,
        capability: String,
        request: Arc<Request>,
        proof: Option<String>,
        now: Option<i64>,
    ) -> Decision {
        self.0
            .check_token(&capability, &request.0, proof.as_deref(), now_or_clock(now))
            .into()
    }

    /// Returns a permit for exactly this call, or throws `Denied` carrying the
    /// reasons. A receipt is recorded either way. `permit_id` fixes the
    /// permit's jti (derive it from your own call id); random otherwise.
    #[uniffi::method(default(proof = None, idempotency_key = None, now = None, permit_id = None))]
    pub fn protect(
        &self,
        capability: String,
        request: Arc<Request>,
        proof: Option<String>,
        idempotency_key: Option<String>,
        now: Option<i64>,
        permit_id: Option<String>,
    ) -> Result<Arc<Permit>, CharterError> {
        let permit = self.0.protect_token(
            &capability,
            &request.0,
            proof.as_deref(),
            idempotency_key.as_deref(),
            now_or_clock(now),
            permit_id.as_deref(),
        )?;
        Ok(Arc::new(Permit(permit)))
    }
}
