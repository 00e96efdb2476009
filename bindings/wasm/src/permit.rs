//! PermitIssuer, Permit, PermitVerifier.

use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::error::{record, JsResult};
use crate::host::{self, Claims, Int, Json, JsonArg, KeysArg, SigningKeyArg, Str};
use crate::keys;

/// PermitClaims as a JS object (`idem` null when absent).
fn claims(c: &core::PermitClaims) -> Claims {
    let mut v = serde_json::to_value(c).unwrap_or_default();
    v["idem"] = c.idem.clone().into();
    record(&v.to_string())
}

crate::class! {
    /// Signs permits: one allowed call, short-lived, single-use.
    PermitIssuer(core::PermitIssuer) {
        /// The signing key's id (the permits' `kid`).
        kid: String = |p| p.kid().to_string();
    }
}

#[wasm_bindgen]
impl PermitIssuer {
    /// `issuer` names the signer (the `iss` claim); `ttl` is the permits'
    /// lifetime in seconds (the core's default when absent).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = signingKey)] signing_key: SigningKeyArg,
        issuer: Str,
        ttl: Option<Int>,
    ) -> JsResult<PermitIssuer> {
        let key = host::obj::<core::SigningKey>(&signing_key, "signingKey", "SigningKey")?;
        let mut p = core::PermitIssuer::new((*key).clone(), host::string(&issuer, "issuer")?);
        if let Some(t) = host::opt_int(ttl.as_deref(), "ttl")? {
            p = p.with_ttl(t)?;
        }
        Ok(PermitIssuer::wrap(p))
    }

    /// A permit for one call. `args` is a JSON object or its text; `now`
    /// defaults to the platform clock, `jti` to 128 random bits.
    #[allow(clippy::too_many_arguments)] // surface.json's parameters, one by one
    pub fn issue(
        &self,
        subject: Str,
        audience: Str,
        action: Str,
        args: JsonArg,
        #[wasm_bindgen(js_name = capabilityId)] capability_id: Str,
        now: Option<Int>,
        jti: Option<Str>,
        #[wasm_bindgen(js_name = idempotencyKey)] idempotency_key: Option<Str>,
    ) -> JsResult<Permit> {
        let (subject, audience) = (
            host::string(&subject, "subject")?,
            host::string(&audience, "audience")?,
        );
        let action = host::string(&action, "action")?;
        let args = Json::read(&args, "args")?.value()?;
        let cap = host::string(&capability_id, "capabilityId")?;
        let now = host::now(now.as_deref())?;
        let jti = host::opt_string(jti.as_deref(), "jti")?;
        let idem = host::opt_string(idempotency_key.as_deref(), "idempotencyKey")?;
        let req = core::PermitRequest {
            jti: jti.as_deref(),
            idempotency_key: idem.as_deref(),
            ..core::PermitRequest::new(&subject, &audience, &action, &args, &cap)
        };
        Ok(Permit::wrap(self.inner().issue(&req, now)?))
    }
}

crate::class! {
    /// A permit token and its claims. `parse()` verifies nothing.
    Permit(core::Permit) {
        /// The JWS compact token.
        token: String = |p| p.token().to_string();
        /// The decoded claims.
        claims: Claims = |p| claims(p.claims());
        /// The signing key's id.
        kid: String = |p| p.kid().to_string();
    }
}

#[wasm_bindgen]
impl Permit {
    /// Decodes a permit for inspection. This verifies NOTHING: use
    /// `PermitVerifier.verify` to decide.
    pub fn parse(token: Str) -> JsResult<Permit> {
        Ok(Permit::wrap(core::Permit::parse(&host::string(
            &token, "token",
        )?)?))
    }
}

crate::class! {
    /// Verifies permits offline with a public key set, each once.
    PermitVerifier(core::PermitVerifier) {}
}

#[wasm_bindgen]
impl PermitVerifier {
    /// Trusts `keys` (a KeySet, a JWKS object or its text) for permits
    /// addressed to `audience`; `leeway` is the clock leeway in seconds.
    #[wasm_bindgen(constructor)]
    pub fn new(keys: KeysArg, audience: Str, leeway: Option<Int>) -> JsResult<PermitVerifier> {
        let keys = keys::arg(&keys, "keys")?;
        let mut v =
            core::PermitVerifier::new((*keys).clone(), host::string(&audience, "audience")?);
        if let Some(l) = host::opt_int(leeway.as_deref(), "leeway")? {
            v = v.with_leeway(l)?;
        }
        Ok(PermitVerifier::wrap(v))
    }

    /// Verifies `token` for this call (`action`, `args`) at `now` (default:
    /// the platform clock) and consumes its `jti`: the claims, or a throw.
    pub fn verify(
        &self,
        token: Str,
        action: Str,
        args: JsonArg,
        now: Option<Int>,
    ) -> JsResult<Claims> {
        let token = host::string(&token, "token")?;
        let action = host::string(&action, "action")?;
        let args = Json::read(&args, "args")?.value()?;
        let now = host::now(now.as_deref())?;
        Ok(claims(&self.inner().verify(&token, &action, &args, now)?))
    }
}
