//! Python bindings for Charter: a table of mappings onto `charter-core`, one
//! file per core module (host.rs walks Python values, error.rs maps errors).
//! The shared records (Decision, Reason, PermitClaims, BundleHead,
//! BundleReport) are declared as classes in the core (feature `python`).
//! Built by maturin as `charter._charter` (abi3, CPython 3.10+); the
//! pure-Python package `charter` re-exports it.

use pyo3::prelude::*;

/// The `#[pymethods]` of a class wrapping a core value in `.0`: one-line
/// getters (`name: Type { .path }` returns `self.0.path`), `__repr__` from
/// the core's `Debug` (`@bare`: none), then the other methods as written.
macro_rules! methods {
    ($class:ident { $($name:ident: $t:ty { $($get:tt)* })* } $($rest:tt)*) => {
        methods!(@bare $class { $($name: $t { $($get)* })* }
            fn __repr__(&self) -> String { format!("{:?}", self.0) }
            $($rest)*);
    };
    (@bare $class:ident { $($name:ident: $t:ty { $($get:tt)* })* } $($rest:tt)*) => {
        #[pymethods]
        impl $class {
            $(#[getter] fn $name(&self) -> $t { self.0 $($get)* })*
            $($rest)*
        }
    };
}

/// Adds each class to the module.
macro_rules! classes {
    ($m:ident, $($class:ty),*) => {
        $($m.add_class::<$class>()?;)*
    };
}

mod audit;
mod capability;
mod error;
mod guard;
mod holder;
mod host;
mod jcs;
mod keys;
mod permit;
mod receipt;
mod request;
mod store;
mod verifier;

#[pymodule]
#[pyo3(name = "_charter")]
fn charter_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    error::register(m)?;
    m.add_function(wrap_pyfunction!(jcs::canonicalize_json, m)?)?;
    m.add_function(wrap_pyfunction!(jcs::hash_json, m)?)?;
    m.add_function(wrap_pyfunction!(audit::verify_bundle, m)?)?;
    m.add_function(wrap_pyfunction!(store::open_store, m)?)?;
    classes!(
        m,
        keys::RootKey,
        keys::SigningKey,
        keys::PublicKey,
        keys::KeySet,
        capability::Issuer,
        capability::Capability,
        request::Request,
        holder::Holder,
        verifier::Verifier,
        charter_core::Decision,
        charter_core::Reason,
        charter_core::ApprovalNeed,
        permit::PermitIssuer,
        permit::Permit,
        charter_core::PermitClaims,
        permit::PermitVerifier,
        receipt::Receipt,
        audit::AuditLog,
        charter_core::BundleReport,
        charter_core::BundleHead,
        guard::Guard,
        store::Store
    );
    Ok(())
}
