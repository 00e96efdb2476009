//! Capability tokens: base64url text and the binary V2 macaroon.
//!
//! Properties:
//! - what parses re-serializes to exactly the input (text and binary), so a
//!   token has one encoding; the one exception is an empty location field (as
//!   pymacaroons writes it, outside the HMAC chain), which is dropped, and
//!   then the output is its own encoding;
//! - the text form and the binary form parse to the same capability;
//! - a token the vectors' verifier allows is exactly the capability its root
//!   mints with that identifier, narrowed by the token's caveats in order
//!   (recomputed with `attenuate`): nothing else (a changed identifier, a
//!   dropped or reordered caveat, another tag) verifies;
//! - deciding twice gives the same decision.
#![no_main]

use charter_core::{b64, CallOptions, Capability, Issuer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let f = charter_fuzz::fixtures();
    if let Ok(cap) = Capability::from_bytes(data) {
        check_encoding(data, &cap);
        let text = cap.serialize();
        assert_eq!(Capability::parse(&text).as_ref(), Ok(&cap));
    }
    let Some(text) = charter_fuzz::text(data) else {
        return;
    };
    let verifier = f.verifier();
    let decision = verifier.check(text, &f.request, &CallOptions::at(f.now));
    assert_eq!(
        verifier.check(text, &f.request, &CallOptions::at(f.now)),
        decision
    );
    let cap = match Capability::parse(text) {
        Ok(cap) => cap,
        Err(_) => {
            assert!(!decision.allowed, "a token that does not parse was allowed");
            return;
        }
    };
    let bytes = b64::decode(text).expect("a parsed token is base64url");
    assert_eq!(b64::encode(&bytes), text, "base64url is not canonical");
    check_encoding(&bytes, &cap);
    assert_eq!(Capability::from_bytes(&bytes).as_ref(), Ok(&cap));
    if !decision.allowed {
        return;
    }
    assert_eq!(cap.root_kid(), f.root.kid());
    let tid: [u8; 16] = b64::decode(cap.token_id())
        .and_then(|b| b.try_into().ok())
        .expect("a verified token id is 16 bytes");
    let minted = Issuer::new(f.root.clone())
        .issue()
        .token_id(tid)
        .issued_at(cap.issued_at())
        .build();
    // (Should the builder refuse a bare capability, only the verifier's own
    // chain check vouches for this token.)
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
});

/// A parsed token re-serializes to exactly its input, except that empty
/// location fields (type 1, length 0) may be dropped: then the input is the
/// output with such fields inserted, and the output is its own encoding.
fn check_encoding(input: &[u8], cap: &Capability) {
    let out = cap.to_bytes();
    if out == input {
        return;
    }
    assert!(
        only_empty_locations_dropped(input, &out),
        "token does not re-serialize to itself:\n in  {input:?}\n out {out:?}"
    );
    let again = Capability::from_bytes(&out).expect("the normalized token parses");
    assert_eq!(&again, cap);
    assert_eq!(again.to_bytes(), out, "normalization is not idempotent");
}

/// `input` is `out` with some `[0x01, 0x00]` pairs inserted.
fn only_empty_locations_dropped(input: &[u8], out: &[u8]) -> bool {
    const PAIR: [u8; 2] = [1, 0];
    if input.len() < out.len() || !(input.len() - out.len()).is_multiple_of(2) {
        return false;
    }
    let drops = (input.len() - out.len()) / 2;
    // reach[d] after step j: out[..j] matches input[..j + 2d] with d pairs dropped.
    let mut reach = vec![false; drops + 1];
    reach[0] = true;
    for j in 0..=out.len() {
        for d in 0..drops {
            let i = j + 2 * d;
            if reach[d] && input.get(i..i + 2) == Some(&PAIR[..]) {
                reach[d + 1] = true;
            }
        }
        if j == out.len() {
            break;
        }
        for (d, r) in reach.iter_mut().enumerate() {
            *r = *r && input.get(j + 2 * d) == Some(&out[j]);
        }
    }
    reach[drops]
}
