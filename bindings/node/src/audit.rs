//! Audit: `AuditLog`, `verifyBundle`; `BundleReport` and `BundleHead` are data.

use std::sync::Arc;

use charter_core as core;
use charter_core::audit::{FileAuditLog, MemoryAuditLog};
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::error::{guard, invalid, Result};
use crate::keys::{keys, KeySet, SigningKey};
use crate::receipt::Receipt;

/// An append-only log of receipts, in memory or in a JSON Lines file.
#[napi]
pub struct AuditLog(pub(crate) Arc<dyn core::audit::AuditLog>);

fn seq(n: f64, what: &str) -> core::Result<u64> {
    u64::try_from(crate::host::int(n, what)?)
        .map_err(|_| invalid(format!("{what} must not be negative")))
}

accessors!(AuditLog |log| get {} fn {
    "The public keys that verify this log."
    keys: KeySet = KeySet(log.keys());
} try {
    "Number of receipts."
    len() -> i64 = log.len()? as i64;
    "The last receipt, or null."
    head() -> Option<Receipt> = log.head()?.map(Receipt);
    "Receipts with `start <= seq < end`."
    receipts(start: f64, end: f64) -> Vec<Receipt> = {
        let range = seq(start, "start")?..seq(end, "end")?;
        log.receipts(range)?.into_iter().map(Receipt).collect()
    };
    "Receipts `start..end` (default: all) as a signed bundle, JSON text."
    export_bundle(start: Option<f64>, end: Option<f64>) -> String = {
        let start = start.map(|s| seq(s, "start")).transpose()?.unwrap_or(0);
        let end = end.map(|e| seq(e, "end")).transpose()?;
        let end = match end { Some(e) => e, None => log.len()? };
        log.export_bundle(start..end)?.to_json()
    };
} new {
    "A log in memory, signing with `signingKey`."
    in_memory(signing_key: &SigningKey) -> AuditLog = AuditLog(Arc::new(MemoryAuditLog::new(signing_key.0.clone())));
    "Opens (or creates) a JSON Lines log file, verifying what it holds; every append is synced to disk. `expectHead`, the JSON text of a receipt this log signed earlier (`head().toJson()`) kept elsewhere, makes a log cut or rewritten behind it throw `chain_broken`."
    open(path: String, signing_key: &SigningKey, expect_head: Option<String>) -> AuditLog = {
        let key = signing_key.0.clone();
        AuditLog(Arc::new(FileAuditLog::open_expecting_text(&path, key, expect_head.as_deref())?))
    };
});

/// The signed summary of a bundle.
#[napi(object)]
pub struct BundleHead {
    /// `prev` of the first receipt (the genesis value for a bundle from seq 0).
    pub anchor: String,
    /// Number of receipts.
    pub count: i64,
    /// `seq` of the first receipt.
    pub first_seq: i64,
    /// Id of the signing key.
    pub kid: String,
    /// Hash of the last receipt.
    pub last_hash: String,
    /// `seq` of the last receipt.
    pub last_seq: i64,
    /// The head's signature.
    pub sig: String,
    /// `ts` of the last receipt.
    pub ts: i64,
    /// Format version.
    pub v: i64,
}

/// What a verified bundle covers.
#[napi(object)]
pub struct BundleReport {
    /// Number of receipts.
    pub count: i64,
    /// `seq` of the first receipt.
    pub first_seq: i64,
    /// `seq` of the last receipt.
    pub last_seq: i64,
    /// The signed head.
    pub head: BundleHead,
}

/// Verifies an exported audit bundle (JSON text) against trusted keys (a
/// KeySet, or a JWKS as object or text), offline. A bundle that does not
/// start at genesis needs the anchor: the hash of the receipt before its first.
#[napi]
pub fn verify_bundle(
    bundle: String,
    #[napi(ts_arg_type = "KeySet | import('./charter').Jwks | string")] trusted: Unknown,
    anchor: Option<String>,
) -> Result<BundleReport> {
    guard(|| {
        let trusted = keys(trusted)?;
        let r = match anchor {
            Some(a) => core::audit::verify_bundle_from(&bundle, &trusted, &a),
            None => core::audit::verify_bundle(&bundle, &trusted),
        }?;
        let (h, n) = (r.head, |n: u64| n as i64);
        let head = BundleHead {
            anchor: h.anchor,
            count: n(h.count),
            first_seq: n(h.first_seq),
            kid: h.kid,
            last_hash: h.last_hash,
            last_seq: n(h.last_seq),
            sig: h.sig,
            ts: h.ts,
            v: n(h.v),
        };
        Ok(BundleReport {
            count: n(r.count),
            first_seq: n(r.first_seq),
            last_seq: n(r.last_seq),
            head,
        })
    })
}
