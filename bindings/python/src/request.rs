use std::borrow::Cow;

use charter_core::jcs;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::error::{check, invalid};
use crate::host::{json_input, to_python, Text};

methods!(@eq
/// A tool call to decide. `now` and the audience are not part of it: they
/// come from the verifier.
Request(charter_core::Request) {
    agent: &str { .agent.as_str() }
    action: &str { .action.as_str() }
    resource: Option<&str> { .resource.as_deref() }
}
    #[new]
    #[pyo3(signature = (agent, action, args, resource=None))]
    fn new(
        agent: Text, action: Text, args: &Bound<'_, PyAny>, resource: Option<Text>,
    ) -> PyResult<Self> {
        let args = json_input(args, "args")?;
        let request = charter_core::Request::build(agent.0, action.0, args, resource.map(|r| r.0));
        check(request).map(Request)
    }
    /// Parses `{"agent", "action", "args", "resource"?}` JSON text strictly.
    #[staticmethod]
    fn from_json(text: Text) -> PyResult<Self> {
        check(charter_core::Request::from_json(&text.0)).map(Request)
    }
    #[getter]
    fn args<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0.args)
    }
    fn to_json(&self) -> PyResult<String> { check(jcs::canonicalize(&self.0.to_value())) }
);

/// A `Request | object | string` argument: a Request (borrowed), or a dict
/// or JSON text of one.
pub fn request<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, charter_core::Request>> {
    if let Ok(r) = obj.cast::<Request>() {
        return Ok(Cow::Borrowed(&r.get().0));
    }
    if !obj.is_instance_of::<PyString>() && !obj.is_instance_of::<PyDict>() {
        return Err(invalid("request must be a Request, a dict or JSON text"));
    }
    let input = json_input(obj, "request")?;
    check(charter_core::Request::from_input(input)).map(Cow::Owned)
}
