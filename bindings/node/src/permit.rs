//! Permits: `PermitIssuer`, `Permit`, `PermitVerifier`; `PermitClaims` is data.

use charter_core as core;
use napi::bindgen_prelude::{Either, Null, Unknown};
use napi_derive::napi;

use crate::args;
use crate::errors::{guard, OrThrow, Result};
use crate::json;
use crate::keys::{KeySet, SigningKey};

/// The claims of a permit (a JWT): who (`sub`) may do what (`act`, with the
/// arguments hashed in `args`) where (`aud`), under which capability (`cap`),
/// from `iat` until `exp`, once (`jti`).
#[napi(object)]
pub struct PermitClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub act: String,
    pub args: String,
    pub cap: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    #[napi(ts_type = "string | null")]
    pub idem: Either<String, Null>,
}

pub fn claims(c: &core::PermitClaims) -> PermitClaims {
    PermitClaims {
        iss: c.iss.clone(),
        sub: c.sub.clone(),
        aud: c.aud.clone(),
        act: c.act.clone(),
        args: c.args.clone(),
        cap: c.cap.clone(),
        iat: c.iat,
        exp: c.exp,
        jti: c.jti.clone(),
        idem: match &c.idem {
            Some(k) => Either::A(k.clone()),
            None => Either::B(Null),
        },
    }
}

/// Signs permits: one allowed call, short-lived, single-use.
#[napi]
pub struct PermitIssuer {
    pub(crate) inner: core::PermitIssuer,
}

#[napi]
impl PermitIssuer {
    /// `issuer` is the `iss` claim; `ttl` the lifetime in seconds (default 60, at most 3600).
    #[napi(constructor)]
    pub fn new(signing_key: &SigningKey, issuer: String, ttl: Option<f64>) -> Result<Self> {
        guard(|| {
            let mut inner = core::PermitIssuer::new(signing_key.inner.clone(), issuer);
            if let Some(ttl) = args::opt_int(ttl, "ttl")? {
                inner = inner.with_ttl(ttl).or_throw()?;
            }
            Ok(PermitIssuer { inner })
        })
    }

    /// A permit for one exact call. `jti` defaults to a random id.
    #[napi]
    #[allow(clippy::too_many_arguments)]
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
            let args = json::arg(&args, "args")?;
            let now = args::now(now)?;
            let mut req =
                core::PermitRequest::new(&subject, &audience, &action, &args, &capability_id);
            if let Some(j) = jti.as_deref() {
                req = req.with_jti(j);
            }
            if let Some(k) = idempotency_key.as_deref() {
                req = req.with_idempotency_key(k);
            }
            Ok(Permit {
                inner: self.inner.issue(&req, now).or_throw()?,
            })
        })
    }

    /// Id of the signing key (the JWS `kid`).
    #[napi]
    pub fn kid(&self) -> String {
        self.inner.kid().to_string()
    }
}

/// A permit token and its claims. `parse()` verifies nothing.
#[napi]
pub struct Permit {
    pub(crate) inner: core::Permit,
}

#[napi]
impl Permit {
    #[napi(factory)]
    pub fn parse(token: String) -> Result<Permit> {
        guard(|| {
            Ok(Permit {
                inner: core::Permit::parse(&token).or_throw()?,
            })
        })
    }

    /// The compact JWS.
    #[napi]
    pub fn token(&self) -> String {
        self.inner.token().to_string()
    }

    #[napi]
    pub fn claims(&self) -> PermitClaims {
        claims(self.inner.claims())
    }

    #[napi]
    pub fn kid(&self) -> String {
        self.inner.kid().to_string()
    }
}

/// Verifies permits offline with a public key set, each once.
#[napi]
pub struct PermitVerifier {
    inner: core::PermitVerifier,
}

#[napi]
impl PermitVerifier {
    /// `audience`: this service; `leeway`: clock skew tolerated, seconds (default 30).
    #[napi(constructor)]
    pub fn new(keys: &KeySet, audience: String, leeway: Option<f64>) -> Result<Self> {
        guard(|| {
            let mut inner = core::PermitVerifier::new(keys.inner.clone(), audience);
            if let Some(l) = args::opt_int(leeway, "leeway")? {
                inner = inner.with_leeway(l).or_throw()?;
            }
            Ok(PermitVerifier { inner })
        })
    }

    /// Verifies `token` for this call and consumes it; returns its claims or throws.
    #[napi]
    pub fn verify(
        &self,
        token: String,
        action: String,
        #[napi(ts_arg_type = "Record<string, unknown> | string")] args: Unknown,
        now: Option<f64>,
    ) -> Result<PermitClaims> {
        guard(|| {
            let args = json::arg(&args, "args")?;
            let now = args::now(now)?;
            Ok(claims(
                &self.inner.verify(&token, &action, &args, now).or_throw()?,
            ))
        })
    }
}
