//! The store conformance suite: every store behaves as the core's memory
//! store does, the same answers and the same codes, whatever the engine:
//! memory, SQLite in memory, a SQLite file, and, built with the
//! `postgres-server-tests` feature, the PostgreSQL server `CHARTER_PG_URL`
//! names (`scripts/test.sh postgres` runs it so, against a throwaway server;
//! with the feature and no URL the suite fails rather than skip PostgreSQL).

use std::sync::Arc;

use charter_core::audit::AuditLog;
use charter_core::{
    b64, verify_bundle, Decision, ErrorCode, KeySet, ReceiptInput, SigningKey, Spend,
};
use charter_store::{open, Store};

fn stores(dir: &tempfile::TempDir) -> Vec<Store> {
    let file = dir.path().join("charter.db");
    let mut all = vec![
        open("memory:").expect("test setup"),
        open("sqlite::memory:").expect("test setup"),
        open(&format!("sqlite://{}", file.display())).expect("test setup"),
    ];
    all.extend(postgres());
    all
}

/// A PostgreSQL store in a schema of its own, so every test starts empty.
#[cfg(feature = "postgres-server-tests")]
fn postgres() -> Option<Store> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let url = match std::env::var("CHARTER_PG_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => panic!(
            "built with the postgres-server-tests feature but CHARTER_PG_URL is not set: run \
             `scripts/test.sh postgres` (scripts/postgres.sh starts a throwaway server)"
        ),
    };
    let schema = format!(
        "conformance_{}_{}_{}",
        std::process::id(),
        charter_core::unix_now(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin =
        postgres::Client::connect(&url, postgres::NoTls).expect("connect to CHARTER_PG_URL");
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("test setup");
    let sep = if url.contains('?') { '&' } else { '?' };
    let store = open(&format!("{url}{sep}options=-csearch_path%3D{schema}"))
        .expect("open the PostgreSQL store");
    // The store made its tables in the new schema, so this test starts empty.
    let tables: i64 = admin
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1",
            &[&schema],
        )
        .expect("test setup")
        .get(0);
    assert!(tables >= 6, "the store's tables are not in schema {schema}");
    Some(store)
}

#[cfg(not(feature = "postgres-server-tests"))]
fn postgres() -> Option<Store> {
    None
}

fn key(b: u8) -> SigningKey {
    SigningKey::from_bytes(&[b; 32]).expect("test setup")
}

#[test]
fn replay_is_single_use_until_expiry() {
    let dir = tempfile::tempdir().expect("test setup");
    for s in stores(&dir) {
        let r = s.replay();
        r.check_and_record("permit:a", 100, 10).expect("test setup");
        let e = r.check_and_record("permit:a", 100, 50).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Replayed, "{s:?}");
        // Expired: usable again (and pruned).
        r.check_and_record("permit:a", 200, 101)
            .expect("test setup");
        assert_eq!(
            r.check_and_record("permit:a", 200, 150).unwrap_err().code(),
            ErrorCode::Replayed
        );
    }
}

#[test]
fn revocations_are_checked_and_listed() {
    let dir = tempfile::tempdir().expect("test setup");
    for s in stores(&dir) {
        let list = s.revocations();
        let a = b64::encode([1u8; 16]);
        let b = b64::encode([2u8; 16]);
        assert!(!list.is_revoked(&a).expect("test setup"));
        list.revoke(&b).expect("test setup");
        list.revoke(&a).expect("test setup");
        list.revoke(&a).expect("test setup"); // twice is once
        assert!(list.is_revoked(&a).expect("test setup"));
        let mut want = vec![a.clone(), b.clone()];
        want.sort();
        assert_eq!(list.revoked().expect("test setup"), want, "{s:?}");
        assert_eq!(
            list.revoke("not an id").unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
    }
}

#[test]
fn the_first_revoked_id_is_found_in_one_lookup_in_order() {
    let dir = tempfile::tempdir().expect("test setup");
    for s in stores(&dir) {
        let list = s.revocations();
        let ids: Vec<String> = (1u8..=8).map(|b| b64::encode([b; 16])).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        assert_eq!(
            list.first_revoked(&refs).expect("test setup"),
            None,
            "{s:?}"
        );
        assert_eq!(list.first_revoked(&[]).expect("test setup"), None);
        list.revoke(&ids[5]).expect("test setup");
        list.revoke(&ids[2]).expect("test setup");
        assert_eq!(
            list.first_revoked(&refs).expect("test setup"),
            Some(ids[2].clone()),
            "{s:?}"
        );
        // The caller's order, not the list's.
        let reversed: Vec<&str> = refs.iter().rev().copied().collect();
        assert_eq!(
            list.first_revoked(&reversed).expect("test setup"),
            Some(ids[5].clone()),
            "{s:?}"
        );
        // A whole chain's worth of ids (64 caveats and the token id) at once.
        let many: Vec<String> = (0u8..66).map(|b| b64::encode([b ^ 0x80; 16])).collect();
        let mut chain: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(list.first_revoked(&chain).expect("test setup"), None);
        chain.push(&ids[5]);
        assert_eq!(
            list.first_revoked(&chain).expect("test setup"),
            Some(ids[5].clone())
        );
    }
}

#[test]
fn idempotency_keeps_the_first_outcome() {
    let dir = tempfile::tempdir().expect("test setup");
    for s in stores(&dir) {
        let i = s.idempotency();
        let a = i
            .put_if_absent("k", "h1", "o1", 100, 10)
            .expect("test setup");
        assert_eq!((a.call_hash.as_str(), a.outcome.as_str()), ("h1", "o1"));
        assert_eq!(
            i.put_if_absent("k", "h2", "o2", 100, 20)
                .expect("test setup"),
            a
        );
        let c = i
            .put_if_absent("k", "h2", "o2", 300, 101)
            .expect("test setup");
        assert_eq!(c.outcome, "o2", "{s:?}");
        // A claim is completed once, by its holder only; the outcome then
        // lives until the new expiry.
        i.put_if_absent("c", "h", "pending:1", 100, 0)
            .expect("test setup");
        assert!(
            !i.complete("c", "pending:2", "o", 500).expect("test setup"),
            "{s:?}"
        );
        assert!(
            i.complete("c", "pending:1", "o", 500).expect("test setup"),
            "{s:?}"
        );
        assert!(!i.complete("c", "pending:1", "o", 500).expect("test setup"));
        assert!(!i
            .complete("absent", "pending:1", "o", 500)
            .expect("test setup"));
        let got = i
            .put_if_absent("c", "h9", "o9", 900, 400)
            .expect("test setup");
        assert_eq!(
            (got.call_hash.as_str(), got.outcome.as_str()),
            ("h", "o"),
            "{s:?}"
        );
    }
}

/// The idempotency protocol over every store: a key is claimed before its
/// call is decided, so a retry gets the first outcome without a second
/// decision, a duplicate while it is decided is refused, another call with
/// the key conflicts.
#[test]
fn idempotency_claims_settle_once() {
    use charter_core::idempotency::{claim, complete, Claim, Outcome};
    let dir = tempfile::tempdir().expect("test setup");
    for s in stores(&dir) {
        let i = s.idempotency();
        let Claim::Mine(mine) = claim(i.as_ref(), "k", "h1", 100, 0).expect("test setup") else {
            panic!("{s:?}: a new key is the caller's")
        };
        for hash in ["h1", "h2"] {
            let e = claim(i.as_ref(), "k", hash, 100, 1).unwrap_err();
            assert_eq!(e.code(), ErrorCode::IdempotencyConflict, "{s:?}");
        }
        let p = Outcome::Permit("t.o.k".into());
        complete(i.as_ref(), "k", &mine, &p, 100).expect("test setup");
        assert_eq!(
            claim(i.as_ref(), "k", "h1", 100, 2).expect("test setup"),
            Claim::Settled(p.clone()),
            "{s:?}"
        );
        assert_eq!(
            complete(i.as_ref(), "k", &mine, &p, 100)
                .unwrap_err()
                .code(),
            ErrorCode::StoreUnavailable
        );
    }
}

fn spend(counter: &str, start: i64, amount: u64, limit: u64) -> Spend {
    Spend {
        counter: counter.into(),
        window_start: start,
        window_end: start + 60,
        amount,
        limit,
    }
}

#[test]
fn budgets_are_all_or_nothing() {
    let dir = tempfile::tempdir().expect("test setup");
    for s in stores(&dir) {
        let b = s.budgets();
        b.spend(&[spend("a", 0, 3, 5), spend("b", 0, 1, 1)], 1)
            .expect("test setup");
        let e = b
            .spend(&[spend("a", 0, 1, 5), spend("b", 0, 1, 1)], 2)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::BudgetExhausted, "{s:?}");
        assert_eq!(e.exhausted_index(), Some(1), "{s:?}");
        assert!(
            e.error().message().contains("budget b has 0 of 1 left"),
            "{e}"
        );
        // Which spend ran out is reported by position, whatever order a
        // store checks them in; a counter named twice is its first position.
        let e = b
            .spend(
                &[
                    spend("z", 0, 1, 9),
                    spend("a", 0, 2, 5),
                    spend("a", 0, 2, 5),
                ],
                2,
            )
            .unwrap_err();
        assert_eq!(e.exhausted_index(), Some(1), "{s:?}: {e}");
        // Neither failed call spent anything: "z" still has all 9.
        b.spend(&[spend("z", 0, 9, 9)], 3).expect("test setup");
        b.spend(&[spend("a", 0, 2, 5)], 3).expect("test setup");
        assert_eq!(
            b.spend(&[spend("a", 0, 1, 5)], 4).unwrap_err().code(),
            ErrorCode::BudgetExhausted
        );
        // The next window starts empty; the old one is pruned.
        b.spend(&[spend("a", 60, 5, 5)], 61).expect("test setup");
        let e = b
            .spend(&[spend("x", 0, u64::MAX, u64::MAX)], 61)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::LimitExceeded, "{s:?}");
        assert_eq!(e.exhausted_index(), None);
    }
}

fn input(ts: i64, n: u64) -> ReceiptInput {
    ReceiptInput::from_decision(
        ts,
        "agent",
        "act",
        &serde_json::json!({ "n": n }),
        &Decision::allow(),
    )
    .expect("test setup")
}

#[test]
fn audit_logs_chain_and_export() {
    let dir = tempfile::tempdir().expect("test setup");
    for s in stores(&dir) {
        let log = s.audit_log("main", key(1)).expect("test setup");
        assert_eq!(log.len().expect("test setup"), 0);
        assert!(log.head().expect("test setup").is_none());
        let mut hashes = Vec::new();
        for n in 0..5 {
            // Time never goes backwards: receipt 3 is recorded at the previous ts.
            let ts = if n == 3 { 1 } else { 100 + n as i64 };
            let r = log.append(input(ts, n)).expect("test setup");
            assert_eq!(r.seq(), n);
            if n == 3 {
                assert_eq!(r.ts(), 102);
            }
            hashes.push(r.hash().to_string());
        }
        assert_eq!(log.len().expect("test setup"), 5);
        assert_eq!(
            log.head().expect("test setup").expect("test setup").hash(),
            hashes[4]
        );
        let got: Vec<String> = log
            .receipts(1..3)
            .expect("test setup")
            .iter()
            .map(|r| r.hash().to_string())
            .collect();
        assert_eq!(got, hashes[1..3]);
        assert_eq!(
            log.receipts(0..6).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
        let bundle = log.export_bundle(0..5).expect("test setup").to_json();
        let trusted = KeySet::from_keys([key(1).public_key()]).expect("test setup");
        assert_eq!(
            verify_bundle(&bundle, &trusted).expect("test setup").count,
            5
        );
        // Another log name is another chain.
        let other = s.audit_log("other", key(1)).expect("test setup");
        assert_eq!(other.len().expect("test setup"), 0);
    }
}

#[test]
fn a_reopened_file_log_continues_its_chain_with_another_writer_key() {
    let dir = tempfile::tempdir().expect("test setup");
    let url = format!("sqlite://{}", dir.path().join("a.db").display());
    let first: Arc<dyn AuditLog> = open(&url)
        .expect("test setup")
        .audit_log("main", key(1))
        .expect("test setup");
    first.append(input(1, 0)).expect("test setup");
    let second = open(&url)
        .expect("test setup")
        .audit_log("main", key(2))
        .expect("test setup");
    let r = second.append(input(2, 1)).expect("test setup");
    assert_eq!(r.seq(), 1);
    // The bundle names both writers' keys; an auditor trusting both verifies it.
    let bundle = first.export_bundle(0..2).expect("test setup").to_json();
    let trusted =
        KeySet::from_keys([key(1).public_key(), key(2).public_key()]).expect("test setup");
    assert_eq!(
        verify_bundle(&bundle, &trusted).expect("test setup").count,
        2
    );
    let only_one = KeySet::from_keys([key(1).public_key()]).expect("test setup");
    assert!(verify_bundle(&bundle, &only_one).is_err());
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().expect("test setup");
    let path = dir.path().join("new.db");
    let url = format!("sqlite://{}", path.display());
    drop(open(&url).expect("test setup"));
    let conn = rusqlite::Connection::open(&path).expect("test setup");
    conn.execute("UPDATE charter_schema SET version = 99", [])
        .expect("test setup");
    drop(conn);
    let e = open(&url).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnsupportedVersion);
    assert!(e.message().contains("version 99"), "{e}");
}

#[test]
fn an_unreachable_database_is_store_unavailable() {
    let dir = tempfile::tempdir().expect("test setup");
    let url = format!("sqlite://{}/no/such/dir/x.db", dir.path().display());
    assert_eq!(open(&url).unwrap_err().code(), ErrorCode::StoreUnavailable);
}

#[test]
fn relative_paths_open() {
    let dir = tempfile::tempdir().expect("test setup");
    let rel = pathdiff(dir.path());
    let s = open(&format!("sqlite://{rel}/rel.db")).expect("test setup");
    s.replay().check_and_record("k", 10, 0).expect("test setup");
    assert!(dir.path().join("rel.db").exists());
}

/// `dir` relative to the current directory (tests run in the crate dir).
fn pathdiff(dir: &std::path::Path) -> String {
    let cwd = std::env::current_dir().expect("test setup");
    let up = cwd.components().count() - 1;
    let mut s = "../".repeat(up);
    s.push_str(dir.to_str().expect("test setup").trim_start_matches('/'));
    s
}
