//! Permits: one allowed call, short-lived, single-use, bound to its arguments
//! (an EdDSA JWT any JOSE library can verify with the JWKS).

use charter_core::permit as core;
use pyo3::prelude::*;

use crate::convert::{class, JsonArg, Text, Time};
use crate::errors::{check, detached, invalid};
use crate::keys::{KeySet, SigningKey};

/// The claims of a permit. `args` is the base64url SHA-256 of the canonical
/// arguments; `iat`/`exp` are int Unix seconds; `idem` the idempotency key or None.
#[pyclass(module = "charter", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PermitClaims {
    inner: core::PermitClaims,
}

impl From<core::PermitClaims> for PermitClaims {
    fn from(inner: core::PermitClaims) -> Self {
        PermitClaims { inner }
    }
}

#[pymethods]
impl PermitClaims {
    /// Issuer: the guard or gateway that decided.
    #[getter]
    fn iss(&self) -> &str {
        &self.inner.iss
    }
    /// Subject: the agent.
    #[getter]
    fn sub(&self) -> &str {
        &self.inner.sub
    }
    /// Audience: the tool or service that executes the call.
    #[getter]
    fn aud(&self) -> &str {
        &self.inner.aud
    }
    /// The action (tool name).
    #[getter]
    fn act(&self) -> &str {
        &self.inner.act
    }
    /// base64url SHA-256 of the canonical JSON of the arguments.
    #[getter]
    fn args(&self) -> &str {
        &self.inner.args
    }
    /// Id of the capability the call was allowed under.
    #[getter]
    fn cap(&self) -> &str {
        &self.inner.cap
    }
    #[getter]
    fn iat(&self) -> i64 {
        self.inner.iat
    }
    #[getter]
    fn exp(&self) -> i64 {
        self.inner.exp
    }
    /// Unique id; a verifier accepts it once.
    #[getter]
    fn jti(&self) -> &str {
        &self.inner.jti
    }
    /// The idempotency key of the call, when one was given.
    #[getter]
    fn idem(&self) -> Option<&str> {
        self.inner.idem.as_deref()
    }

    fn __repr__(&self) -> String {
        format!(
            "PermitClaims(sub={:?}, aud={:?}, act={:?}, jti={:?}, exp={})",
            self.inner.sub, self.inner.aud, self.inner.act, self.inner.jti, self.inner.exp
        )
    }
}

/// A permit token and its claims. `parse` verifies nothing: use a
/// PermitVerifier to decide.
#[pyclass(module = "charter", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct Permit {
    pub inner: core::Permit,
}

#[pymethods]
impl Permit {
    /// Decodes a token for inspection. This verifies nothing.
    #[staticmethod]
    fn parse(py: Python<'_>, token: Text) -> PyResult<Self> {
        Ok(Permit {
            inner: check(py, core::Permit::parse(&token.0))?,
        })
    }

    /// The JWS compact token (what travels to the tool).
    #[getter]
    fn token(&self) -> &str {
        self.inner.token()
    }

    #[getter]
    fn claims(&self) -> PermitClaims {
        self.inner.claims().clone().into()
    }

    /// The id of the key that (claims to have) signed it.
    #[getter]
    fn kid(&self) -> &str {
        self.inner.kid()
    }

    fn __str__(&self) -> &str {
        self.inner.token()
    }

    fn __repr__(&self) -> String {
        format!(
            "Permit(act={:?}, jti={:?}, kid={:?})",
            self.inner.claims().act,
            self.inner.claims().jti,
            self.inner.kid()
        )
    }
}

/// Signs permits: one allowed call, short-lived (`ttl` seconds, default 60,
/// at most 3600), single-use.
#[pyclass(module = "charter", frozen)]
pub struct PermitIssuer {
    pub inner: core::PermitIssuer,
}

#[pymethods]
impl PermitIssuer {
    #[new]
    #[pyo3(signature = (signing_key, issuer, ttl=None))]
    fn new(
        py: Python<'_>,
        signing_key: &Bound<'_, PyAny>,
        issuer: Text,
        ttl: Option<i64>,
    ) -> PyResult<Self> {
        let key = class::<SigningKey>(signing_key, "signing_key")?;
        let mut inner = core::PermitIssuer::new(key.get().inner.clone(), issuer.0);
        if let Some(t) = ttl {
            inner = check(py, inner.with_ttl(t))?;
        }
        Ok(PermitIssuer { inner })
    }

    /// Signs a permit for one call: `args` (dict or JSON text) is hashed into
    /// it. `now` defaults to the system clock; `jti` (random by default) is
    /// for tests and vectors.
    #[pyo3(signature = (subject, audience, action, args, capability_id, now=None, jti=None, idempotency_key=None))]
    #[allow(clippy::too_many_arguments)]
    fn issue(
        &self,
        py: Python<'_>,
        subject: Text,
        audience: Text,
        action: Text,
        args: JsonArg,
        capability_id: Text,
        now: Option<Time>,
        jti: Option<Text>,
        idempotency_key: Option<Text>,
    ) -> PyResult<Permit> {
        let now = now.map(|t| t.0).unwrap_or_else(charter_core::unix_now);
        let inner = &self.inner;
        let permit = detached(py, move || {
            let mut req = core::PermitRequest::new(
                &subject.0,
                &audience.0,
                &action.0,
                &args.0,
                &capability_id.0,
            );
            if let Some(j) = &jti {
                req = req.with_jti(&j.0);
            }
            if let Some(k) = &idempotency_key {
                req = req.with_idempotency_key(&k.0);
            }
            inner.issue(&req, now)
        })?;
        Ok(Permit { inner: permit })
    }

    /// The kid of the signing key (what a JWKS must hold to verify).
    #[getter]
    fn kid(&self) -> &str {
        self.inner.kid()
    }

    fn __repr__(&self) -> String {
        format!(
            "PermitIssuer(issuer={:?}, kid={:?})",
            self.inner.issuer(),
            self.inner.kid()
        )
    }
}

/// A KeySet argument: a KeySet, or JWKS (dict or JSON text).
pub fn keyset_arg(obj: &Bound<'_, PyAny>) -> PyResult<charter_core::KeySet> {
    let py = obj.py();
    if let Ok(k) = obj.cast::<KeySet>() {
        return Ok(k.get().inner.clone());
    }
    if obj.is_instance_of::<pyo3::types::PyString>() {
        return check(
            py,
            charter_core::KeySet::from_jwks(&obj.extract::<Text>()?.0),
        );
    }
    if obj.is_instance_of::<pyo3::types::PyDict>() {
        let v = obj.extract::<JsonArg>()?.0;
        let text = check(py, charter_core::jcs::canonicalize(&v))?;
        return check(py, charter_core::KeySet::from_jwks(&text));
    }
    Err(invalid(
        py,
        "keys must be a KeySet or a JWKS (dict or JSON text)",
    ))
}

/// Verifies permits offline with a public key set, each once (its `jti` is
/// remembered). Only EdDSA, only trusted kids, bounded leeway (default 30 s).
#[pyclass(module = "charter", frozen)]
pub struct PermitVerifier {
    inner: core::PermitVerifier,
}

#[pymethods]
impl PermitVerifier {
    #[new]
    #[pyo3(signature = (keys, audience, leeway=None))]
    fn new(
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        audience: Text,
        leeway: Option<i64>,
    ) -> PyResult<Self> {
        let mut inner = core::PermitVerifier::new(keyset_arg(keys)?, audience.0);
        if let Some(l) = leeway {
            inner = check(py, inner.with_leeway(l))?;
        }
        Ok(PermitVerifier { inner })
    }

    /// Verifies `token` for this call (`action`, `args` as dict or JSON text)
    /// at `now` and consumes it; returns its claims. Raises on any failure
    /// (bad_signature, unknown_key, expired, replayed, audience_mismatch,
    /// action_mismatch, args_mismatch, malformed).
    #[pyo3(signature = (token, action, args, now=None))]
    fn verify(
        &self,
        py: Python<'_>,
        token: Text,
        action: Text,
        args: JsonArg,
        now: Option<Time>,
    ) -> PyResult<PermitClaims> {
        let now = now.map(|t| t.0).unwrap_or_else(charter_core::unix_now);
        let inner = &self.inner;
        let claims = detached(py, move || inner.verify(&token.0, &action.0, &args.0, now))?;
        Ok(claims.into())
    }

    fn __repr__(&self) -> String {
        format!("PermitVerifier(audience={:?})", self.inner.audience())
    }
}
