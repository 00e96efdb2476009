//! Node.js binding of charter-core (napi-rs). Thin: every export maps core
//! calls, values and errors, nothing more. The JS layer (`charter.js`) gives
//! the errors their classes; the module layout mirrors the core's.

#![deny(clippy::all)]

mod args;
mod audit;
mod bench;
mod capability;
mod errors;
mod guard;
mod holder;
mod json;
mod keys;
mod permit;
mod request;
mod verifier;

use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use charter_core::jcs;
use errors::{guard, OrThrow, Result};

/// RFC 8785 canonical form of strict I-JSON text.
#[napi]
pub fn canonicalize_json(text: String) -> Result<String> {
    guard(|| jcs::canonicalize_str(&text).or_throw())
}

/// base64url SHA-256 of the canonical form (the args hash of permits and
/// receipts). Takes JSON text, or a plain JS value.
#[napi]
pub fn hash_json(
    #[napi(ts_arg_type = "string | Record<string, unknown>")] text: Unknown,
) -> Result<String> {
    guard(|| {
        let value = json::arg(&text, "text")?;
        jcs::hash(&value).or_throw()
    })
}
