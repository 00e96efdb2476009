//! Idempotency keys as payment APIs mean them: the same key with the same
//! call returns the same outcome (the same permit token, or the same denial)
//! instead of a second valid permit; the same key with a different call is
//! refused with `idempotency_conflict`.
//!
//! A [`IdempotencyStore`] holds, per key, the hash of the call it was first
//! used for ([`call_hash`]) and the outcome; entries expire (a permit's
//! lifetime) so the store stays bounded. Database stores
//! (`charter-store`) make the insert-if-absent atomic across processes.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{b64, jcs, Error, ErrorCode};

/// Domain-separation label of [`call_hash`].
pub const CALL_HASH_LABEL: &str = "charter/v1/idempotency-call";

/// Longest idempotency key accepted, in bytes (keys are stored and compared
/// verbatim; a bound keeps every store's rows bounded).
pub const MAX_KEY_BYTES: usize = 256;

/// What is stored under a key after [`IdempotencyStore::put_if_absent`]: the
/// caller's values if the key was absent or expired, otherwise the earlier ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// The [`call_hash`] of the call the key was first used for.
    pub call_hash: String,
    /// The outcome recorded for it (opaque to the store).
    pub outcome: String,
}

/// Where idempotency keys are remembered. Implement it over a shared store
/// when several processes must agree on what a key means.
pub trait IdempotencyStore: Send + Sync {
    /// Atomically stores (`call_hash`, `outcome`) under `key` until
    /// `expires_at` unless an unexpired entry is already there; returns what
    /// is stored under `key` afterwards. Fails with `limit_exceeded` when
    /// full of unexpired entries, `store_unavailable` when unreachable.
    fn put_if_absent(
        &self,
        key: &str,
        call_hash: &str,
        outcome: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<Stored, Error>;

    /// Replaces the outcome under `key` with `outcome` (live until
    /// `expires_at`) only if it still is `pending`, the claim this caller
    /// stored with [`IdempotencyStore::put_if_absent`]; returns whether it
    /// did (false: the claim expired and another call took the key).
    /// `store_unavailable` when unreachable.
    fn complete(
        &self,
        key: &str,
        pending: &str,
        outcome: &str,
        expires_at: i64,
    ) -> Result<bool, Error>;
}

/// Checks an idempotency key's shape: 1 to [`MAX_KEY_BYTES`] bytes of
/// printable ASCII, so it is stored and compared exactly.
pub fn check_key(key: &str) -> Result<(), Error> {
    if key.is_empty() || key.len() > MAX_KEY_BYTES || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("an idempotency key is 1 to {MAX_KEY_BYTES} printable ASCII characters without spaces, got {} bytes", key.len()),
        ));
    }
    Ok(())
}

/// The hash that says whether a key is reused for the same call: SHA-256 over
/// the JCS array `[label, capability id, audience, agent, action, args,
/// resource]` (`resource` null when absent), base64url.
pub fn call_hash(
    capability_id: &str,
    audience: &str,
    agent: &str,
    action: &str,
    args: &Value,
    resource: Option<&str>,
) -> Result<String, Error> {
    let doc = Value::Array(vec![
        Value::from(CALL_HASH_LABEL),
        Value::from(capability_id),
        Value::from(audience),
        Value::from(agent),
        Value::from(action),
        args.clone(),
        resource.map_or(Value::Null, Value::from),
    ]);
    let text = jcs::canonicalize(&doc)?;
    Ok(b64::encode(Sha256::digest(text.as_bytes())))
}

/// What a key's first call ended in, as an [`IdempotencyStore`] keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A permit was issued: its token.
    Permit(String),
    /// A permit was issued for a call human approvals allowed: its token
    /// and the key ids of the approvals that counted, so a retry's receipt
    /// names the approvers as the first call's did.
    Approved {
        /// The permit's compact JWS.
        token: String,
        /// The kids of the approvals that counted (never empty).
        approvers: Vec<String>,
    },
    /// The call was denied, for these reasons.
    Denied(Vec<crate::Reason>),
}

impl Outcome {
    /// The stored text: `permit:<token>`, `approved:<JCS of {"approvers":
    /// [kid, ...], "token": token}>`, or `denied:<JSON array of
    /// [code, caveat index or null, message]>`, a row of an
    /// `approval_required` reason ending in its need as a fourth member, so
    /// a retry's denial still says which keys must approve which call.
    pub fn encode(&self) -> String {
        match self {
            Outcome::Permit(token) => format!("permit:{token}"),
            Outcome::Approved { token, approvers } => {
                let doc = serde_json::json!({"approvers": approvers, "token": token});
                // Strings and an array of strings: JCS cannot fail on them.
                format!("approved:{}", jcs::canonicalize(&doc).unwrap_or_default())
            }
            Outcome::Denied(reasons) => {
                let rows: Vec<Value> = reasons
                    .iter()
                    .map(|r| {
                        let mut row = vec![
                            Value::from(r.code.as_str()),
                            r.caveat_index.map_or(Value::Null, Value::from),
                            Value::from(r.message.as_str()),
                        ];
                        if let Some(a) = &r.approval {
                            row.push(serde_json::json!({
                                "required": a.required,
                                "approvers": a.approvers,
                                "valid": a.valid,
                                "capability": a.capability,
                                "action": a.action,
                                "args_hash": a.args_hash,
                                "audience": a.audience,
                            }));
                        }
                        Value::Array(row)
                    })
                    .collect();
                format!("denied:{}", Value::Array(rows))
            }
        }
    }

    /// Reads [`Outcome::encode`]'s text back; `malformed` for anything else
    /// (a store row written by something other than Charter).
    pub fn decode(text: &str) -> Result<Outcome, Error> {
        let bad = || {
            Error::new(
                ErrorCode::Malformed,
                "the idempotency store holds an outcome Charter did not write",
            )
        };
        if let Some(token) = text.strip_prefix("permit:") {
            return Ok(Outcome::Permit(token.to_string()));
        }
        if let Some(doc) = text.strip_prefix("approved:") {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Approved {
                approvers: Vec<String>,
                token: String,
            }
            let a: Approved = serde_json::from_str(doc).map_err(|_| bad())?;
            if a.approvers.is_empty() {
                return Err(bad());
            }
            let outcome = Outcome::Approved {
                token: a.token,
                approvers: a.approvers,
            };
            // One encoding: exactly the text Charter writes.
            return if outcome.encode() == text {
                Ok(outcome)
            } else {
                Err(bad())
            };
        }
        let rows = text.strip_prefix("denied:").ok_or_else(bad)?;
        let rows: Vec<Row> = serde_json::from_str(rows).map_err(|_| bad())?;
        rows.into_iter()
            .map(|row| {
                let (code, index, message, approval) = match row {
                    Row::Plain(code, index, message) => (code, index, message, None),
                    Row::Approval(code, index, message, need) => (code, index, message, Some(need)),
                };
                let code = ErrorCode::parse(&code).ok_or_else(bad)?;
                // Only an approval_required reason carries a need.
                if approval.is_some() && code != ErrorCode::ApprovalRequired {
                    return Err(bad());
                }
                let mut reason = crate::Reason::new(code, index, message);
                reason.approval = approval;
                Ok(reason)
            })
            .collect::<Result<Vec<_>, Error>>()
            .map(Outcome::Denied)
    }
}

/// One stored reason: `[code, index, message]`, or with an approval need.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Row {
    Plain(String, Option<u32>, String),
    Approval(String, Option<u32>, String, crate::approval::ApprovalNeed),
}

fn conflict(key: &str) -> Error {
    Error::new(
        ErrorCode::IdempotencyConflict,
        format!("idempotency key {key:?} was already used for a different call (another capability, audience, agent, action, arguments or resource); use a new key for a new call"),
    )
}

fn in_progress(key: &str) -> Error {
    Error::new(
        ErrorCode::IdempotencyConflict,
        format!("idempotency key {key:?}: the same call is being decided by another request right now; retry with the same key once it has finished"),
    )
}

/// Prefix of a claim: what a key holds while its first call is decided.
pub const PENDING_PREFIX: &str = "pending:";

/// What [`claim`] found under a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is this caller's now, held by this claim: decide the call,
    /// then [`complete`] it.
    Mine(String),
    /// An earlier call with this key, the same call, ended in this outcome:
    /// the answer, without deciding again.
    Settled(Outcome),
}

/// Claims `key` for the call `call_hash` before it is decided, so that a
/// retry (or a concurrent duplicate) never decides it a second time and
/// nothing the call spends (a budget, a proof nonce) is spent twice. The
/// claim lives until `expires_at` (a caller that dies leaves it until then).
/// `idempotency_conflict` when the key was first used for another call, or
/// when the same call is still being decided by another caller (retry with
/// the same key once it has finished).
pub fn claim(
    store: &dyn IdempotencyStore,
    key: &str,
    call_hash: &str,
    expires_at: i64,
    now: i64,
) -> Result<Claim, Error> {
    check_key(key)?;
    let mut nonce = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut nonce);
    let mine = format!("{PENDING_PREFIX}{}", b64::encode(nonce));
    let stored = store.put_if_absent(key, call_hash, &mine, expires_at, now)?;
    if stored.call_hash != call_hash {
        return Err(conflict(key));
    }
    if stored.outcome == mine {
        return Ok(Claim::Mine(mine));
    }
    if stored.outcome.starts_with(PENDING_PREFIX) {
        return Err(in_progress(key));
    }
    Outcome::decode(&stored.outcome).map(Claim::Settled)
}

/// Records the outcome of a call claimed with [`claim`] (`pending` is the
/// [`Claim::Mine`] value). `store_unavailable` when the claim was lost (it
/// expired and another call took the key) or the store cannot be reached.
pub fn complete(
    store: &dyn IdempotencyStore,
    key: &str,
    pending: &str,
    outcome: &Outcome,
    expires_at: i64,
) -> Result<(), Error> {
    if store.complete(key, pending, &outcome.encode(), expires_at)? {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::StoreUnavailable,
            format!("idempotency key {key:?}: its claim expired before the call was decided, and another call took the key; retry"),
        ))
    }
}

/// Stores `outcome` under `key` unless the key already holds one, and
/// returns the key's outcome: `idempotency_conflict` when the key was first
/// used for another call (`call_hash`).
pub fn settle(
    store: &dyn IdempotencyStore,
    key: &str,
    call_hash: &str,
    outcome: &Outcome,
    expires_at: i64,
    now: i64,
) -> Result<Outcome, Error> {
    check_key(key)?;
    let stored = store.put_if_absent(key, call_hash, &outcome.encode(), expires_at, now)?;
    if stored.call_hash != call_hash {
        return Err(conflict(key));
    }
    if stored.outcome.starts_with(PENDING_PREFIX) {
        return Err(in_progress(key));
    }
    Outcome::decode(&stored.outcome)
}

/// An in-process idempotency store, bounded by a count.
#[derive(Debug)]
pub struct MemoryIdempotencyStore {
    entries: Mutex<HashMap<String, (Stored, i64)>>,
    capacity: usize,
}

impl MemoryIdempotencyStore {
    /// Keys held by [`MemoryIdempotencyStore::new`].
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A store holding up to [`MemoryIdempotencyStore::DEFAULT_CAPACITY`] keys.
    pub fn new() -> Self {
        MemoryIdempotencyStore::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// A store holding up to `capacity` live keys; when full it refuses new
    /// ones rather than forget live ones (fail closed).
    pub fn with_capacity(capacity: usize) -> Self {
        MemoryIdempotencyStore {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }
}

impl Default for MemoryIdempotencyStore {
    fn default() -> Self {
        MemoryIdempotencyStore::new()
    }
}

impl IdempotencyStore for MemoryIdempotencyStore {
    fn put_if_absent(
        &self,
        key: &str,
        call_hash: &str,
        outcome: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<Stored, Error> {
        // Every update below is one insert, so a poisoned lock still guards valid data.
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((stored, until)) = entries.get(key) {
            if *until >= now {
                return Ok(stored.clone());
            }
        }
        if entries.len() >= self.capacity && !entries.contains_key(key) {
            entries.retain(|_, (_, until)| *until >= now);
            if entries.len() >= self.capacity {
                return Err(Error::new(
                    ErrorCode::LimitExceeded,
                    format!("idempotency store holds {} unexpired keys, its capacity; refusing rather than forgetting one", self.capacity),
                ));
            }
        }
        let stored = Stored {
            call_hash: call_hash.to_string(),
            outcome: outcome.to_string(),
        };
        entries.insert(key.to_string(), (stored.clone(), expires_at));
        Ok(stored)
    }

    fn complete(
        &self,
        key: &str,
        pending: &str,
        outcome: &str,
        expires_at: i64,
    ) -> Result<bool, Error> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get_mut(key) {
            Some((stored, until)) if stored.outcome == pending => {
                stored.outcome = outcome.to_string();
                *until = expires_at;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn first_writer_wins_until_expiry() {
        let s = MemoryIdempotencyStore::new();
        let a = s.put_if_absent("k", "h1", "o1", 100, 10).unwrap();
        assert_eq!((a.call_hash.as_str(), a.outcome.as_str()), ("h1", "o1"));
        let b = s.put_if_absent("k", "h2", "o2", 100, 50).unwrap();
        assert_eq!(b, a);
        let c = s.put_if_absent("k", "h2", "o2", 200, 101).unwrap();
        assert_eq!(c.outcome, "o2");
    }

    #[test]
    fn full_store_fails_closed() {
        let s = MemoryIdempotencyStore::with_capacity(1);
        s.put_if_absent("a", "h", "o", 10, 0).unwrap();
        assert_eq!(
            s.put_if_absent("b", "h", "o", 10, 5).unwrap_err().code(),
            ErrorCode::LimitExceeded
        );
        s.put_if_absent("b", "h", "o", 100, 11).unwrap();
    }

    #[test]
    fn call_hash_separates_every_field() {
        let base = call_hash("c", "aud", "ag", "act", &json!({"x": 1}), None).unwrap();
        for other in [
            call_hash("d", "aud", "ag", "act", &json!({"x": 1}), None),
            call_hash("c", "au", "ag", "act", &json!({"x": 1}), None),
            call_hash("c", "aud", "agx", "act", &json!({"x": 1}), None),
            call_hash("c", "aud", "ag", "acx", &json!({"x": 1}), None),
            call_hash("c", "aud", "ag", "act", &json!({"x": 2}), None),
            call_hash("c", "aud", "ag", "act", &json!({"x": 1}), Some("")),
        ] {
            assert_ne!(other.unwrap(), base);
        }
        // Key order in args does not matter (JCS).
        assert_eq!(
            call_hash("c", "aud", "ag", "act", &json!({"a": 1, "b": 2}), None).unwrap(),
            call_hash("c", "aud", "ag", "act", &json!({"b": 2, "a": 1}), None).unwrap()
        );
    }

    #[test]
    fn outcomes_round_trip() {
        for o in [
            Outcome::Permit("a.b.c".into()),
            Outcome::Approved {
                token: "a.b.c".into(),
                approvers: vec!["k1".into(), "k2".into()],
            },
            Outcome::Denied(vec![
                crate::Reason::new(ErrorCode::CaveatFailed, Some(2), "caveat 2 is false: \"x\""),
                crate::Reason::new(ErrorCode::Revoked, None, "revoked"),
            ]),
            Outcome::Denied(vec![crate::Reason {
                approval: Some(crate::approval::ApprovalNeed {
                    required: 2,
                    approvers: vec!["a".into(), "b".into()],
                    valid: 1,
                    capability: "cap".into(),
                    action: "refund".into(),
                    args_hash: "h".into(),
                    audience: "shop".into(),
                }),
                ..crate::Reason::new(ErrorCode::ApprovalRequired, Some(0), "needs 2")
            }]),
        ] {
            assert_eq!(Outcome::decode(&o.encode()).unwrap(), o);
        }
        let need = r#"{"required":1,"approvers":["a"],"valid":0,"capability":"c","action":"x","args_hash":"h","audience":"s"}"#;
        let extra = r#"{"required":1,"approvers":["a"],"valid":0,"capability":"c","action":"x","args_hash":"h","audience":"s","more":1}"#;
        // A need on another code, a need with an unknown member.
        let on_revoked = format!("denied:[[\"revoked\",null,\"m\",{need}]]");
        let unknown = format!("denied:[[\"approval_required\",0,\"m\",{extra}]]");
        for bad in [
            "",
            "permit",
            "denied:{}",
            "denied:[[\"nope\",null,\"m\"]]",
            "denied:[[\"denied\",null]]",
            "denied:[[\"approval_required\",0,\"m\",{},1]]",
            on_revoked.as_str(),
            unknown.as_str(),
            // Approved: no approver, not canonical, a member missing or extra.
            r#"approved:{"approvers":[],"token":"t"}"#,
            r#"approved:{"token":"t","approvers":["k"]}"#,
            r#"approved: {"approvers":["k"],"token":"t"}"#,
            r#"approved:{"approvers":["k"]}"#,
            r#"approved:{"approvers":["k"],"more":1,"token":"t"}"#,
        ] {
            assert_eq!(
                Outcome::decode(bad).unwrap_err().code(),
                ErrorCode::Malformed
            );
        }
    }

    #[test]
    fn settle_refuses_another_call() {
        let s = MemoryIdempotencyStore::new();
        let p = Outcome::Permit("t".into());
        assert_eq!(settle(&s, "k", "h1", &p, 100, 0).unwrap(), p);
        let other = Outcome::Permit("u".into());
        assert_eq!(settle(&s, "k", "h1", &other, 100, 1).unwrap(), p);
        assert_eq!(
            settle(&s, "k", "h2", &other, 100, 1).unwrap_err().code(),
            ErrorCode::IdempotencyConflict
        );
    }

    #[test]
    fn a_claim_is_decided_once_then_settled() {
        let s = MemoryIdempotencyStore::new();
        let Claim::Mine(mine) = claim(&s, "k", "h1", 100, 0).unwrap() else {
            panic!("a new key is the caller's")
        };
        assert!(mine.starts_with(PENDING_PREFIX));
        // While it is decided: the same call waits, another call conflicts.
        for hash in ["h1", "h2"] {
            assert_eq!(
                claim(&s, "k", hash, 100, 1).unwrap_err().code(),
                ErrorCode::IdempotencyConflict
            );
        }
        let p = Outcome::Permit("t".into());
        complete(&s, "k", &mine, &p, 100).unwrap();
        // Settled: the same call gets the outcome, another still conflicts.
        assert_eq!(
            claim(&s, "k", "h1", 100, 2).unwrap(),
            Claim::Settled(p.clone())
        );
        assert_eq!(
            claim(&s, "k", "h2", 100, 2).unwrap_err().code(),
            ErrorCode::IdempotencyConflict
        );
        // A claim completed twice, or one lost, is not recorded.
        assert_eq!(
            complete(&s, "k", &mine, &p, 100).unwrap_err().code(),
            ErrorCode::StoreUnavailable
        );
        // settle (PermitIssuer::issue) meets a claim: in progress, not malformed.
        let Claim::Mine(_) = claim(&s, "busy", "h1", 100, 0).unwrap() else {
            panic!("a new key is the caller's")
        };
        let e = settle(&s, "busy", "h1", &p, 100, 1).unwrap_err();
        assert_eq!(e.code(), ErrorCode::IdempotencyConflict);
        assert!(e.message().contains("retry with the same key"), "{e}");
        // A claim that expired is taken over by the next call.
        let Claim::Mine(second) = claim(&s, "k", "h2", 300, 101).unwrap() else {
            panic!("an expired key is free")
        };
        assert_ne!(second, mine);
    }

    #[test]
    fn keys_are_checked() {
        check_key("order-42").unwrap();
        for bad in ["", "a b", &"k".repeat(MAX_KEY_BYTES + 1)] {
            assert_eq!(
                check_key(bad).unwrap_err().code(),
                ErrorCode::InvalidArgument
            );
        }
    }
}
