//! Capabilities: Issuer mints them, Capability parses, narrows and describes them.

use charter_core::capability::IssueOptions;
use charter_core::{capability as core, Error, ErrorCode};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::convert::{class, Blob, Text, Time};
use crate::errors::{check, invalid, shielded};
use crate::keys::RootKey;

/// Mints capabilities with one root key.
#[pyclass(module = "charter", frozen)]
pub struct Issuer {
    inner: core::Issuer,
}

#[pymethods]
impl Issuer {
    #[new]
    fn new(root: &Bound<'_, PyAny>) -> PyResult<Self> {
        let root = class::<RootKey>(root, "root")?;
        Ok(Issuer {
            inner: core::Issuer::new(root.get().inner.clone()),
        })
    }

    /// Mints a capability. Caveats are added in this order: agent
    /// (`agent == …`), actions (`action in […]`), audience, not_before,
    /// expires_at, then each of `caveats`. Times are int Unix seconds or aware
    /// datetimes; `token_id` (16 bytes) and `issued_at` are for tests and
    /// vectors (random and the system clock otherwise). Exactly one of
    /// `expires_at` (after `issued_at`, before the year 10000) and
    /// `never_expires=True` is required.
    #[pyo3(signature = (agent=None, actions=None, audience=None, not_before=None, expires_at=None, never_expires=false, caveats=None, token_id=None, issued_at=None))]
    #[allow(clippy::too_many_arguments)]
    fn issue(
        &self,
        py: Python<'_>,
        agent: Option<Text>,
        actions: Option<&Bound<'_, PyAny>>,
        audience: Option<Text>,
        not_before: Option<Time>,
        expires_at: Option<Time>,
        never_expires: bool,
        caveats: Option<&Bound<'_, PyAny>>,
        token_id: Option<Blob>,
        issued_at: Option<Time>,
    ) -> PyResult<Capability> {
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
        let inner = shielded(py, || self.inner.issue_with(&options))?;
        Ok(Capability { inner })
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.inner)
    }
}

/// A list (or other iterable, not a str) of str.
pub fn strings(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    let py = obj.py();
    if obj.is_instance_of::<PyString>() {
        return Err(invalid(
            py,
            format!("{what} must be a list of str, not a str"),
        ));
    }
    let iter = obj
        .try_iter()
        .map_err(|_| invalid(py, format!("{what} must be a list of str")))?;
    let mut out = Vec::new();
    for item in iter {
        out.push(item?.extract::<Text>()?.0);
    }
    Ok(out)
}

/// What an agent may do: a macaroon (libmacaroons V2) whose caveats are CEL
/// expressions. Anyone holding it can narrow it (`attenuate`); nobody can
/// widen it. `parse` checks structure only; a Verifier checks the rest.
#[pyclass(module = "charter", frozen, eq)]
#[derive(PartialEq)]
pub struct Capability {
    pub inner: core::Capability,
}

#[pymethods]
impl Capability {
    /// Parses the base64url text form, strictly (verifies nothing).
    #[staticmethod]
    fn parse(py: Python<'_>, token: Text) -> PyResult<Self> {
        Ok(Capability {
            inner: check(py, core::Capability::parse(&token.0))?,
        })
    }

    /// The base64url text form (macaroon V2 binary).
    fn serialize(&self) -> String {
        self.inner.serialize()
    }

    /// A narrowed copy with one more caveat (checked to be in the caveat language).
    fn attenuate(&self, py: Python<'_>, caveat: Text) -> PyResult<Capability> {
        Ok(Capability {
            inner: shielded(py, || self.inner.attenuate(&caveat.0))?,
        })
    }

    /// A copy bound to a holder key (`holder == "<kid>"`): only requests with
    /// a fresh proof signed by that key pass.
    fn bind_holder(&self, py: Python<'_>, kid: Text) -> PyResult<Capability> {
        Ok(Capability {
            inner: shielded(py, || self.inner.bind_holder(&kid.0))?,
        })
    }

    /// Stable public id (receipts and revocation lists name capabilities by it).
    #[getter]
    fn id(&self) -> String {
        self.inner.id()
    }

    /// The random token id shared by this capability and every narrowing of it.
    #[getter]
    fn token_id(&self) -> &str {
        self.inner.token_id()
    }

    /// Id of the root key it was minted with.
    #[getter]
    fn root_kid(&self) -> &str {
        self.inner.root_kid()
    }

    /// Issue time, int Unix seconds.
    #[getter]
    fn issued_at(&self) -> i64 {
        self.inner.issued_at()
    }

    /// The caveat expressions, oldest first.
    #[getter]
    fn caveats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.inner.caveats())
    }

    fn __str__(&self) -> String {
        self.inner.serialize()
    }

    fn __repr__(&self) -> String {
        format!(
            "Capability(id={:?}, caveats={:?})",
            self.inner.id(),
            self.inner.caveats()
        )
    }
}

/// A capability argument: a Capability, or its text (parsed strictly).
pub fn capability_arg(obj: &Bound<'_, PyAny>) -> PyResult<core::Capability> {
    if let Ok(c) = obj.cast::<Capability>() {
        return Ok(c.get().inner.clone());
    }
    match obj.extract::<Text>() {
        Ok(t) => check(obj.py(), core::Capability::parse(&t.0)),
        Err(_) => Err(crate::errors::to_py(
            obj.py(),
            &Error::new(
                ErrorCode::InvalidArgument,
                "capability must be a Capability or its text",
            ),
        )),
    }
}
