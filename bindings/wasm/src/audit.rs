use std::sync::Arc;

use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::error::{record, JsResult};
use crate::host::{self, Int, KeysArg, OptReceipt, Report, SigningKeyArg, Str};
use crate::keys::{self, KeySet};
use crate::receipt::Receipt;

crate::class! {
    /// An append-only log of receipts. In WebAssembly it lives in memory:
    /// `open` throws EnvironmentError `unsupported` (see the README).
    AuditLog(Arc<dyn core::AuditLog>) {
        /// The public keys that verify this log.
        () keys: KeySet = |l| KeySet::wrap(l.keys());
    } fn {
        /// Number of receipts.
        len(&l) -> f64 = l.len().map(|n| n as f64);
        /// The last receipt, or null.
        head(&l) -> OptReceipt = l.head().map(|h| {
            h.map_or(JsValue::NULL, |r| Receipt::wrap(r).into()).unchecked_into()
        });
        /// Receipts with `start <= seq < end`.
        receipts(&l, start: Int, end: Int) -> Vec<Receipt> = {
            host::args!(seq: start, end;);
            l.receipts(start..end).map(|list| list.into_iter().map(Receipt::wrap).collect())
        };
        /// Receipts `start..end` (default: all) as a signed bundle: canonical JSON text.
        exportBundle(&l, start: Option<Int>, end: Option<Int>) -> String = {
            host::args!(?seq: start, end;);
            l.export_range(start, end).map(|b| b.to_json())
        };
    } static {
        /// A log in memory, signing receipts with `signingKey`.
        inMemory(signingKey: SigningKeyArg) =
            Ok::<_, core::Error>(Arc::new(core::MemoryAuditLog::new(host::arg!(class: signingKey))));
        /// A JSON Lines log file, verified on open. WebAssembly (wasm32, without
        /// WASI) has no file system, even under Node, so after checking its
        /// arguments this throws EnvironmentError `unsupported`.
        open(path: Str, signingKey: SigningKeyArg, expectHead: Option<Str>) = {
            host::args!(string: path; class: signingKey; ?string: expectHead;);
            let log = core::FileAuditLog::open_expecting_text(path, signingKey, expectHead.as_deref())?;
            Ok::<_, core::Error>(Arc::new(log) as Arc<dyn core::AuditLog>)
        };
    }
}

/// Verifies an exported audit bundle (its JSON text) against trusted keys
/// (a KeySet, a JWKS object or its text), offline. A bundle that does not
/// start at genesis needs `anchor`: the hash of the receipt before its first.
#[wasm_bindgen(js_name = verifyBundle)]
pub fn verify_bundle(bundle: Str, trusted: KeysArg, anchor: Option<Str>) -> JsResult<Report> {
    host::args!(string: bundle;);
    let keys = keys::arg(&trusted, "trusted")?;
    host::args!(?string: anchor;);
    Ok(record(&core::verify_bundle_with_anchor(&bundle, &keys, anchor.as_deref())?))
}
