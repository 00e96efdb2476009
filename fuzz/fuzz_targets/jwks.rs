//! JWKS and JWK input: `KeySet::from_jwks` and `PublicKey::from_jwk`.
//!
//! Properties:
//! - a parsed set writes a canonical JWKS that reads back to the same set
//!   and writes the same bytes again;
//! - every key survives its JWK and its raw bytes, with the same kid;
//! - a key's `x` is the canonical encoding of its point (RFC 8032 §5.1.3:
//!   no second encoding of a point, and so no second kid for one key).
#![no_main]

use charter_core::{jcs, KeySet, PublicKey};
use curve25519_dalek::edwards::CompressedEdwardsY;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = charter_fuzz::text(data) else {
        return;
    };
    if let Ok(value) = jcs::parse(text) {
        if let Ok(key) = PublicKey::from_jwk(&value) {
            check_key(&key);
        }
    }
    let Ok(set) = KeySet::from_jwks(text) else {
        return;
    };
    let out = set.to_jwks();
    assert_eq!(jcs::canonicalize_str(&out).as_deref(), Ok(out.as_str()));
    let back = KeySet::from_jwks(&out).expect("a written JWKS reads back");
    assert_eq!(back, set);
    assert_eq!(back.to_jwks(), out);
    for kid in set.kids() {
        let key = set.get(kid).expect("listed kid");
        assert_eq!(key.kid(), kid);
        check_key(key);
    }
});

fn check_key(key: &PublicKey) {
    let bytes = key.to_bytes();
    let point = CompressedEdwardsY(bytes)
        .decompress()
        .expect("an accepted key is a point");
    assert_eq!(
        point.compress().to_bytes(),
        bytes,
        "accepted a non-canonical encoding of a point (kid {})",
        key.kid()
    );
    let again = PublicKey::from_bytes(&bytes).expect("a key's bytes are a key");
    assert_eq!(again.kid(), key.kid());
    let jwk = PublicKey::from_jwk(&key.to_jwk()).expect("a key's JWK is a key");
    assert_eq!(&jwk, key);
}
