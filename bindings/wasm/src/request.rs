use std::rc::Rc;

use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::host::{self, JsonArg, JsonObject, OptStr, Str};

/// A request argument: a `Request`, a plain object `{agent, action, args?,
/// resource?}`, or its JSON text.
pub fn arg(v: &JsValue) -> Result<Rc<core::Request>, core::Error> {
    let want = "a Request, an object {agent, action, args, resource?} or its JSON text";
    host::obj_or_json(v, "request", want, |j| {
        core::host::with_json(j, "request", core::Request::from_input)
    })
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
        (getter) args: JsonObject = |r| host::json_out(&r.args);
        /// The resource, or null.
        (getter) resource: OptStr = |r| host::opt_out(r.resource.as_deref());
    } fn {
        /// Canonical (JCS) JSON text of the request.
        toJson(&r) -> String = core::jcs::canonicalize(&r.to_value());
    } static {
        /// Parses `{"agent","action","args","resource"?}` strictly.
        fromJson(text: Str) = core::Request::from_json(&host::arg!(string: text));
        /// `args` is a JSON object, or its text (exact: large integers stay exact).
        #[wasm_bindgen(constructor)]
        new(agent: Str, action: Str, args: JsonArg, resource: Option<Str>) = {
            host::args!(string: agent, action; ?string: resource;);
            let args = host::Js(args.into());
            core::host::with_json(&args, "args", |a| core::Request::build(agent, action, a, resource))
        };
    }
}
