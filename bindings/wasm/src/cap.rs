//! Issuer, Capability, Request, Holder, Verifier.

use std::rc::Rc;
use std::sync::Arc;

use charter_core as core;
use js_sys::Array;

use wasm_bindgen::prelude::*;

use crate::conv::{self, obj, put};
use crate::err::{invalid, reasons_to_js, IntoJs, JsResult};
use crate::handle::{lookup, try_lookup, Handle};

/// Mints capabilities with one root key.
#[wasm_bindgen]
pub struct Issuer {
    h: Handle<core::Issuer>,
}

const ISSUE_OPTIONS: [&str; 9] = [
    "agent",
    "actions",
    "audience",
    "notBefore",
    "expiresAt",
    "neverExpires",
    "caveats",
    "tokenId",
    "issuedAt",
];

#[wasm_bindgen]
impl Issuer {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "RootKey")] root: JsValue,
    ) -> JsResult<Issuer> {
        let root = lookup::<core::RootKey>(&root, "root", "RootKey").js()?;
        Ok(Issuer {
            h: Handle::new(core::Issuer::new((*root).clone())),
        })
    }

    /// Mints a capability. Caveats are added in this order: agent, actions,
    /// audience, notBefore, expiresAt, then `caveats`. `issuedAt` defaults to
    /// the platform clock, `tokenId` (16 bytes) to random. Exactly one of
    /// `expiresAt` (Unix seconds, not milliseconds) and `neverExpires: true`
    /// is required.
    pub fn issue(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "IssueOptions")] options: JsValue,
    ) -> JsResult<Capability> {
        let o = issue_options(&options).js()?;
        Ok(Capability::wrap(self.h.get().issue_with(&o).js()?))
    }
}

fn issue_options(v: &JsValue) -> Result<core::IssueOptions, core::Error> {
    let mut o = core::IssueOptions::default();
    if conv::is_absent(v) {
        o.issued_at = Some(conv::clock_now());
        return Ok(o);
    }
    if !conv::is_plain_object(v, "options")? {
        return Err(invalid(format!(
            "options must be an object, got {}",
            conv::type_name(v)
        )));
    }
    for key in conv::object_keys(v, "options")? {
        let k = key.as_string().unwrap_or_default();
        if !ISSUE_OPTIONS.contains(&k.as_str()) {
            return Err(invalid(format!(
                "unknown option {k:?}; expected one of {}",
                ISSUE_OPTIONS.join(", ")
            )));
        }
    }
    let get = |k: &str| conv::get(v, k, "options");
    o.agent = conv::opt_string(&get("agent")?, "options.agent")?;
    let actions = get("actions")?;
    if !conv::is_absent(&actions) {
        o.actions = Some(conv::strings(&actions, "options.actions")?);
    }
    o.audience = conv::opt_string(&get("audience")?, "options.audience")?;
    o.not_before = conv::opt_integer(&get("notBefore")?, "options.notBefore")?;
    o.expires_at = conv::opt_integer(&get("expiresAt")?, "options.expiresAt")?;
    o.never_expires =
        conv::opt_bool(&get("neverExpires")?, "options.neverExpires")?.unwrap_or(false);
    let caveats = get("caveats")?;
    if !conv::is_absent(&caveats) {
        o.caveats = conv::strings(&caveats, "options.caveats")?;
    }
    o.token_id = conv::opt_bytes(&get("tokenId")?, "options.tokenId")?;
    o.issued_at = Some(
        conv::opt_integer(&get("issuedAt")?, "options.issuedAt")?.unwrap_or_else(conv::clock_now),
    );
    Ok(o)
}

/// What an agent may do: a macaroon with CEL caveats.
#[wasm_bindgen]
pub struct Capability {
    pub(crate) h: Handle<core::Capability>,
}

impl Capability {
    pub(crate) fn wrap(c: core::Capability) -> Capability {
        Capability { h: Handle::new(c) }
    }
}

#[wasm_bindgen]
impl Capability {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    /// Parses a capability token (base64url). Verifies nothing.
    pub fn parse(
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    ) -> JsResult<Capability> {
        let t = conv::string(&token, "token").js()?;
        Ok(Capability::wrap(core::Capability::parse(&t).js()?))
    }

    /// The token text (base64url of the macaroon V2 bytes).
    pub fn serialize(&self) -> String {
        self.h.get().serialize()
    }

    /// A narrower capability: this one with one more caveat.
    pub fn attenuate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] caveat: JsValue,
    ) -> JsResult<Capability> {
        let c = conv::string(&caveat, "caveat").js()?;
        Ok(Capability::wrap(self.h.get().attenuate(&c).js()?))
    }

    /// A narrower capability usable only with a proof by the holder `kid`.
    #[wasm_bindgen(js_name = bindHolder)]
    pub fn bind_holder(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] kid: JsValue,
    ) -> JsResult<Capability> {
        let k = conv::string(&kid, "kid").js()?;
        Ok(Capability::wrap(self.h.get().bind_holder(&k).js()?))
    }

    /// The stable public id (for receipts and revocation).
    pub fn id(&self) -> String {
        self.h.get().id()
    }

    #[wasm_bindgen(js_name = tokenId)]
    pub fn token_id(&self) -> String {
        self.h.get().token_id().to_string()
    }

    #[wasm_bindgen(js_name = rootKid)]
    pub fn root_kid(&self) -> String {
        self.h.get().root_kid().to_string()
    }

    /// Unix seconds.
    #[wasm_bindgen(js_name = issuedAt)]
    pub fn issued_at(&self) -> f64 {
        self.h.get().issued_at() as f64
    }

    #[wasm_bindgen(unchecked_return_type = "string[]")]
    pub fn caveats(&self) -> Array {
        conv::strings_out(self.h.get().caveats())
    }
}

/// A capability argument: a Capability, or its token text. Text that does not
/// parse is kept as text so that `check` can deny it (a denial, not an error).
pub(crate) enum CapArg {
    Parsed(Rc<core::Capability>),
    Text(String),
}

pub(crate) fn cap_arg(v: &JsValue) -> Result<CapArg, core::Error> {
    if v.is_string() {
        return Ok(CapArg::Text(conv::string(v, "capability")?));
    }
    lookup::<core::Capability>(v, "capability", "Capability or its token text").map(CapArg::Parsed)
}

impl CapArg {
    pub(crate) fn parsed(&self) -> Result<Rc<core::Capability>, core::Error> {
        match self {
            CapArg::Parsed(c) => Ok(c.clone()),
            CapArg::Text(t) => Ok(Rc::new(core::Capability::parse(t)?)),
        }
    }
}

/// A tool call to decide.
#[wasm_bindgen]
pub struct Request {
    pub(crate) h: Handle<core::Request>,
}

impl Request {
    pub(crate) fn wrap(r: core::Request) -> Request {
        Request { h: Handle::new(r) }
    }
}

/// A request argument: a Request, a plain object `{agent, action, args,
/// resource?}`, or its JSON text.
pub(crate) fn request_arg(v: &JsValue) -> Result<Rc<core::Request>, core::Error> {
    if let Some(r) = try_lookup::<core::Request>(v) {
        return Ok(r);
    }
    if v.is_string() || (v.is_object() && try_lookup::<core::Capability>(v).is_none()) {
        let value = conv::json(v, "request")?;
        return core::Request::from_value(&value).map(Rc::new);
    }
    Err(invalid(format!(
        "request must be a Request, an object {{agent, action, args, resource?}} or its JSON text, got {}",
        conv::type_name(v)
    )))
}

#[wasm_bindgen]
impl Request {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    /// `args` is a JSON object, or its text (exact: large integers stay exact).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] agent: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] action: JsValue,
        #[wasm_bindgen(unchecked_param_type = "JsonObject | string")] args: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] resource: JsValue,
    ) -> JsResult<Request> {
        let agent = conv::string(&agent, "agent").js()?;
        let action = conv::string(&action, "action").js()?;
        let args = conv::json(&args, "args").js()?;
        let resource = conv::opt_string(&resource, "resource").js()?;
        let mut r = core::Request::new(agent, action, args);
        r.resource = resource;
        r.validate().js()?;
        Ok(Request::wrap(r))
    }

    /// Parses `{"agent","action","args","resource"?}` strictly.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> JsResult<Request> {
        let t = conv::string(&text, "text").js()?;
        Ok(Request::wrap(core::Request::from_json(&t).js()?))
    }

    pub fn agent(&self) -> String {
        self.h.get().agent.clone()
    }

    pub fn action(&self) -> String {
        self.h.get().action.clone()
    }

    /// The arguments as a JSON object.
    #[wasm_bindgen(unchecked_return_type = "JsonObject")]
    pub fn args(&self) -> JsResult<JsValue> {
        conv::json_out(&self.h.get().args).js()
    }

    #[wasm_bindgen(unchecked_return_type = "string | null")]
    pub fn resource(&self) -> JsValue {
        conv::opt_str_out(self.h.get().resource.as_deref())
    }

    /// Canonical (JCS) JSON text of the request.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> JsResult<String> {
        core::jcs::canonicalize(&self.h.get().to_value()).js()
    }
}

/// An agent's key, proving possession of capabilities bound to it.
#[wasm_bindgen]
pub struct Holder {
    h: Handle<core::Holder>,
}

#[wasm_bindgen]
impl Holder {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = signingKey, unchecked_param_type = "SigningKey")]
        signing_key: JsValue,
    ) -> JsResult<Holder> {
        let k = lookup::<core::SigningKey>(&signing_key, "signingKey", "SigningKey").js()?;
        Ok(Holder {
            h: Handle::new(core::Holder::new((*k).clone())),
        })
    }

    /// The key id to bind capabilities to (`Capability.bindHolder`).
    pub fn kid(&self) -> String {
        self.h.get().kid()
    }

    /// A proof for one request to one audience at `now` (default: the
    /// platform clock). `nonce` (16 to 64 bytes) is random by default.
    pub fn prove(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Capability | string")] capability: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestLike")] request: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] audience: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] now: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Uint8Array | null")] nonce: JsValue,
    ) -> JsResult<String> {
        let cap = cap_arg(&capability).and_then(|c| c.parsed()).js()?;
        let req = request_arg(&request).js()?;
        let audience = conv::string(&audience, "audience").js()?;
        let now = conv::now(&now).js()?;
        let nonce = conv::opt_bytes(&nonce, "nonce").js()?;
        let h = self.h.get();
        match nonce {
            Some(n) => h.prove_with_nonce(&cap, &req, &audience, now, &n),
            None => h.prove(&cap, &req, &audience, now),
        }
        .js()
    }
}

/// What a `Verifier` handle holds: the core verifier (shared with any
/// `Guard` built from it) and the revocation list `revoke` writes to.
pub(crate) struct VerifierInner {
    pub(crate) verifier: Arc<core::Verifier>,
    revocations: Arc<core::MemoryRevocationList>,
}

/// Decides calls against capabilities minted with its root keys.
#[wasm_bindgen]
pub struct Verifier {
    pub(crate) h: Handle<VerifierInner>,
}

pub(crate) fn decision_to_js(d: &core::Decision) -> JsValue {
    let o = obj();
    put(&o, "allowed", d.allowed);
    put(&o, "reasons", reasons_to_js(&d.reasons));
    o.into()
}

#[wasm_bindgen]
impl Verifier {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    /// `roots`: the RootKeys it accepts (several allow rotation), or one.
    /// `proofWindow` (default 60 s) and `leeway` (default 30 s) bound holder proofs.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "RootKey[] | RootKey")] roots: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] audience: JsValue,
        #[wasm_bindgen(js_name = proofWindow, unchecked_optional_param_type = "number | null")]
        proof_window: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] leeway: JsValue,
    ) -> JsResult<Verifier> {
        let mut keys = Vec::new();
        if conv::is_array(&roots, "roots").js()? {
            for (i, item) in conv::array_items(&roots, "roots", 1024)
                .js()?
                .iter()
                .enumerate()
            {
                let r = lookup::<core::RootKey>(item, &format!("roots[{i}]"), "RootKey").js()?;
                keys.push((*r).clone());
            }
        } else {
            let r =
                lookup::<core::RootKey>(&roots, "roots", "RootKey or an array of RootKey").js()?;
            keys.push((*r).clone());
        }
        let audience = conv::string(&audience, "audience").js()?;
        let window = conv::opt_integer(&proof_window, "proofWindow").js()?;
        let leeway = conv::opt_integer(&leeway, "leeway").js()?;
        let revocations = Arc::new(core::MemoryRevocationList::new());
        let verifier = core::Verifier::new(keys, audience)
            .js()?
            .with_revocations(revocations.clone())
            .with_proof_window(
                window.unwrap_or(core::verifier::DEFAULT_PROOF_WINDOW),
                leeway.unwrap_or(core::verifier::DEFAULT_LEEWAY),
            )
            .js()?;
        let inner = VerifierInner {
            verifier: Arc::new(verifier),
            revocations,
        };
        Ok(Verifier {
            h: Handle::new(inner),
        })
    }

    /// Decides one call: `{allowed, reasons}`. A token that does not parse
    /// is a denial; a request that does not parse is an error.
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn check(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Capability | string")] capability: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestLike")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] proof: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] now: JsValue,
    ) -> JsResult<JsValue> {
        let cap = cap_arg(&capability).js()?;
        let req = request_arg(&request).js()?;
        let proof = conv::opt_string(&proof, "proof").js()?;
        let now = conv::now(&now).js()?;
        let v = &self.h.get().verifier;
        let d = match &cap {
            CapArg::Parsed(c) => v.check(c, &req, proof.as_deref(), now),
            CapArg::Text(t) => v.check_token(t, &req, proof.as_deref(), now),
        };
        Ok(decision_to_js(&d))
    }

    /// Revokes a capability id (that capability and every one narrowed from
    /// it) or a token id (every capability minted with it). Throws a
    /// UsageError (invalid_argument) for anything not shaped like one: 22
    /// base64url characters, no padding.
    pub fn revoke(
        &self,
        #[wasm_bindgen(js_name = capabilityId, unchecked_param_type = "string")]
        capability_id: JsValue,
    ) -> JsResult<()> {
        let id = conv::string(&capability_id, "capabilityId").js()?;
        self.h.get().revocations.revoke(id).js()
    }

    pub fn audience(&self) -> String {
        self.h.get().verifier.audience().to_string()
    }
}
