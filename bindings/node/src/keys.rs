//! Keys: `RootKey`, `SigningKey`, `PublicKey`, `KeySet`.

use charter_core as core;
use napi::bindgen_prelude::{Uint8Array, Unknown, ValueType};
use napi_derive::napi;

use crate::error::{guard, Result};
use crate::host::{self, instance};

/// A secret HMAC key that capabilities are minted from.
#[napi]
pub struct RootKey {
    pub(crate) inner: core::RootKey,
}

#[napi]
impl RootKey {
    /// A new random 32-byte root key.
    #[napi(factory)]
    pub fn generate() -> RootKey {
        RootKey {
            inner: core::RootKey::generate(),
        }
    }

    /// From 32 to 1024 secret bytes.
    #[napi(factory)]
    pub fn from_bytes(bytes: Uint8Array) -> Result<RootKey> {
        guard(|| {
            Ok(RootKey {
                inner: core::RootKey::from_bytes(&bytes)?,
            })
        })
    }

    /// The key id carried in every capability minted with this key.
    #[napi(getter)]
    pub fn kid(&self) -> String {
        self.inner.kid().to_string()
    }

    /// The secret bytes. Handle with care.
    #[napi]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::new(self.inner.to_bytes().to_vec())
    }
}

/// An Ed25519 private key.
#[napi]
pub struct SigningKey {
    pub(crate) inner: core::SigningKey,
}

#[napi]
impl SigningKey {
    /// A new random signing key.
    #[napi(factory)]
    pub fn generate() -> SigningKey {
        SigningKey {
            inner: core::SigningKey::generate(),
        }
    }

    /// From the 32-byte seed.
    #[napi(factory)]
    pub fn from_bytes(bytes: Uint8Array) -> Result<SigningKey> {
        guard(|| {
            Ok(SigningKey {
                inner: core::SigningKey::from_bytes(&bytes)?,
            })
        })
    }

    /// RFC 7638 thumbprint of the public key.
    #[napi(getter)]
    pub fn kid(&self) -> String {
        self.inner.kid()
    }

    /// The public half.
    #[napi]
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: self.inner.public_key(),
        }
    }

    /// The 32-byte seed. Handle with care: this is the secret.
    #[napi]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::new(self.inner.to_bytes().to_vec())
    }
}

/// An Ed25519 public key; kid is its RFC 7638 thumbprint.
#[napi]
pub struct PublicKey {
    pub(crate) inner: core::PublicKey,
}

#[napi]
impl PublicKey {
    /// From the 32-byte compressed point.
    #[napi(factory)]
    pub fn from_bytes(bytes: Uint8Array) -> Result<PublicKey> {
        guard(|| {
            Ok(PublicKey {
                inner: core::PublicKey::from_bytes(&bytes)?,
            })
        })
    }

    /// From a public JWK (an object, or its JSON text).
    #[napi(factory)]
    pub fn from_jwk(#[napi(ts_arg_type = "Jwk | string")] jwk: Unknown) -> Result<PublicKey> {
        guard(|| {
            Ok(PublicKey {
                inner: core::PublicKey::from_jwk(&host::json(jwk, "jwk")?)?,
            })
        })
    }

    /// RFC 7638 thumbprint.
    #[napi(getter)]
    pub fn kid(&self) -> String {
        self.inner.kid().to_string()
    }

    /// The 32-byte compressed point.
    #[napi]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::new(self.inner.to_bytes().to_vec())
    }

    /// The public JWK (RFC 8037 OKP) with kid, alg and use, as an object.
    #[napi(ts_return_type = "Jwk")]
    pub fn to_jwk(&self) -> serde_json::Value {
        self.inner.to_jwk()
    }
}

/// Trusted public keys by kid (a JWKS).
#[napi]
pub struct KeySet {
    pub(crate) inner: core::KeySet,
}

#[napi]
impl KeySet {
    /// From a JWKS `{"keys":[…]}` (an object, or its JSON text).
    #[napi(factory)]
    pub fn from_jwks(#[napi(ts_arg_type = "Jwks | string")] jwks: Unknown) -> Result<KeySet> {
        guard(|| Ok(KeySet { inner: keys(jwks)? }))
    }

    /// From public keys (kids must be distinct).
    #[napi(factory)]
    pub fn from_keys(keys: Vec<&PublicKey>) -> Result<KeySet> {
        let keys = keys.into_iter().map(|k| k.inner.clone());
        guard(|| {
            Ok(KeySet {
                inner: core::KeySet::from_keys(keys)?,
            })
        })
    }

    /// Key ids, sorted.
    #[napi]
    pub fn kids(&self) -> Vec<String> {
        self.inner.kids().map(str::to_string).collect()
    }

    /// The key with this id; throws `unknown_key` when there is none.
    #[napi]
    pub fn get(&self, kid: String) -> Result<PublicKey> {
        guard(|| {
            Ok(PublicKey {
                inner: self.inner.get(&kid)?.clone(),
            })
        })
    }

    /// Canonical (JCS) JWKS text, keys ordered by kid.
    #[napi]
    pub fn to_jwks(&self) -> String {
        self.inner.to_jwks()
    }
}

/// A `KeySet | object | string` argument: a `KeySet`, or a JWKS as an
/// object or as its JSON text.
pub fn keys(value: Unknown) -> std::result::Result<core::KeySet, core::Error> {
    if let Some(set) = instance::<KeySet>(value) {
        return Ok(set.inner.clone());
    }
    let text = match value.get_type() {
        Ok(ValueType::String) => host::text(value, "jwks")?,
        _ => core::jcs::canonicalize(&host::json(value, "jwks")?)?,
    };
    core::KeySet::from_jwks(&text)
}

/// A public JWK (RFC 8037 OKP, Ed25519).
#[allow(dead_code)] // a type for index.d.ts only
#[napi(object)]
pub struct Jwk {
    /// `"OKP"`.
    pub kty: String,
    /// `"Ed25519"`.
    pub crv: String,
    /// The public key, base64url.
    pub x: String,
    /// RFC 7638 thumbprint.
    pub kid: Option<String>,
    /// `"EdDSA"`.
    pub alg: Option<String>,
    /// `"sig"`.
    #[napi(js_name = "use")]
    pub use_: Option<String>,
}

/// A JSON Web Key Set.
#[allow(dead_code)] // a type for index.d.ts only
#[napi(object)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}
