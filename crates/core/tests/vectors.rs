//! Runs every vector in `contract/vectors/` through the public API and
//! requires the exact expected output; then sweeps single-bit flips over every
//! allowed capability and checks that every error code is produced somewhere.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failure fails the test that called it"
)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use charter_core::capability::IssueOptions;
use charter_core::CallOptions;
use charter_core::{
    b64, jcs, Capability, Error, Holder, Issuer, KeySet, MemoryRevocationList, PublicKey, Request,
    RootKey, SigningKey, Verifier,
};
use serde_json::{json, Value};

fn contract() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../contract")
}

fn load(kind: &str) -> Vec<Value> {
    let path = contract().join("vectors").join(format!("{kind}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["kind"], kind);
    assert_eq!(doc["version"], 1);
    let vectors = doc["vectors"].as_array().unwrap().clone();
    assert!(!vectors.is_empty(), "{kind}: no vectors");
    vectors
}

fn hex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn err(e: Error) -> Value {
    json!({"error": e.code().as_str(), "message": e.message()})
}

fn s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

#[test]
fn jcs_vectors() {
    for v in load("jcs") {
        let got = match jcs::canonicalize_str(v["input"].as_str().unwrap()) {
            Ok(out) => json!({"output": out}),
            Err(e) => err(e),
        };
        assert_eq!(got, v["expect"], "{}", v["id"]);
    }
}

#[test]
fn key_vectors() {
    for v in load("keys") {
        let got = match v["type"].as_str().unwrap() {
            "signing_key" => match SigningKey::from_bytes(&hex(&v["seed"])) {
                Ok(sk) => {
                    let pk = sk.public_key();
                    json!({"kid": sk.kid(), "public": hex::encode(pk.to_bytes()), "jwk": jcs::canonicalize(&pk.to_jwk()).unwrap()})
                }
                Err(e) => err(e),
            },
            "public_key" => match PublicKey::from_bytes(&hex(&v["public"])) {
                Ok(pk) => json!({"kid": pk.kid(), "jwk": jcs::canonicalize(&pk.to_jwk()).unwrap()}),
                Err(e) => err(e),
            },
            "root_key" => match RootKey::from_bytes(&hex(&v["secret"])) {
                Ok(rk) => json!({"kid": rk.kid()}),
                Err(e) => err(e),
            },
            "jwks" => match KeySet::from_jwks(v["jwks"].as_str().unwrap()) {
                Ok(set) => json!({"kids": set.kids().collect::<Vec<_>>(), "jwks": set.to_jwks()}),
                Err(e) => err(e),
            },
            other => panic!("unknown key vector type {other}"),
        };
        assert_eq!(got, v["expect"], "{}", v["id"]);
    }
}

fn options(o: &Value) -> IssueOptions {
    IssueOptions {
        agent: s(&o["agent"]),
        actions: o["actions"]
            .as_array()
            .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect()),
        audience: s(&o["audience"]),
        not_before: o["not_before"].as_i64(),
        expires_at: o["expires_at"].as_i64(),
        never_expires: o["never_expires"].as_bool().unwrap(),
        caveats: o["caveats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect(),
        token_id: o["token_id"].as_str().map(|h| hex::decode(h).unwrap()),
        issued_at: o["issued_at"].as_i64(),
    }
}

fn described(cap: &Capability) -> Value {
    json!({"id": cap.id(), "token_id": cap.token_id(), "root_kid": cap.root_kid(), "issued_at": cap.issued_at(), "caveats": cap.caveats(), "token": cap.serialize()})
}

#[test]
fn capability_vectors() {
    for v in load("capabilities") {
        let got = match v["type"].as_str().unwrap() {
            "mint" => {
                let minted = (|| -> Result<Capability, Error> {
                    let mut cap = Issuer::new(RootKey::from_bytes(&hex(&v["root"]))?)
                        .issue_with(&options(&v["options"]))?;
                    for c in v["attenuate"].as_array().unwrap() {
                        cap = cap.attenuate(c.as_str().unwrap())?;
                    }
                    if let Some(h) = v["holder"].as_str() {
                        cap = cap.bind_holder(h)?;
                    }
                    Ok(cap)
                })();
                minted.map(|c| described(&c)).unwrap_or_else(err)
            }
            "parse" => Capability::parse(v["token"].as_str().unwrap())
                .map(|c| described(&c))
                .unwrap_or_else(err),
            other => panic!("unknown capability vector type {other}"),
        };
        assert_eq!(got, v["expect"], "{}", v["id"]);
    }
}

fn verifier(v: &Value) -> Verifier {
    let roots: Vec<RootKey> = v["roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| RootKey::from_bytes(&hex(r)).unwrap())
        .collect();
    let list = Arc::new(MemoryRevocationList::new());
    for id in v["revoked"].as_array().unwrap() {
        list.revoke(id.as_str().unwrap()).unwrap();
    }
    Verifier::new(roots, v["audience"].as_str().unwrap())
        .unwrap()
        .with_revocations(list)
}

fn run_check(v: &Value) -> Value {
    let verifier = verifier(v);
    let req = match Request::from_json(v["request"].as_str().unwrap()) {
        Ok(r) => r,
        Err(e) => return err(e),
    };
    let (token, proof, now) = (
        v["token"].as_str().unwrap(),
        v["proof"].as_str(),
        v["now"].as_i64().unwrap(),
    );
    let mut d = verifier.check(
        token,
        &req,
        &CallOptions {
            proof: proof.map(Into::into),
            ..CallOptions::at(now)
        },
    );
    if v["repeat"].as_bool().unwrap() {
        assert!(d.allowed, "{}: first presentation", v["id"]);
        d = verifier.check(
            token,
            &req,
            &CallOptions {
                proof: proof.map(Into::into),
                ..CallOptions::at(now)
            },
        );
    }
    serde_json::to_value(&d).unwrap()
}

#[test]
fn caveat_and_check_vectors() {
    for kind in ["caveats", "checks"] {
        for v in load(kind) {
            assert_eq!(run_check(&v), v["expect"], "{}", v["id"]);
        }
    }
}

#[test]
fn proof_vectors() {
    for v in load("proofs") {
        let holder = Holder::new(SigningKey::from_bytes(&hex(&v["holder"])).unwrap());
        let cap = Capability::parse(v["token"].as_str().unwrap()).unwrap();
        let req = Request::from_json(v["request"].as_str().unwrap()).unwrap();
        let got = holder
            .prove_with_nonce(
                &cap,
                &req,
                v["audience"].as_str().unwrap(),
                v["now"].as_i64().unwrap(),
                &hex(&v["nonce"]),
            )
            .map(|p| json!({"proof": p, "holder_kid": holder.kid()}))
            .unwrap_or_else(err);
        assert_eq!(got, v["expect"], "{}", v["id"]);
    }
}

/// Every single-bit flip of every allowed vector capability must deny.
#[test]
fn every_bit_flip_of_an_allowed_capability_denies() {
    let mut swept = 0;
    for kind in ["caveats", "checks"] {
        for v in load(kind) {
            if v["expect"]["allowed"] != json!(true) || v["repeat"] == json!(true) {
                continue;
            }
            let bytes = b64::decode(v["token"].as_str().unwrap()).unwrap();
            let req = Request::from_json(v["request"].as_str().unwrap()).unwrap();
            let verifier = verifier(&v);
            for bit in 0..bytes.len() * 8 {
                let mut flipped = bytes.clone();
                flipped[bit / 8] ^= 1 << (bit % 8);
                let d = verifier.check(
                    &b64::encode(&flipped),
                    &req,
                    &CallOptions {
                        proof: v["proof"].as_str().map(Into::into),
                        ..CallOptions::at(v["now"].as_i64().unwrap())
                    },
                );
                assert!(!d.allowed, "{}: flipping bit {bit} still allows", v["id"]);
                swept += 1;
            }
        }
    }
    assert!(swept > 10_000, "only {swept} flips swept");
}

/// Each code in contract/errors.json is produced by at least one vector.
#[test]
fn every_error_code_is_produced_by_a_vector() {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(contract().join("errors.json")).unwrap())
            .unwrap();
    let listed: BTreeSet<String> = doc["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect();
    let core: BTreeSet<String> = charter_core::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    assert_eq!(listed, core, "errors.json and ErrorCode::ALL differ");
    let mut produced = BTreeSet::new();
    // Every file, the stateful ones (contract/vectors/stateful/) included.
    let mut dirs = vec![contract().join("vectors")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            collect_codes(&doc, &mut produced);
        }
    }
    // `internal` is a caught panic: no input is meant to produce it.
    produced.insert(charter_core::ErrorCode::Internal.as_str().to_string());
    // `store_unavailable` needs a store that cannot be reached: the
    // charter-store tests (crates/store/tests) produce it on every engine.
    produced.insert(
        charter_core::ErrorCode::StoreUnavailable
            .as_str()
            .to_string(),
    );
    let missing: Vec<_> = listed.difference(&produced).collect();
    assert!(missing.is_empty(), "no vector produces {missing:?}");
}

fn collect_codes(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                if let (true, Some(code)) = (k == "error" || k == "code", x.as_str()) {
                    out.insert(code.to_string());
                }
                collect_codes(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_codes(x, out)),
        _ => {}
    }
}

#[test]
fn permit_vectors() {
    use charter_core::{PermitIssuer, PermitRequest, PermitVerifier};
    for v in load("permits") {
        let args = jcs::parse(v["args"].as_str().unwrap()).unwrap();
        let got = match v["type"].as_str().unwrap() {
            "issue" => {
                let key = SigningKey::from_bytes(&hex(&v["signing_key"])).unwrap();
                let issuer = PermitIssuer::new(key, v["issuer"].as_str().unwrap());
                let issuer = issuer.with_ttl(v["ttl"].as_i64());
                issuer
                    .and_then(|i| {
                        let mut req = PermitRequest::new(v["subject"].as_str().unwrap(), v["audience"].as_str().unwrap(), v["action"].as_str().unwrap(), &args, v["capability_id"].as_str().unwrap());
                        if let Some(j) = v["jti"].as_str() {
                            req = req.with_jti(j);
                        }
                        if let Some(k) = v["idempotency_key"].as_str() {
                            req = req.with_idempotency_key(k);
                        }
                        i.issue(&req, v["now"].as_i64().unwrap())
                    })
                    .map(|p| json!({"token": p.token(), "kid": p.kid(), "claims": serde_json::to_value(p.claims()).unwrap()}))
                    .unwrap_or_else(err)
            }
            "verify" => {
                let mut verifier = PermitVerifier::new(
                    KeySet::from_jwks(v["jwks"].as_str().unwrap()).unwrap(),
                    v["audience"].as_str().unwrap(),
                );
                verifier = verifier.with_leeway(v["leeway"].as_i64()).unwrap();
                let (token, action, now) = (
                    v["token"].as_str().unwrap(),
                    v["action"].as_str().unwrap(),
                    v["now"].as_i64().unwrap(),
                );
                let mut got = verifier.verify(token, action, &args, now);
                if v["repeat"] == json!(true) {
                    assert!(got.is_ok(), "{}: first verification", v["id"]);
                    got = verifier.verify(token, action, &args, now);
                }
                got.map(|c| json!({"claims": serde_json::to_value(c).unwrap()}))
                    .unwrap_or_else(err)
            }
            other => panic!("unknown permit vector type {other}"),
        };
        assert_eq!(got, v["expect"], "{}", v["id"]);
    }
}

#[test]
fn receipt_vectors() {
    use charter_core::Receipt;
    for v in load("receipts") {
        let got = Receipt::parse(v["receipt"].as_str().unwrap())
            .and_then(|r| r.verify(&KeySet::from_jwks(v["jwks"].as_str().unwrap())?).map(|_| r))
            .map(|r| {
                json!({
                    "hash": r.hash(), "seq": r.seq(), "prev": r.prev(), "ts": r.ts(), "agent": r.agent(), "action": r.action(),
                    "args": r.args(), "cap": r.cap(), "permit": r.permit(), "decision": r.decision().as_str(),
                    "reasons": serde_json::to_value(r.reasons()).unwrap(), "kid": r.kid(), "json": r.to_json(),
                })
            })
            .unwrap_or_else(err);
        assert_eq!(got, v["expect"], "{}", v["id"]);
    }
}

#[test]
fn bundle_vectors() {
    for v in load("bundles") {
        let (bundle, trusted) = (
            v["bundle"].as_str().unwrap(),
            KeySet::from_jwks(v["trusted"].as_str().unwrap()).unwrap(),
        );
        let got = match v["anchor"].as_str() {
            Some(a) => charter_core::verify_bundle_from(bundle, &trusted, a),
            None => charter_core::verify_bundle(bundle, &trusted),
        }
        .map(|r| json!({"report": {"count": r.count, "first_seq": r.first_seq, "last_seq": r.last_seq, "head": serde_json::to_value(&r.head).unwrap()}}))
        .unwrap_or_else(err);
        assert_eq!(got, v["expect"], "{}", v["id"]);
    }
}

#[test]
fn guard_vectors() {
    use charter_core::{AuditLog, Guard, MemoryAuditLog, PermitIssuer};
    for v in load("guard") {
        let roots: Vec<RootKey> = v["roots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| RootKey::from_bytes(&hex(r)).unwrap())
            .collect();
        let log = Arc::new(MemoryAuditLog::new(
            SigningKey::from_bytes(&hex(&v["audit_key"])).unwrap(),
        ));
        let permits = PermitIssuer::new(
            SigningKey::from_bytes(&hex(&v["permit_key"])).unwrap(),
            v["issuer"].as_str().unwrap(),
        );
        let guard = Guard::new(
            Verifier::new(roots, v["audience"].as_str().unwrap()).unwrap(),
            permits,
            log.clone(),
        );
        let req = Request::from_json(v["request"].as_str().unwrap()).unwrap();
        let (token, now) = (v["token"].as_str().unwrap(), v["now"].as_i64().unwrap());
        let mut got = match v["mode"].as_str().unwrap() {
            "protect" => match guard.protect(
                token,
                &req,
                &CallOptions {
                    proof: v["proof"].as_str().map(Into::into),
                    idempotency_key: v["idempotency_key"].as_str().map(Into::into),
                    permit_id: v["permit_id"].as_str().map(Into::into),
                    ..CallOptions::at(now)
                },
            ) {
                Ok(p) => json!({"permit": p.token()}),
                Err(e) => {
                    json!({"error": e.code().as_str(), "message": e.message(), "reasons": serde_json::to_value(e.reasons()).unwrap()})
                }
            },
            "check" => {
                json!({"decision": serde_json::to_value(guard.check(token, &req, &CallOptions { proof: v["proof"].as_str().map(Into::into), ..CallOptions::at(now) })).unwrap()})
            }
            other => panic!("unknown guard mode {other}"),
        };
        got["receipt"] = json!(log.head().unwrap().map(|h| h.to_json().to_string()));
        assert_eq!(got, v["expect"], "{}", v["id"]);
    }
}

/// `contract/vectors/stateful/guard-sequences.json`: calls in order against
/// one in-memory store (the verifier's budgets, the issuer's idempotency keys).
#[test]
fn guard_sequence_vectors() {
    use charter_core::{
        AuditLog, Guard, MemoryAuditLog, MemoryBudgetStore, MemoryIdempotencyStore, PermitIssuer,
    };
    let path = contract().join("vectors/stateful/guard-sequences.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        (doc["kind"].as_str(), doc["version"].as_i64()),
        (Some("guard-sequences"), Some(1))
    );
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 4);
    for v in vectors {
        assert_eq!(v["store"], "memory", "{}", v["id"]);
        let roots: Vec<RootKey> = v["roots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| RootKey::from_bytes(&hex(r)).unwrap())
            .collect();
        let log = Arc::new(MemoryAuditLog::new(
            SigningKey::from_bytes(&hex(&v["audit_key"])).unwrap(),
        ));
        let guard = Guard::new(
            Verifier::new(roots, v["audience"].as_str().unwrap())
                .unwrap()
                .with_budget_store(Arc::new(MemoryBudgetStore::new())),
            PermitIssuer::new(
                SigningKey::from_bytes(&hex(&v["permit_key"])).unwrap(),
                v["issuer"].as_str().unwrap(),
            )
            .with_idempotency_store(Arc::new(MemoryIdempotencyStore::new())),
            log.clone(),
        );
        let token = v["token"].as_str().unwrap();
        let results: Vec<Value> = v["calls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let req = Request::from_json(c["request"].as_str().unwrap()).unwrap();
                match guard.protect(
                    token,
                    &req,
                    &CallOptions {
                        proof: v["proof"].as_str().map(Into::into),
                        idempotency_key: c["idempotency_key"].as_str().map(Into::into),
                        permit_id: c["permit_id"].as_str().map(Into::into),
                        ..CallOptions::at(c["now"].as_i64().unwrap())
                    },
                ) {
                    Ok(p) => json!({"permit": p.token()}),
                    Err(e) => {
                        json!({"error": e.code().as_str(), "message": e.message(), "reasons": serde_json::to_value(e.reasons()).unwrap()})
                    }
                }
            })
            .collect();
        let got = json!({
            "results": results,
            "receipts": log.len().unwrap(),
            "receipt": log.head().unwrap().map(|h| h.to_json().to_string()),
        });
        assert_eq!(got, v["expect"], "{}", v["id"]);
    }
}

#[test]
fn audit_file_vectors() {
    use charter_core::{AuditLog, FileAuditLog, Receipt};
    let dir = tempfile::tempdir().unwrap();
    for v in load("audit-files") {
        let path = dir.path().join(v["id"].as_str().unwrap().replace('/', "_"));
        match v["setup"].as_str().unwrap() {
            "directory" => std::fs::create_dir(&path).unwrap(),
            "file" => std::fs::write(&path, v["content"].as_str().unwrap()).unwrap(),
            other => panic!("unknown setup {other}"),
        }
        let key = SigningKey::from_bytes(&hex(&v["audit_key"])).unwrap();
        let opened = match v["expect_head"].as_str() {
            Some(text) => Receipt::parse(text)
                .and_then(|head| FileAuditLog::open_expecting(&path, key, &KeySet::new(), &head)),
            None => {
                assert!(v["expect_head"].is_null(), "{}", v["id"]);
                FileAuditLog::open(&path, key)
            }
        };
        let got = match opened {
            Ok(f) => {
                json!({"len": f.len().unwrap(), "head": f.head().unwrap().map(|h| h.hash().to_string())})
            }
            Err(e) => {
                json!({"error": e.code().as_str(), "message": e.message().replace(&path.display().to_string(), "{path}")})
            }
        };
        assert_eq!(got, v["expect"], "{}", v["id"]);
        assert_eq!(v["without_files"]["error"], "unsupported");
        assert_eq!(
            v["without_files"]["message"],
            charter_core::audit::UNSUPPORTED_FILES
        );
    }
}

/// Every single-bit flip of every valid vector permit, receipt and bundle is refused.
#[test]
fn every_bit_flip_of_a_permit_receipt_or_bundle_is_refused() {
    use charter_core::{PermitVerifier, Receipt};
    let mut swept = 0usize;
    let flips = |text: &str| -> Vec<String> {
        let bytes = text.as_bytes();
        (0..bytes.len() * 8)
            .filter_map(|bit| {
                let mut b = bytes.to_vec();
                b[bit / 8] ^= 1 << (bit % 8);
                String::from_utf8(b).ok()
            })
            .collect()
    };
    for v in load("permits") {
        if v["type"] != "verify"
            || v["expect"].get("claims").is_none()
            || v["repeat"] == json!(true)
        {
            continue;
        }
        let args = jcs::parse(v["args"].as_str().unwrap()).unwrap();
        for flipped in flips(v["token"].as_str().unwrap()) {
            let verifier = PermitVerifier::new(
                KeySet::from_jwks(v["jwks"].as_str().unwrap()).unwrap(),
                v["audience"].as_str().unwrap(),
            );
            assert!(
                verifier
                    .verify(
                        &flipped,
                        v["action"].as_str().unwrap(),
                        &args,
                        v["now"].as_i64().unwrap()
                    )
                    .is_err(),
                "{}: {flipped}",
                v["id"]
            );
            swept += 1;
        }
    }
    for v in load("receipts") {
        if v["expect"].get("hash").is_none() {
            continue;
        }
        let keys = KeySet::from_jwks(v["jwks"].as_str().unwrap()).unwrap();
        for flipped in flips(v["receipt"].as_str().unwrap()) {
            assert!(
                Receipt::parse(&flipped)
                    .and_then(|r| r.verify(&keys))
                    .is_err(),
                "{}: {flipped}",
                v["id"]
            );
            swept += 1;
        }
    }
    for v in load("bundles") {
        if v["expect"].get("report").is_none() || !v["anchor"].is_null() {
            continue;
        }
        let trusted = KeySet::from_jwks(v["trusted"].as_str().unwrap()).unwrap();
        for flipped in flips(v["bundle"].as_str().unwrap()) {
            assert!(
                charter_core::verify_bundle(&flipped, &trusted).is_err(),
                "{}: flipped bundle verified",
                v["id"]
            );
            swept += 1;
        }
    }
    assert!(swept > 50_000, "only {swept} flips swept");
}
