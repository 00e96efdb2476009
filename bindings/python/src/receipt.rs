use charter_core::receipt as core;
use pyo3::prelude::*;

use crate::error::{check, detached};
use crate::host::Text;
use crate::keys::keyset;

methods!(@eq
/// One signed, hash-chained decision record (canonical JSON).
Receipt(core::Receipt) {
    hash: &str { .hash() }
    seq: u64 { .seq() }
    prev: &str { .prev() }
    ts: i64 { .ts() }
    agent: &str { .agent() }
    action: &str { .action() }
    args: &str { .args() }
    cap: Option<&str> { .cap() }
    permit: Option<&str> { .permit() }
    decision: &'static str { .decision().as_str() }
    reasons: Vec<charter_core::Reason> { .reasons().to_vec() }
    kid: &str { .kid() }
    approvers: Vec<String> { .approvers().to_vec() }
}
    /// Parses a receipt's canonical JSON text strictly (verifies nothing).
    #[staticmethod]
    fn parse(json: Text) -> PyResult<Self> { check(core::Receipt::parse(&json.0)).map(Receipt) }
    fn to_json(&self) -> &str { self.0.to_json() }
    fn verify(&self, keys: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = keys.py();
        let keys = keyset(keys, "keys")?;
        detached(py, || self.0.verify(&keys))
    }
);
