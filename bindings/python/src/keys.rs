use charter_core::keys as core;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use crate::error::{check, invalid};
use crate::host::{json_input, json_value, list, text, to_python, Blob, Of, Text, Time};

methods!(
/// A secret HMAC key that capabilities are minted from (32 to 1024 bytes).
#[derive(Clone)]
RootKey(core::RootKey) {
    kid: &str { .kid() }
}
    /// A new random 32-byte root key.
    #[staticmethod]
    fn generate() -> Self { RootKey(core::RootKey::generate()) }
    /// From secret bytes (32 to 1024).
    #[staticmethod]
    fn from_bytes(bytes: Blob) -> PyResult<Self> {
        check(core::RootKey::from_bytes(&bytes.0)).map(RootKey)
    }
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.0.to_bytes())
    }
);

methods!(
/// An Ed25519 private key (a 32-byte seed).
#[derive(Clone)]
SigningKey(core::SigningKey) {
    kid: String { .kid() }
}
    /// A new random key.
    #[staticmethod]
    fn generate() -> Self { SigningKey(core::SigningKey::generate()) }
    /// From the 32-byte seed.
    #[staticmethod]
    fn from_bytes(bytes: Blob) -> PyResult<Self> {
        check(core::SigningKey::from_bytes(&bytes.0)).map(SigningKey)
    }
    fn public_key(&self) -> PublicKey { PublicKey(self.0.public_key()) }
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &*self.0.to_bytes())
    }
    /// Signs an approval of one exact call (contract/approvals.md).
    #[pyo3(signature = (capability, action, args, audience, expires_in, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn approve(
        &self, py: Python<'_>, capability: &Bound<'_, PyAny>, action: Text, args: &Bound<'_, PyAny>,
        audience: Text, expires_in: i64, now: Option<Time>,
    ) -> PyResult<String> {
        let cap = crate::capability::capability(capability)?;
        let args = json_input(args, "args")?;
        let now = now.map(|t| t.0);
        crate::error::detached(py, || {
            self.0.approve_call(cap, &action.0, args, &audience.0, expires_in, now)
        })
    }
);

methods!(@eq
/// An Ed25519 public key; `kid` is its RFC 7638 thumbprint.
#[derive(Clone)]
PublicKey(core::PublicKey) {
    kid: &str { .kid() }
}
    /// From the 32-byte compressed point (invalid and small-order points are refused).
    #[staticmethod]
    fn from_bytes(bytes: Blob) -> PyResult<Self> {
        check(core::PublicKey::from_bytes(&bytes.0)).map(PublicKey)
    }
    /// From a public JWK (a dict, or its JSON text): OKP, Ed25519, no private members.
    #[staticmethod]
    fn from_jwk(jwk: &Bound<'_, PyAny>) -> PyResult<Self> {
        check(core::PublicKey::from_jwk(&json_value(jwk, "jwk")?)).map(PublicKey)
    }
    fn to_bytes(&self) -> [u8; 32] { self.0.to_bytes() }
    fn to_jwk<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0.to_jwk())
    }
    fn __hash__(&self) -> u64 { self.0.to_bytes()[..8].try_into().map_or(0, u64::from_le_bytes) }
);

methods!(@eq
/// Trusted public keys by kid, as a JWKS travels. Several allow rotation.
KeySet(core::KeySet) {}
    /// From a JWKS `{"keys": [...]}`: a dict, or its JSON text.
    #[staticmethod]
    fn from_jwks(jwks: &Bound<'_, PyAny>) -> PyResult<Self> { keyset(jwks, "jwks").map(KeySet) }
    /// From a list of PublicKey.
    #[staticmethod]
    fn from_keys(keys: &Bound<'_, PyAny>) -> PyResult<Self> {
        let keys = list(keys, "keys", |k| Ok(k.extract::<Of<PublicKey>>()?.0 .0))?;
        check(core::KeySet::from_keys(keys)).map(KeySet)
    }
    fn kids(&self) -> Vec<&str> { self.0.kids().collect() }
    fn get(&self, kid: Text) -> PyResult<PublicKey> {
        check(self.0.get(&kid.0)).map(|k| PublicKey(k.clone()))
    }
    fn to_jwks(&self) -> String { self.0.to_jwks() }
    fn __len__(&self) -> usize { self.0.len() }
    fn __contains__(&self, kid: &Bound<'_, PyAny>) -> bool {
        text(kid, "kid").is_ok_and(|k| self.0.get(k).is_ok())
    }
);

/// A `KeySet | object | string` argument: a KeySet, or a JWKS as a dict or
/// its JSON text.
pub fn keyset(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<core::KeySet> {
    if let Ok(k) = obj.cast::<KeySet>() {
        return Ok(k.get().0.clone());
    }
    if !obj.is_instance_of::<PyString>() && !obj.is_instance_of::<PyDict>() {
        let expected = format!("{what} must be a KeySet or a JWKS (dict or JSON text)");
        return Err(invalid(expected));
    }
    check(core::KeySet::from_input(json_input(obj, what)?))
}
