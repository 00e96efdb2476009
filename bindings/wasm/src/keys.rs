//! RootKey, SigningKey, PublicKey, KeySet, and the `KeySet | object | string` argument.

use std::rc::Rc;

use charter_core as core;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use crate::error::{invalid, JsResult};
use crate::host::{self, Bytes, Json, JwkArg, JwksArg, PublicKeys, Str, Strs};

crate::class! {
    /// A secret HMAC key that capabilities are minted from.
    RootKey(core::RootKey) {
        /// The public id carried in every capability minted with this key.
        kid: String = |k| k.kid().to_string();
    }
}

#[wasm_bindgen]
impl RootKey {
    /// 32 random bytes from the platform (`crypto.getRandomValues`).
    pub fn generate() -> RootKey {
        RootKey::wrap(core::RootKey::generate())
    }

    /// 32 to 1024 secret bytes.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: Bytes) -> JsResult<RootKey> {
        Ok(RootKey::wrap(core::RootKey::from_bytes(&host::bytes(
            &bytes, "bytes",
        )?)?))
    }

    /// The secret bytes. Handle with care.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::from(&self.inner().to_bytes()[..])
    }
}

crate::class! {
    /// An Ed25519 private key.
    SigningKey(core::SigningKey) {
        /// RFC 7638 thumbprint of the public key.
        kid: String = |k| k.kid();
    }
}

#[wasm_bindgen]
impl SigningKey {
    /// A new key from the platform's randomness (`crypto.getRandomValues`).
    pub fn generate() -> SigningKey {
        SigningKey::wrap(core::SigningKey::generate())
    }

    /// From the 32-byte seed.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: Bytes) -> JsResult<SigningKey> {
        Ok(SigningKey::wrap(core::SigningKey::from_bytes(
            &host::bytes(&bytes, "bytes")?,
        )?))
    }

    /// The public half.
    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(&self) -> PublicKey {
        PublicKey::wrap(self.inner().public_key())
    }

    /// The 32-byte seed. Handle with care: this is the secret.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::from(&self.inner().to_bytes()[..])
    }
}

crate::class! {
    /// An Ed25519 public key; kid is its RFC 7638 thumbprint.
    PublicKey(core::PublicKey) {
        /// RFC 7638 thumbprint.
        kid: String = |k| k.kid().to_string();
    }
}

#[wasm_bindgen]
impl PublicKey {
    /// From the 32-byte compressed point; small-order points are refused.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: Bytes) -> JsResult<PublicKey> {
        Ok(PublicKey::wrap(core::PublicKey::from_bytes(&host::bytes(
            &bytes, "bytes",
        )?)?))
    }

    /// From a public JWK: an object, or its JSON text.
    #[wasm_bindgen(js_name = fromJwk)]
    pub fn from_jwk(jwk: JwkArg) -> JsResult<PublicKey> {
        let v = Json::read(&jwk, "jwk")?.value()?;
        Ok(PublicKey::wrap(core::PublicKey::from_jwk(&v)?))
    }

    /// The 32-byte compressed point.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::from(&self.inner().to_bytes()[..])
    }

    /// The public JWK (RFC 8037 OKP) with kid, alg and use: canonical JSON text.
    #[wasm_bindgen(js_name = toJwk)]
    pub fn to_jwk(&self) -> JsResult<String> {
        Ok(core::jcs::canonicalize(&self.inner().to_jwk())?)
    }
}

crate::class! {
    /// Trusted public keys by kid (a JWKS).
    KeySet(core::KeySet) {}
}

/// A key set argument: a `KeySet`, a JWKS object, or its JSON text.
pub fn arg(v: &JsValue, what: &str) -> Result<Rc<core::KeySet>, core::Error> {
    if let Some(k) = host::try_obj::<core::KeySet>(v) {
        return Ok(k);
    }
    if !v.is_string() && !host::is_plain(v, what)? {
        let got = host::type_name(v);
        return Err(invalid(format!(
            "{what} must be a KeySet, a JWKS object or its text, got {got}"
        )));
    }
    core::KeySet::from_jwks(&Json::read(v, what)?.text()?).map(Rc::new)
}

#[wasm_bindgen]
impl KeySet {
    /// From a JWKS: its JSON text (exact), or the object.
    #[wasm_bindgen(js_name = fromJwks)]
    pub fn from_jwks(jwks: JwksArg) -> JsResult<KeySet> {
        Ok(KeySet::wrap(core::KeySet::from_jwks(
            &Json::read(&jwks, "jwks")?.text()?,
        )?))
    }

    /// From an array of PublicKey.
    #[wasm_bindgen(js_name = fromKeys)]
    pub fn from_keys(keys: PublicKeys) -> JsResult<KeySet> {
        let items = host::items(&keys, "keys", core::keys::MAX_KEYS_PER_SET)?;
        let keys = items.iter().enumerate().map(|(i, k)| {
            host::obj::<core::PublicKey>(k, &format!("keys[{i}]"), "PublicKey")
                .map(|k| (*k).clone())
        });
        Ok(KeySet::wrap(core::KeySet::from_keys(
            keys.collect::<Result<Vec<_>, _>>()?,
        )?))
    }

    /// The key ids, sorted.
    pub fn kids(&self) -> Strs {
        host::strings_out(self.inner().kids())
    }

    /// The key with this id; throws CryptoError `unknown_key` when absent.
    pub fn get(&self, kid: Str) -> JsResult<PublicKey> {
        Ok(PublicKey::wrap(
            self.inner().get(&host::string(&kid, "kid")?)?.clone(),
        ))
    }

    /// Canonical (JCS) JWKS text, keys ordered by kid.
    #[wasm_bindgen(js_name = toJwks)]
    pub fn to_jwks(&self) -> String {
        self.inner().to_jwks()
    }
}
