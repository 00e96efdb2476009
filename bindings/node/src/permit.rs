//! Permits: `PermitIssuer`, `Permit`, `PermitVerifier` (`PermitClaims` is the core's record).

use charter_core as core;
use std::sync::Arc;

use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::host::{json, now, opt_int};
use crate::keys::SigningKey;
use crate::store::Store;

/// Signs permits: one allowed call, short-lived, single-use.
#[napi]
pub struct PermitIssuer(pub(crate) core::PermitIssuer);

accessors!(PermitIssuer |i| get {
    "Id of the signing key (the JWS `kid`)."
    kid: String = i.kid().to_string();
} fn {} try {} twin {
    "A permit for one exact call. `jti` defaults to a random id."
    "`issue` on the libuv thread pool (an idempotency key in a store waits for the database)."
    issue issue_async(&self, subject: String, audience: String, action: String, #[napi(ts_arg_type = "Record<string, unknown> | string")] args: Unknown, capability_id: String, now: Option<f64>, jti: Option<String>, idempotency_key: Option<String>) -> Permit as "Permit" "Promise<Permit>" {
        let args = json(args, "args")?;
        let now = self::now(now)?;
    } => {
        let req = core::PermitRequest {
            jti: jti.as_deref(),
            idempotency_key: idempotency_key.as_deref(),
            ..core::PermitRequest::new(&subject, &audience, &action, &args, &capability_id)
        };
        Permit(i.issue(&req, now)?)
    };
} new {} ctor {
    "`issuer` is the `iss` claim; `ttl` the lifetime in seconds (default 60, at most 3600); `store`: where idempotency keys live (one key, one call, one permit, across replicas)."
    (signing_key: &SigningKey, issuer: String, ttl: Option<f64>, store: Option<&Store>) = {
        let issuer = core::PermitIssuer::new(signing_key.0.clone(), issuer);
        PermitIssuer(issuer.with_ttl(opt_int(ttl, "ttl")?)?.with_state(store.map(|s| &s.0)))
    };
});

/// A permit token and its claims. `parse()` verifies nothing.
#[napi]
pub struct Permit(pub(crate) core::Permit);

accessors!(Permit |p| get {
    "The compact JWS."
    token: String = p.token().to_string();
    "Its claims."
    claims: core::PermitClaims = p.claims().clone();
    "Id of the key that signed it."
    kid: String = p.kid().to_string();
} fn {} try {} new {
    "Parses a compact JWS strictly; verifies nothing."
    parse(token: String) -> Permit = Permit(core::Permit::parse(&token)?);
});

/// Verifies permits offline with a public key set, each once.
#[napi]
pub struct PermitVerifier(Arc<core::PermitVerifier>);

accessors!(PermitVerifier |v| get {} fn {} try {} twin {
    "Verifies `token` for this call and consumes it; returns its claims or throws."
    "`verify` on the libuv thread pool: resolves to the claims, or rejects (`replayed`, ...)."
    verify verify_async(&self, token: String, action: String, #[napi(ts_arg_type = "Record<string, unknown> | string")] args: Unknown, now: Option<f64>) -> core::PermitClaims as "PermitClaims" "Promise<PermitClaims>" {
        let args = json(args, "args")?;
        let now = self::now(now)?;
    } => v.verify(&token, &action, &args, now)?;
} new {} ctor {
    "`keys`: the trusted keys (a KeySet, or a JWKS as object or text); `audience`: this service; `leeway`: clock skew tolerated, seconds (default 30)."
    (#[napi(ts_arg_type = "KeySet | import('./charter').Jwks | string")] keys: Unknown, audience: String, leeway: Option<f64>, store: Option<&Store>) = {
        let verifier = core::PermitVerifier::new(crate::keys::keys(keys)?, audience);
        let verifier = verifier.with_leeway(opt_int(leeway, "leeway")?)?;
        PermitVerifier(Arc::new(verifier.with_state(store.map(|s| &s.0))))
    };
});
