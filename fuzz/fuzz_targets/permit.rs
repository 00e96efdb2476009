//! Permits (EdDSA JWS compact tokens): `Permit::parse` and `PermitVerifier::verify`.
//!
//! Input: the token, optionally followed by 0xFF and the call's JSON args.
//!
//! Properties:
//! - what parses keeps its exact text (`token()` is the input);
//! - what verifies parses, to the claims verification returns;
//! - what verifies is byte for byte the token its signer issues for those
//!   claims (Ed25519 is deterministic): no second encoding of a header,
//!   claims or signature verifies;
//! - a verified permit is refused the second time (single use).
#![no_main]

use charter_core::{jcs, ErrorCode, Permit, PermitIssuer, PermitRequest, PermitVerifier};
use libfuzzer_sys::fuzz_target;
use serde_json::json;

fuzz_target!(|data: &[u8]| {
    let (t, a) = charter_fuzz::split2(data);
    let Some(token) = charter_fuzz::text(t) else {
        return;
    };
    let args = match charter_fuzz::text(a).map(jcs::parse) {
        Some(Ok(v)) => v,
        _ => json!({}),
    };
    let f = charter_fuzz::fixtures();
    let permit = match Permit::parse(token) {
        Ok(p) => p,
        Err(_) => {
            let v = PermitVerifier::new(f.permit_jwks.clone(), "any");
            assert!(v.verify(token, "any", &args, 0).is_err());
            return;
        }
    };
    assert_eq!(permit.token(), token);
    let claims = permit.claims();
    let verifier = PermitVerifier::new(f.permit_jwks.clone(), claims.aud.clone());
    let Ok(verified) = verifier.verify(token, &claims.act, &args, claims.iat) else {
        return;
    };
    assert_eq!(&verified, claims, "verify and parse read different claims");
    let again = verifier
        .verify(token, &claims.act, &args, claims.iat)
        .expect_err("a permit verified twice");
    assert_eq!(again.code(), ErrorCode::Replayed);

    let key = f
        .permit_keys
        .iter()
        .find(|k| k.kid() == permit.kid())
        .expect("verified by a key of the set");
    let Ok(issuer) =
        PermitIssuer::new(key.clone(), claims.iss.clone()).with_ttl(Some(claims.exp - claims.iat))
    else {
        return;
    };
    let mut req = PermitRequest::new(&claims.sub, &claims.aud, &claims.act, &args, &claims.cap)
        .with_jti(&claims.jti);
    if let Some(idem) = &claims.idem {
        req = req.with_idempotency_key(idem);
    }
    let reissued = issuer
        .issue(&req, claims.iat)
        .expect("verified claims can be issued");
    assert_eq!(
        reissued.token(),
        token,
        "a token verified that is not the one its signer issues for its claims"
    );
});
