//! AuditLog, verifyBundle.

use std::sync::Arc;

use charter_core as core;
use serde_json::json;
use wasm_bindgen::prelude::*;

use crate::error::{invalid, record, JsResult};
use crate::host::{self, Int, KeysArg, OptReceipt, Receipts, Report, SigningKeyArg, Str};
use crate::keys::{self, KeySet};
use crate::receipt::Receipt;

crate::class! {
    /// An append-only log of receipts. In WebAssembly it lives in memory:
    /// `open` throws EnvironmentError `unsupported` (see the README).
    AuditLog(Arc<dyn core::AuditLog>) {}
}

fn key(v: &JsValue) -> Result<core::SigningKey, core::Error> {
    Ok((*host::obj::<core::SigningKey>(v, "signingKey", "SigningKey")?).clone())
}

#[wasm_bindgen]
impl AuditLog {
    /// A log in memory, signing receipts with `signingKey`.
    #[wasm_bindgen(js_name = inMemory)]
    pub fn in_memory(
        #[wasm_bindgen(js_name = signingKey)] signing_key: SigningKeyArg,
    ) -> JsResult<AuditLog> {
        Ok(AuditLog::wrap(Arc::new(core::MemoryAuditLog::new(key(
            &signing_key,
        )?))))
    }

    /// A JSON Lines log file, verified on open. WebAssembly (wasm32, without
    /// WASI) has no file system, even under Node, so after checking its
    /// arguments this throws EnvironmentError `unsupported`.
    pub fn open(
        path: Str,
        #[wasm_bindgen(js_name = signingKey)] signing_key: SigningKeyArg,
        #[wasm_bindgen(js_name = expectHead)] expect_head: Option<Str>,
    ) -> JsResult<AuditLog> {
        let path = host::string(&path, "path")?;
        let head = host::opt_string(expect_head.as_deref(), "expectHead")?;
        let log =
            core::FileAuditLog::open_expecting_text(path, key(&signing_key)?, head.as_deref())?;
        Ok(AuditLog::wrap(Arc::new(log)))
    }

    /// Number of receipts.
    pub fn len(&self) -> f64 {
        self.inner().len() as f64
    }

    /// The last receipt, or null.
    pub fn head(&self) -> OptReceipt {
        self.inner()
            .head()
            .map_or(JsValue::NULL, |r| Receipt::wrap(r).into())
            .unchecked_into()
    }

    /// Receipts with `start <= seq < end`.
    pub fn receipts(&self, start: Int, end: Int) -> JsResult<Receipts> {
        let need = |v: &JsValue, what| host::opt_seq(Some(v), what)?.ok_or_else(|| invalid(""));
        let list = self
            .inner()
            .receipts(need(&start, "start")?..need(&end, "end")?)?;
        let list: js_sys::Array = list
            .into_iter()
            .map(|r| JsValue::from(Receipt::wrap(r)))
            .collect();
        Ok(list.unchecked_into())
    }

    /// The public keys that verify this log.
    pub fn keys(&self) -> KeySet {
        KeySet::wrap(self.inner().keys())
    }

    /// Receipts `start..end` (default: all) as a signed bundle: canonical JSON text.
    #[wasm_bindgen(js_name = exportBundle)]
    pub fn export_bundle(&self, start: Option<Int>, end: Option<Int>) -> JsResult<String> {
        let log = self.inner();
        let start = host::opt_seq(start.as_deref(), "start")?.unwrap_or(0);
        let end = host::opt_seq(end.as_deref(), "end")?.unwrap_or_else(|| log.len());
        Ok(log.export_bundle(start..end)?.to_json())
    }
}

/// Verifies an exported audit bundle (its JSON text) against trusted keys
/// (a KeySet, a JWKS object or its text), offline. A bundle that does not
/// start at genesis needs `anchor`: the hash of the receipt before its first.
#[wasm_bindgen(js_name = verifyBundle)]
pub fn verify_bundle(bundle: Str, trusted: KeysArg, anchor: Option<Str>) -> JsResult<Report> {
    let bundle = host::string(&bundle, "bundle")?;
    let keys = keys::arg(&trusted, "trusted")?;
    let r = match host::opt_string(anchor.as_deref(), "anchor")? {
        Some(a) => core::verify_bundle_from(&bundle, &keys, &a)?,
        None => core::verify_bundle(&bundle, &keys)?,
    };
    Ok(record(&json!({"count": r.count, "first_seq": r.first_seq, "last_seq": r.last_seq, "head": r.head}).to_string()))
}
