//! Holder.

use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::error::{invalid, JsResult};
use crate::host::{self, CapArg, Int, Nonce, ReqArg, SigningKeyArg, Str};
use crate::request;

crate::class! {
    /// An agent's key, proving possession of capabilities bound to it.
    Holder(core::Holder) {
        /// The key id to bind capabilities to (`Capability.bindHolder`).
        (getter) kid: String = |h| h.kid();
    } static {}

    /// A holder signing with `signingKey`.
    #[wasm_bindgen(constructor)]
    pub fn new(signingKey: SigningKeyArg) -> JsResult<Holder> {
        let k = host::obj::<core::SigningKey>(&signingKey, "signingKey", "SigningKey")?;
        Ok(Holder::wrap(core::Holder::new((*k).clone())))
    }

    /// A proof for one request to one audience at `now` (default: the
    /// platform clock). `nonce` (16 to 64 bytes, a Uint8Array or its
    /// base64url text) is random by default.
    pub fn prove(
        &self,
        capability: CapArg,
        request: ReqArg,
        audience: Str,
        now: Option<Int>,
        nonce: Option<Nonce>,
    ) -> JsResult<String> {
        let (req, audience) = (request::arg(&request)?, host::string(&audience, "audience")?);
        let now = host::now(now.as_deref())?;
        let nonce = match nonce.as_deref() {
            Some(n) if n.is_string() => {
                let bytes = core::b64::decode(&host::string(n, "nonce")?);
                Some(bytes.ok_or_else(|| invalid("nonce text must be base64url"))?)
            }
            n => n.map(|n| host::bytes(n, "nonce")).transpose()?,
        };
        let h = self.inner();
        Ok(host::with_cap(&capability, |c| match (c.resolve(), &nonce) {
            (Ok(cap), Some(n)) => h.prove_with_nonce(&cap, &req, &audience, now, n),
            (Ok(cap), None) => h.prove(&cap, &req, &audience, now),
            (Err(e), _) => Err(e),
        })??)
    }
}
