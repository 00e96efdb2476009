//! `Holder`: proof of possession for capabilities bound to a key.

use charter_core as core;
use napi::bindgen_prelude::{Uint8Array, Unknown};
use napi_derive::napi;

use crate::args;
use crate::capability::CapabilityArg;
use crate::errors::{guard, Result};
use crate::keys::SigningKey;
use crate::request::Request;

/// An agent's key, proving possession of capabilities bound to it.
#[napi]
pub struct Holder {
    inner: core::Holder,
}

#[napi]
impl Holder {
    #[napi(constructor)]
    pub fn new(signing_key: &SigningKey) -> Result<Self> {
        guard(|| {
            Ok(Holder {
                inner: core::Holder::new(signing_key.inner.clone()),
            })
        })
    }

    /// The key id to bind capabilities to.
    #[napi]
    pub fn kid(&self) -> String {
        self.inner.kid()
    }

    /// A proof for one request to one audience (fresh for 60 s, single use).
    #[napi]
    pub fn prove(
        &self,
        #[napi(ts_arg_type = "Capability | string")] capability: Unknown,
        request: &Request,
        audience: String,
        now: Option<f64>,
        nonce: Option<Uint8Array>,
    ) -> Result<String> {
        guard(|| {
            let cap = CapabilityArg::read(&capability)?;
            let cap = cap.parsed()?;
            let now = args::now(now)?;
            let proof = match nonce {
                Some(n) => self
                    .inner
                    .prove_with_nonce(&cap, &request.inner, &audience, now, &n),
                None => self.inner.prove(&cap, &request.inner, &audience, now),
            };
            proof.map_err(crate::errors::core)
        })
    }
}
