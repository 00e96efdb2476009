// Appended by build.mjs to wasm-bindgen's charter_wasm.d.ts: the types its
// declarations name (records, unions, options).
import type { ErrorCode } from "./errors.js";
/** A JSON value. Numbers must be safe integers (|n| <= 2^53 - 1) or finite doubles. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object as a plain JS object. */
export type JsonObject = { [key: string]: Json };
/** A request: a Request, a plain object `{agent, action, args?, resource?}`, or its JSON text. */
export type RequestLike = Request | { agent: string; action: string; args?: JsonObject; resource?: string | null; approvals?: string[] } | string;
/** A public JWK (RFC 8037 OKP, Ed25519). */
export interface Jwk { kty: "OKP"; crv: "Ed25519"; x: string; kid?: string; alg?: "EdDSA"; use?: "sig" }
/** A JWKS: `{keys: [...]}`. */
export interface Jwks { keys: Jwk[] }
/** One reason a check denied: its stable code, the caveat's index (or null), and a message. */
export interface Reason { code: ErrorCode; caveatIndex: number | null; message: string; /** For `approval_required`: which keys, how many, and the exact call to approve; null for every other code. */ approval: ApprovalNeed | null }
/** What an approval_required reason needs: M of these approver keys, for this exact call. */
export interface ApprovalNeed { required: number; approvers: string[]; valid: number; capability: string; action: string; argsHash: string; audience: string }
/** The answer of a check: allowed, or the reasons it was not. */
export interface Decision { allowed: boolean; reasons: Reason[] }
/** The claims of a permit. */
export interface PermitClaims {
  /** The permit's signer. */ iss: string;
  /** The agent. */ sub: string;
  /** The tool the permit is for. */ aud: string;
  /** The action. */ act: string;
  /** hashJson of the call's arguments. */ args: string;
  /** The capability id. */ cap: string;
  /** Issued at, Unix seconds. */ iat: number;
  /** Expires at, Unix seconds. */ exp: number;
  /** The single-use id. */ jti: string;
  /** The idempotency key, or null. */ idem: string | null;
}
/** The signed head of a bundle. */
export interface BundleHead {
  /** Hash of the receipt before the first (the genesis hash from the start). */ anchor: string;
  /** Number of receipts. */ count: number;
  /** seq of the first receipt. */ firstSeq: number;
  /** The signing key's id. */ kid: string;
  /** Hash of the last receipt. */ lastHash: string;
  /** seq of the last receipt. */ lastSeq: number;
  /** The head's signature. */ sig: string;
  /** When it was exported, Unix seconds. */ ts: number;
  /** Format version. */ v: number;
}
/** What a verified bundle covers. */
export interface BundleReport {
  /** Number of receipts. */ count: number;
  /** seq of the first receipt. */ firstSeq: number;
  /** seq of the last receipt. */ lastSeq: number;
  /** The signed head. */ head: BundleHead;
}
/** The options of `Issuer.issue` (surface.json's parameters, in one object). */
export interface IssueOptions {
  /** Only this agent. */ agent?: string;
  /** Only these actions. */ actions?: string[];
  /** Only this audience. */ audience?: string;
  /** Not before, Unix seconds. */ notBefore?: number;
  /** Unix seconds (not milliseconds: Math.floor(Date.now() / 1000) + 3600). This or neverExpires: true is required. */
  expiresAt?: number;
  /** Says explicitly that the capability is valid forever. */ neverExpires?: boolean;
  /** More CEL caveats, added after the others. */ caveats?: string[];
  /** 16 bytes; random by default. */ tokenId?: Uint8Array;
  /** Unix seconds; the platform clock by default. */ issuedAt?: number;
}
