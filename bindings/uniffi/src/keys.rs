use crate::{core, export, wrap, Arc, Result};
use charter_core::jcs;

export!(
/// A secret HMAC key that capabilities are minted from.
RootKey(core::RootKey) {
    /// 32 random bytes from the operating system.
    fn generate() -> Self = RootKey(core::RootKey::generate());
    /// 32 to 1024 secret bytes.
    fn from_bytes(bytes: Vec<u8>) -> Result<Self> = wrap(core::RootKey::from_bytes(&bytes));
    /// The public key id carried in every capability minted with this key.
    fn get_kid(&self) -> String = self.0.kid().to_string();
    /// The secret bytes.
    fn to_bytes(&self) -> Vec<u8> = self.0.to_bytes().to_vec();
});

export!(
/// An Ed25519 private key.
SigningKey(core::SigningKey) {
    /// A fresh key from the operating system's randomness.
    fn generate() -> Self = SigningKey(core::SigningKey::generate());
    /// From the 32-byte seed.
    fn from_bytes(bytes: Vec<u8>) -> Result<Self> = wrap(core::SigningKey::from_bytes(&bytes));
    /// RFC 7638 thumbprint of the public key.
    fn get_kid(&self) -> String = self.0.kid();
    /// Its public half.
    fn public_key(&self) -> PublicKey = PublicKey(self.0.public_key());
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

export!(
/// An Ed25519 public key; kid is its RFC 7638 thumbprint.
PublicKey(core::PublicKey) {
    /// From the 32-byte compressed point.
    fn from_bytes(bytes: Vec<u8>) -> Result<Self> = wrap(core::PublicKey::from_bytes(&bytes));
    /// From a public JWK (its JSON text).
    fn from_jwk(jwk: String) -> Result<Self> = wrap(core::PublicKey::from_jwk(&jcs::parse(&jwk)?));
    /// RFC 7638 thumbprint.
    fn get_kid(&self) -> String = self.0.kid().to_string();
    /// The 32 bytes of the point.
    fn to_bytes(&self) -> Vec<u8> = self.0.to_bytes().to_vec();
    /// The public JWK as canonical (JCS) JSON text.
    fn to_jwk(&self) -> Result<String> = wrap(jcs::canonicalize(&self.0.to_jwk()));
});

export!(
/// Trusted public keys by kid (a JWKS).
KeySet(core::KeySet) {
    /// From JWKS text `{"keys":[…]}`.
    fn from_jwks(jwks: String) -> Result<Self> = wrap(core::KeySet::from_jwks(&jwks));
    /// From public keys; two with one kid are refused.
    fn from_keys(keys: Vec<Arc<PublicKey>>) -> Result<Self> =
        wrap(core::KeySet::from_keys(keys.iter().map(|k| k.0.clone())));
    /// Key ids, sorted.
    fn kids(&self) -> Vec<String> = self.0.kids().map(str::to_string).collect();
    /// The key with this id, or an `unknown_key` error.
    fn get(&self, kid: String) -> Result<PublicKey> = wrap(self.0.get(&kid).cloned());
    /// Canonical JWKS text, keys ordered by kid.
    fn to_jwks(&self) -> String = self.0.to_jwks();
});
