use std::rc::Rc;

use charter_core as core;
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use crate::host::{self, Bytes, CapArg, Int, JsonArg, Jwk, JwkArg, JwksArg, PublicKeys, Str};

crate::class! {
    /// A secret HMAC key that capabilities are minted from.
    RootKey(core::RootKey) {
        /// The public id carried in every capability minted with this key.
        (getter) kid: String = |k| k.kid().to_string();
        /// The secret bytes. Handle with care.
        () toBytes: Uint8Array = |k| Uint8Array::from(&k.to_bytes()[..]);
    } fn {} static {
        /// From 32 to 1024 secret bytes.
        fromBytes(bytes: Bytes) = core::RootKey::from_bytes(&host::arg!(bytes: bytes));
        /// 32 random bytes from the platform (`crypto.getRandomValues`).
        generate() = Ok::<_, core::Error>(core::RootKey::generate());
    }
}

crate::class! {
    /// An Ed25519 private key.
    SigningKey(core::SigningKey) {
        /// RFC 7638 thumbprint of the public key.
        (getter) kid: String = |k| k.kid();
        /// The public half.
        () publicKey: PublicKey = |k| PublicKey::wrap(k.public_key());
        /// The 32-byte seed. Handle with care: this is the secret.
        () toBytes: Uint8Array = |k| Uint8Array::from(&k.to_bytes()[..]);
    } fn {
        /// Signs an approval of one exact call (capability id, action, args
        /// hash, audience), valid from `now` (default: the platform clock)
        /// for `expiresIn` seconds (1 to 86400); send it in the request's
        /// `approvals`.
        approve(&k, capability: CapArg, action: Str, args: JsonArg, audience: Str, expiresIn: Int,
            now: Option<Int>) -> String = {
            host::args!(string: action, audience; int: expiresIn; now: now;);
            let args = host::Js(args.into());
            core::host::with_json(&args, "args", |a| {
                let c = host::cap(&capability)?;
                k.approve_call((&c).into(), &action, a, &audience, expiresIn, Some(now))
            })
        };
    } static {
        /// From the 32-byte seed.
        fromBytes(bytes: Bytes) = core::SigningKey::from_bytes(&host::arg!(bytes: bytes));
        /// A new key from the platform's randomness (`crypto.getRandomValues`).
        generate() = Ok::<_, core::Error>(core::SigningKey::generate());
    }
}

crate::class! {
    /// An Ed25519 public key; kid is its RFC 7638 thumbprint.
    PublicKey(core::PublicKey) {
        /// RFC 7638 thumbprint.
        (getter) kid: String = |k| k.kid().to_string();
        /// The 32-byte compressed point.
        () toBytes: Uint8Array = |k| Uint8Array::from(&k.to_bytes()[..]);
        /// The public JWK (RFC 8037 OKP) with kid, alg and use, as an object.
        () toJwk: Jwk = |k| host::json_out(&k.to_jwk());
    } fn {} static {
        /// From the 32-byte compressed point; small-order points are refused.
        fromBytes(bytes: Bytes) = core::PublicKey::from_bytes(&host::arg!(bytes: bytes));
        /// From a public JWK: an object, or its JSON text.
        fromJwk(jwk: JwkArg) = core::PublicKey::from_jwk(&host::arg!(json_value: jwk));
    }
}

/// A key set argument: a `KeySet`, a JWKS object, or its JSON text.
pub fn arg(v: &JsValue, what: &str) -> Result<Rc<core::KeySet>, core::Error> {
    let want = "a KeySet, a JWKS object or its text";
    let read = |j: &host::Js| core::host::with_json(j, what, core::KeySet::from_input);
    host::obj_or_json(v, what, want, read)
}

crate::class! {
    /// Trusted public keys by kid (a JWKS).
    KeySet(core::KeySet) {
        /// The key ids, sorted.
        () kids: Vec<String> = |k| k.kids().map(str::to_string).collect();
        /// Canonical (JCS) JWKS text, keys ordered by kid.
        () toJwks: String = |k| k.to_jwks();
    } fn {
        /// The key with this id; throws CryptoError `unknown_key` when absent.
        get(&k, kid: Str) -> PublicKey = k.get(&host::arg!(string: kid)).cloned().map(PublicKey::wrap);
    } static {
        /// From a JWKS: its JSON text (exact), or the object.
        fromJwks(jwks: JwksArg) =
            core::host::with_json(&host::Js(jwks.into()), "jwks", core::KeySet::from_input);
        /// From an array of PublicKey.
        fromKeys(keys: PublicKeys) =
            core::KeySet::from_keys(host::objs(&keys, "keys", core::keys::MAX_KEYS_PER_SET)?);
    }
}
