//! A Charter capability narrowed by pymacaroons (a libmacaroons-compatible
//! library) is checked by Charter: allowed within the caveat pymacaroons added,
//! denied outside it. pymacaroons writes an empty location field, which
//! Charter accepts and drops; a third-party caveat it adds stays refused.
//!
//! Runs when `CHARTER_PYTHON` names a Python with pymacaroons (scripts/test.sh
//! provides one, see scripts/setup-tools.sh); otherwise it prints a notice and skips.

mod common;

use charter_core::CallOptions;
use charter_core::{b64, Capability, ErrorCode, Issuer, Request, RootKey, Verifier};
use serde_json::json;

#[test]
fn pymacaroons_narrows_and_charter_decides() {
    let Some(python) = std::env::var_os("CHARTER_PYTHON") else {
        println!("SKIPPED pymacaroons_interop: set CHARTER_PYTHON to a python with pymacaroons");
        return;
    };
    let secret = [7u8; 32];
    let root = RootKey::from_bytes(&secret).unwrap();
    let now = 1_767_225_600;
    let cap = Issuer::new(root.clone())
        .issue()
        .issued_at(now)
        .agent("shopper-7")
        .actions(&["payments.refund"])
        .expires_at(now + 3600)
        .build()
        .unwrap();
    let added = ["args.amount <= 100", "args.currency == \"USD\""];

    let input = json!({"token": cap.serialize(), "caveats": added, "root": hex::encode(secret)});
    let result = common::run_python(&python, "pymacaroons_interop.py", &input);
    let narrowed_text = result["narrowed"].as_str().unwrap();
    println!(
        "pymacaroons {} narrowed the capability: {narrowed_text}",
        result["pymacaroons"]
    );

    // pymacaroons really wrote a location field (empty) before the identifier:
    // version byte 2, then field type 1 with length 0.
    let raw = b64::decode(narrowed_text).expect("pymacaroons writes canonical base64url");
    assert_eq!(&raw[..3], &[2, 1, 0], "no empty location field: {raw:02x?}");

    let narrowed =
        Capability::parse(narrowed_text).expect("a token narrowed by pymacaroons parses");
    let mut expected: Vec<String> = cap.caveats().to_vec();
    expected.extend(added.iter().map(|c| c.to_string()));
    assert_eq!(narrowed.caveats(), expected.as_slice());
    // The same narrowing done by Charter: the same capability, id and bytes.
    let ours = added
        .iter()
        .fold(cap.clone(), |c, a| c.attenuate(a).unwrap());
    assert_eq!(narrowed, ours);
    assert_eq!(narrowed.id(), ours.id());
    assert_eq!(
        narrowed.serialize(),
        ours.serialize(),
        "the empty location is dropped"
    );

    let verifier = Verifier::new([root], "payments.example").unwrap();
    let call = |amount: i64, currency: &str| {
        Request::new(
            "shopper-7",
            "payments.refund",
            json!({"amount": amount, "currency": currency}),
        )
    };
    // Within the caveats pymacaroons added: allowed, from the token text too.
    for token in [narrowed_text, narrowed.serialize().as_str()] {
        let d = verifier.check(token, &call(80, "USD"), &CallOptions::at(now + 10));
        assert!(d.allowed, "{token}: {:?}", d.reasons);
    }
    // Outside them: denied, naming the caveat pymacaroons added.
    let d = verifier.check(narrowed_text, &call(250, "USD"), &CallOptions::at(now + 10));
    assert!(!d.allowed);
    let n = cap.caveats().len() as u32;
    assert_eq!(d.reasons.len(), 1, "{:?}", d.reasons);
    assert_eq!(d.reasons[0].code, ErrorCode::CaveatFailed);
    assert_eq!(d.reasons[0].caveat_index, Some(n));
    let d = verifier.check(narrowed_text, &call(80, "EUR"), &CallOptions::at(now + 10));
    assert_eq!(d.reasons.len(), 1, "{:?}", d.reasons);
    assert_eq!(d.reasons[0].caveat_index, Some(n + 1));
    // The original's caveats still hold after pymacaroons narrowed it.
    let d = verifier.check(
        narrowed_text,
        &call(80, "USD"),
        &CallOptions::at(now + 3600),
    );
    assert_eq!(d.reasons[0].code, ErrorCode::Expired);

    // A third-party caveat added by pymacaroons (with a location, or with an
    // empty one): refused as malformed, named as what it is.
    for third in result["third_party"].as_array().unwrap() {
        let third = third.as_str().unwrap();
        let e = Capability::parse(third).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Malformed);
        assert!(
            e.to_string()
                .contains("third-party caveats are not supported"),
            "{e}"
        );
        let d = verifier.check(third, &call(80, "USD"), &CallOptions::at(now + 10));
        assert!(!d.allowed);
        assert_eq!(d.reasons[0].code, ErrorCode::Malformed);
    }
}
