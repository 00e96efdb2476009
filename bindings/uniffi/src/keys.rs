//! Keys: `RootKey`, `SigningKey`, `PublicKey`, `KeySet`.

use std::sync::Arc;

use charter_core as core;

use crate::{parse_json, CharterError};

/// A secret HMAC key that capabilities are minted from.
#[derive(uniffi::Object)]
pub struct RootKey(pub(crate) core::RootKey);

#[uniffi::export]
impl RootKey {
    /// 32 random bytes from the operating system.
    #[uniffi::constructor]
    pub fn generate() -> Arc<Self> {
        Arc::new(RootKey(core::RootKey::generate()))
    }

    /// 32 to 1024 secret bytes.
    #[uniffi::constructor]
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Arc<Self>, CharterError> {
        Ok(Arc::new(RootKey(core::RootKey::from_bytes(&bytes)?)))
    }

    /// The public key id carried in every capability minted with this key.
    pub fn kid(&self) -> String {
        self.0.kid().to_string()
    }

    /// The secret bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes().to_vec()
    }
}

/// An Ed25519 private key.
#[derive(uniffi::Object)]
pub struct SigningKey(pub(crate) core::SigningKey);

#[uniffi::export]
impl SigningKey {
    #[uniffi::constructor]
    pub fn generate() -> Arc<Self> {
        Arc::new(SigningKey(core::SigningKey::generate()))
    }

    /// From the 32-byte seed.
    #[uniffi::constructor]
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Arc<Self>, CharterError> {
        Ok(Arc::new(SigningKey(core::SigningKey::from_bytes(&bytes)?)))
    }

    /// RFC 7638 thumbprint of the public key.
    pub fn kid(&self) -> String {
        self.0.kid()
    }

    pub fn public_key(&self) -> Arc<PublicKey> {
        Arc::new(PublicKey(self.0.public_key()))
    }

    /// The 32-byte seed.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes().to_vec()
    }
}

/// An Ed25519 public key; kid is its RFC 7638 thumbprint.
#[derive(uniffi::Object)]
pub struct PublicKey(pub(crate) core::PublicKey);

#[uniffi::export]
impl PublicKey {
    /// From the 32-byte compressed point.
    #[uniffi::constructor]
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Arc<Self>, CharterError> {
        Ok(Arc::new(PublicKey(core::PublicKey::from_bytes(&bytes)?)))
    }

    /// From a public JWK, as JSON text.
    #[uniffi::constructor]
    pub fn from_jwk(jwk: String) -> Result<Arc<Self>, CharterError> {
        let value = parse_json(&jwk)?;
        Ok(Arc::new(PublicKey(core::PublicKey::from_jwk(&value)?)))
    }

    pub fn kid(&self) -> String {
        self.0.kid().to_string()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes().to_vec()
    }

    /// The public JWK as canonical (JCS) JSON text.
    pub fn to_jwk(&self) -> Result<String, CharterError> {
        Ok(core::jcs::canonicalize(&self.0.to_jwk())?)
    }
}

/// Trusted public keys by kid (a JWKS).
#[derive(uniffi::Object)]
pub struct KeySet(pub(crate) core::KeySet);

#[uniffi::export]
impl KeySet {
    /// From JWKS text `{"keys":[…]}`.
    #[uniffi::constructor]
    pub fn from_jwks(jwks: String) -> Result<Arc<Self>, CharterError> {
        Ok(Arc::new(KeySet(core::KeySet::from_jwks(&jwks)?)))
    }

    #[uniffi::constructor]
    pub fn from_keys(keys: Vec<Arc<PublicKey>>) -> Result<Arc<Self>, CharterError> {
        let keys = keys.iter().map(|k| k.0.clone());
        Ok(Arc::new(KeySet(core::KeySet::from_keys(keys)?)))
    }

    /// Key ids, sorted.
    pub fn kids(&self) -> Vec<String> {
        self.0.kids().map(str::to_string).collect()
    }

    /// The key with this id, or an `unknown_key` error.
    pub fn get(&self, kid: String) -> Result<Arc<PublicKey>, CharterError> {
        Ok(Arc::new(PublicKey(self.0.get(&kid)?.clone())))
    }

    /// Canonical JWKS text, keys ordered by kid.
    pub fn to_jwks(&self) -> String {
        self.0.to_jwks()
    }
}
