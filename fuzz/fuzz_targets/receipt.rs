//! Receipts: `Receipt::parse` and `Receipt::verify`.
//!
//! Properties:
//! - what parses is its own canonical text (`to_json()` is the input) and
//!   parses back to the same hash;
//! - the signed body is canonical JSON;
//! - allow has no reasons, deny has at least one;
//! - verification is deterministic, and succeeds only with the key the
//!   receipt names.
#![no_main]

use charter_core::{jcs, KeySet, Outcome, Receipt};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = charter_fuzz::text(data) else {
        return;
    };
    let Ok(receipt) = Receipt::parse(text) else {
        return;
    };
    assert_eq!(
        receipt.to_json(),
        text,
        "a receipt that is not its own canonical text"
    );
    let back = Receipt::parse(receipt.to_json()).expect("canonical text parses");
    assert_eq!(back.hash(), receipt.hash());
    let body = receipt.signed_body();
    assert_eq!(jcs::canonicalize_str(&body).as_deref(), Ok(body.as_str()));
    match receipt.decision() {
        Outcome::Allow => assert!(receipt.reasons().is_empty()),
        Outcome::Deny => assert!(!receipt.reasons().is_empty()),
    }
    let f = charter_fuzz::fixtures();
    let verdict = receipt.verify(&f.audit_keys);
    assert_eq!(receipt.verify(&f.audit_keys).is_ok(), verdict.is_ok());
    if verdict.is_ok() {
        let own = f
            .audit_keys
            .get(receipt.kid())
            .expect("verified by a known key");
        let only = KeySet::from_keys([own.clone()]).expect("one key");
        assert!(receipt.verify(&only).is_ok());
        assert!(receipt.verify(&KeySet::new()).is_err());
    }
});
