//! `Receipt`: one signed, hash-chained decision record.

use charter_core as core;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::error::{guard, Result};
use crate::verifier::Reason;

/// One signed, hash-chained decision record.
#[napi]
pub struct Receipt {
    pub(crate) inner: core::Receipt,
}

#[napi]
impl Receipt {
    /// Parses one receipt (its canonical JSON text) strictly; verifies nothing.
    #[napi(factory)]
    pub fn parse(json: String) -> Result<Receipt> {
        guard(|| {
            Ok(Receipt {
                inner: core::Receipt::parse(&json)?,
            })
        })
    }

    /// The canonical JSON text.
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json().to_string()
    }

    /// base64url SHA-256 of the JSON text: the next receipt's `prev`.
    #[napi(getter)]
    pub fn hash(&self) -> String {
        self.inner.hash().to_string()
    }

    /// Checks the signature against trusted keys (a KeySet, or a JWKS as
    /// object or text); throws when it does not verify.
    #[napi]
    pub fn verify(
        &self,
        #[napi(ts_arg_type = "KeySet | Jwks | string")] keys: Unknown,
    ) -> Result<()> {
        guard(|| self.inner.verify(&crate::keys::keys(keys)?))
    }

    /// Position in its log, from 0.
    #[napi(getter)]
    pub fn seq(&self) -> i64 {
        self.inner.seq() as i64
    }

    /// Hash of the receipt before it (the genesis value for the first).
    #[napi(getter)]
    pub fn prev(&self) -> String {
        self.inner.prev().to_string()
    }

    /// Decision time, Unix seconds.
    #[napi(getter)]
    pub fn ts(&self) -> i64 {
        self.inner.ts()
    }

    /// Who asked.
    #[napi(getter)]
    pub fn agent(&self) -> String {
        self.inner.agent().to_string()
    }

    /// The action asked for.
    #[napi(getter)]
    pub fn action(&self) -> String {
        self.inner.action().to_string()
    }

    /// The hash of the call's arguments (see `hashJson`).
    #[napi(getter)]
    pub fn args(&self) -> String {
        self.inner.args().to_string()
    }

    /// The capability id, or null.
    #[napi(getter)]
    pub fn cap(&self) -> Option<String> {
        self.inner.cap().map(str::to_string)
    }

    /// The permit's `jti`, or null.
    #[napi(getter)]
    pub fn permit(&self) -> Option<String> {
        self.inner.permit().map(str::to_string)
    }

    /// `"allow"` or `"deny"`.
    #[napi(getter, ts_return_type = "'allow' | 'deny'")]
    pub fn decision(&self) -> String {
        self.inner.decision().as_str().to_string()
    }

    /// Why it was denied (empty for an allow).
    #[napi(getter)]
    pub fn reasons(&self) -> Vec<Reason> {
        self.inner.reasons().iter().map(Reason::from).collect()
    }

    /// Id of the key that signed it.
    #[napi(getter)]
    pub fn kid(&self) -> String {
        self.inner.kid().to_string()
    }
}
