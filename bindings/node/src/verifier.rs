//! `Verifier`: decides calls; `Decision` and `Reason` are data.

use std::sync::Arc;

use charter_core as core;
use charter_core::MemoryRevocationList;
use napi::bindgen_prelude::{Either, Null, Unknown};
use napi_derive::napi;

use crate::args;
use crate::capability::CapabilityArg;
use crate::errors::{guard, OrThrow, Result};
use crate::keys::RootKey;
use crate::request::Request;

/// Why a check denied: a stable code, the failing caveat's index (or null)
/// and a message a person can act on.
#[napi(object)]
pub struct Reason {
    pub code: String,
    #[napi(ts_type = "number | null")]
    pub caveat_index: Either<u32, Null>,
    pub message: String,
}

/// The outcome of a check: `allowed` exactly when `reasons` is empty.
#[napi(object)]
pub struct Decision {
    pub allowed: bool,
    pub reasons: Vec<Reason>,
}

pub fn reason(r: &core::Reason) -> Reason {
    Reason {
        code: r.code.as_str().to_string(),
        caveat_index: match r.caveat_index {
            Some(i) => Either::A(i),
            None => Either::B(Null),
        },
        message: r.message.clone(),
    }
}

/// A reason as JSON (how `denied` errors carry theirs to the JS layer).
pub fn reason_json(r: &core::Reason) -> serde_json::Value {
    serde_json::json!({"code": r.code.as_str(), "caveatIndex": r.caveat_index, "message": r.message})
}

pub fn decision(d: &core::Decision) -> Decision {
    Decision {
        allowed: d.allowed,
        reasons: d.reasons.iter().map(reason).collect(),
    }
}

/// Decides calls against capabilities minted with its root keys. A `Guard`
/// built with it shares it: its revocations and the holder proofs it has seen.
#[napi]
pub struct Verifier {
    pub(crate) inner: Arc<core::Verifier>,
    revocations: Arc<MemoryRevocationList>,
}

#[napi]
impl Verifier {
    /// `roots`: one or more root keys (rotation); `audience`: this verifier's
    /// identity; `proofWindow`/`leeway`: holder proof freshness, seconds.
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "RootKey[] | RootKey")] roots: Either<Vec<&RootKey>, &RootKey>,
        audience: String,
        proof_window: Option<f64>,
        leeway: Option<f64>,
    ) -> Result<Self> {
        guard(|| {
            let roots: Vec<core::RootKey> = match roots {
                Either::A(list) => list.into_iter().map(|r| r.inner.clone()).collect(),
                Either::B(one) => vec![one.inner.clone()],
            };
            let revocations = Arc::new(MemoryRevocationList::new());
            let window = args::opt_int(proof_window, "proofWindow")?
                .unwrap_or(core::verifier::DEFAULT_PROOF_WINDOW);
            let leeway = args::opt_int(leeway, "leeway")?.unwrap_or(core::verifier::DEFAULT_LEEWAY);
            let inner = core::Verifier::new(roots, audience)
                .or_throw()?
                .with_revocations(revocations.clone())
                .with_proof_window(window, leeway)
                .or_throw()?;
            Ok(Verifier {
                inner: Arc::new(inner),
                revocations,
            })
        })
    }

    /// Decides one call. A denial is data; a token that does not parse is a
    /// denial too.
    #[napi]
    pub fn check(
        &self,
        #[napi(ts_arg_type = "Capability | string")] capability: Unknown,
        request: &Request,
        proof: Option<String>,
        now: Option<f64>,
    ) -> Result<Decision> {
        guard(|| {
            let now = args::now(now)?;
            let d = match CapabilityArg::read(&capability)? {
                CapabilityArg::Parsed(c) => {
                    self.inner
                        .check(&c.inner, &request.inner, proof.as_deref(), now)
                }
                CapabilityArg::Text(t) => {
                    self.inner
                        .check_token(&t, &request.inner, proof.as_deref(), now)
                }
            };
            Ok(decision(&d))
        })
    }

    /// Revokes a capability id (that capability and every one narrowed from
    /// it) or a token id (every capability minted with it). Throws a
    /// UsageError (invalid_argument) for anything not shaped like one: 22
    /// base64url characters, no padding.
    #[napi]
    pub fn revoke(&self, capability_id: String) -> Result<()> {
        guard(|| self.revocations.revoke(capability_id).or_throw())
    }

    #[napi]
    pub fn audience(&self) -> String {
        self.inner.audience().to_string()
    }
}
