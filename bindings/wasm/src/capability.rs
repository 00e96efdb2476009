//! Issuer, Capability.

use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::error::{invalid, JsResult};
use crate::host::{self, Options, RootKeyArg, Str, Strs};

/// The options of `issue`: surface.json's parameters, in camelCase.
const OPTIONS: [&str; 9] = [
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

crate::class! {
    /// Mints capabilities with one root key.
    Issuer(core::Issuer) {} static {}

    /// An issuer minting with `root`.
    #[wasm_bindgen(constructor)]
    pub fn new(root: RootKeyArg) -> JsResult<Issuer> {
        let root = host::obj::<core::RootKey>(&root, "root", "RootKey")?;
        Ok(Issuer::wrap(core::Issuer::new((*root).clone())))
    }

    /// Mints a capability. Caveats are added in this order: agent, actions,
    /// audience, notBefore, expiresAt, then `caveats`. `issuedAt` defaults to
    /// the platform clock, `tokenId` (16 bytes) to random. Exactly one of
    /// `expiresAt` (Unix seconds, not milliseconds) and `neverExpires: true`
    /// is required.
    pub fn issue(&self, options: Option<Options>) -> JsResult<Capability> {
        Ok(Capability::wrap(self.inner().issue_with(&issue_options(options.as_deref())?)?))
    }
}

fn issue_options(v: Option<&JsValue>) -> Result<core::IssueOptions, core::Error> {
    let mut got: [Option<JsValue>; 9] = Default::default();
    if let Some(v) = v {
        if !host::is_plain(v, "options")? {
            return Err(invalid(format!(
                "options must be an object, got {}",
                host::type_name(v)
            )));
        }
        for key in host::keys(v, "options")? {
            let k = key.as_string().unwrap_or_default();
            let Some(i) = OPTIONS.iter().position(|o| *o == k) else {
                let all = OPTIONS.join(", ");
                return Err(invalid(format!(
                    "unknown option {k:?}; expected one of {all}"
                )));
            };
            got[i] = Some(host::member(v, &key, "options")?)
                .filter(|v| !v.is_undefined() && !v.is_null());
        }
    }
    let [agent, actions, audience, nbf, exp, never, caveats, tid, iat] =
        got.each_ref().map(Option::as_ref);
    let never = never.map(|n| {
        n.as_bool()
            .ok_or_else(|| invalid("options.neverExpires must be a boolean"))
    });
    Ok(core::IssueOptions {
        agent: host::opt_string(agent, "options.agent")?,
        actions: actions
            .map(|a| host::strings(a, "options.actions"))
            .transpose()?,
        audience: host::opt_string(audience, "options.audience")?,
        not_before: host::opt_int(nbf, "options.notBefore")?,
        expires_at: host::opt_int(exp, "options.expiresAt")?,
        never_expires: never.transpose()?.unwrap_or(false),
        caveats: caveats
            .map(|c| host::strings(c, "options.caveats"))
            .transpose()?
            .unwrap_or_default(),
        token_id: tid.map(|t| host::bytes(t, "options.tokenId")).transpose()?,
        issued_at: Some(host::opt_int(iat, "options.issuedAt")?.unwrap_or_else(host::clock)),
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
    } static {
        /// Parses capability text (base64url). Verifies nothing.
        parse(token: Str) = core::Capability::parse(&host::string(&token, "token")?);
    }

    /// A narrower capability: this one with one more caveat.
    pub fn attenuate(&self, caveat: Str) -> JsResult<Capability> {
        Ok(Capability::wrap(self.inner().attenuate(&host::string(&caveat, "caveat")?)?))
    }

    /// A narrower capability usable only with a proof by the holder `kid`.
    pub fn bindHolder(&self, kid: Str) -> JsResult<Capability> {
        Ok(Capability::wrap(self.inner().bind_holder(&host::string(&kid, "kid")?)?))
    }
}
