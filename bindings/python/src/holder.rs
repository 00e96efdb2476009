//! Proof of possession: a holder signs one request to one audience.

use pyo3::prelude::*;

use crate::capability::capability_arg;
use crate::convert::{class, Blob, Text, Time};
use crate::errors::detached;
use crate::keys::SigningKey;
use crate::request::request_arg;

/// An agent's key, proving possession of capabilities bound to it
/// (`Capability.bind_holder(holder.kid)`).
#[pyclass(module = "charter", frozen)]
pub struct Holder {
    inner: charter_core::Holder,
}

#[pymethods]
impl Holder {
    #[new]
    fn new(signing_key: &Bound<'_, PyAny>) -> PyResult<Self> {
        let key = class::<SigningKey>(signing_key, "signing_key")?;
        Ok(Holder {
            inner: charter_core::Holder::new(key.get().inner.clone()),
        })
    }

    /// The key id to bind capabilities to.
    #[getter]
    fn kid(&self) -> String {
        self.inner.kid()
    }

    /// A proof for one request (Request, dict or JSON text) to one audience,
    /// fresh at `now` (int Unix seconds or aware datetime; the system clock by
    /// default). `nonce` (16 to 64 bytes) is for tests and vectors only: it is
    /// random otherwise, and a repeated nonce is refused as a replay.
    #[pyo3(signature = (capability, request, audience, now=None, nonce=None))]
    fn prove(
        &self,
        py: Python<'_>,
        capability: &Bound<'_, PyAny>,
        request: &Bound<'_, PyAny>,
        audience: Text,
        now: Option<Time>,
        nonce: Option<Blob>,
    ) -> PyResult<String> {
        let cap = capability_arg(capability)?;
        let req = request_arg(request)?;
        let now = now.map(|t| t.0).unwrap_or_else(charter_core::unix_now);
        let inner = &self.inner;
        detached(py, move || match nonce {
            Some(n) => inner.prove_with_nonce(&cap, &req, &audience.0, now, &n.0),
            None => inner.prove(&cap, &req, &audience.0, now),
        })
    }

    fn __repr__(&self) -> String {
        format!("Holder(kid={:?})", self.inner.kid())
    }
}
