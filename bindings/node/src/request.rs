//! `Request`: the tool call being decided, and the `Request | object |
//! string` argument every check takes.

use std::borrow::Borrow;

use charter_core as core;
use napi::bindgen_prelude::{ClassInstance, Unknown};
use napi_derive::napi;

use crate::host::{instance, Js};
use crate::task::Owned;

/// A tool call to decide: agent, action, args (a JSON object, or its text
/// for exactness), resource.
#[napi]
pub struct Request(pub(crate) core::Request);

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
    from_json(text: String) -> Request = Request(core::Request::from_json(&text)?);
} ctor {
    "A request from its parts; `args` as an object, or as JSON text to keep every number exact."
    (agent: String, action: String, #[napi(ts_arg_type = "Record<string, unknown> | string")] args: Unknown, resource: Option<String>) = {
        let args = Js::new(args)?;
        Request(core::host::with_json(&args, "args", |a| core::Request::build(agent, action, a, resource))?)
    };
});

/// A `Request | object | string` argument: a `Request`, or its JSON form
/// (`{"agent","action","args","resource"?}`) as an object or as text.
pub enum RequestArg<'e> {
    /// A `Request`.
    Class(ClassInstance<'e, Request>),
    /// Built from an object or text.
    Built(core::Request),
}

impl<'e> RequestArg<'e> {
    /// Reads the argument; the core checks the JSON form.
    pub fn read(value: Unknown<'e>) -> std::result::Result<Self, core::Error> {
        if let Some(r) = instance::<Request>(value) {
            return Ok(RequestArg::Class(r));
        }
        let built = core::host::with_json(&Js::new(value)?, "request", core::Request::from_input);
        built.map(RequestArg::Built)
    }
}

/// The request, for the core: `req.borrow()` reads a `RequestArg` and its
/// owned form (a `core::Request`) alike.
impl Borrow<core::Request> for RequestArg<'_> {
    fn borrow(&self) -> &core::Request {
        match self {
            RequestArg::Class(r) => &r.0,
            RequestArg::Built(r) => r,
        }
    }
}

impl Owned for RequestArg<'_> {
    type Out = core::Request;
    fn owned(self) -> core::Request {
        match self {
            RequestArg::Class(r) => r.0.clone(),
            RequestArg::Built(r) => r,
        }
    }
}
