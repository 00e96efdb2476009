use charter_core::jcs;
use wasm_bindgen::prelude::*;

use crate::error::JsResult;
use crate::host::{string, Str};

/// RFC 8785 canonical form of strict I-JSON text.
#[wasm_bindgen(js_name = canonicalizeJson)]
pub fn canonicalize_json(text: Str) -> JsResult<String> {
    Ok(jcs::canonicalize_str(&string(&text, "text")?)?)
}

/// base64url SHA-256 of the canonical form (the args hash of permits and receipts).
#[wasm_bindgen(js_name = hashJson)]
pub fn hash_json(text: Str) -> JsResult<String> {
    Ok(jcs::hash(&jcs::parse(&string(&text, "text")?)?)?)
}
