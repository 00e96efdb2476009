//! The call being decided: who asks, for what, with which arguments.

use serde_json::{Map, Value};

use crate::{jcs, Error, ErrorCode};

/// Largest canonical request accepted (bytes of JCS).
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// A tool call to decide. `now` and `audience` are not part of it: they come
/// from the verifier's own clock and configuration, never from the caller.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub agent: String,
    pub action: String,
    pub args: Value,
    pub resource: Option<String>,
}

impl Request {
    pub fn new(agent: impl Into<String>, action: impl Into<String>, args: Value) -> Self {
        Request {
            agent: agent.into(),
            action: action.into(),
            args,
            resource: None,
        }
    }

    pub fn with_resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Parses `{"agent":…,"action":…,"args":{…},"resource":…?}` strictly.
    pub fn from_json(text: &str) -> Result<Request, Error> {
        if text.len() > MAX_REQUEST_BYTES {
            return Err(Error::new(
                ErrorCode::LimitExceeded,
                format!("request is larger than {MAX_REQUEST_BYTES} bytes"),
            ));
        }
        let value = jcs::parse(text)?;
        Request::from_value(&value)
    }

    pub fn from_value(value: &Value) -> Result<Request, Error> {
        let bad = |m: &str| Error::new(ErrorCode::Malformed, format!("request: {m}"));
        let obj = value
            .as_object()
            .ok_or_else(|| bad("expected a JSON object"))?;
        if let Some(k) = obj
            .keys()
            .find(|k| !matches!(k.as_str(), "agent" | "action" | "args" | "resource"))
        {
            return Err(bad(&format!("unknown member {k:?}")));
        }
        let string = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
        let req = Request {
            agent: string("agent").ok_or_else(|| bad("\"agent\" must be a string"))?,
            action: string("action").ok_or_else(|| bad("\"action\" must be a string"))?,
            args: obj
                .get("args")
                .cloned()
                .unwrap_or_else(|| Value::Object(Map::new())),
            resource: match obj.get("resource") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => return Err(bad("\"resource\" must be a string or null")),
            },
        };
        req.validate()?;
        Ok(req)
    }

    /// The JSON object form (resource omitted when absent).
    pub fn to_value(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("agent".into(), Value::String(self.agent.clone()));
        obj.insert("action".into(), Value::String(self.action.clone()));
        obj.insert("args".into(), self.args.clone());
        if let Some(r) = &self.resource {
            obj.insert("resource".into(), Value::String(r.clone()));
        }
        Value::Object(obj)
    }

    /// Checks the shape and the I-JSON rules of the arguments.
    pub fn validate(&self) -> Result<(), Error> {
        if self.action.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "request action must not be empty",
            ));
        }
        if !self.args.is_object() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "request args must be a JSON object",
            ));
        }
        jcs::validate(&self.args)?;
        Ok(())
    }

    /// Canonical hash of the whole request (what a holder proof signs).
    pub fn hash(&self) -> Result<String, Error> {
        let canonical = jcs::canonicalize(&self.to_value())?;
        if canonical.len() > MAX_REQUEST_BYTES {
            return Err(Error::new(
                ErrorCode::LimitExceeded,
                format!("request is larger than {MAX_REQUEST_BYTES} bytes"),
            ));
        }
        use sha2::Digest;
        Ok(crate::b64::encode(sha2::Sha256::digest(
            canonical.as_bytes(),
        )))
    }

    /// Hash of the arguments alone (what permits and receipts carry).
    pub fn args_hash(&self) -> Result<String, Error> {
        Ok(jcs::hash(&self.args)?)
    }
}
