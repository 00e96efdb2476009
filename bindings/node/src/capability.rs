//! Capabilities: `Issuer`, `Capability`, and the `Capability | string`
//! argument every check takes.

use charter_core as core;
use charter_core::CapabilityRef;
use napi::bindgen_prelude::{ClassInstance, Unknown, ValueType};
use napi_derive::napi;

use crate::error::invalid;
use crate::host::{arg_text, instance, Js};
use crate::keys::RootKey;
use crate::task::Owned;

/// Mints capabilities with one root key.
#[napi]
pub struct Issuer(core::Issuer);

accessors!(Issuer |i| get {} fn {} try {
    "Mints a capability."
    issue(#[napi(ts_arg_type = "import('./charter').IssueOptions")] options: Option<Unknown>) -> Capability = {
        let options = options.map(Js::new).transpose()?;
        let opts = core::host::issue_options(options.as_ref())?;
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

/// A `Capability | string` argument: a `Capability`, or its token text
/// (which the core parses at the check: text that does not parse is a
/// denial); anything else is `invalid_argument`.
pub enum CapArg<'e> {
    /// A `Capability`.
    Class(ClassInstance<'e, Capability>),
    /// Token text.
    Text(String),
}

impl<'e> CapArg<'e> {
    /// Reads the argument.
    pub fn read(value: Unknown<'e>) -> core::Result<Self> {
        if value.get_type().ok() == Some(ValueType::String) {
            return Ok(CapArg::Text(arg_text(value, "capability")?));
        }
        let cap = instance::<Capability>(value)
            .ok_or_else(|| invalid("capability must be a Capability or its token text"))?;
        Ok(CapArg::Class(cap))
    }

    /// The core's input.
    pub fn get(&self) -> CapabilityRef<'_> {
        match self {
            CapArg::Class(c) => CapabilityRef::Parsed(&c.0),
            CapArg::Text(t) => CapabilityRef::Text(t),
        }
    }
}

/// A `Capability | string` argument owned, for work on the thread pool.
pub enum OwnedCap {
    /// A parsed capability (cloned).
    Parsed(core::Capability),
    /// Token text.
    Text(String),
}

impl OwnedCap {
    /// The core's input.
    pub fn get(&self) -> CapabilityRef<'_> {
        match self {
            OwnedCap::Parsed(c) => CapabilityRef::Parsed(c),
            OwnedCap::Text(t) => CapabilityRef::Text(t),
        }
    }
}

impl Owned for CapArg<'_> {
    type Out = OwnedCap;
    fn owned(self) -> OwnedCap {
        match self {
            CapArg::Class(c) => OwnedCap::Parsed(c.0.clone()),
            CapArg::Text(t) => OwnedCap::Text(t),
        }
    }
}
