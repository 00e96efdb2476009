use std::sync::Arc;

use charter_core::CallOptions;
use pyo3::prelude::*;

use crate::capability::capability;
use crate::error::{check, detached};
use crate::host::{list, Of, Text, Time};
use crate::keys::RootKey;
use crate::request::request;
use crate::store::Store;

methods!(
/// Decides calls against capabilities minted with its root keys, for one
/// audience; its revocations, holder-proof nonces and budgets live in its
/// own memory, or in `store` when one is given.
#[derive(Clone)]
Verifier(Arc<charter_core::Verifier>) {
    audience: &str { .audience() }
}
    #[new]
    #[pyo3(signature = (roots, audience, proof_window=None, leeway=None, store=None))]
    fn new(
        roots: &Bound<'_, PyAny>, audience: Text, proof_window: Option<i64>, leeway: Option<i64>,
        store: Option<Of<Store>>,
    ) -> PyResult<Self> {
        let roots = list(roots, "roots", |r| Ok(r.extract::<Of<RootKey>>()?.0 .0))?;
        let verifier = charter_core::Verifier::new(roots, audience.0)
            .and_then(|v| v.with_proof_window(proof_window, leeway));
        let state = store.as_ref().map(|Of(Store(s))| s);
        Ok(Verifier(Arc::new(check(verifier)?.with_state(state))))
    }
    #[pyo3(signature = (capability, request, proof=None, now=None))]
    fn check(
        &self, py: Python<'_>, capability: &Bound<'_, PyAny>, request: &Bound<'_, PyAny>,
        proof: Option<Text>, now: Option<Time>,
    ) -> PyResult<charter_core::Decision> {
        let cap = self::capability(capability)?;
        let req = self::request(request)?;
        let options = CallOptions::check(proof.map(|p| p.0), now.map(|t| t.0));
        detached(py, || Ok(self.0.check(cap, &req, &options)))
    }
    fn revoke(&self, py: Python<'_>, capability_id: Text) -> PyResult<()> {
        detached(py, || self.0.revoke(&capability_id.0))
    }
);
