//! The one place where core errors become JavaScript errors: the JS error's
//! `.code` is the stable code of `contract/errors.json` (napi puts the status
//! there), its message the core's. `charter.js` gives each code the class of
//! its family, from [`error_families`] (`ErrorCode::family`).

use std::collections::HashMap;

use charter_core::{Error as CoreError, ErrorCode};
use napi_derive::napi;

/// What every export returns (named `Result` so napi-derive recognises it):
/// the error's status is the stable code, so JS sees it as `err.code`.
pub type Result<T> = napi::Result<T, &'static str>;

/// A core error as a JS error.
pub fn core(e: CoreError) -> napi::Error<&'static str> {
    napi::Error::new(e.code().as_str(), e.message())
}

/// The `invalid_argument` error the binding raises for a wrong JS type.
pub use charter_core::host::invalid;

/// Runs an export, turning a panic into an `internal` error: no panic may
/// unwind into JavaScript.
pub fn guard<T>(f: impl FnOnce() -> std::result::Result<T, CoreError>) -> Result<T> {
    CoreError::catching(f).map_err(core)
}

/// Every stable code and the class of its family, from the core.
#[napi(js_name = "__errorFamilies")]
pub fn error_families() -> HashMap<String, String> {
    (ErrorCode::ALL.iter())
        .map(|c| (c.as_str().to_string(), c.family().class_name().to_string()))
        .collect()
}
