use crate::{core, export, wrap, Arc, KeySet, Result};
use charter_core::Reason;

export!(
/// One signed, hash-chained decision record.
Receipt(core::Receipt) {
    /// Parses one receipt (its canonical JSON text) strictly. Verifies nothing: call `verify`.
    fn parse(json: String) -> Result<Self> = wrap(core::Receipt::parse(&json));
    /// The canonical JSON text (one line of a log file).
    fn to_json(&self) -> String = self.0.to_json().to_string();
    /// Checks the signature against trusted keys (`unknown_key`, `bad_signature`).
    fn verify(&self, keys: Arc<KeySet>) -> Result<()> = wrap(self.0.verify(&keys.0));
    /// base64url SHA-256 of the canonical JSON: what the next receipt's `prev` holds.
    fn get_hash(&self) -> String = self.0.hash().to_string();
    /// Position in its log, from 0.
    fn get_seq(&self) -> u64 = self.0.seq();
    /// Hash of the receipt before (the genesis value for seq 0).
    fn get_prev(&self) -> String = self.0.prev().to_string();
    /// Unix seconds.
    fn get_ts(&self) -> i64 = self.0.ts();
    /// The request's agent.
    fn get_agent(&self) -> String = self.0.agent().to_string();
    /// The request's action.
    fn get_action(&self) -> String = self.0.action().to_string();
    /// The arguments' hash.
    fn get_args(&self) -> String = self.0.args().to_string();
    /// The capability id, when the token parsed.
    fn get_cap(&self) -> Option<String> = self.0.cap().map(str::to_string);
    /// The permit's jti, when one was issued.
    fn get_permit(&self) -> Option<String> = self.0.permit().map(str::to_string);
    /// `"allow"` or `"deny"`.
    fn get_decision(&self) -> String = self.0.decision().as_str().to_string();
    /// Why it denied (empty when allowed).
    fn get_reasons(&self) -> Vec<Reason> = self.0.reasons().to_vec();
    /// The kid of the audit key that signed it.
    fn get_kid(&self) -> String = self.0.kid().to_string();
    /// Key ids of the approvers whose approvals counted, sorted; empty when none did.
    fn get_approvers(&self) -> Vec<String> = self.0.approvers().to_vec();
});
