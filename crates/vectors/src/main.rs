//! Writes `contract/vectors/*.json` and `contract/errors.json` from the core.
//!
//! Inputs are fixed (keys derived from labels, fixed times and token ids), so
//! the output is byte-for-byte reproducible; CI regenerates and diffs it.
//! Where a vector states what a case should mean (a caveat's CEL result), the
//! generator stops if the core disagrees, so a vector never records a bug.
//!
//! Usage: `cargo run -p charter-vectors -- [CONTRACT_DIR]` (default `contract`).

// A generator over fixed inputs: any failure is a bug in the generator or in
// the core, and a panic naming its line is how it refuses to write a vector.
// Nothing here runs inside a library or a binding.
#![allow(
    clippy::unwrap_used,
    reason = "a vector generator over fixed inputs stops at the first surprise"
)]

mod audit;
mod cases;
mod permits;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "contract".into()));
    std::fs::create_dir_all(dir.join("vectors")).expect("create contract/vectors");
    let files: Vec<(&str, &str, Vec<Value>)> = vec![
        (
            "jcs",
            "RFC 8785 canonical JSON of strict I-JSON input",
            cases::jcs(),
        ),
        (
            "keys",
            "Ed25519 signing keys, root keys and JWKS",
            cases::keys(),
        ),
        (
            "capabilities",
            "Minting, narrowing and parsing capabilities",
            cases::capabilities(),
        ),
        (
            "caveats",
            "The caveat language, each case one caveat checked against one request",
            cases::caveats(),
        ),
        (
            "checks",
            "Verifier decisions: chains, roots, revocation, time, holder proofs",
            cases::checks(),
        ),
        (
            "proofs",
            "Holder proofs signed with fixed nonces",
            cases::proofs(),
        ),
        (
            "permits",
            "Permits issued, and every way verification refuses one",
            permits::permits(),
        ),
        (
            "receipts",
            "Receipts verified, and every way a tampered receipt is refused",
            audit::receipts(),
        ),
        (
            "bundles",
            "Audit bundles verified offline, and every tampering refused",
            audit::bundles(),
        ),
        (
            "guard",
            "Guard.protect and Guard.check: decision, permit and the receipt recorded",
            audit::guards(),
        ),
        (
            "audit-files",
            "Reopening audit log files: intact, torn, reordered, altered",
            audit::audit_files(),
        ),
    ];
    let mut total = 0;
    for (name, description, vectors) in files {
        total += vectors.len();
        let doc =
            json!({"kind": name, "version": 1, "description": description, "vectors": vectors});
        write(&dir.join("vectors").join(format!("{name}.json")), &doc);
    }
    // Vectors that carry state from call to call, against one in-memory store:
    // in a directory of their own, so a runner that has no stores yet (it
    // reads contract/vectors/*.json) is not asked to run them.
    std::fs::create_dir_all(dir.join("vectors").join("stateful"))
        .expect("create contract/vectors/stateful");
    let sequences = audit::guard_sequences();
    total += sequences.len();
    write(
        &dir.join("vectors")
            .join("stateful")
            .join("guard-sequences.json"),
        &json!({"kind": "guard-sequences", "version": 1, "description": "Guard.protect calls in sequence against one in-memory store (budgets and idempotency keys): what each call returns", "vectors": sequences}),
    );
    write(&dir.join("errors.json"), &errors());
    eprintln!("wrote {total} vectors to {}", dir.join("vectors").display());
}

fn write(path: &Path, doc: &Value) {
    let mut text = serde_json::to_string_pretty(doc).expect("vectors serialize");
    text.push('\n');
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn errors() -> Value {
    use charter_core::ErrorCode as C;
    let describe = |c: C| {
        match c {
        C::Malformed => "Input could not be decoded: bad base64, bad varint, unknown or duplicate field, trailing bytes, non-canonical encoding.",
        C::NotCanonical => "Well-formed but not in the one canonical encoding the format requires (for example a pretty-printed bundle); nothing was verified. Re-canonicalize it (the message names how) and verify again.",
        C::UnsupportedVersion => "A format version this build does not read.",
        C::InvalidArgument => "A value of the right type but an unusable shape, such as a 16-byte root key or an empty action.",
        C::InvalidCaveat => "A caveat given while minting or narrowing is not in the caveat language (a developer's mistake, refused before anything is signed). Found at check time, the same caveat is the denial reason caveat_syntax.",
        C::BadSignature => "A MAC or signature does not verify: the object was altered or made with another key.",
        C::UnknownKey => "No trusted key has the id the object names.",
        C::Expired => "Past its expiry, beyond the clock leeway.",
        C::NotYetValid => "Not valid yet, beyond the clock leeway.",
        C::CaveatFailed => "A caveat evaluated to false.",
        C::CaveatError => "A caveat could not be evaluated (missing field, type error); it denies.",
        C::CaveatSyntax => "A caveat is not in Charter's CEL subset.",
        C::LimitExceeded => "A counted bound was hit: size, nesting depth, evaluation steps, caveat count, store capacity.",
        C::Replayed => "A single-use value (permit jti, proof nonce) was presented again.",
        C::Revoked => "The capability, or one it was narrowed from, is revoked.",
        C::ProofInvalid => "The holder proof is malformed, stale, or made for another capability, request or audience.",
        C::ProofRequired => "The capability is bound to a holder key and no holder proof was presented; sign one with that key for this request.",
        C::AudienceMismatch => "Made for another audience.",
        C::ActionMismatch => "Made for another action.",
        C::ArgsMismatch => "Made for other arguments.",
        C::ChainBroken => "An audit chain link, sequence number or head does not match.",
        C::LogCorrupt => "An audit log file ends in a partial record (a torn write); repair it knowingly.",
        C::Io => "Reading or writing durable storage failed.",
        C::Unsupported => "Not available on this platform (for example files in WebAssembly).",
        C::Denied => "protect() refused the call; the error carries the decision's reasons.",
        C::Internal => "A bug in Charter (a Rust panic) caught at a binding's boundary; nothing was decided. No input is meant to produce it, so no vector does: report it with the input that caused it.",
        C::StoreUnavailable => "A shared store (a database) could not be reached or did not answer in time; the check denied and nothing was recorded as allowed. Retry later.",
        C::IdempotencyConflict => "An idempotency key was used before for a different call (use a new key for a new call), or the same call under it is still being decided (retry with the same key).",
        C::BudgetExhausted => "A budget caveat's counter has no room left in its current window for this call; nothing was spent. Wait for the next window.",
        C::ApprovalRequired => "The call needs human approvals (an approval caveat) and too few valid ones came with it; the reason names the approver keys, how many are needed and the exact call (capability id, action, args hash, audience) they must sign. protect() raises it, a kind of Denied, when approvals are all that is missing.",
    }
    };
    let codes: Vec<Value> = C::ALL
        .iter()
        .map(|&c| json!({"code": c.as_str(), "family": c.family().class_name(), "description": describe(c)}))
        .collect();
    json!({
        "version": 1,
        "description": "Stable error codes. Every binding raises or returns exactly these, as `.code`, grouped into the named families.",
        "codes": codes,
    })
}
