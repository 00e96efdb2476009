//! Capability costs beside the bare HMAC chain of the same tokens, in one run,
//! so the check/chain ratio (target ≤ 2× for 4 caveats) can be read directly.
//! `worst/*` are the slowest tokens we know how to build under the documented
//! limits (64 caveats, 16 KiB, 10,000 steps per caveat, 1000 program units per
//! pattern), checked beside the normal 4-caveat check in the same run.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark over fixed inputs: a failure is a broken bench, not a path to handle"
)]
#![allow(
    missing_docs,
    reason = "criterion_group! generates a pub fn that cannot carry a doc comment"
)]

use criterion::{black_box, criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use charter_core::capability::IssueOptions;
use charter_core::CallOptions;
use charter_core::{b64, Capability, Issuer, Request, RootKey, Verifier};

const NOW: i64 = 1_767_225_600;

const CAVEATS: [&str; 4] = [
    r#"action in ["payments.refund", "orders.read"]"#,
    r#"agent == "shopper-7""#,
    r#"args.currency == "USD" && args.amount <= 5000"#,
    r#"now < timestamp("2026-01-01T01:00:00Z")"#,
];

fn capability(root: &RootKey, n: usize) -> Capability {
    let caveats = (0..n)
        .map(|k| CAVEATS[k % CAVEATS.len()].to_string())
        .collect();
    Issuer::new(root.clone())
        .issue_with(&IssueOptions {
            caveats,
            token_id: Some(vec![7; 16]),
            issued_at: Some(NOW),
            never_expires: true,
            ..Default::default()
        })
        .unwrap()
}

/// The libmacaroons chain alone over the same bytes, from the binary token.
fn bare_chain(root: &[u8], identifier: &[u8], caveats: &[&[u8]]) -> [u8; 32] {
    let mac = |key: &[u8], data: &[u8]| -> [u8; 32] {
        let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
        m.update(data);
        m.finalize().into_bytes().into()
    };
    let mut tag = mac(&mac(b"macaroons-key-generator", root), identifier);
    for c in caveats {
        tag = mac(&tag, c);
    }
    tag
}

fn benches(c: &mut Criterion) {
    let root = RootKey::from_bytes(&[9; 32]).unwrap();
    let verifier = Verifier::new([root.clone()], "tools.shop.example").unwrap();
    let request = Request::new(
        "shopper-7",
        "payments.refund",
        json!({"amount": 4200, "currency": "USD"}),
    );
    let secret = root.to_bytes();

    let mut group = c.benchmark_group("capability");
    for n in [1usize, 4, 16] {
        let cap = capability(&root, n);
        let token = cap.serialize();
        assert!(
            verifier
                .check(&token, &request, &CallOptions::at(NOW))
                .allowed
        );
        let identifier = {
            // The identifier is the first field after the version byte: type 2, one-byte length.
            let bytes = b64::decode(&token).unwrap();
            let len = bytes[2] as usize;
            bytes[3..3 + len].to_vec()
        };
        let caveats: Vec<&[u8]> = cap.caveats().iter().map(|c| c.as_bytes()).collect();
        group.bench_with_input(BenchmarkId::new("bare_chain", n), &n, |b, _| {
            b.iter(|| {
                bare_chain(
                    black_box(&secret),
                    black_box(&identifier),
                    black_box(&caveats),
                )
            })
        });
        group.bench_with_input(BenchmarkId::new("check", n), &n, |b, _| {
            b.iter(|| {
                verifier.check(
                    black_box(&token),
                    black_box(&request),
                    &CallOptions::at(NOW),
                )
            })
        });
        group.bench_with_input(BenchmarkId::new("parse", n), &n, |b, _| {
            b.iter(|| Capability::parse(black_box(&token)).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("attenuate", n), &n, |b, _| {
            b.iter(|| cap.attenuate(black_box("args.amount <= 1000")).unwrap())
        });
    }
    group.finish();
}

/// A V2 macaroon written out by hand (libmacaroons' layout and chain), so
/// caveats the core refuses to mint can be presented to a verifier.
fn raw_token(root: &[u8], identifier: &[u8], caveats: &[String]) -> String {
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
    let refs: Vec<&[u8]> = caveats.iter().map(|c| c.as_bytes()).collect();
    let tag = bare_chain(root, identifier, &refs);
    let mut out = vec![2u8];
    field(&mut out, 2, identifier);
    out.push(0);
    for c in caveats {
        field(&mut out, 2, c.as_bytes());
        out.push(0);
    }
    out.push(0);
    field(&mut out, 6, &tag);
    b64::encode(out)
}

/// 64 distinct caveats from `make(k)`, so no compiled caveat is shared.
fn sixty_four(make: impl Fn(usize) -> String) -> Vec<String> {
    (0..64).map(make).collect()
}

/// A distinct ASCII letter or digit for caveat `k`.
fn tag_char(k: usize) -> char {
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%&"[k] as char
}

fn worst(c: &mut Criterion) {
    let root = RootKey::from_bytes(&[9; 32]).unwrap();
    let secret = root.to_bytes();
    let normal = capability(&root, 4).serialize();
    let identifier = {
        let bytes = b64::decode(&normal).unwrap();
        bytes[3..3 + bytes[2] as usize].to_vec()
    };
    // One 1 MiB-class argument (the request limit) and a short one.
    let request = Request::new(
        "shopper-7",
        "payments.refund",
        json!({"amount": 4200, "currency": "USD", "s": "", "long": "a".repeat(1_000_000), "a74": "a".repeat(74)}),
    );
    let list = "1,2,3,4,5,6,7,8";
    let tokens: Vec<(&str, Vec<String>)> = vec![
        // Compiling: 64 distinct patterns of about 990 program units, the
        // costliest kind per unit; each uses ~8,400 of its 10,000 steps.
        (
            "compile",
            sixty_four(|k| format!(r#"args.s.matches("^[^X]{{39}}{}")"#, tag_char(k))),
        ),
        // Matching: every state live at every byte, the budget spent on it.
        (
            "match",
            sixty_four(|k| format!(r#"args.a74.matches("[a-z]{{100}}{}")"#, tag_char(k))),
        ),
        // A match refused by count before it runs, on the 1 MB argument.
        (
            "match-refused",
            sixty_four(|k| format!(r#"args.long.matches("[a-z]{{100}}{}")"#, tag_char(k))),
        ),
        // Refused patterns: the compiler stops at its heap bound.
        (
            "refused",
            sixty_four(|k| format!(r#"args.s.matches("[^{}]{{1000}}")"#, tag_char(k))),
        ),
        // Refused after building: the syntax bound (977 units) is under the
        // limit, the program (each \b adds 2 more per copy) is over it.
        (
            "refused-late",
            sixty_four(|k| format!(r#"args.s.matches("(?:\\b[^X]){{39}}{}")"#, tag_char(k))),
        ),
        // Without regexes: nested macros to the step budget.
        (
            "macros",
            sixty_four(|k| {
                format!("[{list}].all(x, [{list}].all(y, [{list}].all(z, [{list}].all(w, x + y + z + w > {k}))))")
            }),
        ),
    ];
    let mut group = c.benchmark_group("worst");
    group.sample_size(10);
    let fresh = || Verifier::new([root.clone()], "tools.shop.example").unwrap();
    group.bench_function("normal/4", |b| {
        b.iter_batched(
            fresh,
            |v| v.check(black_box(&normal), &request, &CallOptions::at(NOW)),
            BatchSize::SmallInput,
        )
    });
    for (name, caveats) in &tokens {
        let token = raw_token(&secret, &identifier, caveats);
        assert!(
            token.len() <= charter_core::capability::MAX_TOKEN_BYTES,
            "{name}"
        );
        let d = fresh().check(&token, &request, &CallOptions::at(NOW));
        assert!(
            !d.allowed && d.reasons.len() == 64,
            "{name}: {:?}",
            d.reasons.first()
        );
        // Uncached: a fresh verifier compiles every caveat, as an attacker
        // varying patterns forces.
        group.bench_function(BenchmarkId::new(*name, "fresh"), |b| {
            b.iter_batched(
                fresh,
                |v| v.check(black_box(&token), &request, &CallOptions::at(NOW)),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(capability_benches, benches, worst);
criterion_main!(capability_benches);
