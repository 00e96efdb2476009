//! The exception hierarchy and the one place core errors become exceptions:
//! `CharterError` carries `.code` (contract/errors.json) and `.message`, each
//! `ErrorFamily` is one subclass, and `Denied` also carries `.reasons`.

use charter_core::{Error, ErrorCode, ErrorFamily};
use pyo3::create_exception;
use pyo3::exceptions::{PyBaseException, PyException};
use pyo3::prelude::*;
use pyo3::types::PyType;

create_exception!(
    charter,
    CharterError,
    PyException,
    "Base of every Charter error: `.code` is a stable code (contract/errors.json), `.message` says what to do."
);

/// One subclass of `CharterError` per `ErrorFamily`, and `class()` mapping
/// each family to its subclass: the one table of the exception hierarchy.
macro_rules! families {
    ($($family:ident => $name:ident: $doc:literal,)*) => {
        $(create_exception!(charter, $name, CharterError, $doc);)*

        fn class(py: Python<'_>, family: ErrorFamily) -> Bound<'_, PyType> {
            match family {
                $(ErrorFamily::$family => py.get_type::<$name>(),)*
            }
        }
    };
}

families! {
    Format => FormatError: "Input that could not be decoded, is not canonical, or is in an unknown version.",
    Usage => UsageError: "A value of an unusable type or shape, a caveat outside the language, a counted limit hit, or an idempotency key reused for another call.",
    Crypto => CryptoError: "A MAC or signature that does not verify, or no trusted key with its id.",
    Authorization => AuthorizationError: "Not authorized: expired, replayed, revoked, a proof missing or invalid, made for another audience, action or arguments, or a budget exhausted.",
    Audit => AuditError: "An audit chain that does not hold together, or a log ending in a torn record.",
    Environment => EnvironmentError: "Durable storage failed, a shared store is unreachable, the platform lacks the operation, or a bug in Charter (internal).",
    Denied => Denied: "Guard.protect refused the call; `.reasons` (a list of Reason) says why.",
}

create_exception!(
    charter,
    ApprovalRequired,
    Denied,
    "Guard.protect refused the call only for want of human approvals (code \"approval_required\"); each reason's `.approval` says which keys, how many, and the exact call to approve."
);

/// The exception for a core error, with `.code`, `.message` and (for
/// denials) `.reasons`. `approval_required` is its own subclass of `Denied`.
pub fn to_py(e: &Error) -> PyErr {
    Python::attach(|py| -> PyResult<PyErr> {
        let class = match e.code() {
            ErrorCode::ApprovalRequired => py.get_type::<ApprovalRequired>(),
            code => class(py, code.family()),
        };
        let value = class.call1((e.message(),))?;
        value.setattr("code", e.code().as_str())?;
        value.setattr("message", e.message())?;
        if e.code().family() == ErrorFamily::Denied {
            value.setattr("reasons", e.reasons().to_vec())?;
        }
        Ok(PyErr::from_value(value))
    })
    .unwrap_or_else(|err| err)
}

/// A `UsageError` (`invalid_argument`).
pub fn invalid(message: impl Into<String>) -> PyErr {
    to_py(&charter_core::host::invalid(message))
}

/// Maps a core result.
pub fn check<T>(r: Result<T, Error>) -> PyResult<T> {
    r.map_err(|e| to_py(&e))
}

/// Runs core work with the interpreter released (other Python threads run
/// meanwhile), turning a panic into `internal` (`Error::catching`) instead of
/// letting it cross the boundary. `f` must not touch Python objects.
pub fn detached<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> Result<T, Error> + Send,
) -> PyResult<T> {
    check(py.detach(|| Error::catching(f)))
}

/// The exception the binding raises for `code` (with `message`): what the
/// test of the exception table against contract/errors.json calls.
#[pyfunction]
pub fn _error_for(py: Python<'_>, code: &str, message: &str) -> PyResult<Py<PyBaseException>> {
    match ErrorCode::parse(code) {
        Some(c) => Ok(to_py(&Error::new(c, message)).into_value(py)),
        None => Err(invalid(format!("unknown error code {code:?}"))),
    }
}

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("CharterError", py.get_type::<CharterError>())?;
    for family in ErrorFamily::ALL {
        m.add(family.class_name(), class(py, family))?;
    }
    m.add("ApprovalRequired", py.get_type::<ApprovalRequired>())?;
    m.add_function(wrap_pyfunction!(_error_for, m)?)
}
