//! Permits: `PermitIssuer`, `Permit`, `PermitVerifier` (`PermitClaims` is the core's record).

use charter_core as core;
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi_derive::napi;

use crate::error::{guard, Result};
use crate::host::{json, now, opt_int};
use crate::keys::SigningKey;
use crate::store::Store;
use crate::task::{spawn, Job};

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
            let call = Call {
                subject,
                audience,
                action,
                args,
                capability_id,
                jti,
                idempotency_key,
            };
            Ok(Permit(call.issue(&self.0, now)?))
        })
    }

    /// `issue` on the libuv thread pool (an idempotency key in a store waits for the database).
    #[napi(ts_return_type = "Promise<Permit>")]
    #[allow(clippy::too_many_arguments)] // the positional JS signature of surface.json
    pub fn issue_async(
        &self,
        subject: String,
        audience: String,
        action: String,
        #[napi(ts_arg_type = "Record<string, unknown> | string")] args: Unknown,
        capability_id: String,
        now: Option<f64>,
        jti: Option<String>,
        idempotency_key: Option<String>,
    ) -> Result<AsyncTask<Job<core::Permit, Permit>>> {
        guard(|| {
            let (args, now) = (json(args, "args")?, self::now(now)?);
            let call = Call {
                subject,
                audience,
                action,
                args,
                capability_id,
                jti,
                idempotency_key,
            };
            let issuer = self.0.clone();
            Ok(spawn(move || call.issue(&issuer, now), Permit))
        })
    }
}

/// The arguments of one `issue`, owned.
struct Call {
    subject: String,
    audience: String,
    action: String,
    args: serde_json::Value,
    capability_id: String,
    jti: Option<String>,
    idempotency_key: Option<String>,
}

impl Call {
    fn issue(&self, issuer: &core::PermitIssuer, now: i64) -> core::Result<core::Permit> {
        let (s, a, act, cap) = (
            &self.subject,
            &self.audience,
            &self.action,
            &self.capability_id,
        );
        let mut req = core::PermitRequest::new(s, a, act, &self.args, cap);
        if let Some(j) = self.jti.as_deref() {
            req = req.with_jti(j);
        }
        if let Some(k) = self.idempotency_key.as_deref() {
            req = req.with_idempotency_key(k);
        }
        issuer.issue(&req, now)
    }
}

accessors!(PermitIssuer |i| get {
    "Id of the signing key (the JWS `kid`)."
    kid: String = i.kid().to_string();
} fn {} try {} new {} ctor {
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

accessors!(PermitVerifier |v| get {} fn {} try {
    "Verifies `token` for this call and consumes it; returns its claims or throws."
    verify(token: String, action: String, #[napi(ts_arg_type = "Record<string, unknown> | string")] args: Unknown, now: Option<f64>) -> core::PermitClaims = v.verify(&token, &action, &json(args, "args")?, self::now(now)?)?;
} new {} ctor {
    "`keys`: the trusted keys (a KeySet, or a JWKS as object or text); `audience`: this service; `leeway`: clock skew tolerated, seconds (default 30)."
    (#[napi(ts_arg_type = "KeySet | import('./charter').Jwks | string")] keys: Unknown, audience: String, leeway: Option<f64>, store: Option<&Store>) = {
        let verifier = core::PermitVerifier::new(crate::keys::keys(keys)?, audience);
        let verifier = verifier.with_leeway(opt_int(leeway, "leeway")?)?;
        PermitVerifier(Arc::new(verifier.with_state(store.map(|s| &s.0))))
    };
});

#[napi]
impl PermitVerifier {
    /// `verify` on the libuv thread pool: resolves to the claims, or rejects (`replayed`, ...).
    #[napi(ts_return_type = "Promise<PermitClaims>")]
    pub fn verify_async(
        &self,
        token: String,
        action: String,
        #[napi(ts_arg_type = "Record<string, unknown> | string")] args: Unknown,
        now: Option<f64>,
    ) -> Result<AsyncTask<Job<core::PermitClaims, core::PermitClaims>>> {
        guard(|| {
            let (args, now, v) = (json(args, "args")?, self::now(now)?, self.0.clone());
            Ok(spawn(move || v.verify(&token, &action, &args, now), |c| c))
        })
    }
}
