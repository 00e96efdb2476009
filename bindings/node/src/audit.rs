//! Audit: `Receipt`, `AuditLog`, `verifyBundle`; `BundleReport` and
//! `BundleHead` are data.

use std::sync::Arc;

use charter_core as core;
use charter_core::audit::{FileAuditLog, MemoryAuditLog};
use napi::bindgen_prelude::{Either, Null};
use napi_derive::napi;

use crate::args;
use crate::errors::{guard, OrThrow, Result};
use crate::keys::{KeySet, SigningKey};
use crate::verifier::{reason, Reason};

/// One signed, hash-chained decision record.
#[napi]
pub struct Receipt {
    inner: core::Receipt,
}

fn opt(s: Option<&str>) -> Either<String, Null> {
    match s {
        Some(s) => Either::A(s.to_string()),
        None => Either::B(Null),
    }
}

#[napi]
impl Receipt {
    /// Parses one receipt (its canonical JSON text) strictly; verifies nothing.
    #[napi(factory)]
    pub fn parse(json: String) -> Result<Receipt> {
        guard(|| {
            Ok(Receipt {
                inner: core::Receipt::parse(&json).or_throw()?,
            })
        })
    }

    /// The canonical JSON text.
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json().to_string()
    }

    /// base64url SHA-256 of the JSON text: the next receipt's `prev`.
    #[napi]
    pub fn hash(&self) -> String {
        self.inner.hash().to_string()
    }

    /// Checks the signature against trusted keys; throws when it does not verify.
    #[napi]
    pub fn verify(&self, keys: &KeySet) -> Result<()> {
        guard(|| self.inner.verify(&keys.inner).or_throw())
    }

    #[napi]
    pub fn seq(&self) -> i64 {
        self.inner.seq() as i64
    }

    #[napi]
    pub fn prev(&self) -> String {
        self.inner.prev().to_string()
    }

    /// Decision time, Unix seconds.
    #[napi]
    pub fn ts(&self) -> i64 {
        self.inner.ts()
    }

    #[napi]
    pub fn agent(&self) -> String {
        self.inner.agent().to_string()
    }

    #[napi]
    pub fn action(&self) -> String {
        self.inner.action().to_string()
    }

    /// The hash of the call's arguments (see `hashJson`).
    #[napi]
    pub fn args(&self) -> String {
        self.inner.args().to_string()
    }

    /// The capability id, or null.
    #[napi(ts_return_type = "string | null")]
    pub fn cap(&self) -> Either<String, Null> {
        opt(self.inner.cap())
    }

    /// The permit's `jti`, or null.
    #[napi(ts_return_type = "string | null")]
    pub fn permit(&self) -> Either<String, Null> {
        opt(self.inner.permit())
    }

    /// `"allow"` or `"deny"`.
    #[napi(ts_return_type = "'allow' | 'deny'")]
    pub fn decision(&self) -> String {
        self.inner.decision().as_str().to_string()
    }

    #[napi]
    pub fn reasons(&self) -> Vec<Reason> {
        self.inner.reasons().iter().map(reason).collect()
    }

    /// Id of the key that signed it.
    #[napi]
    pub fn kid(&self) -> String {
        self.inner.kid().to_string()
    }
}

/// An append-only log of receipts, in memory or in a JSON Lines file.
#[napi]
pub struct AuditLog {
    pub(crate) inner: Arc<dyn core::audit::AuditLog>,
}

#[napi]
impl AuditLog {
    #[napi(factory)]
    pub fn in_memory(signing_key: &SigningKey) -> Result<AuditLog> {
        guard(|| {
            Ok(AuditLog {
                inner: Arc::new(MemoryAuditLog::new(signing_key.inner.clone())),
            })
        })
    }

    /// Opens (or creates) a JSON Lines log file, verifying what it holds;
    /// every append is synced to disk. `expectHead`, the JSON text of a
    /// receipt this log signed earlier (`head().toJson()`) kept elsewhere,
    /// makes a log cut or rewritten behind it throw `chain_broken`.
    #[napi(factory)]
    pub fn open(
        path: String,
        signing_key: &SigningKey,
        expect_head: Option<String>,
    ) -> Result<AuditLog> {
        guard(|| {
            Ok(AuditLog {
                inner: Arc::new(
                    FileAuditLog::open_expecting_text(
                        &path,
                        signing_key.inner.clone(),
                        expect_head.as_deref(),
                    )
                    .or_throw()?,
                ),
            })
        })
    }

    /// Number of receipts.
    #[napi]
    pub fn len(&self) -> i64 {
        self.inner.len() as i64
    }

    /// The last receipt, or null.
    #[napi]
    pub fn head(&self) -> Option<Receipt> {
        self.inner.head().map(|inner| Receipt { inner })
    }

    /// Receipts with `start <= seq < end`.
    #[napi]
    pub fn receipts(&self, start: f64, end: f64) -> Result<Vec<Receipt>> {
        guard(|| {
            let (start, end) = (seq(start, "start")?, seq(end, "end")?);
            Ok(self
                .inner
                .receipts(start..end)
                .or_throw()?
                .into_iter()
                .map(|inner| Receipt { inner })
                .collect())
        })
    }

    /// The public keys that verify this log.
    #[napi]
    pub fn keys(&self) -> KeySet {
        KeySet {
            inner: self.inner.keys(),
        }
    }

    /// Receipts `start..end` (default: all) as a signed bundle, JSON text.
    #[napi]
    pub fn export_bundle(&self, start: Option<f64>, end: Option<f64>) -> Result<String> {
        guard(|| {
            let start = start.map(|s| seq(s, "start")).transpose()?.unwrap_or(0);
            let end = match end {
                Some(e) => seq(e, "end")?,
                None => self.inner.len(),
            };
            Ok(self.inner.export_bundle(start..end).or_throw()?.to_json())
        })
    }
}

fn seq(n: f64, what: &str) -> Result<u64> {
    let n = args::int(n, what)?;
    u64::try_from(n).map_err(|_| crate::errors::invalid(format!("{what} must not be negative")))
}

/// The signed summary of a bundle.
#[napi(object)]
pub struct BundleHead {
    /// `prev` of the first receipt (the genesis value for a bundle from seq 0).
    pub anchor: String,
    pub count: i64,
    pub first_seq: i64,
    pub kid: String,
    /// Hash of the last receipt.
    pub last_hash: String,
    pub last_seq: i64,
    pub sig: String,
    /// `ts` of the last receipt.
    pub ts: i64,
    pub v: i64,
}

/// What a verified bundle covers.
#[napi(object)]
pub struct BundleReport {
    pub count: i64,
    pub first_seq: i64,
    pub last_seq: i64,
    pub head: BundleHead,
}

/// Verifies an exported audit bundle (JSON text) against trusted keys,
/// offline. A bundle that does not start at genesis needs the anchor: the
/// hash of the receipt before its first.
#[napi]
pub fn verify_bundle(
    bundle: String,
    trusted: &KeySet,
    anchor: Option<String>,
) -> Result<BundleReport> {
    guard(|| {
        let r = match anchor {
            Some(a) => core::audit::verify_bundle_from(&bundle, &trusted.inner, &a),
            None => core::audit::verify_bundle(&bundle, &trusted.inner),
        }
        .or_throw()?;
        let h = &r.head;
        Ok(BundleReport {
            count: r.count as i64,
            first_seq: r.first_seq as i64,
            last_seq: r.last_seq as i64,
            head: BundleHead {
                anchor: h.anchor.clone(),
                count: h.count as i64,
                first_seq: h.first_seq as i64,
                kid: h.kid.clone(),
                last_hash: h.last_hash.clone(),
                last_seq: h.last_seq as i64,
                sig: h.sig.clone(),
                ts: h.ts,
                v: h.v as i64,
            },
        })
    })
}
