//! Capabilities: `Issuer`, `Capability`, and the `Capability | string`
//! argument every check takes.

use std::sync::Arc;

use charter_core as core;
use charter_core::call::CapabilityArg;
use napi::bindgen_prelude::{ClassInstance, FromNapiValue, Unknown, ValueType};
use napi_derive::napi;

use crate::error::invalid;
use crate::host::Js;
use crate::keys::RootKey;

/// Mints capabilities with one root key.
#[napi]
pub struct Issuer(core::Issuer);

accessors!(Issuer |i| get {} fn {} try {
    "Mints a capability."
    issue(#[napi(ts_arg_type = "import('./charter').IssueOptions")] options: Option<Unknown>) -> Capability = {
        let options = options.map(Js::new).transpose()?;
        let opts = core::host::issue_options(options.as_ref())?;
        Capability(Arc::new(i.issue_with(&opts)?))
    };
} new {} ctor {
    "An issuer minting with `root`."
    (root: &RootKey) = Issuer(core::Issuer::new(root.0.clone()));
});

/// What an agent may do: a macaroon with CEL caveats.
#[napi]
pub struct Capability(pub(crate) Arc<core::Capability>);

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
    attenuate(caveat: String) -> Capability = Capability(Arc::new(c.attenuate(&caveat)?));
    "Binds to a holder key (its kid): checks then need that key's proof."
    bind_holder(kid: String) -> Capability = Capability(Arc::new(c.bind_holder(&kid)?));
} new {
    "Parses a token strictly; verifies nothing (a `Verifier` does)."
    parse(token: String) -> Capability = Capability(Arc::new(core::Capability::parse(&token)?));
});

/// A `Capability | string` argument: a `Capability` (shared, so the work of
/// an `*Async` twin holds it without a copy), or its token text (which the
/// core parses at the check: text that does not parse is a denial); anything
/// else is `invalid_argument`.
pub fn cap_arg(value: Unknown) -> core::Result<CapabilityArg> {
    if value.get_type().ok() == Some(ValueType::String) {
        // Read as napi reads `String` parameters: `charter.js` has refused
        // lone surrogates in every top-level argument.
        let text = String::from_unknown(value).map_err(|_| invalid("capability must be a string"));
        return Ok(CapabilityArg::Text(text?));
    }
    let cap = ClassInstance::<Capability>::from_unknown(value)
        .map_err(|_| invalid("capability must be a Capability or its token text"))?;
    Ok(CapabilityArg::Parsed(cap.0.clone()))
}
