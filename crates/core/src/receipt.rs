//! Receipts: one signed, hash-chained record per decision.
//!
//! A receipt is a canonical (RFC 8785) JSON object with exactly these members:
//!
//! | member | value |
//! |---|---|
//! | `v` | `1` |
//! | `seq` | position in its log, from 0 |
//! | `prev` | hash of the previous receipt; [`GENESIS`] for `seq` 0 |
//! | `ts` | Unix seconds of the decision (never decreasing along a log) |
//! | `agent`, `action` | who asked to do what |
//! | `approvers` | only when approvals counted: the approvers' key ids, sorted |
//! | `args` | [`jcs::hash`] of the call's arguments |
//! | `cap` | id of the capability checked, or `null` |
//! | `clipped` | only in a receipt whose fields were cut to fit (below) |
//! | `permit` | `jti` of the permit issued, or `null` |
//! | `decision` | `"allow"` or `"deny"` (deny has at least one reason, allow none) |
//! | `reasons` | `[{"caveat": index or null, "code": error code, "message": text}]` |
//! | `kid` | RFC 7638 thumbprint of the signing key |
//! | `sig` | Ed25519 over `"charter/v1/receipt" ‖ 0x00 ‖ JCS(every member but sig)` |
//!
//! The receipt's hash (what the next receipt's `prev` holds) is the base64url
//! SHA-256 of the JCS of the whole receipt, `sig` included.
//!
//! **Clipping.** A decision is always recorded, however large what it names
//! (a denial that could not be recorded would let anyone probe unseen). When
//! the full receipt would exceed [`MAX_RECEIPT_BYTES`], each of `agent`,
//! `action`, `cap` and `permit` longer than [`MAX_CLIPPED_FIELD_BYTES`] bytes
//! is cut to its longest prefix of at most that many bytes that ends on a
//! character boundary; when there are more than [`MAX_CLIPPED_REASONS`]
//! reasons or a message longer than [`MAX_CLIPPED_MESSAGE_BYTES`], the first
//! [`MAX_CLIPPED_REASONS`] reasons are kept with their messages cut the same
//! way. The receipt then carries `clipped`, naming each member that was cut
//! with the size and hash of what it held: `{"agent": {"bytes": 70000,
//! "sha256": …}}`, where `bytes` and `sha256` are of the original string's
//! UTF-8 (for `reasons`: of the JCS text of the original reasons array). A
//! receipt that fits is never clipped and has no `clipped` member.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::decision::{Decision, Reason};
use crate::keys::{KeySet, SigningKey};
use crate::{b64, jcs, Error, ErrorCode};

/// The receipt format version.
pub const RECEIPT_VERSION: u64 = 1;
/// Domain-separation label of receipt signatures.
pub const RECEIPT_LABEL: &str = "charter/v1/receipt";
/// `prev` of the first receipt (`seq` 0) of every log:
/// base64url(SHA-256("charter/v1/genesis")).
pub const GENESIS: &str = "6BtSPtgf263VGd9e2p6CVc-4Z-ghfo0Rz_XdKxHDf2M";
/// Largest receipt, in bytes of canonical JSON.
pub const MAX_RECEIPT_BYTES: usize = 64 * 1024;
/// Longest `agent`, `action`, `cap` or `permit` in a clipped receipt, in bytes.
pub const MAX_CLIPPED_FIELD_BYTES: usize = 1024;
/// Most reasons in a clipped receipt.
pub const MAX_CLIPPED_REASONS: usize = 16;
/// Longest reason message in a clipped receipt, in bytes.
pub const MAX_CLIPPED_MESSAGE_BYTES: usize = 256;
/// The members a receipt may clip.
const CLIPPABLE: [&str; 5] = ["action", "agent", "cap", "permit", "reasons"];

/// Why a receipt was refused or could not be written; each variant maps
/// to one [`ErrorCode`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// The receipt is longer than [`MAX_RECEIPT_BYTES`] (its length).
    #[error("receipt is {0} bytes, more than the {MAX_RECEIPT_BYTES}-byte limit")]
    TooLarge(usize),
    /// Not a receipt's JSON shape.
    #[error("malformed receipt: {0}")]
    Malformed(String),
    /// Valid JSON with the right members, but not the canonical text the
    /// signature covers: re-canonicalize it, nothing was found altered.
    #[error("{0}")]
    NotCanonical(String),
    /// A version this build does not read.
    #[error("receipt version {0} is not supported (this build reads version {RECEIPT_VERSION})")]
    UnsupportedVersion(String),
    /// A receipt input out of range.
    #[error("invalid receipt input: {0}")]
    InvalidArgument(String),
    /// Signed by a key that is not trusted (its kid).
    #[error("receipt is signed by key {0:?}, which is not trusted")]
    UnknownKey(String),
    /// The Ed25519 signature does not verify.
    #[error("receipt signature does not verify")]
    BadSignature,
}

impl ReceiptError {
    /// The stable code this failure is reported with.
    pub fn code(&self) -> ErrorCode {
        match self {
            ReceiptError::TooLarge(_) => ErrorCode::LimitExceeded,
            ReceiptError::Malformed(_) => ErrorCode::Malformed,
            ReceiptError::NotCanonical(_) => ErrorCode::NotCanonical,
            ReceiptError::UnsupportedVersion(_) => ErrorCode::UnsupportedVersion,
            ReceiptError::InvalidArgument(_) => ErrorCode::InvalidArgument,
            ReceiptError::UnknownKey(_) => ErrorCode::UnknownKey,
            ReceiptError::BadSignature => ErrorCode::BadSignature,
        }
    }
}

impl From<ReceiptError> for Error {
    fn from(e: ReceiptError) -> Self {
        Error::new(e.code(), e.to_string())
    }
}

/// What was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The call was allowed.
    Allow,
    /// The call was denied.
    Deny,
}

impl Outcome {
    /// `allow` or `deny`, as written in receipts.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::Deny => "deny",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireReason {
    caveat: Option<u32>,
    code: String,
    message: String,
}

/// What a clipped member held before it was cut: its size in bytes and its
/// base64url SHA-256 (of a string's UTF-8; of the JCS text of `reasons`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clipped {
    /// Size of the original member, bytes.
    pub bytes: u64,
    /// base64url SHA-256 of the original member.
    pub sha256: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Wire {
    action: String,
    agent: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    approvers: Option<Vec<String>>,
    args: String,
    cap: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    clipped: Option<BTreeMap<String, Clipped>>,
    decision: Outcome,
    kid: String,
    permit: Option<String>,
    prev: String,
    reasons: Vec<WireReason>,
    seq: u64,
    sig: String,
    ts: i64,
    v: u64,
}

/// What an audit log is handed for one decision; the log adds `seq`, `prev`,
/// `kid` and `sig`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptInput {
    /// Unix seconds of the decision. A log never lets time go backwards: an
    /// input earlier than the log's last receipt is recorded at that receipt's time.
    pub ts: i64,
    /// The calling agent.
    pub agent: String,
    /// The action (tool name).
    pub action: String,
    /// [`jcs::hash`] of the call's arguments.
    pub args: String,
    /// Id of the capability checked, if any.
    pub cap: Option<String>,
    /// `jti` of the permit issued, if any.
    pub permit: Option<String>,
    /// Allowed or denied.
    pub decision: Outcome,
    /// Empty exactly when the decision is allow.
    pub reasons: Vec<Reason>,
    /// Key ids of the approvers whose approvals counted (an allow of a call
    /// that needed approval); empty otherwise, and then not in the receipt.
    pub approvers: Vec<String>,
}

impl ReceiptInput {
    /// The record of `decision` on a call of `action` with `args` by `agent` at `ts`.
    pub fn from_decision(
        ts: i64,
        agent: impl Into<String>,
        action: impl Into<String>,
        args: &Value,
        decision: &Decision,
    ) -> Result<Self, Error> {
        Ok(ReceiptInput {
            ts,
            agent: agent.into(),
            action: action.into(),
            args: jcs::hash(args)?,
            cap: None,
            permit: None,
            decision: if decision.allowed {
                Outcome::Allow
            } else {
                Outcome::Deny
            },
            reasons: decision.reasons.clone(),
            approvers: Vec::new(),
        })
    }

    /// The same input naming the approvers whose approvals counted.
    pub fn with_approvers(mut self, kids: Vec<String>) -> Self {
        self.approvers = kids;
        self
    }

    /// The same input naming the capability checked.
    pub fn with_capability(mut self, id: impl Into<String>) -> Self {
        self.cap = Some(id.into());
        self
    }

    /// The same input naming the permit issued.
    pub fn with_permit(mut self, jti: impl Into<String>) -> Self {
        self.permit = Some(jti.into());
        self
    }
}

/// What to do about a JSON object (receipt or bundle) whose text is not the
/// canonical form its signatures cover: strip surrounding whitespace, or
/// re-canonicalize it. Shared so the receipt and bundle say it alike.
pub(crate) fn not_canonical_message(what: &str, text: &str, canonical: &str) -> String {
    if text.trim() == canonical {
        format!(
            "{what} text has leading or trailing whitespace (a newline from a file or a \
             shell?): strip it; the format is strict, nothing was found altered"
        )
    } else {
        format!(
            "{what} is valid but not in canonical form (RFC 8785): it was re-serialized \
             (pretty-printed, re-spaced or reordered), and nothing was verified. \
             Re-canonicalize it (`charter audit canonicalize FILE --out FILE`, or \
             canonicalize_json in any binding) and try again"
        )
    }
}

/// A signed receipt. Immutable; its canonical text and hash are computed once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    wire: Wire,
    reasons: Vec<Reason>,
    json: String,
    hash: String,
}

fn is_digest(s: &str) -> bool {
    b64::decode(s).is_some_and(|b| b.len() == 32)
}

fn sha256_b64(text: &str) -> String {
    b64::encode(Sha256::digest(text.as_bytes()))
}

impl Receipt {
    /// Signs `input` as receipt number `seq` linked to `prev` (the previous
    /// receipt's hash, or [`GENESIS`]). Audit logs call this; call it yourself
    /// only to implement an [`crate::audit::AuditLog`].
    pub fn sign(
        input: &ReceiptInput,
        seq: u64,
        prev: &str,
        key: &SigningKey,
    ) -> Result<Receipt, Error> {
        let bad = |m: String| Error::from(ReceiptError::InvalidArgument(m));
        if !is_digest(prev) {
            return Err(bad(format!("prev {prev:?} is not a base64url SHA-256")));
        }
        if !is_digest(&input.args) {
            return Err(bad(format!(
                "args {:?} is not a base64url SHA-256 (pass jcs::hash of the arguments)",
                input.args
            )));
        }
        if seq > jcs::MAX_SAFE_INTEGER as u64
            || input.ts.unsigned_abs() > jcs::MAX_SAFE_INTEGER as u64
        {
            return Err(bad("seq or ts beyond 2^53 − 1".into()));
        }
        check_consistent(input.decision, &input.reasons).map_err(bad)?;
        let mut approvers = input.approvers.clone();
        approvers.sort_unstable();
        approvers.dedup();
        let approvers = (!approvers.is_empty()).then_some(approvers);
        if let Some(a) = &approvers {
            check_approvers(a).map_err(bad)?;
        }
        let mut wire = Wire {
            action: input.action.clone(),
            agent: input.agent.clone(),
            approvers,
            args: input.args.clone(),
            cap: input.cap.clone(),
            clipped: None,
            decision: input.decision,
            kid: key.kid(),
            permit: input.permit.clone(),
            prev: prev.to_string(),
            reasons: input
                .reasons
                .iter()
                .map(|r| WireReason {
                    caveat: r.caveat_index,
                    code: r.code.as_str().to_string(),
                    message: r.message.clone(),
                })
                .collect(),
            seq,
            sig: String::new(),
            ts: input.ts,
            v: RECEIPT_VERSION,
        };
        // The signature is 86 characters; measure with a stand-in of its size.
        wire.sig = "A".repeat(86);
        if full_json(&wire)?.len() > MAX_RECEIPT_BYTES {
            clip(&mut wire);
        }
        wire.sig = String::new();
        let body = body_json(&wire)?;
        wire.sig = b64::encode(key.sign_labeled(RECEIPT_LABEL, body.as_bytes()));
        let json = full_json(&wire)?;
        if json.len() > MAX_RECEIPT_BYTES {
            return Err(ReceiptError::TooLarge(json.len()).into());
        }
        let reasons = wire_reasons(&wire.reasons).map_err(bad)?;
        Ok(Receipt {
            reasons,
            hash: sha256_b64(&json),
            json,
            wire,
        })
    }

    /// Parses a receipt strictly: canonical JSON text only, every member
    /// present with its type, nothing unknown. Verifies no signature.
    pub fn parse(json: &str) -> Result<Receipt, Error> {
        if json.len() > MAX_RECEIPT_BYTES {
            return Err(ReceiptError::TooLarge(json.len()).into());
        }
        // A document too deep to read is over a limit, as for any JSON input;
        // any other JSON error makes the receipt malformed.
        let value = jcs::parse(json).map_err(|e| match e.code() {
            ErrorCode::LimitExceeded => e,
            _ => ReceiptError::Malformed(e.to_string()).into(),
        })?;
        Ok(Receipt::from_value(value, Some(json))?)
    }

    /// From a parsed value; `text` is the text it was parsed from, which must
    /// be its canonical form.
    pub(crate) fn from_value(value: Value, text: Option<&str>) -> Result<Receipt, ReceiptError> {
        let malformed = |m: String| ReceiptError::Malformed(m);
        match value.get("v") {
            Some(v) if v == RECEIPT_VERSION => {}
            Some(v) => return Err(ReceiptError::UnsupportedVersion(v.to_string())),
            None => return Err(malformed("missing member \"v\"".into())),
        }
        let wire: Wire = serde_json::from_value(value).map_err(|e| malformed(e.to_string()))?;
        Receipt::from_wire(wire, text)
    }

    /// From deserialized members; `text`, when given, must be their canonical form.
    pub(crate) fn from_wire(wire: Wire, text: Option<&str>) -> Result<Receipt, ReceiptError> {
        let malformed = |m: String| ReceiptError::Malformed(m);
        if wire.v != RECEIPT_VERSION {
            return Err(ReceiptError::UnsupportedVersion(wire.v.to_string()));
        }
        if wire.seq > jcs::MAX_SAFE_INTEGER as u64
            || wire.ts.unsigned_abs() > jcs::MAX_SAFE_INTEGER as u64
        {
            return Err(malformed("seq or ts beyond 2^53 − 1".into()));
        }
        let json = full_json(&wire).map_err(|e| malformed(e.to_string()))?;
        if let Some(text) = text {
            if json != text {
                return Err(match jcs::canonicalize_str(text) {
                    // The same receipt, written another way.
                    Ok(c) if c == json => {
                        ReceiptError::NotCanonical(not_canonical_message("receipt", text, &json))
                    }
                    _ => malformed("a member is missing or not in its canonical form".into()),
                });
            }
        }
        if json.len() > MAX_RECEIPT_BYTES {
            return Err(ReceiptError::TooLarge(json.len()));
        }
        if !is_digest(&wire.prev) {
            return Err(malformed("prev is not a base64url SHA-256".into()));
        }
        if !is_digest(&wire.args) {
            return Err(malformed("args is not a base64url SHA-256".into()));
        }
        if b64::decode(&wire.sig).is_none_or(|s| s.len() != 64) {
            return Err(malformed("sig is not a base64url Ed25519 signature".into()));
        }
        if let Some(clipped) = &wire.clipped {
            check_clipped(&wire, clipped).map_err(malformed)?;
        }
        if let Some(approvers) = &wire.approvers {
            check_approvers(approvers).map_err(malformed)?;
        }
        let reasons = wire_reasons(&wire.reasons).map_err(malformed)?;
        check_consistent(wire.decision, &reasons).map_err(malformed)?;
        Ok(Receipt {
            reasons,
            hash: sha256_b64(&json),
            json,
            wire,
        })
    }

    #[cfg(test)]
    pub(crate) fn to_value(&self) -> Value {
        serde_json::to_value(&self.wire).expect("plain receipt")
    }

    /// The canonical JSON text (one line, no trailing newline).
    pub fn to_json(&self) -> &str {
        &self.json
    }

    /// base64url SHA-256 of [`Receipt::to_json`]: the next receipt's `prev`.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The bytes the signature covers (without the label): JCS of every member but `sig`.
    pub fn signed_body(&self) -> String {
        write_wire(&self.wire, false)
    }

    /// Checks the signature with the trusted key named by `kid`.
    pub fn verify(&self, keys: &KeySet) -> Result<(), Error> {
        let key = keys
            .get(&self.wire.kid)
            .map_err(|_| ReceiptError::UnknownKey(self.wire.kid.clone()))?;
        let sig = b64::decode(&self.wire.sig).ok_or(ReceiptError::BadSignature)?;
        key.verify_labeled(RECEIPT_LABEL, self.signed_body().as_bytes(), &sig)
            .map_err(|_| ReceiptError::BadSignature)?;
        Ok(())
    }

    /// Receipt format version.
    pub fn version(&self) -> u64 {
        self.wire.v
    }
    /// Position in its log, from 0.
    pub fn seq(&self) -> u64 {
        self.wire.seq
    }
    /// Hash of the previous receipt, or [`GENESIS`] for the first.
    pub fn prev(&self) -> &str {
        &self.wire.prev
    }
    /// Time of the decision, Unix seconds.
    pub fn ts(&self) -> i64 {
        self.wire.ts
    }
    /// The calling agent.
    pub fn agent(&self) -> &str {
        &self.wire.agent
    }
    /// The action (tool name).
    pub fn action(&self) -> &str {
        &self.wire.action
    }
    /// [`jcs::hash`] of the call's arguments.
    pub fn args(&self) -> &str {
        &self.wire.args
    }
    /// Id of the capability checked, if any.
    pub fn cap(&self) -> Option<&str> {
        self.wire.cap.as_deref()
    }
    /// The members cut to fit the receipt's size limit, with the size and
    /// hash of what each held; `None` when nothing was cut.
    pub fn clipped(&self) -> Option<&BTreeMap<String, Clipped>> {
        self.wire.clipped.as_ref()
    }
    /// `jti` of the permit issued, if any.
    pub fn permit(&self) -> Option<&str> {
        self.wire.permit.as_deref()
    }
    /// Allowed or denied.
    pub fn decision(&self) -> Outcome {
        self.wire.decision
    }
    /// Why it was denied; empty for an allow.
    pub fn reasons(&self) -> &[Reason] {
        &self.reasons
    }
    /// Id of the key that signed it.
    pub fn kid(&self) -> &str {
        &self.wire.kid
    }
    /// Key ids of the approvers whose approvals counted; empty when the
    /// call needed none.
    pub fn approvers(&self) -> &[String] {
        self.wire.approvers.as_deref().unwrap_or(&[])
    }
    /// Ed25519 signature over the rest (JCS, labeled).
    pub fn sig(&self) -> &str {
        &self.wire.sig
    }
}

fn wire_reasons(wire: &[WireReason]) -> Result<Vec<Reason>, String> {
    let mut reasons = Vec::with_capacity(wire.len());
    for r in wire {
        let code =
            ErrorCode::parse(&r.code).ok_or_else(|| format!("unknown reason code {:?}", r.code))?;
        reasons.push(Reason::new(code, r.caveat, r.message.clone()));
    }
    Ok(reasons)
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn clip_record(bytes: &str) -> Clipped {
    Clipped {
        bytes: bytes.len() as u64,
        sha256: sha256_b64(bytes),
    }
}

/// Cuts the members of a receipt too large to sign (module docs, "Clipping").
fn clip(w: &mut Wire) {
    let mut clipped = BTreeMap::new();
    let mut cut = |name: &str, s: &mut String| {
        if s.len() > MAX_CLIPPED_FIELD_BYTES {
            clipped.insert(name.to_string(), clip_record(s));
            *s = prefix(s, MAX_CLIPPED_FIELD_BYTES).to_string();
        }
    };
    cut("action", &mut w.action);
    cut("agent", &mut w.agent);
    if let Some(c) = &mut w.cap {
        cut("cap", c);
    }
    if let Some(p) = &mut w.permit {
        cut("permit", p);
    }
    if w.reasons.len() > MAX_CLIPPED_REASONS
        || w.reasons
            .iter()
            .any(|r| r.message.len() > MAX_CLIPPED_MESSAGE_BYTES)
    {
        let mut text = String::new();
        write_reasons(&mut text, &w.reasons);
        clipped.insert("reasons".to_string(), clip_record(&text));
        w.reasons.truncate(MAX_CLIPPED_REASONS);
        for r in &mut w.reasons {
            r.message = prefix(&r.message, MAX_CLIPPED_MESSAGE_BYTES).to_string();
        }
    }
    if !clipped.is_empty() {
        w.clipped = Some(clipped);
    }
}

/// A `clipped` member must name only clippable members, each of which holds
/// no more than a clipped receipt may, and say what they held.
fn check_clipped(w: &Wire, clipped: &BTreeMap<String, Clipped>) -> Result<(), String> {
    if clipped.is_empty() {
        return Err("clipped is empty (a receipt with nothing cut has no clipped member)".into());
    }
    for (name, c) in clipped {
        if !is_digest(&c.sha256) || c.bytes > jcs::MAX_SAFE_INTEGER as u64 {
            return Err(format!(
                "clipped.{name} needs bytes and a base64url SHA-256"
            ));
        }
        let held = match name.as_str() {
            "action" => Some(w.action.as_str()),
            "agent" => Some(w.agent.as_str()),
            "cap" => w.cap.as_deref(),
            "permit" => w.permit.as_deref(),
            "reasons" => {
                if w.reasons.len() > MAX_CLIPPED_REASONS
                    || w.reasons
                        .iter()
                        .any(|r| r.message.len() > MAX_CLIPPED_MESSAGE_BYTES)
                {
                    return Err("clipped reasons are longer than a clipped receipt holds".into());
                }
                continue;
            }
            other => {
                return Err(format!(
                    "clipped names {other:?}, which is not one of {CLIPPABLE:?}"
                ))
            }
        };
        match held {
            Some(s) if s.len() <= MAX_CLIPPED_FIELD_BYTES && (s.len() as u64) < c.bytes => {}
            _ => {
                return Err(format!(
                    "clipped.{name} does not match the {name} it describes"
                ))
            }
        }
    }
    Ok(())
}

/// Most approvers a receipt names (every listed approver of every caveat).
const MAX_RECEIPT_APPROVERS: usize = 256;

/// `approvers`, when present: 1 to [`MAX_RECEIPT_APPROVERS`] key ids,
/// sorted and distinct (one form per set).
fn check_approvers(approvers: &[String]) -> Result<(), String> {
    if approvers.is_empty() || approvers.len() > MAX_RECEIPT_APPROVERS {
        return Err(format!(
            "approvers holds 1 to {MAX_RECEIPT_APPROVERS} key ids (a receipt with none has no approvers member)"
        ));
    }
    if !approvers.iter().all(|k| is_digest(k)) {
        return Err("approvers holds base64url SHA-256 key ids".into());
    }
    if !approvers.windows(2).all(|w| w[0] < w[1]) {
        return Err("approvers must be sorted and distinct".into());
    }
    Ok(())
}

fn check_consistent(decision: Outcome, reasons: &[Reason]) -> Result<(), String> {
    match (decision, reasons.is_empty()) {
        (Outcome::Allow, false) => Err("an allow decision carries no reasons".into()),
        (Outcome::Deny, true) => Err("a deny decision needs at least one reason".into()),
        _ => Ok(()),
    }
}

fn full_json(wire: &Wire) -> Result<String, jcs::JsonError> {
    Ok(write_wire(wire, true))
}

fn body_json(wire: &Wire) -> Result<String, jcs::JsonError> {
    Ok(write_wire(wire, false))
}

/// RFC 8785 text of a receipt, written directly: the members are fixed ASCII
/// names (so UTF-16 order is their byte order) and integers are safe (checked
/// on sign and by the strict parser). Tests check it against `jcs::canonicalize`.
fn write_wire(w: &Wire, with_sig: bool) -> String {
    let mut out = String::with_capacity(
        256 + w.action.len()
            + w.agent.len()
            + w.reasons
                .iter()
                .map(|r| r.message.len() + 64)
                .sum::<usize>(),
    );
    let opt = |out: &mut String, v: &Option<String>| match v {
        Some(s) => jcs::write_string(out, s),
        None => out.push_str("null"),
    };
    out.push_str("{\"action\":");
    jcs::write_string(&mut out, &w.action);
    out.push_str(",\"agent\":");
    jcs::write_string(&mut out, &w.agent);
    if let Some(approvers) = &w.approvers {
        out.push_str(",\"approvers\":[");
        for (i, kid) in approvers.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            jcs::write_string(&mut out, kid);
        }
        out.push(']');
    }
    out.push_str(",\"args\":");
    jcs::write_string(&mut out, &w.args);
    out.push_str(",\"cap\":");
    opt(&mut out, &w.cap);
    if let Some(clipped) = &w.clipped {
        out.push_str(",\"clipped\":{");
        for (i, (name, c)) in clipped.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            jcs::write_string(&mut out, name);
            out.push_str(":{\"bytes\":");
            out.push_str(&c.bytes.to_string());
            out.push_str(",\"sha256\":");
            jcs::write_string(&mut out, &c.sha256);
            out.push('}');
        }
        out.push('}');
    }
    out.push_str(",\"decision\":\"");
    out.push_str(w.decision.as_str());
    out.push_str("\",\"kid\":");
    jcs::write_string(&mut out, &w.kid);
    out.push_str(",\"permit\":");
    opt(&mut out, &w.permit);
    out.push_str(",\"prev\":");
    jcs::write_string(&mut out, &w.prev);
    out.push_str(",\"reasons\":");
    write_reasons(&mut out, &w.reasons);
    out.push_str(",\"seq\":");
    out.push_str(&w.seq.to_string());
    if with_sig {
        out.push_str(",\"sig\":");
        jcs::write_string(&mut out, &w.sig);
    }
    out.push_str(",\"ts\":");
    out.push_str(&w.ts.to_string());
    out.push_str(",\"v\":");
    out.push_str(&w.v.to_string());
    out.push('}');
    out
}

/// JCS of a reasons array (`[{"caveat":…,"code":…,"message":…},…]`).
fn write_reasons(out: &mut String, reasons: &[WireReason]) {
    out.push('[');
    for (i, r) in reasons.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"caveat\":");
        match r.caveat {
            Some(c) => out.push_str(&c.to_string()),
            None => out.push_str("null"),
        }
        out.push_str(",\"code\":");
        jcs::write_string(out, &r.code);
        out.push_str(",\"message\":");
        jcs::write_string(out, &r.message);
        out.push('}');
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[5; 32]).unwrap()
    }

    fn input(decision: Outcome) -> ReceiptInput {
        let d = match decision {
            Outcome::Allow => Decision::allow(),
            Outcome::Deny => Decision::deny(vec![Reason::new(
                ErrorCode::CaveatFailed,
                Some(2),
                "caveat 2 `args.amount <= 100` is false",
            )]),
        };
        ReceiptInput::from_decision(1_700_000_000, "agent-1", "pay", &json!({"amount": 250}), &d)
            .unwrap()
            .with_capability("cap-1")
    }

    #[test]
    fn genesis_is_the_documented_hash() {
        assert_eq!(GENESIS, sha256_b64("charter/v1/genesis"));
    }

    #[test]
    fn sign_parse_verify_round_trip() {
        let k = key();
        let keys = KeySet::from_keys([k.public_key()]).unwrap();
        for d in [Outcome::Allow, Outcome::Deny] {
            let r = Receipt::sign(&input(d).with_permit("j1"), 7, GENESIS, &k).unwrap();
            let back = Receipt::parse(r.to_json()).unwrap();
            assert_eq!(back, r);
            back.verify(&keys).unwrap();
            assert_eq!(r.hash(), sha256_b64(r.to_json()));
            let mut generic = r.to_value();
            assert_eq!(r.to_json(), jcs::canonicalize(&generic).unwrap());
            generic.as_object_mut().unwrap().remove("sig");
            assert_eq!(r.signed_body(), jcs::canonicalize(&generic).unwrap());
        }
        let mut odd = input(Outcome::Deny);
        odd.agent = "agént \"x\"\n\u{1f}\u{2028}😀".into();
        let r = Receipt::sign(&odd, 9, GENESIS, &k).unwrap();
        assert_eq!(r.to_json(), jcs::canonicalize(&r.to_value()).unwrap());
        assert_eq!(Receipt::parse(r.to_json()).unwrap(), r);
        let r = Receipt::sign(&input(Outcome::Deny), 0, GENESIS, &k).unwrap();
        let text = r.to_json();
        assert!(
            text.starts_with(r#"{"action":"pay","agent":"agent-1","args":""#),
            "{text}"
        );
        assert!(
            text.contains(r#""cap":"cap-1","decision":"deny","#),
            "{text}"
        );
        assert!(text.contains(r#""permit":null,"#), "{text}");
        assert!(text.contains(
            r#""reasons":[{"caveat":2,"code":"caveat_failed","message":"caveat 2 `args.amount <= 100` is false"}]"#
        ));
        assert!(text.ends_with(r#","ts":1700000000,"v":1}"#), "{text}");
        let other =
            KeySet::from_keys([SigningKey::from_bytes(&[6; 32]).unwrap().public_key()]).unwrap();
        assert_eq!(r.verify(&other).unwrap_err().code(), ErrorCode::UnknownKey);
    }

    #[test]
    fn parse_is_strict() {
        let k = key();
        let r = Receipt::sign(&input(Outcome::Allow), 1, GENESIS, &k).unwrap();
        let v = r.to_value();
        let canon = |v: &Value| jcs::canonicalize(v).unwrap();
        let mutate = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
            let mut v = v.clone();
            f(v.as_object_mut().unwrap());
            canon(&v)
        };
        let cases: Vec<(String, ErrorCode)> = vec![
            (
                mutate(&|o| drop(o.insert("x".into(), json!(1)))),
                ErrorCode::Malformed,
            ),
            (mutate(&|o| drop(o.remove("cap"))), ErrorCode::Malformed),
            (mutate(&|o| drop(o.remove("v"))), ErrorCode::Malformed),
            (
                mutate(&|o| drop(o.insert("v".into(), json!(2)))),
                ErrorCode::UnsupportedVersion,
            ),
            (
                mutate(&|o| drop(o.insert("seq".into(), json!("1")))),
                ErrorCode::Malformed,
            ),
            (
                mutate(&|o| drop(o.insert("seq".into(), json!(-1)))),
                ErrorCode::Malformed,
            ),
            (
                mutate(&|o| drop(o.insert("decision".into(), json!("maybe")))),
                ErrorCode::Malformed,
            ),
            (
                mutate(&|o| drop(o.insert("decision".into(), json!("deny")))),
                ErrorCode::Malformed,
            ),
            (
                mutate(&|o| drop(o.insert("prev".into(), json!("AAAA")))),
                ErrorCode::Malformed,
            ),
            (
                mutate(&|o| drop(o.insert("sig".into(), json!("AAAA")))),
                ErrorCode::Malformed,
            ),
            (
                mutate(&|o| {
                    o.insert("decision".into(), json!("deny"));
                    o.insert(
                        "reasons".into(),
                        json!([{"caveat": null, "code": "no_such_code", "message": "m"}]),
                    );
                }),
                ErrorCode::Malformed,
            ),
            // Re-serialized but intact: its own code, saying what to do.
            (format!(" {}", r.to_json()), ErrorCode::NotCanonical),
            (format!("{}\n", r.to_json()), ErrorCode::NotCanonical),
            (
                serde_json::to_string_pretty(&v).unwrap(),
                ErrorCode::NotCanonical,
            ),
            ("x".repeat(MAX_RECEIPT_BYTES + 1), ErrorCode::LimitExceeded),
        ];
        for (text, code) in cases {
            let e = Receipt::parse(&text).unwrap_err();
            assert_eq!(e.code(), code, "{text}: {e}");
        }
        let e = Receipt::parse(&format!("{}\n", r.to_json())).unwrap_err();
        assert!(e.message().contains("strip it"), "{e}");
        let e = Receipt::parse(&serde_json::to_string_pretty(&v).unwrap()).unwrap_err();
        assert!(e.message().contains("Re-canonicalize"), "{e}");
    }

    #[test]
    fn inputs_are_checked() {
        let k = key();
        let mut i = input(Outcome::Allow);
        i.reasons.push(Reason::new(ErrorCode::Expired, None, "x"));
        assert_eq!(
            Receipt::sign(&i, 0, GENESIS, &k).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
        let mut i = input(Outcome::Allow);
        i.args = "not-a-hash".into();
        assert_eq!(
            Receipt::sign(&i, 0, GENESIS, &k).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
        assert_eq!(
            Receipt::sign(&input(Outcome::Allow), 0, "x", &k)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn oversized_fields_are_clipped_never_dropped() {
        let k = key();
        let keys = KeySet::from_keys([k.public_key()]).unwrap();
        // A message alone over the limit: the reasons are clipped, nothing else.
        let mut i = input(Outcome::Deny);
        i.reasons[0].message = "m".repeat(MAX_RECEIPT_BYTES);
        let r = Receipt::sign(&i, 0, GENESIS, &k).unwrap();
        let clipped = r.clipped().unwrap();
        assert_eq!(clipped.keys().collect::<Vec<_>>(), ["reasons"]);
        assert_eq!(r.reasons()[0].message.len(), MAX_CLIPPED_MESSAGE_BYTES);
        assert_eq!(r.agent(), "agent-1");

        // The worst a caller can send: every field huge, and each character
        // one that JSON escapes to six bytes.
        let ctl = "\u{1}".repeat(70_000);
        let mut i = input(Outcome::Deny).with_permit(ctl.clone());
        i.agent = ctl.clone();
        i.action = format!("é{}", "é".repeat(40_000));
        i.cap = Some(ctl.clone());
        i.reasons = (0..64)
            .map(|n| Reason::new(ErrorCode::CaveatFailed, Some(n), ctl[..2000].to_string()))
            .collect();
        let mut original = String::new();
        write_reasons(
            &mut original,
            &i.reasons
                .iter()
                .map(|r| WireReason {
                    caveat: r.caveat_index,
                    code: r.code.as_str().into(),
                    message: r.message.clone(),
                })
                .collect::<Vec<_>>(),
        );
        let r = Receipt::sign(&i, 3, GENESIS, &k).unwrap();
        assert!(r.to_json().len() <= MAX_RECEIPT_BYTES);
        let clipped = r.clipped().unwrap();
        assert_eq!(
            clipped.keys().map(String::as_str).collect::<Vec<_>>(),
            CLIPPABLE
        );
        assert_eq!(clipped["agent"], clip_record(&ctl));
        assert_eq!(clipped["reasons"], clip_record(&original));
        assert_eq!(clipped["action"].bytes, 80_002);
        assert_eq!(r.agent().len(), MAX_CLIPPED_FIELD_BYTES);
        assert!(ctl.starts_with(r.agent()));
        // Cut on a character boundary: 1024 bytes of two-byte characters.
        assert_eq!(r.action(), "é".repeat(512));
        assert_eq!(r.reasons().len(), MAX_CLIPPED_REASONS);
        assert_eq!(r.decision(), Outcome::Deny);
        let back = Receipt::parse(r.to_json()).unwrap();
        assert_eq!(back, r);
        back.verify(&keys).unwrap();
        assert_eq!(r.to_json(), jcs::canonicalize(&r.to_value()).unwrap());
        assert!(
            r.to_json().contains(r#","cap":""#)
                && r.to_json()
                    .contains(r#""clipped":{"action":{"bytes":80002,"sha256":""#),
            "{}",
            &r.to_json()[..200]
        );
        // One byte over the field limit is clipped only when the receipt is too large.
        let mut i = input(Outcome::Allow);
        i.agent = "a".repeat(MAX_CLIPPED_FIELD_BYTES + 1);
        assert!(Receipt::sign(&i, 0, GENESIS, &k)
            .unwrap()
            .clipped()
            .is_none());
    }

    #[test]
    fn clipped_is_checked_on_parse() {
        let k = key();
        let mut i = input(Outcome::Deny);
        i.agent = "a".repeat(MAX_RECEIPT_BYTES);
        let r = Receipt::sign(&i, 0, GENESIS, &k).unwrap();
        let v = r.to_value();
        let mutate = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
            let mut v = v.clone();
            f(v.as_object_mut().unwrap());
            jcs::canonicalize(&v).unwrap()
        };
        let plain = Receipt::sign(&input(Outcome::Deny), 0, GENESIS, &k).unwrap();
        let mut pv = plain.to_value();
        pv.as_object_mut()
            .unwrap()
            .insert("clipped".into(), json!(null));
        let cases = [
            mutate(&|o| drop(o.insert("clipped".into(), json!({})))),
            mutate(&|o| {
                let c = o["clipped"]["agent"].clone();
                o.insert("clipped".into(), json!({ "args": c }));
            }),
            mutate(&|o| drop(o.insert("agent".into(), json!("a".repeat(2000))))),
            mutate(&|o| {
                o["clipped"]["agent"]["bytes"] = json!(3);
            }),
            mutate(&|o| {
                o["clipped"]["agent"]["sha256"] = json!("AAAA");
            }),
            mutate(&|o| {
                o["clipped"]["agent"]["x"] = json!(1);
            }),
            mutate(&|o| {
                let c = o["clipped"]["agent"].clone();
                o["clipped"]["permit"] = c;
            }),
            jcs::canonicalize(&pv).unwrap(),
        ];
        for text in cases {
            let e = Receipt::parse(&text).unwrap_err();
            assert_eq!(e.code(), ErrorCode::Malformed, "{e}");
        }
    }

    #[test]
    fn every_bit_flip_is_rejected() {
        let k = key();
        let keys = KeySet::from_keys([k.public_key()]).unwrap();
        let r = Receipt::sign(&input(Outcome::Deny).with_permit("jti-1"), 3, GENESIS, &k).unwrap();
        let text = r.to_json().as_bytes().to_vec();
        for i in 0..text.len() {
            for bit in 0..8 {
                let mut t = text.clone();
                t[i] ^= 1 << bit;
                let Ok(s) = std::str::from_utf8(&t) else {
                    continue;
                };
                let accepted = Receipt::parse(s).and_then(|r| r.verify(&keys));
                assert!(
                    accepted.is_err(),
                    "flip of bit {bit} of byte {i} accepted: {s}"
                );
            }
        }
    }
}
