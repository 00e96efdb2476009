//! The one place where core errors become JavaScript errors.
//!
//! Every export returns [`Result`]: the JS error's `.code` is the stable code
//! of `contract/errors.json` (napi puts the status string there), its message
//! the core's message. `denied` errors carry their reasons as JSON in the
//! message; the JS layer (`charter.js`) turns each code into an instance of
//! its family class (`FormatError`, …, `Denied` with `.reasons`), using the
//! families this module exports from `ErrorCode::family()`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use charter_core::ErrorCode;
use napi_derive::napi;

/// A stable error code, used as napi's error status so JS sees `err.code`.
pub struct Code(pub &'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// What every export returns (named `Result` so napi-derive recognises it).
pub type Result<T> = napi::Result<T, Code>;
pub type Error = napi::Error<Code>;

/// A core error as a JS error.
pub fn core(e: charter_core::Error) -> Error {
    if e.code() == ErrorCode::Denied {
        let body = serde_json::json!({
            "message": e.message(),
            "reasons": e.reasons().iter().map(crate::verifier::reason_json).collect::<Vec<_>>(),
        });
        return napi::Error::new(Code(ErrorCode::Denied.as_str()), body.to_string());
    }
    napi::Error::new(Code(e.code().as_str()), e.message())
}

/// An error the binding itself raises.
pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
    napi::Error::new(Code(code.as_str()), message.into())
}

pub fn invalid(message: impl Into<String>) -> Error {
    new(ErrorCode::InvalidArgument, message)
}

/// A napi failure while reading or building JS values (a wrong type).
pub fn napi(e: napi::Error) -> Error {
    if e.status == napi::Status::PendingException {
        // A JS exception is already pending (e.g. a getter threw); napi rethrows it.
        return napi::Error::new(Code("PendingException"), e.reason);
    }
    invalid(e.reason)
}

/// Runs an export, turning a panic into an `internal` error: no panic may
/// unwind into JavaScript.
pub fn guard<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(napi::Error::new(
                Code(ErrorCode::Internal.as_str()),
                format!("internal error in charter (please report): {what}"),
            ))
        }
    }
}

pub trait OrThrow<T> {
    fn or_throw(self) -> Result<T>;
}

impl<T, E: Into<charter_core::Error>> OrThrow<T> for std::result::Result<T, E> {
    fn or_throw(self) -> Result<T> {
        self.map_err(|e| core(e.into()))
    }
}

/// Every stable code and its family, from the core (`ErrorCode::family`), so
/// the JS error classes are mapped in one place.
#[napi(js_name = "__errorFamilies")]
pub fn error_families() -> std::collections::HashMap<String, String> {
    ErrorCode::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), c.family().to_string()))
        .collect()
}
