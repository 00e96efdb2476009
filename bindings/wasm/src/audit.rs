//! Receipt, AuditLog (in memory only: there is no file system here), verifyBundle.

use std::sync::Arc;

use charter_core as core;
use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::conv::{self, obj, put};
use crate::err::{reasons_to_js, IntoJs, JsResult};
use crate::handle::{lookup, Handle};
use crate::keys::KeySet;

/// One signed, hash-chained decision record.
#[wasm_bindgen]
pub struct Receipt {
    h: Handle<core::Receipt>,
}

impl Receipt {
    pub(crate) fn wrap(r: core::Receipt) -> Receipt {
        Receipt { h: Handle::new(r) }
    }
}

#[wasm_bindgen]
impl Receipt {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    /// Parses a receipt's canonical JSON text strictly. Verifies nothing.
    pub fn parse(
        #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue,
    ) -> JsResult<Receipt> {
        let t = conv::string(&json, "json").js()?;
        Ok(Receipt::wrap(core::Receipt::parse(&t).js()?))
    }

    /// The canonical JSON text.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.h.get().to_json().to_string()
    }

    /// base64url SHA-256 of the canonical text (what the next receipt's `prev` holds).
    pub fn hash(&self) -> String {
        self.h.get().hash().to_string()
    }

    /// Checks the signature with `keys`; throws (CryptoError) when it does not verify.
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "KeySet")] keys: JsValue,
    ) -> JsResult<()> {
        let keys = lookup::<core::KeySet>(&keys, "keys", "KeySet").js()?;
        self.h.get().verify(&keys).js()
    }

    pub fn seq(&self) -> f64 {
        self.h.get().seq() as f64
    }

    pub fn prev(&self) -> String {
        self.h.get().prev().to_string()
    }

    /// Unix seconds.
    pub fn ts(&self) -> f64 {
        self.h.get().ts() as f64
    }

    pub fn agent(&self) -> String {
        self.h.get().agent().to_string()
    }

    pub fn action(&self) -> String {
        self.h.get().action().to_string()
    }

    /// The hash of the call's arguments (`hashJson` of them).
    pub fn args(&self) -> String {
        self.h.get().args().to_string()
    }

    #[wasm_bindgen(unchecked_return_type = "string | null")]
    pub fn cap(&self) -> JsValue {
        conv::opt_str_out(self.h.get().cap())
    }

    /// The `jti` of the permit issued, or null.
    #[wasm_bindgen(unchecked_return_type = "string | null")]
    pub fn permit(&self) -> JsValue {
        conv::opt_str_out(self.h.get().permit())
    }

    #[wasm_bindgen(unchecked_return_type = "\"allow\" | \"deny\"")]
    pub fn decision(&self) -> String {
        self.h.get().decision().as_str().to_string()
    }

    #[wasm_bindgen(unchecked_return_type = "Reason[]")]
    pub fn reasons(&self) -> JsValue {
        reasons_to_js(self.h.get().reasons())
    }

    pub fn kid(&self) -> String {
        self.h.get().kid().to_string()
    }
}

/// The log behind an `AuditLog` object, shared with the guards that write to it.
pub(crate) type SharedLog = Arc<dyn core::AuditLog>;

/// An append-only log of receipts. Here it lives in memory: WebAssembly in a
/// browser or edge runtime has no file system (`open` throws `unsupported`).
#[wasm_bindgen]
pub struct AuditLog {
    pub(crate) h: Handle<SharedLog>,
}

fn seq_arg(v: &JsValue, what: &str) -> Result<Option<u64>, core::Error> {
    match conv::opt_integer(v, what)? {
        None => Ok(None),
        Some(n) if n >= 0 => Ok(Some(n as u64)),
        Some(n) => Err(crate::err::invalid(format!(
            "{what} must not be negative, got {n}"
        ))),
    }
}

#[wasm_bindgen]
impl AuditLog {
    #[wasm_bindgen(getter = __charterId, skip_typescript)]
    pub fn charter_id(&self) -> f64 {
        self.h.id()
    }

    /// A log in memory, signing receipts with `signingKey`.
    #[wasm_bindgen(js_name = inMemory)]
    pub fn in_memory(
        #[wasm_bindgen(js_name = signingKey, unchecked_param_type = "SigningKey")]
        signing_key: JsValue,
    ) -> JsResult<AuditLog> {
        let key = lookup::<core::SigningKey>(&signing_key, "signingKey", "SigningKey").js()?;
        let log: SharedLog = Arc::new(core::MemoryAuditLog::new((*key).clone()));
        Ok(AuditLog {
            h: Handle::new(log),
        })
    }

    /// Not available in WebAssembly: throws EnvironmentError `unsupported`
    /// (elsewhere it opens a log file; `expectHead`, a kept receipt's JSON
    /// text, refuses a log cut behind it).
    pub fn open(
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(js_name = signingKey, unchecked_param_type = "SigningKey")]
        signing_key: JsValue,
        #[wasm_bindgen(js_name = expectHead, unchecked_optional_param_type = "string | null")]
        expect_head: JsValue,
    ) -> JsResult<AuditLog> {
        let _ = (path, signing_key, expect_head);
        // The message is the contract's (vectors/audit-files.json, `without_files`).
        Err(core::Error::new(
            core::ErrorCode::Unsupported,
            "file audit logs need a file system, which this platform does not have; \
             use an in-memory audit log and export bundles to store them",
        ))
        .js()
    }

    /// Number of receipts.
    pub fn len(&self) -> f64 {
        self.h.get().len() as f64
    }

    /// The last receipt, or null.
    #[wasm_bindgen(unchecked_return_type = "Receipt | null")]
    pub fn head(&self) -> JsValue {
        match self.h.get().head() {
            Some(r) => Receipt::wrap(r).into(),
            None => JsValue::NULL,
        }
    }

    /// Receipts with `start <= seq < end`.
    #[wasm_bindgen(unchecked_return_type = "Receipt[]")]
    pub fn receipts(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] start: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] end: JsValue,
    ) -> JsResult<Array> {
        let start = seq_arg(&start, "start")
            .js()?
            .ok_or_else(|| crate::err::invalid("start must be an integer"))
            .js()?;
        let end = seq_arg(&end, "end")
            .js()?
            .ok_or_else(|| crate::err::invalid("end must be an integer"))
            .js()?;
        let list = self.h.get().receipts(start..end).js()?;
        Ok(list
            .into_iter()
            .map(|r| JsValue::from(Receipt::wrap(r)))
            .collect())
    }

    /// The public keys that verify this log.
    pub fn keys(&self) -> KeySet {
        KeySet::wrap(self.h.get().keys())
    }

    /// Receipts `start..end` (default: all) as a signed bundle: canonical JSON text.
    #[wasm_bindgen(js_name = exportBundle)]
    pub fn export_bundle(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] start: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number | null")] end: JsValue,
    ) -> JsResult<String> {
        let log = self.h.get();
        let start = seq_arg(&start, "start").js()?.unwrap_or(0);
        let end = seq_arg(&end, "end").js()?.unwrap_or_else(|| log.len());
        Ok(log.export_bundle(start..end).js()?.to_json())
    }
}

fn head_to_js(h: &core::BundleHead) -> JsValue {
    let o = obj();
    put(&o, "anchor", h.anchor.as_str());
    put(&o, "count", h.count as f64);
    put(&o, "firstSeq", h.first_seq as f64);
    put(&o, "kid", h.kid.as_str());
    put(&o, "lastHash", h.last_hash.as_str());
    put(&o, "lastSeq", h.last_seq as f64);
    put(&o, "sig", h.sig.as_str());
    put(&o, "ts", h.ts as f64);
    put(&o, "v", h.v as f64);
    o.into()
}

pub(crate) fn report_to_js(r: &core::BundleReport) -> JsValue {
    let o = obj();
    put(&o, "count", r.count as f64);
    put(&o, "firstSeq", r.first_seq as f64);
    put(&o, "lastSeq", r.last_seq as f64);
    put(&o, "head", head_to_js(&r.head));
    o.into()
}

/// Verifies an exported audit bundle (its JSON text, or the parsed object)
/// against trusted keys, offline: every signature, link, sequence number and
/// the signed head. A bundle that does not start at genesis needs `anchor`:
/// the hash of the receipt before its first. Returns what it covers, or
/// throws saying what is wrong.
#[wasm_bindgen(js_name = verifyBundle, unchecked_return_type = "BundleReport")]
pub fn verify_bundle(
    #[wasm_bindgen(unchecked_param_type = "string | JsonObject")] bundle: JsValue,
    #[wasm_bindgen(unchecked_param_type = "KeySet")] trusted: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string | null")] anchor: JsValue,
) -> JsResult<JsValue> {
    let anchor = conv::opt_string(&anchor, "anchor").js()?;
    let text = if bundle.is_string() {
        conv::string(&bundle, "bundle").js()?
    } else {
        core::jcs::canonicalize(&conv::json(&bundle, "bundle").js()?).js()?
    };
    let keys = lookup::<core::KeySet>(&trusted, "trusted", "KeySet").js()?;
    let report = match &anchor {
        Some(a) => core::verify_bundle_from(&text, &keys, a),
        None => core::verify_bundle(&text, &keys),
    }
    .js()?;
    Ok(report_to_js(&report))
}
