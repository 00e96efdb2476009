//! A Charter permit verifies with a stock JOSE library (PyJWT + cryptography),
//! and the classic algorithm-confusion forgeries (`alg: none`, HS256 keyed by
//! the public key) are refused by both PyJWT and Charter.
//!
//! Runs when `CHARTER_PYTHON` names a Python with PyJWT and cryptography
//! (scripts/test.sh provides one); otherwise it prints a notice and skips.

mod common;

use charter_core::{
    b64, ErrorCode, KeySet, PermitIssuer, PermitRequest, PermitVerifier, SigningKey,
};
use serde_json::json;

#[test]
fn pyjwt_verifies_permits_and_rejects_forgeries() {
    let Some(python) = std::env::var_os("CHARTER_PYTHON") else {
        println!(
            "SKIPPED pyjwt_interop: set CHARTER_PYTHON to a python with pyjwt and cryptography"
        );
        return;
    };
    let sk = SigningKey::from_bytes(&[42; 32]).unwrap();
    let keys = KeySet::from_keys([sk.public_key()]).unwrap();
    let issuer = PermitIssuer::new(sk.clone(), "charter-guard");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let args =
        json!({"to": "ops@example.com", "subject": "Q3", "amount": 12.5, "tags": ["a", "é"]});
    let req = PermitRequest::new("agent-7", "mail-service", "send_email", &args, "cap-123")
        .with_idempotency_key("idem-1");
    let permit = issuer.issue(&req, now).unwrap();

    let input = json!({
        "token": permit.token(),
        "jwks": keys.to_jwks(),
        "audience": "mail-service",
        "issuer": "charter-guard",
        "public_key": b64::encode(sk.public_key().to_bytes()),
    });
    let result = common::run_python(&python, "pyjwt_interop.py", &input);
    println!(
        "PyJWT {} verified the permit; it rejected alg none with {} and HS256 with {}",
        result["pyjwt"], result["rejected"]["none"], result["rejected"]["hs256"]
    );
    assert_eq!(
        result["claims"],
        serde_json::to_value(permit.claims()).unwrap(),
        "PyJWT decoded other claims"
    );

    let verifier = PermitVerifier::new(keys, "mail-service");
    for name in ["none", "hs256"] {
        let forged = result[name].as_str().unwrap();
        let e = verifier
            .verify(forged, "send_email", &args, now)
            .expect_err(name);
        assert_eq!(e.code(), ErrorCode::BadSignature, "{name}: {e}");
    }
    verifier
        .verify(permit.token(), "send_email", &args, now)
        .unwrap();
}
