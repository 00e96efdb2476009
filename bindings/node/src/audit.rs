//! Audit: `AuditLog`, `verifyBundle` (its `BundleReport` is the core's, camelCased).

use std::sync::Arc;

use charter_core as core;
use charter_core::audit::{FileAuditLog, MemoryAuditLog};
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::error::{guard, Result};
use crate::keys::{keys, KeySet, SigningKey};
use crate::receipt::Receipt;
use crate::store::Store;

/// An append-only log of receipts, in memory, in a JSON Lines file, or in a
/// shared store (`inStore`).
#[napi]
pub struct AuditLog(pub(crate) Arc<dyn core::audit::AuditLog>);

fn seq(n: f64, what: &str) -> core::Result<u64> {
    core::host::seq(core::host::safe_int(n, what)?, what)
}

accessors!(AuditLog |log| get {} fn {
    "The public keys that verify this log."
    keys: KeySet = KeySet(log.keys());
} try {} twin {
    "Number of receipts."
    "`len` on the libuv thread pool (a store log reads the database)."
    len len_async(&self) -> i64 as "number" "Promise<number>" {} => log.len()? as i64;
    "The last receipt, or null."
    "`head` on the libuv thread pool (a store log reads the database)."
    head head_async(&self) -> Option<Receipt> as "Receipt | null" "Promise<Receipt | null>" {} => log.head()?.map(Receipt);
    "Receipts with `start <= seq < end`."
    "`receipts` on the libuv thread pool (a store log reads the database)."
    receipts receipts_async(&self, start: f64, end: f64) -> Vec<Receipt> as "Array<Receipt>" "Promise<Array<Receipt>>" {
        let range = seq(start, "start")?..seq(end, "end")?;
    } => log.receipts(range)?.into_iter().map(Receipt).collect();
    "Receipts `start..end` (default: all) as a signed bundle, JSON text."
    "`exportBundle` on the libuv thread pool (a store log reads the database)."
    export_bundle export_bundle_async(&self, start: Option<f64>, end: Option<f64>) -> String as "string" "Promise<string>" {
        let start = start.map(|s| seq(s, "start")).transpose()?;
        let end = end.map(|e| seq(e, "end")).transpose()?;
    } => log.export_range(start, end)?.to_json();
    "The log `name` of `store`: one hash chain shared by every writer on that database, signing new receipts with `signingKey`."
    "`inStore` on the libuv thread pool (opening a store log registers its key and reads its head)."
    in_store in_store_async(store: &Store, name: String, signing_key: &SigningKey) -> AuditLog as "AuditLog" "Promise<AuditLog>" {
        let s = store.0.clone();
        let key = signing_key.0.clone();
    } => AuditLog(s.audit_log(&name, key)?);
} new {
    "A log in memory, signing with `signingKey`."
    in_memory(signing_key: &SigningKey) -> AuditLog = AuditLog(Arc::new(MemoryAuditLog::new(signing_key.0.clone())));
    "Opens (or creates) a JSON Lines log file, verifying what it holds; every append is synced to disk. `expectHead`, the JSON text of a receipt this log signed earlier (`head().toJson()`) kept elsewhere, makes a log cut or rewritten behind it throw `chain_broken`."
    open(path: String, signing_key: &SigningKey, expect_head: Option<String>) -> AuditLog = {
        let key = signing_key.0.clone();
        AuditLog(Arc::new(FileAuditLog::open_expecting_text(&path, key, expect_head.as_deref())?))
    };
});

/// Verifies an exported audit bundle (JSON text) against trusted keys (a
/// KeySet, or a JWKS as object or text), offline. A bundle that does not
/// start at genesis needs the anchor: the hash of the receipt before its first.
#[napi(ts_return_type = "import('./charter').BundleReport")]
pub fn verify_bundle(
    bundle: String,
    #[napi(ts_arg_type = "KeySet | import('./charter').Jwks | string")] trusted: Unknown,
    anchor: Option<String>,
) -> Result<serde_json::Value> {
    guard(|| {
        let trusted = keys(trusted)?;
        let report = core::verify_bundle_with_anchor(&bundle, &trusted, anchor.as_deref())?;
        core::host::js_record(&report)
    })
}
