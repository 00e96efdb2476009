//! Request, and the `Request | object | string` argument.

use std::rc::Rc;

use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::error::{invalid, JsResult};
use crate::host::{self, Json, JsonArg, JsonObject, OptStr, Str};

/// A request argument: a `Request`, a plain object `{agent, action, args?,
/// resource?}`, or its JSON text.
pub fn arg(v: &JsValue) -> Result<Rc<core::Request>, core::Error> {
    if let Some(r) = host::try_obj::<core::Request>(v) {
        return Ok(r);
    }
    if v.is_string() {
        return core::Request::from_json(&host::string(v, "request")?).map(Rc::new);
    }
    if host::is_plain(v, "request")? {
        return core::Request::from_value(&Json::read(v, "request")?.value()?).map(Rc::new);
    }
    let got = host::type_name(v);
    Err(invalid(format!("request must be a Request, an object {{agent, action, args, resource?}} or its JSON text, got {got}")))
}

crate::class! {
    /// A tool call to decide: agent, action, args (a JSON object, or its
    /// text for exactness), resource.
    Request(core::Request) {
        /// Who asks.
        (getter) agent: String = |r| r.agent.clone();
        /// The action (tool name).
        (getter) action: String = |r| r.action.clone();
        /// The arguments, as a JSON object.
        (getter) args: JsonObject = |r| js_sys::JSON::parse(&r.args.to_string()).unwrap_or_default().unchecked_into();
        /// The resource, or null.
        (getter) resource: OptStr = |r| host::opt_out(r.resource.as_deref());
    }

    /// `args` is a JSON object, or its text (exact: large integers stay exact).
    #[wasm_bindgen(constructor)]
    pub fn new(agent: Str, action: Str, args: JsonArg, resource: Option<Str>) -> JsResult<Request> {
        let (agent, action) = (host::string(&agent, "agent")?, host::string(&action, "action")?);
        let resource = host::opt_string(resource.as_deref(), "resource")?;
        let args = Json::read(&args, "args")?;
        Ok(Request::wrap(args.with_input(|a| core::Request::build(agent, action, a, resource))?))
    }

    /// Parses `{"agent","action","args","resource"?}` strictly.
    pub fn fromJson(text: Str) -> JsResult<Request> {
        Ok(Request::wrap(core::Request::from_json(&host::string(&text, "text")?)?))
    }

    /// Canonical (JCS) JSON text of the request.
    pub fn toJson(&self) -> JsResult<String> {
        Ok(core::jcs::canonicalize(&self.inner().to_value())?)
    }
}
