//! Permit vectors: issuing, and every way verification refuses.

use charter_core::{b64, jcs, KeySet, Permit, PermitIssuer, PermitRequest, PermitVerifier};
use ed25519_dalek::Signer;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::cases::{bytes32, expect_error, signing, T0};

const AUDIENCE: &str = "payments.example";

fn claims_json(p: &Permit) -> Value {
    serde_json::to_value(p.claims()).unwrap()
}

/// A JWS over raw header and claims text, signed by `sign`.
fn jws(header: &str, claims: &str, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let input = format!("{}.{}", b64::encode(header), b64::encode(claims));
    let sig = sign(input.as_bytes());
    format!("{input}.{}", b64::encode(sig))
}

fn ed(label: &'static str) -> impl Fn(&[u8]) -> Vec<u8> {
    move |m| {
        ed25519_dalek::SigningKey::from_bytes(&bytes32(label))
            .sign(m)
            .to_bytes()
            .to_vec()
    }
}

struct Verify<'a> {
    id: &'a str,
    description: &'a str,
    jwks: String,
    token: String,
    action: &'a str,
    args: String,
    now: i64,
    leeway: Option<i64>,
    repeat: bool,
}

impl Verify<'_> {
    fn run(&self) -> Value {
        let keys = KeySet::from_jwks(&self.jwks).unwrap();
        let v = PermitVerifier::new(keys, AUDIENCE)
            .with_leeway(self.leeway)
            .unwrap();
        let args = jcs::parse(&self.args).unwrap();
        let mut got = v.verify(&self.token, self.action, &args, self.now);
        if self.repeat {
            assert!(got.is_ok(), "{}: first verification must pass", self.id);
            got = v.verify(&self.token, self.action, &args, self.now);
        }
        let expect = match got {
            Ok(c) => json!({"claims": serde_json::to_value(c).unwrap()}),
            Err(e) => expect_error(&e),
        };
        json!({
            "id": format!("permits/{}", self.id), "type": "verify", "description": self.description,
            "jwks": self.jwks, "audience": AUDIENCE, "leeway": self.leeway, "token": self.token,
            "action": self.action, "args": self.args, "now": self.now, "repeat": self.repeat, "expect": expect,
        })
    }
}

pub fn permits() -> Vec<Value> {
    let key = signing("permit key");
    let jwks = KeySet::from_keys([key.public_key()]).unwrap().to_jwks();
    let other_jwks = KeySet::from_keys([signing("signing 2").public_key()])
        .unwrap()
        .to_jwks();
    let rotated_jwks = KeySet::from_keys([signing("signing 2").public_key(), key.public_key()])
        .unwrap()
        .to_jwks();
    let args = json!({"order": "A-1001", "amount": 4200, "currency": "USD"});
    let args_text = jcs::canonicalize(&args).unwrap();
    let mut out = Vec::new();

    let mut issue = |id: &str,
                     description: &str,
                     ttl: Option<i64>,
                     jti: Option<&str>,
                     idem: Option<&str>|
     -> Option<Permit> {
        let iss = PermitIssuer::new(key.clone(), "gateway.shop.example").with_ttl(ttl);
        let result = iss.and_then(|iss| {
            let mut req = PermitRequest::new(
                "shopper-7",
                AUDIENCE,
                "payments.refund",
                &args,
                "NFBW5paneGC6sYrEt7ASsg",
            );
            if let Some(j) = jti {
                req = req.with_jti(j);
            }
            if let Some(k) = idem {
                req = req.with_idempotency_key(k);
            }
            iss.issue(&req, T0)
        });
        let (expect, permit) = match result {
            Ok(p) => (
                json!({"token": p.token(), "kid": p.kid(), "claims": claims_json(&p)}),
                Some(p),
            ),
            Err(e) => (expect_error(&e), None),
        };
        out.push(json!({
            "id": format!("permits/{id}"), "type": "issue", "description": description,
            "signing_key": hex::encode(bytes32("permit key")), "issuer": "gateway.shop.example", "ttl": ttl,
            "subject": "shopper-7", "audience": AUDIENCE, "action": "payments.refund", "args": args_text,
            "capability_id": "NFBW5paneGC6sYrEt7ASsg", "jti": jti, "idempotency_key": idem, "now": T0, "expect": expect,
        }));
        permit
    };
    let permit = issue(
        "issue",
        "a permit for one exact call",
        None,
        Some("jti-0001"),
        None,
    )
    .unwrap();
    let with_idem = issue(
        "issue-idempotency",
        "an idempotency key travels as idem",
        Some(300),
        Some("jti-0002"),
        Some("call-77"),
    )
    .unwrap();
    issue(
        "issue-ttl-too-long",
        "a permit lives at most an hour",
        Some(7200),
        Some("jti-x"),
        None,
    );
    issue(
        "issue-ttl-zero",
        "a permit lives at least a second",
        Some(0),
        Some("jti-x"),
        None,
    );
    let token = permit.token().to_string();

    let base = |id: &'static str, description: &'static str| Verify {
        id,
        description,
        jwks: jwks.clone(),
        token: token.clone(),
        action: "payments.refund",
        args: args_text.clone(),
        now: T0 + 10,
        leeway: None,
        repeat: false,
    };
    let mut add = |v: Verify| out.push(v.run());
    add(base("verify", "a fresh permit for this call verifies"));
    add(Verify {
        token: with_idem.token().into(),
        ..base("verify-idempotency", "claims include the idempotency key")
    });
    add(Verify {
        jwks: rotated_jwks.clone(),
        ..base("verify-rotation", "a key set with several keys (rotation)")
    });
    add(Verify {
        args: r#"{"currency":"USD","amount":4200,"order":"A-1001"}"#.into(),
        ..base(
            "verify-args-reordered",
            "arguments hash by their canonical form: key order does not matter",
        )
    });
    add(Verify {
        args: r#"{"order":"A-1001","amount":4200.0,"currency":"USD"}"#.into(),
        ..base(
            "verify-args-float",
            "4200.0 has 4200's canonical JSON but is a double to caveats: refused, never taken for the int",
        )
    });
    add(Verify {
        args: r#"{"order":"A-1001","amount":4.2e3,"currency":"USD"}"#.into(),
        ..base(
            "verify-args-exponent",
            "4.2e3 is the integral double 4200, not the int 4200: refused",
        )
    });
    // Valid on [iat − leeway, exp + leeway): each bound at, one second before
    // and one after, with the default leeway (30 s) and with none.
    // iat = T0, exp = T0 + 60.
    for (id, description, now, leeway) in [
        (
            "verify-exp-leeway-before",
            "one second before exp + leeway: verifies",
            T0 + 89,
            None,
        ),
        (
            "verify-exp-leeway-at",
            "at exp + leeway: expired (RFC 7519: now must be before exp)",
            T0 + 90,
            None,
        ),
        (
            "verify-expired",
            "one second past exp + leeway: expired",
            T0 + 91,
            None,
        ),
        (
            "verify-exp-no-leeway-before",
            "zero leeway, one second before exp: verifies",
            T0 + 59,
            Some(0),
        ),
        (
            "verify-exp-no-leeway-at",
            "zero leeway, at exp: expired",
            T0 + 60,
            Some(0),
        ),
        (
            "verify-no-leeway",
            "zero leeway, one second past exp: expired",
            T0 + 61,
            Some(0),
        ),
        (
            "verify-not-yet-valid",
            "one second before iat − leeway: not valid yet",
            T0 - 31,
            None,
        ),
        (
            "verify-iat-leeway-at",
            "at iat − leeway: verifies",
            T0 - 30,
            None,
        ),
        (
            "verify-iat-leeway-after",
            "one second after iat − leeway: verifies",
            T0 - 29,
            None,
        ),
        (
            "verify-iat-no-leeway-before",
            "zero leeway, one second before iat: not valid yet",
            T0 - 1,
            Some(0),
        ),
        (
            "verify-iat-no-leeway-at",
            "zero leeway, at iat: verifies",
            T0,
            Some(0),
        ),
        (
            "verify-iat-no-leeway-after",
            "zero leeway, one second after iat: verifies",
            T0 + 1,
            Some(0),
        ),
    ] {
        add(Verify {
            now,
            leeway,
            ..base(id, description)
        });
    }
    add(Verify {
        action: "payments.charge",
        ..base("verify-action", "another action")
    });
    add(Verify {
        args: r#"{"order":"A-1001","amount":4201,"currency":"USD"}"#.into(),
        ..base("verify-args", "other arguments")
    });
    add(Verify {
        repeat: true,
        ..base("verify-replay", "a permit is accepted once")
    });
    add(Verify {
        jwks: other_jwks.clone(),
        ..base("verify-unknown-kid", "the key set lacks the permit's key")
    });
    let mut flipped = b64::decode(token.rsplit('.').next().unwrap()).unwrap();
    flipped[0] ^= 1;
    let (head, _) = token.rsplit_once('.').unwrap();
    add(Verify {
        token: format!("{head}.{}", b64::encode(&flipped)),
        ..base("verify-bad-signature", "one flipped signature bit")
    });

    let header = |alg: &str, extra: &str| {
        format!(
            r#"{{"alg":"{alg}","kid":"{}","typ":"permit+jwt"{extra}}}"#,
            key.kid()
        )
    };
    let claims = jcs::canonicalize(&claims_json(&permit)).unwrap();
    let canonical_header = header("EdDSA", "");
    add(Verify {
        token: jws(&canonical_header, &claims, ed("permit key")),
        ..base(
            "verify-resigned",
            "the same header and claims signed again verify (Ed25519 is deterministic)",
        )
    });
    let none = format!(
        "{}.{}.",
        b64::encode(r#"{"alg":"none","typ":"permit+jwt"}"#),
        b64::encode(&claims)
    );
    add(Verify {
        token: none,
        ..base("verify-alg-none", "alg none is refused")
    });
    let hs = jws(
        &format!(
            r#"{{"alg":"HS256","kid":"{}","typ":"permit+jwt"}}"#,
            key.kid()
        ),
        &claims,
        |m| {
            let mut mac = Hmac::<Sha256>::new_from_slice(&key.public_key().to_bytes()).unwrap();
            mac.update(m);
            mac.finalize().into_bytes().to_vec()
        },
    );
    add(Verify {
        token: hs,
        ..base(
            "verify-alg-hs256",
            "HS256 keyed with the public key is refused",
        )
    });
    add(Verify {
        token: jws(&header("RS256", ""), &claims, ed("permit key")),
        ..base("verify-alg-rs256", "any algorithm but EdDSA is refused")
    });
    add(Verify {
        token: jws(
            &header("EdDSA", r#","crit":["exp"]"#),
            &claims,
            ed("permit key"),
        ),
        ..base("verify-crit", "a crit header is refused")
    });
    add(Verify {
        token: jws(
            &header("EdDSA", r#","jku":"https://evil.example/jwks""#),
            &claims,
            ed("permit key"),
        ),
        ..base("verify-jku", "jku key indirection is refused")
    });
    add(Verify {
        token: jws(
            &header("EdDSA", r#","x5u":"https://evil.example/cert""#),
            &claims,
            ed("permit key"),
        ),
        ..base("verify-x5u", "x5u key indirection is refused")
    });
    add(Verify {
        token: jws(
            &format!(r#"{{"alg":"EdDSA","kid":"{}","typ":"JWT"}}"#, key.kid()),
            &claims,
            ed("permit key"),
        ),
        ..base("verify-typ", "typ must be permit+jwt")
    });
    add(Verify {
        token: jws(
            &format!(
                r#"{{"alg":"EdDSA", "kid":"{}","typ":"permit+jwt"}}"#,
                key.kid()
            ),
            &claims,
            ed("permit key"),
        ),
        ..base(
            "verify-noncanonical-header",
            "a header that is not JCS is refused",
        )
    });
    let mut extra = claims_json(&permit);
    extra["admin"] = json!(true);
    add(Verify {
        token: jws(
            &canonical_header,
            &jcs::canonicalize(&extra).unwrap(),
            ed("permit key"),
        ),
        ..base("verify-extra-claim", "unknown claims are refused")
    });
    let mut missing = claims_json(&permit);
    missing.as_object_mut().unwrap().remove("jti");
    add(Verify {
        token: jws(
            &canonical_header,
            &jcs::canonicalize(&missing).unwrap(),
            ed("permit key"),
        ),
        ..base("verify-missing-claim", "every claim is required")
    });
    let mut long = claims_json(&permit);
    long["exp"] = json!(T0 + 7200);
    add(Verify {
        token: jws(
            &canonical_header,
            &jcs::canonicalize(&long).unwrap(),
            ed("permit key"),
        ),
        ..base(
            "verify-lifetime",
            "a lifetime beyond the maximum is refused even when signed",
        )
    });
    let mut aud = claims_json(&permit);
    aud["aud"] = json!("other.example");
    add(Verify {
        token: jws(
            &canonical_header,
            &jcs::canonicalize(&aud).unwrap(),
            ed("permit key"),
        ),
        ..base("verify-audience", "a permit for another audience")
    });
    add(Verify {
        token: jws(&canonical_header, &claims, ed("signing 2")),
        ..base(
            "verify-wrong-signer",
            "signed by a key other than the kid names",
        )
    });
    add(Verify {
        token: format!("{token}="),
        ..base("verify-padded", "padded base64url is refused")
    });
    add(Verify {
        token: token.splitn(3, '.').take(2).collect::<Vec<_>>().join("."),
        ..base("verify-two-parts", "a JWS has three parts")
    });
    add(Verify {
        token: "A".repeat(9000),
        ..base("verify-too-large", "tokens beyond 8 KiB are refused unread")
    });
    out
}
