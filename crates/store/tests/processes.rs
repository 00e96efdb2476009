//! The store's promises across PROCESSES on one SQLite file: this test binary
//! re-runs itself as the child processes (`child`, driven by environment
//! variables), N processes x M threads at once.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use charter_core::audit::AuditLog;
use charter_core::{
    verify_bundle, CallOptions, Capability, Decision, ErrorCode, Guard, Holder, Issuer, KeySet,
    PermitIssuer, PermitRequest, PermitVerifier, ReceiptInput, Request, RootKey, SigningKey,
    Verifier,
};
use serde_json::json;

const PROCS: usize = 4;
const THREADS: usize = 3;
const NOW: i64 = 1_767_225_600;
const ROLE: &str = "CHARTER_STORE_TEST_ROLE";
const URL: &str = "CHARTER_STORE_TEST_URL";
const ARG: &str = "CHARTER_STORE_TEST_ARG";

fn root() -> RootKey {
    RootKey::from_bytes(&[5; 32]).expect("test setup")
}
fn signing(b: u8) -> SigningKey {
    SigningKey::from_bytes(&[b; 32]).expect("test setup")
}
fn capability() -> Capability {
    Issuer::new(root())
        .issue()
        .token_id([8; 16])
        .issued_at(NOW - 10)
        .actions(&["refund"])
        .never_expires()
        .build()
        .expect("test setup")
}
fn request(amount: i64) -> Request {
    Request::new("shopper", "refund", json!({ "amount": amount }))
}
fn input(n: u64) -> ReceiptInput {
    ReceiptInput::from_decision(NOW, "w", "append", &json!({ "n": n }), &Decision::allow())
        .expect("test setup")
}

/// Runs `f` on THREADS threads at once (they start together) and prints one
/// line per result, which the parent reads.
fn threads(f: impl Fn(usize) -> String + Sync) {
    let gate = std::sync::Barrier::new(THREADS);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (gate, f) = (&gate, &f);
            s.spawn(move || {
                gate.wait();
                println!("@@ {}", f(t));
            });
        }
    });
}

/// The child process: does nothing unless the parent set ROLE.
#[test]
fn child() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let store = charter_store::open(&std::env::var(URL).expect("test setup")).expect("test setup");
    let arg = std::env::var(ARG).unwrap_or_default();
    match role.as_str() {
        "permit" => {
            let keys = KeySet::from_keys([signing(3).public_key()]).expect("test setup");
            let v = PermitVerifier::new(keys, "shop").with_replay_store(store.replay());
            threads(
                |_| match v.verify(&arg, "refund", &json!({"amount": 1}), NOW) {
                    Ok(_) => "accepted".into(),
                    Err(e) => e.code().to_string(),
                },
            );
        }
        "proof" => {
            let (cap, proof) = arg.split_once(' ').expect("test setup");
            let v = Verifier::new([root()], "shop")
                .expect("test setup")
                .with_replay_store(store.replay());
            threads(|_| {
                let opts = CallOptions {
                    proof: Some(proof.into()),
                    ..CallOptions::at(NOW)
                };
                let d = v.check(cap, &request(1), &opts);
                if d.allowed {
                    "accepted".into()
                } else {
                    d.reasons[0].code.to_string()
                }
            });
        }
        "check" => {
            // One check per line until the capability is denied (at most 30 s).
            let v = Verifier::new([root()], "shop")
                .expect("test setup")
                .with_revocations(store.revocations());
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(30) {
                let d = v.check(&arg, &request(1), &CallOptions::at(NOW));
                if d.allowed {
                    println!("@@ allowed");
                } else {
                    println!("@@ {}", d.reasons[0].code);
                    return;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        "append" => {
            let log = store.audit_log("main", signing(4)).expect("test setup");
            let n: u64 = arg.parse().expect("test setup");
            threads(|t| {
                let mut acks = Vec::new();
                for i in 0..n {
                    let r = log.append(input(t as u64 * 1000 + i)).expect("test setup");
                    acks.push(format!("{}:{}", r.seq(), r.hash()));
                }
                acks.join(" ")
            });
        }
        "append-forever" => {
            let log = store.audit_log("main", signing(4)).expect("test setup");
            for i in 0.. {
                let r = log.append(input(i)).expect("test setup");
                println!("@@ {}:{}", r.seq(), r.hash());
            }
        }
        "spend" => {
            let cap = Capability::parse(&arg).expect("test setup");
            let v = Verifier::new([root()], "shop")
                .expect("test setup")
                .with_budget_store(store.budgets());
            threads(|_| {
                let mut out = Vec::new();
                for _ in 0..10 {
                    let d = v.check(&cap, &request(1), &CallOptions::at(NOW));
                    out.push(if d.allowed {
                        "ok".to_string()
                    } else {
                        d.reasons[0].code.to_string()
                    });
                }
                out.join(" ")
            });
        }
        "idem" => {
            let amount: i64 = arg.parse().expect("test setup");
            let g = Guard::new(
                Verifier::new([root()], "shop").expect("test setup"),
                PermitIssuer::new(signing(3), "gw").with_idempotency_store(store.idempotency()),
                store.audit_log("idem", signing(4)).expect("test setup"),
            );
            threads(|_| {
                let opts = CallOptions {
                    idempotency_key: Some("order-42".into()),
                    ..CallOptions::at(NOW)
                };
                match g.protect(&capability(), &request(amount), &opts) {
                    Ok(p) => p.token().to_string(),
                    Err(e) => e.code().to_string(),
                }
            });
        }
        "idem-budget" => {
            // One guarded call with a budget caveat and an idempotency key.
            let (cap, key) = arg.split_once(' ').expect("test setup");
            let g = Guard::new(
                Verifier::new([root()], "shop")
                    .expect("test setup")
                    .with_budget_store(store.budgets()),
                PermitIssuer::new(signing(3), "gw").with_idempotency_store(store.idempotency()),
                store
                    .audit_log("idem-budget", signing(4))
                    .expect("test setup"),
            );
            let opts = CallOptions {
                idempotency_key: Some(key.into()),
                ..CallOptions::at(NOW)
            };
            println!(
                "@@ {}",
                match g.protect(cap, &request(5), &opts) {
                    Ok(p) => p.token().to_string(),
                    Err(e) => e.reasons().first().map_or(e.code(), |r| r.code).to_string(),
                }
            );
        }
        other => panic!("unknown role {other}"),
    }
}

fn spawn(url: &str, role: &str, arg: &str) -> Child {
    Command::new(std::env::current_exe().expect("test setup"))
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(ROLE, role)
        .env(URL, url)
        .env(ARG, arg)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("test setup")
}

/// The `@@` lines of every child, after each has exited successfully.
fn run_all(url: &str, role: &str, arg: &str, procs: usize) -> Vec<String> {
    let children: Vec<Child> = (0..procs).map(|_| spawn(url, role, arg)).collect();
    let mut lines = Vec::new();
    for c in children {
        let out = c.wait_with_output().expect("test setup");
        assert!(out.status.success(), "child {role} failed");
        let text = String::from_utf8(out.stdout).expect("test setup");
        lines.extend(text.lines().filter_map(marked).map(str::to_string));
    }
    lines
}

/// What a child printed after `@@ ` (libtest may have printed "test child
/// ... " on the same line first).
fn marked(line: &str) -> Option<&str> {
    line.find("@@ ").map(|i| &line[i + 3..])
}

fn db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("test setup");
    let url = format!("sqlite://{}", dir.path().join("charter.db").display());
    charter_store::open(&url).expect("test setup"); // schema created once, before the race
    (dir, url)
}

fn count(lines: &[String], what: &str) -> usize {
    lines.iter().filter(|l| l.as_str() == what).count()
}

#[test]
fn one_permit_presented_by_many_processes_is_accepted_once() {
    let (_dir, url) = db();
    let args = json!({"amount": 1});
    let permit = PermitIssuer::new(signing(3), "gw")
        .issue(
            &PermitRequest::new("shopper", "shop", "refund", &args, "cap"),
            NOW,
        )
        .expect("test setup");
    let lines = run_all(&url, "permit", permit.token(), PROCS);
    assert_eq!(lines.len(), PROCS * THREADS);
    assert_eq!(count(&lines, "accepted"), 1, "{lines:?}");
    assert_eq!(count(&lines, "replayed"), PROCS * THREADS - 1, "{lines:?}");
}

#[test]
fn one_holder_proof_presented_by_many_processes_is_accepted_once() {
    let (_dir, url) = db();
    let holder = Holder::new(signing(6));
    let cap = capability()
        .bind_holder(&signing(6).kid())
        .expect("test setup");
    let proof = holder
        .prove(&cap, &request(1), "shop", NOW)
        .expect("test setup");
    let arg = format!("{} {proof}", cap.serialize());
    let lines = run_all(&url, "proof", &arg, PROCS);
    assert_eq!(lines.len(), PROCS * THREADS);
    assert_eq!(count(&lines, "accepted"), 1, "{lines:?}");
    assert_eq!(count(&lines, "replayed"), PROCS * THREADS - 1, "{lines:?}");
}

#[test]
fn a_revocation_by_one_process_is_honoured_by_another_at_its_next_check() {
    let (_dir, url) = db();
    let cap = capability()
        .attenuate("args.amount < 10")
        .expect("test setup");
    let mut child = spawn(&url, "check", &cap.serialize());
    let mut out = BufReader::new(child.stdout.take().expect("test setup"))
        .lines()
        .filter_map(|l| marked(&l.expect("test setup")).map(str::to_string));
    assert_eq!(out.next().expect("test setup"), "allowed");
    // This process revokes; the other one is checking every 5 ms.
    let store = charter_store::open(&url).expect("test setup");
    store.revocations().revoke(&cap.id()).expect("test setup");
    let revoked_at = Instant::now();
    let last = out
        .find(|l| l != "allowed")
        .expect("the checker saw the revocation");
    assert_eq!(last, "revoked");
    // The documented bound: visible as soon as revoke returned (one check
    // interval of the checker, plus process scheduling).
    assert!(revoked_at.elapsed() < Duration::from_secs(5));
    assert!(child.wait().expect("test setup").success());
    // A process started after revoke returned sees it on its first check.
    let lines = run_all(&url, "check", &cap.serialize(), 1);
    assert_eq!(lines, ["revoked"]);
}

fn acked(lines: &[String]) -> Vec<(u64, String)> {
    lines
        .iter()
        .flat_map(|l| l.split(' '))
        .filter(|a| !a.is_empty())
        .map(|a| {
            let (seq, hash) = a.split_once(':').expect("test setup");
            (seq.parse().expect("test setup"), hash.to_string())
        })
        .collect()
}

fn check_log(url: &str, acks: &[(u64, String)]) -> u64 {
    let store = charter_store::open(url).expect("test setup");
    let log = store.audit_log("main", signing(4)).expect("test setup");
    let len = log.len().expect("test setup");
    let stored = log.receipts(0..len).expect("test setup");
    for (seq, hash) in acks {
        assert_eq!(
            stored[*seq as usize].hash(),
            hash,
            "acknowledged receipt {seq} lost or changed"
        );
    }
    let bundle = log.export_bundle(0..len).expect("test setup").to_json();
    let trusted = KeySet::from_keys([signing(4).public_key()]).expect("test setup");
    assert_eq!(
        verify_bundle(&bundle, &trusted).expect("test setup").count,
        len
    );
    len
}

#[test]
fn many_writer_processes_extend_one_chain() {
    let (_dir, url) = db();
    let per_thread = 20;
    let lines = run_all(&url, "append", &per_thread.to_string(), PROCS);
    let acks = acked(&lines);
    assert_eq!(acks.len(), PROCS * THREADS * per_thread);
    let mut seqs: Vec<u64> = acks.iter().map(|a| a.0).collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(
        seqs.len(),
        acks.len(),
        "two writers got one seq: the chain forked"
    );
    assert_eq!(check_log(&url, &acks), acks.len() as u64);
}

#[test]
fn a_writer_killed_mid_append_loses_no_acknowledged_receipt() {
    let (_dir, url) = db();
    for round in 0..3 {
        let mut child = spawn(&url, "append-forever", "");
        let out = BufReader::new(child.stdout.take().expect("test setup"));
        let mut acks = Vec::new();
        for line in out.lines() {
            let line = line.expect("test setup");
            if let Some(a) = marked(&line) {
                acks.push(a.to_string());
                if acks.len() == 30 + round * 7 {
                    // SIGKILL: no destructor, no flush, possibly inside a transaction.
                    child.kill().expect("test setup");
                    break;
                }
            }
        }
        child.wait().expect("test setup");
        let acks = acked(&acks);
        let len = check_log(&url, &acks);
        assert!(len > acks.last().expect("test setup").0);
    }
}

#[test]
fn concurrent_spenders_never_exceed_a_budget() {
    let (_dir, url) = db();
    let limit = 25;
    let cap = capability()
        .attenuate(&format!("budget(\"refunds\", {limit}, 3600)"))
        .expect("test setup");
    let lines = run_all(&url, "spend", &cap.serialize(), PROCS);
    let all: Vec<&str> = lines.iter().flat_map(|l| l.split(' ')).collect();
    assert_eq!(all.len(), PROCS * THREADS * 10);
    assert_eq!(all.iter().filter(|r| **r == "ok").count(), limit, "{all:?}");
    assert!(
        all.iter().all(|r| *r == "ok" || *r == "budget_exhausted"),
        "{all:?}"
    );
}

#[test]
fn one_idempotency_key_from_many_processes_is_one_permit() {
    let (_dir, url) = db();
    let lines = run_all(&url, "idem", "7", PROCS);
    assert_eq!(lines.len(), PROCS * THREADS);
    // One permit; a duplicate that arrived while the first call was being
    // decided was told to retry (idempotency_conflict), never given another.
    let permits: Vec<&String> = lines.iter().filter(|l| l.contains('.')).collect();
    assert!(!permits.is_empty(), "no permit: {lines:?}");
    assert!(
        permits.iter().all(|l| *l == permits[0]),
        "more than one permit: {lines:?}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.contains('.') || l == "idempotency_conflict"),
        "{lines:?}"
    );
    // Once decided, every retry from any process gets that permit.
    let retries = run_all(&url, "idem", "7", 2);
    assert!(
        retries.iter().all(|l| l == permits[0]),
        "a retry got something else: {retries:?}"
    );
    // The same key for another call, from other processes: refused.
    let other = run_all(&url, "idem", "8", 2);
    assert!(
        other.iter().all(|l| l == "idempotency_conflict"),
        "{other:?}"
    );
    // Every attempt was recorded, in one chain.
    let store = charter_store::open(&url).expect("test setup");
    let log: Arc<dyn AuditLog> = store.audit_log("idem", signing(4)).expect("test setup");
    assert_eq!(
        log.len().expect("test setup") as usize,
        (PROCS + 4) * THREADS
    );
    assert_eq!(
        ErrorCode::IdempotencyConflict.as_str(),
        "idempotency_conflict"
    );
}

/// A retry (same key, same call) from other processes returns the stored
/// permit without spending the budget again: with a budget of 2, after one
/// call and many retries of it a second key still has its unit, a third none.
#[test]
fn idempotent_retries_from_other_processes_spend_no_budget() {
    let (_dir, url) = db();
    let cap = capability()
        .attenuate("budget(\"refunds\", 2, 3600)")
        .expect("test setup")
        .serialize();
    let first = run_all(&url, "idem-budget", &format!("{cap} k1"), 1);
    assert_eq!(first.len(), 1);
    assert!(first[0].contains('.'), "a permit: {first:?}");
    let retries = run_all(&url, "idem-budget", &format!("{cap} k1"), PROCS);
    assert_eq!(retries.len(), PROCS);
    assert!(retries.iter().all(|l| *l == first[0]), "{retries:?}");
    let second = run_all(&url, "idem-budget", &format!("{cap} k2"), 1);
    assert!(
        second[0].contains('.') && second[0] != first[0],
        "{second:?}"
    );
    let third = run_all(&url, "idem-budget", &format!("{cap} k3"), 1);
    assert_eq!(third, ["budget_exhausted"]);
    // k3's denial is settled too: retried, it is the same denial.
    let again = run_all(&url, "idem-budget", &format!("{cap} k3"), 2);
    assert_eq!(again, ["budget_exhausted", "budget_exhausted"]);
}
