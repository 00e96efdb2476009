//! Issuer, Capability.

use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::error::invalid;
use crate::host::{self, Options, RootKeyArg, Str, Strs};

/// The options of `issue`: surface.json's parameters, in camelCase.
const OPTIONS: &str =
    "agent actions audience notBefore expiresAt neverExpires caveats tokenId issuedAt";

crate::class! {
    /// Mints capabilities with one root key.
    Issuer(core::Issuer) {} fn {
        /// Mints a capability. Caveats are added in this order: agent, actions,
        /// audience, notBefore, expiresAt, then `caveats`. `issuedAt` defaults to
        /// the platform clock, `tokenId` (16 bytes) to random. Exactly one of
        /// `expiresAt` (Unix seconds, not milliseconds) and `neverExpires: true`
        /// is required.
        issue(&i, options: Option<Options>) -> Capability =
            i.issue_with(&issue_options(options.as_deref())?).map(Capability::wrap);
    } static {
        /// An issuer minting with `root`.
        #[wasm_bindgen(constructor)]
        new(root: RootKeyArg) = Ok::<_, core::Error>(core::Issuer::new(host::arg!(class: root)));
    }
}

fn issue_options(v: Option<&JsValue>) -> Result<core::IssueOptions, core::Error> {
    let v = v.cloned().unwrap_or_else(|| js_sys::Object::new().into());
    if !host::is_plain(&v, "options")? {
        return Err(host::wrong("options", "an object", &v));
    }
    let names = host::keys(&v, "options")?.into_iter().map(|k| k.as_string().unwrap_or_default());
    core::host::known_options(names, &OPTIONS.split(' ').collect::<Vec<_>>(), "options")?;
    let get = |k: &str| {
        let x = host::member(&v, &k.into(), "options")?;
        Ok::<_, core::Error>((!x.is_undefined() && !x.is_null()).then_some(x))
    };
    let never = get("neverExpires")?.map(|n| n.as_bool());
    let never = never.map(|n| n.ok_or_else(|| invalid("options.neverExpires must be a boolean")));
    let list = |l: Option<JsValue>, what| l.map(|l| host::strings(&l, what)).transpose();
    let iat = host::opt(&get("issuedAt")?, "options.issuedAt", host::int)?;
    Ok(core::IssueOptions {
        agent: host::opt(&get("agent")?, "options.agent", host::string)?,
        actions: list(get("actions")?, "options.actions")?,
        audience: host::opt(&get("audience")?, "options.audience", host::string)?,
        not_before: host::opt(&get("notBefore")?, "options.notBefore", host::int)?,
        expires_at: host::opt(&get("expiresAt")?, "options.expiresAt", host::int)?,
        never_expires: never.transpose()?.unwrap_or(false),
        caveats: list(get("caveats")?, "options.caveats")?.unwrap_or_default(),
        token_id: host::opt(&get("tokenId")?, "options.tokenId", host::bytes)?,
        issued_at: Some(iat.unwrap_or_else(host::clock)),
    })
}

crate::class! {
    /// What an agent may do: a macaroon with CEL caveats.
    Capability(core::Capability) {
        /// The stable public id (for receipts and revocation).
        (getter) id: String = |c| c.id();
        /// The token id every narrowing of one mint shares.
        (getter) tokenId: String = |c| c.token_id().to_string();
        /// The kid of the root key it was minted with.
        (getter) rootKid: String = |c| c.root_kid().to_string();
        /// When it was minted, Unix seconds.
        (getter) issuedAt: f64 = |c| c.issued_at() as f64;
        /// The caveats, in order.
        (getter) caveats: Strs = |c| host::strings_out(c.caveats());
        /// The capability text (base64url of the macaroon V2 bytes).
        () serialize: String = |c| c.serialize();
    } fn {
        /// A narrower capability: this one with one more caveat.
        attenuate(&c, caveat: Str) -> Capability =
            c.attenuate(&host::arg!(string: caveat)).map(Capability::wrap);
        /// A narrower capability usable only with a proof by the holder `kid`.
        bindHolder(&c, kid: Str) -> Capability = c.bind_holder(&host::arg!(string: kid)).map(Capability::wrap);
    } static {
        /// Parses capability text (base64url). Verifies nothing.
        parse(token: Str) = core::Capability::parse(&host::arg!(string: token));
    }
}
