//! Every store behaves as the core's memory store does: the same answers,
//! the same codes, whatever the engine (memory, SQLite in memory, a SQLite file).

use std::sync::Arc;

use charter_core::audit::AuditLog;
use charter_core::{
    b64, verify_bundle, Decision, ErrorCode, KeySet, ReceiptInput, SigningKey, Spend,
};
use charter_store::{open, Store};

fn stores(dir: &tempfile::TempDir) -> Vec<Store> {
    let file = dir.path().join("charter.db");
    vec![
        open("memory:").expect("test setup"),
        open("sqlite::memory:").expect("test setup"),
        open(&format!("sqlite://{}", file.display())).expect("test setup"),
    ]
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
        assert!(e.message().contains("budget b has 0 of 1 left"), "{e}");
        b.spend(&[spend("a", 0, 2, 5)], 3).expect("test setup");
        assert_eq!(
            b.spend(&[spend("a", 0, 1, 5)], 4).unwrap_err().code(),
            ErrorCode::BudgetExhausted
        );
        // The next window starts empty; the old one is pruned.
        b.spend(&[spend("a", 60, 5, 5)], 61).expect("test setup");
        assert_eq!(
            b.spend(&[spend("x", 0, u64::MAX, u64::MAX)], 61)
                .unwrap_err()
                .code(),
            ErrorCode::LimitExceeded
        );
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
