//! Capability tokens: base64url text and the binary V2 macaroon.
//!
//! Properties:
//! - what parses re-serializes to exactly the input (text and binary), so a
//!   token has one encoding;
//! - the text form and the binary form parse to the same capability;
//! - a token the vectors' verifier allows is the bare capability narrowed by
//!   its own caveats, recomputed here with `attenuate`: nothing else (a
//!   changed identifier, a dropped caveat, a new tag) verifies;
//! - deciding twice gives the same decision.
#![no_main]

use charter_core::{b64, Capability, Issuer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let f = charter_fuzz::fixtures();
    if let Ok(cap) = Capability::from_bytes(data) {
        assert_eq!(
            cap.to_bytes(),
            data,
            "binary token does not re-serialize to itself"
        );
        let text = cap.serialize();
        assert_eq!(Capability::parse(&text).as_ref(), Ok(&cap));
    }
    let Some(text) = charter_fuzz::text(data) else {
        return;
    };
    let verifier = f.verifier();
    let decision = verifier.check_token(text, &f.request, None, f.now);
    assert_eq!(
        verifier.check_token(text, &f.request, None, f.now),
        decision
    );
    let cap = match Capability::parse(text) {
        Ok(cap) => cap,
        Err(_) => {
            assert!(!decision.allowed, "a token that does not parse was allowed");
            return;
        }
    };
    assert_eq!(
        cap.serialize(),
        text,
        "token does not re-serialize to itself"
    );
    let bytes = b64::decode(text).expect("a parsed token is base64url");
    assert_eq!(Capability::from_bytes(&bytes).as_ref(), Ok(&cap));
    assert_eq!(cap.id(), Capability::parse(text).expect("parses").id());
    if decision.allowed {
        assert_eq!(cap.root_kid(), f.root.kid());
        // Allowed: it must be exactly the capability the root mints with this
        // identifier, narrowed by the token's caveats in order.
        let tid: [u8; 16] = b64::decode(cap.token_id())
            .and_then(|b| b.try_into().ok())
            .expect("a verified token id is 16 bytes");
        let minted = Issuer::new(f.root.clone())
            .issue()
            .token_id(tid)
            .issued_at(cap.issued_at())
            .build();
        // (The builder may refuse a bare capability; then only the chain
        // check inside the verifier vouches for it.)
        if let Ok(mut rebuilt) = minted {
            if rebuilt.caveats().is_empty() {
                for c in cap.caveats() {
                    rebuilt = rebuilt.attenuate(c).expect("an allowed caveat compiles");
                }
                assert_eq!(
                    rebuilt, cap,
                    "an allowed token is not its root's capability narrowed"
                );
            }
        }
    }
});
