use charter_core as core;
use napi::bindgen_prelude::{Uint8Array, Unknown};
use napi_derive::napi;

use crate::capability::cap_arg;
use crate::keys::SigningKey;
use crate::request::request_arg;

/// An agent's key, proving possession of capabilities bound to it.
#[napi]
pub struct Holder(core::Holder);

accessors!(Holder |h| get {
    "The key id to bind capabilities to."
    kid: String = h.kid();
} fn {} try {
    "A proof for one request to one audience (fresh for 60 s, single use). `nonce` (16 to 64 bytes) is random by default; fix it for tests only."
    prove(#[napi(ts_arg_type = "Capability | string")] capability: Unknown, #[napi(ts_arg_type = "Request | import('./charter').RequestJson | string")] request: Unknown, audience: String, now: Option<f64>, nonce: Option<Uint8Array>) -> String = {
        let (req, now) = (request_arg(request)?, crate::host::now(now)?);
        h.prove_call(&cap_arg(capability)?, &req, &audience, now, nonce.as_deref())?
    };
} new {} ctor {
    "A holder proving with `signingKey`."
    (signing_key: &SigningKey) = Holder(core::Holder::new(signing_key.0.clone()));
});
