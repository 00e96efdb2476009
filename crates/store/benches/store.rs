//! Permit verifies per second and receipt appends per second against the
//! memory store and SQLite, with 1, 2, 4 and 8 workers (threads sharing one
//! store), and the cost a store adds to one capability check.

#![allow(
    missing_docs,
    reason = "criterion_group! generates a pub fn that cannot carry a doc comment"
)]

use std::time::{Duration, Instant};

use charter_core::{
    b64, CallOptions, Decision, Issuer, KeySet, PermitIssuer, PermitRequest, PermitVerifier,
    ReceiptInput, Request, RootKey, SigningKey, Verifier,
};
use charter_store::Store;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::json;

const NOW: i64 = 1_767_225_600;
const WORKERS: [usize; 4] = [1, 2, 4, 8];

fn stores(dir: &tempfile::TempDir) -> Vec<(&'static str, Store)> {
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    vec![
        (
            "memory",
            charter_store::open("memory:").expect("memory store"),
        ),
        ("sqlite", charter_store::open(&url).expect("sqlite store")),
    ]
}

fn key(b: u8) -> SigningKey {
    SigningKey::from_bytes(&[b; 32]).expect("a key")
}

/// Runs `per_worker(w, n)` on `workers` threads, `iters` calls in all; the time of the slowest.
fn parallel(iters: u64, workers: usize, per_worker: impl Fn(usize, u64) + Sync) -> Duration {
    let n = iters.div_ceil(workers as u64);
    let start = Instant::now();
    std::thread::scope(|s| {
        for w in 0..workers {
            let f = &per_worker;
            s.spawn(move || f(w, n));
        }
    });
    start.elapsed()
}

fn permits(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let issuer = PermitIssuer::new(key(3), "gw");
    let args = json!({"amount": 1});
    let keys = KeySet::from_keys([key(3).public_key()]).expect("keys");
    let mut g = c.benchmark_group("permit_verify");
    g.throughput(Throughput::Elements(1));
    for (name, store) in stores(&dir) {
        let v = PermitVerifier::new(keys.clone(), "shop").with_replay_store(store.replay());
        for workers in WORKERS {
            g.bench_function(format!("{name}/{workers}"), |b| {
                b.iter_custom(|iters| {
                    let n = iters.div_ceil(workers as u64);
                    let tokens: Vec<Vec<String>> = (0..workers)
                        .map(|_| {
                            (0..n)
                                .map(|_| {
                                    let req =
                                        PermitRequest::new("a", "shop", "refund", &args, "cap");
                                    issuer.issue(&req, NOW).expect("issue").token().to_string()
                                })
                                .collect()
                        })
                        .collect();
                    parallel(iters, workers, |w, _| {
                        for t in &tokens[w] {
                            v.verify(t, "refund", &args, NOW).expect("verify");
                        }
                    })
                })
            });
        }
    }
    g.finish();
}

fn appends(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input =
        ReceiptInput::from_decision(NOW, "a", "refund", &json!({"n": 1}), &Decision::allow())
            .expect("input");
    let mut g = c.benchmark_group("receipt_append");
    g.throughput(Throughput::Elements(1));
    for (name, store) in stores(&dir) {
        let log = store.audit_log("bench", key(4)).expect("log");
        for workers in WORKERS {
            g.bench_function(format!("{name}/{workers}"), |b| {
                b.iter_custom(|iters| {
                    parallel(iters, workers, |_, n| {
                        for _ in 0..n {
                            log.append(input.clone()).expect("append");
                        }
                    })
                })
            });
        }
    }
    g.finish();
}

fn check_cost(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = RootKey::from_bytes(&[5; 32]).expect("root");
    let cap = Issuer::new(root.clone())
        .issue()
        .actions(&["refund"])
        .never_expires()
        .build()
        .expect("cap")
        .attenuate("args.amount <= 100")
        .expect("narrow");
    let req = Request::new("a", "refund", json!({"amount": 1}));
    let mut g = c.benchmark_group("check");
    let bare = Verifier::new([root.clone()], "shop").expect("verifier");
    g.bench_function("no store", |b| {
        b.iter(|| assert!(bare.check(&cap, &req, &CallOptions::at(NOW)).allowed))
    });
    for (name, store) in stores(&dir) {
        // One revoked id, so every check looks up the token id and each prefix.
        store
            .revocations()
            .revoke(&b64::encode([1u8; 16]))
            .expect("revoke");
        let v = Verifier::new([root.clone()], "shop")
            .expect("verifier")
            .with_revocations(store.revocations());
        g.bench_function(format!("{name} revocations"), |b| {
            b.iter(|| assert!(v.check(&cap, &req, &CallOptions::at(NOW)).allowed))
        });
        let budgeted = cap
            .attenuate("budget(\"b\", 9223372036854775807, 3600)")
            .expect("budget");
        let vb = Verifier::new([root.clone()], "shop")
            .expect("verifier")
            .with_revocations(store.revocations())
            .with_budget_store(store.budgets());
        g.bench_function(format!("{name} revocations+budget"), |b| {
            b.iter(|| assert!(vb.check(&budgeted, &req, &CallOptions::at(NOW)).allowed))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = permits, appends, check_cost
}
criterion_main!(benches);
