use charter_core::{capability as core, CapabilityRef, IssueOptions};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::error::{check, invalid};
use crate::host::{list, text, utf8, Blob, Of, Text, Time};
use crate::keys::RootKey;

methods!(
/// Mints capabilities with one root key.
Issuer(core::Issuer) {}
    #[new]
    fn new(root: Of<RootKey>) -> Self { Issuer(core::Issuer::new(root.0 .0)) }
    #[pyo3(signature = (agent=None, actions=None, audience=None, not_before=None, expires_at=None, never_expires=false, caveats=None, token_id=None, issued_at=None))]
    #[allow(clippy::too_many_arguments)] // the keyword parameters of surface.json
    fn issue(
        &self, agent: Option<Text>, actions: Option<&Bound<'_, PyAny>>, audience: Option<Text>,
        not_before: Option<Time>, expires_at: Option<Time>, never_expires: bool,
        caveats: Option<&Bound<'_, PyAny>>, token_id: Option<Blob>, issued_at: Option<Time>,
    ) -> PyResult<Capability> {
        let strings = |obj: &Bound<'_, PyAny>, what: &str| {
            list(obj, what, |s| text(s, what).map(str::to_string))
        };
        let options = IssueOptions {
            agent: agent.map(|t| t.0),
            actions: actions.map(|a| strings(a, "actions")).transpose()?,
            audience: audience.map(|t| t.0),
            not_before: not_before.map(|t| t.0),
            expires_at: expires_at.map(|t| t.0),
            never_expires,
            caveats: caveats
                .map(|c| strings(c, "caveats"))
                .transpose()?
                .unwrap_or_default(),
            token_id: token_id.map(|b| b.0),
            issued_at: issued_at.map(|t| t.0),
        };
        check(self.0.issue_with(&options)).map(Capability)
    }
);

methods!(@eq
/// What an agent may do: a macaroon whose caveats are CEL expressions.
Capability(core::Capability) {
    id: String { .id() }
    token_id: &str { .token_id() }
    root_kid: &str { .root_kid() }
    issued_at: i64 { .issued_at() }
    caveats: Vec<String> { .caveats().to_vec() }
}
    /// Parses the base64url text form, strictly (verifies nothing).
    #[staticmethod]
    fn parse(token: Text) -> PyResult<Self> {
        check(core::Capability::parse(&token.0)).map(Capability)
    }
    fn serialize(&self) -> String { self.0.serialize() }
    fn attenuate(&self, caveat: Text) -> PyResult<Capability> {
        check(self.0.attenuate(&caveat.0)).map(Capability)
    }
    fn bind_holder(&self, kid: Text) -> PyResult<Capability> {
        check(self.0.bind_holder(&kid.0)).map(Capability)
    }
    fn __str__(&self) -> String { self.0.serialize() }
);

/// A `Capability | string` argument, borrowed as the core's `CapabilityRef`.
pub fn capability<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<CapabilityRef<'a>> {
    if let Ok(c) = obj.cast::<Capability>() {
        return Ok(CapabilityRef::Parsed(&c.get().0));
    }
    match obj.cast::<PyString>() {
        Ok(s) => check(utf8(s)).map(CapabilityRef::Text),
        Err(_) => Err(invalid("capability must be a Capability or its text")),
    }
}
