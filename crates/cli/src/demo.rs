//! `charter demo`: the story of scripts/demo.sh, in process, checked step by step.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use charter_core::CallOptions;
use charter_core::{
    jcs, unix_now, verify_bundle, AuditLog, Capability, Error, ErrorCode, FileAuditLog, Guard,
    Holder, Issuer, KeySet, PermitIssuer, PermitVerifier, Request, RootKey, SigningKey, Verifier,
};
use clap::Args;
use serde_json::{json, Value};

use crate::audit::write_atomic;
use crate::keyfile::{self, io_error};
use crate::reason_line;
use crate::replaydb::FileReplayStore;

/// The file that marks a directory as made by the demo (and so safe to clear).
pub const MARKER: &str = ".charter-demo";
/// The platform's limit on refunds: 50.00 USD, in cents, as exact integers.
pub const REFUND_LIMIT: &str =
    r#"action != "payments.refund" || (args.amount_cents <= 5000 && args.currency == "USD")"#;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Where keys, the audit log and bundles go (default $CHARTER_HOME/demo, else .charter/demo).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

fn default_dir() -> PathBuf {
    match std::env::var_os("CHARTER_HOME") {
        Some(home) if !home.is_empty() => PathBuf::from(home).join("demo"),
        _ => PathBuf::from(".charter").join("demo"),
    }
}

/// Empties `dir` for a fresh run, but only when the demo made it.
fn fresh_dir(dir: &Path) -> Result<(), Error> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| io_error(dir, "read", e, ""))?
            .next()
            .is_none();
        if !empty && !dir.join(MARKER).exists() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "refusing to clear {}: it is not empty and was not made by `charter demo` \
                     (it has no {MARKER} file); pick another --dir",
                    dir.display()
                ),
            ));
        }
        std::fs::remove_dir_all(dir).map_err(|e| io_error(dir, "clear", e, ""))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, "create", e, ""))?;
    std::fs::write(
        dir.join(MARKER),
        "made by charter demo; cleared on its next run\n",
    )
    .map_err(|e| io_error(dir, "write in", e, ""))
}

/// A step that did not come out as narrated.
struct Failed(String);

impl From<Error> for Failed {
    fn from(e: Error) -> Self {
        Failed(format!("unexpected error[{}]: {}", e.code(), e.message()))
    }
}

fn step(text: &str) {
    println!("\n{text}");
}

fn detail(text: &str) {
    println!("   {text}");
}

fn short(token: &str) -> String {
    format!(
        "{}… ({} characters)",
        &token[..token.len().min(32)],
        token.len()
    )
}

pub fn run(a: DemoArgs) -> Result<ExitCode, Error> {
    let dir = a.dir.unwrap_or_else(default_dir);
    fresh_dir(&dir)?;
    match story(&dir) {
        Ok(()) => {
            println!(
                "\nDone: every step behaved as told, offline and in process. Files are in {}.",
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(Failed(why)) => {
            eprintln!("\ndemo FAILED: {why}");
            Ok(ExitCode::from(crate::EXIT_DENIED))
        }
    }
}

fn write_key(dir: &Path, name: &str, value: &Value) -> Result<(), Error> {
    keyfile::write_secret(&dir.join(name), &keyfile::render(value))
}

fn write(dir: &Path, name: &str, text: &str) -> Result<(), Error> {
    write_atomic(&dir.join(name), text)
}

fn caveat_lines(cap: &Capability, from: usize) {
    for (i, c) in cap.caveats().iter().enumerate().skip(from) {
        detail(&format!("[{i}] {c}"));
    }
}

fn story(dir: &Path) -> Result<(), Failed> {
    let now = unix_now();

    step("1. Four keys. The platform's root key mints and checks capabilities; the gateway signs\n   permits with its own key; the audit log signs receipts with another; the sub-agent\n   (refund-bot) has a key of its own.");
    let root = RootKey::generate();
    let permit_key = SigningKey::generate();
    let log_key = SigningKey::generate();
    let bot = SigningKey::generate();
    write_key(dir, "root.json", &keyfile::root_to_json(&root))?;
    write_key(dir, "permits.json", &keyfile::signing_to_json(&permit_key))?;
    write_key(dir, "audit-key.json", &keyfile::signing_to_json(&log_key))?;
    write_key(dir, "refund-bot.json", &keyfile::signing_to_json(&bot))?;
    detail("root.json, permits.json, audit-key.json, refund-bot.json (all secret, mode 0600)");

    step("2. The platform mints a capability for its shopping agent: refunds of at most 50.00 USD\n   (amounts in cents, exact integers) and reading orders, for one hour.");
    let cap = Issuer::new(root.clone())
        .issue()
        .issued_at(now)
        .agent("shopper")
        .actions(&["payments.refund", "orders.read"])
        .expires_at(now + 3600)
        .caveat(REFUND_LIMIT)
        .build()?;
    caveat_lines(&cap, 0);

    step("3. The shopping agent narrows it for its sub-agent, offline and with no key: refunds only,\n   and only for whoever holds refund-bot's key.");
    let sub = cap
        .attenuate(r#"action == "payments.refund""#)?
        .bind_holder(&bot.kid())?;
    caveat_lines(&sub, cap.caveats().len());
    write(dir, "sub-agent.cap", &format!("{}\n", sub.serialize()))?;

    let log = Arc::new(FileAuditLog::open(dir.join("audit.log"), log_key.clone())?);
    let verifier = Verifier::new([root], "payments")?
        .with_replay_store(Arc::new(FileReplayStore::new(dir.join("gateway-seen.db"))));
    let guard = Guard::new(
        verifier,
        PermitIssuer::new(permit_key.clone(), "shop-gateway"),
        log.clone(),
    );
    let holder = Holder::new(bot);

    step("4. refund-bot asks the payments gateway to refund 19.99 USD, with a proof that it holds its\n   key. The gateway checks every caveat, signs a permit for exactly this call, records it.");
    let small = Request::new(
        "shopper",
        "payments.refund",
        json!({"amount_cents": 1999, "currency": "USD", "order": "A-1001"}),
    );
    let proof = holder.prove(&sub, &small, "payments", now)?;
    let permit = guard
        .protect(
            &sub,
            &small,
            &CallOptions {
                proof: Some(proof.as_str().into()),
                ..CallOptions::at(now)
            },
        )
        .map_err(|e| {
            Failed(format!(
                "the 19.99 USD refund should be allowed: {}",
                e.message()
            ))
        })?;
    detail(&format!("ALLOWED: permit {}", short(permit.token())));

    step("5. refund-bot asks for 75.00 USD: over the platform's limit, so the gateway denies it and\n   says which caveat failed. The denial is recorded too.");
    let large = Request::new(
        "shopper",
        "payments.refund",
        json!({"amount_cents": 7500, "currency": "USD", "order": "A-1002"}),
    );
    let proof = holder.prove(&sub, &large, "payments", now)?;
    match guard.protect(
        &sub,
        &large,
        &CallOptions {
            proof: Some(proof.as_str().into()),
            ..CallOptions::at(now)
        },
    ) {
        Ok(_) => return Err(Failed("the 75.00 USD refund should be denied".into())),
        Err(e) if e.code() == ErrorCode::Denied => {
            let limit = e
                .reasons()
                .iter()
                .find(|r| r.code == ErrorCode::CaveatFailed && r.caveat_index == Some(3))
                .ok_or_else(|| {
                    Failed(format!(
                        "the denial should name the refund limit (caveat 3): {}",
                        e.message()
                    ))
                })?;
            detail(&format!("DENIED: {}", reason_line(limit)));
        }
        Err(e) => return Err(e.into()),
    }

    step("6. The payments tool verifies the permit offline, with only the gateway's public keys\n   (a JWKS), before it moves any money: signature, audience, action, exact arguments, once.");
    let jwks = KeySet::from_keys([permit_key.public_key()])?;
    write(dir, "jwks.json", &format!("{}\n", jwks.to_jwks()))?;
    let seen = dir.join("payments-seen.db");
    let tool = PermitVerifier::new(jwks.clone(), "payments")
        .with_replay_store(Arc::new(FileReplayStore::new(&seen)));
    let claims = tool
        .verify(permit.token(), "payments.refund", &small.args, now)
        .map_err(|e| Failed(format!("the permit should verify: {}", e.message())))?;
    detail(&format!(
        "VALID: {} may {} at {} (permit id {}, now spent)",
        claims.sub, claims.act, claims.aud, claims.jti
    ));

    step("7. Someone replays the same permit, even from a new process: refused, it is single-use.");
    let tool_again = PermitVerifier::new(jwks, "payments")
        .with_replay_store(Arc::new(FileReplayStore::new(&seen)));
    match tool_again.verify(permit.token(), "payments.refund", &small.args, now) {
        Err(e) if e.code() == ErrorCode::Replayed => {
            detail(&format!("REFUSED: {}: {}", e.code(), e.message()))
        }
        Err(e) => return Err(e.into()),
        Ok(_) => return Err(Failed("a replayed permit should be refused".into())),
    }

    step("8. Every decision is a signed receipt, hash-chained to the one before, in audit.log on disk.");
    let receipts = log.receipts(0..log.len()?)?;
    for r in &receipts {
        detail(&format!(
            "receipt {}: {} {} by {}{}",
            r.seq(),
            r.decision().as_str(),
            r.action(),
            r.agent(),
            r.reasons()
                .first()
                .map(|x| format!(" ({})", x.code))
                .unwrap_or_default()
        ));
    }
    if receipts.len() != 2 {
        return Err(Failed(format!(
            "audit.log should hold 2 receipts, it holds {}",
            receipts.len()
        )));
    }

    step("9. The log is exported as a bundle. An auditor verifies it offline with the log's public key:\n   nothing removed, reordered or altered.");
    let bundle = log.export_range(None, None)?.to_json();
    write(dir, "bundle.json", &format!("{bundle}\n"))?;
    let audit_keys = log.keys();
    write(
        dir,
        "audit-jwks.json",
        &format!("{}\n", audit_keys.to_jwks()),
    )?;
    let report = verify_bundle(&bundle, &audit_keys)
        .map_err(|e| Failed(format!("the bundle should verify: {}", e.message())))?;
    detail(&format!(
        "VERIFIED: {} receipts (seq {} to {}), head hash {}",
        report.count, report.first_seq, report.last_seq, report.head.last_hash
    ));

    step("10. Someone edits a copy to turn the denied refund into an allowed one. The auditor's check\n    names the altered receipt.");
    let mut doc: Value = jcs::parse(&bundle)?;
    doc["receipts"][1]["decision"] = json!("allow");
    doc["receipts"][1]["reasons"] = json!([]);
    let tampered = jcs::canonicalize(&doc)?;
    write(dir, "bundle-tampered.json", &format!("{tampered}\n"))?;
    match verify_bundle(&tampered, &audit_keys) {
        Err(e) if e.message().contains("receipt 1 ") => {
            detail(&format!("REJECTED: {}", e.message()))
        }
        Err(e) => {
            return Err(Failed(format!(
                "the rejection should name receipt 1: {}",
                e.message()
            )))
        }
        Ok(_) => return Err(Failed("a tampered bundle should be rejected".into())),
    }
    Ok(())
}
