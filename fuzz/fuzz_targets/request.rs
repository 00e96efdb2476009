//! Request input (`Request::from_json`), decided by every capability of the
//! caveat and check vectors.
//!
//! Properties:
//! - a parsed request is valid, and its canonical JSON reads back to a
//!   request with the same agent, action, resource, hash and args hash;
//! - every capability decides the request and its canonical round trip the
//!   same way (what a permit or receipt records is what was decided);
//! - deciding is deterministic.
#![no_main]

use std::sync::OnceLock;

use charter_core::{jcs, CallOptions, Capability, Request};
use libfuzzer_sys::fuzz_target;

const CAVEATS: &str = include_str!("../../contract/vectors/caveats.json");
const CHECKS: &str = include_str!("../../contract/vectors/checks.json");

/// Tokens of the caveat and check vectors minted by the fixtures' root.
fn tokens() -> &'static [Capability] {
    static T: OnceLock<Vec<Capability>> = OnceLock::new();
    T.get_or_init(|| {
        let root = charter_fuzz::fixtures().root.kid().to_string();
        let mut out = Vec::new();
        for file in [CAVEATS, CHECKS] {
            let doc: serde_json::Value = serde_json::from_str(file).expect("JSON");
            for v in doc["vectors"].as_array().expect("vectors") {
                if let Some(Ok(cap)) = v["token"].as_str().map(Capability::parse) {
                    if cap.root_kid() == root && !out.contains(&cap) {
                        out.push(cap);
                    }
                }
            }
        }
        out
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(text) = charter_fuzz::text(data) else {
        return;
    };
    let Ok(req) = Request::from_json(text) else {
        return;
    };
    req.validate().expect("a parsed request is valid");
    let canonical = jcs::canonicalize(&req.to_value()).expect("a valid request canonicalizes");
    let back = match Request::from_json(&canonical) {
        Ok(r) => r,
        Err(e) => panic!("canonical request {canonical:?} does not read back: {e:?}"),
    };
    assert_eq!(back.agent, req.agent);
    assert_eq!(back.action, req.action);
    assert_eq!(back.resource, req.resource);
    assert_eq!(back.hash().ok(), req.hash().ok());
    assert_eq!(back.args_hash().ok(), req.args_hash().ok());

    let f = charter_fuzz::fixtures();
    let verifier = f.verifier();
    for cap in tokens() {
        let d = verifier.check(cap, &req, &CallOptions::at(f.now));
        assert_eq!(verifier.check(cap, &req, &CallOptions::at(f.now)), d);
        let d_back = verifier.check(cap, &back, &CallOptions::at(f.now));
        assert_eq!(
            d_back.allowed, d.allowed,
            "{:?} decides {text:?} and its canonical form {canonical:?} differently: {d:?} vs {d_back:?}",
            cap.caveats()
        );
    }
});
