use std::sync::Arc;

use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::error::decision;
use crate::host::{self, CapArg, Decision, Int, NoStore, ReqArg, RootKeys, Str};
use crate::request;

/// The options of one call; `now` from the platform clock when absent.
pub fn options(proof: Option<Str>, now: Option<Int>) -> Result<core::CallOptions, core::Error> {
    host::args!(?string: proof; now: now;);
    Ok(core::CallOptions::check(proof, Some(now)))
}

crate::class! {
    /// Decides calls against capabilities minted with its root keys.
    Verifier(Arc<core::Verifier>) {
        /// The identity caveats see as `audience`; permits are issued for it.
        (getter) audience: String = |v| v.audience().to_string();
    } fn {
        /// Decides one call: `{allowed, reasons}`. Capability text that does not
        /// parse is a denial; a request that does not parse is an error.
        check(&v, capability: CapArg, request: ReqArg, proof: Option<Str>, now: Option<Int>)
            -> Decision = {
            let (req, o) = (request::arg(&request)?, options(proof, now)?);
            host::cap(&capability).map(|c| decision(&v.check(&c, &req, &o)))
        };
        /// Revokes a capability id (that capability and every one narrowed from
        /// it) or a token id (every capability minted with it).
        revoke(&v, capabilityId: Str) -> () = v.revoke(&host::arg!(string: capabilityId));
    } static {
        /// `roots`: the RootKeys it accepts (several allow rotation).
        /// `proofWindow` and `leeway` (seconds) bound holder proofs; the core's
        /// defaults apply when absent. `store` is refused (`unsupported`):
        /// WebAssembly keeps state in this instance's memory (see the README).
        #[wasm_bindgen(constructor)]
        new(roots: RootKeys, audience: Str, proofWindow: Option<Int>, leeway: Option<Int>, store: Option<NoStore>) = {
            host::no_store(&store)?;
            let roots = host::objs(&roots, "roots", 1024)?;
            host::args!(string: audience; ?int: proofWindow, leeway;);
            let v = core::Verifier::new(roots, audience)?;
            v.with_proof_window(proofWindow, leeway).map(Arc::new)
        };
    }
}
