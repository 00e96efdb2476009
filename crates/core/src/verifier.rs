//! Deciding one call: is this capability, presented with this request (and
//! maybe a holder proof), allowed here and now?

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use crate::approval::{ApprovalCaveat, ApprovedCall};
use crate::budget::{BudgetCaveat, BudgetStore, Spend, SpendError};
use crate::call::{CallOptions, CapabilityRef};
use crate::capability::{id_of_tag, Capability, EXPIRES_PREFIX, NOT_BEFORE_PREFIX};
use crate::caveat::{Context, Expr};
use crate::decision::{Decision, Reason};
use crate::holder::verify_proof;
use crate::keys::RootKey;
use crate::replay::{MemoryReplayStore, ReplayStore};
use crate::request::Request;
use crate::revocation::{MemoryRevocationList, RevocationList};
use crate::{Error, ErrorCode, SharedState};

/// How long a holder proof stays fresh, seconds.
pub const DEFAULT_PROOF_WINDOW: i64 = 60;
/// Clock skew tolerated between holder and verifier, seconds.
pub const DEFAULT_LEEWAY: i64 = 30;
/// Largest proof window or leeway a verifier may be configured with.
pub const MAX_WINDOW: i64 = 600;
/// Compiled caveats kept per verifier (a count, so memory stays bounded).
const CACHE_CAPACITY: usize = 4096;

/// Checks capabilities minted with any of its root keys, for one audience.
pub struct Verifier {
    roots: BTreeMap<String, RootKey>,
    audience: String,
    revocations: Arc<dyn RevocationList>,
    replay: Arc<dyn ReplayStore>,
    budgets: Option<Arc<dyn BudgetStore>>,
    proof_window: i64,
    leeway: i64,
    compiled: RwLock<HashMap<String, Arc<Expr>>>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("audience", &self.audience)
            .field("roots", &self.roots.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The reason a caveat that could not be evaluated gives: its error's code,
/// its index, and an excerpt of its text.
fn caveat_error(index: u32, source: &str, code: ErrorCode, e: impl std::fmt::Display) -> Reason {
    Reason::new(code, Some(index), format!("caveat {index} ({source}): {e}"))
}

/// A caveat as quoted in a reason: whole when short, else its first 80
/// characters, so a hostile 4 KiB caveat cannot flood logs and messages.
fn excerpt(source: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 80;
    match source.char_indices().nth(MAX) {
        None => source.into(),
        Some((cut, _)) => format!("{}…", &source[..cut]).into(),
    }
}

impl Verifier {
    /// A verifier holding `roots` (several allow rotation) for `audience`,
    /// the identity caveats see as `audience`.
    pub fn new(
        roots: impl IntoIterator<Item = RootKey>,
        audience: impl Into<String>,
    ) -> Result<Self, Error> {
        let roots: BTreeMap<String, RootKey> = roots
            .into_iter()
            .map(|r| (r.kid().to_string(), r))
            .collect();
        if roots.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "a verifier needs at least one root key",
            ));
        }
        Ok(Verifier {
            roots,
            audience: audience.into(),
            revocations: Arc::new(MemoryRevocationList::new()),
            replay: Arc::new(MemoryReplayStore::new()),
            budgets: None,
            proof_window: DEFAULT_PROOF_WINDOW,
            leeway: DEFAULT_LEEWAY,
            compiled: RwLock::new(HashMap::new()),
        })
    }

    /// Looks revocations up in `list` (shared with other verifiers, or a
    /// store), instead of the verifier's own in-memory list.
    pub fn with_revocations(mut self, list: Arc<dyn RevocationList>) -> Self {
        self.revocations = list;
        self
    }

    /// Spends `budget(...)` caveats from `store` (shared by every replica
    /// that must respect one budget). Without one, a capability with a budget
    /// caveat is denied (`store_unavailable`): a budget is never unenforced.
    pub fn with_budget_store(mut self, store: Arc<dyn BudgetStore>) -> Self {
        self.budgets = Some(store);
        self
    }

    /// Remembers holder-proof nonces in `store` instead of in memory.
    pub fn with_replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = store;
        self
    }

    /// Keeps revocations, holder-proof nonces and budgets in `state` (every
    /// replica on one store sees one of each); `None` leaves them in this
    /// verifier's memory, as a binding's absent `store` argument does.
    pub fn with_state<S: SharedState + ?Sized>(self, state: Option<&S>) -> Self {
        match state {
            Some(s) => self
                .with_revocations(s.revocations())
                .with_replay_store(s.replay())
                .with_budget_store(s.budgets()),
            None => self,
        }
    }

    /// Proof freshness window (1 to 600 seconds, default
    /// [`DEFAULT_PROOF_WINDOW`]) and clock leeway (0 to 600 seconds, default
    /// [`DEFAULT_LEEWAY`]); `None` keeps the default. A proof signed at `iat`
    /// is fresh while `iat - leeway <= now < iat + window`: a window of 60 is
    /// 60 seconds.
    pub fn with_proof_window(
        mut self,
        window: Option<i64>,
        leeway: Option<i64>,
    ) -> Result<Self, Error> {
        let window = window.unwrap_or(DEFAULT_PROOF_WINDOW);
        let leeway = leeway.unwrap_or(DEFAULT_LEEWAY);
        if !(1..=MAX_WINDOW).contains(&window) || !(0..=MAX_WINDOW).contains(&leeway) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "proof window must be 1 to {MAX_WINDOW} seconds and leeway 0 to {MAX_WINDOW} seconds, got {window} and {leeway}"
                ),
            ));
        }
        self.proof_window = window;
        self.leeway = leeway;
        Ok(self)
    }

    /// Revokes a capability id (that capability and every narrowing of it) or
    /// a token id (every capability minted with it), in this verifier's
    /// revocation list; anything not shaped like an id is `invalid_argument`.
    pub fn revoke(&self, capability_id: &str) -> Result<(), Error> {
        self.revocations.revoke(capability_id)
    }

    /// The identity caveats see as `audience`; permits are issued for it.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Decides one request. Structural failures (unparsable text, unknown
    /// root, bad chain, revoked, bad proof) give one reason; otherwise every
    /// caveat is evaluated and each one that fails is named. `options` gives
    /// the proof and the time (the system clock when absent).
    pub fn check<'a>(
        &self,
        capability: impl Into<CapabilityRef<'a>>,
        request: &Request,
        options: &CallOptions,
    ) -> Decision {
        match capability.into().resolve() {
            Ok(cap) => self.check_at(&cap, request, options.proof.as_deref(), options.now()),
            Err(e) => Decision::deny(vec![e.into()]),
        }
    }

    /// [`Verifier::check`] of a parsed capability at `now`, for the guard
    /// (which has parsed it already and fixed the time).
    pub(crate) fn check_at(
        &self,
        cap: &Capability,
        request: &Request,
        proof: Option<&str>,
        now: i64,
    ) -> Decision {
        self.check_approved(cap, request, proof, now).0
    }

    /// [`Verifier::check_at`], with the key ids of the approvers whose
    /// approvals counted (sorted, distinct; empty when none was needed), for
    /// the guard's receipt.
    pub(crate) fn check_approved(
        &self,
        cap: &Capability,
        request: &Request,
        proof: Option<&str>,
        now: i64,
    ) -> (Decision, Vec<String>) {
        let mut approvers = Vec::new();
        let decision = match self.check_inner(cap, request, proof, now, &mut approvers) {
            Ok(reasons) if reasons.is_empty() => Decision::allow(),
            Ok(reasons) => Decision::deny(reasons),
            Err(e) => Decision::deny(vec![e.into()]),
        };
        if !decision.allowed {
            approvers.clear();
        }
        (decision, approvers)
    }

    fn check_inner(
        &self,
        cap: &Capability,
        request: &Request,
        proof: Option<&str>,
        now: i64,
        approvers: &mut Vec<String>,
    ) -> Result<Vec<Reason>, Error> {
        request.validate()?;
        let root = self.roots.get(cap.root_kid()).ok_or_else(|| {
            Error::new(
                ErrorCode::UnknownKey,
                format!(
                    "capability was minted with root key {:?}, which this verifier does not hold",
                    cap.root_kid()
                ),
            )
        })?;
        let tags = cap.verify_chain(root)?;
        if !self.revocations.is_empty() {
            // A token id revokes every capability minted with it (see
            // `revocation`): ids of both kinds share one list, asked in one
            // lookup (one query for a database list).
            let ids: Vec<String> = std::iter::once(cap.token_id().to_string())
                .chain(tags.iter().map(id_of_tag))
                .collect();
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            if let Some(id) = self.first_revoked(&refs)? {
                return Err(Error::new(
                    ErrorCode::Revoked,
                    if id == cap.token_id() {
                        format!("token {id} (every capability minted with it, this one included) is revoked")
                    } else {
                        format!("capability {id} (this one or one it was narrowed from) is revoked")
                    },
                ));
            }
        }
        let holder = match proof {
            Some(p) => Some(verify_proof(
                p,
                &cap.id(),
                request,
                &self.audience,
                now,
                self.proof_window,
                self.leeway,
                self.replay.as_ref(),
            )?),
            None => None,
        };
        let ctx = Context {
            agent: &request.agent,
            action: &request.action,
            args: &request.args,
            resource: request.resource.as_deref(),
            audience: &self.audience,
            now,
            holder: holder.as_deref(),
        };
        let mut reasons = Vec::new();
        let mut spends = Vec::new();
        let mut approvals = Vec::new();
        for (index, full) in cap.caveats().iter().enumerate() {
            let index = index as u32;
            let source = excerpt(full);
            if let Some(approval) = ApprovalCaveat::parse(full) {
                // Counted below, once every caveat is known.
                approvals.push((index, approval));
                continue;
            }
            if let Some(budget) = BudgetCaveat::parse(full) {
                // Spent below, all at once, only if every other caveat allows.
                match budget.and_then(|b| b.spend(cap.token_id(), index, full, &ctx)) {
                    Ok(s) => spends.push((index, s)),
                    Err(e) => reasons.push(caveat_error(index, &source, e.code(), &e)),
                }
                continue;
            }
            let outcome = self.compiled(full).and_then(|expr| expr.eval(&ctx));
            match outcome {
                Ok(true) => {}
                Ok(false) => {
                    // The builder's own time caveats get the codes people look for.
                    let code = if full.starts_with(EXPIRES_PREFIX) {
                        ErrorCode::Expired
                    } else if full.starts_with(NOT_BEFORE_PREFIX) {
                        ErrorCode::NotYetValid
                    } else {
                        ErrorCode::CaveatFailed
                    };
                    let message = match code {
                        ErrorCode::Expired => {
                            format!("capability expired (caveat {index}: {source})")
                        }
                        ErrorCode::NotYetValid => {
                            format!("capability not valid yet (caveat {index}: {source})")
                        }
                        _ => format!("caveat {index} is false: {source}"),
                    };
                    reasons.push(Reason::new(code, Some(index), message));
                }
                Err(e) => {
                    // A caveat that reads `holder` with no proof shown fails
                    // with its own code (proof_required) and says what to do.
                    reasons.push(caveat_error(index, &source, e.code(), &e));
                }
            }
        }
        if !approvals.is_empty() {
            self.approval_reasons(cap, request, &ctx, approvals, &mut reasons, approvers);
        }
        if reasons.is_empty() && !spends.is_empty() {
            let (indices, all): (Vec<u32>, Vec<Spend>) = spends.into_iter().unzip();
            let spent = match &self.budgets {
                None => Err(SpendError::Failed(Error::new(
                    ErrorCode::StoreUnavailable,
                    "this capability has a budget caveat and this verifier has no budget store, so the check denies; give the verifier a store (with_budget_store)",
                ))),
                Some(store) => store.spend(&all, now),
            };
            if let Err(e) = spent {
                // The spend that ran out names its caveat; otherwise the first budget's.
                let index = indices[e.exhausted_index().unwrap_or(0).min(indices.len() - 1)];
                let source = excerpt(&cap.caveats()[index as usize]);
                reasons.push(Reason::new(
                    e.code(),
                    Some(index),
                    format!("caveat {index} ({source}): {}", e.error().message()),
                ));
            }
        }
        Ok(reasons)
    }

    /// Evaluates the `approval(...)` caveats of one check (see
    /// [`crate::approval`]): each one whose condition holds needs valid
    /// approvals of this exact call from M distinct listed keys, or adds an
    /// `approval_required` reason saying what is needed and why each offered
    /// approval did not count. The approvers that counted are added to
    /// `approvers`.
    fn approval_reasons(
        &self,
        cap: &Capability,
        request: &Request,
        ctx: &Context<'_>,
        caveats: Vec<(u32, Result<ApprovalCaveat, Error>)>,
        reasons: &mut Vec<Reason>,
        approvers: &mut Vec<String>,
    ) {
        let mut verified = None;
        for (index, caveat) in caveats {
            let source = excerpt(&cap.caveats()[index as usize]);
            // The caveat, if its condition holds for this call, and the call.
            let found = caveat.and_then(|caveat| {
                let needed = match &caveat.condition {
                    None => true,
                    Some(expr) => expr.eval(ctx)?,
                };
                if !needed {
                    return Ok(None);
                }
                let call = ApprovedCall::of(&cap.id(), request, &self.audience)?;
                Ok(Some((caveat, call)))
            });
            let (caveat, call) = match found {
                Ok(Some(found)) => found,
                Ok(None) => continue,
                Err(e) => {
                    reasons.push(caveat_error(index, &source, e.code(), &e));
                    continue;
                }
            };
            let verified = verified.get_or_insert_with(|| {
                crate::approval::verify_offered(&request.approvals, &call, ctx.now, self.leeway)
            });
            let (counted, why_not) = crate::approval::tally(&caveat, verified);
            if counted.len() >= caveat.required as usize {
                approvers.extend(counted);
            } else {
                reasons.push(crate::approval::required_reason(
                    index,
                    &source,
                    &caveat,
                    &call,
                    counted.len(),
                    &why_not,
                ));
            }
        }
        approvers.sort_unstable();
        approvers.dedup();
    }

    /// Asks the revocation list; a list that cannot answer denies (its
    /// error, typically `store_unavailable`, is the reason), never allows.
    fn first_revoked(&self, ids: &[&str]) -> Result<Option<String>, Error> {
        self.revocations.first_revoked(ids).map_err(|e| {
            Error::new(
                e.code(),
                format!(
                    "the revocation list could not be consulted, so the check denies: {}",
                    e.message()
                ),
            )
        })
    }

    fn compiled(&self, source: &str) -> Result<Arc<Expr>, crate::caveat::CaveatError> {
        if let Some(expr) = self
            .compiled
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(source)
        {
            return Ok(expr.clone());
        }
        let expr = Arc::new(Expr::compile(source)?);
        let mut cache = self.compiled.write().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(source.to_string(), expr.clone());
        Ok(expr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Holder, Issuer, SigningKey};
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;

    fn setup() -> (RootKey, Capability, Request) {
        let root = RootKey::from_bytes(&[5; 32]).unwrap();
        let cap = Issuer::new(root.clone())
            .issue()
            .token_id([3; 16])
            .issued_at(NOW)
            .actions(&["refund"])
            .expires_at(NOW + 3600)
            .build()
            .unwrap();
        (
            root,
            cap,
            Request::new("shopper", "refund", json!({"amount": 100})),
        )
    }

    fn codes(d: &Decision) -> Vec<&'static str> {
        d.reasons.iter().map(|r| r.code.as_str()).collect()
    }

    #[test]
    fn budgets_are_spent_only_when_everything_else_allows() {
        let (root, cap, req) = setup();
        let cap = cap
            .attenuate("budget(\"refunds\", 3, 3600)")
            .unwrap()
            .attenuate("budget('cents', 250, 3600, args.amount)")
            .unwrap();
        // No budget store: fail closed.
        let bare = Verifier::new([root.clone()], "shop").unwrap();
        let d = bare.check(&cap, &req, &CallOptions::at(NOW));
        assert_eq!(codes(&d), ["store_unavailable"]);
        let v = Verifier::new([root], "shop")
            .unwrap()
            .with_budget_store(Arc::new(crate::MemoryBudgetStore::new()));
        assert!(v.check(&cap, &req, &CallOptions::at(NOW)).allowed);
        // A call another caveat denies spends nothing.
        let narrowed = cap.attenuate("args.amount <= 50").unwrap();
        assert!(!v.check(&narrowed, &req, &CallOptions::at(NOW)).allowed);
        assert!(v.check(&cap, &req, &CallOptions::at(NOW)).allowed);
        // 200 of 250 cents spent: 100 more does not fit (caveat 3), nothing is spent.
        let d = v.check(&cap, &req, &CallOptions::at(NOW));
        assert_eq!(codes(&d), ["budget_exhausted"]);
        assert_eq!(d.reasons[0].caveat_index, Some(3));
        let small = Request::new("shopper", "refund", json!({"amount": 50}));
        // 50 fits the cents exactly; then the call counter (3 per hour) is spent: caveat 2.
        assert!(v.check(&cap, &small, &CallOptions::at(NOW)).allowed);
        let d = v.check(&cap, &small, &CallOptions::at(NOW));
        assert_eq!(codes(&d), ["budget_exhausted"]);
        assert_eq!(d.reasons[0].caveat_index, Some(2));
        // The next window starts empty.
        assert!(v.check(&cap, &small, &CallOptions::at(NOW + 2800)).allowed);
        // A narrowing shares its ancestor's counters.
        let child = cap.attenuate("args.amount <= 60").unwrap();
        for _ in 0..2 {
            assert!(
                v.check(&child, &small, &CallOptions::at(NOW + 2800))
                    .allowed
            );
        }
        assert_eq!(
            codes(&v.check(&child, &small, &CallOptions::at(NOW + 2800))),
            ["budget_exhausted"]
        );
        // A negative amount is a caveat error.
        let neg = Request::new("shopper", "refund", json!({"amount": -5}));
        assert_eq!(
            codes(&v.check(&cap, &neg, &CallOptions::at(NOW + 2800))),
            ["caveat_error"]
        );
        // Minting a malformed budget is refused.
        assert_eq!(
            cap.attenuate("budget(\"x\", 1)").unwrap_err().code(),
            ErrorCode::InvalidCaveat
        );
    }

    /// The caveat a denial names is the one the store says ran out, whatever
    /// its message says.
    #[test]
    fn the_exhausted_caveat_comes_from_the_store_not_its_message() {
        struct Second;
        impl BudgetStore for Second {
            fn spend(&self, spends: &[Spend], _: i64) -> Result<(), SpendError> {
                Err(SpendError::Exhausted {
                    index: 1,
                    // A message that names the first counter must not mislead.
                    error: Error::new(
                        ErrorCode::BudgetExhausted,
                        format!("budget {} is a red herring", spends[0].counter),
                    ),
                })
            }
        }
        let (root, cap, req) = setup();
        let cap = cap
            .attenuate("budget(\"a\", 3, 3600)")
            .unwrap()
            .attenuate("budget(\"b\", 3, 3600)")
            .unwrap();
        let v = Verifier::new([root], "shop")
            .unwrap()
            .with_budget_store(Arc::new(Second));
        let d = v.check(&cap, &req, &CallOptions::at(NOW));
        assert_eq!(codes(&d), ["budget_exhausted"]);
        assert_eq!(d.reasons[0].caveat_index, Some(3));
    }

    #[test]
    fn an_unreachable_revocation_list_denies() {
        struct Down;
        impl RevocationList for Down {
            fn is_revoked(&self, _: &str) -> Result<bool, Error> {
                Err(Error::new(ErrorCode::StoreUnavailable, "database down"))
            }
            fn revoke(&self, _: &str) -> Result<(), Error> {
                Err(Error::new(ErrorCode::StoreUnavailable, "database down"))
            }
            fn revoked(&self) -> Result<Vec<String>, Error> {
                Err(Error::new(ErrorCode::StoreUnavailable, "database down"))
            }
        }
        let (root, cap, req) = setup();
        let v = Verifier::new([root], "shop")
            .unwrap()
            .with_revocations(Arc::new(Down));
        let d = v.check(&cap, &req, &CallOptions::at(NOW));
        assert_eq!(codes(&d), ["store_unavailable"]);
        assert!(d.reasons[0].message.contains("database down"));
    }

    /// A check asks the list once for the whole chain (one query for a
    /// database list), never once per id.
    #[test]
    fn revocations_are_looked_up_in_one_batch() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        #[derive(Default)]
        struct Counting {
            inner: MemoryRevocationList,
            singles: AtomicUsize,
            batches: AtomicUsize,
            asked: std::sync::Mutex<Vec<String>>,
        }
        impl RevocationList for Counting {
            fn is_revoked(&self, id: &str) -> Result<bool, Error> {
                self.singles.fetch_add(1, Ordering::SeqCst);
                self.inner.is_revoked(id)
            }
            fn first_revoked(&self, ids: &[&str]) -> Result<Option<String>, Error> {
                self.batches.fetch_add(1, Ordering::SeqCst);
                *self.asked.lock().unwrap() = ids.iter().map(|s| s.to_string()).collect();
                self.inner.first_revoked(ids)
            }
            fn revoke(&self, id: &str) -> Result<(), Error> {
                RevocationList::revoke(&self.inner, id)
            }
            fn revoked(&self) -> Result<Vec<String>, Error> {
                RevocationList::revoked(&self.inner)
            }
        }
        let (root, cap, req) = setup();
        let list = Arc::new(Counting::default());
        let v = Verifier::new([root], "shop")
            .unwrap()
            .with_revocations(list.clone());
        let child = cap
            .attenuate("args.amount <= 500")
            .unwrap()
            .attenuate("args.amount <= 400")
            .unwrap();
        // Something unrelated is revoked, so the list is consulted.
        list.revoke(&crate::b64::encode([42u8; 16])).unwrap();
        assert!(v.check(&child, &req, &CallOptions::at(NOW)).allowed);
        assert_eq!(list.batches.load(Ordering::SeqCst), 1);
        assert_eq!(list.singles.load(Ordering::SeqCst), 0);
        let asked = list.asked.lock().unwrap().clone();
        // The token id, then one id per prefix of the chain (child's own last).
        assert_eq!(asked.len(), child.caveats().len() + 2, "{asked:?}");
        assert_eq!(asked[0], child.token_id());
        assert_eq!(asked.last().unwrap(), &child.id());
        assert!(asked.contains(&cap.id()));
        // The parent revoked: named, in one more lookup.
        list.revoke(&cap.id()).unwrap();
        let d = v.check(&child, &req, &CallOptions::at(NOW));
        assert_eq!(codes(&d), ["revoked"]);
        assert!(d.reasons[0].message.contains(&cap.id()), "{:?}", d.reasons);
        assert_eq!(list.batches.load(Ordering::SeqCst), 2);
        assert_eq!(list.singles.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn allows_and_denies_with_reasons() {
        let (root, cap, req) = setup();
        let v = Verifier::new([root], "shop").unwrap();
        assert!(v.check(&cap, &req, &CallOptions::at(NOW)).allowed);
        let narrowed = cap.attenuate("args.amount <= 50").unwrap();
        let d = v.check(&narrowed, &req, &CallOptions::at(NOW));
        assert_eq!(codes(&d), ["caveat_failed"]);
        assert_eq!(d.reasons[0].caveat_index, Some(2));
    }

    #[test]
    fn unknown_root_and_tampering() {
        let (root, cap, req) = setup();
        let other = Verifier::new([RootKey::from_bytes(&[6; 32]).unwrap()], "shop").unwrap();
        assert_eq!(
            codes(&other.check(&cap, &req, &CallOptions::at(NOW))),
            ["unknown_key"]
        );
        let v = Verifier::new([root], "shop").unwrap();
        let mut bytes = cap.to_bytes();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = Capability::from_bytes(&bytes).unwrap();
        assert_eq!(
            codes(&v.check(&tampered, &req, &CallOptions::at(NOW))),
            ["bad_signature"]
        );
        assert_eq!(
            codes(&v.check("!!", &req, &CallOptions::at(NOW))),
            ["malformed"]
        );
    }

    #[test]
    fn revoking_a_parent_revokes_its_narrowings() {
        let (root, cap, req) = setup();
        let list = Arc::new(MemoryRevocationList::new());
        let v = Verifier::new([root], "shop")
            .unwrap()
            .with_revocations(list.clone());
        let child = cap.attenuate("args.amount <= 500").unwrap();
        assert!(v.check(&child, &req, &CallOptions::at(NOW)).allowed);
        list.revoke(cap.id()).unwrap();
        assert_eq!(
            codes(&v.check(&child, &req, &CallOptions::at(NOW))),
            ["revoked"]
        );
    }

    #[test]
    fn revoking_a_token_id_revokes_the_whole_family() {
        let (root, cap, req) = setup();
        let list = Arc::new(MemoryRevocationList::new());
        let v = Verifier::new([root.clone()], "shop")
            .unwrap()
            .with_revocations(list.clone());
        let child = cap.attenuate("args.amount <= 500").unwrap();
        let sibling = Issuer::new(root)
            .issue()
            .token_id([4; 16])
            .issued_at(NOW)
            .never_expires()
            .build()
            .unwrap();
        // Before: revoking the token id did nothing, so the check still allowed.
        list.revoke(cap.token_id()).unwrap();
        for c in [&cap, &child] {
            let d = v.check(c, &req, &CallOptions::at(NOW));
            assert_eq!(codes(&d), ["revoked"]);
            assert!(
                d.reasons[0].message.contains(cap.token_id()),
                "{:?}",
                d.reasons
            );
        }
        assert!(v.check(&sibling, &req, &CallOptions::at(NOW)).allowed);
        // Malformed ids are refused, not silently stored.
        assert_eq!(
            list.revoke(format!("{}=", cap.id())).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
    }

    /// A proof is fresh on [iat − leeway, iat + window): each bound at, one
    /// second before and one after, for the default and other settings.
    #[test]
    fn proof_freshness_is_half_open() {
        let (root, cap, req) = setup();
        let agent = Holder::new(SigningKey::from_bytes(&[8; 32]).unwrap());
        let bound = cap.bind_holder(&agent.kid()).unwrap();
        for (window, leeway) in [(DEFAULT_PROOF_WINDOW, DEFAULT_LEEWAY), (1, 0), (600, 600)] {
            let check = |iat: i64, now: i64| {
                let v = Verifier::new([root.clone()], "shop")
                    .unwrap()
                    .with_proof_window(Some(window), Some(leeway))
                    .unwrap();
                let proof = agent.prove(&bound, &req, "shop", iat).unwrap();
                codes(&v.check(&bound, &req, &CallOptions::at(now).with_proof(&proof)))
            };
            let ok: [&str; 0] = [];
            // Age: fresh while now − iat < window.
            assert_eq!(check(NOW, NOW + window - 1), ok, "{window}/{leeway}");
            assert_eq!(check(NOW, NOW + window), ["proof_invalid"], "{window}");
            assert_eq!(check(NOW, NOW + window + 1), ["proof_invalid"]);
            // Dated ahead: accepted up to and including the leeway.
            if leeway > 0 || window > 1 {
                assert_eq!(check(NOW + leeway - 1, NOW), ok); // else too old
            }
            assert_eq!(check(NOW + leeway, NOW), ok, "{leeway}");
            assert_eq!(check(NOW + leeway + 1, NOW), ["proof_invalid"]);
        }
        for (window, leeway) in [(0, 30), (601, 30), (60, -1), (60, 601)] {
            let e = Verifier::new([root.clone()], "shop")
                .unwrap()
                .with_proof_window(Some(window), Some(leeway))
                .unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidArgument, "{window}/{leeway}");
        }
    }

    /// Proof freshness at extreme clocks: no wrap (debug builds panicked here),
    /// and the message gives the true distance.
    #[test]
    fn proof_freshness_at_extreme_clocks() {
        let (root, cap, req) = setup();
        let agent = Holder::new(SigningKey::from_bytes(&[8; 32]).unwrap());
        let bound = cap.bind_holder(&agent.kid()).unwrap();
        let v = Verifier::new([root], "shop").unwrap();
        let proof = agent.prove(&bound, &req, "shop", NOW).unwrap();
        let d = v.check(&bound, &req, &CallOptions::at(i64::MAX).with_proof(&proof));
        assert_eq!(codes(&d), ["proof_invalid"]);
        let age = i128::from(i64::MAX) - i128::from(NOW);
        assert!(
            d.reasons[0].message.contains(&format!("is {age}s old")),
            "{}",
            d.reasons[0].message
        );
        let d = v.check(&bound, &req, &CallOptions::at(i64::MIN).with_proof(&proof));
        assert_eq!(codes(&d), ["proof_invalid"]);
        let ahead = i128::from(NOW) - i128::from(i64::MIN);
        assert!(
            d.reasons[0]
                .message
                .contains(&format!("dated {ahead}s in the future")),
            "{}",
            d.reasons[0].message
        );
        // Proofs dated at the extremes of exact JSON integers.
        for iat in [crate::jcs::MAX_SAFE_INTEGER, -crate::jcs::MAX_SAFE_INTEGER] {
            let p = agent.prove(&bound, &req, "shop", iat).unwrap();
            for now in [i64::MAX, i64::MIN, iat] {
                let d = v.check(&bound, &req, &CallOptions::at(now).with_proof(&p));
                if now == iat {
                    // Fresh; the expiry caveat (in 2023) then denies.
                    assert!(!d.allowed);
                    assert_ne!(codes(&d), ["proof_invalid"], "{iat} at {now}");
                } else {
                    assert_eq!(codes(&d), ["proof_invalid"], "{iat} at {now}");
                }
            }
        }
    }

    /// Time arithmetic in caveats at extreme clocks and times: an error that
    /// denies, never a wrap or a panic (debug builds check overflow).
    #[test]
    fn caveat_time_arithmetic_at_extremes() {
        let (root, cap, req) = setup();
        let v = Verifier::new([root.clone()], "shop").unwrap();
        for caveat in [
            "now + duration(\"1h\") > now",
            "now - duration(\"-1h\") > now",
            "now - timestamp(\"0001-01-01T00:00:00Z\") > duration(\"1s\")",
            "timestamp(\"9999-12-31T23:59:59Z\") + duration(\"2562047h\") > now",
            "timestamp(\"0001-01-01T00:00:00Z\") - duration(\"2562047h\") < now",
            "duration(\"2562047h\") + duration(\"2562047h\") > duration(\"1s\")",
            "duration(\"-2562047h\") - duration(\"2562047h\") < duration(\"1s\")",
            "timestamp(\"9999-12-31T23:59:59Z\") - timestamp(\"0001-01-01T00:00:00Z\") > duration(\"1s\")",
            "timestamp(9223372036854775807) > now",
        ] {
            let c = cap.attenuate(caveat).unwrap();
            for now in [i64::MAX, i64::MIN, NOW] {
                let d = v.check(&c, &req, &CallOptions::at(now));
                assert!(!d.allowed || now == NOW, "{caveat} at {now}");
                if now != NOW {
                    assert!(
                        d.reasons.iter().all(|r| r.code == ErrorCode::CaveatError
                            || r.code == ErrorCode::Expired),
                        "{caveat} at {now}: {:?}",
                        d.reasons
                    );
                }
            }
        }
        // The builder's own time caveats at extreme times: refused or denying, never a panic.
        for t in [i64::MAX, i64::MIN] {
            let built = [
                Issuer::new(root.clone()).issue().expires_at(t).build(),
                Issuer::new(root.clone()).issue().not_before(t).build(),
            ];
            for c in built.iter().flatten() {
                assert!(!v.check(c, &req, &CallOptions::at(NOW)).allowed, "{t}");
            }
        }
    }

    #[test]
    fn holder_binding_needs_a_fresh_single_use_proof() {
        let (root, cap, req) = setup();
        let v = Verifier::new([root], "shop").unwrap();
        let agent = Holder::new(SigningKey::from_bytes(&[8; 32]).unwrap());
        let bound = cap.bind_holder(&agent.kid()).unwrap();
        // No proof: its own code, not the caveat_error of a missing argument.
        let d = v.check(&bound, &req, &CallOptions::at(NOW));
        assert_eq!(codes(&d), ["proof_required"]);
        assert!(d.reasons[0]
            .message
            .contains("no holder proof was presented"));
        let proof = agent.prove(&bound, &req, "shop", NOW).unwrap();
        assert!(
            v.check(&bound, &req, &CallOptions::at(NOW + 5).with_proof(&proof))
                .allowed
        );
        assert_eq!(
            codes(&v.check(&bound, &req, &CallOptions::at(NOW + 6).with_proof(&proof))),
            ["replayed"]
        );
        let stale = agent.prove(&bound, &req, "shop", NOW - 600).unwrap();
        assert_eq!(
            codes(&v.check(&bound, &req, &CallOptions::at(NOW).with_proof(&stale))),
            ["proof_invalid"]
        );
        let elsewhere = agent.prove(&bound, &req, "bank", NOW).unwrap();
        assert_eq!(
            codes(&v.check(&bound, &req, &CallOptions::at(NOW).with_proof(&elsewhere))),
            ["proof_invalid"]
        );
        let other_req = Request::new("shopper", "refund", json!({"amount": 99}));
        let wrong = agent.prove(&bound, &other_req, "shop", NOW).unwrap();
        assert_eq!(
            codes(&v.check(&bound, &req, &CallOptions::at(NOW).with_proof(&wrong))),
            ["proof_invalid"]
        );
        let thief = Holder::new(SigningKey::from_bytes(&[9; 32]).unwrap());
        let stolen = thief.prove(&bound, &req, "shop", NOW).unwrap();
        assert_eq!(
            codes(&v.check(&bound, &req, &CallOptions::at(NOW).with_proof(&stolen))),
            ["caveat_failed"]
        );
    }
}
