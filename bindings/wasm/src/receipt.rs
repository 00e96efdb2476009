use charter_core as core;
use wasm_bindgen::prelude::*;

use crate::error::record;
use crate::host::{self, KeysArg, OptStr, Outcome, Reasons, Str};
use crate::keys;

crate::class! {
    /// One signed, hash-chained decision record.
    Receipt(core::Receipt) {
        /// base64url SHA-256 of the canonical text (what the next receipt's `prev` holds).
        (getter) hash: String = |r| r.hash().to_string();
        /// Position in the log, from 0.
        (getter) seq: f64 = |r| r.seq() as f64;
        /// The hash of the receipt before it.
        (getter) prev: String = |r| r.prev().to_string();
        /// When it was decided, Unix seconds.
        (getter) ts: f64 = |r| r.ts() as f64;
        /// The agent.
        (getter) agent: String = |r| r.agent().to_string();
        /// The action.
        (getter) action: String = |r| r.action().to_string();
        /// The hash of the call's arguments (`hashJson` of them).
        (getter) args: String = |r| r.args().to_string();
        /// The capability id, or null.
        (getter) cap: OptStr = |r| host::opt_out(r.cap());
        /// The `jti` of the permit issued, or null.
        (getter) permit: OptStr = |r| host::opt_out(r.permit());
        /// `"allow"` or `"deny"`.
        (getter) decision: Outcome = |r| JsValue::from_str(r.decision().as_str()).unchecked_into();
        /// Why it was denied (empty for an allow).
        (getter) reasons: Reasons = |r| record(&crate::error::reasons_json(r.reasons()));
        /// The signing key's id.
        (getter) kid: String = |r| r.kid().to_string();
        /// Key ids of the approvers whose approvals counted, sorted; empty when none did.
        (getter) approvers: Vec<String> = |r| r.approvers().to_vec();
        /// The canonical JSON text.
        () toJson: String = |r| r.to_json().to_string();
    } fn {
        /// Checks the signature with `keys` (a KeySet, a JWKS object or its
        /// text); throws a CryptoError when it does not verify.
        verify(&r, keys: KeysArg) -> () = r.verify(&*keys::arg(&keys, "keys")?);
    } static {
        /// Parses a receipt's canonical JSON text strictly. Verifies nothing.
        parse(json: Str) = core::Receipt::parse(&host::arg!(string: json));
    }
}
