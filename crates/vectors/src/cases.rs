//! The vector cases. Each function returns the vectors of one file.

use charter_core::capability::{Capability, IssueOptions, Issuer, MAX_CAVEATS, MAX_TOKEN_BYTES};
use charter_core::CallOptions;
use charter_core::{
    b64, jcs, Decision, Error, Holder, KeySet, MemoryRevocationList, PublicKey, Request, RootKey,
    SigningKey, Verifier,
};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// 2026-01-01T00:00:00Z: every vector's clock starts here.
pub const T0: i64 = 1_767_225_600;
const AUDIENCE: &str = "tools.shop.example";

/// 32 bytes derived from a label, so fixtures are reproducible and distinct.
pub(crate) fn bytes32(label: &str) -> [u8; 32] {
    Sha256::digest(format!("charter vectors: {label}").as_bytes()).into()
}

pub(crate) fn root(label: &str) -> RootKey {
    RootKey::from_bytes(&bytes32(label)).expect("32 bytes")
}

pub(crate) fn signing(label: &str) -> SigningKey {
    SigningKey::from_bytes(&bytes32(label)).expect("32 bytes")
}

fn token_id(n: u8) -> Vec<u8> {
    (0..16)
        .map(|k| n.wrapping_mul(16).wrapping_add(k))
        .collect()
}

pub(crate) fn expect_error(e: &Error) -> Value {
    json!({"error": e.code().as_str(), "message": e.message()})
}

/// A decision as vectors record it: `allowed` and each reason's code, caveat
/// index and message, and for `approval_required` the structured need
/// (`approval`, absent on every other reason).
fn decision_json(d: &Decision) -> Value {
    serde_json::to_value(d).expect("decisions serialize")
}

fn standard_args() -> Value {
    json!({
        "amount": 4200,
        "currency": "USD",
        "order": {"id": "A-1001", "items": [{"sku": "mug", "qty": 2}, {"sku": "tee", "qty": 1}]},
        "tags": ["gift", "priority"],
        "note": "café ☕",
        "ratio": 0.25,
        "big": 9007199254740991i64,
        "flag": true,
        "none": null
    })
}

pub(crate) fn standard_request() -> Request {
    Request::new("shopper-7", "payments.refund", standard_args()).with_resource("orders/A-1001")
}

fn request_text(r: &Request) -> String {
    jcs::canonicalize(&r.to_value()).expect("request is I-JSON")
}

pub fn jcs() -> Vec<Value> {
    let cases: &[(&str, &str, &str)] = &[
        (
            "sorts-keys",
            "members sort by key",
            r#"{"b":1,"a":2,"c":{"z":0,"y":[3,2,1]}}"#,
        ),
        (
            "utf16-order",
            "keys sort by UTF-16 code units: U+1F600 (D83D) before U+E000",
            "{\"\u{e000}\":1,\"\u{1f600}\":2,\"\u{7f}\":3,\"a\":4}",
        ),
        (
            "whitespace",
            "insignificant whitespace disappears",
            " { \"a\" : [ 1 , 2 ] ,\n\t\"b\" : null } ",
        ),
        ("float-100.0", "100.0 is the number 100", "100.0"),
        (
            "float-1e21",
            "1e21 prints in exponent form, as ECMAScript does",
            "1e21",
        ),
        ("float-1e20", "1e20 prints in full", "1e20"),
        ("float-1e-7", "1e-7 prints in exponent form", "1e-7"),
        ("float-1e-6", "0.000001 prints in full", "1e-6"),
        ("negative-zero", "-0 prints as 0", "-0"),
        ("negative-zero-float", "-0.0 prints as 0", "-0.0"),
        (
            "max-safe-integer",
            "2^53-1 is the largest exact integer",
            "9007199254740991",
        ),
        (
            "min-safe-integer",
            "-(2^53-1) is the smallest exact integer",
            "-9007199254740991",
        ),
        (
            "shortest-double",
            "doubles print in their shortest round-trip form",
            "[0.1,1.5,-2.25e3,3.141592653589793,5e-324,2.5e-8]",
        ),
        (
            "exact-big-double",
            "an integral double written in exponent form is accepted",
            "4.5e15",
        ),
        (
            "2^53-as-double",
            "2^53 is exactly a double: it reads as one (and 9007199254740992.0 writes it)",
            "[9007199254740992,-9007199254740992,9007199254740992.0]",
        ),
        (
            "1e20-reads-back",
            "1e20 writes as 100000000000000000000, which reads back as the same double",
            "[1e20,100000000000000000000]",
        ),
        (
            "big-shortest-double",
            "beyond 2^64 a double's shortest form is accepted and written as is",
            "[2.669624328417371e+125,1.2345678901234568e20,123456789012345680000]",
        ),
        (
            "max-double",
            "the largest double, in its shortest form",
            "1.7976931348623157e308",
        ),
        (
            "tie-ecmascript-form",
            "1448229986570578.25 lies midway between two 17-digit decimals; ECMAScript writes the even one",
            "1448229986570578.2",
        ),
        (
            "spare-zeros",
            "zeros that change no digit are fine: 0.10000 is 0.1",
            "[0.10000,0.50e1,5000.000000000001,0e999999]",
        ),
        (
            "unicode-escapes",
            "escapes decode; only required characters are escaped",
            r#""\u00e9\ud83d\ude00\u001f\u2028\/\"\\\n\t""#,
        ),
        (
            "control-escapes",
            "control characters use short escapes or lowercase \\u00xx",
            r#""\u0000\u0008\u000c\u000d\u007f""#,
        ),
        (
            "nested-unicode",
            "nested objects with escaped keys",
            r#"{"\u00e9":{"\ud83d\ude00":["\u0041"]}}"#,
        ),
        ("literals", "true, false and null", "[true,false,null]"),
        ("empty", "empty containers", r#"{"a":{},"b":[]}"#),
    ];
    let errors: &[(&str, &str, &str)] = &[
        (
            "beyond-2^53",
            "2^53+1 is not a double: refused, never rounded",
            "9007199254740993",
        ),
        (
            "beyond-minus-2^53",
            "-(2^53+1) is not a double",
            "-9007199254740993",
        ),
        (
            "inexact-double",
            "9007199254740993.0 cannot be held exactly",
            "9007199254740993.0",
        ),
        (
            "inexact-decimal",
            "5000.0000000000001 would read as 5000",
            "5000.0000000000001",
        ),
        (
            "inexact-long-decimal",
            "5000.00000000000000001 would read as 5000",
            "5000.00000000000000001",
        ),
        (
            "underflow",
            "1e-400 would read as 0",
            "1e-400",
        ),
        (
            "not-shortest",
            "0.30000000000000001 would read as 0.3",
            "0.30000000000000001",
        ),
        (
            "tie-other-form",
            "1448229986570578.3 reads as the same double, but JCS names it 1448229986570578.2: one name per double",
            "1448229986570578.3",
        ),
        (
            "inexact-between-2^53-and-2^64",
            "between 2^53 and 2^64 the shortest form must be the exact value: 9223372036854775808 prints as 9223372036854776000",
            "9223372036854776000.0",
        ),
        (
            "inexact-shortest",
            "1.2345678901234567e18 is not the double's exact value, and a CEL int could fall between",
            "1.2345678901234567e18",
        ),
        ("overflow", "1e400 is not finite", "1e400"),
        ("nan", "NaN is not JSON", "NaN"),
        (
            "duplicate-key",
            "duplicate keys are refused",
            r#"{"a":1,"a":2}"#,
        ),
        (
            "lone-high-surrogate",
            "a lone high surrogate is not Unicode",
            r#""\ud800""#,
        ),
        (
            "lone-low-surrogate",
            "a lone low surrogate is not Unicode",
            r#""\udc00""#,
        ),
        ("trailing", "trailing characters after the value", "{} {}"),
        ("trailing-comma", "trailing commas are not JSON", "[1,]"),
        ("leading-zero", "leading zeros are not JSON", "[01]"),
        ("single-quotes", "single quotes are not JSON", "{'a':1}"),
        (
            "raw-control",
            "a raw control character inside a string",
            "\"a\u{1}b\"",
        ),
        ("too-deep", "nesting beyond 64 levels", &"[".repeat(65)),
    ];
    let mut out = Vec::new();
    for (id, description, input) in cases {
        let output = jcs::canonicalize_str(input).unwrap_or_else(|e| panic!("jcs/{id}: {e}"));
        out.push(json!({"id": format!("jcs/{id}"), "description": description, "input": input, "expect": {"output": output}}));
    }
    for (id, description, input) in errors {
        let e = jcs::canonicalize_str(input).expect_err(id);
        out.push(json!({"id": format!("jcs/{id}"), "description": description, "input": input, "expect": expect_error(&e)}));
    }
    out
}

pub fn keys() -> Vec<Value> {
    let mut out = Vec::new();
    for label in ["signing 1", "signing 2", "holder 1"] {
        let sk = signing(label);
        let pk = sk.public_key();
        out.push(json!({
            "id": format!("keys/signing-{}", label.replace(' ', "-")),
            "type": "signing_key",
            "description": "an Ed25519 seed gives this public key, JWK and RFC 7638 kid",
            "seed": hex::encode(bytes32(label)),
            "expect": {"kid": pk.kid(), "public": hex::encode(pk.to_bytes()), "jwk": jcs::canonicalize(&pk.to_jwk()).unwrap()},
        }));
    }
    // RFC 8037 A.2/A.3: the example key and its thumbprint.
    let rfc = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    let pk = PublicKey::from_bytes(&hex::decode(rfc).unwrap()).unwrap();
    out.push(json!({"id": "keys/public-rfc8037", "type": "public_key", "description": "RFC 8037 appendix A key: thumbprint kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", "public": rfc, "expect": {"kid": pk.kid(), "jwk": jcs::canonicalize(&pk.to_jwk()).unwrap()}}));
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let e = PublicKey::from_bytes(&identity).unwrap_err();
    out.push(json!({"id": "keys/public-small-order", "type": "public_key", "description": "the identity point has small order and is refused", "public": hex::encode(identity), "expect": expect_error(&e)}));
    // RFC 8032 §5.1.3: y ≥ p is not an encoding of a point. The first small y
    // whose non-canonical form y + p the curve decoder takes for a point of
    // large order (so only the canonicity check refuses it).
    let (y, bad) = (0..=18u8)
        .find_map(|y| {
            let mut b = [0xff; 32];
            b[0] = 0xed + y;
            b[31] = 0x7f;
            let p = ed25519_dalek::VerifyingKey::from_bytes(&b).ok()?;
            (!p.is_weak()).then_some((y, b))
        })
        .expect("a large-order point with a small y");
    let mut good = [0u8; 32];
    good[0] = y;
    let canonical = PublicKey::from_bytes(&good).unwrap();
    let e = PublicKey::from_bytes(&bad).unwrap_err();
    out.push(json!({"id": "keys/public-non-canonical", "type": "public_key", "description": format!("y = {y} + p (2^255 − 19) is a non-canonical encoding of the point with y = {y} (kid {}), refused", canonical.kid()), "public": hex::encode(bad), "expect": expect_error(&e)}));
    out.push(json!({"id": "keys/public-canonical-small-y", "type": "public_key", "description": format!("the canonical encoding of the point with y = {y}, accepted"), "public": hex::encode(good), "expect": {"kid": canonical.kid(), "jwk": jcs::canonicalize(&canonical.to_jwk()).unwrap()}}));
    let e = PublicKey::from_bytes(&[1; 31]).unwrap_err();
    out.push(json!({"id": "keys/public-short", "type": "public_key", "description": "31 bytes is not a public key", "public": hex::encode([1u8; 31]), "expect": expect_error(&e)}));
    let e = SigningKey::from_bytes(&[1; 33]).unwrap_err();
    out.push(json!({"id": "keys/signing-long", "type": "signing_key", "description": "a seed must be exactly 32 bytes", "seed": hex::encode([1u8; 33]), "expect": expect_error(&e)}));

    for (id, secret) in [
        ("root-32", bytes32("root A").to_vec()),
        ("root-64", [bytes32("r1"), bytes32("r2")].concat()),
    ] {
        let rk = RootKey::from_bytes(&secret).unwrap();
        out.push(json!({"id": format!("keys/{id}"), "type": "root_key", "description": "a root key's id is derived from it", "secret": hex::encode(&secret), "expect": {"kid": rk.kid()}}));
    }
    for (id, len) in [("root-16", 16usize), ("root-1025", 1025)] {
        let e = RootKey::from_bytes(&vec![7; len]).unwrap_err();
        out.push(json!({"id": format!("keys/{id}"), "type": "root_key", "description": "root keys are 32 to 1024 bytes", "secret": hex::encode(vec![7u8; len]), "expect": expect_error(&e)}));
    }

    let set = KeySet::from_keys([
        signing("signing 1").public_key(),
        signing("signing 2").public_key(),
    ])
    .unwrap();
    let good = set.to_jwks();
    out.push(json!({"id": "keys/jwks-two", "type": "jwks", "description": "a JWKS with two keys (rotation)", "jwks": good, "expect": {"kids": set.kids().collect::<Vec<_>>(), "jwks": good}}));
    let one = signing("signing 1").public_key().to_jwk();
    let mut with_d = one.clone();
    with_d["d"] = json!(b64::encode(bytes32("signing 1")));
    let mut wrong_kid = one.clone();
    wrong_kid["kid"] = json!("not-the-thumbprint");
    let mut extra = one.clone();
    extra["x5c"] = json!(["AAAA"]);
    let mut rsa = one.clone();
    rsa["kty"] = json!("RSA");
    let bad: Vec<(&str, &str, String)> = vec![
        (
            "jwks-private",
            "a JWKS must not carry private keys",
            json!({"keys": [with_d]}).to_string(),
        ),
        (
            "jwks-wrong-kid",
            "kid must be the RFC 7638 thumbprint",
            json!({"keys": [wrong_kid]}).to_string(),
        ),
        (
            "jwks-unknown-member",
            "unknown JWK members are refused",
            json!({"keys": [extra]}).to_string(),
        ),
        (
            "jwks-rsa",
            "only OKP Ed25519 keys",
            json!({"keys": [rsa]}).to_string(),
        ),
        (
            "jwks-duplicate-member",
            "duplicate JSON keys are refused",
            format!(r#"{{"keys":[],"keys":[{one}]}}"#),
        ),
        (
            "jwks-non-canonical-x",
            "an x that encodes its point non-canonically (y + p) is refused (RFC 8032 §5.1.3)",
            json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": b64::encode(bad)}]}).to_string(),
        ),
        ("jwks-not-json", "not JSON", "keys".to_string()),
    ];
    for (id, description, text) in bad {
        let e = KeySet::from_jwks(&text).unwrap_err();
        out.push(json!({"id": format!("keys/{id}"), "type": "jwks", "description": description, "jwks": text, "expect": expect_error(&e)}));
    }
    out
}

/// Options as the vectors spell them (every field optional but token_id and issued_at).
fn options_json(o: &IssueOptions) -> Value {
    json!({
        "agent": o.agent, "actions": o.actions, "audience": o.audience,
        "not_before": o.not_before, "expires_at": o.expires_at, "never_expires": o.never_expires,
        "caveats": o.caveats,
        "token_id": o.token_id.as_ref().map(hex::encode), "issued_at": o.issued_at,
    })
}

/// Fixed token id and issue time, valid forever (said explicitly).
pub(crate) fn base_options(n: u8) -> IssueOptions {
    IssueOptions {
        token_id: Some(token_id(n)),
        issued_at: Some(T0),
        never_expires: true,
        ..IssueOptions::default()
    }
}

pub(crate) fn shop_options() -> IssueOptions {
    IssueOptions {
        agent: Some("shopper-7".into()),
        actions: Some(vec!["payments.refund".into(), "orders.read".into()]),
        audience: Some(AUDIENCE.into()),
        expires_at: Some(T0 + 3600),
        never_expires: false,
        caveats: vec!["args.currency == \"USD\" && args.amount <= 5000".into()],
        ..base_options(1)
    }
}

pub(crate) fn mint(root_label: &str, o: &IssueOptions) -> Capability {
    Issuer::new(root(root_label)).issue_with(o).expect("mint")
}

pub fn capabilities() -> Vec<Value> {
    let mut out = Vec::new();
    let mut mint_case = |id: &str,
                         description: &str,
                         root_label: &str,
                         o: IssueOptions,
                         attenuate: Vec<String>,
                         holder: Option<String>| {
        let result = (|| -> Result<Capability, Error> {
            let mut cap = Issuer::new(RootKey::from_bytes(&bytes32(root_label))?).issue_with(&o)?;
            for c in &attenuate {
                cap = cap.attenuate(c)?;
            }
            if let Some(h) = &holder {
                cap = cap.bind_holder(h)?;
            }
            Ok(cap)
        })();
        let expect = match result {
            Ok(cap) => {
                json!({"token": cap.serialize(), "id": cap.id(), "token_id": cap.token_id(), "root_kid": cap.root_kid(), "issued_at": cap.issued_at(), "caveats": cap.caveats()})
            }
            Err(e) => expect_error(&e),
        };
        out.push(json!({
            "id": format!("capabilities/{id}"), "type": "mint", "description": description,
            "root": hex::encode(bytes32(root_label)), "options": options_json(&o),
            "attenuate": attenuate, "holder": holder, "expect": expect,
        }));
    };
    mint_case(
        "mint-bare",
        "a capability with no caveats allows everything its root allows",
        "root A",
        base_options(0),
        vec![],
        None,
    );
    mint_case(
        "mint-shop",
        "agent, actions, audience, expiry and an argument caveat",
        "root A",
        shop_options(),
        vec![],
        None,
    );
    mint_case(
        "mint-not-before",
        "a not-before caveat",
        "root A",
        IssueOptions {
            not_before: Some(T0 + 60),
            ..base_options(2)
        },
        vec![],
        None,
    );
    mint_case(
        "attenuate-twice",
        "narrowing appends caveats in order",
        "root A",
        shop_options(),
        vec![
            "args.amount <= 1000".into(),
            "resource.startsWith(\"orders/\")".into(),
        ],
        None,
    );
    mint_case(
        "bind-holder",
        "binding to a holder key adds a holder caveat",
        "root A",
        shop_options(),
        vec![],
        Some(signing("holder 1").kid()),
    );
    mint_case(
        "quoting",
        "builder values are quoted as CEL strings",
        "root A",
        IssueOptions {
            agent: Some("a \"quoted\" \\ agent\n".into()),
            ..base_options(3)
        },
        vec![],
        None,
    );
    mint_case(
        "attenuate-syntax",
        "a caveat outside the language is refused when narrowing",
        "root A",
        base_options(4),
        vec!["args.amount <=".into()],
        None,
    );
    mint_case(
        "attenuate-unknown-variable",
        "unknown variables are refused when narrowing",
        "root A",
        base_options(4),
        vec!["user == \"x\"".into()],
        None,
    );
    mint_case(
        "attenuate-too-deep",
        "nesting beyond the depth limit is refused",
        "root A",
        base_options(4),
        vec![format!("{}true{}", "(".repeat(100), ")".repeat(100))],
        None,
    );
    mint_case(
        "attenuate-too-long",
        "a caveat beyond the size limit is refused",
        "root A",
        base_options(4),
        vec![format!("agent == \"{}\"", "x".repeat(5000))],
        None,
    );
    mint_case(
        "attenuate-pattern-too-large",
        "a matches() pattern whose compiled program is over the limit is refused when narrowing",
        "root A",
        base_options(4),
        vec![r#"resource.matches("[^X]{600}")"#.into()],
        None,
    );
    mint_case(
        "too-many-caveats",
        "a capability holds at most 64 caveats",
        "root A",
        base_options(5),
        (0..=MAX_CAVEATS)
            .map(|k| format!("args.n != {k}"))
            .collect(),
        None,
    );
    mint_case(
        "bind-holder-bad-kid",
        "a holder must be a key id",
        "root A",
        base_options(6),
        vec![],
        Some("alice".into()),
    );
    mint_case(
        "empty-actions",
        "an empty action list is refused",
        "root A",
        IssueOptions {
            actions: Some(vec![]),
            ..base_options(7)
        },
        vec![],
        None,
    );
    mint_case(
        "no-expiry",
        "an expiry is required unless never_expires says explicitly that the capability is valid forever",
        "root A",
        IssueOptions {
            agent: Some("shopper-7".into()),
            never_expires: false,
            ..base_options(8)
        },
        vec![],
        None,
    );
    mint_case(
        "expiry-and-never-expires",
        "an expiry and never_expires together are refused",
        "root A",
        IssueOptions {
            expires_at: Some(T0 + 3600),
            ..base_options(8)
        },
        vec![],
        None,
    );
    mint_case(
        "expiry-in-the-past",
        "an expiry before the issue time (the issuer's clock) is refused",
        "root A",
        IssueOptions {
            expires_at: Some(T0 - 60),
            never_expires: false,
            ..base_options(8)
        },
        vec![],
        None,
    );
    mint_case(
        "expiry-at-issue-time",
        "an expiry at the issue time is refused: the capability would be expired when minted",
        "root A",
        IssueOptions {
            expires_at: Some(T0),
            never_expires: false,
            ..base_options(8)
        },
        vec![],
        None,
    );
    mint_case(
        "expiry-in-milliseconds",
        "an expiry beyond the year 9999 (milliseconds given as seconds) is refused, saying so",
        "root A",
        IssueOptions {
            expires_at: Some((T0 + 3600) * 1000),
            never_expires: false,
            ..base_options(8)
        },
        vec![],
        None,
    );
    mint_case(
        "expiry-year-9999",
        "the last second of the year 9999 is the latest expiry accepted",
        "root A",
        IssueOptions {
            expires_at: Some(charter_core::capability::MAX_TIME),
            never_expires: false,
            ..base_options(8)
        },
        vec![],
        None,
    );
    mint_case(
        "not-before-after-expiry",
        "a not-before at or after the expiry is refused: the capability would never be valid",
        "root A",
        IssueOptions {
            not_before: Some(T0 + 3600),
            expires_at: Some(T0 + 3600),
            never_expires: false,
            ..base_options(8)
        },
        vec![],
        None,
    );
    mint_case(
        "short-token-id",
        "a token id is 16 bytes",
        "root A",
        IssueOptions {
            token_id: Some(vec![1; 8]),
            ..base_options(7)
        },
        vec![],
        None,
    );

    let shop = mint("root A", &shop_options());
    let mut parse_case = |id: &str, description: &str, token: String| {
        let expect = match Capability::parse(&token) {
            Ok(cap) => {
                json!({"id": cap.id(), "token_id": cap.token_id(), "root_kid": cap.root_kid(), "issued_at": cap.issued_at(), "caveats": cap.caveats(), "token": cap.serialize()})
            }
            Err(e) => expect_error(&e),
        };
        out.push(json!({"id": format!("capabilities/{id}"), "type": "parse", "description": description, "token": token, "expect": expect}));
    };
    let bytes = shop.to_bytes();
    parse_case(
        "parse-shop",
        "parsing reads the fields without verifying anything",
        shop.serialize(),
    );
    parse_case(
        "parse-padded",
        "padded base64 is refused",
        format!("{}==", shop.serialize()),
    );
    parse_case(
        "parse-trailing-newline",
        "a trailing newline is refused, saying to strip it",
        format!("{}\n", shop.serialize()),
    );
    parse_case(
        "parse-leading-space",
        "leading whitespace is refused, saying to strip it",
        format!(" {}", shop.serialize()),
    );
    parse_case(
        "parse-std-alphabet",
        "standard base64 characters are refused",
        shop.serialize().replace('-', "+").replace('_', "/") + "+",
    );
    parse_case(
        "parse-trailing",
        "bytes after the signature are refused",
        b64::encode([bytes.clone(), vec![0]].concat()),
    );
    parse_case(
        "parse-truncated",
        "a truncated token is refused",
        b64::encode(&bytes[..bytes.len() - 1]),
    );
    parse_case(
        "parse-v1",
        "macaroon format V1 is not read",
        b64::encode([vec![1u8], bytes[1..].to_vec()].concat()),
    );
    parse_case(
        "parse-v3",
        "an unknown macaroon version is not read",
        b64::encode([vec![3u8], bytes[1..].to_vec()].concat()),
    );
    parse_case("parse-empty", "empty input", String::new());
    parse_case(
        "parse-oversize",
        "tokens beyond 16 KiB are refused before decoding",
        "A".repeat(MAX_TOKEN_BYTES + 4),
    );
    let nonminimal = {
        let mut v = vec![2u8, 2, (bytes[2] | 0x80), 0];
        v.extend_from_slice(&bytes[3..]);
        v
    };
    parse_case(
        "parse-nonminimal-varint",
        "a length with a redundant zero continuation byte is refused",
        b64::encode(nonminimal),
    );
    let r = root("root A");
    parse_case(
        "parse-charter-v2",
        "an unknown Charter identifier version",
        b64::encode(raw(&r, &identifier("charter/v2/capability", &r, 1), &[])),
    );
    parse_case(
        "parse-foreign-identifier",
        "a macaroon that is not a Charter capability",
        b64::encode(raw(&r, b"user-1234", &[])),
    );
    parse_case(
        "parse-noncanonical-identifier",
        "identifier JSON must be canonical",
        b64::encode(raw(
            &r,
            format!(
                "charter/v1/capability {{\"tid\":\"{}\",\"kid\":\"{}\",\"iat\":{T0}}}",
                b64::encode(token_id(1)),
                r.kid()
            )
            .as_bytes(),
            &[],
        )),
    );
    // pymacaroons writes an empty location field before the identifier of
    // every macaroon it serializes; Charter accepts it and drops it.
    let narrowed = shop.attenuate("args.amount <= 100").unwrap();
    let narrowed_caveats: Vec<&str> = narrowed.caveats().iter().map(String::as_str).collect();
    let shop_ident = identifier("charter/v1/capability", &r, 1);
    parse_case(
        "parse-empty-location",
        "an empty location field (as pymacaroons writes) is accepted and dropped: serialize() gives the token without it",
        b64::encode(with_location(&shop_ident, &narrowed_caveats, raw_tag(&r, &shop_ident, &narrowed_caveats), Some(b""), None)),
    );
    parse_case(
        "parse-empty-caveat-location",
        "an empty location field before a caveat is accepted and dropped",
        b64::encode(with_location(
            &shop_ident,
            &narrowed_caveats,
            raw_tag(&r, &shop_ident, &narrowed_caveats),
            Some(b""),
            Some(b""),
        )),
    );
    parse_case(
        "parse-location",
        "a non-empty location field is refused",
        b64::encode(with_location(
            &shop_ident,
            &narrowed_caveats,
            raw_tag(&r, &shop_ident, &narrowed_caveats),
            Some(b"https://payments.example"),
            None,
        )),
    );
    parse_case(
        "parse-caveat-location",
        "a non-empty location field before a caveat is refused",
        b64::encode(with_location(
            &shop_ident,
            &narrowed_caveats,
            raw_tag(&r, &shop_ident, &narrowed_caveats),
            None,
            Some(b"https://payments.example"),
        )),
    );
    parse_case(
        "parse-raw-macaroon",
        "a macaroon built by another library with Charter's identifier parses",
        b64::encode(raw(
            &r,
            &identifier("charter/v1/capability", &r, 9),
            &["action == \"orders.read\""],
        )),
    );
    out
}

fn identifier(label: &str, r: &RootKey, n: u8) -> Vec<u8> {
    let body =
        jcs::canonicalize(&json!({"iat": T0, "kid": r.kid(), "tid": b64::encode(token_id(n))}))
            .unwrap();
    format!("{label} {body}").into_bytes()
}

/// A V2 macaroon built independently of the core: libmacaroons' chain and
/// field layout, written out by hand.
fn raw(r: &RootKey, identifier: &[u8], caveats: &[&str]) -> Vec<u8> {
    raw_with_tag(identifier, caveats, raw_tag(r, identifier, caveats))
}

fn raw_tag(r: &RootKey, identifier: &[u8], caveats: &[&str]) -> [u8; 32] {
    let hmac = |key: &[u8], data: &[u8]| -> [u8; 32] {
        let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
        m.update(data);
        m.finalize().into_bytes().into()
    };
    let derived = hmac(b"macaroons-key-generator", &r.to_bytes());
    let mut tag = hmac(&derived, identifier);
    for c in caveats {
        tag = hmac(&tag, c.as_bytes());
    }
    tag
}

fn raw_with_tag(identifier: &[u8], caveats: &[&str], tag: [u8; 32]) -> Vec<u8> {
    with_location(identifier, caveats, tag, None, None)
}

/// As [`raw_with_tag`], with a location field before the identifier
/// (`header`) and before each caveat's identifier (`caveat`).
fn with_location(
    identifier: &[u8],
    caveats: &[&str],
    tag: [u8; 32],
    header: Option<&[u8]>,
    caveat: Option<&[u8]>,
) -> Vec<u8> {
    fn field(out: &mut Vec<u8>, kind: u8, data: &[u8]) {
        out.push(kind);
        let mut n = data.len();
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
        out.extend_from_slice(data);
    }
    let mut out = vec![2u8];
    if let Some(l) = header {
        field(&mut out, 1, l);
    }
    field(&mut out, 2, identifier);
    out.push(0);
    for c in caveats {
        if let Some(l) = caveat {
            field(&mut out, 1, l);
        }
        field(&mut out, 2, c.as_bytes());
        out.push(0);
    }
    out.push(0);
    field(&mut out, 6, &tag);
    out
}

/// A check vector: everything a binding needs to rebuild the verifier and the call.
struct Check<'a> {
    id: &'a str,
    description: &'a str,
    roots: Vec<&'a str>,
    token: String,
    request: String,
    proof: Option<String>,
    now: i64,
    revoked: Vec<String>,
    repeat: bool,
}

impl<'a> Check<'a> {
    fn new(id: &'a str, description: &'a str, token: String) -> Self {
        Check {
            id,
            description,
            roots: vec!["root A"],
            token,
            request: request_text(&standard_request()),
            proof: None,
            now: T0 + 600,
            revoked: vec![],
            repeat: false,
        }
    }

    fn run(&self) -> Value {
        let roots: Vec<RootKey> = self.roots.iter().map(|l| root(l)).collect();
        let list = Arc::new(MemoryRevocationList::new());
        for id in &self.revoked {
            list.revoke(id.clone()).expect("a capability id");
        }
        let verifier = Verifier::new(roots, AUDIENCE)
            .unwrap()
            .with_revocations(list);
        let expect = match Request::from_json(&self.request) {
            Err(e) => expect_error(&e),
            Ok(req) => {
                let first = verifier.check(
                    &self.token,
                    &req,
                    &CallOptions {
                        proof: self.proof.as_deref().map(Into::into),
                        ..CallOptions::at(self.now)
                    },
                );
                if self.repeat {
                    assert!(
                        first.allowed,
                        "{}: the first presentation must be allowed",
                        self.id
                    );
                    decision_json(&verifier.check(
                        &self.token,
                        &req,
                        &CallOptions {
                            proof: self.proof.as_deref().map(Into::into),
                            ..CallOptions::at(self.now)
                        },
                    ))
                } else {
                    decision_json(&first)
                }
            }
        };
        json!({
            "id": format!("{}", self.id), "description": self.description,
            "roots": self.roots.iter().map(|l| hex::encode(bytes32(l))).collect::<Vec<_>>(),
            "audience": AUDIENCE, "token": self.token, "request": self.request, "proof": self.proof,
            "now": self.now, "revoked": self.revoked, "repeat": self.repeat, "expect": expect,
        })
    }
}

/// Intended CEL meaning of a caveat: true, false, or the error code it must give.
enum Means {
    True,
    False,
    Error(&'static str),
}

pub fn caveats() -> Vec<Value> {
    use Means::*;
    let list: Vec<(&str, &str, String, Means)> = vec![
        (
            "eq-string",
            "string equality",
            r#"action == "payments.refund""#.into(),
            True,
        ),
        (
            "in-list",
            "membership in a list literal",
            r#"action in ["payments.refund", "payments.charge"]"#.into(),
            True,
        ),
        (
            "not-in-list",
            "non-membership",
            r#"action in ["orders.read"]"#.into(),
            False,
        ),
        (
            "starts-with",
            "startsWith",
            r#"agent.startsWith("shopper-")"#.into(),
            True,
        ),
        (
            "int-le-true",
            "exact integer comparison, at the limit",
            "args.amount <= 4200".into(),
            True,
        ),
        (
            "int-le-false",
            "exact integer comparison, one below",
            "args.amount <= 4199".into(),
            False,
        ),
        (
            "int-lt",
            "strictly less",
            "args.amount < 4200".into(),
            False,
        ),
        (
            "and",
            "&& of two true terms",
            r#"args.currency == "USD" && args.amount <= 5000"#.into(),
            True,
        ),
        (
            "or-false",
            "|| of two false terms",
            r#"args.currency != "USD" || args.amount > 10000"#.into(),
            False,
        ),
        ("not", "negation", "!(args.amount > 5000)".into(), True),
        (
            "arith-mul",
            "integer multiplication",
            "args.amount * 2 == 8400".into(),
            True,
        ),
        (
            "arith-div",
            "integer division truncates",
            "args.amount / 1000 == 4".into(),
            True,
        ),
        (
            "arith-mod",
            "integer remainder",
            "args.amount % 1000 == 200".into(),
            True,
        ),
        (
            "arith-sub",
            "integer subtraction below zero",
            "args.amount - 5000 < 0".into(),
            True,
        ),
        (
            "unary-minus",
            "unary minus",
            "-args.amount == -4200".into(),
            True,
        ),
        (
            "max-safe-int",
            "2^53-1 stays exact",
            "args.big == 9007199254740991".into(),
            True,
        ),
        (
            "max-safe-int-plus",
            "int64 arithmetic beyond 2^53 stays exact",
            "args.big + 2 == 9007199254740993".into(),
            True,
        ),
        (
            "double-eq",
            "doubles compare as doubles",
            "args.ratio == 0.25".into(),
            True,
        ),
        (
            "size-string",
            "size counts code points",
            "size(args.note) == 6".into(),
            True,
        ),
        (
            "size-method",
            "size as a method",
            "args.note.size() == 6".into(),
            True,
        ),
        (
            "size-list",
            "size of a list",
            "size(args.tags) == 2".into(),
            True,
        ),
        (
            "in-args-list",
            "membership in an argument list",
            r#""gift" in args.tags"#.into(),
            True,
        ),
        (
            "not-in-args-list",
            "absent from an argument list",
            r#""sale" in args.tags"#.into(),
            False,
        ),
        (
            "in-map",
            "in tests map keys",
            r#""currency" in args"#.into(),
            True,
        ),
        (
            "has-present",
            "has() of a present field",
            "has(args.order.id)".into(),
            True,
        ),
        (
            "has-absent",
            "has() of an absent field",
            "has(args.coupon)".into(),
            False,
        ),
        (
            "all",
            "all() over a list of maps",
            "args.order.items.all(i, i.qty <= 2)".into(),
            True,
        ),
        (
            "exists",
            "exists()",
            r#"args.order.items.exists(i, i.sku == "tee")"#.into(),
            True,
        ),
        (
            "exists-one",
            "exists_one()",
            "args.order.items.exists_one(i, i.qty == 2)".into(),
            True,
        ),
        (
            "index-list",
            "list indexing and field selection",
            r#"args.order.items[0].sku == "mug""#.into(),
            True,
        ),
        (
            "index-map",
            "map indexing with a string key",
            r#"args["currency"] == "USD""#.into(),
            True,
        ),
        (
            "contains",
            "contains() with non-ASCII text",
            r#"args.note.contains("☕")"#.into(),
            True,
        ),
        (
            "ends-with",
            "endsWith()",
            r#"args.note.endsWith("é ☕")"#.into(),
            True,
        ),
        (
            "matches",
            "matches() with an RE2-style pattern",
            r#"resource.matches("^orders/[A-Z]-[0-9]+$")"#.into(),
            True,
        ),
        (
            "matches-false",
            "matches() that fails",
            r#"resource.matches("^invoices/")"#.into(),
            False,
        ),
        (
            "timestamp-lt",
            "now before a timestamp",
            r#"now < timestamp("2026-01-01T01:00:00Z")"#.into(),
            True,
        ),
        (
            "timestamp-ge",
            "now at or after a timestamp",
            r#"now >= timestamp("2026-01-01T00:10:00Z")"#.into(),
            True,
        ),
        (
            "timestamp-plus-duration",
            "timestamp + duration",
            r#"timestamp("2026-01-01T00:00:00Z") + duration("1h") > now"#.into(),
            True,
        ),
        (
            "timestamp-minus-timestamp",
            "timestamp - timestamp is a duration",
            r#"now - timestamp("2026-01-01T00:00:00Z") <= duration("10m")"#.into(),
            True,
        ),
        (
            "audience",
            "the verifier's own audience",
            format!("audience == \"{AUDIENCE}\""),
            True,
        ),
        ("bool-field", "a boolean argument", "args.flag".into(), True),
        (
            "ternary",
            "the conditional operator",
            "args.flag ? args.amount < 5000 : false".into(),
            True,
        ),
        ("null", "null equality", "args.none == null".into(), True),
        (
            "int-conversion",
            "int() of a string",
            r#"int("42") == 42"#.into(),
            True,
        ),
        (
            "string-conversion",
            "string() of an int",
            r#"string(args.amount) == "4200""#.into(),
            True,
        ),
        (
            "double-conversion",
            "double() of an int",
            "double(args.amount) == 4200.0".into(),
            True,
        ),
        (
            "uint",
            "uint literals and arithmetic",
            "1u + 2u == 3u".into(),
            True,
        ),
        (
            "string-concat",
            "string concatenation",
            r#""a" + "b" == "ab""#.into(),
            True,
        ),
        (
            "list-concat",
            "list concatenation and equality",
            "[1] + [2] == [1, 2]".into(),
            True,
        ),
        (
            "map-literal",
            "map literal field selection",
            r#"{"a": 1}.a == 1"#.into(),
            True,
        ),
        (
            "nested-macro",
            "a macro inside a macro",
            "args.order.items.all(i, [1, 2].exists(n, n == i.qty))".into(),
            True,
        ),
        (
            "and-absorbs-error",
            "false && error is false, as in CEL",
            "false && args.coupon == 1".into(),
            False,
        ),
        (
            "or-absorbs-error",
            "error || true is true, as in CEL",
            "args.coupon == 1 || true".into(),
            True,
        ),
        (
            "missing-field",
            "a missing field is an error, and the caveat denies",
            r#"args.coupon == "X""#.into(),
            Error("caveat_error"),
        ),
        (
            "int-plus-double",
            "CEL has no int + double",
            "args.amount + 1.5 > 0.0".into(),
            Error("caveat_error"),
        ),
        (
            "string-vs-int",
            "no ordering between string and int",
            "args.currency > 5".into(),
            Error("caveat_error"),
        ),
        (
            "divide-by-zero",
            "division by zero is an error",
            "args.amount / 0 == 0".into(),
            Error("caveat_error"),
        ),
        (
            "overflow",
            "int64 overflow is an error, never a wrap",
            "args.big * args.big > 0".into(),
            Error("caveat_error"),
        ),
        (
            "index-out-of-range",
            "indexing past the end is an error",
            r#"args.order.items[5].sku == "x""#.into(),
            Error("caveat_error"),
        ),
        (
            "not-bool",
            "a caveat must evaluate to a bool",
            "args.amount".into(),
            Error("caveat_error"),
        ),
        (
            "holder-unbound",
            "holder is unbound without a proof: proof_required (an error in CEL, with its own code)",
            r#"holder == "abc""#.into(),
            Error("proof_required"),
        ),
        (
            "steps",
            "the step budget bounds evaluation",
            format!(
                "[{}].all(x, [{}].all(y, x + y > 0))",
                (1..=100)
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                (1..=100)
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Error("limit_exceeded"),
        ),
        (
            "matches-program-too-large",
            "a pattern compiling to more than 1000 program units is refused by count",
            r#"resource.matches("[^X]{600}")"#.into(),
            Error("limit_exceeded"),
        ),
        (
            "matches-repetition-too-large",
            "a short pattern that expands to a large program is refused: 1000 copies of [a-z]",
            r#"resource.matches("[a-z]{1000}!")"#.into(),
            Error("limit_exceeded"),
        ),
        (
            "matches-case-fold-too-large",
            "case-insensitive Unicode property classes are refused by their folding cost",
            r#"resource.matches("(?i)\\pL")"#.into(),
            Error("limit_exceeded"),
        ),
        (
            "matches-patterns-over-budget",
            "the patterns of one caveat together cost more steps to compile than its budget",
            r#"resource.matches("[^X]{24}") || resource.matches("[^Y]{24}")"#.into(),
            Error("limit_exceeded"),
        ),
        (
            "matches-input-over-budget",
            "matching is charged input length x program size before it runs",
            format!(r#""{}".matches("[a-z]{{100}}!")"#, "a".repeat(3000)),
            Error("limit_exceeded"),
        ),
        (
            "matches-within-budget",
            "the same program on a short input is within the budget",
            format!(r#""{}".matches("[a-z]{{100}}!")"#, "a".repeat(40)),
            False,
        ),
        (
            "syntax-incomplete",
            "an incomplete expression (minted by another library)",
            "args.amount <=".into(),
            Error("caveat_syntax"),
        ),
        (
            "syntax-uppercase-hex",
            "CEL's hexadecimal prefix is lowercase 0x only",
            "0X10 == 16".into(),
            Error("caveat_syntax"),
        ),
        (
            "hex-and-exponent-literals",
            "0x, the u and U suffixes, and exponents in either case are CEL",
            "0x10 == 16 && 0x10U == 16u && 10U == 10u && 1E3 == 1e3 && .5e1 == 5.0".into(),
            True,
        ),
        (
            "macro-map",
            "map() transforms every element",
            r#"args.order.items.map(i, i.qty) == [2, 1]"#.into(),
            True,
        ),
        (
            "macro-map-filter",
            "map() with a filter",
            r#"args.order.items.map(i, i.qty > 1, i.sku) == ["mug"]"#.into(),
            True,
        ),
        (
            "macro-filter",
            "filter() keeps matching elements",
            r#"args.tags.filter(t, t.startsWith("p")).size() == 1"#.into(),
            True,
        ),
        (
            "macro-map-error",
            "an error inside map() is not absorbed",
            r#"args.order.items.map(i, 10 / (i.qty - 1)).size() == 2"#.into(),
            Error("caveat_error"),
        ),
        (
            "str-lower-upper",
            "lowerAscii and upperAscii change ASCII letters only",
            r#"args.currency.lowerAscii() == "usd" && args.note.upperAscii() == "CAFé ☕""#.into(),
            True,
        ),
        (
            "str-char-at",
            "charAt counts code points",
            r#"args.note.charAt(3) == "é""#.into(),
            True,
        ),
        (
            "str-char-at-range",
            "charAt beyond the end is an error",
            r#"args.note.charAt(7) == """#.into(),
            Error("caveat_error"),
        ),
        (
            "str-index-of",
            "indexOf and lastIndexOf in code points",
            r#"args.note.indexOf("☕") == 5 && "a/b/c".lastIndexOf("/") == 3"#.into(),
            True,
        ),
        (
            "str-replace",
            "replace, all and at most n",
            r#""a-b-c".replace("-", "/") == "a/b/c" && "a-b-c".replace("-", "/", 1) == "a/b-c""#.into(),
            True,
        ),
        (
            "str-split",
            "split and split with a limit",
            r#"resource.split("/") == ["orders", "A-1001"] && "a,b,c".split(",", 2) == ["a", "b,c"]"#.into(),
            True,
        ),
        (
            "str-substring",
            "substring in code points",
            r#"args.note.substring(0, 4) == "café""#.into(),
            True,
        ),
        (
            "str-substring-range",
            "substring with start after end is an error",
            r#"args.note.substring(3, 2) == """#.into(),
            Error("caveat_error"),
        ),
        (
            "str-trim-join",
            "trim and join",
            r#""  x ".trim() == "x" && args.tags.join(",") == "gift,priority""#.into(),
            True,
        ),
        (
            "str-reverse-quote",
            "reverse and strings.quote",
            r#""abc".reverse() == "cba" && strings.quote("a\"b") == "\"a\\\"b\"""#.into(),
            True,
        ),
        (
            "regex-find",
            "find returns the first match",
            r#"resource.find("[0-9]+") == "1001""#.into(),
            True,
        ),
        (
            "regex-find-all",
            "findAll returns every match",
            r#""a1b22c333".findAll("[0-9]+") == ["1", "22", "333"]"#.into(),
            True,
        ),
        (
            "math-greatest-least",
            "math.greatest and math.least across number types",
            r#"math.greatest(args.amount, 5000u, 1.5) == 5000u && math.least([args.amount, -1]) == -1"#.into(),
            True,
        ),
        (
            "math-rounding",
            "math.ceil, floor, round, trunc, abs, sign",
            r#"math.ceil(args.ratio) == 1.0 && math.floor(-args.ratio) == -1.0 && math.round(2.5) == 3.0 && math.trunc(-2.5) == -2.0 && math.abs(-3) == 3 && math.sign(-args.amount) == -1"#.into(),
            True,
        ),
        (
            "math-abs-overflow",
            "math.abs of the smallest int overflows",
            r#"math.abs(-9223372036854775808) > 0"#.into(),
            Error("caveat_error"),
        ),
        (
            "math-bits",
            "bit operations",
            r#"math.bitAnd(args.amount, 255) == 104 && math.bitShiftLeft(1, 10) == 1024"#.into(),
            True,
        ),
        (
            "sets",
            "sets.contains, sets.equivalent, sets.intersects",
            r#"sets.contains(["gift", "priority", "sale"], args.tags) && sets.equivalent(args.tags, ["priority", "gift"]) && !sets.intersects(args.tags, ["sale"])"#.into(),
            True,
        ),
        (
            "lists",
            "distinct, flatten, slice, lists.range",
            r#"[1, 1, 2].distinct() == [1, 2] && [[1], [2]].flatten() == [1, 2] && args.tags.slice(1, 2) == ["priority"] && lists.range(2) == [0, 1]"#.into(),
            True,
        ),
        (
            "ip-private",
            "ip() and its predicates",
            r#"ip("169.254.169.254").isLinkLocalUnicast() && ip("127.0.0.1").isLoopback() && ip("10.0.0.1").isGlobalUnicast() && ip("::1").family() == 6"#.into(),
            True,
        ),
        (
            "ip-mapped",
            "an IPv4-mapped IPv6 address is refused by ip()",
            r#"ip("::ffff:127.0.0.1").isLoopback()"#.into(),
            Error("caveat_error"),
        ),
        (
            "ip-leading-zero",
            "isIP refuses leading zeros and zones",
            r#"!isIP("010.0.0.1") && !isIP("fe80::1%eth0") && isIP("2001:db8::1") && ip.isCanonical("2001:db8::1")"#.into(),
            True,
        ),
        (
            "cidr",
            "cidr() containment, prefix, masking",
            r#"cidr("10.0.0.0/8").containsIP("10.1.2.3") && !cidr("10.0.0.0/8").containsIP(ip("11.0.0.1")) && cidr("10.0.0.0/8").containsCIDR("10.1.0.0/16") && cidr("10.1.2.3/16").masked() == cidr("10.1.0.0/16") && cidr("10.1.2.3/16").prefixLength() == 16 && string(cidr("10.1.2.3/16").ip()) == "10.1.2.3""#.into(),
            True,
        ),
        (
            "path-within",
            "path.within resolves . and .. lexically",
            r#"path.within("/data/orders/" + args.order.id, "/data") && path.within("/data/a/../b", "/data")"#.into(),
            True,
        ),
        (
            "path-escape",
            "a path that climbs out of the root is not within it",
            r#"path.within("/data/../etc/passwd", "/data") || path.within("/database", "/data")"#.into(),
            False,
        ),
        (
            "path-backslash",
            "a backslash in a path is refused",
            r#"path.within("/data/a\\..\\..\\etc", "/data")"#.into(),
            Error("caveat_error"),
        ),
        (
            "path-relative",
            "a relative path is refused",
            r#"path.within("orders/" + args.order.id, "/data")"#.into(),
            Error("caveat_error"),
        ),
        (
            "url-internal",
            "url.hostIsInternal sees IPv4 in every browser notation",
            r#"url.hostIsInternal("http://169.254.169.254/latest") && url.hostIsInternal("http://0x7f.1/") && url.hostIsInternal("http://2130706433/") && url.hostIsInternal("http://[::ffff:10.0.0.1]/") && !url.hostIsInternal("https://api.example.com/")"#.into(),
            True,
        ),
        (
            "url-userinfo",
            "url.hasUserinfo and url.host",
            r#"url.hasUserinfo("https://api.example.com@10.0.0.1/") && url.host("https://api.example.com@10.0.0.1/") == "10.0.0.1""#.into(),
            True,
        ),
        (
            "url-normal",
            "url.hostIsNormal refuses hosts that normalise to something else",
            r#"url.hostIsNormal("https://api.example.com/") && !url.hostIsNormal("https://API.example.com/") && !url.hostIsNormal("http://127.1/")"#.into(),
            True,
        ),
        (
            "url-backslash",
            "a backslash in a URL is refused",
            r#"url.host("http://api.example.com\\@127.0.0.1/") == "api.example.com""#.into(),
            Error("caveat_error"),
        ),
        (
            "syntax-unknown-variable",
            "an unknown variable",
            r#"user == "x""#.into(),
            Error("caveat_syntax"),
        ),
        (
            "syntax-unknown-function",
            "a function no CEL library defines",
            r#"args.note.frobnicate() == "x""#.into(),
            Error("caveat_syntax"),
        ),
        (
            "syntax-outside-subset",
            "a CEL extension function outside the subset",
            r#"type(args.note) == "string""#.into(),
            Error("caveat_syntax"),
        ),
        (
            "syntax-dynamic-pattern",
            "matches() patterns must be literals",
            "resource.matches(args.note)".into(),
            Error("caveat_syntax"),
        ),
        (
            "depth",
            "100-deep nesting is refused by count",
            format!("{}true{}", "(".repeat(100), ")".repeat(100)),
            Error("limit_exceeded"),
        ),
        (
            "size",
            "a caveat beyond 4096 bytes",
            format!("agent == \"{}\"", "x".repeat(5000)),
            Error("limit_exceeded"),
        ),
        (
            "deep-not",
            "4,000 nested negations (within the size limit) hit the depth limit, not the stack",
            format!("{}true", "!".repeat(4_000)),
            Error("limit_exceeded"),
        ),
    ];
    let r = root("root A");
    let id = identifier("charter/v1/capability", &r, 8);
    list.into_iter()
        .map(|(name, description, expr, means)| {
            // Built by hand so caveats the core refuses to mint can be presented too.
            let token = b64::encode(raw(&r, &id, &[expr.as_str()]));
            let check = Check::new("", description, token);
            let mut v = check.run();
            v["id"] = json!(format!("caveats/{name}"));
            v["caveat"] = json!(expr);
            let d = &v["expect"];
            let got = match (d["allowed"].as_bool(), d["reasons"][0]["code"].as_str()) {
                (Some(true), _) => "true".to_string(),
                (Some(false), Some("caveat_failed")) => "false".to_string(),
                (_, Some(code)) => code.to_string(),
                _ => panic!("caveats/{name}: unexpected {d}"),
            };
            let want = match means {
                True => "true",
                False => "false",
                Error(code) => code,
            };
            assert_eq!(
                got, want,
                "caveats/{name}: `{expr}` should mean {want} in CEL, the core says {got}: {d}"
            );
            v
        })
        .collect()
}

pub fn checks() -> Vec<Value> {
    let shop = mint("root A", &shop_options());
    let token = shop.serialize();
    let holder = Holder::new(signing("holder 1"));
    let bound = shop.bind_holder(&holder.kid()).unwrap();
    let req = standard_request();
    let proof = |h: &Holder, cap: &Capability, r: &Request, aud: &str, at: i64, nonce: u8| {
        h.prove_with_nonce(cap, r, aud, at, &[nonce; 16]).unwrap()
    };
    let r = root("root A");
    let ident = identifier("charter/v1/capability", &r, 1);
    let caveats: Vec<&str> = shop.caveats().iter().map(String::as_str).collect();

    let mut out = Vec::new();
    let mut add = |c: Check| out.push(c.run());
    add(Check::new(
        "checks/allow",
        "every caveat holds",
        token.clone(),
    ));
    add(Check {
        roots: vec!["root B", "root A"],
        ..Check::new(
            "checks/rotation",
            "a verifier holding several roots picks the capability's",
            token.clone(),
        )
    });
    add(Check {
        roots: vec!["root B"],
        ..Check::new(
            "checks/unknown-root",
            "a capability minted with a root the verifier lacks",
            token.clone(),
        )
    });
    // A capability is valid on [not_before, expires_at): `now >= timestamp(nbf)`
    // and `now < timestamp(exp)`, exactly, with no leeway. Each bound at, one
    // second before and one after.
    add(Check {
        now: T0 + 3599,
        ..Check::new(
            "checks/expiry-before",
            "one second before the expiry instant the capability is valid",
            token.clone(),
        )
    });
    add(Check {
        now: T0 + 3600,
        ..Check::new(
            "checks/expired",
            "at the expiry instant the capability is expired",
            token.clone(),
        )
    });
    add(Check {
        now: T0 + 3601,
        ..Check::new(
            "checks/expiry-after",
            "one second after the expiry instant the capability is expired",
            token.clone(),
        )
    });
    let later = Issuer::new(r.clone())
        .issue_with(&IssueOptions {
            not_before: Some(T0 + 3600),
            ..base_options(2)
        })
        .unwrap();
    add(Check::new(
        "checks/not-yet-valid",
        "before its not-before time",
        later.serialize(),
    ));
    for (id, description, now) in [
        (
            "checks/not-before-before",
            "one second before its not-before time: not valid yet",
            T0 + 3599,
        ),
        (
            "checks/not-before-at",
            "at its not-before time: valid",
            T0 + 3600,
        ),
        (
            "checks/not-before-after",
            "one second after its not-before time: valid",
            T0 + 3601,
        ),
    ] {
        add(Check {
            now,
            ..Check::new(id, description, later.serialize())
        });
    }
    let other = Request::new(
        "shopper-7",
        "payments.charge",
        json!({"amount": 9000, "currency": "EUR"}),
    );
    add(Check {
        request: request_text(&other),
        ..Check::new(
            "checks/several-reasons",
            "each failing caveat is named",
            token.clone(),
        )
    });
    let narrowed = shop.attenuate("args.amount <= 1000").unwrap();
    add(Check::new(
        "checks/narrowed-deny",
        "a narrowed capability denies what its parent allowed",
        narrowed.serialize(),
    ));
    let mut flipped = shop.to_bytes();
    let n = flipped.len();
    flipped[n - 1] ^= 0x01;
    add(Check::new(
        "checks/tampered-tag",
        "one flipped bit in the tag",
        b64::encode(&flipped),
    ));
    add(Check::new(
        "checks/removed-caveat",
        "the last caveat removed, tag kept",
        b64::encode(raw_with_tag(
            &ident,
            &caveats[..caveats.len() - 1],
            raw_tag(&r, &ident, &caveats),
        )),
    ));
    let mut swapped = caveats.clone();
    swapped.swap(0, 1);
    add(Check::new(
        "checks/reordered-caveats",
        "two caveats swapped, tag kept",
        b64::encode(raw_with_tag(
            &ident,
            &swapped,
            raw_tag(&r, &ident, &caveats),
        )),
    ));
    let mut changed = caveats.clone();
    let widened = "args.currency == \"USD\" && args.amount <= 50000";
    *changed.last_mut().unwrap() = widened;
    add(Check::new(
        "checks/widened-caveat",
        "a caveat edited to widen it, tag kept",
        b64::encode(raw_with_tag(
            &ident,
            &changed,
            raw_tag(&r, &ident, &caveats),
        )),
    ));
    let small = shop.attenuate("args.amount <= 100").unwrap();
    let small_caveats: Vec<&str> = small.caveats().iter().map(String::as_str).collect();
    let small_tag = raw_tag(&r, &ident, &small_caveats);
    add(Check {
        request: request_text(&Request::new(
            "shopper-7",
            "payments.refund",
            json!({"amount": 80, "currency": "USD"}),
        )),
        ..Check::new(
            "checks/empty-location-allow",
            "narrowed by a libmacaroons peer that writes an empty location: allowed within the added caveat",
            b64::encode(with_location(&ident, &small_caveats, small_tag, Some(b""), None)),
        )
    });
    add(Check::new(
        "checks/empty-location-deny",
        "the same token: denied outside the added caveat",
        b64::encode(with_location(
            &ident,
            &small_caveats,
            small_tag,
            Some(b""),
            None,
        )),
    ));
    add(Check::new(
        "checks/malformed",
        "text that is not a capability",
        "not a capability!".into(),
    ));
    add(Check::new(
        "checks/unsupported-version",
        "macaroon V1",
        b64::encode([vec![1u8], shop.to_bytes()[1..].to_vec()].concat()),
    ));
    add(Check::new(
        "checks/too-large",
        "a token beyond the size limit",
        "A".repeat(MAX_TOKEN_BYTES + 4),
    ));
    let many: Vec<String> = (0..=MAX_CAVEATS)
        .map(|k| format!("args.n != {k}"))
        .collect();
    let many_refs: Vec<&str> = many.iter().map(String::as_str).collect();
    add(Check::new(
        "checks/too-many-caveats",
        "more caveats than the limit (minted by hand)",
        b64::encode(raw(&r, &ident, &many_refs)),
    ));
    add(Check {
        revoked: vec![shop.id()],
        ..Check::new(
            "checks/revoked",
            "the capability itself is revoked",
            token.clone(),
        )
    });
    add(Check {
        revoked: vec![shop.id()],
        ..Check::new(
            "checks/revoked-parent",
            "revoking a parent revokes its narrowings",
            narrowed.serialize(),
        )
    });
    add(Check {
        revoked: vec![shop.token_id().to_string()],
        ..Check::new(
            "checks/revoked-token-id",
            "revoking a token id revokes every capability minted with it, narrowings included",
            narrowed.serialize(),
        )
    });
    add(Check {
        revoked: vec![narrowed.id()],
        ..Check::new(
            "checks/revoked-child-only",
            "revoking a narrowing leaves its parent valid",
            token.clone(),
        )
    });
    add(Check::new(
        "checks/budget-without-store",
        "a budget caveat denies with store_unavailable where the verifier has no budget store: a budget is never unenforced",
        Capability::parse(&token)
            .expect("the shop token")
            .attenuate("budget(\"refunds\", 10, 3600)")
            .expect("a budget caveat")
            .serialize(),
    ));
    add(Check::new(
        "checks/holder-no-proof",
        "a holder-bound capability without a proof",
        bound.serialize(),
    ));
    add(Check {
        proof: Some(proof(&holder, &bound, &req, AUDIENCE, T0 + 590, 1)),
        ..Check::new(
            "checks/holder-proof",
            "a fresh proof by the bound key",
            bound.serialize(),
        )
    });
    add(Check {
        proof: Some(proof(&holder, &bound, &req, AUDIENCE, T0 + 595, 2)),
        repeat: true,
        ..Check::new(
            "checks/holder-replay",
            "the same proof presented twice",
            bound.serialize(),
        )
    });
    // A proof signed at iat is fresh on [iat − 30, iat + 60) (default leeway
    // and window); the verifier's now is T0 + 600. Each bound at, one second
    // before and one after.
    for (id, description, iat, nonce) in [
        (
            "checks/holder-age-before",
            "a proof 59 s old (one second inside the 60 s window): fresh",
            T0 + 541,
            11u8,
        ),
        (
            "checks/holder-age-at",
            "a proof exactly 60 s old: stale",
            T0 + 540,
            12,
        ),
        (
            "checks/holder-age-after",
            "a proof 61 s old: stale",
            T0 + 539,
            13,
        ),
        (
            "checks/holder-ahead-before",
            "a proof dated 29 s ahead (within the 30 s leeway): fresh",
            T0 + 629,
            14,
        ),
        (
            "checks/holder-ahead-at",
            "a proof dated exactly 30 s ahead (the leeway): fresh",
            T0 + 630,
            15,
        ),
        (
            "checks/holder-ahead-after",
            "a proof dated 31 s ahead: refused",
            T0 + 631,
            16,
        ),
    ] {
        add(Check {
            proof: Some(proof(&holder, &bound, &req, AUDIENCE, iat, nonce)),
            ..Check::new(id, description, bound.serialize())
        });
    }
    add(Check {
        proof: Some(proof(&holder, &bound, &req, AUDIENCE, T0 + 400, 3)),
        ..Check::new(
            "checks/holder-stale",
            "a proof older than the window",
            bound.serialize(),
        )
    });
    add(Check {
        proof: Some(proof(&holder, &bound, &req, AUDIENCE, T0 + 700, 4)),
        ..Check::new(
            "checks/holder-future",
            "a proof dated beyond the leeway",
            bound.serialize(),
        )
    });
    add(Check {
        proof: Some(proof(&holder, &bound, &req, "bank.example", T0 + 600, 5)),
        ..Check::new(
            "checks/holder-audience",
            "a proof for another audience",
            bound.serialize(),
        )
    });
    let other_args = Request::new("shopper-7", "payments.refund", json!({"amount": 1}));
    add(Check {
        proof: Some(proof(&holder, &bound, &other_args, AUDIENCE, T0 + 600, 6)),
        ..Check::new(
            "checks/holder-other-request",
            "a proof for another request",
            bound.serialize(),
        )
    });
    add(Check {
        proof: Some(proof(&holder, &shop, &req, AUDIENCE, T0 + 600, 7)),
        ..Check::new(
            "checks/holder-other-capability",
            "a proof for another capability",
            bound.serialize(),
        )
    });
    approval_checks(&shop, &mut add);
    let thief = Holder::new(signing("thief"));
    add(Check {
        proof: Some(proof(&thief, &bound, &req, AUDIENCE, T0 + 600, 8)),
        ..Check::new(
            "checks/holder-wrong-key",
            "a valid proof by a key the capability is not bound to",
            bound.serialize(),
        )
    });
    add(Check {
        proof: Some("e30.AAAA".into()),
        ..Check::new(
            "checks/holder-garbage",
            "a proof that is not a proof",
            bound.serialize(),
        )
    });
    add(Check {
        request:
            r#"{"agent":"shopper-7","action":"payments.refund","args":{"amount":9007199254740993}}"#
                .into(),
        ..Check::new(
            "checks/unsafe-integer",
            "arguments must be I-JSON: no silent rounding",
            token.clone(),
        )
    });
    for (id, description, args) in [
        (
            "checks/inexact-decimal",
            "5000.0000000000001 would round to 5000 and pass amount <= 5000: refused",
            r#"{"amount":5000.0000000000001,"currency":"USD"}"#,
        ),
        (
            "checks/inexact-long-decimal",
            "5000.00000000000000001 would round to 5000: refused",
            r#"{"amount":5000.00000000000000001,"currency":"USD"}"#,
        ),
        (
            "checks/underflow",
            "1e-400 would read as 0: refused",
            r#"{"amount":1e-400,"currency":"USD"}"#,
        ),
        (
            "checks/integral-double",
            "4200.0 hashes as 4200 but is a double to caveats: refused, write 4200",
            r#"{"amount":4200.0,"currency":"USD"}"#,
        ),
    ] {
        add(Check {
            request: format!(r#"{{"agent":"shopper-7","action":"payments.refund","args":{args}}}"#),
            ..Check::new(id, description, token.clone())
        });
    }
    let exact = mint(
        "root A",
        &IssueOptions {
            caveats: vec!["args.amount <= 9007199254740995".into()],
            ..shop_options()
        },
    );
    for (id, description, amount) in [
        (
            "checks/int-double-exact",
            "9007199254740996.0 <= 9007199254740995 is false, though the int rounds to that double",
            "9007199254740996.0",
        ),
        (
            "checks/int-double-exact-allow",
            "9007199254740994 (a double) <= 9007199254740995",
            "9007199254740994",
        ),
        (
            "checks/big-double-reads-back",
            "1e20 written as JCS writes it (100000000000000000000) is a double",
            "100000000000000000000",
        ),
    ] {
        add(Check {
            request: format!(
                r#"{{"agent":"shopper-7","action":"payments.refund","args":{{"amount":{amount}}}}}"#
            ),
            ..Check::new(id, description, exact.serialize())
        });
    }
    let mut inexact = caveats.clone();
    inexact.push("args.amount <= 5000.0000000000001");
    add(Check::new(
        "checks/inexact-caveat-literal",
        "a caveat literal that is not exactly a double (narrowed by hand) denies with caveat_syntax",
        b64::encode(raw(&r, &ident, &inexact)),
    ));
    add(Check {
        request: r#"{"agent":"shopper-7","action":"payments.refund","args":{},"extra":1}"#.into(),
        ..Check::new(
            "checks/request-unknown-member",
            "unknown request members are refused",
            token.clone(),
        )
    });
    add(Check {
        request: r#"{"agent":"shopper-7","action":"","args":{}}"#.into(),
        ..Check::new(
            "checks/empty-action",
            "a request needs an action",
            token.clone(),
        )
    });
    out
}

pub fn proofs() -> Vec<Value> {
    let shop = mint("root A", &shop_options());
    let req = standard_request();
    let mut out = Vec::new();
    for (n, label) in [(1u8, "holder 1"), (2, "signing 2")] {
        let h = Holder::new(signing(label));
        let bound = shop.bind_holder(&h.kid()).unwrap();
        let proof = h
            .prove_with_nonce(&bound, &req, AUDIENCE, T0 + 600, &[n; 16])
            .unwrap();
        out.push(json!({
            "id": format!("proofs/{}", label.replace(' ', "-")), "type": "prove",
            "description": "a holder proof is deterministic given its nonce",
            "holder": hex::encode(bytes32(label)), "token": bound.serialize(), "request": request_text(&req),
            "audience": AUDIENCE, "now": T0 + 600, "nonce": hex::encode([n; 16]), "expect": {"proof": proof, "holder_kid": h.kid()},
        }));
    }
    let h = Holder::new(signing("holder 1"));
    let e = h
        .prove_with_nonce(&shop, &req, AUDIENCE, T0, &[1; 8])
        .unwrap_err();
    out.push(json!({
        "id": "proofs/short-nonce", "type": "prove", "description": "a nonce has at least 16 bytes",
        "holder": hex::encode(bytes32("holder 1")), "token": shop.serialize(), "request": request_text(&req),
        "audience": AUDIENCE, "now": T0, "nonce": hex::encode([1u8; 8]), "expect": expect_error(&e),
    }));
    out
}

/// The approval vectors: the shop capability narrowed to need 2 of 3
/// approvers for refunds over 1,000 (the standard request's 4,200 is one).
fn approval_checks(shop: &Capability, add: &mut impl FnMut(Check)) {
    use charter_core::ApprovedCall;
    let approvers: Vec<SigningKey> = (1..=3).map(|n| signing(&format!("approver {n}"))).collect();
    let stranger = signing("approver stranger");
    let list = approvers
        .iter()
        .map(|k| format!("\"{}\"", k.kid()))
        .collect::<Vec<_>>()
        .join(", ");
    let caveat = format!("approval(2, [{list}], args.amount > 1000)");
    let cap = shop.attenuate(&caveat).expect("an approval caveat");
    let token = cap.serialize();
    let req = standard_request();
    let call = |c: &Capability, r: &Request| {
        ApprovedCall::of(&c.id(), r, AUDIENCE).expect("the standard call")
    };
    let sign = |k: &SigningKey, c: &ApprovedCall, at: i64| k.approve(c, at, 300).expect("approve");
    let this = call(&cap, &req);
    let a1 = sign(&approvers[0], &this, T0 + 590);
    let a2 = sign(&approvers[1], &this, T0 + 590);
    let with = |approvals: Vec<String>| request_text(&standard_request().with_approvals(approvals));
    let case = |add: &mut dyn FnMut(Check),
                id: &'static str,
                description: &'static str,
                approvals: Vec<String>,
                token: &str| {
        add(Check {
            request: with(approvals),
            ..Check::new(id, description, token.to_string())
        })
    };
    case(
        add,
        "checks/approval-enough",
        "two distinct listed approvers approved this exact call: allowed",
        vec![a1.clone(), a2.clone()],
        &token,
    );
    case(
        add,
        "checks/approval-too-few",
        "one approval where two are required: approval_required, naming the keys, M and the call",
        vec![a1.clone()],
        &token,
    );
    case(
        add,
        "checks/approval-none",
        "no approvals at all: approval_required",
        vec![],
        &token,
    );
    case(
        add,
        "checks/approval-wrong-key",
        "an approval by a key that is not one of the approvers does not count",
        vec![a1.clone(), sign(&stranger, &this, T0 + 590)],
        &token,
    );
    case(
        add,
        "checks/approval-duplicate",
        "the same approver twice counts once",
        vec![a1.clone(), a1.clone(), sign(&approvers[0], &this, T0 + 595)],
        &token,
    );
    let other_args = Request::new("shopper-7", "payments.refund", json!({"amount": 4300}));
    case(
        add,
        "checks/approval-other-call",
        "an approval of the same capability with other arguments does not count",
        vec![
            a1.clone(),
            sign(&approvers[1], &call(&cap, &other_args), T0 + 590),
        ],
        &token,
    );
    case(
        add,
        "checks/approval-other-capability",
        "an approval of the same call under another capability (the parent) does not count",
        vec![a1.clone(), sign(&approvers[1], &call(shop, &req), T0 + 590)],
        &token,
    );
    let elsewhere = ApprovedCall {
        audience: "bank.example".into(),
        ..this.clone()
    };
    case(
        add,
        "checks/approval-other-audience",
        "an approval of the same call at another audience does not count",
        vec![a1.clone(), sign(&approvers[1], &elsewhere, T0 + 590)],
        &token,
    );
    case(
        add,
        "checks/approval-expired",
        "an approval signed at T0+200 for 300 s expired at T0+500, before the check at T0+600",
        vec![a1.clone(), sign(&approvers[1], &this, T0 + 200)],
        &token,
    );
    case(
        add,
        "checks/approval-expiry-before",
        "an approval expiring one second after the check still counts",
        vec![a1.clone(), sign(&approvers[1], &this, T0 + 301)],
        &token,
    );
    case(
        add,
        "checks/approval-expiry-at",
        "an approval expiring at the instant of the check does not count",
        vec![a1.clone(), sign(&approvers[1], &this, T0 + 300)],
        &token,
    );
    case(
        add,
        "checks/approval-ahead",
        "an approval dated 31 s ahead (beyond the 30 s leeway) does not count",
        vec![a1.clone(), sign(&approvers[1], &this, T0 + 631)],
        &token,
    );
    let mut flipped = a2.clone().into_bytes();
    let last = flipped.len() - 2;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    case(
        add,
        "checks/approval-bad-signature",
        "an approval whose signature does not verify does not count",
        vec![a1.clone(), String::from_utf8(flipped).expect("ASCII")],
        &token,
    );
    case(
        add,
        "checks/approval-malformed",
        "approval text that is not an approval does not count, and the denial says why",
        vec![a1.clone(), "not.an-approval".into(), format!("{a2}=")],
        &token,
    );
    let small = Request::new(
        "shopper-7",
        "payments.refund",
        json!({"amount": 1000, "currency": "USD"}),
    )
    .with_resource("orders/A-1001");
    add(Check {
        request: request_text(&small),
        ..Check::new(
            "checks/approval-condition-false",
            "a refund of 1,000 does not match the condition: no approval needed",
            token.clone(),
        )
    });
    let added = shop
        .attenuate(&format!("approval(1, [\"{}\"])", approvers[2].kid()))
        .expect("an approval caveat");
    case(
        add,
        "checks/approval-narrowing-adds",
        "narrowing a capability that needed no approval adds a requirement",
        vec![],
        &added.serialize(),
    );
    let lower = cap
        .attenuate(&format!("approval(1, [\"{}\"])", approvers[0].kid()))
        .expect("an approval caveat");
    let lower_call = call(&lower, &req);
    case(
        add,
        "checks/approval-narrowing-cannot-lower",
        "a narrowing asking 1 of 1 does not lower its parent's 2 of 3: one approval still falls short",
        vec![sign(&approvers[0], &lower_call, T0 + 590)],
        &lower.serialize(),
    );
    let raised = cap
        .attenuate(&format!("approval(3, [{list}])"))
        .expect("an approval caveat");
    let raised_call = call(&raised, &req);
    case(
        add,
        "checks/approval-narrowing-raises",
        "a narrowing raising M to 3: two approvals fall short",
        vec![
            sign(&approvers[0], &raised_call, T0 + 590),
            sign(&approvers[1], &raised_call, T0 + 590),
        ],
        &raised.serialize(),
    );
    case(
        add,
        "checks/approval-narrowing-raised-met",
        "the raised requirement met by all three",
        approvers
            .iter()
            .map(|k| sign(k, &raised_call, T0 + 590))
            .collect(),
        &raised.serialize(),
    );
    let mut bad = standard_request().to_value();
    bad["approvals"] = json!("not a list");
    add(Check {
        request: jcs::canonicalize(&bad).expect("JSON"),
        ..Check::new(
            "checks/approval-not-a-list",
            "a request whose approvals are not a list of strings is malformed",
            token.clone(),
        )
    });
}
