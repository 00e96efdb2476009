use crate::{core, export, wrap, Arc, CapabilityInput, Request, Result, SigningKey};

export!(
/// An agent's key, proving possession of capabilities bound to it.
Holder(core::Holder) {
    /// A holder proving with `signing_key`.
    fn new(signing_key: Arc<SigningKey>) -> Self = Holder(core::Holder::new(signing_key.0.clone()));
    /// A proof for one request to one audience (capability text that does
    /// not parse is its parse error). `nonce` (16 to 64 bytes) is random when
    /// left out: give it only in tests (a repeated nonce is a replay).
    #[uniffi::method(default(now = None, nonce = None))]
    fn prove(&self, capability: CapabilityInput, request: Arc<Request>, audience: String, now: Option<i64>,
        nonce: Option<Vec<u8>>) -> Result<String> = {
        let now = now.unwrap_or_else(core::unix_now);
        wrap(self.0.prove_call(capability.as_ref(), &request.0, &audience, now, nonce.as_deref()))
    };
    /// The key id to bind capabilities to.
    fn get_kid(&self) -> String = self.0.kid();
});
