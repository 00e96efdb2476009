//! Receipt, bundle, guard and audit-file vectors.

use std::sync::Arc;

use charter_core::audit::UNSUPPORTED_FILES;
use charter_core::CallOptions;
use charter_core::{
    jcs, AuditLog, BundleReport, Decision, ErrorCode, FileAuditLog, Guard, KeySet, MemoryAuditLog,
    PermitIssuer, Reason, Receipt, ReceiptInput, Request, Verifier,
};
use serde_json::{json, Value};

use crate::cases::{
    bytes32, expect_error, mint, root, shop_options, signing, standard_request, T0,
};

const AUDIENCE: &str = "tools.shop.example";

fn report_json(r: &BundleReport) -> Value {
    json!({"count": r.count, "first_seq": r.first_seq, "last_seq": r.last_seq, "head": serde_json::to_value(&r.head).unwrap()})
}

fn receipt_json(r: &Receipt) -> Value {
    json!({
        "hash": r.hash(), "seq": r.seq(), "prev": r.prev(), "ts": r.ts(), "agent": r.agent(), "action": r.action(),
        "args": r.args(), "cap": r.cap(), "permit": r.permit(), "decision": r.decision().as_str(),
        "reasons": serde_json::to_value(r.reasons()).unwrap(), "kid": r.kid(), "json": r.to_json(),
    })
}

/// Six decisions recorded by a log signed with "audit key".
fn sample_log() -> MemoryAuditLog {
    let log = MemoryAuditLog::new(signing("audit key"));
    let args = json!({"amount": 4200, "currency": "USD"});
    let deny = Decision::deny(vec![Reason::new(
        ErrorCode::CaveatFailed,
        Some(4),
        "caveat 4 is false: args.amount <= 1000",
    )]);
    for k in 0..6i64 {
        let d = if k % 3 == 2 {
            deny.clone()
        } else {
            Decision::allow()
        };
        let mut input =
            ReceiptInput::from_decision(T0 + 10 * k, "shopper-7", "payments.refund", &args, &d)
                .unwrap()
                .with_capability("NFBW5paneGC6sYrEt7ASsg");
        if d.allowed {
            input = input.with_permit(format!("jti-{k:04}"));
        }
        log.append(input).unwrap();
    }
    log
}

fn audit_jwks() -> String {
    KeySet::from_keys([signing("audit key").public_key()])
        .unwrap()
        .to_jwks()
}

fn edit(text: &str, f: impl FnOnce(&mut Value)) -> String {
    let mut v = jcs::parse(text).unwrap();
    f(&mut v);
    jcs::canonicalize(&v).unwrap()
}

pub fn receipts() -> Vec<Value> {
    let log = sample_log();
    let all = log.receipts(0..log.len().unwrap()).unwrap();
    let jwks = audit_jwks();
    let mut out = Vec::new();
    let mut add = |id: &str, description: &str, text: String, jwks: &str| {
        let expect = match Receipt::parse(&text)
            .and_then(|r| r.verify(&KeySet::from_jwks(jwks)?).map(|_| r))
        {
            Ok(r) => receipt_json(&r),
            Err(e) => expect_error(&e),
        };
        out.push(json!({"id": format!("receipts/{id}"), "type": "verify", "description": description, "receipt": text, "jwks": jwks, "expect": expect}));
    };
    for r in &all[..3] {
        add(
            &format!("verify-{}", r.seq()),
            "a receipt verifies and hashes to the next one's prev",
            r.to_json().to_string(),
            &jwks,
        );
    }
    let r2 = all[2].to_json();
    add(
        "deny-to-allow",
        "a denial rewritten as an allow, signature kept",
        edit(r2, |v| {
            v["decision"] = json!("allow");
            v["reasons"] = json!([]);
        }),
        &jwks,
    );
    add(
        "altered-amount",
        "the args hash changed, signature kept",
        edit(r2, |v| {
            v["args"] = json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        }),
        &jwks,
    );
    add(
        "altered-seq",
        "the sequence number changed",
        edit(r2, |v| v["seq"] = json!(7)),
        &jwks,
    );
    // A receipt of a call that needed approvals names the approvers.
    let approved = MemoryAuditLog::new(signing("audit key"));
    let mut kids: Vec<String> = (1..=2)
        .map(|n| signing(&format!("approver {n}")).kid())
        .collect();
    kids.sort();
    approved
        .append(
            ReceiptInput::from_decision(
                T0,
                "shopper-7",
                "payments.refund",
                &json!({"amount": 4200, "currency": "USD"}),
                &Decision::allow(),
            )
            .unwrap()
            .with_capability("NFBW5paneGC6sYrEt7ASsg")
            .with_permit("jti-approved")
            .with_approvers(kids.clone()),
        )
        .unwrap();
    let with_approvers = approved.head().unwrap().unwrap().to_json().to_string();
    add(
        "verify-approvers",
        "a receipt of an approved call names the approvers whose approvals counted",
        with_approvers.clone(),
        &jwks,
    );
    add(
        "approvers-stripped",
        "the approvers removed, signature kept",
        edit(&with_approvers, |v| {
            v.as_object_mut().unwrap().remove("approvers");
        }),
        &jwks,
    );
    add(
        "approvers-unsorted",
        "approvers out of order: one set has one form",
        edit(&with_approvers, |v| {
            v["approvers"] = json!([kids[1], kids[0]]);
        }),
        &jwks,
    );
    add(
        "approvers-empty",
        "an empty approvers member: a receipt with none has no member",
        edit(&with_approvers, |v| v["approvers"] = json!([])),
        &jwks,
    );
    add(
        "unknown-field",
        "an unknown field is refused",
        edit(r2, |v| v["note"] = json!("x")),
        &jwks,
    );
    add(
        "missing-field",
        "a missing field is refused",
        edit(r2, |v| {
            v.as_object_mut().unwrap().remove("permit");
        }),
        &jwks,
    );
    add(
        "version-2",
        "an unknown receipt version",
        edit(r2, |v| v["v"] = json!(2)),
        &jwks,
    );
    add(
        "noncanonical",
        "receipt text must be JCS: re-spaced is not_canonical, saying how to re-canonicalize",
        r2.replacen(',', ", ", 1),
        &jwks,
    );
    add(
        "trailing-newline",
        "a receipt with a trailing newline is not_canonical: strip it",
        format!("{r2}\n"),
        &jwks,
    );
    add(
        "duplicate-key",
        "duplicate JSON keys",
        r2.replacen('{', r#"{"seq":0,"#, 1),
        &jwks,
    );
    add(
        "foreign-key",
        "verified against a key set without the log's key",
        r2.to_string(),
        &KeySet::from_keys([signing("signing 2").public_key()])
            .unwrap()
            .to_jwks(),
    );
    // An agent name too long for a receipt: recorded cut, with the size and
    // hash of the whole name.
    let mut huge = ReceiptInput::from_decision(
        T0,
        "shopper-7 ".repeat(7_000),
        "payments.refund",
        &json!({"amount": 4200, "currency": "USD"}),
        &Decision::deny(vec![Reason::new(
            ErrorCode::CaveatFailed,
            Some(0),
            "caveat 0 is false: agent == \"shopper-7\"",
        )]),
    )
    .unwrap();
    huge.cap = Some("NFBW5paneGC6sYrEt7ASsg".into());
    let clipped = Receipt::sign(&huge, 0, charter_core::GENESIS, &signing("audit key")).unwrap();
    add(
        "clipped-agent",
        "a 70000-byte agent is recorded cut to 1024 bytes; clipped gives its size and hash",
        clipped.to_json().to_string(),
        &jwks,
    );
    add(
        "clipped-altered",
        "the size a clipped member claims is covered by the signature",
        edit(clipped.to_json(), |v| {
            v["clipped"]["agent"]["bytes"] = json!(70001)
        }),
        &jwks,
    );
    let sig = jcs::parse(r2).unwrap()["sig"].as_str().unwrap().to_string();
    let flipped = format!(
        "{}{}",
        if sig.starts_with('A') { "B" } else { "A" },
        &sig[1..]
    );
    add(
        "flipped-signature",
        "a changed signature",
        edit(r2, |v| v["sig"] = json!(flipped)),
        &jwks,
    );
    out
}

pub fn bundles() -> Vec<Value> {
    let log = sample_log();
    let full = log.export_bundle(0..6).unwrap().to_json();
    let jwks = audit_jwks();
    let mut out = Vec::new();
    let mut add = |id: &str,
                   description: &str,
                   bundle: String,
                   trusted: &str,
                   anchor: Option<String>| {
        let result = KeySet::from_jwks(trusted).and_then(|t| match &anchor {
            Some(a) => charter_core::verify_bundle_from(&bundle, &t, a),
            None => charter_core::verify_bundle(&bundle, &t),
        });
        let expect = match result {
            Ok(r) => json!({"report": report_json(&r)}),
            Err(e) => expect_error(&e),
        };
        out.push(json!({"id": format!("bundles/{id}"), "description": description, "bundle": bundle, "trusted": trusted, "anchor": anchor, "expect": expect}));
    };
    add(
        "full",
        "every receipt from genesis, verified offline",
        full.clone(),
        &jwks,
        None,
    );
    add(
        "prefix",
        "the first three receipts",
        log.export_bundle(0..3).unwrap().to_json(),
        &jwks,
        None,
    );
    let tail = log.export_bundle(2..6).unwrap().to_json();
    add(
        "cut-off",
        "leading receipts cut off: refused without an anchor",
        tail.clone(),
        &jwks,
        None,
    );
    let anchor = log.receipts(1..2).unwrap()[0].hash().to_string();
    add(
        "anchored",
        "a later run verifies against the hash of the receipt before it",
        tail.clone(),
        &jwks,
        Some(anchor),
    );
    add(
        "wrong-anchor",
        "an anchor that is not the previous receipt's hash",
        tail,
        &jwks,
        Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()),
    );
    let receipts =
        |f: &dyn Fn(&mut Vec<Value>)| edit(&full, |v| f(v["receipts"].as_array_mut().unwrap()));
    add(
        "reordered",
        "two receipts swapped",
        receipts(&|r| r.swap(1, 2)),
        &jwks,
        None,
    );
    add(
        "duplicated",
        "a receipt repeated",
        receipts(&|r| {
            let x = r[3].clone();
            r.insert(3, x);
        }),
        &jwks,
        None,
    );
    add(
        "removed",
        "a receipt removed from the middle",
        receipts(&|r| {
            r.remove(3);
        }),
        &jwks,
        None,
    );
    add(
        "truncated",
        "the last receipt removed, head kept",
        receipts(&|r| {
            r.pop();
        }),
        &jwks,
        None,
    );
    add(
        "altered",
        "a denial rewritten as an allow",
        receipts(&|r| {
            r[2]["decision"] = json!("allow");
            r[2]["reasons"] = json!([]);
        }),
        &jwks,
        None,
    );
    add(
        "foreign-key",
        "trusted keys do not include the log's",
        full.clone(),
        &KeySet::from_keys([signing("signing 2").public_key()])
            .unwrap()
            .to_jwks(),
        None,
    );
    add(
        "forged-head-count",
        "the head's count changed, signature kept",
        edit(&full, |v| v["head"]["count"] = json!(5)),
        &jwks,
        None,
    );
    add(
        "forged-head-hash",
        "the head's last hash changed, signature kept",
        edit(&full, |v| {
            v["head"]["last_hash"] = json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        }),
        &jwks,
        None,
    );
    add(
        "noncanonical",
        "bundle text must be JCS: re-spaced is not_canonical (nothing verified), not a verification failure",
        full.replacen(':', ": ", 1),
        &jwks,
        None,
    );
    add(
        "pretty-printed",
        "a pretty-printed bundle is not_canonical, with the command that re-canonicalizes it",
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(&full).unwrap()).unwrap(),
        &jwks,
        None,
    );
    add(
        "trailing-newline",
        "a bundle with a trailing newline is not_canonical: strip it",
        format!("{full}\n"),
        &jwks,
        None,
    );
    add(
        "unknown-member",
        "unknown bundle members are refused",
        edit(&full, |v| v["extra"] = json!(1)),
        &jwks,
        None,
    );
    add(
        "version-2",
        "an unknown bundle version",
        edit(&full, |v| v["v"] = json!(2)),
        &jwks,
        None,
    );
    out
}

/// A guard with fixed keys over the shop capability.
fn guard(log: Arc<MemoryAuditLog>) -> Guard {
    Guard::new(
        Verifier::new([root("root A")], AUDIENCE).unwrap(),
        PermitIssuer::new(signing("permit key"), "gateway.shop.example"),
        log,
    )
}

pub fn guards() -> Vec<Value> {
    let shop = mint("root A", &shop_options());
    let req = standard_request();
    let over = Request::new(
        "shopper-7",
        "payments.refund",
        json!({"amount": 9000, "currency": "USD"}),
    );
    let text = |r: &Request| jcs::canonicalize(&r.to_value()).unwrap();
    let mut out = Vec::new();
    let mut add = |id: &str,
                   description: &str,
                   mode: &str,
                   token: String,
                   request: String,
                   idem: Option<&str>,
                   permit_id: Option<&str>| {
        let log = Arc::new(MemoryAuditLog::new(signing("audit key")));
        let g = guard(log.clone());
        let r = Request::from_json(&request).unwrap();
        let expect = match mode {
            "protect" => match g.protect(
                &token,
                &r,
                &CallOptions {
                    idempotency_key: idem.map(Into::into),
                    permit_id: permit_id.map(Into::into),
                    ..CallOptions::at(T0 + 600)
                },
            ) {
                Ok(p) => json!({"permit": p.token()}),
                Err(e) => {
                    json!({"error": e.code().as_str(), "message": e.message(), "reasons": serde_json::to_value(e.reasons()).unwrap()})
                }
            },
            _ => {
                json!({"decision": serde_json::to_value(g.check(&token, &r, &CallOptions::at(T0 + 600))).unwrap()})
            }
        };
        let mut expect = expect;
        expect["receipt"] = json!(log.head().unwrap().map(|h| h.to_json().to_string()));
        out.push(json!({
            "id": format!("guard/{id}"), "description": description, "mode": mode,
            "roots": [hex::encode(bytes32("root A"))], "audience": AUDIENCE,
            "permit_key": hex::encode(bytes32("permit key")), "issuer": "gateway.shop.example",
            "audit_key": hex::encode(bytes32("audit key")), "token": token, "request": request, "proof": null,
            "idempotency_key": idem, "permit_id": permit_id, "now": T0 + 600, "expect": expect,
        }));
    };
    add(
        "protect-allow",
        "an allowed call gets a permit and an allow receipt",
        "protect",
        shop.serialize(),
        text(&req),
        None,
        Some("permit-0001"),
    );
    add(
        "protect-idempotency",
        "the idempotency key is carried into the permit",
        "protect",
        shop.serialize(),
        text(&req),
        Some("call-77"),
        Some("permit-0002"),
    );
    add(
        "protect-deny",
        "a call over the limit raises denied and records a deny receipt",
        "protect",
        shop.serialize(),
        text(&over),
        None,
        Some("permit-0003"),
    );
    let two_reasons = shop.attenuate("args.amount <= 1000").unwrap();
    add(
        "protect-deny-two-reasons",
        "a denial with two failing caveats names both in its message, not only the first",
        "protect",
        two_reasons.serialize(),
        text(&over),
        None,
        Some("permit-0004"),
    );
    // Approvals: 2 of 3 listed approvers for refunds over 1,000 (the
    // standard request's 4,200 is one), each approving at T0 + 590.
    let approvers: Vec<charter_core::SigningKey> =
        (1..=3).map(|n| signing(&format!("approver {n}"))).collect();
    let list = approvers
        .iter()
        .map(|k| format!("\"{}\"", k.kid()))
        .collect::<Vec<_>>()
        .join(", ");
    let needs_two = shop
        .attenuate(&format!("approval(2, [{list}], args.amount > 1000)"))
        .unwrap();
    let call = charter_core::ApprovedCall::of(&needs_two.id(), &req, AUDIENCE).unwrap();
    let approve = |k: &charter_core::SigningKey| k.approve(&call, T0 + 590, 300).unwrap();
    add(
        "protect-approval-too-few",
        "one approval where two are required: protect raises approval_required (ApprovalRequired, a Denied) with the need in its reason, and records a deny receipt",
        "protect",
        needs_two.serialize(),
        text(&req.clone().with_approvals(vec![approve(&approvers[0])])),
        None,
        Some("permit-0005"),
    );
    add(
        "protect-approval-enough",
        "two distinct listed approvers approved this exact call: a permit, and the receipt names both approvers",
        "protect",
        needs_two.serialize(),
        text(&req.clone().with_approvals(vec![
            approve(&approvers[0]),
            approve(&approvers[1]),
        ])),
        None,
        Some("permit-0006"),
    );
    add(
        "protect-malformed",
        "a token that does not parse is a recorded denial",
        "protect",
        "not a capability".into(),
        text(&req),
        None,
        None,
    );
    add(
        "protect-oversized",
        "a denial of a call naming a 70000-byte agent is recorded, the agent cut (clipped)",
        "protect",
        shop.serialize(),
        text(&Request::new(
            "shopper-7 ".repeat(7_000),
            "payments.refund",
            json!({"amount": 100, "currency": "USD"}),
        )),
        None,
        None,
    );
    add(
        "check-allow",
        "check records the decision and returns it as data",
        "check",
        shop.serialize(),
        text(&req),
        None,
        None,
    );
    add(
        "check-deny",
        "a denied check is data, and recorded",
        "check",
        shop.serialize(),
        text(&over),
        None,
        None,
    );
    out
}

pub fn audit_files() -> Vec<Value> {
    let log = sample_log();
    let all = log.receipts(0..log.len().unwrap()).unwrap();
    let lines: Vec<String> = all.iter().map(|r| format!("{}\n", r.to_json())).collect();
    // The first four, then two other receipts in place of the last two: a fork.
    let fork = MemoryAuditLog::new(signing("audit key"));
    for r in &all[..4] {
        let mut input = ReceiptInput::from_decision(
            r.ts(),
            r.agent(),
            r.action(),
            &json!({"amount": 4200, "currency": "USD"}),
            &if r.reasons().is_empty() {
                Decision::allow()
            } else {
                Decision::deny(r.reasons().to_vec())
            },
        )
        .unwrap()
        .with_capability(r.cap().unwrap());
        if let Some(p) = r.permit() {
            input = input.with_permit(p);
        }
        fork.append(input).unwrap();
    }
    assert_eq!(fork.head().unwrap().unwrap().hash(), all[3].hash());
    for k in 0..2 {
        let input = ReceiptInput::from_decision(
            T0 + 100 + k,
            "intruder",
            "payments.refund",
            &json!({"amount": 1, "currency": "USD"}),
            &Decision::allow(),
        )
        .unwrap();
        fork.append(input).unwrap();
    }
    let forked: String = fork
        .receipts(0..6)
        .unwrap()
        .iter()
        .map(|r| format!("{}\n", r.to_json()))
        .collect();
    let dir = std::env::temp_dir().join(format!("charter-vectors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut out = Vec::new();
    let mut add = |id: &str,
                   description: &str,
                   setup: &str,
                   content: String,
                   expect_head: Option<&Receipt>| {
        let path = dir.join(id);
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_dir(&path);
        match setup {
            "directory" => std::fs::create_dir_all(&path).unwrap(),
            _ => std::fs::write(&path, &content).unwrap(),
        }
        let opened = match expect_head {
            Some(h) => FileAuditLog::open_expecting(&path, signing("audit key"), &KeySet::new(), h),
            None => FileAuditLog::open(&path, signing("audit key")),
        };
        let expect = match opened {
            Ok(f) => {
                json!({"len": f.len().unwrap(), "head": f.head().unwrap().map(|h| h.hash().to_string())})
            }
            Err(e) => {
                json!({"error": e.code().as_str(), "message": e.message().replace(&path.display().to_string(), "{path}")})
            }
        };
        out.push(json!({
            "id": format!("audit-files/{id}"), "type": "open", "description": description, "setup": setup,
            "content": content, "audit_key": hex::encode(bytes32("audit key")),
            "expect_head": expect_head.map(|h| h.to_json().to_string()), "expect": expect,
            "without_files": {"error": "unsupported", "message": UNSUPPORTED_FILES},
        }));
    };
    add("empty", "a new, empty log", "file", String::new(), None);
    add(
        "six",
        "a log of six receipts reopens and continues",
        "file",
        lines.concat(),
        None,
    );
    add(
        "torn-tail",
        "a last line without its newline: a torn write, reported, not dropped",
        "file",
        format!("{}{}", lines[..5].concat(), &lines[5][..40]),
        None,
    );
    add(
        "reordered",
        "two lines swapped",
        "file",
        [lines[0].clone(), lines[2].clone(), lines[1].clone()].concat(),
        None,
    );
    add(
        "altered",
        "a line edited",
        "file",
        [lines[0].clone(), lines[1].replace("\"allow\"", "\"deny\"")].concat(),
        None,
    );
    add(
        "not-a-file",
        "the path is a directory",
        "directory",
        String::new(),
        None,
    );
    add(
        "line-too-long",
        "a line longer than any receipt is not read to its end",
        "file",
        format!(
            "{}{}\n",
            lines[0],
            "x".repeat(charter_core::audit::MAX_LOG_LINE_BYTES)
        ),
        None,
    );
    add(
        "checkpoint-kept",
        "the log still holds the receipt the caller kept (seq 3), and more",
        "file",
        lines.concat(),
        Some(&all[3]),
    );
    add(
        "checkpoint-head",
        "the kept receipt is the head",
        "file",
        lines.concat(),
        Some(&all[5]),
    );
    add(
        "cut-behind-checkpoint",
        "cut cleanly at a line boundary behind the kept head: opens without it, refused with it",
        "file",
        lines[..4].concat(),
        Some(&all[5]),
    );
    add(
        "forked-behind-checkpoint",
        "cut behind the kept head and continued: another receipt holds its seq",
        "file",
        forked,
        Some(&all[5]),
    );
    add(
        "foreign-checkpoint",
        "a kept head this log's keys do not verify",
        "file",
        lines.concat(),
        Some(
            &Receipt::sign(
                &ReceiptInput::from_decision(T0, "a", "b", &json!({}), &Decision::allow()).unwrap(),
                5,
                all[4].hash(),
                &signing("signing 2"),
            )
            .unwrap(),
        ),
    );
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// One call of a guard sequence: (permit id, request, idempotency key, now).
type SeqCall<'a> = (&'a str, &'a Request, Option<&'a str>, i64);

/// Guard sequences against one in-memory store (`contract/vectors/stateful/`):
/// the verifier's budget store and the permit issuer's idempotency store are
/// one memory store shared by every call of the sequence, so a vector shows
/// state carried from call to call (a budget running out, a key's first
/// outcome returned without spending again, a key reused for another call).
pub fn guard_sequences() -> Vec<Value> {
    let text = |r: &Request| jcs::canonicalize(&r.to_value()).unwrap();
    let req = standard_request();
    let other = Request::new(
        "shopper-7",
        "payments.refund",
        json!({"amount": 1200, "currency": "USD"}),
    );
    let mut out = Vec::new();
    let mut add = |id: &str, description: &str, budget: &str, calls: &[SeqCall<'_>]| {
        let cap = mint("root A", &shop_options()).attenuate(budget).unwrap();
        let log = Arc::new(MemoryAuditLog::new(signing("audit key")));
        let g = Guard::new(
            Verifier::new([root("root A")], AUDIENCE)
                .unwrap()
                .with_budget_store(Arc::new(charter_core::MemoryBudgetStore::new())),
            PermitIssuer::new(signing("permit key"), "gateway.shop.example")
                .with_idempotency_store(Arc::new(charter_core::MemoryIdempotencyStore::new())),
            log.clone(),
        );
        let mut results = Vec::new();
        let mut rows = Vec::new();
        for (permit_id, r, idem, now) in calls {
            results.push(
                match g.protect(
                    &cap,
                    r,
                    &CallOptions {
                        idempotency_key: idem.map(Into::into),
                        permit_id: Some((*permit_id).into()),
                        ..CallOptions::at(*now)
                    },
                ) {
                    Ok(p) => json!({"permit": p.token()}),
                    Err(e) => {
                        json!({"error": e.code().as_str(), "message": e.message(), "reasons": serde_json::to_value(e.reasons()).unwrap()})
                    }
                },
            );
            rows.push(json!({
                "request": text(r), "idempotency_key": idem, "permit_id": permit_id, "now": now,
            }));
        }
        let head = log.head().unwrap().map(|h| h.to_json().to_string());
        out.push(json!({
            "id": format!("guard-sequences/{id}"), "description": description, "store": "memory",
            "roots": [hex::encode(bytes32("root A"))], "audience": AUDIENCE,
            "permit_key": hex::encode(bytes32("permit key")), "issuer": "gateway.shop.example",
            "audit_key": hex::encode(bytes32("audit key")), "token": cap.serialize(), "proof": null,
            "calls": rows,
            "expect": {"results": results, "receipts": log.len().unwrap(), "receipt": head},
        }));
    };
    let t = T0 + 600;
    add(
        "budget-exhausted",
        "a budget of 2 calls per 10 minutes: two permits, then budget_exhausted naming the budget caveat; the next window starts empty",
        "budget(\"refunds\", 2, 600)",
        &[
            ("permit-b1", &req, None, t),
            ("permit-b2", &req, None, t + 1),
            ("permit-b3", &req, None, t + 2),
            ("permit-b4", &req, None, T0 + 1200),
        ],
    );
    add(
        "budget-amount-exhausted",
        "a budget of 5000 per hour spent by args.amount: 4200 fits, 1200 more does not and spends nothing, so 800 more still fits and exhausts it",
        "budget(\"cents\", 5000, 3600, args.amount)",
        &[
            ("permit-c1", &req, None, t),
            ("permit-c2", &other, None, t + 1),
            (
                "permit-c3",
                &Request::new("shopper-7", "payments.refund", json!({"amount": 800, "currency": "USD"})),
                None,
                t + 2,
            ),
        ],
    );
    add(
        "retry-spends-no-budget",
        "a budget of 1 call: a retry with the same key and call gets the first permit without spending; a new key finds the budget exhausted, and its retry the same denial",
        "budget(\"refunds\", 1, 3600)",
        &[
            ("permit-r1", &req, Some("order-1"), t),
            ("permit-r2", &req, Some("order-1"), t + 1),
            ("permit-r3", &req, Some("order-1"), t + 2),
            ("permit-r4", &req, Some("order-2"), t + 3),
            ("permit-r5", &req, Some("order-2"), t + 4),
        ],
    );
    add(
        "idempotency-conflict",
        "a key used for one call and then for another (other arguments): idempotency_conflict, raised as itself, and recorded as a denial",
        "budget(\"refunds\", 5, 3600)",
        &[
            ("permit-i1", &req, Some("order-9"), t),
            ("permit-i2", &other, Some("order-9"), t + 1),
            ("permit-i3", &req, Some("order-9"), t + 2),
        ],
    );
    out
}
