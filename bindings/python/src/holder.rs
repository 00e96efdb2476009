use pyo3::prelude::*;

use crate::capability::capability;
use crate::error::detached;
use crate::host::{Blob, Of, Text, Time};
use crate::keys::SigningKey;
use crate::request::request;

methods!(
/// An agent's key, proving possession of capabilities bound to it.
Holder(charter_core::Holder) {
    kid: String { .kid() }
}
    #[new]
    fn new(signing_key: Of<SigningKey>) -> Self {
        Holder(charter_core::Holder::new(signing_key.0 .0))
    }
    #[pyo3(signature = (capability, request, audience, now=None, nonce=None))]
    fn prove(
        &self, py: Python<'_>, capability: &Bound<'_, PyAny>, request: &Bound<'_, PyAny>,
        audience: Text, now: Option<Time>, nonce: Option<Blob>,
    ) -> PyResult<String> {
        let cap = self::capability(capability)?;
        let req = self::request(request)?;
        let now = now.map_or_else(charter_core::unix_now, |t| t.0);
        let nonce = nonce.as_ref().map(|n| n.0.as_slice());
        detached(py, || self.0.prove_call(cap, &req, &audience.0, now, nonce))
    }
);
