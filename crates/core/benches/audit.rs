//! Receipt append (memory and fsynced file) and audit bundle verification of
//! 10,000 receipts (batch Ed25519) beside one strict single verification.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark over fixed inputs: a failure is a broken bench, not a path to handle"
)]
#![allow(
    missing_docs,
    reason = "criterion_group! generates a pub fn that cannot carry a doc comment"
)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::json;

use charter_core::{
    export_bundle, verify_bundle, AuditLog, Bundle, Decision, ErrorCode, FileAuditLog, KeySet,
    MemoryAuditLog, Reason, ReceiptInput, SigningKey,
};

const N: u64 = 10_000;

fn entry(i: u64) -> ReceiptInput {
    let d = if i % 4 == 3 {
        Decision::deny(vec![Reason::new(
            ErrorCode::CaveatFailed,
            Some(1),
            "caveat 1 `args.amount <= 100` is false",
        )])
    } else {
        Decision::allow()
    };
    let r = ReceiptInput::from_decision(
        1_700_000_000 + i as i64,
        "agent-7",
        "payments.transfer",
        &json!({"amount": i, "to": "acct-42", "memo": "invoice"}),
        &d,
    )
    .unwrap()
    .with_capability("cap-b8f1c2");
    if d.allowed {
        r.with_permit(format!("jti-{i}"))
    } else {
        r
    }
}

fn bench(c: &mut Criterion) {
    let sk = SigningKey::from_bytes(&[11; 32]).unwrap();
    let keys = KeySet::from_keys([sk.public_key()]).unwrap();

    let mut g = c.benchmark_group("audit");
    let mem = MemoryAuditLog::new(sk.clone());
    let mut i = 0;
    g.bench_function("append_memory", |b| {
        b.iter(|| {
            i += 1;
            mem.append(entry(i)).unwrap()
        })
    });
    let dir = tempfile::tempdir().unwrap();
    let file = FileAuditLog::open(dir.path().join("bench.jsonl"), sk.clone()).unwrap();
    let mut j = 0;
    g.bench_function("append_file_fsync", |b| {
        b.iter(|| {
            j += 1;
            file.append(entry(j)).unwrap()
        })
    });
    g.finish();

    let log = MemoryAuditLog::new(sk.clone());
    for i in 0..N {
        log.append(entry(i)).unwrap();
    }
    let bundle = export_bundle(&log, 0..N).unwrap();
    let text = bundle.to_json();
    let parsed = Bundle::parse(&text).unwrap();
    verify_bundle(&text, &keys).unwrap();

    // One strict verification of one receipt signature, for scale.
    let r = &bundle.receipts()[0];
    let mut msg = b"charter/v1/receipt\0".to_vec();
    msg.extend_from_slice(r.signed_body().as_bytes());
    let sig_bytes = charter_core::b64::decode(r.sig()).unwrap();
    let sig = ed25519_dalek::Signature::from_slice(&sig_bytes).unwrap();
    let vk = ed25519_dalek::VerifyingKey::from_bytes(&sk.public_key().to_bytes()).unwrap();
    vk.verify_strict(&msg, &sig).unwrap();

    let mut g = c.benchmark_group("bundle");
    g.sample_size(10);
    g.bench_function("single_strict_verify", |b| {
        b.iter(|| vk.verify_strict(&msg, &sig).unwrap())
    });
    g.throughput(Throughput::Elements(N));
    g.bench_function("verify_10k_parsed", |b| {
        b.iter(|| parsed.verify(&keys).unwrap())
    });
    g.bench_function("parse_and_verify_10k_json", |b| {
        b.iter(|| verify_bundle(&text, &keys).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
