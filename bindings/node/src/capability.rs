//! Capabilities: `Issuer`, `Capability`, and the `Capability | string`
//! argument every check takes.

use charter_core as core;
use charter_core::CapabilityRef;
use napi::bindgen_prelude::{ClassInstance, Uint8Array, Unknown, ValueType};
use napi_derive::napi;

use crate::error::invalid;
use crate::host::{arg_text, instance, Options};
use crate::keys::RootKey;

/// The members of `IssueOptions` (charter.d.ts); caveats are added in this order.
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

/// Mints capabilities with one root key.
#[napi]
pub struct Issuer(core::Issuer);

accessors!(Issuer |i| get {} fn {} try {
    "Mints a capability."
    issue(#[napi(ts_arg_type = "import('./charter').IssueOptions")] options: Option<Unknown>) -> Capability = {
        let o = Options::read(options, "options", &ISSUE_OPTIONS)?;
        let (text, texts) = ("a string", "an array of strings");
        let opts = core::IssueOptions {
            agent: o.json("agent", text)?,
            actions: o.json("actions", texts)?,
            audience: o.json("audience", text)?,
            not_before: o.int("notBefore")?,
            expires_at: o.int("expiresAt")?,
            never_expires: (o.json("neverExpires", "a boolean")?).unwrap_or(false),
            caveats: o.json("caveats", texts)?.unwrap_or_default(),
            token_id: (o.get::<Uint8Array>("tokenId", "a Uint8Array")?).map(|b| b.to_vec()),
            issued_at: o.int("issuedAt")?,
        };
        Capability(i.issue_with(&opts)?)
    };
} new {} ctor {
    "An issuer minting with `root`."
    (root: &RootKey) = Issuer(core::Issuer::new(root.0.clone()));
});

/// What an agent may do: a macaroon with CEL caveats.
#[napi]
pub struct Capability(pub(crate) core::Capability);

accessors!(Capability |c| get {
    "The stable public id (receipts, revocation)."
    id: String = c.id();
    "The random id shared with every narrowing of this capability."
    token_id: String = c.token_id().to_string();
    "Id of the root key it was minted with."
    root_kid: String = c.root_kid().to_string();
    "Issue time, Unix seconds."
    issued_at: i64 = c.issued_at();
    "The caveat expressions, oldest first."
    caveats: Vec<String> = c.caveats().to_vec();
} fn {
    "The token text (base64url of the V2 macaroon)."
    serialize: String = c.serialize();
} try {
    "A narrower capability: this one plus a caveat."
    attenuate(caveat: String) -> Capability = Capability(c.attenuate(&caveat)?);
    "Binds to a holder key (its kid): checks then need that key's proof."
    bind_holder(kid: String) -> Capability = Capability(c.bind_holder(&kid)?);
} new {
    "Parses a token strictly; verifies nothing (a `Verifier` does)."
    parse(token: String) -> Capability = Capability(core::Capability::parse(&token)?);
});

/// A `Capability | string` argument, held for the length of one call.
pub enum CapabilityArg<'e> {
    /// A `Capability`.
    Parsed(ClassInstance<'e, Capability>),
    /// Token text (a malformed one is a denial, decided by the core).
    Text(String),
}

impl<'e> CapabilityArg<'e> {
    /// Reads the argument; anything else is `invalid_argument`.
    pub fn read(value: Unknown<'e>) -> std::result::Result<Self, core::Error> {
        if value.get_type().ok() == Some(ValueType::String) {
            return arg_text(value, "capability").map(CapabilityArg::Text);
        }
        (instance::<Capability>(value).map(CapabilityArg::Parsed))
            .ok_or_else(|| invalid("capability must be a Capability or its token text"))
    }

    /// As the core's capability input.
    pub fn as_ref(&self) -> CapabilityRef<'_> {
        match self {
            CapabilityArg::Parsed(c) => CapabilityRef::Parsed(&c.0),
            CapabilityArg::Text(t) => CapabilityRef::Text(t),
        }
    }
}
