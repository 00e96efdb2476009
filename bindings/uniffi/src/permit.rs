//! Permits: `PermitIssuer`, `Permit`, `PermitClaims`, `PermitVerifier`.

use std::sync::Arc;

use charter_core as core;

use crate::keys::{KeySet, SigningKey};
use crate::{now_or_clock, parse_json, CharterError};

/// The claims of a permit (`args`: the arguments' hash; `iat`/`exp`: Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
    pub idem: Option<String>,
}

impl From<&core::PermitClaims> for PermitClaims {
    fn from(c: &core::PermitClaims) -> Self {
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
            idem: c.idem.clone(),
        }
    }
}

/// A permit token and its claims. `parse` verifies nothing.
#[derive(uniffi::Object)]
pub struct Permit(pub(crate) core::Permit);

#[uniffi::export]
impl Permit {
    /// Reads a permit's header and claims without verifying it (for display
    /// and routing; `PermitVerifier.verify` is what authorizes).
    #[uniffi::constructor]
    pub fn parse(token: String) -> Result<Arc<Self>, CharterError> {
        Ok(Arc::new(Permit(core::Permit::parse(&token)?)))
    }

    /// The compact JWS text to hand to the tool.
    pub fn token(&self) -> String {
        self.0.token().to_string()
    }

    pub fn claims(&self) -> PermitClaims {
        self.0.claims().into()
    }

    /// The kid of the key that signed it.
    pub fn kid(&self) -> String {
        self.0.kid().to_string()
    }
}

/// Signs permits: one allowed call, short-lived, single-use.
#[derive(uniffi::Object)]
pub struct PermitIssuer(pub(crate) core::PermitIssuer);

#[uniffi::export]
impl PermitIssuer {
    /// `ttl`: seconds a permit lives, 1 to 3600 (60 by default).
    #[uniffi::constructor(default(ttl = None))]
    pub fn new(
        signing_key: Arc<SigningKey>,
        issuer: String,
        ttl: Option<i64>,
    ) -> Result<Arc<Self>, CharterError> {
        let mut inner = core::PermitIssuer::new(signing_key.0.clone(), issuer);
        if let Some(t) = ttl {
            inner = inner.with_ttl(t)?;
        }
        Ok(Arc::new(PermitIssuer(inner)))
    }

    /// Signs a permit for one call; `args` (the call's arguments as JSON text) is hashed into
    /// it. `jti` is random when left out: give it only in tests and vectors.
    #[uniffi::method(default(now = None, jti = None, idempotency_key = None))]
    #[allow(clippy::too_many_arguments)]
    pub fn issue(
        &self,
        subject: String,
        audience: String,
        action: String,
        args: String,
        capability_id: String,
        now: Option<i64>,
        jti: Option<String>,
        idempotency_key: Option<String>,
    ) -> Result<Arc<Permit>, CharterError> {
        let args = parse_json(&args)?;
        let mut req = core::PermitRequest::new(&subject, &audience, &action, &args, &capability_id);
        if let Some(j) = &jti {
            req = req.with_jti(j);
        }
        if let Some(k) = &idempotency_key {
            req = req.with_idempotency_key(k);
        }
        Ok(Arc::new(Permit(self.0.issue(&req, now_or_clock(now))?)))
    }

    /// The kid of the signing key (what a verifier's JWKS must hold).
    pub fn kid(&self) -> String {
        self.0.kid().to_string()
    }
}

/// Verifies permits offline with a public key set, each once (its `jti` is
/// remembered). Only EdDSA, only trusted kids, bounded leeway.
#[derive(uniffi::Object)]
pub struct PermitVerifier(core::PermitVerifier);

#[uniffi::export]
impl PermitVerifier {
    /// `leeway`: clock skew tolerated, 0 to 300 seconds (30 by default).
    #[uniffi::constructor(default(leeway = None))]
    pub fn new(
        keys: Arc<KeySet>,
        audience: String,
        leeway: Option<i64>,
    ) -> Result<Arc<Self>, CharterError> {
        let mut inner = core::PermitVerifier::new(keys.0.clone(), audience);
        if let Some(l) = leeway {
            inner = inner.with_leeway(l)?;
        }
        Ok(Arc::new(PermitVerifier(inner)))
    }

    /// Verifies `token` for this call (`action`, `args` as JSON object text)
    /// at `now`, consumes it, and returns its claims. Any failure is an error
    /// (`bad_signature`, `unknown_key`, `expired`, `replayed`,
    /// `audience_mismatch`, `action_mismatch`, `args_mismatch`, `malformed`).
    #[uniffi::method(default(now = None))]
    pub fn verify(
        &self,
        token: String,
        action: String,
        args: String,
        now: Option<i64>,
    ) -> Result<PermitClaims, CharterError> {
        let args = parse_json(&args)?;
        Ok((&self.0.verify(&token, &action, &args, now_or_clock(now))?).into())
    }
}
