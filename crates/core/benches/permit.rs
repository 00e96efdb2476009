//! Permit issue and verify beside a bare Ed25519 sign and strict verify of the
//! same bytes (the JWS signing input). Target: verify ≤ 1.15× bare verify.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark over fixed inputs: a failure is a broken bench, not a path to handle"
)]
#![allow(
    missing_docs,
    reason = "criterion_group! generates a pub fn that cannot carry a doc comment"
)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ed25519_dalek::{Signer, Verifier as _};
use serde_json::json;

use charter_core::{KeySet, PermitIssuer, PermitRequest, PermitVerifier, SigningKey};

const NOW: i64 = 1_700_000_000;

fn bench(c: &mut Criterion) {
    let seed = [7u8; 32];
    let sk = SigningKey::from_bytes(&seed).unwrap();
    let keys = KeySet::from_keys([sk.public_key()]).unwrap();
    let issuer = PermitIssuer::new(sk, "guard");
    let verifier = PermitVerifier::new(keys, "mail-service");
    let args = json!({"to": "ops@example.com", "subject": "Quarterly report", "attachments": 2});
    let req = PermitRequest::new("agent-7", "mail-service", "send_email", &args, "cap-1");

    let permit = issuer.issue(&req, NOW).unwrap();
    let token = permit.token().to_string();
    let signing_input = token.as_bytes()[..token.rfind('.').unwrap()].to_vec();
    let dalek = ed25519_dalek::SigningKey::from_bytes(&seed);
    let vk = dalek.verifying_key();
    let sig = dalek.sign(&signing_input);

    let mut g = c.benchmark_group("permit");
    g.bench_function("bare_ed25519_sign", |b| {
        b.iter(|| dalek.sign(&signing_input))
    });
    g.bench_function("issue", |b| b.iter(|| issuer.issue(&req, NOW).unwrap()));
    g.bench_function("bare_ed25519_verify_strict", |b| {
        b.iter(|| vk.verify_strict(&signing_input, &sig).unwrap())
    });
    g.bench_function("bare_ed25519_verify", |b| {
        b.iter(|| vk.verify(&signing_input, &sig).unwrap())
    });
    // Each verification consumes its jti, so each iteration gets a fresh permit
    // (issued outside the timed section).
    g.bench_function("verify", |b| {
        b.iter_batched(
            || issuer.issue(&req, NOW).unwrap(),
            |p| {
                verifier
                    .verify(p.token(), "send_email", &args, NOW)
                    .unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
