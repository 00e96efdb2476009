use charter_core as core;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

/// One signed, hash-chained decision record.
#[napi]
pub struct Receipt(pub(crate) core::Receipt);

accessors!(Receipt |r| get {
    "`\"allow\"` or `\"deny\"`."
    [ts_return_type = "'allow' | 'deny'"]
    decision: String = r.decision().as_str().to_string();
    "base64url SHA-256 of the JSON text: the next receipt's `prev`."
    hash: String = r.hash().to_string();
    "Position in its log, from 0."
    seq: i64 = r.seq() as i64;
    "Hash of the receipt before it (the genesis value for the first)."
    prev: String = r.prev().to_string();
    "Decision time, Unix seconds."
    ts: i64 = r.ts();
    "Who asked."
    agent: String = r.agent().to_string();
    "The action asked for."
    action: String = r.action().to_string();
    "The hash of the call's arguments (see `hashJson`)."
    args: String = r.args().to_string();
    "The capability id, or null."
    cap: Option<String> = r.cap().map(str::to_string);
    "The permit's `jti`, or null."
    permit: Option<String> = r.permit().map(str::to_string);
    "Why it was denied (empty for an allow)."
    reasons: Vec<core::Reason> = r.reasons().to_vec();
    "Id of the key that signed it."
    kid: String = r.kid().to_string();
    "Key ids of the approvers whose approvals counted, sorted; empty when none did."
    approvers: Vec<String> = r.approvers().to_vec();
} fn {
    "The canonical JSON text."
    to_json: String = r.to_json().to_string();
} try {
    "Checks the signature against trusted keys (a KeySet, or a JWKS as object or text); throws when it does not verify."
    verify(#[napi(ts_arg_type = "KeySet | import('./charter').Jwks | string")] keys: Unknown) -> () = r.verify(&crate::keys::keys(keys)?)?;
} new {
    "Parses one receipt (its canonical JSON text) strictly; verifies nothing."
    parse(json: String) -> Receipt = Receipt(core::Receipt::parse(&json)?);
});
