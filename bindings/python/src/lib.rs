//! Python bindings for Charter: thin mappings of `charter-core`, one module
//! per core module. Built by maturin as `charter._charter` (abi3, CPython
//! 3.10+); the pure-Python package `charter` re-exports it.

use pyo3::prelude::*;

mod audit;
mod capability;
mod convert;
mod decision;
mod errors;
mod guard;
mod holder;
mod jcs;
mod keys;
mod permit;
mod receipt;
mod request;
mod verifier;

#[pymodule]
#[pyo3(name = "_charter")]
fn charter_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(jcs::canonicalize_json, m)?)?;
    m.add_function(wrap_pyfunction!(jcs::hash_json, m)?)?;
    m.add_function(wrap_pyfunction!(audit::verify_bundle, m)?)?;
    m.add_class::<keys::RootKey>()?;
    m.add_class::<keys::SigningKey>()?;
    m.add_class::<keys::PublicKey>()?;
    m.add_class::<keys::KeySet>()?;
    m.add_class::<capability::Issuer>()?;
    m.add_class::<capability::Capability>()?;
    m.add_class::<request::Request>()?;
    m.add_class::<holder::Holder>()?;
    m.add_class::<verifier::Verifier>()?;
    m.add_class::<decision::Decision>()?;
    m.add_class::<decision::Reason>()?;
    m.add_class::<permit::PermitIssuer>()?;
    m.add_class::<permit::Permit>()?;
    m.add_class::<permit::PermitClaims>()?;
    m.add_class::<permit::PermitVerifier>()?;
    m.add_class::<receipt::Receipt>()?;
    m.add_class::<audit::AuditLog>()?;
    m.add_class::<audit::BundleReport>()?;
    m.add_class::<audit::BundleHead>()?;
    m.add_class::<guard::Guard>()?;
    Ok(())
}
