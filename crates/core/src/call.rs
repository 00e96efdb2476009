//! What one call brings besides its request: the capability, parsed or as
//! text, and the options of the call. Every binding hands these straight to
//! [`crate::Verifier::check`], [`crate::Guard::check`] and
//! [`crate::Guard::protect`], so none of them re-implements the dispatch.

use crate::capability::Capability;
use crate::Error;

/// A capability as a caller holds it: parsed, or as the text it travels in.
///
/// Text that does not parse is not an error of the call: it is a denial
/// (recorded, in a [`crate::Guard`]), exactly as a forged capability is.
#[derive(Clone, Copy, Debug)]
pub enum CapabilityRef<'a> {
    /// An already parsed capability (parsing is not repeated).
    Parsed(&'a Capability),
    /// Capability text (`Capability::serialize`), parsed at the check.
    Text(&'a str),
}

impl<'a> From<&'a Capability> for CapabilityRef<'a> {
    fn from(cap: &'a Capability) -> Self {
        CapabilityRef::Parsed(cap)
    }
}

impl<'a> From<&'a str> for CapabilityRef<'a> {
    fn from(text: &'a str) -> Self {
        CapabilityRef::Text(text)
    }
}

impl<'a> From<&'a String> for CapabilityRef<'a> {
    fn from(text: &'a String) -> Self {
        CapabilityRef::Text(text)
    }
}

impl<'a> CapabilityRef<'a> {
    /// The parsed capability, borrowed when it already was one.
    pub fn resolve(self) -> Result<std::borrow::Cow<'a, Capability>, Error> {
        match self {
            CapabilityRef::Parsed(cap) => Ok(std::borrow::Cow::Borrowed(cap)),
            CapabilityRef::Text(text) => Capability::parse(text).map(std::borrow::Cow::Owned),
        }
    }
}

/// The optional parts of one call, all absent by default.
///
/// ```
/// # use charter_core::CallOptions;
/// let at_noon = CallOptions { now: Some(1_700_000_000), ..CallOptions::default() };
/// assert_eq!(at_noon.now(), 1_700_000_000);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CallOptions {
    /// A holder proof (`Holder::prove`), needed when the capability is bound
    /// to a holder key.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub proof: Option<String>,
    /// Carried in the permit as `idem`, so the tool can run the call at most
    /// once per key (`protect` only).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub idempotency_key: Option<String>,
    /// The permit's `jti`: derive it from your own call id, or leave it
    /// random (`protect` only).
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub permit_id: Option<String>,
    /// The time of the decision, Unix seconds; the system clock when absent.
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub now: Option<i64>,
}

impl CallOptions {
    /// Options with only the time set (what tests and replays pass).
    pub fn at(now: i64) -> Self {
        CallOptions {
            now: Some(now),
            ..CallOptions::default()
        }
    }

    /// The options of a check: a holder proof and the time, each optional
    /// (what every binding's `check(capability, request, proof?, now?)` passes).
    pub fn check(proof: Option<String>, now: Option<i64>) -> Self {
        CallOptions {
            proof,
            now,
            ..CallOptions::default()
        }
    }

    /// The same options with a holder proof.
    pub fn with_proof(mut self, proof: impl Into<String>) -> Self {
        self.proof = Some(proof.into());
        self
    }

    /// The time of the decision: `now`, or the system clock.
    pub fn now(&self) -> i64 {
        self.now.unwrap_or_else(crate::unix_now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorCode, Issuer, Request, RootKey, Verifier};
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn text_and_parsed_decide_alike_and_bad_text_is_a_denial() {
        let root = RootKey::from_bytes(&[7; 32]).unwrap();
        let cap = Issuer::new(root.clone())
            .issue()
            .actions(&["read"])
            .never_expires()
            .build()
            .unwrap();
        let v = Verifier::new([root], "svc").unwrap();
        let req = Request::new("a", "read", json!({}));
        let text = cap.serialize();
        assert!(v.check(&cap, &req, &CallOptions::at(NOW)).allowed);
        assert!(v.check(&text, &req, &CallOptions::at(NOW)).allowed);
        assert!(
            v.check(text.as_str(), &req, &CallOptions::default())
                .allowed
        );
        let d = v.check("not a capability", &req, &CallOptions::at(NOW));
        assert_eq!(d.reasons[0].code, ErrorCode::Malformed);
        // The verifier owns its revocation list.
        v.revoke(&cap.id()).unwrap();
        assert_eq!(
            v.check(&text, &req, &CallOptions::at(NOW)).reasons[0].code,
            ErrorCode::Revoked
        );
        assert_eq!(
            v.revoke("nope").unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn options_default_to_the_clock_and_windows_to_their_defaults() {
        let before = crate::unix_now();
        assert!(CallOptions::default().now() >= before);
        assert_eq!(
            CallOptions::at(5).with_proof("p").proof.as_deref(),
            Some("p")
        );
        let check = CallOptions::check(Some("p".into()), Some(5));
        assert_eq!(check, CallOptions::at(5).with_proof("p"));
        assert_eq!(CallOptions::check(None, None), CallOptions::default());
        let root = RootKey::from_bytes(&[7; 32]).unwrap();
        let v = Verifier::new([root], "svc").unwrap();
        let v = v.with_proof_window(None, Some(0)).unwrap();
        assert!(v.with_proof_window(Some(0), None).is_err());
    }

    #[test]
    fn request_parts_are_checked_in_the_request() {
        let big = format!(
            "{{\"a\":\"{}\"}}",
            "x".repeat(crate::request::MAX_REQUEST_BYTES)
        );
        let e = Request::build("a", "b", crate::JsonInput::Text(&big), None).unwrap_err();
        assert_eq!(e.code(), ErrorCode::LimitExceeded);
        let e = Request::build("a", "", crate::JsonInput::Text("{}"), None).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        let r = Request::build(
            "a",
            "b",
            crate::JsonInput::Text(r#"{"n":1}"#),
            Some("r".into()),
        )
        .unwrap();
        assert_eq!(r.resource.as_deref(), Some("r"));
        let text = r#"{"agent":"a","action":"b","args":{"n":1}}"#;
        let from_text = Request::from_input(crate::JsonInput::Text(text)).unwrap();
        let value = serde_json::from_str(text).unwrap();
        assert_eq!(
            Request::from_input(crate::JsonInput::Value(value)).unwrap(),
            from_text
        );
        let e = Request::from_input(crate::JsonInput::Text("{}")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::Malformed);
    }
}
