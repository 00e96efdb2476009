//! Keys: RootKey (HMAC), SigningKey and PublicKey (Ed25519), KeySet (JWKS).

use charter_core::keys as core;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use crate::convert::{to_py_value, Blob, JsonArg, Text};
use crate::errors::{check, invalid};

/// A secret HMAC key that capabilities are minted from (32 to 1024 bytes).
/// `kid` is its public id, carried in every capability it mints.
#[pyclass(module = "charter", frozen)]
pub struct RootKey {
    pub inner: core::RootKey,
}

#[pymethods]
impl RootKey {
    /// A new random 32-byte root key.
    #[staticmethod]
    fn generate() -> Self {
        RootKey {
            inner: core::RootKey::generate(),
        }
    }

    /// From secret bytes (32 to 1024).
    #[staticmethod]
    fn from_bytes(py: Python<'_>, bytes: Blob) -> PyResult<Self> {
        Ok(RootKey {
            inner: check(py, core::RootKey::from_bytes(&bytes.0))?,
        })
    }

    /// The root key id (base64url, 16 bytes), public.
    #[getter]
    fn kid(&self) -> &str {
        self.inner.kid()
    }

    /// The secret bytes. Handle with care.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    fn __repr__(&self) -> String {
        format!("RootKey(kid={:?})", self.inner.kid())
    }
}

/// An Ed25519 private key (from a 32-byte seed). `kid` is the RFC 7638
/// thumbprint of its public key.
#[pyclass(module = "charter", frozen)]
pub struct SigningKey {
    pub inner: core::SigningKey,
}

#[pymethods]
impl SigningKey {
    /// A new random key.
    #[staticmethod]
    fn generate() -> Self {
        SigningKey {
            inner: core::SigningKey::generate(),
        }
    }

    /// From the 32-byte seed.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, bytes: Blob) -> PyResult<Self> {
        Ok(SigningKey {
            inner: check(py, core::SigningKey::from_bytes(&bytes.0))?,
        })
    }

    /// The key id: the RFC 7638 thumbprint of the public key.
    #[getter]
    fn kid(&self) -> String {
        self.inner.kid()
    }

    /// The public half.
    fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public_key(),
        }
    }

    /// The 32-byte seed. Handle with care: this is the secret.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &*self.inner.to_bytes())
    }

    fn __repr__(&self) -> String {
        format!("SigningKey(kid={:?})", self.inner.kid())
    }
}

/// An Ed25519 public key; `kid` is its RFC 7638 thumbprint.
#[pyclass(module = "charter", frozen, eq)]
#[derive(PartialEq)]
pub struct PublicKey {
    pub inner: core::PublicKey,
}

#[pymethods]
impl PublicKey {
    /// From the 32-byte compressed point (invalid and small-order points are refused).
    #[staticmethod]
    fn from_bytes(py: Python<'_>, bytes: Blob) -> PyResult<Self> {
        Ok(PublicKey {
            inner: check(py, core::PublicKey::from_bytes(&bytes.0))?,
        })
    }

    /// From a public JWK (a dict, or its JSON text): OKP, Ed25519, no private members.
    #[staticmethod]
    fn from_jwk(py: Python<'_>, jwk: JsonArg) -> PyResult<Self> {
        Ok(PublicKey {
            inner: check(py, core::PublicKey::from_jwk(&jwk.0))?,
        })
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url).
    #[getter]
    fn kid(&self) -> &str {
        self.inner.kid()
    }

    /// The 32-byte compressed point.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// The public JWK as a dict (kty, crv, x, kid, alg, use).
    fn to_jwk<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py_value(py, &self.inner.to_jwk())
    }

    fn __repr__(&self) -> String {
        format!("PublicKey(kid={:?})", self.inner.kid())
    }

    fn __hash__(&self) -> u64 {
        let b = self.inner.to_bytes();
        u64::from_le_bytes(b[..8].try_into().unwrap_or_default())
    }
}

/// Trusted public keys by kid, as a JWKS travels. Several at once allow rotation.
#[pyclass(module = "charter", frozen, eq)]
#[derive(PartialEq)]
pub struct KeySet {
    pub inner: core::KeySet,
}

#[pymethods]
impl KeySet {
    /// From a JWKS `{"keys": [...]}` (its JSON text, or a dict).
    #[staticmethod]
    fn from_jwks(py: Python<'_>, jwks: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = match jwks.extract::<Text>() {
            Ok(t) => t.0,
            Err(_) => {
                let v = jwks.extract::<JsonArg>()?.0;
                check(py, charter_core::jcs::canonicalize(&v))?
            }
        };
        Ok(KeySet {
            inner: check(py, core::KeySet::from_jwks(&text))?,
        })
    }

    /// From a list of PublicKey.
    #[staticmethod]
    fn from_keys(py: Python<'_>, keys: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut set = core::KeySet::new();
        for item in keys
            .try_iter()
            .map_err(|_| invalid(py, "keys must be an iterable of PublicKey"))?
        {
            let item = item?;
            let key = crate::convert::class::<PublicKey>(&item, "each key")?;
            check(py, set.insert(key.get().inner.clone()))?;
        }
        Ok(KeySet { inner: set })
    }

    /// The key ids, sorted.
    fn kids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.inner.kids())
    }

    /// The key with this id; raises CryptoError (unknown_key) when absent.
    fn get(&self, py: Python<'_>, kid: Text) -> PyResult<PublicKey> {
        Ok(PublicKey {
            inner: check(py, self.inner.get(&kid.0))?.clone(),
        })
    }

    /// The canonical JWKS text (RFC 8785), keys ordered by kid.
    fn to_jwks(&self) -> String {
        self.inner.to_jwks()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __contains__(&self, kid: &Bound<'_, PyAny>) -> bool {
        kid.extract::<String>()
            .map(|k| self.inner.get(&k).is_ok())
            .unwrap_or(false)
    }

    fn __repr__(&self) -> String {
        format!("KeySet(kids={:?})", self.inner.kids().collect::<Vec<_>>())
    }
}
