//! Audit bundles: `Bundle::parse` and `Bundle::verify`.
//!
//! Properties:
//! - what parses is its own canonical text and parses back to an equal bundle;
//! - every receipt in it is a receipt on its own, and its JWKS a JWKS;
//! - verification is deterministic, agrees with `verify_bundle` on the text
//!   and with `verify_from` at the head's own anchor, and a verified report
//!   describes exactly the receipts the bundle holds.
#![no_main]

use charter_core::{verify_bundle, Bundle, KeySet, Receipt, GENESIS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = charter_fuzz::text(data) else {
        return;
    };
    let Ok(bundle) = Bundle::parse(text) else {
        assert!(verify_bundle(text, &charter_fuzz::fixtures().audit_keys).is_err());
        return;
    };
    let json = bundle.to_json();
    assert_eq!(json, text, "a bundle that is not its own canonical text");
    assert_eq!(Bundle::parse(&json).as_ref(), Ok(&bundle));
    for r in bundle.receipts() {
        let alone = Receipt::parse(r.to_json()).expect("a bundled receipt parses alone");
        assert_eq!(alone.hash(), r.hash());
    }
    let jwks = bundle.keys().to_jwks();
    assert_eq!(KeySet::from_jwks(&jwks).as_ref(), Ok(bundle.keys()));

    let f = charter_fuzz::fixtures();
    let verdict = bundle.verify(&f.audit_keys);
    assert_eq!(bundle.verify(&f.audit_keys), verdict);
    assert_eq!(
        verify_bundle(text, &f.audit_keys).ok(),
        verdict.as_ref().ok().cloned()
    );
    if let Ok(report) = verdict {
        assert_eq!(bundle.head().anchor, GENESIS);
        let receipts = bundle.receipts();
        assert_eq!(report.count, receipts.len() as u64);
        assert_eq!(report.first_seq, receipts[0].seq());
        assert_eq!(report.last_seq, receipts[receipts.len() - 1].seq());
        for pair in receipts.windows(2) {
            assert_eq!(pair[1].prev(), pair[0].hash());
            assert_eq!(pair[1].seq(), pair[0].seq() + 1);
        }
    }
    if let Ok(report) = bundle.verify_from(&f.audit_keys, &bundle.head().anchor) {
        assert_eq!(report.count, bundle.receipts().len() as u64);
    }
});
