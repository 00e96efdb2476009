//! Charter for browsers, edge runtimes and Deno: a thin wasm-bindgen mapping
//! of `charter-core`. Names follow `contract/surface.json` in camelCase (the
//! same as the Node package); errors are `CharterError` subclasses with the
//! stable `.code` of `contract/errors.json`.
//!
//! Nothing here may panic on any input (a panic in wasm is a trap that kills
//! the instance): every argument is checked in `conv`, every core error is
//! mapped in `err`, and the core's own clock (`SystemTime`, absent on
//! wasm32-unknown-unknown) is never reached: `now` is always passed, from
//! `Date.now()` when the caller gives none.

mod audit;
mod cap;
mod conv;
mod err;
mod guard;
mod handle;
mod keys;
mod permit;

pub use audit::{verify_bundle, AuditLog, Receipt};
pub use cap::{Capability, Holder, Issuer, Request, Verifier};
pub use guard::Guard;
pub use keys::{KeySet, PublicKey, RootKey, SigningKey};
pub use permit::{Permit, PermitIssuer, PermitVerifier};

use charter_core::jcs;
use wasm_bindgen::prelude::*;

use err::{IntoJs, JsResult};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** A JSON value. Numbers must be safe integers (|n| ≤ 2^53 − 1) or finite doubles. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
/** A request: a Request, a plain object, or its JSON text (exact). */
export type RequestLike = Request | { agent: string; action: string; args?: JsonObject; resource?: string | null } | string;
export interface Jwk { kty: "OKP"; crv: "Ed25519"; x: string; kid?: string; alg?: "EdDSA"; use?: "sig" }
export type ErrorCode =
  | "malformed" | "not_canonical" | "unsupported_version" | "invalid_argument"
  | "invalid_caveat" | "bad_signature" | "unknown_key"
  | "expired" | "not_yet_valid" | "caveat_failed" | "caveat_error" | "caveat_syntax"
  | "limit_exceeded" | "replayed" | "revoked" | "proof_invalid" | "proof_required"
  | "audience_mismatch"
  | "action_mismatch" | "args_mismatch" | "chain_broken" | "log_corrupt" | "io"
  | "unsupported" | "denied";
export interface Reason { code: ErrorCode; caveatIndex: number | null; message: string }
export interface Decision { allowed: boolean; reasons: Reason[] }
export interface PermitClaims {
  iss: string; sub: string; aud: string; act: string;
  /** hashJson of the call's arguments. */
  args: string;
  cap: string; iat: number; exp: number; jti: string;
  /** The idempotency key, or null. */
  idem: string | null;
}
export interface BundleHead {
  anchor: string; count: number; firstSeq: number; kid: string;
  lastHash: string; lastSeq: number; sig: string; ts: number; v: number;
}
export interface BundleReport { count: number; firstSeq: number; lastSeq: number; head: BundleHead }
export interface IssueOptions {
  agent?: string; actions?: string[]; audience?: string;
  notBefore?: number;
  /** Unix seconds (not milliseconds: Math.floor(Date.now() / 1000) + 3600), after issuedAt,
   * before the year 10000. This or neverExpires: true is required. */
  expiresAt?: number;
  /** Says explicitly that the capability is valid forever (no expiry). */
  neverExpires?: boolean;
  caveats?: string[];
  /** 16 bytes; random by default. */
  tokenId?: Uint8Array;
  /** Unix seconds; the platform clock by default. */
  issuedAt?: number;
}
"#;

/// RFC 8785 canonical form of strict I-JSON text.
#[wasm_bindgen(js_name = canonicalizeJson)]
pub fn canonicalize_json(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> JsResult<String> {
    let t = conv::string(&text, "text").js()?;
    jcs::canonicalize_str(&t).js()
}

/// base64url SHA-256 of the canonical form (the args hash of permits and receipts).
#[wasm_bindgen(js_name = hashJson)]
pub fn hash_json(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> JsResult<String> {
    let t = conv::string(&text, "text").js()?;
    let v = jcs::parse(&t).js()?;
    jcs::hash(&v).js()
}
