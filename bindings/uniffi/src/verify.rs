//! Deciding: `Verifier`, `Decision`, `Reason`.

use std::sync::Arc;

use charter_core as core;

use crate::capability::{Capability, Request};
use crate::keys::RootKey;
use crate::{now_or_clock, CharterError};

/// Why a check denied: a stable code, the failing caveat's index (when a
/// caveat failed) and a message.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Reason {
    pub code: String,
    pub caveat_index: Option<u32>,
    pub message: String,
}

impl From<&core::Reason> for Reason {
    fn from(r: &core::Reason) -> Self {
        Reason {
            code: r.code.as_str().to_string(),
            caveat_index: r.caveat_index,
            message: r.message.clone(),
        }
    }
}

/// The outcome of a check: `allowed` is true exactly when `reasons` is empty.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Decision {
    pub allowed: bool,
    pub reasons: Vec<Reason>,
}

impl From<core::Decision> for Decision {
    fn from(d: core::Decision) -> Self {
        Decision {
            allowed: d.allowed,
            reasons: d.reasons.iter().map(Reason::from).collect(),
        }
    }
}

/// Decides calls against capabilities minted with its root keys.
#[derive(uniffi::Object)]
pub struct Verifier {
    pub(crate) inner: Arc<core::Verifier>,
    revocations: Arc<core::MemoryRevocationList>,
}

#[uniffi::export]
impl Verifier {
    /// `proof_window` (how long a holder proof stays fresh) and `leeway`
    /// (clock skew tolerated) are seconds, 1 to 600 and 0 to 600; 60 and 30 by
    /// default. A proof is fresh while `iat - leeway <= now < iat + window`.
    #[uniffi::constructor(default(proof_window = None, leeway = None))]
    pub fn new(
        roots: Vec<Arc<RootKey>>,
        audience: String,
        proof_window: Option<i64>,
        leeway: Option<i64>,
    ) -> Result<Arc<Self>, CharterError> {
        let revocations = Arc::new(core::MemoryRevocationList::new());
        let mut verifier = core::Verifier::new(roots.iter().map(|r| r.0.clone()), audience)?
            .with_revocations(revocations.clone());
        if proof_window.is_some() || leeway.is_some() {
            verifier = verifier.with_proof_window(
                proof_window.unwrap_or(core::verifier::DEFAULT_PROOF_WINDOW),
                leeway.unwrap_or(core::verifier::DEFAULT_LEEWAY),
            )?;
        }
        Ok(Arc::new(Verifier {
            inner: Arc::new(verifier),
            revocations,
        }))
    }

    /// Decides one call. A denial is data (`allowed == false` with reasons),
    /// never an error.
    #[uniffi::method(default(proof = None, now = None))]
    pub fn check(
        &self,
        capability: Arc<Capability>,
        request: Arc<Request>,
        proof: Option<String>,
        now: Option<i64>,
    ) -> Decision {
        self.inner
            .check(
                &capability.0,
                &request.0,
                proof.as_deref(),
                now_or_clock(now),
            )
            .into()
    }

    /// Revokes a capability id (that capability and every one narrowed from
    /// it) or a token id (every capability minted with it). Throws
    /// `invalid_argument` for anything not shaped like one: 22 base64url
    /// characters, no padding.
    pub fn revoke(&self, capability_id: String) -> Result<(), CharterError> {
        Ok(self.revocations.revoke(capability_id)?)
    }

    pub fn audience(&self) -> String {
        self.inner.audience().to_string()
    }
}
