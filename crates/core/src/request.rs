//! The call being decided: who asks, for what, with which arguments.

use serde_json::{Map, Value};

use crate::{jcs, Error, ErrorCode};

/// Largest canonical request accepted (bytes of JCS).
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// JSON as a caller passes it: a value (built from a host value by
/// [`crate::host::from_host`]) or text, parsed strictly.
#[derive(Clone, Debug)]
pub enum JsonInput<'a> {
    /// A value already built and checked.
    Value(Value),
    /// JSON text.
    Text(&'a str),
}

/// A tool call to decide. `now` and `audience` are not part of it: they come
/// from the verifier's own clock and configuration, never from the caller.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// Who is calling: the agent, as caveats see `agent`.
    pub agent: String,
    /// The tool being called.
    pub action: String,
    /// The call's arguments: a JSON object, I-JSON (exact numbers).
    pub args: Value,
    /// What the call acts on, when it names one.
    pub resource: Option<String>,
    /// Human approvals of this call (`SigningKey::approve`), for capabilities
    /// with `approval(...)` caveats; empty otherwise. Not part of what a
    /// holder proof signs: approvals are evidence about the call, not the call.
    pub approvals: Vec<String>,
}

impl Request {
    /// A request without a resource. Nothing is checked until it is used
    /// (or use [`Request::build`], which checks at once).
    pub fn new(agent: impl Into<String>, action: impl Into<String>, args: Value) -> Self {
        Request {
            agent: agent.into(),
            action: action.into(),
            args,
            resource: None,
            approvals: Vec::new(),
        }
    }

    /// The same request carrying `approvals` (approval texts).
    pub fn with_approvals(mut self, approvals: Vec<String>) -> Self {
        self.approvals = approvals;
        self
    }

    /// The same request acting on `resource`.
    pub fn with_resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// A validated request from its parts, `args` as a value or as JSON
    /// text (parsed strictly, so its numbers stay exact). What every binding's
    /// `Request(agent, action, args, resource?)` calls.
    pub fn build(
        agent: impl Into<String>,
        action: impl Into<String>,
        args: JsonInput<'_>,
        resource: Option<String>,
    ) -> Result<Request, Error> {
        let args = match args {
            JsonInput::Value(v) => v,
            JsonInput::Text(text) => {
                if text.len() > MAX_REQUEST_BYTES {
                    return Err(Error::new(
                        ErrorCode::LimitExceeded,
                        format!("request args are larger than {MAX_REQUEST_BYTES} bytes"),
                    ));
                }
                jcs::parse(text)?
            }
        };
        let req = Request {
            agent: agent.into(),
            action: action.into(),
            args,
            resource,
            approvals: Vec::new(),
        };
        req.validate()?;
        Ok(req)
    }

    /// Parses `{"agent":…,"action":…,"args":{…},"resource":…?,"approvals":[…]?}` strictly.
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

    /// A request from its JSON form given either way (a binding's
    /// `Request | object | string` argument): text by [`Request::from_json`],
    /// a value by [`Request::from_value`].
    pub fn from_input(input: JsonInput<'_>) -> Result<Request, Error> {
        match input {
            JsonInput::Text(text) => Request::from_json(text),
            JsonInput::Value(value) => Request::from_value(&value),
        }
    }

    /// A request from its JSON object form (`agent`, `action`, `args`,
    /// `resource`, `approvals`); unknown members are refused.
    pub fn from_value(value: &Value) -> Result<Request, Error> {
        let bad = |m: &str| Error::new(ErrorCode::Malformed, format!("request: {m}"));
        let obj = value
            .as_object()
            .ok_or_else(|| bad("expected a JSON object"))?;
        if let Some(k) = obj.keys().find(|k| {
            !matches!(
                k.as_str(),
                "agent" | "action" | "args" | "resource" | "approvals"
            )
        }) {
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
            approvals: crate::approval::from_json(obj.get("approvals"))?,
        };
        req.validate()?;
        Ok(req)
    }

    /// The JSON object form (resource omitted when absent, approvals when empty).
    pub fn to_value(&self) -> Value {
        let mut value = self.call_value();
        if let (false, Value::Object(obj)) = (self.approvals.is_empty(), &mut value) {
            obj.insert(
                "approvals".into(),
                Value::Array(self.approvals.iter().cloned().map(Value::String).collect()),
            );
        }
        value
    }

    /// The call alone (no approvals): what a holder proof's request hash covers.
    fn call_value(&self) -> Value {
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
        jcs::validate_args(&self.args)?;
        crate::approval::check_offered(&self.approvals)?;
        Ok(())
    }

    /// Canonical hash of the whole request (what a holder proof signs).
    pub fn hash(&self) -> Result<String, Error> {
        jcs::validate_args(&self.args)?;
        let canonical = jcs::canonicalize(&self.call_value())?;
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
        jcs::args_hash(&self.args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_args_are_exact_and_typed_by_their_canonical_form() {
        let req = |args: &str| {
            Request::from_json(&format!(r#"{{"agent":"a","action":"pay","args":{args}}}"#))
        };
        // Item 5: decimals that are not doubles are refused, with a way out.
        for args in [
            r#"{"amount":5000.0000000000001}"#,
            r#"{"amount":5000.00000000000000001}"#,
            r#"{"x":1e-400}"#,
        ] {
            let e = req(args).expect_err(args);
            assert_eq!(e.code(), ErrorCode::Malformed, "{args}");
            assert!(e.message().contains("as a string"), "{args}: {e}");
        }
        // Item 7: an integral double would be a double to caveats but the int's JCS.
        let e = req(r#"{"a":1.0}"#).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Malformed);
        assert!(e.message().contains("as the integer 1"), "{e}");
        let r = Request::new("a", "pay", serde_json::json!({"a": 2.0}));
        assert!(r
            .validate()
            .unwrap_err()
            .message()
            .contains("as the integer 2"));
        // Nor can a holder proof (which signs the request hash) cover it.
        assert_eq!(r.hash().unwrap_err().code(), ErrorCode::Malformed);
        assert_eq!(r.args_hash().unwrap_err().code(), ErrorCode::Malformed);
        // Item 8: what a request writes, it reads back to the same request.
        for args in [
            r#"{"n":1e20}"#,
            r#"{"n":9007199254740992.0}"#,
            r#"{"n":2.669624328417371e+125}"#,
        ] {
            let r = req(args).unwrap_or_else(|e| panic!("{args}: {e}"));
            let text = jcs::canonicalize(&r.to_value()).unwrap();
            assert_eq!(Request::from_json(&text).as_ref(), Ok(&r), "{text}");
        }
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                (-jcs::MAX_SAFE_INTEGER..=jcs::MAX_SAFE_INTEGER).prop_map(Value::from),
                any::<f64>().prop_map(Value::from),
                any::<u64>().prop_map(|b| Value::from(f64::from_bits(b))),
                (-400i32..400, 0u64..100_000)
                    .prop_map(|(e, m)| Value::from(m as f64 * 10f64.powi(e))),
                "[ -~\\u{e9}\\u{1F600}\\u{2028}\\n]{0,8}".prop_map(Value::String),
            ];
            leaf.prop_recursive(4, 48, 6, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    proptest::collection::btree_map("[a-z\\u{e000}\\u{1F600}]{0,3}", inner, 0..6)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// Item 8: `jcs(jcs(x)) == jcs(x)` for every value Charter accepts,
            /// and the text reads back to the same value.
            #[test]
            fn jcs_is_idempotent(v in json_value()) {
                if let Ok(once) = jcs::canonicalize(&v) {
                    let back = jcs::parse(&once).unwrap_or_else(|e| panic!("{once}: {e}"));
                    prop_assert_eq!(jcs::canonicalize_str(&once), Ok(once.clone()));
                    prop_assert_eq!(jcs::canonicalize(&back), Ok(once.clone()));
                }
            }

            /// Item 8: a request that validates round-trips through its JCS text.
            #[test]
            fn requests_round_trip(args in proptest::collection::btree_map("[a-z]{0,3}", json_value(), 0..6)) {
                let r = Request::new("agent", "act", Value::Object(args.into_iter().collect()));
                if r.validate().is_ok() {
                    let text = jcs::canonicalize(&r.to_value()).unwrap();
                    let back = Request::from_json(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
                    prop_assert_eq!(&back, &r);
                    prop_assert_eq!(back.args_hash().unwrap(), r.args_hash().unwrap());
                }
            }
        }
    }
}
