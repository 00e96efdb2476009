//! RootKey, SigningKey, PublicKey, KeySet.

use charter_core as core;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::conv;
use crate::err::{invalid, IntoJs, JsResult};
use crate::handle::{lookup, Handle};

/// A secret HMAC key that capabilities are minted from.
#[wasm_bindgen]
pub struct RootKey {
    pub(crate) h: Handle<core::RootKey>,
}

#[wasm_bindgen]
impl RootKey {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    /// 32 random bytes from the platform (`crypto.getRandomValues`).
    pub fn generate() -> RootKey {
        RootKey {
            h: Handle::new(core::RootKey::generate()),
        }
    }

    /// 32 to 1024 secret bytes.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> JsResult<RootKey> {
        let b = conv::bytes(&bytes, "bytes").js()?;
        Ok(RootKey {
            h: Handle::new(core::RootKey::from_bytes(&b).js()?),
        })
    }

    /// The public id carried in every capability minted with this key.
    pub fn kid(&self) -> String {
        self.h.get().kid().to_string()
    }

    /// The secret bytes. Handle with care.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        conv::bytes_out(&self.h.get().to_bytes())
    }
}

/// An Ed25519 private key.
#[wasm_bindgen]
pub struct SigningKey {
    pub(crate) h: Handle<core::SigningKey>,
}

#[wasm_bindgen]
impl SigningKey {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    /// A new key from the platform's randomness (`crypto.getRandomValues`).
    pub fn generate() -> SigningKey {
        SigningKey {
            h: Handle::new(core::SigningKey::generate()),
        }
    }

    /// From the 32-byte seed.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> JsResult<SigningKey> {
        let b = conv::bytes(&bytes, "bytes").js()?;
        Ok(SigningKey {
            h: Handle::new(core::SigningKey::from_bytes(&b).js()?),
        })
    }

    /// RFC 7638 thumbprint of the public key.
    pub fn kid(&self) -> String {
        self.h.get().kid()
    }

    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(&self) -> PublicKey {
        PublicKey::wrap(self.h.get().public_key())
    }

    /// The 32-byte seed. Handle with care: this is the secret.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        conv::bytes_out(&self.h.get().to_bytes()[..])
    }
}

/// An Ed25519 public key; kid is its RFC 7638 thumbprint.
#[wasm_bindgen]
pub struct PublicKey {
    pub(crate) h: Handle<core::PublicKey>,
}

impl PublicKey {
    pub(crate) fn wrap(k: core::PublicKey) -> PublicKey {
        PublicKey { h: Handle::new(k) }
    }
}

#[wasm_bindgen]
impl PublicKey {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    /// From the 32-byte compressed point; small-order points are refused.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> JsResult<PublicKey> {
        let b = conv::bytes(&bytes, "bytes").js()?;
        Ok(PublicKey::wrap(core::PublicKey::from_bytes(&b).js()?))
    }

    /// From a public JWK (an object, or its JSON text).
    #[wasm_bindgen(js_name = fromJwk)]
    pub fn from_jwk(
        #[wasm_bindgen(unchecked_param_type = "Jwk | string")] jwk: JsValue,
    ) -> JsResult<PublicKey> {
        let v = conv::json(&jwk, "jwk").js()?;
        Ok(PublicKey::wrap(core::PublicKey::from_jwk(&v).js()?))
    }

    pub fn kid(&self) -> String {
        self.h.get().kid().to_string()
    }

    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        conv::bytes_out(&self.h.get().to_bytes())
    }

    /// The public JWK (RFC 8037 OKP) with kid, alg and use, as an object.
    #[wasm_bindgen(js_name = toJwk, unchecked_return_type = "Jwk")]
    pub fn to_jwk(&self) -> JsResult<JsValue> {
        conv::json_out(&self.h.get().to_jwk()).js()
    }
}

/// Trusted public keys by kid (a JWKS).
#[wasm_bindgen]
pub struct KeySet {
    pub(crate) h: Handle<core::KeySet>,
}

impl KeySet {
    pub(crate) fn wrap(k: core::KeySet) -> KeySet {
        KeySet { h: Handle::new(k) }
    }
}

#[wasm_bindgen]
impl KeySet {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    /// From a JWKS: its JSON text (exact), or the object.
    #[wasm_bindgen(js_name = fromJwks)]
    pub fn from_jwks(
        #[wasm_bindgen(unchecked_param_type = "string | { keys: Jwk[] }")] jwks: JsValue,
    ) -> JsResult<KeySet> {
        let text = if jwks.is_string() {
            conv::string(&jwks, "jwks").js()?
        } else {
            let v = conv::json(&jwks, "jwks").js()?;
            core::jcs::canonicalize(&v).js()?
        };
        Ok(KeySet::wrap(core::KeySet::from_jwks(&text).js()?))
    }

    /// From an array of PublicKey.
    #[wasm_bindgen(js_name = fromKeys)]
    pub fn from_keys(
        #[wasm_bindgen(unchecked_param_type = "PublicKey[]")] keys: JsValue,
    ) -> JsResult<KeySet> {
        if !conv::is_array(&keys, "keys").js()? {
            return Err(invalid("keys must be an array of PublicKey")).js();
        }
        let mut out = Vec::new();
        let items = conv::array_items(&keys, "keys", core::keys::MAX_KEYS_PER_SET).js()?;
        for (i, item) in items.iter().enumerate() {
            let k = lookup::<core::PublicKey>(item, &format!("keys[{i}]"), "PublicKey").js()?;
            out.push((*k).clone());
        }
        Ok(KeySet::wrap(core::KeySet::from_keys(out).js()?))
    }

    /// The key ids, sorted.
    #[wasm_bindgen(unchecked_return_type = "string[]")]
    pub fn kids(&self) -> Array {
        conv::strings_out(self.h.get().kids())
    }

    /// The key with this id; throws CryptoError `unknown_key` when absent.
    pub fn get(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] kid: JsValue,
    ) -> JsResult<PublicKey> {
        let kid = conv::string(&kid, "kid").js()?;
        Ok(PublicKey::wrap(self.h.get().get(&kid).js()?.clone()))
    }

    /// Canonical (JCS) JWKS text, keys ordered by kid.
    #[wasm_bindgen(js_name = toJwks)]
    pub fn to_jwks(&self) -> String {
        self.h.get().to_jwks()
    }
}
