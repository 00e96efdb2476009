//! Permits: `PermitIssuer`, `Permit`, `PermitVerifier` (`PermitClaims` is the core's record).

use charter_core as core;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::error::{guard, Result};
use crate::host::{json, now, opt_int};
use crate::keys::SigningKey;

/// Signs permits: one allowed call, short-lived, single-use.
#[napi]
pub struct PermitIssuer(pub(crate) core::PermitIssuer);

#[napi]
impl PermitIssuer {
    /// A permit for one exact call. `jti` defaults to a random id.
    #[napi]
    #[allow(clippy::too_many_arguments)] // the positional JS signature of surface.json
    pub fn issue(
        &self,
        subject: String,
        audience: String,
        action: String,
        #[napi(ts_arg_type = "Record<string, unknown> | string")] args: Unknown,
        capability_id: String,
        now: Option<f64>,
        jti: Option<String>,
        idempotency_key: Option<String>,
    ) -> Result<Permit> {
        guard(|| {
            let (args, now) = (json(args, "args")?, self::now(now)?);
            let mut req =
                core::PermitRequest::new(&subject, &audience, &action, &args, &capability_id);
            if let Some(j) = jti.as_deref() {
                req = req.with_jti(j);
            }
            if let Some(k) = idempotency_key.as_deref() {
                req = req.with_idempotency_key(k);
            }
            Ok(Permit(self.0.issue(&req, now)?))
        })
    }
}

accessors!(PermitIssuer |i| get {
    "Id of the signing key (the JWS `kid`)."
    kid: String = i.kid().to_string();
} fn {} try {} new {} ctor {
    "`issuer` is the `iss` claim; `ttl` the lifetime in seconds (default 60, at most 3600)."
    (signing_key: &SigningKey, issuer: String, ttl: Option<f64>) = {
        let issuer = core::PermitIssuer::new(signing_key.0.clone(), issuer);
        PermitIssuer(match opt_int(ttl, "ttl")? {
            Some(ttl) => issuer.with_ttl(ttl)?,
            None => issuer,
        })
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
pub struct PermitVerifier(core::PermitVerifier);

accessors!(PermitVerifier |v| get {} fn {} try {
    "Verifies `token` for this call and consumes it; returns its claims or throws."
    verify(token: String, action: String, #[napi(ts_arg_type = "Record<string, unknown> | string")] args: Unknown, now: Option<f64>) -> core::PermitClaims = v.verify(&token, &action, &json(args, "args")?, self::now(now)?)?;
} new {} ctor {
    "`keys`: the trusted keys (a KeySet, or a JWKS as object or text); `audience`: this service; `leeway`: clock skew tolerated, seconds (default 30)."
    (#[napi(ts_arg_type = "KeySet | import('./charter').Jwks | string")] keys: Unknown, audience: String, leeway: Option<f64>) = {
        let verifier = core::PermitVerifier::new(crate::keys::keys(keys)?, audience);
        PermitVerifier(match opt_int(leeway, "leeway")? {
            Some(l) => verifier.with_leeway(l)?,
            None => verifier,
        })
    };
});
