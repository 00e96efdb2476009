//! Keys: Ed25519 signing and public keys (JWK, RFC 7638 thumbprints as key ids,
//! JWKS key sets) and HMAC root keys for capabilities. Secrets never print.

use std::collections::BTreeMap;
use std::fmt;

use ed25519_dalek::Signer;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{b64, jcs, Error, ErrorCode, JsonInput};

/// Bounds on what a caller may hand us.
pub const MAX_ROOT_KEY_BYTES: usize = 1024;
/// Shortest root key accepted: HMAC-SHA256's security level.
pub const MIN_ROOT_KEY_BYTES: usize = 32;
/// Most keys one [`KeySet`] holds.
pub const MAX_KEYS_PER_SET: usize = 256;
/// Largest JWKS text accepted, in bytes.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;

/// Why key material was refused; each variant maps to one [`ErrorCode`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Raw key bytes of the wrong length.
    #[error("{what} must be {expected} bytes, got {got}")]
    WrongLength {
        /// Which key it was meant to be.
        what: &'static str,
        /// The lengths accepted.
        expected: &'static str,
        /// The length given.
        got: usize,
    },
    /// Not a point on the curve, or a small-order one.
    #[error("public key is not a valid Ed25519 point, or is of small order")]
    InvalidPoint,
    /// A point given in a non-canonical encoding (y ≥ p).
    #[error("public key is not the canonical encoding of its point (its y coordinate is not reduced mod p, RFC 8032 §5.1.3); encode the key with y < 2^255 − 19")]
    NonCanonical,
    /// A JWK or JWKS of the wrong shape.
    #[error("invalid JWK: {0}")]
    Jwk(String),
    /// More than [`MAX_KEYS_PER_SET`] keys, or JWKS text over [`MAX_JWKS_BYTES`].
    #[error("key set holds more than {MAX_KEYS_PER_SET} keys")]
    TooManyKeys,
    /// JWKS text that is not strict I-JSON.
    #[error("invalid JWKS JSON: {0}")]
    Json(#[from] jcs::JsonError),
    /// No key in the set has this kid.
    #[error("no trusted key has id {0:?}")]
    UnknownKid(String),
    /// An Ed25519 signature that does not verify.
    #[error("signature does not verify")]
    BadSignature,
}

impl KeyError {
    /// The stable code this failure is reported with.
    pub fn code(&self) -> ErrorCode {
        match self {
            KeyError::WrongLength { .. } | KeyError::InvalidPoint | KeyError::NonCanonical => {
                ErrorCode::InvalidArgument
            }
            KeyError::Jwk(_) => ErrorCode::Malformed,
            KeyError::TooManyKeys => ErrorCode::LimitExceeded,
            KeyError::Json(e) => e.code(),
            KeyError::UnknownKid(_) => ErrorCode::UnknownKey,
            KeyError::BadSignature => ErrorCode::BadSignature,
        }
    }
}

impl From<KeyError> for Error {
    fn from(e: KeyError) -> Self {
        Error::new(e.code(), e.to_string())
    }
}

/// The bytes a domain-separated signature or MAC covers: `label || 0x00 || message`.
pub(crate) fn labeled(label: &str, message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(label.len() + 1 + message.len());
    out.extend_from_slice(label.as_bytes());
    out.push(0);
    out.extend_from_slice(message);
    out
}

/// An Ed25519 private key.
#[derive(Clone)]
pub struct SigningKey {
    inner: ed25519_dalek::SigningKey,
}

impl SigningKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Self {
        SigningKey {
            inner: ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng),
        }
    }

    /// From the 32-byte seed.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let seed: [u8; 32] = bytes.try_into().map_err(|_| KeyError::WrongLength {
            what: "an Ed25519 signing key seed",
            expected: "32",
            got: bytes.len(),
        })?;
        Ok(SigningKey {
            inner: ed25519_dalek::SigningKey::from_bytes(&seed),
        })
    }

    /// The 32-byte seed. Handle with care: this is the secret.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.inner.to_bytes())
    }

    /// The public half, to share as a JWK or JWKS.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_dalek(self.inner.verifying_key())
    }

    /// The public key's RFC 7638 thumbprint, which names it in tokens.
    pub fn kid(&self) -> String {
        self.public_key().kid().to_string()
    }

    /// Signs `label || 0x00 || message`.
    pub(crate) fn sign_labeled(&self, label: &str, message: &[u8]) -> [u8; 64] {
        self.inner.sign(&labeled(label, message)).to_bytes()
    }

    /// Signs raw bytes (JWS signing input, whose domain is fixed by its header).
    pub(crate) fn sign_raw(&self, message: &[u8]) -> [u8; 64] {
        self.inner.sign(message).to_bytes()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid())
            .finish_non_exhaustive()
    }
}

/// An Ed25519 public key with its RFC 7638 thumbprint as key id.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    inner: ed25519_dalek::VerifyingKey,
    kid: String,
}

impl PublicKey {
    fn from_dalek(inner: ed25519_dalek::VerifyingKey) -> Self {
        let x = b64::encode(inner.as_bytes());
        // RFC 7638: the required members, lexicographic order, no whitespace.
        let thumb = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
        PublicKey {
            inner,
            kid: b64::encode(Sha256::digest(thumb.as_bytes())),
        }
    }

    /// From the 32-byte compressed point; small-order and invalid points are
    /// refused, and so is a non-canonical encoding (y ≥ p, or x = 0 with the
    /// sign bit set: RFC 8032 §5.1.3), which would give one point two key ids.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let raw: [u8; 32] = bytes.try_into().map_err(|_| KeyError::WrongLength {
            what: "an Ed25519 public key",
            expected: "32",
            got: bytes.len(),
        })?;
        let inner =
            ed25519_dalek::VerifyingKey::from_bytes(&raw).map_err(|_| KeyError::InvalidPoint)?;
        if inner.is_weak() {
            return Err(KeyError::InvalidPoint.into());
        }
        // The decoder reduces y mod p; the canonical encoding of the decoded
        // point must be the bytes we were given.
        if inner.to_edwards().compress().to_bytes() != raw {
            return Err(KeyError::NonCanonical.into());
        }
        Ok(PublicKey::from_dalek(inner))
    }

    /// The 32-byte compressed point.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.inner.to_bytes()
    }

    /// RFC 7638 JWK thumbprint (SHA-256, base64url).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public JWK (RFC 8037 OKP) with `kid`, `alg` and `use`.
    pub fn to_jwk(&self) -> Value {
        json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64::encode(self.inner.as_bytes()),
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
        })
    }

    /// Parses a public JWK. Private members, other curves or algorithms, unknown
    /// members and a `kid` that is not the thumbprint are refused.
    pub fn from_jwk(jwk: &Value) -> Result<Self, Error> {
        let obj = jwk
            .as_object()
            .ok_or_else(|| KeyError::Jwk("a JWK must be a JSON object".into()))?;
        for (name, value) in obj {
            let ok = match name.as_str() {
                "kty" => value == "OKP",
                "crv" => value == "Ed25519",
                "alg" => value == "EdDSA",
                "use" => value == "sig",
                "x" | "kid" => value.is_string(),
                "d" => {
                    return Err(KeyError::Jwk(
                        "this JWK holds a private key (\"d\"); share only public keys".into(),
                    )
                    .into())
                }
                other => return Err(KeyError::Jwk(format!("unknown member {other:?}")).into()),
            };
            if !ok {
                return Err(KeyError::Jwk(format!(
                    "member {name:?} must be {}",
                    match name.as_str() {
                        "kty" => "\"OKP\"",
                        "crv" => "\"Ed25519\"",
                        "alg" => "\"EdDSA\"",
                        "use" => "\"sig\"",
                        _ => "a string",
                    }
                ))
                .into());
            }
        }
        for required in ["kty", "crv", "x"] {
            if !obj.contains_key(required) {
                return Err(KeyError::Jwk(format!("missing member {required:?}")).into());
            }
        }
        let x = obj["x"].as_str().unwrap_or_default();
        let bytes = b64::decode(x)
            .ok_or_else(|| KeyError::Jwk("\"x\" is not canonical base64url".into()))?;
        let key = PublicKey::from_bytes(&bytes)?;
        if let Some(kid) = obj.get("kid") {
            if kid != key.kid() {
                return Err(KeyError::Jwk(format!(
                    "\"kid\" {kid} is not the key's RFC 7638 thumbprint {:?}",
                    key.kid()
                ))
                .into());
            }
        }
        Ok(key)
    }

    /// Strictly verifies a signature over `label || 0x00 || message`.
    pub(crate) fn verify_labeled(
        &self,
        label: &str,
        message: &[u8],
        sig: &[u8],
    ) -> Result<(), Error> {
        self.verify_raw(&labeled(label, message), sig)
    }

    /// Strict Ed25519 verification (no malleable or small-order signatures).
    pub(crate) fn verify_raw(&self, message: &[u8], sig: &[u8]) -> Result<(), Error> {
        let sig = ed25519_dalek::Signature::from_slice(sig).map_err(|_| KeyError::BadSignature)?;
        self.inner
            .verify_strict(message, &sig)
            .map_err(|_| KeyError::BadSignature.into())
    }

    pub(crate) fn dalek(&self) -> &ed25519_dalek::VerifyingKey {
        &self.inner
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey").field("kid", &self.kid).finish()
    }
}

/// Trusted public keys by kid, as travel in a JWKS. Several at once allow rotation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeySet {
    keys: BTreeMap<String, PublicKey>,
}

impl KeySet {
    /// An empty set.
    pub fn new() -> Self {
        KeySet::default()
    }

    /// A set of `keys`; more than [`MAX_KEYS_PER_SET`] is `limit_exceeded`.
    pub fn from_keys(keys: impl IntoIterator<Item = PublicKey>) -> Result<Self, Error> {
        let mut set = KeySet::new();
        for k in keys {
            set.insert(k)?;
        }
        Ok(set)
    }

    /// Parses `{"keys":[...]}`; every key must be a valid public Ed25519 JWK.
    pub fn from_jwks(text: &str) -> Result<Self, Error> {
        if text.len() > MAX_JWKS_BYTES {
            return Err(KeyError::TooManyKeys.into());
        }
        let doc = jcs::parse_raw(text).map_err(KeyError::from)?;
        let obj = doc
            .as_object()
            .ok_or_else(|| KeyError::Jwk("a JWKS must be a JSON object".into()))?;
        if let Some(extra) = obj.keys().find(|k| k.as_str() != "keys") {
            return Err(KeyError::Jwk(format!("unknown JWKS member {extra:?}")).into());
        }
        let keys = obj
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| KeyError::Jwk("a JWKS needs a \"keys\" array".into()))?;
        let mut set = KeySet::new();
        for jwk in keys {
            set.insert(PublicKey::from_jwk(jwk)?)?;
        }
        Ok(set)
    }

    /// A set from a JWKS given either way (a binding's `jwks: object | string`
    /// argument): text as [`KeySet::from_jwks`] reads it, a value as its
    /// canonical text, so both forms meet the same rules and size bound.
    pub fn from_input(jwks: JsonInput<'_>) -> Result<Self, Error> {
        match jwks {
            JsonInput::Text(text) => KeySet::from_jwks(text),
            JsonInput::Value(value) => KeySet::from_jwks(&jcs::canonicalize(&value)?),
        }
    }

    /// Canonical (JCS) JWKS text, keys ordered by kid.
    pub fn to_jwks(&self) -> String {
        let keys: Vec<Value> = self.keys.values().map(PublicKey::to_jwk).collect();
        jcs::canonicalize(&json!({ "keys": keys })).expect("JWKS members are plain strings")
    }

    /// Adds `key` (replacing one with the same kid); a full set is `limit_exceeded`.
    pub fn insert(&mut self, key: PublicKey) -> Result<(), Error> {
        if self.keys.len() >= MAX_KEYS_PER_SET && !self.keys.contains_key(key.kid()) {
            return Err(KeyError::TooManyKeys.into());
        }
        self.keys.insert(key.kid.clone(), key);
        Ok(())
    }

    /// The key named `kid`, or `unknown_key`.
    pub fn get(&self, kid: &str) -> Result<&PublicKey, Error> {
        self.keys
            .get(kid)
            .ok_or_else(|| KeyError::UnknownKid(kid.to_string()).into())
    }

    /// The kids held, in sorted order.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set holds no key (it then trusts nothing).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// A secret HMAC key that capabilities are minted from, with a derived public id
/// carried in every capability so a verifier can hold several (rotation).
#[derive(Clone)]
pub struct RootKey {
    bytes: Zeroizing<Vec<u8>>,
    /// libmacaroons' derived key, computed once rather than at every check.
    #[cfg(not(target_arch = "wasm32"))]
    derived: Zeroizing<[u8; 32]>,
    /// wasm32, instead: the HMAC keyed with the derived key, cloned for
    /// every chain (zeroized when dropped: hmac's `zeroize` feature).
    #[cfg(target_arch = "wasm32")]
    keyed: crate::capability::HmacSha256,
    kid: String,
}

impl RootKey {
    /// A fresh 32-byte key from the operating system's random source.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new(vec![0u8; 32]);
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
        RootKey::from_bytes(&bytes).expect("32 random bytes are a valid root key")
    }

    /// At least 32 bytes (the HMAC-SHA256 security level), at most 1 KiB.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        if !(MIN_ROOT_KEY_BYTES..=MAX_ROOT_KEY_BYTES).contains(&bytes.len()) {
            return Err(KeyError::WrongLength {
                what: "a root key",
                expected: "32 to 1024",
                got: bytes.len(),
            }
            .into());
        }
        let digest = Sha256::digest(labeled("charter/v1/root-key-id", bytes));
        let derived = Zeroizing::new(crate::capability::derived_key(bytes));
        Ok(RootKey {
            bytes: Zeroizing::new(bytes.to_vec()),
            #[cfg(target_arch = "wasm32")]
            keyed: crate::capability::keyed(&derived),
            #[cfg(not(target_arch = "wasm32"))]
            derived,
            kid: b64::encode(&digest[..16]),
        })
    }

    /// The secret bytes, to store; zeroized when dropped.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.bytes.clone()
    }

    /// The key's public id, carried in every capability it mints.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn derived(&self) -> &[u8; 32] {
        &self.derived
    }

    #[cfg(target_arch = "wasm32")]
    pub(crate) fn keyed(&self) -> &crate::capability::HmacSha256 {
        &self.keyed
    }
}

impl fmt::Debug for RootKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RootKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8037_thumbprint() {
        // RFC 8037 Appendix A.3: the thumbprint of the example public key.
        let x = b64::decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").unwrap();
        let key = PublicKey::from_bytes(&x).unwrap();
        assert_eq!(key.kid(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
        assert_eq!(PublicKey::from_jwk(&key.to_jwk()).unwrap(), key);
    }

    #[test]
    fn secrets_never_print() {
        let sk = SigningKey::from_bytes(&[7; 32]).unwrap();
        let rk = RootKey::from_bytes(&[9; 32]).unwrap();
        let printed = format!("{sk:?} {rk:?}");
        assert!(
            !printed.contains("7, 7") && !printed.contains("9, 9"),
            "{printed}"
        );
        assert!(printed.contains(&sk.kid()) && printed.contains(rk.kid()));
    }

    #[test]
    fn key_lengths_and_points_are_checked() {
        assert_eq!(
            SigningKey::from_bytes(&[0; 31]).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
        assert_eq!(
            RootKey::from_bytes(&[0; 31]).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
        // The identity point is of small order.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            PublicKey::from_bytes(&identity).unwrap_err(),
            Error::from(KeyError::InvalidPoint)
        );
    }

    /// `y + p` for a small y: the little-endian bytes of p = 2^255 − 19 with
    /// y added to the low byte, and the sign bit of x.
    pub(crate) fn non_canonical(y: u8, sign: bool) -> [u8; 32] {
        let mut b = [0xff; 32];
        b[0] = 0xed + y;
        b[31] = 0x7f | if sign { 0x80 } else { 0 };
        b
    }

    #[test]
    fn non_canonical_encodings_are_refused() {
        // Every y ≥ p that the decoder takes for a point of large order.
        let mut refused = 0;
        for y in 0..=18u8 {
            for sign in [false, true] {
                let bad = non_canonical(y, sign);
                let Ok(point) = ed25519_dalek::VerifyingKey::from_bytes(&bad) else {
                    continue;
                };
                if point.is_weak() {
                    assert_eq!(
                        PublicKey::from_bytes(&bad).unwrap_err(),
                        Error::from(KeyError::InvalidPoint)
                    );
                    continue;
                }
                // The canonical encoding of the same point is a valid key...
                let mut good = [0u8; 32];
                good[0] = y;
                good[31] = if sign { 0x80 } else { 0 };
                let key = PublicKey::from_bytes(&good).unwrap();
                assert_eq!(point.to_edwards(), key.dalek().to_edwards());
                // ...and the other encoding of it is refused, by bytes and as a JWK.
                let e = PublicKey::from_bytes(&bad).unwrap_err();
                assert_eq!(e, Error::from(KeyError::NonCanonical), "y = {y} + p");
                assert_eq!(e.code(), ErrorCode::InvalidArgument);
                let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64::encode(bad)});
                assert_eq!(
                    PublicKey::from_jwk(&jwk).unwrap_err(),
                    Error::from(KeyError::NonCanonical)
                );
                let jwks = json!({"keys": [jwk]}).to_string();
                assert_eq!(
                    KeySet::from_jwks(&jwks).unwrap_err(),
                    Error::from(KeyError::NonCanonical)
                );
                refused += 1;
            }
        }
        assert!(
            refused > 0,
            "no non-canonical encoding of a large-order point was tried"
        );
    }

    #[test]
    fn jwks_round_trip_and_strictness() {
        let a = SigningKey::from_bytes(&[1; 32]).unwrap().public_key();
        let b = SigningKey::from_bytes(&[2; 32]).unwrap().public_key();
        let set = KeySet::from_keys([a.clone(), b]).unwrap();
        let text = set.to_jwks();
        assert_eq!(KeySet::from_jwks(&text).unwrap(), set);
        let mut jwk = a.to_jwk();
        jwk["d"] = json!("AAAA");
        assert!(PublicKey::from_jwk(&jwk).is_err());
        let mut jwk = a.to_jwk();
        jwk["kid"] = json!("not-the-thumbprint");
        assert!(PublicKey::from_jwk(&jwk).is_err());
        assert_eq!(set.get("nope").unwrap_err().code(), ErrorCode::UnknownKey);
        // As a value or as text, one set and one set of refusals.
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(KeySet::from_input(JsonInput::Value(value)).unwrap(), set);
        assert_eq!(KeySet::from_input(JsonInput::Text(&text)).unwrap(), set);
        let extra = json!({"keys": [], "extra": 1});
        let by_value = KeySet::from_input(JsonInput::Value(extra.clone())).unwrap_err();
        let by_text = KeySet::from_input(JsonInput::Text(&extra.to_string())).unwrap_err();
        assert_eq!(by_value, by_text);
    }

    #[test]
    fn labeled_signatures_do_not_cross_domains() {
        let sk = SigningKey::generate();
        let sig = sk.sign_labeled("charter/v1/receipt", b"m");
        let pk = sk.public_key();
        assert!(pk.verify_labeled("charter/v1/receipt", b"m", &sig).is_ok());
        assert!(pk.verify_labeled("charter/v1/proof", b"m", &sig).is_err());
    }
}
