//! `Verifier`: decides calls (`Decision` and `Reason` are the core's records).

use std::sync::Arc;
use std::time::Instant;

use charter_core as core;
use charter_core::CallOptions;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::capability::cap_arg;
use crate::error::{guard, Result};
use crate::host::opt_int;
use crate::keys::RootKey;
use crate::request::{request_arg, Request};
use crate::store::Store;

/// A decision for JS: `null` for an allow (`charter.js` returns one frozen
/// shared allow), the reasons only when denying.
pub fn decision(d: core::Decision) -> Option<core::Decision> {
    (!d.allowed).then_some(d)
}

/// Decides calls against capabilities minted with its root keys. A `Guard`
/// built with it shares it: its revocations and the holder proofs it has seen.
#[napi]
pub struct Verifier(pub(crate) Arc<core::Verifier>);

accessors!(Verifier |v| get {
    "The identity caveats see as `audience`."
    audience: String = v.audience().to_string();
} fn {} try {} twin {
    "Decides one call. A denial is data; a token that does not parse is a denial too."
    "`check` on the libuv thread pool: the event loop keeps running while a store answers."
    check check_async(&self, #[napi(ts_arg_type = "Capability | string")] capability: Unknown, #[napi(ts_arg_type = "Request | import('./charter').RequestJson | string")] request: Unknown, proof: Option<String>, now: Option<f64>) -> Option<core::Decision> as "Decision" "Promise<Decision>" {
        let req = request_arg(request)?;
        let o = CallOptions::check(proof, opt_int(now, "now")?);
        let cap = cap_arg(capability)?;
    } => decision(v.check(&cap, &req, &o));
    "Revokes a capability id (that capability and every one narrowed from it) or a token id (every capability minted with it). Throws a UsageError (invalid_argument) for anything not shaped like one: 22 base64url characters, no padding."
    "`revoke` on the libuv thread pool: resolves once the revocation is recorded."
    revoke revoke_async(&self, capability_id: String) -> () as "void" "Promise<void>" {} => v.revoke(&capability_id)?;
} new {} ctor {
    "`roots`: one or more root keys (rotation); `audience`: this verifier's identity; `proofWindow`/`leeway`: holder proof freshness, seconds (the core's defaults when absent); `store`: where revocations, holder-proof nonces and budgets live (this object's memory when absent)."
    (roots: Vec<&RootKey>, audience: String, proof_window: Option<f64>, leeway: Option<f64>, store: Option<&Store>) = {
        let window = (opt_int(proof_window, "proofWindow")?, opt_int(leeway, "leeway")?);
        let roots = roots.into_iter().map(|r| r.0.clone());
        let verifier = core::Verifier::new(roots, audience)?.with_proof_window(window.0, window.1)?;
        Verifier(Arc::new(verifier.with_state(store.map(|s| &s.0))))
    };
});

/// Nanoseconds per core `Verifier::check` over `iterations` calls in a Rust
/// loop: the same-run native baseline of bench.mjs (hidden export).
#[napi(js_name = "__benchNativeCheck")]
pub fn bench_native_check(
    verifier: &Verifier,
    #[napi(ts_arg_type = "Capability | string")] capability: Unknown,
    request: &Request,
    now: f64,
    iterations: u32,
) -> Result<f64> {
    guard(|| {
        let options = CallOptions::at(core::host::safe_int(now, "now")?);
        let cap = cap_arg(capability)?;
        let start = Instant::now();
        for _ in 0..iterations {
            std::hint::black_box(verifier.0.check(&cap, &request.0, &options));
        }
        Ok(start.elapsed().as_nanos() as f64 / f64::from(iterations.max(1)))
    })
}
