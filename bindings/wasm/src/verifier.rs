//! Verifier.

use std::sync::Arc;

use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::error::{decision, JsResult};
use crate::host::{self, CapArg, Decision, Int, ReqArg, RootKeys, Str};
use crate::request;

crate::class! {
    /// Decides calls against capabilities minted with its root keys.
    Verifier(Arc<core::Verifier>) {
        /// The identity caveats see as `audience`; permits are issued for it.
        audience: String = |v| v.audience().to_string();
    }
}

/// The options of one call; `now` from the platform clock when absent.
pub fn options(
    proof: Option<&JsValue>,
    now: Option<&JsValue>,
) -> Result<core::CallOptions, core::Error> {
    let proof = host::opt_string(proof, "proof")?;
    Ok(core::CallOptions {
        proof,
        now: Some(host::now(now)?),
        ..Default::default()
    })
}

#[wasm_bindgen]
impl Verifier {
    /// `roots`: the RootKeys it accepts (several allow rotation).
    /// `proofWindow` and `leeway` (seconds) bound holder proofs; the core's
    /// defaults apply when absent.
    #[wasm_bindgen(constructor)]
    pub fn new(
        roots: RootKeys,
        audience: Str,
        #[wasm_bindgen(js_name = proofWindow)] proof_window: Option<Int>,
        leeway: Option<Int>,
    ) -> JsResult<Verifier> {
        let items = host::items(&roots, "roots", 1024)?;
        let keys = items.iter().enumerate().map(|(i, r)| {
            host::obj::<core::RootKey>(r, &format!("roots[{i}]"), "RootKey").map(|r| (*r).clone())
        });
        let keys = keys.collect::<Result<Vec<_>, _>>()?;
        let audience = host::string(&audience, "audience")?;
        let window = host::opt_int(proof_window.as_deref(), "proofWindow")?;
        let leeway = host::opt_int(leeway.as_deref(), "leeway")?;
        let v = core::Verifier::new(keys, audience)?.with_proof_window(window, leeway)?;
        Ok(Verifier::wrap(Arc::new(v)))
    }

    /// Decides one call: `{allowed, reasons}`. Capability text that does not
    /// parse is a denial; a request that does not parse is an error.
    pub fn check(
        &self,
        capability: CapArg,
        request: ReqArg,
        proof: Option<Str>,
        now: Option<Int>,
    ) -> JsResult<Decision> {
        let req = request::arg(&request)?;
        let o = options(proof.as_deref(), now.as_deref())?;
        Ok(decision(&host::with_cap(&capability, |c| {
            self.inner().check(c, &req, &o)
        })?))
    }

    /// Revokes a capability id (that capability and every one narrowed from
    /// it) or a token id (every capability minted with it).
    pub fn revoke(
        &self,
        #[wasm_bindgen(js_name = capabilityId)] capability_id: Str,
    ) -> JsResult<()> {
        Ok(self
            .inner()
            .revoke(&host::string(&capability_id, "capabilityId")?)?)
    }
}
