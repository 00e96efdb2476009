//! `Request`: the tool call being decided, and the `Request | object |
//! string` argument every check takes.

use std::sync::Arc;

use charter_core as core;
use napi::bindgen_prelude::{ClassInstance, FromNapiValue, Unknown};
use napi_derive::napi;

use crate::host::Js;

/// A tool call to decide: agent, action, args (a JSON object, or its text
/// for exactness), resource.
#[napi]
pub struct Request(pub(crate) Arc<core::Request>);

accessors!(Request |r| get {
    "The arguments as a plain object."
    [ts_return_type = "Record<string, unknown>"]
    args: serde_json::Value = r.args.clone();
    "Who asks."
    agent: String = r.agent.clone();
    "The tool (action) called."
    action: String = r.action.clone();
    "The resource, or null."
    resource: Option<String> = r.resource.clone();
} fn {} try {
    "Canonical (RFC 8785) JSON text of the request."
    to_json() -> String = core::jcs::canonicalize(&r.to_value())?;
} new {
    "Parses `{\"agent\",\"action\",\"args\",\"resource\"?}` JSON text strictly."
    from_json(text: String) -> Request = Request(Arc::new(core::Request::from_json(&text)?));
} ctor {
    "A request from its parts; `args` as an object, or as JSON text to keep every number exact."
    (agent: String, action: String, #[napi(ts_arg_type = "Record<string, unknown> | string")] args: Unknown, resource: Option<String>) = {
        let args = Js::new(args)?;
        let build = |a: core::JsonInput| core::Request::build(agent, action, a, resource);
        Request(Arc::new(core::host::with_json(&args, "args", build)?))
    };
});

/// A `Request | object | string` argument: a `Request` (shared, as a
/// `Capability` is), or its JSON form (`{"agent","action","args","resource"?}`)
/// as an object or as text, which the core checks.
pub fn request_arg(value: Unknown) -> core::Result<Arc<core::Request>> {
    if let Ok(r) = ClassInstance::<Request>::from_unknown(value) {
        return Ok(r.0.clone());
    }
    core::host::with_json(&Js::new(value)?, "request", core::Request::from_input).map(Arc::new)
}
