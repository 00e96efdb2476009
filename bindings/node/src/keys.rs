use charter_core as core;
use napi::bindgen_prelude::{ClassInstance, FromNapiValue, Uint8Array, Unknown};
use napi_derive::napi;

use crate::host;

/// A secret HMAC key that capabilities are minted from.
#[napi]
pub struct RootKey(pub(crate) core::RootKey);

accessors!(RootKey |k| get {
    "The key id carried in every capability minted with this key."
    kid: String = k.kid().to_string();
} fn {
    "The secret bytes. Handle with care."
    to_bytes: Uint8Array = k.to_bytes().to_vec().into();
} try {} new {
    "A new random 32-byte root key."
    generate() -> RootKey = RootKey(core::RootKey::generate());
    "From 32 to 1024 secret bytes."
    from_bytes(bytes: Uint8Array) -> RootKey = RootKey(core::RootKey::from_bytes(&bytes)?);
});

/// An Ed25519 private key.
#[napi]
pub struct SigningKey(pub(crate) core::SigningKey);

accessors!(SigningKey |k| get {
    "RFC 7638 thumbprint of the public key."
    kid: String = k.kid();
} fn {
    "The public half."
    public_key: PublicKey = PublicKey(k.public_key());
    "The 32-byte seed. Handle with care: this is the secret."
    to_bytes: Uint8Array = k.to_bytes().to_vec().into();
} try {
    "Signs an approval of one exact call (capability id, action, args hash, audience), valid from `now` (default: the clock) for `expiresIn` seconds (1 to 86400); send it in the request's `approvals`."
    approve(#[napi(ts_arg_type = "Capability | string")] capability: Unknown, action: String, #[napi(ts_arg_type = "Record<string, unknown> | string")] args: Unknown, audience: String, expires_in: f64, now: Option<f64>) -> String = {
        let (expires_in, now) = (core::host::safe_int(expires_in, "expiresIn")?, host::now(now)?);
        let args = host::Js::new(args)?;
        core::host::with_json(&args, "args", |args| {
            let cap = crate::capability::cap_arg(capability)?;
            k.approve_call((&cap).into(), &action, args, &audience, expires_in, Some(now))
        })?
    };
} new {
    "A new random signing key."
    generate() -> SigningKey = SigningKey(core::SigningKey::generate());
    "From the 32-byte seed."
    from_bytes(bytes: Uint8Array) -> SigningKey = SigningKey(core::SigningKey::from_bytes(&bytes)?);
});

/// An Ed25519 public key; kid is its RFC 7638 thumbprint.
#[napi]
pub struct PublicKey(pub(crate) core::PublicKey);

accessors!(PublicKey |k| get {
    "RFC 7638 thumbprint."
    kid: String = k.kid().to_string();
} fn {
    "The public JWK (RFC 8037 OKP) with kid, alg and use, as an object."
    [ts_return_type = "import('./charter').Jwk"]
    to_jwk: serde_json::Value = k.to_jwk();
    "The 32-byte compressed point."
    to_bytes: Uint8Array = k.to_bytes().to_vec().into();
} try {} new {
    "From the 32-byte compressed point."
    from_bytes(bytes: Uint8Array) -> PublicKey = PublicKey(core::PublicKey::from_bytes(&bytes)?);
    "From a public JWK (an object, or its JSON text)."
    from_jwk(#[napi(ts_arg_type = "import('./charter').Jwk | string")] jwk: Unknown) -> PublicKey = PublicKey(core::PublicKey::from_jwk(&host::json(jwk, "jwk")?)?);
});

/// Trusted public keys by kid (a JWKS).
#[napi]
pub struct KeySet(pub(crate) core::KeySet);

accessors!(KeySet |s| get {} fn {
    "Key ids, sorted."
    kids: Vec<String> = s.kids().map(str::to_string).collect();
    "Canonical (JCS) JWKS text, keys ordered by kid."
    to_jwks: String = s.to_jwks();
} try {
    "The key with this id; throws `unknown_key` when there is none."
    get(kid: String) -> PublicKey = PublicKey(s.get(&kid)?.clone());
} new {
    "From public keys (kids must be distinct)."
    from_keys(keys: Vec<&PublicKey>) -> KeySet = KeySet(core::KeySet::from_keys(keys.into_iter().map(|k| k.0.clone()))?);
    "From a JWKS `{\"keys\":[…]}` (an object, or its JSON text)."
    from_jwks(#[napi(ts_arg_type = "import('./charter').Jwks | string")] jwks: Unknown) -> KeySet = KeySet(keys(jwks)?);
});

/// A `KeySet | object | string` argument: a `KeySet`, or a JWKS as an
/// object or as its JSON text.
pub fn keys(value: Unknown) -> std::result::Result<core::KeySet, core::Error> {
    if let Ok(set) = ClassInstance::<KeySet>::from_unknown(value) {
        return Ok(set.0.clone());
    }
    core::host::with_json(&host::Js::new(value)?, "jwks", core::KeySet::from_input)
}
