use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::host::{self, Options, RootKeyArg, Str};

crate::class! {
    /// Mints capabilities with one root key.
    Issuer(core::Issuer) {} fn {
        /// Mints a capability. Caveats are added in this order: agent, actions,
        /// audience, notBefore, expiresAt, then `caveats`. `issuedAt` defaults to
        /// the platform clock, `tokenId` (16 bytes) to random. Exactly one of
        /// `expiresAt` (Unix seconds, not milliseconds) and `neverExpires: true`
        /// is required.
        issue(&i, options: Option<Options>) -> Capability = {
            let options = options.map(|o| host::Js(o.into()));
            let mut o = core::host::issue_options(options.as_ref())?;
            o.issued_at.get_or_insert_with(host::clock);
            i.issue_with(&o).map(Capability::wrap)
        };
    } static {
        /// An issuer minting with `root`.
        #[wasm_bindgen(constructor)]
        new(root: RootKeyArg) = Ok::<_, core::Error>(core::Issuer::new(host::arg!(class: root)));
    }
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
        (getter) caveats: Vec<String> = |c| c.caveats().to_vec();
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
