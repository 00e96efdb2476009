//! The call being decided: agent, action, args (JSON object), resource.

use charter_core::{jcs, Error, ErrorCode};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{to_py_value, JsonArg, Text};
use crate::errors::{check, to_py};

/// A tool call to decide: agent, action, args (a dict, or its JSON text for
/// exactness), resource (optional). `now` and the audience are not part of
/// it: they come from the verifier.
#[pyclass(module = "charter", frozen)]
pub struct Request {
    pub inner: charter_core::Request,
}

#[pymethods]
impl Request {
    #[new]
    #[pyo3(signature = (agent, action, args, resource=None))]
    fn new(
        py: Python<'_>,
        agent: Text,
        action: Text,
        args: JsonArg,
        resource: Option<Text>,
    ) -> PyResult<Self> {
        let mut inner = charter_core::Request::new(agent.0, action.0, args.0);
        inner.resource = resource.map(|r| r.0);
        check(py, inner.validate())?;
        Ok(Request { inner })
    }

    /// Parses `{"agent", "action", "args", "resource"?}` JSON text strictly.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: Text) -> PyResult<Self> {
        Ok(Request {
            inner: check(py, charter_core::Request::from_json(&text.0))?,
        })
    }

    #[getter]
    fn agent(&self) -> &str {
        &self.inner.agent
    }

    #[getter]
    fn action(&self) -> &str {
        &self.inner.action
    }

    /// The arguments, as a dict.
    #[getter]
    fn args<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py_value(py, &self.inner.args)
    }

    #[getter]
    fn resource(&self) -> Option<&str> {
        self.inner.resource.as_deref()
    }

    /// Canonical JSON text (RFC 8785) of the request.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        check(py, jcs::canonicalize(&self.inner.to_value()))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Request>()
            .map(|o| o.get().inner == self.inner)
            .unwrap_or(false)
    }

    fn __repr__(&self) -> String {
        format!(
            "Request(agent={:?}, action={:?}, resource={:?})",
            self.inner.agent, self.inner.action, self.inner.resource
        )
    }
}

/// A request argument: a Request, or a dict / JSON text of one.
pub fn request_arg(obj: &Bound<'_, PyAny>) -> PyResult<charter_core::Request> {
    let py = obj.py();
    if let Ok(r) = obj.cast::<Request>() {
        return Ok(r.get().inner.clone());
    }
    if obj.is_instance_of::<PyDict>() || obj.is_instance_of::<pyo3::types::PyString>() {
        let value = obj.extract::<JsonArg>()?.0;
        return check(py, charter_core::Request::from_value(&value));
    }
    Err(to_py(
        py,
        &Error::new(
            ErrorCode::InvalidArgument,
            "request must be a Request, a dict or JSON text",
        ),
    ))
}
