use crate::{
    core, export, wrap, Arc, AuditLog, CapabilityInput, Permit, PermitIssuer, Request, Result,
    Store, Verifier,
};
use charter_core::CallOptions;

export!(
/// check -> permit -> receipt, fail closed: `protect` returns a Permit or
/// throws `Denied`, and records a receipt either way. It shares its
/// verifier, so `Verifier.revoke` applies to guarded calls too.
Guard(core::Guard) {
    #[uniffi::constructor(default(store = None))]
    /// Permits are issued for the verifier's audience: the tool that runs
    /// the call. With `store`, protect's idempotency keys live in the store.
    fn new(verifier: Arc<Verifier>, permit_issuer: Arc<PermitIssuer>, audit_log: Arc<AuditLog>,
        store: Option<Arc<Store>>) -> Self = {
        let permits = permit_issuer.0.clone().with_state(store.as_ref().map(|s| &s.0));
        Guard(core::Guard::new(verifier.0.clone(), permits, audit_log.0.clone()))
    };
    /// Decides and records the decision; returns it as data. Capability text
    /// that does not parse, or a receipt that cannot be recorded, is a denial.
    fn check(&self, capability: CapabilityInput, request: Arc<Request>, options: core::CallOptions) -> core::Decision =
        self.0.check(capability.as_ref(), &request.0, &options);
    /// A permit for exactly this call, or `Denied` carrying the reasons; a
    /// receipt is recorded either way. `options.permit_id` fixes the permit's
    /// jti (derive it from your own call id); random otherwise.
    fn protect(&self, capability: CapabilityInput, request: Arc<Request>, options: CallOptions)
        -> Result<Permit> = wrap(self.0.protect(capability.as_ref(), &request.0, &options));
});
