use charter_core::jcs;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::error::{guard, Result};
use crate::host;

/// RFC 8785 canonical form of strict I-JSON text.
#[napi]
pub fn canonicalize_json(text: String) -> Result<String> {
    guard(|| jcs::canonicalize_str(&text))
}

/// base64url SHA-256 of the canonical form (the args hash of permits and
/// receipts). Takes JSON text, or a plain JS value.
#[napi]
pub fn hash_json(
    #[napi(ts_arg_type = "string | Record<string, unknown>")] text: Unknown,
) -> Result<String> {
    guard(|| jcs::hash(&host::json(text, "text")?))
}
