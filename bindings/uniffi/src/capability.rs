//! Capabilities: `Issuer`, `Capability`, `Request`, `Holder`.

use std::sync::Arc;

use charter_core as core;

use crate::keys::{RootKey, SigningKey};
use crate::{now_or_clock, parse_json, CharterError};

/// Mints capabilities with one root key.
#[derive(uniffi::Object)]
pub struct Issuer(core::Issuer);

#[uniffi::export]
impl Issuer {
    #[uniffi::constructor]
    pub fn new(root: Arc<RootKey>) -> Arc<Self> {
        Arc::new(Issuer(core::Issuer::new(root.0.clone())))
    }

    /// Mints a capability. Caveats are added in parameter order: agent,
    /// actions, audience, not_before, expires_at, then `caveats`. `token_id`
    /// (16 bytes) and `issued_at` are for tests and vectors: random and the
    /// system clock when left out. Exactly one of `expires_at` (Unix seconds,
    /// after `issued_at`, before the year 10000) and `never_expires = true`
    /// is required.
    #[uniffi::method(default(
        agent = None,
        actions = None,
        audience = None,
        not_before = None,
        expires_at = None,
        never_expires = false,
        caveats = None,
        token_id = None,
        issued_at = None
    ))]
    #[allow(clippy::too_many_arguments)]
    pub fn issue(
        &self,
        agent: Option<String>,
        actions: Option<Vec<String>>,
        audience: Option<String>,
        not_before: Option<i64>,
        expires_at: Option<i64>,
        never_expires: bool,
        caveats: Option<Vec<String>>,
        token_id: Option<Vec<u8>>,
        issued_at: Option<i64>,
    ) -> Result<Arc<Capability>, CharterError> {
        let options = core::IssueOptions {
            agent,
            actions,
            audience,
            not_before,
            expires_at,
            never_expires,
            caveats: caveats.unwrap_or_default(),
            token_id,
            issued_at,
        };
        Ok(Arc::new(Capability(self.0.issue_with(&options)?)))
    }
}

/// What an agent may do: a macaroon with CEL caveats.
#[derive(uniffi::Object)]
pub struct Capability(pub(crate) core::Capability);

#[uniffi::export]
impl Capability {
    /// Parses a token (base64url macaroon V2). Verifies nothing.
    #[uniffi::constructor]
    pub fn parse(token: String) -> Result<Arc<Self>, CharterError> {
        Ok(Arc::new(Capability(core::Capability::parse(&token)?)))
    }

    /// The token text.
    pub fn serialize(&self) -> String {
        self.0.serialize()
    }

    /// A narrower capability with one more caveat.
    pub fn attenuate(&self, caveat: String) -> Result<Arc<Capability>, CharterError> {
        Ok(Arc::new(Capability(self.0.attenuate(&caveat)?)))
    }

    /// A capability usable only with a fresh proof by the key with this kid.
    pub fn bind_holder(&self, kid: String) -> Result<Arc<Capability>, CharterError> {
        Ok(Arc::new(Capability(self.0.bind_holder(&kid)?)))
    }

    /// The stable public id (for receipts and revocation).
    pub fn id(&self) -> String {
        self.0.id()
    }

    pub fn token_id(&self) -> String {
        self.0.token_id().to_string()
    }

    pub fn root_kid(&self) -> String {
        self.0.root_kid().to_string()
    }

    /// Unix seconds.
    pub fn issued_at(&self) -> i64 {
        self.0.issued_at()
    }

    pub fn caveats(&self) -> Vec<String> {
        self.0.caveats().to_vec()
    }
}

/// A tool call to decide: agent, action, args (JSON object text), resource.
#[derive(uniffi::Object)]
pub struct Request(pub(crate) core::Request);

#[uniffi::export]
impl Request {
    /// `args` is the JSON text of an object; numbers stay exact, and
    /// integers beyond ±(2^53−1) are refused.
    #[uniffi::constructor(default(resource = None))]
    pub fn new(
        agent: String,
        action: String,
        args: String,
        resource: Option<String>,
    ) -> Result<Arc<Self>, CharterError> {
        if args.len() > core::request::MAX_REQUEST_BYTES {
            return Err(core::Error::new(
                core::ErrorCode::LimitExceeded,
                format!(
                    "request is larger than {} bytes",
                    core::request::MAX_REQUEST_BYTES
                ),
            )
            .into());
        }
        let mut req = core::Request::new(agent, action, parse_json(&args)?);
        req.resource = resource;
        req.validate()?;
        Ok(Arc::new(Request(req)))
    }

    /// Parses `{"agent","action","args","resource"?}` strictly.
    #[uniffi::constructor]
    pub fn from_json(text: String) -> Result<Arc<Self>, CharterError> {
        Ok(Arc::new(Request(core::Request::from_json(&text)?)))
    }

    pub fn agent(&self) -> String {
        self.0.agent.clone()
    }

    pub fn action(&self) -> String {
        self.0.action.clone()
    }

    /// The arguments as canonical (JCS) JSON text.
    pub fn args(&self) -> Result<String, CharterError> {
        Ok(core::jcs::canonicalize(&self.0.args)?)
    }

    pub fn resource(&self) -> Option<String> {
        self.0.resource.clone()
    }

    /// The whole request as canonical (JCS) JSON text.
    pub fn to_json(&self) -> Result<String, CharterError> {
        Ok(core::jcs::canonicalize(&self.0.to_value())?)
    }
}

/// An agent's key, proving possession of capabilities bound to it.
#[derive(uniffi::Object)]
pub struct Holder(core::Holder);

#[uniffi::export]
impl Holder {
    #[uniffi::constructor]
    pub fn new(signing_key: Arc<SigningKey>) -> Arc<Self> {
        Arc::new(Holder(core::Holder::new(signing_key.0.clone())))
    }

    /// The key id to bind capabilities to.
    pub fn kid(&self) -> String {
        self.0.kid()
    }

    /// A proof for one request to one audience. `nonce` (16 to 64 bytes) is
    /// random when left out; give it only in tests (a repeated nonce is a replay).
    #[uniffi::method(default(now = None, nonce = None))]
    pub fn prove(
        &self,
        capability: Arc<Capability>,
        request: Arc<Request>,
        audience: String,
        now: Option<i64>,
        nonce: Option<Vec<u8>>,
    ) -> Result<String, CharterError> {
        let now = now_or_clock(now);
        Ok(match nonce {
            Some(n) => self
                .0
                .prove_with_nonce(&capability.0, &request.0, &audience, now, &n)?,
            None => self.0.prove(&capability.0, &request.0, &audience, now)?,
        })
    }
}
