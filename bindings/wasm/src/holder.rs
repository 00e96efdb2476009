use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::host::{self, Bytes, CapArg, Int, ReqArg, SigningKeyArg, Str};
use crate::request;

crate::class! {
    /// An agent's key, proving possession of capabilities bound to it.
    Holder(core::Holder) {
        /// The key id to bind capabilities to (`Capability.bindHolder`).
        (getter) kid: String = |h| h.kid();
    } fn {
        /// A proof for one request to one audience at `now` (default: the
        /// platform clock). `nonce` (16 to 64 bytes) is random by default.
        prove(&h, capability: CapArg, request: ReqArg, audience: Str, now: Option<Int>,
            nonce: Option<Bytes>) -> String = {
            let req = request::arg(&request)?;
            host::args!(string: audience; now: now; ?bytes: nonce;);
            h.prove_call(&host::cap(&capability)?, &req, &audience, now, nonce.as_deref())
        };
    } static {
        /// A holder signing with `signingKey`.
        #[wasm_bindgen(constructor)]
        new(signingKey: SigningKeyArg) =
            Ok::<_, core::Error>(core::Holder::new(host::arg!(class: signingKey)));
    }
}
