//! Receipts and audit: `Receipt`, `AuditLog`, `verify_bundle`, and the
//! records `BundleReport` and `BundleHead`.

use std::sync::Arc;

use charter_core as core;

use crate::keys::{KeySet, SigningKey};
use crate::verify::Reason;
use crate::CharterError;

/// One signed, hash-chained decision record.
#[derive(uniffi::Object)]
pub struct Receipt(pub(crate) core::Receipt);

#[uniffi::export]
impl Receipt {
    /// Parses one receipt (its canonical JSON text) strictly. Verifies
    /// nothing: call `verify`.
    #[uniffi::constructor]
    pub fn parse(json: String) -> Result<Arc<Self>, CharterError> {
        Ok(Arc::new(Receipt(core::Receipt::parse(&json)?)))
    }

    /// The canonical JSON text (one line of a log file).
    pub fn to_json(&self) -> String {
        self.0.to_json().to_string()
    }

    /// base64url SHA-256 of the canonical JSON: what the next receipt's `prev` holds.
    pub fn hash(&self) -> String {
        self.0.hash().to_string()
    }

    /// Checks the signature against trusted keys (`unknown_key`, `bad_signature`).
    pub fn verify(&self, keys: Arc<KeySet>) -> Result<(), CharterError> {
        Ok(self.0.verify(&keys.0)?)
    }

    pub fn seq(&self) -> u64 {
        self.0.seq()
    }

    /// Hash of the receipt before (the genesis value for seq 0).
    pub fn prev(&self) -> String {
        self.0.prev().to_string()
    }

    /// Unix seconds.
    pub fn ts(&self) -> i64 {
        self.0.ts()
    }

    pub fn agent(&self) -> String {
        self.0.agent().to_string()
    }

    pub fn action(&self) -> String {
        self.0.action().to_string()
    }

    /// The arguments' hash.
    pub fn args(&self) -> String {
        self.0.args().to_string()
    }

    /// The capability id, when the token parsed.
    pub fn cap(&self) -> Option<String> {
        self.0.cap().map(str::to_string)
    }

    /// The permit's jti, when one was issued.
    pub fn permit(&self) -> Option<String> {
        self.0.permit().map(str::to_string)
    }

    /// `"allow"` or `"deny"`.
    pub fn decision(&self) -> String {
        self.0.decision().as_str().to_string()
    }

    pub fn reasons(&self) -> Vec<Reason> {
        self.0.reasons().iter().map(Reason::from).collect()
    }

    /// The kid of the audit key that signed it.
    pub fn kid(&self) -> String {
        self.0.kid().to_string()
    }
}

/// An append-only log of receipts, in memory or in a JSON Lines file.
#[derive(uniffi::Object)]
pub struct AuditLog(pub(crate) Arc<dyn core::AuditLog>);

#[uniffi::export]
impl AuditLog {
    /// A log kept in memory, signed with `signing_key`.
    #[uniffi::constructor]
    pub fn in_memory(signing_key: Arc<SigningKey>) -> Arc<Self> {
        Arc::new(AuditLog(Arc::new(core::MemoryAuditLog::new(
            signing_key.0.clone(),
        ))))
    }

    /// Opens (or creates) a JSON Lines log file, synced on every append; its
    /// chain is verified on open. A torn last line is `log_corrupt` until
    /// repaired (`charter audit repair`). `expect_head`, the JSON text of a
    /// receipt this log signed earlier (`head().toJson()`) kept elsewhere,
    /// makes a log cut or rewritten behind it `chain_broken`.
    #[uniffi::constructor(default(expect_head = None))]
    pub fn open(
        path: String,
        signing_key: Arc<SigningKey>,
        expect_head: Option<String>,
    ) -> Result<Arc<Self>, CharterError> {
        let log = core::FileAuditLog::open_expecting_text(
            &path,
            signing_key.0.clone(),
            expect_head.as_deref(),
        )?;
        Ok(Arc::new(AuditLog(Arc::new(log))))
    }

    /// Number of receipts.
    // No `is_empty`: the surface is the contract's, the same in every language.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> u64 {
        self.0.len()
    }

    /// The last receipt, or none when the log is empty.
    pub fn head(&self) -> Option<Arc<Receipt>> {
        self.0.head().map(|r| Arc::new(Receipt(r)))
    }

    /// Receipts with seq in [start, end).
    pub fn receipts(&self, start: u64, end: u64) -> Result<Vec<Arc<Receipt>>, CharterError> {
        Ok(self
            .0
            .receipts(start..end)?
            .into_iter()
            .map(|r| Arc::new(Receipt(r)))
            .collect())
    }

    /// The public keys that verify this log.
    pub fn keys(&self) -> Arc<KeySet> {
        Arc::new(KeySet(self.0.keys()))
    }

    /// Exports receipts [start, end) (default: all) as a signed bundle (JSON text).
    #[uniffi::method(default(start = None, end = None))]
    pub fn export_bundle(
        &self,
        start: Option<u64>,
        end: Option<u64>,
    ) -> Result<String, CharterError> {
        let range = start.unwrap_or(0)..end.unwrap_or_else(|| self.0.len());
        Ok(self.0.export_bundle(range)?.to_json())
    }
}

/// The signed summary of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BundleHead {
    /// `prev` of the first receipt (the genesis value for a bundle from seq 0).
    pub anchor: String,
    pub count: u64,
    pub first_seq: u64,
    pub kid: String,
    /// Hash of the last receipt.
    pub last_hash: String,
    pub last_seq: u64,
    pub sig: String,
    /// `ts` of the last receipt.
    pub ts: i64,
    pub v: u64,
}

/// What a verified bundle covers.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BundleReport {
    pub count: u64,
    pub first_seq: u64,
    pub last_seq: u64,
    pub head: BundleHead,
}

impl From<core::BundleReport> for BundleReport {
    fn from(r: core::BundleReport) -> Self {
        let h = r.head;
        BundleReport {
            count: r.count,
            first_seq: r.first_seq,
            last_seq: r.last_seq,
            head: BundleHead {
                anchor: h.anchor,
                count: h.count,
                first_seq: h.first_seq,
                kid: h.kid,
                last_hash: h.last_hash,
                last_seq: h.last_seq,
                sig: h.sig,
                ts: h.ts,
                v: h.v,
            },
        }
    }
}

/// Verifies an exported audit bundle (JSON text) against trusted keys,
/// offline. A bundle that does not start at genesis needs the `anchor`: the
/// hash of the receipt before its first.
#[uniffi::export(default(anchor = None))]
pub fn verify_bundle(
    bundle: String,
    trusted: Arc<KeySet>,
    anchor: Option<String>,
) -> Result<BundleReport, CharterError> {
    let report = match &anchor {
        Some(a) => core::verify_bundle_from(&bundle, &trusted.0, a)?,
        None => core::verify_bundle(&bundle, &trusted.0)?,
    };
    Ok(report.into())
}
