use crate::{core, export, wrap, Arc, KeySet, Result, SigningKey, Store};
use charter_core::{jcs, unix_now, PermitClaims};

export!(
/// A permit token and its claims. `parse` verifies nothing.
Permit(core::Permit) {
    /// Reads a permit's header and claims without verifying it (for display
    /// and routing; `PermitVerifier.verify` is what authorizes).
    fn parse(token: String) -> Result<Self> = wrap(core::Permit::parse(&token));
    /// The compact JWS text to hand to the tool.
    fn get_token(&self) -> String = self.0.token().to_string();
    /// Its claims.
    fn get_claims(&self) -> PermitClaims = self.0.claims().clone();
    /// The kid of the key that signed it.
    fn get_kid(&self) -> String = self.0.kid().to_string();
});

export!(
/// Signs permits: one allowed call, short-lived, single-use.
PermitIssuer(core::PermitIssuer) {
    #[uniffi::constructor(default(ttl = None, store = None))]
    /// `ttl`: seconds a permit lives, 1 to 3600 (the core's 60 when left
    /// out); `store`: where idempotency keys live (one key, one call, one
    /// permit, across replicas).
    fn new(signing_key: Arc<SigningKey>, issuer: String, ttl: Option<i64>, store: Option<Arc<Store>>)
        -> Result<Self> = {
        let inner = core::PermitIssuer::new(signing_key.0.clone(), issuer).with_ttl(ttl)?;
        Ok(PermitIssuer(inner.with_state(store.as_ref().map(|s| &s.0))))
    };
    /// Signs a permit for one call; `args` (JSON object text) is hashed into
    /// it. `jti` is random when left out: give it only in tests and vectors.
    #[uniffi::method(default(now = None, jti = None, idempotency_key = None))]
    #[allow(clippy::too_many_arguments)] // the surface's keyword arguments
    fn issue(&self, subject: String, audience: String, action: String, args: String, capability_id: String,
        now: Option<i64>, jti: Option<String>, idempotency_key: Option<String>) -> Result<Arc<Permit>> = {
        let args = jcs::parse(&args)?;
        let req = core::PermitRequest::new(&subject, &audience, &action, &args, &capability_id);
        let req = match &jti { Some(j) => req.with_jti(j), None => req };
        let req = match &idempotency_key { Some(k) => req.with_idempotency_key(k), None => req };
        Ok(Arc::new(Permit(self.0.issue(&req, now.unwrap_or_else(unix_now))?)))
    };
    /// The kid of the signing key (what a verifier's JWKS must hold).
    fn get_kid(&self) -> String = self.0.kid().to_string();
});

export!(
/// Verifies permits offline with a public key set, each once (its `jti` is
/// remembered). Only EdDSA, only trusted kids, bounded leeway.
PermitVerifier(core::PermitVerifier) {
    #[uniffi::constructor(default(leeway = None, store = None))]
    /// `leeway`: clock skew tolerated, 0 to 300 seconds (the core's 30 when
    /// left out); `store`: where accepted permits are remembered, so each is
    /// accepted once across every verifier on it.
    fn new(keys: Arc<KeySet>, audience: String, leeway: Option<i64>, store: Option<Arc<Store>>)
        -> Result<Self> = {
        let inner = core::PermitVerifier::new(keys.0.clone(), audience).with_leeway(leeway)?;
        Ok(PermitVerifier(inner.with_state(store.as_ref().map(|s| &s.0))))
    };
    /// Verifies `token` for this call (`action`, `args` as JSON object text)
    /// at `now`, consumes it, and returns its claims; any failure is an error.
    #[uniffi::method(default(now = None))]
    fn verify(&self, token: String, action: String, args: String, now: Option<i64>) -> Result<PermitClaims> =
        wrap(self.0.verify(&token, &action, &jcs::parse(&args)?, now.unwrap_or_else(unix_now)));
});
