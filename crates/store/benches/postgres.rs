//! Throughput of the PostgreSQL store with 1, 2, 4 and 8 concurrent workers:
//! permit verifies per second (each verify records its `jti`, one
//! `INSERT ... ON CONFLICT`) and receipt appends per second (one chain,
//! serialized by the head row lock; each append is a committed transaction).
//!
//!   bash scripts/postgres.sh run \
//!     cargo bench -p charter-store --features postgres --bench postgres
//!
//! A fixed count of operations per run (`CHARTER_BENCH_OPS`, default 2000),
//! split across the workers; the server is the throwaway cluster
//! scripts/postgres.sh starts (durable commits: fsync on).

use std::sync::Arc;
use std::thread;
use std::time::Instant;

use charter_core::receipt::Outcome;
use charter_core::{
    jcs, unix_now, AuditLog, KeySet, PermitIssuer, PermitRequest, PermitVerifier, ReceiptInput,
    SigningKey,
};
use charter_store::postgres::PostgresStore;
use serde_json::json;

const WORKERS: [usize; 4] = [1, 2, 4, 8];

fn main() {
    let Ok(url) = std::env::var("CHARTER_PG_URL") else {
        eprintln!("CHARTER_PG_URL is not set: run this bench through scripts/postgres.sh run ...");
        std::process::exit(2);
    };
    let ops: usize = std::env::var("CHARTER_BENCH_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let store = PostgresStore::open(&format!("{url}?pool_max_size=8")).expect("open the store");

    println!("PostgreSQL store, {ops} operations per run");
    println!(
        "{:<34} {:>8} {:>12} {:>12}",
        "operation", "workers", "ops/s", "us/op/worker"
    );
    let key = SigningKey::generate();
    let issuer = PermitIssuer::new(key.clone(), "bench");
    let keys = KeySet::from_keys([key.public_key()]).expect("one key");
    let args = json!({"order": 1});
    for workers in WORKERS {
        let now = unix_now();
        let permits: Vec<String> = (0..ops)
            .map(|_| {
                issuer
                    .issue(
                        &PermitRequest::new("agent", "tool", "refund", &args, "cap"),
                        now,
                    )
                    .expect("issue")
                    .token()
                    .to_string()
            })
            .collect();
        let verifier =
            Arc::new(PermitVerifier::new(keys.clone(), "tool").with_replay_store(store.replay()));
        let chunks: Vec<Vec<String>> = permits
            .chunks(ops.div_ceil(workers))
            .map(<[String]>::to_vec)
            .collect();
        let started = Instant::now();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let verifier = verifier.clone();
                thread::spawn(move || {
                    let args = json!({"order": 1});
                    for token in chunk {
                        verifier
                            .verify(&token, "refund", &args, unix_now())
                            .expect("verify");
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().expect("worker");
        }
        report("permit verify (jti recorded)", workers, ops, started);
    }

    let name = format!("bench-{}-{}", std::process::id(), unix_now());
    let log = Arc::new(
        store
            .audit_log(&name, SigningKey::generate())
            .expect("open the log"),
    );
    let input = ReceiptInput {
        ts: unix_now(),
        agent: "agent".into(),
        action: "refund".into(),
        args: jcs::hash(&args).expect("hash"),
        cap: None,
        permit: None,
        decision: Outcome::Allow,
        reasons: Vec::new(),
        approvers: Vec::new(),
    };
    for workers in WORKERS {
        let per = ops.div_ceil(workers);
        let started = Instant::now();
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (log, input) = (log.clone(), input.clone());
                thread::spawn(move || {
                    for _ in 0..per {
                        log.append(input.clone()).expect("append");
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().expect("worker");
        }
        report(
            "receipt append (one chain)",
            workers,
            per * workers,
            started,
        );
    }
    let len = log.len().expect("len");
    let bundle = log.export_bundle(0..len).expect("export");
    charter_core::verify_bundle(&bundle.to_json(), &log.keys()).expect("the chain verifies");
    println!("chain of {len} receipts verifies");
}

fn report(what: &str, workers: usize, ops: usize, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{what:<34} {workers:>8} {:>12.0} {:>12.0}",
        ops as f64 / secs,
        secs * 1e6 * workers as f64 / ops as f64
    );
}
