use crate::{core, export, wrap, Arc, CapabilityInput, Request, Result, RootKey, Store};

export!(
/// Decides calls against capabilities minted with its root keys.
Verifier(Arc<core::Verifier>) {
    #[uniffi::constructor(default(proof_window = None, leeway = None, store = None))]
    /// `proof_window` (how long a holder proof stays fresh, 1 to 600
    /// seconds) and `leeway` (clock skew tolerated, 0 to 600 seconds): the
    /// core's defaults (60 and 30) when left out. `store`: where
    /// revocations, holder-proof nonces and budgets live (this object's
    /// memory when left out).
    fn new(roots: Vec<Arc<RootKey>>, audience: String, proof_window: Option<i64>, leeway: Option<i64>,
        store: Option<Arc<Store>>) -> Result<Self> = {
        let verifier = core::Verifier::new(roots.iter().map(|r| r.0.clone()), audience)?;
        let verifier = verifier.with_proof_window(proof_window, leeway)?;
        Ok(Verifier(Arc::new(verifier.with_state(store.as_ref().map(|s| &s.0)))))
    };
    /// Decides one call; `options` gives the proof and the time. A denial is
    /// data (`allowed == false` with reasons), never an error. Kotlin and
    /// Swift callers use the overloads taking a `Capability` or its text.
    fn check(&self, capability: CapabilityInput, request: Arc<Request>, options: core::CallOptions) -> core::Decision =
        self.0.check(capability.as_ref(), &request.0, &options);
    /// Revokes a capability id (that capability and every one narrowed from
    /// it) or a token id (every capability minted with it); anything else is
    /// `invalid_argument`.
    fn revoke(&self, capability_id: String) -> Result<()> = wrap(self.0.revoke(&capability_id));
    /// The identity caveats see as `audience`; permits are issued for it.
    fn get_audience(&self) -> String = self.0.audience().to_string();
});
