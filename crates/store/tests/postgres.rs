//! The PostgreSQL store against a real server, across processes and
//! connections, with faults: `scripts/test.sh postgres` starts a throwaway
//! cluster (scripts/postgres.sh) and runs this file with
//! `--test-threads=1` (one test restarts the server).
//!
//! Several processes are this test binary started again with
//! `CHARTER_PG_ROLE` set: the ignored test `child` plays that role and
//! writes lines starting with `@@ ` that the parent reads.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use charter_core::budget::Spend;
use charter_core::receipt::Outcome;
use charter_core::{
    b64, jcs, unix_now, verify_bundle, AuditLog, CallOptions, ErrorCode, Issuer, KeySet,
    PermitIssuer, PermitRequest, PermitVerifier, ReceiptInput, Request, RootKey, SigningKey,
    Verifier,
};
use charter_store::postgres::PostgresStore;
use serde_json::json;

fn url() -> String {
    match std::env::var("CHARTER_PG_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => panic!(
            "CHARTER_PG_URL is not set: run these tests with `scripts/test.sh postgres` \
             (scripts/postgres.sh starts a throwaway PostgreSQL server and sets it)"
        ),
    }
}

fn store() -> PostgresStore {
    PostgresStore::open(&url()).expect("open the PostgreSQL store at CHARTER_PG_URL")
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_millis()
}

/// A name no other test run used, so tests share one database safely.
fn unique(what: &str) -> String {
    format!("{what}-{}-{}", std::process::id(), now_ms())
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("child: {name} is not set"))
}

/// Starts this binary as a child playing `role` with `vars` set.
fn spawn(role: &str, vars: &[(&str, String)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().expect("this test binary"));
    cmd.args([
        "child",
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env("CHARTER_PG_ROLE", role)
    .stdout(Stdio::piped())
    .stderr(Stdio::inherit());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.spawn().expect("start a child process")
}

/// What a child said on a line, without the `@@ ` tag (the test harness may
/// have written `test child ... ` before it on the same line).
fn tagged(line: &str) -> Option<String> {
    line.find("@@ ").map(|i| line[i + 3..].to_string())
}

/// The `@@ ` lines a child wrote, after it exited successfully.
fn lines_of(child: Child) -> Vec<String> {
    let out = child.wait_with_output().expect("wait for a child");
    assert!(out.status.success(), "child failed: {:?}", out.status);
    String::from_utf8(out.stdout)
        .expect("UTF-8 output")
        .lines()
        .filter_map(tagged)
        .collect()
}

/// The `@@ ` lines of a child as it writes them.
fn said(child: &mut Child) -> impl Iterator<Item = String> {
    BufReader::new(child.stdout.take().expect("a piped stdout"))
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| tagged(&l))
}

fn say(line: impl std::fmt::Display) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "@@ {line}").expect("write to stdout");
    out.flush().expect("flush stdout");
}

/// Waits until the wall clock reaches `at` (ms), so every process and thread
/// starts its call at once.
fn wait_until(at: u128) {
    while now_ms() < at {
        thread::sleep(Duration::from_millis(1));
    }
}

fn signing_key(var: &str) -> SigningKey {
    SigningKey::from_bytes(&b64::decode(&env(var)).expect("base64url")).expect("a signing key")
}

fn receipt_input(n: u64) -> ReceiptInput {
    ReceiptInput {
        ts: unix_now(),
        agent: "writer".into(),
        action: "append".into(),
        args: jcs::hash(&json!({ "n": n })).expect("hash"),
        cap: None,
        permit: None,
        decision: Outcome::Allow,
        reasons: Vec::new(),
        approvers: Vec::new(),
    }
}

// --- the child processes ------------------------------------------------

#[test]
#[ignore = "a child process of the other tests (CHARTER_PG_ROLE)"]
fn child() {
    let role = env("CHARTER_PG_ROLE");
    let store = store();
    match role.as_str() {
        // Threads present one permit at the same instant.
        "replay" => {
            let key = signing_key("PERMIT_KEY");
            let keys = KeySet::from_keys([key.public_key()]).unwrap();
            let verifier =
                Arc::new(PermitVerifier::new(keys, "tool").with_replay_store(store.replay()));
            let token = Arc::new(env("PERMIT"));
            let threads: usize = env("THREADS").parse().unwrap();
            let at: u128 = env("START_AT").parse().unwrap();
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    let (verifier, token) = (verifier.clone(), token.clone());
                    thread::spawn(move || {
                        wait_until(at);
                        verifier.verify(&token, "refund", &json!({"order": 7}), unix_now())
                    })
                })
                .collect();
            for h in handles {
                match h.join().unwrap() {
                    Ok(_) => say("ok"),
                    Err(e) => say(format!("err {}", e.code().as_str())),
                }
            }
        }
        // Checks a capability until it is refused as revoked.
        "watch" => {
            let root = RootKey::from_bytes(&b64::decode(&env("ROOT")).unwrap()).unwrap();
            let verifier = Verifier::new([root], "svc")
                .unwrap()
                .with_revocations(store.revocations());
            let token = env("CAP");
            let req = Request::new("agent", "read", json!({}));
            let deadline = Instant::now() + Duration::from_secs(30);
            let mut allowed = false;
            while Instant::now() < deadline {
                let d = verifier.check(token.as_str(), &req, &CallOptions::default());
                if d.allowed {
                    if !allowed {
                        say("allowed");
                        allowed = true;
                    }
                } else {
                    let code = d.reasons[0].code;
                    say(format!("denied {} {}", code.as_str(), now_ms()));
                    return;
                }
                thread::sleep(Duration::from_millis(5));
            }
            say("timeout");
        }
        "revoke" => {
            let id = env("CAP_ID");
            let before = now_ms();
            store.revocations().revoke(&id).unwrap();
            say(format!("committed {before} {}", now_ms()));
        }
        // Appends receipts, saying each one once it is acknowledged.
        "append" => {
            let log = store
                .audit_log(&env("LOG_NAME"), signing_key("LOG_KEY"))
                .unwrap();
            let count: u64 = env("COUNT").parse().unwrap();
            let at: u128 = env("START_AT").parse().unwrap();
            wait_until(at);
            for n in 0..count {
                let r = log.append(receipt_input(n)).unwrap();
                say(format!("ack {} {}", r.seq(), r.hash()));
            }
        }
        // Threads spend from two counters at once until refused.
        "spend" => {
            let (a, b) = (env("COUNTER_A"), env("COUNTER_B"));
            let threads: usize = env("THREADS").parse().unwrap();
            let tries: usize = env("TRIES").parse().unwrap();
            let at: u128 = env("START_AT").parse().unwrap();
            let budgets = store.budgets();
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    let (budgets, a, b) = (budgets.clone(), a.clone(), b.clone());
                    thread::spawn(move || {
                        wait_until(at);
                        let (mut spent, mut refused) = (0, 0);
                        for _ in 0..tries {
                            let spends = [spend(&a, 1, 50), spend(&b, 3, 100)];
                            match budgets.spend(&spends, unix_now()) {
                                Ok(()) => spent += 1,
                                Err(e) if e.code() == ErrorCode::BudgetExhausted => refused += 1,
                                Err(e) => panic!("spend: {e}"),
                            }
                        }
                        (spent, refused)
                    })
                })
                .collect();
            for h in handles {
                let (spent, refused) = h.join().unwrap();
                say(format!("spent {spent} {refused}"));
            }
        }
        // Threads store one key with different calls at once.
        "idem" => {
            let key = env("KEY");
            let threads: usize = env("THREADS").parse().unwrap();
            let at: u128 = env("START_AT").parse().unwrap();
            let idem = store.idempotency();
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (idem, key) = (idem.clone(), key.clone());
                    thread::spawn(move || {
                        let mine = format!("{}-{t}", std::process::id());
                        wait_until(at);
                        let now = unix_now();
                        idem.put_if_absent(&key, &mine, &mine, now + 600, now)
                            .unwrap()
                    })
                })
                .collect();
            for h in handles {
                let s = h.join().unwrap();
                say(format!("stored {} {}", s.call_hash, s.outcome));
            }
        }
        // Threads issue a permit with one idempotency key for one call.
        "issue" => {
            let issuer = Arc::new(
                PermitIssuer::new(signing_key("PERMIT_KEY"), "issuer")
                    .with_idempotency_store(store.idempotency()),
            );
            let key = env("KEY");
            let order: u64 = env("ORDER").parse().unwrap();
            let threads: usize = env("THREADS").parse().unwrap();
            let at: u128 = env("START_AT").parse().unwrap();
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    let (issuer, key) = (issuer.clone(), key.clone());
                    thread::spawn(move || {
                        let args = json!({ "order": order });
                        let req = PermitRequest::new("agent", "tool", "refund", &args, "cap")
                            .with_idempotency_key(&key);
                        wait_until(at);
                        issuer.issue(&req, unix_now())
                    })
                })
                .collect();
            for h in handles {
                match h.join().unwrap() {
                    Ok(p) => say(format!("permit {}", p.token())),
                    Err(e) => say(format!("err {}", e.code().as_str())),
                }
            }
        }
        // Threads check a capability with a budget caveat until refused.
        "budget-check" => {
            let root = RootKey::from_bytes(&b64::decode(&env("ROOT")).unwrap()).unwrap();
            let verifier = Arc::new(
                Verifier::new([root], "svc")
                    .unwrap()
                    .with_budget_store(store.budgets()),
            );
            let token = Arc::new(env("CAP"));
            let threads: usize = env("THREADS").parse().unwrap();
            let tries: usize = env("TRIES").parse().unwrap();
            let at: u128 = env("START_AT").parse().unwrap();
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    let (verifier, token) = (verifier.clone(), token.clone());
                    thread::spawn(move || {
                        let req = Request::new("agent", "refund", json!({"cents": 700}));
                        wait_until(at);
                        (0..tries)
                            .map(|_| {
                                let d =
                                    verifier.check(token.as_str(), &req, &CallOptions::default());
                                if d.allowed {
                                    "allowed".to_string()
                                } else {
                                    d.reasons[0].code.as_str().to_string()
                                }
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for h in handles {
                for outcome in h.join().unwrap() {
                    say(outcome);
                }
            }
        }
        other => panic!("unknown CHARTER_PG_ROLE {other}"),
    }
}

/// A spend in one fixed window that no test run crosses the end of.
fn spend(counter: &str, amount: u64, limit: u64) -> Spend {
    Spend {
        counter: counter.into(),
        window_start: 1_000_000_000,
        window_end: 4_000_000_000,
        amount,
        limit,
    }
}

// --- the tests ----------------------------------------------------------

const PROCESSES: usize = 4;
const THREADS: usize = 8;

#[test]
fn one_permit_presented_by_many_processes_is_accepted_once() {
    let key = SigningKey::generate();
    let issuer = PermitIssuer::new(key.clone(), "issuer");
    let args = json!({"order": 7});
    let permit = issuer
        .issue(
            &PermitRequest::new("agent", "tool", "refund", &args, "cap"),
            unix_now(),
        )
        .unwrap();
    let at = now_ms() + 2000;
    let children: Vec<Child> = (0..PROCESSES)
        .map(|_| {
            spawn(
                "replay",
                &[
                    ("PERMIT_KEY", b64::encode(key.to_bytes().as_slice())),
                    ("PERMIT", permit.token().to_string()),
                    ("THREADS", THREADS.to_string()),
                    ("START_AT", at.to_string()),
                ],
            )
        })
        .collect();
    let outcomes: Vec<String> = children.into_iter().flat_map(lines_of).collect();
    assert_eq!(outcomes.len(), PROCESSES * THREADS, "{outcomes:?}");
    let ok = outcomes.iter().filter(|o| *o == "ok").count();
    let replayed = outcomes.iter().filter(|o| *o == "err replayed").count();
    assert_eq!(ok, 1, "{outcomes:?}");
    assert_eq!(replayed, PROCESSES * THREADS - 1, "{outcomes:?}");
}

/// The documented bound: a revocation is seen by every verifier as soon as
/// its transaction commits (the list is read on every check). The watcher
/// checks every 5 ms, so it must deny within a short delay of the commit
/// and never before the revoke began.
#[test]
fn a_revocation_through_one_process_is_honoured_by_another() {
    let root = RootKey::generate();
    let cap = Issuer::new(root.clone())
        .issue()
        .agent("agent")
        .actions(&["read"])
        .expires_at(unix_now() + 3600)
        .build()
        .unwrap();
    let mut watcher = spawn(
        "watch",
        &[
            ("ROOT", b64::encode(root.to_bytes().as_slice())),
            ("CAP", cap.serialize()),
        ],
    );
    let mut out = said(&mut watcher);
    assert_eq!(out.next().unwrap(), "allowed");
    let revoker = spawn("revoke", &[("CAP_ID", cap.id())]);
    let said = lines_of(revoker);
    let parts: Vec<u128> = said[0]
        .strip_prefix("committed ")
        .unwrap()
        .split(' ')
        .map(|n| n.parse().unwrap())
        .collect();
    let (began, committed) = (parts[0], parts[1]);
    let denied = out.next().unwrap();
    assert!(watcher.wait().unwrap().success());
    let fields: Vec<&str> = denied.split(' ').collect();
    assert_eq!(&fields[..2], &["denied", "revoked"], "{denied}");
    let at: u128 = fields[2].parse().unwrap();
    assert!(
        at >= began,
        "denied at {at}, before the revoke began at {began}"
    );
    assert!(
        at <= committed + 1000,
        "denied {} ms after the commit",
        at - committed
    );
}

#[test]
fn concurrent_writers_extend_one_chain_and_a_killed_writer_loses_nothing() {
    let key = SigningKey::generate();
    let key_text = b64::encode(key.to_bytes().as_slice());
    let name = unique("chain");
    let at = now_ms() + 1500;
    let writers: Vec<Child> = (0..PROCESSES)
        .map(|_| {
            spawn(
                "append",
                &[
                    ("LOG_NAME", name.clone()),
                    ("LOG_KEY", key_text.clone()),
                    ("COUNT", "40".into()),
                    ("START_AT", at.to_string()),
                ],
            )
        })
        .collect();
    // One more writer, killed with SIGKILL in the middle of its appends.
    let mut doomed = spawn(
        "append",
        &[
            ("LOG_NAME", name.clone()),
            ("LOG_KEY", key_text.clone()),
            ("COUNT", "100000".into()),
            ("START_AT", at.to_string()),
        ],
    );
    let mut doomed_out = said(&mut doomed);
    let mut acked: Vec<String> = Vec::new();
    while acked.len() < 30 {
        acked.push(doomed_out.next().unwrap());
    }
    doomed.kill().unwrap(); // SIGKILL
    assert!(!doomed.wait().unwrap().success());
    // Acknowledgements it wrote before it died still count.
    acked.extend(doomed_out);
    for w in writers {
        acked.extend(lines_of(w));
    }

    let log = store().audit_log(&name, key).unwrap();
    let len = log.len().unwrap();
    let bundle = log.export_bundle(0..len).unwrap();
    let report = verify_bundle(&bundle.to_json(), &log.keys()).unwrap();
    let _ = report;
    let receipts = bundle.receipts();
    assert_eq!(receipts.len() as u64, len);
    assert!(len >= (PROCESSES * 40 + 30) as u64);
    for line in &acked {
        let f: Vec<&str> = line.split(' ').collect();
        assert_eq!(f[0], "ack", "{line}");
        let seq: usize = f[1].parse().unwrap();
        assert_eq!(
            receipts[seq].hash(),
            f[2],
            "acknowledged receipt {seq} was lost"
        );
    }
    let mut seqs: Vec<&str> = acked.iter().map(|l| l.split(' ').nth(1).unwrap()).collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), acked.len(), "two writers were given one seq");
}

#[test]
fn concurrent_spenders_never_exceed_a_budget() {
    let (a, b) = (unique("budget-a"), unique("budget-b"));
    let at = now_ms() + 1500;
    let children: Vec<Child> = (0..PROCESSES)
        .map(|_| {
            spawn(
                "spend",
                &[
                    ("COUNTER_A", a.clone()),
                    ("COUNTER_B", b.clone()),
                    ("THREADS", "4".into()),
                    ("TRIES", "12".into()),
                    ("START_AT", at.to_string()),
                ],
            )
        })
        .collect();
    let (mut spent, mut refused) = (0, 0);
    for line in children.into_iter().flat_map(lines_of) {
        let f: Vec<usize> = line
            .strip_prefix("spent ")
            .unwrap()
            .split(' ')
            .map(|n| n.parse().unwrap())
            .collect();
        spent += f[0];
        refused += f[1];
    }
    // 192 tries; b (3 of 100) fits 33 times, a (1 of 50) would fit 50: every
    // spend is both or neither, so exactly 33 succeed.
    assert_eq!(spent + refused, PROCESSES * 4 * 12);
    assert_eq!(spent, 33);
    let budgets = store().budgets();
    // a was charged only with b: 33 used, 17 left.
    budgets.spend(&[spend(&a, 17, 50)], unix_now()).unwrap();
    let e = budgets.spend(&[spend(&a, 1, 50)], unix_now()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::BudgetExhausted);
    assert!(e.message().contains("has 0 of 50 left"), "{}", e.message());
    let e = budgets.spend(&[spend(&b, 2, 100)], unix_now()).unwrap_err();
    assert!(e.message().contains("has 1 of 100 left"), "{}", e.message());
}

#[test]
fn one_idempotency_key_means_one_call_across_connections() {
    let key = unique("idem");
    let at = now_ms() + 1500;
    let children: Vec<Child> = (0..PROCESSES)
        .map(|_| {
            spawn(
                "idem",
                &[
                    ("KEY", key.clone()),
                    ("THREADS", THREADS.to_string()),
                    ("START_AT", at.to_string()),
                ],
            )
        })
        .collect();
    let mut stored: Vec<String> = children.into_iter().flat_map(lines_of).collect();
    assert_eq!(stored.len(), PROCESSES * THREADS);
    stored.dedup();
    assert_eq!(stored.len(), 1, "one key stored several calls: {stored:?}");
    // The winner is one of the callers, stored with its own outcome.
    let f: Vec<&str> = stored[0].split(' ').collect();
    assert_eq!(f[1], f[2]);
    // An expired entry is taken over by the next call.
    let idem = store().idempotency();
    let k = unique("idem-expiry");
    assert_eq!(
        idem.put_if_absent(&k, "h1", "o1", 100, 10).unwrap().outcome,
        "o1"
    );
    assert_eq!(
        idem.put_if_absent(&k, "h2", "o2", 200, 100)
            .unwrap()
            .outcome,
        "o1"
    );
    assert_eq!(
        idem.put_if_absent(&k, "h2", "o2", 200, 101)
            .unwrap()
            .outcome,
        "o2"
    );
}

/// `charter_store::open` hands out the PostgreSQL stores for both schemes,
/// and a log opened through one `Store` is the chain another one sees.
#[test]
fn open_dispatches_both_schemes_to_postgres() {
    let url = url();
    let other = url.replacen("postgres://", "postgresql://", 1);
    let (a, b) = (
        charter_store::open(&url).unwrap(),
        charter_store::open(&other).unwrap(),
    );
    assert!(a.description().starts_with("postgres://"), "{a:?}");
    let k = unique("jti-open");
    a.replay()
        .check_and_record(&k, unix_now() + 60, unix_now())
        .unwrap();
    let e = b
        .replay()
        .check_and_record(&k, unix_now() + 60, unix_now())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Replayed);
    let name = unique("log-open");
    let key = SigningKey::generate();
    let first = a.audit_log(&name, key.clone()).unwrap();
    let r0 = first.append(receipt_input(0)).unwrap();
    let second = b.audit_log(&name, key).unwrap();
    assert_eq!(second.len().unwrap(), 1);
    let r1 = second.append(receipt_input(1)).unwrap();
    assert_eq!((r1.seq(), r1.prev()), (1, r0.hash()));
    assert_eq!(first.head().unwrap().unwrap().hash(), r1.hash());
}

#[test]
fn single_use_values_expire_and_are_taken_over() {
    let replay = store().replay();
    let k = unique("jti");
    replay.check_and_record(&k, 100, 10).unwrap();
    let e = replay.check_and_record(&k, 100, 100).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Replayed);
    replay.check_and_record(&k, 200, 101).unwrap();
}

#[test]
fn a_newer_schema_is_refused() {
    let base = url();
    let (server, _) = base.rsplit_once('/').unwrap();
    let db = format!("charter_schema_{}", std::process::id());
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .unwrap();
    let other = format!("{server}/{db}");
    PostgresStore::open(&other).unwrap();
    PostgresStore::open(&other).unwrap(); // idempotent
    let mut c = postgres::Client::connect(&other, postgres::NoTls).unwrap();
    c.execute("UPDATE charter_schema SET version = 99", &[])
        .unwrap();
    drop(c);
    let e = PostgresStore::open(&other).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnsupportedVersion, "{}", e.message());
    assert!(e.message().contains("version 99"), "{}", e.message());
    admin
        .batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)"))
        .unwrap();
}

fn pg_ctl(args: &[&str]) {
    let ctl = std::env::var("CHARTER_PG_CTL").unwrap_or_else(|_| {
        panic!("CHARTER_PG_CTL is not set: run these tests with `scripts/test.sh postgres`")
    });
    let status = Command::new(&ctl)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("run CHARTER_PG_CTL");
    assert!(status.success(), "{ctl} {args:?}: {status}");
}

/// The server stops in the middle of a run: every call fails closed with
/// `store_unavailable` within the connect timeout while it is down, and the
/// same store handles work again once it is back, without a restart.
#[test]
fn a_server_restart_fails_closed_then_recovers() {
    let store = PostgresStore::open(&format!("{}?connect_timeout=2", url())).unwrap();
    let replay = store.replay();
    let root = RootKey::generate();
    let cap = Issuer::new(root.clone())
        .issue()
        .agent("agent")
        .actions(&["read"])
        .expires_at(unix_now() + 3600)
        .build()
        .unwrap();
    let verifier = Verifier::new([root], "svc")
        .unwrap()
        .with_revocations(store.revocations());
    let req = Request::new("agent", "read", json!({}));
    let log = store
        .audit_log(&unique("restart-log"), SigningKey::generate())
        .unwrap();
    log.append(receipt_input(0)).unwrap();
    let first = unique("restart-first");
    replay
        .check_and_record(&first, unix_now() + 600, unix_now())
        .unwrap();

    // A caller that keeps going through the restart.
    type Calls = Vec<(Result<(), ErrorCode>, Duration)>;
    let results: Arc<Mutex<Calls>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let caller = {
        let (results, stop, replay) = (results.clone(), stop.clone(), replay.clone());
        let prefix = unique("restart");
        thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let started = Instant::now();
                let r = replay
                    .check_and_record(&format!("{prefix}-{n}"), unix_now() + 600, unix_now())
                    .map_err(|e| {
                        assert_eq!(e.code(), ErrorCode::StoreUnavailable, "{}", e.message());
                        e.code()
                    });
                results.lock().unwrap().push((r, started.elapsed()));
                thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let count = |ok: bool| {
        results
            .lock()
            .unwrap()
            .iter()
            .filter(|(r, _)| r.is_ok() == ok)
            .count()
    };
    let wait_for = |what: &str, cond: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !cond() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            thread::sleep(Duration::from_millis(20));
        }
    };
    wait_for("calls before the stop", &|| count(true) >= 5);

    pg_ctl(&["stop", "-m", "fast", "-w"]);
    wait_for("failed calls while down", &|| count(false) >= 3);
    // Everything fails closed while the server is down.
    let unavailable = |e: charter_core::Error| {
        assert_eq!(e.code(), ErrorCode::StoreUnavailable, "{}", e.message());
        assert!(e.message().contains("retry later"), "{}", e.message());
    };
    let d = verifier.check(&cap, &req, &CallOptions::default());
    assert!(!d.allowed);
    assert_eq!(
        d.reasons[0].code,
        ErrorCode::StoreUnavailable,
        "{:?}",
        d.reasons
    );
    unavailable(store.revocations().is_revoked(&cap.id()).unwrap_err());
    unavailable(
        store
            .revocations()
            .first_revoked(&[&cap.id(), cap.token_id()])
            .unwrap_err(),
    );
    unavailable(log.append(receipt_input(1)).unwrap_err());
    unavailable(log.len().unwrap_err());
    unavailable(
        store
            .budgets()
            .spend(&[spend(&unique("b"), 1, 5)], unix_now())
            .unwrap_err()
            .into_error(),
    );
    unavailable(
        store
            .idempotency()
            .put_if_absent(&unique("k"), "h", "o", unix_now() + 60, unix_now())
            .unwrap_err(),
    );
    let down_ok = count(true);

    pg_ctl(&["start", "-w", "-t", "60"]);
    wait_for("calls after the restart", &|| count(true) >= down_ok + 5);
    stop.store(true, Ordering::Relaxed);
    caller.join().unwrap();

    // Each failure came within the connect timeout (2 s) plus slack.
    for (r, took) in results.lock().unwrap().iter() {
        if r.is_err() {
            assert!(
                *took < Duration::from_secs(5),
                "a failing call took {took:?}"
            );
        }
    }
    // The same handles work again, with what was stored before the restart.
    assert_eq!(
        replay
            .check_and_record(&first, unix_now() + 600, unix_now())
            .unwrap_err()
            .code(),
        ErrorCode::Replayed
    );
    assert!(verifier.check(&cap, &req, &CallOptions::default()).allowed);
    log.append(receipt_input(2)).unwrap();
    assert_eq!(log.len().unwrap(), 2);
    let bundle = log.export_bundle(0..2).unwrap();
    verify_bundle(&bundle.to_json(), &log.keys()).unwrap();
}

/// The core's idempotency through the PostgreSQL store: processes issuing a
/// permit with one key for one call all get the same permit; the same key
/// for another call is refused.
#[test]
fn permits_issued_with_one_idempotency_key_are_one_permit() {
    let key = SigningKey::generate();
    let idem = unique("order-7");
    let vars = |order: &str, at: u128| {
        vec![
            ("PERMIT_KEY", b64::encode(key.to_bytes().as_slice())),
            ("KEY", idem.clone()),
            ("ORDER", order.to_string()),
            ("THREADS", "4".to_string()),
            ("START_AT", at.to_string()),
        ]
    };
    let at = now_ms() + 1500;
    let children: Vec<Child> = (0..PROCESSES)
        .map(|_| spawn("issue", &vars("7", at)))
        .collect();
    let mut permits: Vec<String> = children.into_iter().flat_map(lines_of).collect();
    assert_eq!(permits.len(), PROCESSES * 4);
    assert!(permits[0].starts_with("permit "), "{permits:?}");
    permits.dedup();
    assert_eq!(
        permits.len(),
        1,
        "one key gave several permits: {permits:?}"
    );
    let other = lines_of(spawn("issue", &vars("8", now_ms())));
    assert_eq!(other.len(), 4);
    assert!(
        other.iter().all(|o| o == "err idempotency_conflict"),
        "{other:?}"
    );
}

/// A budget caveat checked by many verifier processes at once: exactly its
/// limit of calls is allowed, the rest are `budget_exhausted`.
#[test]
fn a_budget_caveat_holds_across_verifier_processes() {
    let root = RootKey::generate();
    let cap = Issuer::new(root.clone())
        .issue()
        .agent("agent")
        .actions(&["refund"])
        .expires_at(unix_now() + 3600)
        .caveat(format!("budget(\"{}\", 10, 86400)", unique("refunds")))
        .build()
        .unwrap();
    let at = now_ms() + 1500;
    let children: Vec<Child> = (0..PROCESSES)
        .map(|_| {
            spawn(
                "budget-check",
                &[
                    ("ROOT", b64::encode(root.to_bytes().as_slice())),
                    ("CAP", cap.serialize()),
                    ("THREADS", "4".into()),
                    ("TRIES", "5".into()),
                    ("START_AT", at.to_string()),
                ],
            )
        })
        .collect();
    let outcomes: Vec<String> = children.into_iter().flat_map(lines_of).collect();
    assert_eq!(outcomes.len(), PROCESSES * 4 * 5);
    let allowed = outcomes.iter().filter(|o| *o == "allowed").count();
    let exhausted = outcomes.iter().filter(|o| *o == "budget_exhausted").count();
    assert_eq!(allowed, 10, "{outcomes:?}");
    assert_eq!(exhausted, outcomes.len() - 10, "{outcomes:?}");
}

/// TLS (rustls) against the throwaway server's certificate for 127.0.0.1,
/// signed by the throwaway CA `CHARTER_PG_TLS_CA` (scripts/postgres.sh): the
/// role `charter_tls` (`CHARTER_PG_TLS_URL`) is admitted over TLS only, so a
/// store that works as that role spoke TLS.
#[cfg(feature = "postgres-tls")]
#[test]
fn tls_modes_are_honoured() {
    let var = |name: &str| match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!("{name} is not set: scripts/postgres.sh sets it when openssl is there"),
    };
    let (ca, other_ca, base) = (
        var("CHARTER_PG_TLS_CA"),
        var("CHARTER_PG_TLS_OTHER_CA"),
        var("CHARTER_PG_TLS_URL"),
    );
    let open =
        |base: &str, query: &str| PostgresStore::open(&format!("{base}?connect_timeout=5&{query}"));
    let works = |query: &str| {
        let s = open(&base, query).unwrap_or_else(|e| panic!("{query}: {e}"));
        s.replay()
            .check_and_record(&unique("tls"), unix_now() + 60, unix_now())
            .unwrap_or_else(|e| panic!("{query}: {e}"));
    };
    let fails = |base: &str, query: &str, code: ErrorCode, needle: &str| {
        let e = open(base, query).expect_err(query);
        assert_eq!(e.code(), code, "{query}: {e}");
        assert!(e.message().contains(needle), "{query}: {e}");
    };
    // The certificate checked against the given CA, and naming 127.0.0.1.
    works(&format!("sslmode=verify-full&sslrootcert={ca}"));
    works(&format!("sslmode=verify-ca&sslrootcert={ca}"));
    // require: encrypted, the certificate not checked (libpq's meaning)...
    works("sslmode=require");
    // ...unless a CA is given: then it is checked, as verify-ca.
    works(&format!("sslmode=require&sslrootcert={ca}"));
    // prefer (the default) uses TLS when the server has it.
    works("sslmode=prefer");
    works("");
    // The role is refused in plaintext: the tests above spoke TLS.
    fails(&base, "sslmode=disable", ErrorCode::Io, "no encryption");
    // A CA of the same name that did not sign the server's certificate.
    for mode in ["verify-full", "verify-ca", "require", "prefer"] {
        fails(
            &base,
            &format!("sslmode={mode}&sslrootcert={other_ca}"),
            ErrorCode::StoreUnavailable,
            "certificate",
        );
    }
    // The throwaway CA is not among the system's, which verify-full without
    // a file checks, as does sslrootcert=system (libpq 16: the system's CAs,
    // and verify-full).
    for query in ["sslmode=verify-full", "sslrootcert=system"] {
        let e = open(&base, query).expect_err("an unknown CA");
        assert!(
            matches!(
                e.code(),
                ErrorCode::StoreUnavailable | ErrorCode::Unsupported
            ),
            "{query}: {e}"
        );
        assert!(e.message().contains("certificate"), "{query}: {e}");
    }
    // verify-full checks the name: the certificate names 127.0.0.1, not localhost.
    let by_name = base.replacen("@127.0.0.1:", "@localhost:", 1);
    fails(
        &by_name,
        &format!("sslmode=verify-full&sslrootcert={ca}"),
        ErrorCode::StoreUnavailable,
        "not valid for name",
    );
    // verify-ca does not check the name, but still the chain.
    let s = open(&by_name, &format!("sslmode=verify-ca&sslrootcert={ca}"));
    assert!(s.is_ok(), "{:?}", s.err());
    fails(
        &by_name,
        &format!("sslmode=verify-ca&sslrootcert={other_ca}"),
        ErrorCode::StoreUnavailable,
        "certificate",
    );
    // A CA file that is missing, not PEM, or PEM without a certificate:
    // invalid_argument, before any connection.
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("ca.der");
    std::fs::write(&not_pem, b"\x30\x82\x01\x0a not a PEM file").unwrap();
    let no_cert = dir.path().join("key.pem");
    std::fs::write(
        &no_cert,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let broken = dir.path().join("broken.pem");
    std::fs::write(
        &broken,
        "-----BEGIN CERTIFICATE-----\nMIIBbroken\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    for (file, needle) in [
        (dir.path().join("missing.pem"), "cannot be read"),
        (not_pem, "holds no PEM certificate"),
        (no_cert, "holds no PEM certificate"),
        (broken, "sslrootcert="),
    ] {
        fails(
            &base,
            &format!("sslmode=verify-full&sslrootcert={}", file.display()),
            ErrorCode::InvalidArgument,
            needle,
        );
    }
}
