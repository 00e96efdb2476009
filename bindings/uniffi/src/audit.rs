use crate::{core, export, wrap, Arc, KeySet, Receipt, Result, SigningKey, Store};
use charter_core::BundleReport;

export!(
/// An append-only log of receipts, in memory, in a JSON Lines file, or in a
/// shared store (`in_store`).
AuditLog(Arc<dyn core::AuditLog>) {
    /// A log kept in memory, signed with `signing_key`.
    fn in_memory(signing_key: Arc<SigningKey>) -> Self =
        AuditLog(Arc::new(core::MemoryAuditLog::new(signing_key.0.clone())));
    /// The log `name` of `store`: one hash chain shared by every writer on
    /// that database, signing new receipts with `signing_key`.
    fn in_store(store: Arc<Store>, name: String, signing_key: Arc<SigningKey>) -> Result<Self> =
        wrap(store.0.audit_log(&name, signing_key.0.clone()));
    #[uniffi::constructor(default(expect_head = None))]
    /// Opens (or creates) a JSON Lines log file, synced on every append; its
    /// chain is verified on open. `expect_head`, the JSON text of a receipt
    /// this log signed earlier (`head().toJson()`) kept elsewhere, makes a
    /// log cut or rewritten behind it `chain_broken`.
    fn open(path: String, signing_key: Arc<SigningKey>, expect_head: Option<String>) -> Result<Arc<Self>> = {
        let log = core::FileAuditLog::open_expecting_text(&path, signing_key.0.clone(), expect_head.as_deref())?;
        Ok(Arc::new(AuditLog(Arc::new(log))))
    };
    /// Number of receipts.
    #[allow(clippy::len_without_is_empty)] // the contract's surface, in every language
    fn len(&self) -> Result<u64> = wrap(self.0.len());
    /// The last receipt, or none when the log is empty.
    fn head(&self) -> Result<Option<Arc<Receipt>>> = Ok(self.0.head()?.map(|r| Arc::new(r.into())));
    /// Receipts with seq in [start, end).
    fn receipts(&self, start: u64, end: u64) -> Result<Vec<Arc<Receipt>>> =
        Ok(self.0.receipts(start..end)?.into_iter().map(|r| Arc::new(r.into())).collect());
    /// The public keys that verify this log.
    fn keys(&self) -> KeySet = KeySet(self.0.keys());
    /// Exports receipts [start, end) (default: all) as a signed bundle (JSON text).
    #[uniffi::method(default(start = None, end = None))]
    fn export_bundle(&self, start: Option<u64>, end: Option<u64>) -> Result<String> =
        Ok(self.0.export_range(start, end)?.to_json());
});

/// Verifies an exported audit bundle (JSON text) against trusted keys,
/// offline. A bundle that does not start at genesis needs the `anchor`: the
/// hash of the receipt before its first.
#[uniffi::export(default(anchor = None))]
pub fn verify_bundle(
    bundle: String,
    trusted: Arc<KeySet>,
    anchor: Option<String>,
) -> Result<BundleReport> {
    let report = core::verify_bundle_with_anchor(&bundle, &trusted.0, anchor.as_deref());
    wrap(report)
}
