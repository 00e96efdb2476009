use charter_core::permit as core;
use pyo3::prelude::*;

use crate::error::{check, detached};
use crate::host::{json_value, Of, Text, Time};
use crate::keys::{keyset, SigningKey};
use crate::store::Store;

methods!(@eq
/// A permit token (an EdDSA JWT any JOSE library can verify with the JWKS)
/// and its claims. `parse` verifies nothing.
Permit(core::Permit) {
    token: &str { .token() }
    kid: &str { .kid() }
    claims: core::PermitClaims { .claims().clone() }
}
    /// Decodes a token for inspection; verifies nothing.
    #[staticmethod]
    fn parse(token: Text) -> PyResult<Self> { check(core::Permit::parse(&token.0)).map(Permit) }
    fn __str__(&self) -> &str { self.0.token() }
);

methods!(
/// Signs permits: one allowed call, short-lived, single-use.
#[derive(Clone)]
PermitIssuer(core::PermitIssuer) {
    kid: &str { .kid() }
}
    #[new]
    #[pyo3(signature = (signing_key, issuer, ttl=None, store=None))]
    fn new(
        signing_key: Of<SigningKey>, issuer: Text, ttl: Option<i64>, store: Option<Of<Store>>,
    ) -> PyResult<Self> {
        let inner = check(core::PermitIssuer::new(signing_key.0 .0, issuer.0).with_ttl(ttl))?;
        Ok(PermitIssuer(inner.with_state(store.as_ref().map(|Of(Store(s))| s))))
    }
    #[pyo3(signature = (subject, audience, action, args, capability_id, now=None, jti=None, idempotency_key=None))]
    #[allow(clippy::too_many_arguments)] // the keyword parameters of surface.json
    fn issue(
        &self, subject: Text, audience: Text, action: Text, args: &Bound<'_, PyAny>,
        capability_id: Text, now: Option<Time>, jti: Option<Text>, idempotency_key: Option<Text>,
    ) -> PyResult<Permit> {
        let py = args.py();
        let args = json_value(args, "args")?;
        let now = now.map_or_else(charter_core::unix_now, |t| t.0);
        let req = core::PermitRequest {
            jti: jti.as_ref().map(|j| j.0.as_str()),
            idempotency_key: idempotency_key.as_ref().map(|k| k.0.as_str()),
            ..core::PermitRequest::new(&subject.0, &audience.0, &action.0, &args, &capability_id.0)
        };
        detached(py, || self.0.issue(&req, now)).map(Permit)
    }
);

methods!(
/// Verifies permits offline with a public key set, each once (across every
/// verifier on `store`, when one is given).
PermitVerifier(core::PermitVerifier) {}
    #[new]
    #[pyo3(signature = (keys, audience, leeway=None, store=None))]
    fn new(
        keys: &Bound<'_, PyAny>, audience: Text, leeway: Option<i64>, store: Option<Of<Store>>,
    ) -> PyResult<Self> {
        let inner = core::PermitVerifier::new(keyset(keys, "keys")?, audience.0);
        let inner = check(inner.with_leeway(leeway))?;
        Ok(PermitVerifier(inner.with_state(store.as_ref().map(|Of(Store(s))| s))))
    }
    #[pyo3(signature = (token, action, args, now=None))]
    fn verify(
        &self, token: Text, action: Text, args: &Bound<'_, PyAny>, now: Option<Time>,
    ) -> PyResult<core::PermitClaims> {
        let py = args.py();
        let args = json_value(args, "args")?;
        let now = now.map_or_else(charter_core::unix_now, |t| t.0);
        detached(py, || self.0.verify(&token.0, &action.0, &args, now))
    }
);
