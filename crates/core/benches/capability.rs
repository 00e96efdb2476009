//! Capability costs beside the bare HMAC chain of the same tokens, in one run,
//! so the check/chain ratio (target ≤ 2× for 4 caveats) can be read directly.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use charter_core::capability::IssueOptions;
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
        assert!(verifier.check_token(&token, &request, None, NOW).allowed);
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
            b.iter(|| verifier.check_token(black_box(&token), black_box(&request), None, NOW))
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

criterion_group!(capability_benches, benches);
criterion_main!(capability_benches);
