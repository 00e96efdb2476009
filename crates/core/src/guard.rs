//! The fail-closed path a tool runs for every call: check the capability,
//! sign a permit when it allows, and record a receipt either way. A receipt
//! that cannot be recorded turns an allow into a denial.

use std::sync::Arc;

use crate::audit::AuditLog;
use crate::call::{CallOptions, CapabilityRef};
use crate::capability::Capability;
use crate::decision::{Decision, Reason};
use crate::idempotency::{call_hash, claim, complete, Claim, Outcome};
use crate::permit::{Permit, PermitIssuer, PermitRequest};
use crate::receipt::ReceiptInput;
use crate::request::Request;
use crate::verifier::Verifier;
use crate::{Error, ErrorCode};

/// Verifier + permit issuer + audit log, used together.
pub struct Guard {
    verifier: Arc<Verifier>,
    permits: PermitIssuer,
    log: Arc<dyn AuditLog>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("verifier", &self.verifier)
            .field("receipts", &self.log.len().ok())
            .finish_non_exhaustive()
    }
}

impl Guard {
    /// Permits are issued for the verifier's audience: the tool that runs the call.
    /// The verifier may be shared (`Arc`), so revoking through it, and the
    /// holder proofs it has seen, hold for direct checks and guarded calls alike.
    pub fn new(
        verifier: impl Into<Arc<Verifier>>,
        permits: PermitIssuer,
        log: Arc<dyn AuditLog>,
    ) -> Self {
        Guard {
            verifier: verifier.into(),
            permits,
            log,
        }
    }

    /// The verifier it decides with (revoke through it).
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The audit log every decision is recorded in.
    pub fn log(&self) -> &Arc<dyn AuditLog> {
        &self.log
    }

    /// Decides and records the decision; returns it as data. Capability text
    /// that does not parse is a recorded denial. If the receipt cannot be
    /// recorded the decision is a denial naming why.
    pub fn check<'a>(
        &self,
        capability: impl Into<CapabilityRef<'a>>,
        request: &Request,
        options: &CallOptions,
    ) -> Decision {
        let now = options.now();
        let cap = match capability.into().resolve() {
            Ok(cap) => cap,
            Err(e) => {
                return self
                    .deny_unparsed(e, request, now)
                    .unwrap_or_else(|e| Decision::deny(e.reasons().to_vec()))
            }
        };
        let (decision, approvers) =
            self.verifier
                .check_approved(&cap, request, options.proof.as_deref(), now);
        match self.record(Some(&cap), request, &decision, None, &approvers, now) {
            Ok(()) => decision,
            Err(e) => Decision::deny(vec![unrecorded(e)]),
        }
    }

    /// Returns a permit for exactly this call, or `Err` with code `denied`
    /// carrying the reasons. A receipt is recorded either way; when it cannot
    /// be, the call is denied. `options.permit_id` fixes the permit's `jti`
    /// (derive it from your own call id, or leave it random), and
    /// `options.idempotency_key` is carried in the permit as `idem`; with an
    /// idempotency store, a retry (same key, same call) gets the first call's
    /// permit or denial without being decided again, so it spends no budget;
    /// while the first is still being decided a duplicate is refused
    /// (`idempotency_conflict`: retry with the same key).
    pub fn protect<'a>(
        &self,
        capability: impl Into<CapabilityRef<'a>>,
        request: &Request,
        options: &CallOptions,
    ) -> Result<Permit, Error> {
        let now = options.now();
        let capability = match capability.into().resolve() {
            Ok(cap) => cap,
            Err(e) => {
                return Err(match self.deny_unparsed(e, request, now) {
                    Ok(d) => Error::denied(d.reasons),
                    Err(e) => e,
                })
            }
        };
        let idem = match (
            options.idempotency_key.as_deref(),
            self.permits.idempotency_store(),
        ) {
            (Some(key), Some(store)) => {
                let hash = call_hash(
                    &capability.id(),
                    self.verifier.audience(),
                    &request.agent,
                    &request.action,
                    &request.args,
                    request.resource.as_deref(),
                );
                Some((key, store.clone(), hash))
            }
            _ => None,
        };
        // The key is claimed before the call is decided: a retry (or a
        // concurrent duplicate) gets the first call's outcome without being
        // decided again, so nothing it spends (a budget, a holder-proof
        // nonce) is spent twice.
        let mut claimed = None;
        if let Some((key, store, hash)) = &idem {
            let found = hash.clone().and_then(|hash| {
                claim(
                    store.as_ref(),
                    key,
                    &hash,
                    now.saturating_add(self.permits.ttl()),
                    now,
                )
            });
            match found.and_then(|c| match c {
                Claim::Mine(mine) => Ok(Err(mine)),
                Claim::Settled(outcome) => settled(outcome).map(Ok),
            }) {
                Ok(Ok((decision, permit, approvers))) => {
                    return self.finish(&capability, request, decision, permit, &approvers, now)
                }
                Ok(Err(mine)) => claimed = Some(mine),
                Err(e) => return Err(self.idempotency_failure(&capability, request, key, e, now)),
            }
        }
        let (mut decision, mut approvers) =
            self.verifier
                .check_approved(&capability, request, options.proof.as_deref(), now);
        let mut permit = None;
        if decision.allowed {
            let cap_id = capability.id();
            let mut req = PermitRequest::new(
                &request.agent,
                self.verifier.audience(),
                &request.action,
                &request.args,
                &cap_id,
            );
            if let Some(jti) = &options.permit_id {
                req = req.with_jti(jti);
            }
            if let Some(key) = &options.idempotency_key {
                req = req.with_idempotency_key(key);
            }
            match self.permits.mint(&req, now) {
                Ok(p) => permit = Some(p),
                Err(e) => {
                    decision = Decision::deny(vec![Reason::new(
                        e.code(),
                        None,
                        format!("no permit could be issued: {}", e.message()),
                    )])
                }
            }
        }
        if let (Some((key, store, _)), Some(mine)) = (&idem, &claimed) {
            let (outcome, expires) = match &permit {
                Some(p) if !approvers.is_empty() => (
                    Outcome::Approved {
                        token: p.token().to_string(),
                        approvers: approvers.clone(),
                    },
                    p.claims().exp,
                ),
                Some(p) => (Outcome::Permit(p.token().to_string()), p.claims().exp),
                None => (
                    Outcome::Denied(decision.reasons.clone()),
                    now.saturating_add(self.permits.ttl()),
                ),
            };
            if let Err(e) = complete(store.as_ref(), key, mine, &outcome, expires) {
                return Err(self.idempotency_failure(&capability, request, key, e, now));
            }
        }
        if !decision.allowed {
            approvers.clear();
        }
        self.finish(&capability, request, decision, permit, &approvers, now)
    }

    /// Records the decision (with the approvers that counted) and returns the
    /// permit, or the denial.
    fn finish(
        &self,
        capability: &Capability,
        request: &Request,
        decision: Decision,
        permit: Option<Permit>,
        approvers: &[String],
        now: i64,
    ) -> Result<Permit, Error> {
        self.record(
            Some(capability),
            request,
            &decision,
            permit.as_ref(),
            approvers,
            now,
        )
        .map_err(|e| Error::denied(vec![unrecorded(e)]))?;
        match permit {
            Some(p) if decision.allowed => Ok(p),
            _ => Err(Error::denied(decision.reasons)),
        }
    }

    /// An idempotency key that cannot be honoured (another call's key, a
    /// store that does not answer): recorded as a denial; the error says why.
    fn idempotency_failure(
        &self,
        capability: &Capability,
        request: &Request,
        key: &str,
        e: Error,
        now: i64,
    ) -> Error {
        let denial = Decision::deny(vec![Reason::new(
            e.code(),
            None,
            format!("idempotency key {key:?}: {}", e.message()),
        )]);
        if let Err(r) = self.record(Some(capability), request, &denial, None, &[], now) {
            return Error::denied(vec![unrecorded(r)]);
        }
        if e.code() == ErrorCode::IdempotencyConflict {
            e
        } else {
            Error::denied(denial.reasons)
        }
    }

    fn deny_unparsed(&self, e: Error, request: &Request, now: i64) -> Result<Decision, Error> {
        let decision = Decision::deny(vec![Reason::from(e)]);
        self.record(None, request, &decision, None, &[], now)
            .map_err(|e| Error::denied(vec![unrecorded(e)]))?;
        Ok(decision)
    }

    fn record(
        &self,
        capability: Option<&Capability>,
        request: &Request,
        decision: &Decision,
        permit: Option<&Permit>,
        approvers: &[String],
        now: i64,
    ) -> Result<(), Error> {
        // Arguments that are not I-JSON cannot be hashed; record the call with the hash of null.
        let args = if crate::jcs::validate(&request.args).is_ok() {
            request.args.clone()
        } else {
            serde_json::Value::Null
        };
        let mut input =
            ReceiptInput::from_decision(now, &request.agent, &request.action, &args, decision)?;
        if let Some(cap) = capability {
            input = input.with_capability(cap.id());
        }
        if let Some(p) = permit {
            input = input.with_permit(p.claims().jti.clone());
        }
        if !approvers.is_empty() {
            input = input.with_approvers(approvers.to_vec());
        }
        self.log.append(input).map(|_| ())
    }
}

/// A settled outcome as the decision, permit and approvers `protect`
/// returns and records.
fn settled(outcome: Outcome) -> Result<(Decision, Option<Permit>, Vec<String>), Error> {
    let allowed = |token: &str, approvers| {
        Permit::parse(token).map(|p| (Decision::allow(), Some(p), approvers))
    };
    match outcome {
        Outcome::Permit(token) => allowed(&token, Vec::new()),
        Outcome::Approved { token, approvers } => allowed(&token, approvers),
        Outcome::Denied(reasons) => Ok((Decision::deny(reasons), None, Vec::new())),
    }
}

fn unrecorded(e: Error) -> Reason {
    let code = if e.code() == ErrorCode::Denied {
        ErrorCode::Io
    } else {
        e.code()
    };
    Reason::new(
        code,
        None,
        format!(
            "the decision could not be recorded in the audit log, so the call is denied: {}",
            e.message()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::MemoryAuditLog;
    use crate::keys::{KeySet, RootKey, SigningKey};
    use crate::permit::PermitVerifier;
    use crate::receipt::{Outcome, Receipt};
    use crate::Issuer;
    use serde_json::json;

    const NOW: i64 = 1_767_225_600;

    fn guard() -> (Guard, Capability, Arc<MemoryAuditLog>, SigningKey) {
        let root = RootKey::from_bytes(&[1; 32]).unwrap();
        let cap = Issuer::new(root.clone())
            .issue()
            .token_id([2; 16])
            .issued_at(NOW)
            .caveat("args.amount <= 5000")
            .never_expires()
            .build()
            .unwrap();
        let permit_key = SigningKey::from_bytes(&[3; 32]).unwrap();
        let log = Arc::new(MemoryAuditLog::new(
            SigningKey::from_bytes(&[4; 32]).unwrap(),
        ));
        let g = Guard::new(
            Verifier::new([root], "refunds").unwrap(),
            PermitIssuer::new(permit_key.clone(), "gateway"),
            log.clone(),
        );
        (g, cap, log, permit_key)
    }

    #[test]
    fn allow_issues_a_permit_and_records_it() {
        let (g, cap, log, key) = guard();
        let req = Request::new("shopper", "refund", json!({"amount": 100}));
        let permit = g
            .protect(
                &cap,
                &req,
                &CallOptions {
                    idempotency_key: Some("call-1".into()),
                    permit_id: Some("permit-1".into()),
                    ..CallOptions::at(NOW)
                },
            )
            .unwrap();
        let head = log.head().unwrap().unwrap();
        assert_eq!(head.decision(), Outcome::Allow);
        assert_eq!(head.permit(), Some("permit-1"));
        assert_eq!(head.cap(), Some(cap.id().as_str()));
        let verifier =
            PermitVerifier::new(KeySet::from_keys([key.public_key()]).unwrap(), "refunds");
        let claims = verifier
            .verify(permit.token(), "refund", &json!({"amount": 100}), NOW + 1)
            .unwrap();
        assert_eq!(claims.idem.as_deref(), Some("call-1"));
    }

    /// A clock at the ends of i64: no permit (its exp = iat + ttl is checked),
    /// no receipt with an inexact ts, and the call is denied, never a panic.
    #[test]
    fn extreme_clocks_deny_without_panicking() {
        let (g, cap, log, _) = guard();
        let req = Request::new("shopper", "refund", json!({"amount": 100}));
        for now in [i64::MAX, i64::MIN] {
            let e = g
                .protect(&cap, &req, &CallOptions::at(now))
                .expect_err("no permit at an extreme clock");
            assert_eq!(e.code(), ErrorCode::Denied, "{now}");
            assert!(!g.check(&cap, &req, &CallOptions::at(now)).allowed, "{now}");
        }
        for r in log.receipts(0..log.len().unwrap()).unwrap() {
            assert!(r.ts().unsigned_abs() <= crate::jcs::MAX_SAFE_INTEGER as u64);
        }
    }

    #[test]
    fn deny_raises_and_records() {
        let (g, cap, log, _) = guard();
        let req = Request::new("shopper", "refund", json!({"amount": 9000}));
        let err = g.protect(&cap, &req, &CallOptions::at(NOW)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Denied);
        assert_eq!(err.reasons()[0].code, ErrorCode::CaveatFailed);
        assert_eq!(log.head().unwrap().unwrap().decision(), Outcome::Deny);
        let d = g.check("garbage", &req, &CallOptions::at(NOW));
        assert_eq!(d.reasons[0].code, ErrorCode::Malformed);
        assert_eq!(log.len().unwrap(), 2);
        assert_eq!(log.head().unwrap().unwrap().cap(), None);
    }

    #[test]
    fn an_oversized_call_is_still_recorded() {
        let (g, cap, log, _) = guard();
        let agent = "a".repeat(70_000);
        let action = "b".repeat(70_000);
        let over = Request::new(&agent, &action, json!({"amount": 9000}));
        let err = g.protect(&cap, &over, &CallOptions::at(NOW)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Denied);
        assert_eq!(err.reasons()[0].code, ErrorCode::CaveatFailed, "{err}");
        let head = log.head().unwrap().unwrap();
        assert_eq!((log.len().unwrap(), head.decision()), (1, Outcome::Deny));
        assert!(agent.starts_with(head.agent()));
        let clipped = head.clipped().unwrap();
        assert_eq!(clipped["agent"].bytes, 70_000);
        assert_eq!(clipped["action"].bytes, 70_000);
        // An allowed call as large is recorded the same way, and stays allowed.
        let small = Request::new(&agent, &action, json!({"amount": 100}));
        let d = g.check(&cap, &small, &CallOptions::at(NOW));
        assert!(d.allowed, "{d:?}");
        assert_eq!(log.len().unwrap(), 2);
        assert_eq!(log.head().unwrap().unwrap().decision(), Outcome::Allow);
        assert!(log.head().unwrap().unwrap().clipped().is_some());
    }

    fn idem_guard() -> (Guard, Capability, Arc<MemoryAuditLog>) {
        let root = RootKey::from_bytes(&[1; 32]).unwrap();
        let cap = crate::Issuer::new(root.clone())
            .issue()
            .token_id([7; 16])
            .issued_at(NOW)
            .actions(&["refund"])
            .never_expires()
            .caveat("args.amount <= 500")
            .build()
            .unwrap();
        let key = SigningKey::from_bytes(&[2; 32]).unwrap();
        let log = Arc::new(MemoryAuditLog::new(key.clone()));
        let store = Arc::new(crate::MemoryIdempotencyStore::new());
        let g = Guard::new(
            Verifier::new([root], "shop").unwrap(),
            PermitIssuer::new(key, "gw").with_idempotency_store(store),
            log.clone(),
        );
        (g, cap, log)
    }

    #[test]
    fn the_same_key_and_call_gets_the_same_permit_or_denial() {
        let (g, cap, log) = idem_guard();
        let opts = |key: &str, now: i64| CallOptions {
            idempotency_key: Some(key.into()),
            ..CallOptions::at(now)
        };
        let req = Request::new("shopper", "refund", json!({"amount": 100}));
        let first = g.protect(&cap, &req, &opts("k1", NOW)).unwrap();
        let again = g.protect(&cap, &req, &opts("k1", NOW + 5)).unwrap();
        assert_eq!(first.token(), again.token());
        // Without a key, or with another key: a new permit.
        let other = g.protect(&cap, &req, &opts("k2", NOW)).unwrap();
        assert_ne!(other.token(), first.token());
        // The same key for another call: idempotency_conflict, and recorded.
        let req2 = Request::new("shopper", "refund", json!({"amount": 101}));
        let e = g.protect(&cap, &req2, &opts("k1", NOW)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::IdempotencyConflict, "{e}");
        assert_eq!(log.head().unwrap().unwrap().decision(), Outcome::Deny);
        // A denial is remembered too.
        let big = Request::new("shopper", "refund", json!({"amount": 900}));
        let d1 = g.protect(&cap, &big, &opts("k3", NOW)).unwrap_err();
        let d2 = g.protect(&cap, &big, &opts("k3", NOW + 1)).unwrap_err();
        assert_eq!(d1.code(), ErrorCode::Denied);
        assert_eq!(d1.reasons(), d2.reasons());
        // Every call is recorded.
        assert_eq!(log.len().unwrap(), 6);
        // Once the permit has expired the key can be used again.
        let later = g
            .protect(
                &cap,
                &req,
                &opts("k1", NOW + crate::permit::DEFAULT_TTL + 1),
            )
            .unwrap();
        assert_ne!(later.token(), first.token());
    }

    /// A denial for want of approvals, replayed through the idempotency
    /// store, is still `approval_required` with the need (which keys, how
    /// many, the exact call), so a retry can still ask a person.
    #[test]
    fn a_replayed_approval_denial_keeps_its_need() {
        let root = RootKey::from_bytes(&[1; 32]).unwrap();
        let alice = SigningKey::from_bytes(&[5; 32]).unwrap();
        let bob = SigningKey::from_bytes(&[6; 32]).unwrap();
        let cap = crate::Issuer::new(root.clone())
            .issue()
            .token_id([9; 16])
            .issued_at(NOW)
            .never_expires()
            .caveat(format!(
                "approval(2, [\"{}\", \"{}\"])",
                alice.kid(),
                bob.kid()
            ))
            .build()
            .unwrap();
        let key = SigningKey::from_bytes(&[2; 32]).unwrap();
        let log = Arc::new(MemoryAuditLog::new(key.clone()));
        let g = Guard::new(
            Verifier::new([root], "shop").unwrap(),
            PermitIssuer::new(key, "gw")
                .with_idempotency_store(Arc::new(crate::MemoryIdempotencyStore::new())),
            log.clone(),
        );
        let opts = |now: i64| CallOptions {
            idempotency_key: Some("k1".into()),
            ..CallOptions::at(now)
        };
        let plain = Request::new("shopper", "refund", json!({"amount": 5000}));
        let call = crate::approval::ApprovedCall::of(&cap.id(), &plain, "shop").unwrap();
        let req = plain
            .clone()
            .with_approvals(vec![alice.approve(&call, NOW, 600).unwrap()]);
        let first = g.protect(&cap, &req, &opts(NOW)).unwrap_err();
        let again = g.protect(&cap, &req, &opts(NOW + 1)).unwrap_err();
        assert_eq!(first.code(), ErrorCode::ApprovalRequired, "{first}");
        assert_eq!(again.code(), ErrorCode::ApprovalRequired, "{again}");
        let need = first.reasons()[0].approval.clone().unwrap();
        assert_eq!((need.required, need.valid), (2, 1));
        assert_eq!(need.capability, cap.id());
        assert_eq!(again.reasons(), first.reasons());
        assert_eq!(again.message(), first.message());
        assert_eq!(log.len().unwrap(), 2);

        // With both approvals, under a new key: the permit, and its retry,
        // each recorded with the approvers that allowed the call.
        let both = plain.clone().with_approvals(vec![
            alice.approve(&call, NOW, 600).unwrap(),
            bob.approve(&call, NOW, 600).unwrap(),
        ]);
        let approved = |now: i64| CallOptions {
            idempotency_key: Some("k2".into()),
            ..CallOptions::at(now)
        };
        let permit = g.protect(&cap, &both, &approved(NOW)).unwrap();
        let mut kids = vec![alice.kid(), bob.kid()];
        kids.sort();
        let recorded = |log: &MemoryAuditLog| {
            let mut a = log.head().unwrap().unwrap().approvers().to_vec();
            a.sort();
            a
        };
        assert_eq!(recorded(&log), kids);
        // The retry carries no approvals at all: the stored outcome names them.
        let retry = g.protect(&cap, &plain, &approved(NOW + 1));
        assert_eq!(retry.unwrap().token(), permit.token());
        let head = log.head().unwrap().unwrap();
        assert_eq!(head.decision(), Outcome::Allow);
        assert_eq!(recorded(&log), kids);
        assert_eq!(log.len().unwrap(), 4);
    }

    /// A retry with the same key and call returns the stored permit without
    /// spending the budget again; a new key spends (and here runs out).
    #[test]
    fn a_retry_spends_no_budget() {
        let root = RootKey::from_bytes(&[1; 32]).unwrap();
        let cap = crate::Issuer::new(root.clone())
            .issue()
            .token_id([8; 16])
            .issued_at(NOW)
            .never_expires()
            .caveat("budget(\"refunds\", 1, 3600)")
            .build()
            .unwrap();
        let key = SigningKey::from_bytes(&[2; 32]).unwrap();
        let log = Arc::new(MemoryAuditLog::new(key.clone()));
        let g = Guard::new(
            Verifier::new([root], "shop")
                .unwrap()
                .with_budget_store(Arc::new(crate::MemoryBudgetStore::new())),
            PermitIssuer::new(key, "gw")
                .with_idempotency_store(Arc::new(crate::MemoryIdempotencyStore::new())),
            log.clone(),
        );
        let opts = |key: &str| CallOptions {
            idempotency_key: Some(key.into()),
            ..CallOptions::at(NOW)
        };
        let req = Request::new("shopper", "refund", json!({"amount": 100}));
        let first = g.protect(&cap, &req, &opts("k1")).unwrap();
        for _ in 0..3 {
            let again = g.protect(&cap, &req, &opts("k1")).unwrap();
            assert_eq!(again.token(), first.token());
        }
        // The one unit was spent once: a new key finds the budget exhausted.
        let e = g.protect(&cap, &req, &opts("k2")).unwrap_err();
        assert_eq!(e.reasons()[0].code, ErrorCode::BudgetExhausted, "{e}");
        // That denial is what k2 means now, also without spending.
        let e2 = g.protect(&cap, &req, &opts("k2")).unwrap_err();
        assert_eq!(e2.reasons(), e.reasons());
        // Another call under k1 is a conflict, found before deciding.
        let other = Request::new("shopper", "refund", json!({"amount": 7}));
        let c = g.protect(&cap, &other, &opts("k1")).unwrap_err();
        assert_eq!(c.code(), ErrorCode::IdempotencyConflict);
        // Every call is recorded, retries included.
        assert_eq!(log.len().unwrap(), 7);
    }

    #[test]
    fn a_permit_issuer_alone_honours_keys() {
        let key = SigningKey::from_bytes(&[2; 32]).unwrap();
        let issuer = PermitIssuer::new(key, "gw")
            .with_idempotency_store(Arc::new(crate::MemoryIdempotencyStore::new()));
        let args = json!({"a": 1});
        let req = PermitRequest::new("ag", "aud", "act", &args, "cap").with_idempotency_key("k");
        let a = issuer.issue(&req, NOW).unwrap();
        assert_eq!(issuer.issue(&req, NOW + 1).unwrap().token(), a.token());
        let args2 = json!({"a": 2});
        let req2 = PermitRequest::new("ag", "aud", "act", &args2, "cap").with_idempotency_key("k");
        assert_eq!(
            issuer.issue(&req2, NOW).unwrap_err().code(),
            ErrorCode::IdempotencyConflict
        );
        // No key: a new permit every time.
        let plain = PermitRequest::new("ag", "aud", "act", &args, "cap");
        assert_ne!(issuer.issue(&plain, NOW).unwrap().token(), a.token());
    }

    /// A log that refuses every append: the guard must deny, never allow unrecorded.
    struct BrokenLog;
    impl AuditLog for BrokenLog {
        fn append(&self, _: ReceiptInput) -> Result<Receipt, Error> {
            Err(Error::new(ErrorCode::Io, "disk full"))
        }
        fn len(&self) -> Result<u64, Error> {
            Ok(0)
        }
        fn head(&self) -> Result<Option<Receipt>, Error> {
            Ok(None)
        }
        fn receipts(&self, _: std::ops::Range<u64>) -> Result<Vec<Receipt>, Error> {
            Ok(vec![])
        }
        fn keys(&self) -> KeySet {
            KeySet::new()
        }
        fn export_bundle(&self, _: std::ops::Range<u64>) -> Result<crate::audit::Bundle, Error> {
            Err(Error::new(ErrorCode::Io, "disk full"))
        }
    }

    #[test]
    fn an_unrecordable_decision_denies() {
        let (g, cap, _, key) = guard();
        let g = Guard::new(
            g.verifier,
            PermitIssuer::new(key, "gateway"),
            Arc::new(BrokenLog),
        );
        let req = Request::new("shopper", "refund", json!({"amount": 100}));
        let err = g.protect(&cap, &req, &CallOptions::at(NOW)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Denied);
        assert_eq!(err.reasons()[0].code, ErrorCode::Io);
        let d = g.check(&cap, &req, &CallOptions::at(NOW));
        assert!(!d.allowed);
        assert_eq!(d.reasons[0].code, ErrorCode::Io);
    }
}
