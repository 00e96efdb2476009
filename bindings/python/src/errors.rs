//! The exception hierarchy, and the one place core errors become exceptions.
//!
//! `CharterError(Exception)` carries `.code` (a stable code from
//! `contract/errors.json`) and `.message`; each error family is one subclass;
//! `Denied` also carries `.reasons`. The family comes from
//! `charter_core::ErrorCode::family()`, nowhere else.

use std::panic::{catch_unwind, AssertUnwindSafe};

use charter_core::{Error, ErrorCode};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::decision::Reason;

create_exception!(
    charter,
    CharterError,
    PyException,
    "Base of every Charter error: `.code` is a stable code (contract/errors.json), `.message` says what to do."
);
create_exception!(
    charter,
    FormatError,
    CharterError,
    "Input could not be decoded, is not in its canonical form, or is in a version this build does not read (malformed, not_canonical, unsupported_version)."
);
create_exception!(
    charter,
    UsageError,
    CharterError,
    "A value of an unusable type or shape, a caveat outside the language when minting or narrowing, or beyond a counted limit (invalid_argument, invalid_caveat, limit_exceeded)."
);
create_exception!(
    charter,
    CryptoError,
    CharterError,
    "A MAC or signature does not verify, or no trusted key has its id (bad_signature, unknown_key)."
);
create_exception!(
    charter,
    AuthorizationError,
    CharterError,
    "Not authorized: expired, replayed, revoked, a holder proof missing or invalid, made for another audience, action or arguments, or a caveat failed."
);
create_exception!(
    charter,
    AuditError,
    CharterError,
    "An audit chain link, sequence number or head does not match, or a log ends in a torn record (chain_broken, log_corrupt)."
);
create_exception!(
    charter,
    EnvironmentError,
    CharterError,
    "Durable storage failed, or the operation is unavailable on this platform (io, unsupported)."
);
create_exception!(
    charter,
    Denied,
    CharterError,
    "Guard.protect refused the call; `.reasons` (a list of Reason) says why."
);

/// Builds the exception for a core error, with `.code`, `.message` and
/// (for denials) `.reasons`.
pub fn to_py(py: Python<'_>, e: &Error) -> PyErr {
    match build(py, e) {
        Ok(err) => err,
        Err(err) => err,
    }
}

fn build(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let ty = match e.code().family() {
        "FormatError" => py.get_type::<FormatError>(),
        "UsageError" => py.get_type::<UsageError>(),
        "CryptoError" => py.get_type::<CryptoError>(),
        "AuthorizationError" => py.get_type::<AuthorizationError>(),
        "AuditError" => py.get_type::<AuditError>(),
        "EnvironmentError" => py.get_type::<EnvironmentError>(),
        "Denied" => py.get_type::<Denied>(),
        _ => py.get_type::<CharterError>(),
    };
    let value = ty.call1((e.message(),))?;
    value.setattr("code", e.code().as_str())?;
    value.setattr("message", e.message())?;
    if e.code() == ErrorCode::Denied {
        let reasons: Vec<Reason> = e.reasons().iter().cloned().map(Reason::from).collect();
        value.setattr("reasons", PyList::new(py, reasons)?)?;
    }
    Ok(PyErr::from_value(value))
}

/// A usage error (`invalid_argument`) with a message.
pub fn invalid(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_py(py, &Error::new(ErrorCode::InvalidArgument, message))
}

/// Maps a core result.
pub fn check<T, E: Into<Error>>(py: Python<'_>, r: Result<T, E>) -> PyResult<T> {
    r.map_err(|e| to_py(py, &e.into()))
}

/// Runs core work with the interpreter detached (other Python threads run
/// meanwhile), and turns a panic into an error instead of letting it cross
/// the boundary. `f` must not touch Python objects.
pub fn detached<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> Result<T, Error> + Send,
    T: Send,
{
    let out = py.detach(|| catch_unwind(AssertUnwindSafe(f)));
    match out {
        Ok(r) => check(py, r),
        Err(_) => Err(internal(py)),
    }
}

/// As [`detached`], attached (for work that is too short to be worth
/// releasing the interpreter for).
pub fn shielded<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> Result<T, Error>,
{
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => check(py, r),
        Err(_) => Err(internal(py)),
    }
}

fn internal(py: Python<'_>) -> PyErr {
    to_py(
        py,
        &Error::new(
            ErrorCode::Internal,
            "internal error in charter (a bug: please report it with the input that caused it); nothing was decided",
        ),
    )
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("CharterError", py.get_type::<CharterError>())?;
    m.add("FormatError", py.get_type::<FormatError>())?;
    m.add("UsageError", py.get_type::<UsageError>())?;
    m.add("CryptoError", py.get_type::<CryptoError>())?;
    m.add("AuthorizationError", py.get_type::<AuthorizationError>())?;
    m.add("AuditError", py.get_type::<AuditError>())?;
    m.add("EnvironmentError", py.get_type::<EnvironmentError>())?;
    m.add("Denied", py.get_type::<Denied>())?;
    Ok(())
}
