//! Holder proofs, checked by a verifier against the capability, request,
//! audience and clock of the first proof vector (a capability bound to the
//! vector's holder key).
//!
//! Input: the proof, optionally followed by 0xFF and a request as JSON.
//!
//! Properties:
//! - a proof that lets the bound capability through is byte for byte the
//!   proof the holder signs for that request, time and nonce (Ed25519 is
//!   deterministic; the payload is canonical): no second encoding passes;
//! - it passes once: shown again it is refused as replayed;
//! - without a proof the bound capability is refused.
#![no_main]

use charter_core::{b64, jcs, CallOptions, ErrorCode, Holder, Request, Verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (p, r) = charter_fuzz::split2(data);
    let Some(proof) = charter_fuzz::text(p) else {
        return;
    };
    let f = charter_fuzz::fixtures();
    let request = if r.is_empty() {
        f.proof_request.clone()
    } else {
        match charter_fuzz::text(r).map(Request::from_json) {
            Some(Ok(req)) => req,
            _ => return,
        }
    };
    let verifier = Verifier::new([f.root.clone()], f.proof_audience.clone()).expect("one root");
    let cap = &f.proof_cap;
    let decision = verifier.check(
        cap,
        &request,
        &CallOptions::at(f.proof_now).with_proof(proof),
    );
    if !decision.allowed {
        return;
    }
    assert!(
        !verifier
            .check(cap, &request, &CallOptions::at(f.proof_now))
            .allowed,
        "a holder-bound capability passed without a proof"
    );
    let replayed = verifier.check(
        cap,
        &request,
        &CallOptions::at(f.proof_now).with_proof(proof),
    );
    assert!(!replayed.allowed, "a holder proof passed twice");
    assert_eq!(replayed.reasons[0].code, ErrorCode::Replayed);

    let (payload, _) = proof
        .split_once('.')
        .expect("an accepted proof has two parts");
    let payload = b64::decode(payload).expect("accepted payload is base64url");
    let payload = jcs::parse(std::str::from_utf8(&payload).expect("UTF-8")).expect("JSON");
    let iat = payload["iat"].as_i64().expect("iat");
    let nonce = b64::decode(payload["nonce"].as_str().expect("nonce")).expect("nonce bytes");
    let holder = Holder::new(f.proof_holder.clone());
    let signed = holder
        .prove_with_nonce(cap, &request, &f.proof_audience, iat, &nonce)
        .expect("the holder signs what it accepted");
    assert_eq!(
        signed, proof,
        "a proof passed that is not the one the holder signs for it"
    );
});
