//! Keys: `RootKey`, `SigningKey`, `PublicKey`, `KeySet`.

use crate::{core, export, Arc, Result};
use charter_core::jcs;

/// A secret HMAC key that capabilities are minted from.
#[derive(uniffi::Object)]
pub struct RootKey(pub(crate) core::RootKey);

export!(RootKey {
    /// 32 random bytes from the operating system.
    fn generate() -> Arc<Self> = Arc::new(RootKey(core::RootKey::generate()));
    /// 32 to 1024 secret bytes.
    fn from_bytes(bytes: Vec<u8>) -> Result<Arc<Self>> = Ok(Arc::new(RootKey(core::RootKey::from_bytes(&bytes)?)));
    /// The public key id carried in every capability minted with this key.
    fn get_kid(&self) -> String = self.0.kid().to_string();
    /// The secret bytes.
    fn to_bytes(&self) -> Vec<u8> = self.0.to_bytes().to_vec();
});

/// An Ed25519 private key.
#[derive(uniffi::Object)]
pub struct SigningKey(pub(crate) core::SigningKey);

export!(SigningKey {
    /// A fresh key from the operating system's randomness.
    fn generate() -> Arc<Self> = Arc::new(SigningKey(core::SigningKey::generate()));
    /// From the 32-byte seed.
    fn from_bytes(bytes: Vec<u8>) -> Result<Arc<Self>> = Ok(Arc::new(SigningKey(core::SigningKey::from_bytes(&bytes)?)));
    /// RFC 7638 thumbprint of the public key.
    fn get_kid(&self) -> String = self.0.kid();
    /// Its public half.
    fn public_key(&self) -> Arc<PublicKey> = Arc::new(PublicKey(self.0.public_key()));
    /// The 32-byte seed.
    fn to_bytes(&self) -> Vec<u8> = self.0.to_bytes().to_vec();
    /// Signs an approval of one exact call (capability id, action, args
    /// hash, audience), valid from `now` (default: the clock) for
    /// `expires_in` seconds (1 to 86400); `args` is the arguments' JSON
    /// text. Send it in the request's `approvals`.
    #[uniffi::method(default(now = None))]
    fn approve(&self, capability: crate::CapabilityInput, action: String, args: String, audience: String,
        expires_in: i64, now: Option<i64>) -> Result<String> =
        Ok(self.0.approve_call(capability.as_ref(), &action, core::JsonInput::Text(&args), &audience, expires_in, now)?);
});

/// An Ed25519 public key; kid is its RFC 7638 thumbprint.
#[derive(uniffi::Object)]
pub struct PublicKey(pub(crate) core::PublicKey);

export!(PublicKey {
    /// From the 32-byte compressed point.
    fn from_bytes(bytes: Vec<u8>) -> Result<Arc<Self>> = Ok(Arc::new(PublicKey(core::PublicKey::from_bytes(&bytes)?)));
    /// From a public JWK (its JSON text).
    fn from_jwk(jwk: String) -> Result<Arc<Self>> = Ok(Arc::new(PublicKey(core::PublicKey::from_jwk(&jcs::parse(&jwk)?)?)));
    /// RFC 7638 thumbprint.
    fn get_kid(&self) -> String = self.0.kid().to_string();
    /// The 32 bytes of the point.
    fn to_bytes(&self) -> Vec<u8> = self.0.to_bytes().to_vec();
    /// The public JWK as canonical (JCS) JSON text.
    fn to_jwk(&self) -> Result<String> = Ok(jcs::canonicalize(&self.0.to_jwk())?);
});

/// Trusted public keys by kid (a JWKS).
#[derive(uniffi::Object)]
pub struct KeySet(pub(crate) core::KeySet);

export!(KeySet {
    /// From JWKS text `{"keys":[…]}`.
    fn from_jwks(jwks: String) -> Result<Arc<Self>> = Ok(Arc::new(KeySet(core::KeySet::from_jwks(&jwks)?)));
    /// From public keys; two with one kid are refused.
    fn from_keys(keys: Vec<Arc<PublicKey>>) -> Result<Arc<Self>> =
        Ok(Arc::new(KeySet(core::KeySet::from_keys(keys.iter().map(|k| k.0.clone()))?)));
    /// Key ids, sorted.
    fn kids(&self) -> Vec<String> = self.0.kids().map(str::to_string).collect();
    /// The key with this id, or an `unknown_key` error.
    fn get(&self, kid: String) -> Result<Arc<PublicKey>> = Ok(Arc::new(PublicKey(self.0.get(&kid)?.clone())));
    /// Canonical JWKS text, keys ordered by kid.
    fn to_jwks(&self) -> String = self.0.to_jwks();
});
