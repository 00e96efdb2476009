//! `Request`: the tool call being decided.

use charter_core as core;
use charter_core::jcs;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::errors::{guard, OrThrow, Result};
use crate::json::{self, JsJson};

/// A tool call to decide: agent, action, args (a JSON object, or its text for
/// exactness), resource.
#[napi]
#[derive(Clone)]
pub struct Request {
    pub(crate) inner: core::Request,
}

#[napi]
impl Request {
    #[napi(constructor)]
    pub fn new(
        agent: String,
        action: String,
        #[napi(ts_arg_type = "Record<string, unknown> | string")] args: Unknown,
        resource: Option<String>,
    ) -> Result<Self> {
        guard(|| {
            let args = json::arg(&args, "args")?;
            let mut inner = core::Request::new(agent, action, args);
            inner.resource = resource;
            inner.validate().or_throw()?;
            Ok(Request { inner })
        })
    }

    /// Parses `{"agent","action","args","resource"?}` JSON text strictly.
    #[napi(factory)]
    pub fn from_json(text: String) -> Result<Request> {
        guard(|| {
            Ok(Request {
                inner: core::Request::from_json(&text).or_throw()?,
            })
        })
    }

    #[napi]
    pub fn agent(&self) -> String {
        self.inner.agent.clone()
    }

    #[napi]
    pub fn action(&self) -> String {
        self.inner.action.clone()
    }

    /// The arguments as a plain object.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn args(&self) -> JsJson {
        JsJson(self.inner.args.clone())
    }

    #[napi]
    pub fn resource(&self) -> Option<String> {
        self.inner.resource.clone()
    }

    /// Canonical (RFC 8785) JSON text of the request.
    #[napi]
    pub fn to_json(&self) -> Result<String> {
        guard(|| jcs::canonicalize(&self.inner.to_value()).or_throw())
    }
}
