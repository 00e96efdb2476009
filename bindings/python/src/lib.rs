//! Python bindings for Charter: a table of mappings onto `charter-core`, one
//! file per core module (host.rs walks Python values, error.rs maps errors).
//! The shared records (Decision, Reason, PermitClaims, BundleHead,
//! BundleReport) are declared as classes in the core (feature `python`).
//! Built by maturin as `charter._charter` (abi3, CPython 3.10+); the
//! pure-Python package `charter` re-exports it.

use pyo3::prelude::*;

/// A `charter` class wrapping a core value in `.0`, and its `#[pymethods]`:
/// `Name(Inner)` declares the frozen class (the attributes before it, its doc
/// and derives, are the class's; `@eq` first: with `==` from `PartialEq`);
/// then one-line getters (`name: Type { .path }` returns `self.0.path`),
/// `__repr__` from the core's `Debug` (`@bare`: none), then the other
/// methods as written.
macro_rules! methods {
    (@eq $(#[$attr:meta])* $class:ident($inner:ty) $($rest:tt)*) => {
        #[pyclass(module = "charter", frozen, eq)]
        $(#[$attr])*
        #[derive(PartialEq)]
        pub struct $class(pub $inner);

        methods!($class $($rest)*);
    };
    ($(@$bare:ident)? $(#[$attr:meta])* $class:ident($inner:ty) $($rest:tt)*) => {
        #[pyclass(module = "charter", frozen)]
        $(#[$attr])*
        pub struct $class(pub $inner);

        methods!($(@$bare)? $class $($rest)*);
    };
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

#[pymodule(name = "_charter")]
mod charter_module {
    use pyo3::prelude::*;

    #[pymodule_export]
    use crate::{
        audit::{verify_bundle, AuditLog},
        capability::{Capability, Issuer},
        guard::Guard,
        holder::Holder,
        jcs::{canonicalize_json, hash_json},
        keys::{KeySet, PublicKey, RootKey, SigningKey},
        permit::{Permit, PermitIssuer, PermitVerifier},
        receipt::Receipt,
        request::Request,
        store::{open_store, Store},
        verifier::Verifier,
    };
    #[pymodule_export]
    use charter_core::{ApprovalNeed, BundleHead, BundleReport, Decision, PermitClaims, Reason};

    /// `__version__` and the exception classes.
    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        crate::error::register(m)
    }
}
