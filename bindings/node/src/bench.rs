//! A same-run native baseline for bench.mjs: the core's check in a Rust loop,
//! so the Node overhead per call can be read directly (hidden export).

use std::time::Instant;

use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::args;
use crate::capability::CapabilityArg;
use crate::errors::{guard, Result};
use crate::request::Request;
use crate::verifier::Verifier;

/// Nanoseconds per `Verifier::check` of the core, over `iterations` calls.
#[napi(js_name = "__benchNativeCheck")]
pub fn bench_native_check(
    verifier: &Verifier,
    #[napi(ts_arg_type = "Capability | string")] capability: Unknown,
    request: &Request,
    now: f64,
    iterations: u32,
) -> Result<f64> {
    guard(|| {
        let now = args::int(now, "now")?;
        let cap = CapabilityArg::read(&capability)?;
        let start = Instant::now();
        for _ in 0..iterations {
            let d = match &cap {
                CapabilityArg::Parsed(c) => {
                    verifier.inner.check(&c.inner, &request.inner, None, now)
                }
                CapabilityArg::Text(t) => verifier.inner.check_token(t, &request.inner, None, now),
            };
            std::hint::black_box(d);
        }
        Ok(start.elapsed().as_nanos() as f64 / f64::from(iterations.max(1)))
    })
}
