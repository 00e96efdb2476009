//! SQLite's tables stay bounded: every write deletes up to `PRUNE_BATCH`
//! expired rows (counted work, through the expiry index, no timer), so expired
//! entries never pile up, and a backlog shrinks by a known amount per write.

use charter_store::open;
use charter_store::sqlite::PRUNE_BATCH;
use rusqlite::Connection;

fn rows(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .expect("count rows")
}

#[test]
fn expired_single_use_values_do_not_pile_up() {
    let dir = tempfile::tempdir().expect("test setup");
    let path = dir.path().join("charter.db");
    let store = open(&format!("sqlite://{}", path.display())).expect("test setup");
    let replay = store.replay();
    let conn = Connection::open(&path).expect("test setup");
    // Each value expires one second after its use: by the next write every
    // earlier row is expired, so at most the last one or two remain.
    let mut most = 0;
    for i in 0..1_500i64 {
        replay
            .check_and_record(&format!("permit:{i}"), i, i)
            .expect("a new value");
        if i % 100 == 0 {
            most = most.max(rows(&conn, "charter_replay"));
        }
    }
    assert!(most <= 2, "expired rows piled up: {most}");
    assert!(rows(&conn, "charter_replay") <= 2);
}

#[test]
fn a_backlog_of_expired_rows_shrinks_by_a_batch_per_write() {
    let dir = tempfile::tempdir().expect("test setup");
    let path = dir.path().join("charter.db");
    let store = open(&format!("sqlite://{}", path.display())).expect("test setup");
    let replay = store.replay();
    let conn = Connection::open(&path).expect("test setup");
    // 1,000 values live until t=100 (nothing to prune while they live).
    let backlog = 1_000i64;
    for i in 0..backlog {
        replay
            .check_and_record(&format!("old:{i}"), 100, 0)
            .expect("test setup");
    }
    assert_eq!(rows(&conn, "charter_replay"), backlog);
    // At t=200 they are all expired: each write removes PRUNE_BATCH of them
    // and adds itself (live until t=1000).
    let mut n = 0i64;
    loop {
        let before = rows(&conn, "charter_replay");
        let old = before - n;
        if old == 0 {
            break;
        }
        assert!(n < backlog, "the backlog never drains");
        replay
            .check_and_record(&format!("new:{n}"), 1000, 200)
            .expect("test setup");
        n += 1;
        assert_eq!(
            rows(&conn, "charter_replay"),
            before - PRUNE_BATCH.min(old) + 1
        );
    }
    // Drained in ceil(backlog / PRUNE_BATCH) writes; only live rows remain.
    assert_eq!(n, (backlog + PRUNE_BATCH - 1) / PRUNE_BATCH);
    assert_eq!(rows(&conn, "charter_replay"), n);
    // Live values are never pruned: each is still refused as replayed.
    for i in 0..n {
        let e = replay
            .check_and_record(&format!("new:{i}"), 1000, 201)
            .unwrap_err();
        assert_eq!(e.code(), charter_core::ErrorCode::Replayed);
    }
}

#[test]
fn expired_idempotency_keys_and_budget_windows_do_not_pile_up() {
    let dir = tempfile::tempdir().expect("test setup");
    let path = dir.path().join("charter.db");
    let store = open(&format!("sqlite://{}", path.display())).expect("test setup");
    let (idem, budgets) = (store.idempotency(), store.budgets());
    let conn = Connection::open(&path).expect("test setup");
    for i in 0..600i64 {
        idem.put_if_absent(&format!("k{i}"), "h", "o", i, i)
            .expect("test setup");
        let spend = charter_core::Spend {
            counter: format!("c{i}"),
            window_start: i,
            window_end: i + 1,
            amount: 1,
            limit: 1,
        };
        budgets.spend(&[spend], i).expect("test setup");
    }
    assert!(rows(&conn, "charter_idempotency") <= 2);
    assert!(rows(&conn, "charter_budgets") <= 2);
}

/// The pruning deletes find expired rows through the expiry indexes: bounded
/// work per write however large the table, never a scan of it.
#[test]
fn pruning_reads_the_expiry_indexes() {
    let dir = tempfile::tempdir().expect("test setup");
    let path = dir.path().join("charter.db");
    drop(open(&format!("sqlite://{}", path.display())).expect("test setup"));
    let conn = Connection::open(&path).expect("test setup");
    for (table, column, index) in [
        ("charter_replay", "expires_at", "charter_replay_expiry"),
        (
            "charter_idempotency",
            "expires_at",
            "charter_idempotency_expiry",
        ),
        ("charter_budgets", "window_end", "charter_budgets_end"),
    ] {
        let mut st = conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN SELECT 1 FROM {table} WHERE {column} < 5 LIMIT 64"
            ))
            .expect("test setup");
        let plan: Vec<String> = st
            .query_map([], |r| r.get::<_, String>(3))
            .expect("test setup")
            .collect::<Result<_, _>>()
            .expect("test setup");
        assert!(plan.iter().any(|p| p.contains(index)), "{table}: {plan:?}");
    }
}
