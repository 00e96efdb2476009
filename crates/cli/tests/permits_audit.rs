//! End-to-end tests of `keys jwks`, `permit issue|verify`, `guard protect`,
//! `audit append|export|verify|repair` and `demo`, through the built binary.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failure fails the test that called it"
)]

use std::path::Path;

use serde_json::Value;

mod common;
use common::{charter_in, Run, Scratch};

struct Env(Scratch);

impl std::ops::Deref for Env {
    type Target = Scratch;
    fn deref(&self) -> &Scratch {
        &self.0
    }
}

const SMALL: &str = r#"{"amount_cents": 1999, "currency": "USD"}"#;
const LARGE: &str = r#"{"amount_cents": 7500, "currency": "USD"}"#;
const LIMIT: &str = r#"args.amount_cents <= 5000 && args.currency == "USD""#;

impl Env {
    fn new() -> Env {
        let env = Env(Scratch::new());
        env.ok(&["keygen", "root", "--out", "root.json"]);
        for key in ["permits.json", "audit-key.json", "bot.json"] {
            env.ok(&["keygen", "signing", "--out", key]);
        }
        env
    }

    fn kid(&self, key: &str) -> String {
        json(&std::fs::read_to_string(self.path(key)).unwrap())["kid"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn cap(&self) -> String {
        self.ok(&[
            "issue",
            "--root-key",
            "root.json",
            "--agent",
            "shopper",
            "--action",
            "payments.refund",
            "--expires-in",
            "1h",
            "--caveat",
            LIMIT,
        ])
    }

    fn protect(&self, token: &str, args: &str, extra: &[&str]) -> Run {
        let mut argv = vec![
            "guard",
            "protect",
            token,
            "--root-key",
            "root.json",
            "--permit-key",
            "permits.json",
            "--log",
            "audit.log",
            "--log-key",
            "audit-key.json",
            "--audience",
            "payments",
            "--agent",
            "shopper",
            "--action",
            "payments.refund",
            "--args",
            args,
        ];
        argv.extend_from_slice(extra);
        self.run(&argv)
    }

    fn verify_permit(&self, token: &str, args: &str, extra: &[&str]) -> Run {
        let mut argv = vec![
            "permit",
            "verify",
            token,
            "--jwks",
            "jwks.json",
            "--audience",
            "payments",
            "--action",
            "payments.refund",
            "--args",
            args,
        ];
        argv.extend_from_slice(extra);
        self.run(&argv)
    }

    fn jwks(&self, key: &str, out: &str) {
        let jwks = self.ok(&["keys", "jwks", "--signing-key", key]);
        std::fs::write(self.path(out), jwks).unwrap();
    }

    /// `charter audit append` of a payments.refund call by shopper to
    /// audit.log, with `extra` arguments (args, decision, permit...).
    fn append(&self, extra: &[&str]) -> Run {
        let mut argv = vec![
            "audit",
            "append",
            "--log",
            "audit.log",
            "--signing-key",
            "audit-key.json",
            "--agent",
            "shopper",
            "--action",
            "payments.refund",
        ];
        argv.extend_from_slice(extra);
        self.run(&argv)
    }

    /// Writes audit-jwks.json (the audit key's public JWKS) and exports the
    /// whole log to bundle.json; returns what `audit export` printed.
    fn export_bundle(&self) -> String {
        self.jwks("audit-key.json", "audit-jwks.json");
        self.ok(&[
            "audit",
            "export",
            "--log",
            "audit.log",
            "--signing-key",
            "audit-key.json",
            "--out",
            "bundle.json",
        ])
    }

    fn log_lines(&self) -> Vec<Value> {
        std::fs::read_to_string(self.path("audit.log"))
            .unwrap()
            .lines()
            .map(json)
            .collect()
    }
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    charter_in(dir, args, None)
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn permit_issue_verify_and_replay_db() {
    let env = Env::new();
    env.jwks("permits.json", "jwks.json");
    let jwks = json(&std::fs::read_to_string(env.path("jwks.json")).unwrap());
    assert_eq!(jwks["keys"][0]["kid"], env.kid("permits.json").as_str());
    assert!(jwks["keys"][0].get("d").is_none(), "public keys only");

    let issue = |extra: &[&str]| {
        let mut argv = vec![
            "permit",
            "issue",
            "--signing-key",
            "permits.json",
            "--issuer",
            "gateway",
            "--agent",
            "shopper",
            "--audience",
            "payments",
            "--action",
            "payments.refund",
            "--args",
            SMALL,
            "--capability-id",
            "cap-1",
        ];
        argv.extend_from_slice(extra);
        env.ok(&argv)
    };
    let token = issue(&["--idempotency-key", "call-1"]);
    assert_eq!(token.split('.').count(), 3, "a JWS compact token: {token}");

    // --replay-db FILE: the deprecated, hidden spelling of --store sqlite://FILE.
    let r = env.verify_permit(&token, SMALL, &["--replay-db", "seen.db"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("VALID"), "{}", r.stdout);
    assert!(r.stdout.contains("call-1"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("--replay-db FILE is deprecated; use --store sqlite://seen.db"),
        "{}",
        r.stderr
    );
    let db = std::fs::read(env.path("seen.db")).unwrap();
    assert!(db.starts_with(b"SQLite format 3\0"), "a SQLite store");

    // A second process with the same store, named the new way, refuses it.
    let r = env.verify_permit(&token, SMALL, &["--store", "sqlite://seen.db", "--json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(json(&r.stdout)["code"], "replayed");
    // And the old spelling too.
    let r = env.verify_permit(&token, SMALL, &["--replay-db", "seen.db", "--json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let out = json(&r.stdout);
    assert_eq!(out["valid"], false);
    assert_eq!(out["code"], "replayed");
    // Without a replay db a run cannot know (the help says so).
    let r = env.verify_permit(&token, SMALL, &["--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r.stdout)["claims"]["sub"], "shopper");

    // Other arguments, another audience, a later time, an unknown key: refused.
    let r = env.verify_permit(&token, LARGE, &[]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("args_mismatch"), "{}", r.stdout);
    let r = env.run(&[
        "permit",
        "verify",
        &token,
        "--jwks",
        "jwks.json",
        "--audience",
        "orders",
        "--action",
        "payments.refund",
        "--args",
        SMALL,
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("audience_mismatch"), "{}", r.stdout);
    let r = env.verify_permit(&token, SMALL, &["--now", "4102444800"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("expired"), "{}", r.stdout);
    env.jwks("bot.json", "other.json");
    let r = env.run(&[
        "permit",
        "verify",
        &token,
        "--jwks",
        "other.json",
        "--audience",
        "payments",
        "--action",
        "payments.refund",
        "--args",
        SMALL,
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("unknown_key"), "{}", r.stdout);

    // Errors are exit 2 with a stable code.
    let r = env.verify_permit("not-a-permit", SMALL, &[]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.starts_with("error[malformed]: "), "{}", r.stderr);
    // A file that is no SQLite database (an older release's replay file, or
    // anything else) fails closed, naming what to do, and is left alone.
    std::fs::write(env.path("bad.db"), "permit:x 1\nnonsense\n").unwrap();
    let r = env.verify_permit(&issue(&[]), SMALL, &["--replay-db", "bad.db"]);
    assert_eq!(r.code, 2, "a damaged replay db fails closed: {}", r.stdout);
    assert!(r.stderr.contains("not a SQLite database"), "{}", r.stderr);
    let r = env.verify_permit(&issue(&[]), SMALL, &["--store", "sqlite://bad.db"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.starts_with("error[io]: "), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(env.path("bad.db")).unwrap(),
        "permit:x 1\nnonsense\n"
    );
    let r = env.run(&[
        "permit",
        "issue",
        "--signing-key",
        "permits.json",
        "--issuer",
        "g",
        "--agent",
        "a",
        "--audience",
        "b",
        "--action",
        "c",
        "--args",
        "{}",
        "--capability-id",
        "d",
        "--ttl",
        "7200",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error[invalid_argument]: "),
        "{}",
        r.stderr
    );
}

/// `guard protect --replay-db FILE` is `--store sqlite://FILE`: the state of
/// one run (here an idempotency key) is the state of the next, whichever
/// spelling names it; a replay file in the old line format is refused.
#[test]
fn guard_protect_replay_db_is_the_sqlite_store() {
    let env = Env::new();
    let cap = env.cap();
    let first = env.protect(
        &cap,
        SMALL,
        &["--idempotency-key", "k", "--replay-db", "gw.db"],
    );
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert!(first.stderr.contains("deprecated"), "{}", first.stderr);
    for extra in [["--replay-db", "gw.db"], ["--store", "sqlite://gw.db"]] {
        let mut argv = vec!["--idempotency-key", "k"];
        argv.extend_from_slice(&extra);
        let again = env.protect(&cap, SMALL, &argv);
        assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
        assert_eq!(again.stdout, first.stdout, "{extra:?}: the same permit");
    }
    // Without the store, the key means nothing across runs: a new permit.
    let other = env.protect(&cap, SMALL, &["--idempotency-key", "k"]);
    assert_eq!(other.code, 0, "{}", other.stderr);
    assert_ne!(other.stdout, first.stdout);
    // Both spellings at once are refused by the parser.
    let both = env.protect(
        &cap,
        SMALL,
        &["--replay-db", "gw.db", "--store", "sqlite://gw.db"],
    );
    assert_eq!(both.code, 2, "{}", both.stderr);
    // An older release's line-format replay file: refused, not reinterpreted.
    std::fs::write(env.path("old.db"), "permit:abc 1767225690\n").unwrap();
    let old = env.protect(&cap, SMALL, &["--replay-db", "old.db"]);
    assert_eq!(old.code, 2, "{}{}", old.stdout, old.stderr);
    assert!(
        old.stderr.contains("error[invalid_argument]"),
        "{}",
        old.stderr
    );
    assert!(
        old.stderr.contains("not a SQLite database"),
        "{}",
        old.stderr
    );
    assert_eq!(
        std::fs::read_to_string(env.path("old.db")).unwrap(),
        "permit:abc 1767225690\n",
        "left as it was"
    );
    // The alias is hidden from the help.
    let help = env.run(&["guard", "protect", "--help"]);
    assert!(!help.stdout.contains("--replay-db"), "{}", help.stdout);
}

#[test]
fn guard_protect_permits_denies_and_records_every_decision() {
    let env = Env::new();
    env.jwks("permits.json", "jwks.json");
    let cap = env.cap();

    let r = env.protect(&cap, SMALL, &["--idempotency-key", "call-1"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let permit = r.stdout.trim().to_string();
    assert!(r.stderr.contains("receipt 0"), "{}", r.stderr);
    let r = env.verify_permit(&permit, SMALL, &["--replay-db", "seen.db"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    let r = env.protect(&cap, LARGE, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("DENIED"), "{}", r.stdout);
    assert!(
        r.stdout.contains("caveat_failed (caveat 3)"),
        "{}",
        r.stdout
    );

    let r = env.protect(&cap, LARGE, &["--json"]);
    assert_eq!(r.code, 1);
    let out = json(&r.stdout);
    assert_eq!(out["allowed"], false);
    assert_eq!(out["reasons"][0]["code"], "caveat_failed");
    assert_eq!(out["receipt"]["seq"], 2);

    // A token that does not parse is a recorded denial, not an unrecorded error.
    let r = env.protect("garbage", SMALL, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("malformed"), "{}", r.stdout);

    let log = env.log_lines();
    let decisions: Vec<&str> = log
        .iter()
        .map(|r| r["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["allow", "deny", "deny", "deny"]);
    let claims = json(&env.verify_permit(&permit, SMALL, &["--json"]).stdout)["claims"].clone();
    assert_eq!(log[0]["permit"], claims["jti"]);
    assert_eq!(claims["idem"], "call-1");
    assert_eq!(log[3]["cap"], Value::Null);

    // Holder-bound: a proof is needed, and with --replay-db it works once.
    let bound = env.ok(&["attenuate", &cap, "--holder", &env.kid("bot.json")]);
    let r = env.protect(&bound, SMALL, &[]);
    assert_eq!(r.code, 1, "no proof, no permit: {}", r.stdout);
    let proof = env.ok(&[
        "prove",
        &bound,
        "--key",
        "bot.json",
        "--audience",
        "payments",
        "--agent",
        "shopper",
        "--action",
        "payments.refund",
        "--args",
        SMALL,
    ]);
    let with_proof = ["--proof", proof.as_str(), "--replay-db", "gateway.db"];
    let r = env.protect(&bound, SMALL, &with_proof);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = env.protect(&bound, SMALL, &with_proof);
    assert_eq!(r.code, 1, "a replayed proof is refused: {}", r.stdout);
    assert!(
        r.stdout.contains("proof_invalid") || r.stdout.contains("replayed"),
        "{}",
        r.stdout
    );
    assert_eq!(env.log_lines().len(), 7);

    // Unusable keys are errors (exit 2) and nothing is recorded.
    let r = env.run(&[
        "guard",
        "protect",
        &cap,
        "--root-key",
        "root.json",
        "--permit-key",
        "root.json",
        "--log",
        "audit.log",
        "--log-key",
        "audit-key.json",
        "--audience",
        "payments",
        "--agent",
        "shopper",
        "--action",
        "payments.refund",
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(env.log_lines().len(), 7);
}

#[test]
fn audit_append_export_verify_and_tamper() {
    let env = Env::new();
    let r = env.append(&["--args", SMALL, "--decision", "allow", "--permit", "jti-1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("appended receipt 0 (allow)"),
        "{}",
        r.stdout
    );
    let r = env.append(&[
        "--args",
        LARGE,
        "--decision",
        "deny",
        "--reason",
        "caveat_failed:refunds are limited to 50.00 USD",
        "--capability-id",
        "cap-1",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let receipt = json(&r.stdout);
    assert_eq!(receipt["seq"], 1);
    assert_eq!(receipt["reasons"][0]["code"], "caveat_failed");
    let r = env.append(&["--args", SMALL, "--decision", "allow"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    for bad in [
        &["--args", SMALL, "--decision", "deny"][..],
        &[
            "--args",
            SMALL,
            "--decision",
            "allow",
            "--reason",
            "caveat_failed:x",
        ],
        &[
            "--args",
            SMALL,
            "--decision",
            "deny",
            "--reason",
            "no_such_code:x",
        ],
        &["--args", "{\"a\":1,\"a\":2}", "--decision", "allow"],
    ] {
        let r = env.append(bad);
        assert_eq!(r.code, 2, "{bad:?}: {}", r.stdout);
        assert!(r.stderr.starts_with("error["), "{}", r.stderr);
    }
    assert_eq!(env.log_lines().len(), 3);

    let out = env.export_bundle();
    assert!(out.contains("exported 3 receipts (seq 0 to 2)"), "{out}");
    let r = env.run(&[
        "audit",
        "verify",
        "bundle.json",
        "--jwks",
        "audit-jwks.json",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("VERIFIED: 3 receipts (seq 0 to 2)"),
        "{}",
        r.stdout
    );
    let report = json(&env.ok(&[
        "audit",
        "verify",
        "bundle.json",
        "--jwks",
        "audit-jwks.json",
        "--json",
    ]));
    assert_eq!(report["count"], 3);
    assert_eq!(report["last_seq"], 2);
    assert!(report["last_hash"].is_string(), "{report}");

    // Edit the recorded reason of receipt 1: still canonical JSON, but it no longer verifies.
    let bundle = std::fs::read_to_string(env.path("bundle.json")).unwrap();
    let tampered = bundle.replace("limited to 50.00 USD", "limited to 90.00 USD");
    assert_ne!(tampered, bundle);
    std::fs::write(env.path("tampered.json"), &tampered).unwrap();
    let r = env.run(&[
        "audit",
        "verify",
        "tampered.json",
        "--jwks",
        "audit-jwks.json",
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("REJECTED: receipt 1 (seq 1)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("bad_signature"), "{}", r.stdout);

    // Merely pretty-printed (intact, not canonical): not REJECTED (which means
    // tampering), but an error of its own naming the command that fixes it.
    let pretty = serde_json::to_string_pretty(&json(&bundle)).unwrap();
    std::fs::write(env.path("pretty.json"), &pretty).unwrap();
    let r = env.run(&[
        "audit",
        "verify",
        "pretty.json",
        "--jwks",
        "audit-jwks.json",
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("REJECTED"), "{}", r.stdout);
    assert!(
        r.stderr.starts_with("error[not_canonical]: "),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("charter audit canonicalize"),
        "{}",
        r.stderr
    );
    // Re-canonicalized, it verifies; to stdout and to a file.
    let canonical = env.ok(&["audit", "canonicalize", "pretty.json"]);
    assert_eq!(canonical, bundle.trim_end());
    let r = env.run(&[
        "audit",
        "canonicalize",
        "pretty.json",
        "--out",
        "pretty.json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("not verified"), "{}", r.stderr);
    let r = env.run(&[
        "audit",
        "verify",
        "pretty.json",
        "--jwks",
        "audit-jwks.json",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // Canonicalizing does not launder tampering: the result still fails verification.
    let pretty_tampered = serde_json::to_string_pretty(&json(&tampered)).unwrap();
    let r = env.run_stdin(&["audit", "canonicalize", "-"], &pretty_tampered);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = env.run_stdin(
        &["audit", "verify", "-", "--jwks", "audit-jwks.json"],
        &r.stdout,
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("REJECTED: receipt 1"), "{}", r.stdout);
    // What is not a bundle is refused, and nothing is written.
    let r = env.run_stdin(&["audit", "canonicalize", "-"], "{\"a\": 1}");
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(r.stderr.starts_with("error[malformed]: "), "{}", r.stderr);

    // Another auditor key: rejected. An unreadable bundle: error.
    env.jwks("permits.json", "wrong.json");
    let r = env.run(&["audit", "verify", "bundle.json", "--jwks", "wrong.json"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("not trusted"), "{}", r.stdout);
    let r = env.run(&[
        "audit",
        "verify",
        "missing.json",
        "--jwks",
        "audit-jwks.json",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error[io]: "), "{}", r.stderr);

    // A partial export verifies only against the hash of the receipt before it.
    let part = env.ok(&[
        "audit",
        "export",
        "--log",
        "audit.log",
        "--signing-key",
        "audit-key.json",
        "--from",
        "1",
    ]);
    std::fs::write(env.path("part.json"), &part).unwrap();
    let r = env.run(&["audit", "verify", "part.json", "--jwks", "audit-jwks.json"]);
    assert_eq!(
        r.code, 1,
        "a bundle without its start must fail: {}",
        r.stdout
    );
    let anchor = receipt["prev"].as_str().unwrap();
    let r = env.run(&[
        "audit",
        "verify",
        "part.json",
        "--jwks",
        "audit-jwks.json",
        "--anchor",
        anchor,
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("VERIFIED: 2 receipts (seq 1 to 2)"),
        "{}",
        r.stdout
    );

    let r = env.run(&[
        "audit",
        "export",
        "--log",
        "audit.log",
        "--signing-key",
        "audit-key.json",
        "--to",
        "3",
    ]);
    assert_eq!(r.code, 2);
    let r = env.run(&[
        "audit",
        "export",
        "--log",
        "nope.log",
        "--signing-key",
        "audit-key.json",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        !env.path("nope.log").exists(),
        "export must not create a log"
    );

    // A torn last line (a crash mid-append) blocks the log until repaired.
    let mut text = std::fs::read_to_string(env.path("audit.log")).unwrap();
    text.push_str("{\"action\":\"x\"");
    std::fs::write(env.path("audit.log"), text).unwrap();
    let r = env.append(&["--args", SMALL, "--decision", "allow"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error[log_corrupt]: "), "{}", r.stderr);
    assert!(r.stderr.contains("charter audit repair"), "{}", r.stderr);
    let out = env.ok(&["audit", "repair", "--log", "audit.log"]);
    assert!(out.contains("line 4"), "{out}");
    let r = env.append(&["--args", SMALL, "--decision", "allow"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("appended receipt 3"), "{}", r.stdout);
}

#[test]
fn demo_runs_the_whole_story_and_starts_fresh() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let r = run_in(dir.path(), &["demo", "--dir", "story"]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        for needle in [
            "ALLOWED",
            "DENIED",
            "VALID",
            "replayed",
            "VERIFIED",
            "REJECTED: receipt 1",
        ] {
            assert!(r.stdout.contains(needle), "no {needle:?} in:\n{}", r.stdout);
        }
    }
    let log = std::fs::read_to_string(dir.path().join("story/audit.log")).unwrap();
    assert_eq!(log.lines().count(), 2, "a fresh log on every run");
    // The files it leaves work with the commands.
    let r = run_in(
        &dir.path().join("story"),
        &[
            "audit",
            "verify",
            "bundle.json",
            "--jwks",
            "audit-jwks.json",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    std::fs::create_dir(dir.path().join("mine")).unwrap();
    std::fs::write(dir.path().join("mine/notes.txt"), "keep me").unwrap();
    let r = run_in(dir.path(), &["demo", "--dir", "mine"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("refusing to clear"), "{}", r.stderr);
    assert!(dir.path().join("mine/notes.txt").exists());
}

#[test]
fn new_commands_have_help_with_examples() {
    let dir = tempfile::tempdir().unwrap();
    for sub in [
        &["keys", "jwks"][..],
        &["permit", "issue"],
        &["permit", "verify"],
        &["audit", "append"],
        &["audit", "export"],
        &["audit", "verify"],
        &["audit", "canonicalize"],
        &["audit", "repair"],
        &["guard", "protect"],
        &["demo"],
    ] {
        let mut argv = sub.to_vec();
        argv.push("--help");
        let r = run_in(dir.path(), &argv);
        assert_eq!(r.code, 0, "{sub:?}");
        assert!(
            r.stdout.contains("Example"),
            "{sub:?} --help has no example"
        );
    }
    let r = run_in(dir.path(), &["permit", "verify", "--help"]);
    assert!(
        r.stdout.contains("cannot be detected across invocations"),
        "{}",
        r.stdout
    );
}

#[test]
fn guard_and_audit_output_escape_outside_text() {
    let env = Env::new();
    let forging = "args.amount_cents <= 10 && \"\"\"\nALLOWED\n\u{1b}[2K\"\"\" != \"\"";
    let token = env.ok(&["attenuate", &env.cap(), "--caveat", forging]);
    let r = env.protect(&token, SMALL, &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("DENIED\n"), "{:?}", r.stdout);
    assert!(
        !r.stdout.contains('\u{1b}') && !r.stdout.lines().any(|l| l.starts_with("ALLOWED")),
        "{:?}",
        r.stdout
    );
    assert!(
        r.stdout.contains("\\nALLOWED\\n\\u{1b}[2K"),
        "{:?}",
        r.stdout
    );
    // The receipt keeps the exact text; a rejected bundle's message is escaped.
    env.export_bundle();
    let bundle = std::fs::read_to_string(env.path("bundle.json")).unwrap();
    let tampered = bundle.replacen("\"seq\":0", "\"seq\":0,\"x\\n\\u001b[2KALLOWED\":1", 1);
    std::fs::write(env.path("tampered.json"), tampered).unwrap();
    let r = env.run(&[
        "audit",
        "verify",
        "tampered.json",
        "--jwks",
        "audit-jwks.json",
    ]);
    assert_ne!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        !all.contains('\u{1b}') && !all.lines().any(|l| l.starts_with("ALLOWED")),
        "{all:?}"
    );
}

/// Twenty `audit append` processes racing on one log: one unbroken chain, and
/// every receipt a process acknowledged is in it, unchanged, at its seq.
#[test]
fn concurrent_appends_from_many_processes_keep_one_chain() {
    let env = Env::new();
    let n = 20;
    let acked: Vec<Value> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..n)
            .map(|i| {
                let env = &env;
                s.spawn(move || {
                    let jti = format!("jti-{i}");
                    let r = env.append(&[
                        "--args",
                        SMALL,
                        "--decision",
                        "allow",
                        "--permit",
                        &jti,
                        "--json",
                    ]);
                    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
                    json(&r.stdout)
                })
            })
            .collect();
        runs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let lines = env.log_lines();
    assert_eq!(lines.len(), n);
    for r in &acked {
        let seq = r["seq"].as_u64().unwrap() as usize;
        assert_eq!(
            &lines[seq], r,
            "acknowledged receipt {seq} is in the log as written"
        );
    }
    env.export_bundle();
    let out = env.ok(&[
        "audit",
        "verify",
        "bundle.json",
        "--jwks",
        "audit-jwks.json",
    ]);
    assert!(out.contains("20"), "{out}");
}

/// `charter approve` shows the call and signs only when confirmed; `check`
/// and `guard protect` count `--approval`s, and the receipt names who approved.
#[test]
fn approvals_from_approve_to_receipt() {
    let env = Env::new();
    for key in ["alice.json", "bob.json", "carol.json"] {
        env.ok(&["keygen", "signing", "--out", key]);
    }
    let caveat = format!(
        "approval(2, [\"{}\", \"{}\", \"{}\"], args.amount_cents > 5000)",
        env.kid("alice.json"),
        env.kid("bob.json"),
        env.kid("carol.json")
    );
    let cap = env.ok(&[
        "issue",
        "--root-key",
        "root.json",
        "--agent",
        "shopper",
        "--action",
        "payments.refund",
        "--expires-in",
        "1h",
        "--caveat",
        &caveat,
    ]);
    let approve = |key: &str, args: &str, extra: &[&str]| {
        let mut argv = vec![
            "approve",
            &cap,
            "--key",
            key,
            "--audience",
            "payments",
            "--action",
            "payments.refund",
            "--args",
            args,
        ];
        argv.extend_from_slice(extra);
        env.run(&argv)
    };
    // Not a terminal and no --yes: the call is shown, nothing is signed.
    let r = approve("alice.json", LARGE, &[]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    for shown in [
        "You are approving this call:",
        "payments.refund",
        "\"amount_cents\": 7500",
        "issued to:   \"shopper\"",
        "audience:    payments",
        "pass --yes",
    ] {
        assert!(r.stderr.contains(shown), "{shown}: {}", r.stderr);
    }
    let alice = approve("alice.json", LARGE, &["--yes"]);
    assert_eq!(alice.code, 0, "{}", alice.stderr);
    let alice = alice.stdout.trim().to_string();
    let bob = approve("bob.json", LARGE, &["--yes", "--expires-in", "5m"])
        .stdout
        .trim()
        .to_string();
    assert!(approve("bob.json", LARGE, &["--yes", "--expires-in", "2d"]).code == 2);
    let check = |extra: &[&str]| {
        let mut argv = vec![
            "check",
            &cap,
            "--root-key",
            "root.json",
            "--audience",
            "payments",
            "--agent",
            "shopper",
            "--action",
            "payments.refund",
            "--args",
            LARGE,
            "--json",
        ];
        argv.extend_from_slice(extra);
        env.run(&argv)
    };
    let r = check(&["--approval", &alice]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let d = json(&r.stdout);
    assert_eq!(d["reasons"][0]["code"], "approval_required");
    assert_eq!(d["reasons"][0]["approval"]["required"], 2);
    assert_eq!(d["reasons"][0]["approval"]["valid"], 1);
    assert_eq!(
        d["reasons"][0]["approval"]["approvers"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // The same approver twice still counts once.
    assert_eq!(check(&["--approval", &alice, "--approval", &alice]).code, 1);
    let r = check(&["--approval", &alice, "--approval", &bob]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // A small refund needs none.
    let small = env.protect(&cap, SMALL, &[]);
    assert_eq!(small.code, 0, "{}{}", small.stdout, small.stderr);
    let r = env.protect(&cap, LARGE, &["--approval", &alice]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.starts_with("DENIED: APPROVAL REQUIRED"),
        "{}",
        r.stdout
    );
    let r = env.protect(&cap, LARGE, &["--approval", &alice, "--approval", &bob]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let lines = env.log_lines();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].get("approvers").is_none(), "{}", lines[0]);
    assert!(lines[1].get("approvers").is_none(), "{}", lines[1]);
    let mut want = vec![env.kid("alice.json"), env.kid("bob.json")];
    want.sort();
    assert_eq!(lines[2]["approvers"], serde_json::json!(want));
    // A retry under the same idempotency key, from a SQLite store across
    // runs, is the first call's approval_required with the same need.
    let idem = [
        "--approval",
        &alice,
        "--idempotency-key",
        "refund-1",
        "--store",
        "sqlite://gw.db",
        "--json",
    ];
    let first = env.protect(&cap, LARGE, &idem);
    let again = env.protect(&cap, LARGE, &idem);
    assert_eq!(first.code, 1, "{}{}", first.stdout, first.stderr);
    assert_eq!(again.code, 1, "{}{}", again.stdout, again.stderr);
    let (first, again) = (json(&first.stdout), json(&again.stdout));
    assert_eq!(again["code"], "approval_required", "{again}");
    assert_eq!(first["reasons"][0]["approval"]["valid"], 1, "{first}");
    assert_eq!(again["reasons"], first["reasons"]);
}
