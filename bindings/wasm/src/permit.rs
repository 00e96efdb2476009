use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::error::record;
use crate::host::{self, Claims, Int, JsonArg, KeysArg, NoStore, SigningKeyArg, Str};
use crate::keys;

/// PermitClaims as a JS object (`idem` null when absent).
fn claims(c: &core::PermitClaims) -> Claims {
    let mut v = serde_json::to_value(c).unwrap_or_default();
    v["idem"] = c.idem.clone().into();
    record(&v)
}

crate::class! {
    /// Signs permits: one allowed call, short-lived, single-use.
    PermitIssuer(core::PermitIssuer) {
        /// The signing key's id (the permits' `kid`).
        (getter) kid: String = |p| p.kid().to_string();
    } fn {
        /// A permit for one call. `args` is a JSON object or its text; `now`
        /// defaults to the platform clock, `jti` to 128 random bits.
        #[allow(clippy::too_many_arguments)] // surface.json's parameters, one by one
        issue(&p, subject: Str, audience: Str, action: Str, args: JsonArg, capabilityId: Str,
            now: Option<Int>, jti: Option<Str>, idempotencyKey: Option<Str>) -> Permit = {
            host::args!(string: subject, audience, action, capabilityId; json_value: args;);
            host::args!(?string: jti, idempotencyKey; now: now;);
            let req = core::PermitRequest {
                jti: jti.as_deref(),
                idempotency_key: idempotencyKey.as_deref(),
                ..core::PermitRequest::new(&subject, &audience, &action, &args, &capabilityId)
            };
            p.issue(&req, now).map(Permit::wrap)
        };
    } static {
        /// `issuer` names the signer (the `iss` claim); `ttl` is the permits'
        /// lifetime in seconds (the core's default when absent). `store` is
        /// refused (`unsupported`): WebAssembly has no store.
        #[wasm_bindgen(constructor)]
        new(signingKey: SigningKeyArg, issuer: Str, ttl: Option<Int>, store: Option<NoStore>) = {
            host::no_store(&store)?;
            host::args!(class: signingKey; string: issuer; ?int: ttl;);
            core::PermitIssuer::new(signingKey, issuer).with_ttl(ttl)
        };
    }
}

crate::class! {
    /// A permit token and its claims. `parse()` verifies nothing.
    Permit(core::Permit) {
        /// The JWS compact token.
        (getter) token: String = |p| p.token().to_string();
        /// The decoded claims.
        (getter) claims: Claims = |p| claims(p.claims());
        /// The signing key's id.
        (getter) kid: String = |p| p.kid().to_string();
    } fn {} static {
        /// Decodes a permit for inspection. This verifies NOTHING: use
        /// `PermitVerifier.verify` to decide.
        parse(token: Str) = core::Permit::parse(&host::arg!(string: token));
    }
}

crate::class! {
    /// Verifies permits offline with a public key set, each once.
    PermitVerifier(core::PermitVerifier) {} fn {
        /// Verifies `token` for this call (`action`, `args`) at `now` (default:
        /// the platform clock) and consumes its `jti`: the claims, or a throw.
        verify(&v, token: Str, action: Str, args: JsonArg, now: Option<Int>) -> Claims = {
            host::args!(string: token, action; json_value: args; now: now;);
            v.verify(&token, &action, &args, now).map(|c| claims(&c))
        };
    } static {
        /// Trusts `keys` (a KeySet, a JWKS object or its text) for permits
        /// addressed to `audience`; `leeway` is the clock leeway in seconds.
        /// `store` is refused (`unsupported`): WebAssembly has no store.
        #[wasm_bindgen(constructor)]
        new(keys: KeysArg, audience: Str, leeway: Option<Int>, store: Option<NoStore>) = {
            host::no_store(&store)?;
            let keys = keys::arg(&keys, "keys")?;
            host::args!(string: audience; ?int: leeway;);
            core::PermitVerifier::new((*keys).clone(), audience).with_leeway(leeway)
        };
    }
}
