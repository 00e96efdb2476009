// Types of the `charter` package: the native classes declared in the
// generated index.d.ts, and the error classes charter.js adds.
export {
  RootKey, SigningKey, PublicKey, KeySet, Issuer, Capability, Request, Holder, Verifier,
  PermitIssuer, Permit, PermitVerifier, Receipt, AuditLog, Guard, Store,
  canonicalizeJson, hashJson, verifyBundle, openStore, openStoreAsync,
} from './index'
export type { Decision, Reason, PermitClaims } from './index'

// Shapes of arguments (index.d.ts refers to them as import('./charter').Name).

/**
 * What `Issuer.issue()` accepts. Caveats are added in this order: agent,
 * actions, audience, notBefore, expiresAt, caveats. Exactly one of
 * `expiresAt` and `neverExpires: true` is required.
 */
export interface IssueOptions {
  /** Only this agent: `agent == "…"`. */
  agent?: string
  /** Only these actions: `action in […]`. */
  actions?: Array<string>
  /** Only at this verifier: `audience == "…"`. */
  audience?: string
  /** Valid from this Unix time on. */
  notBefore?: number
  /**
   * Valid strictly before this Unix time, in seconds (not milliseconds:
   * `Math.floor(Date.now() / 1000) + 3600`); after `issuedAt`, before the
   * year 10000.
   */
  expiresAt?: number
  /**
   * Says explicitly that the capability is valid forever; without it, a
   * missing `expiresAt` is refused.
   */
  neverExpires?: boolean
  /** Further caveat expressions. */
  caveats?: Array<string>
  /** Fixed 16-byte token id (tests); random by default. */
  tokenId?: Uint8Array
  /** Fixed issue time (tests); the system clock by default. */
  issuedAt?: number
}

/** A public JWK (RFC 8037 OKP, Ed25519). */
export interface Jwk {
  /** `"OKP"`. */
  kty: string
  /** `"Ed25519"`. */
  crv: string
  /** The public key, base64url. */
  x: string
  /** RFC 7638 thumbprint. */
  kid?: string
  /** `"EdDSA"`. */
  alg?: string
  /** `"sig"`. */
  use?: string
}

/** A JSON Web Key Set. */
export interface Jwks {
  /** The keys. */
  keys: Array<Jwk>
}

/** The signed summary of a bundle. */
export interface BundleHead {
  /** `prev` of the first receipt (the genesis value for a bundle from seq 0). */
  anchor: string
  /** Number of receipts. */
  count: number
  /** `seq` of the first receipt. */
  firstSeq: number
  /** Id of the signing key. */
  kid: string
  /** Hash of the last receipt. */
  lastHash: string
  /** `seq` of the last receipt. */
  lastSeq: number
  /** The head's signature. */
  sig: string
  /** `ts` of the last receipt. */
  ts: number
  /** Format version. */
  v: number
}

/** What a verified bundle covers. */
export interface BundleReport {
  /** Number of receipts. */
  count: number
  /** `seq` of the first receipt. */
  firstSeq: number
  /** `seq` of the last receipt. */
  lastSeq: number
  /** The signed head. */
  head: BundleHead
}

/** A request in its JSON form (what `Request.toJson()` gives). */
export interface RequestJson {
  /** Who asks. */
  agent: string
  /** The tool (action) called. */
  action: string
  /** The arguments (default `{}`). */
  args?: Record<string, unknown>
  /** The resource, or null. */
  resource?: string | null
  /** Human approvals of this call (`SigningKey.approve`), for capabilities with approval caveats. */
  approvals?: string[]
}


/** The package version (the workspace version, e.g. `0.1.0`). */
export declare const version: string

import type { Reason } from './index'

/** Every stable error code, generated from the core's `ErrorCode` (test/surface.test.js keeps it equal to contract/errors.json). */
export type { ErrorCode } from './index'
import type { ErrorCode } from './index'

/** Base of every error Charter throws. `code` is stable; `message` is for people. */
export declare class CharterError extends Error {
  /** An error with a stable code (Charter throws these; tests may build them). */
  constructor(message: string, code: ErrorCode)
  /** The stable code of contract/errors.json. */
  readonly code: ErrorCode
}
/** malformed, not_canonical, unsupported_version */
export declare class FormatError extends CharterError {}
/** invalid_argument, invalid_caveat (a caveat outside the language when minting or narrowing), limit_exceeded */
export declare class UsageError extends CharterError {}
/** bad_signature, unknown_key */
export declare class CryptoError extends CharterError {}
/** expired, not_yet_valid, caveat_*, replayed, revoked, proof_invalid, proof_required, *_mismatch */
export declare class AuthorizationError extends CharterError {}
/** chain_broken, log_corrupt */
export declare class AuditError extends CharterError {}
/** io, unsupported, internal (a caught panic: a bug in Charter) */
export declare class EnvironmentError extends CharterError {}
/** `Guard.protect` refused the call; `reasons` say why. */
export declare class Denied extends CharterError {
  /** A refusal with its reasons (Charter throws these; tests may build them). */
  constructor(message: string, reasons: Reason[])
  /** `'denied'`; `'approval_required'` for an `ApprovalRequired`. */
  readonly code: 'denied' | 'approval_required'
  /** Why the call was refused, as data: one reason per failed check. */
  readonly reasons: Reason[]
}
/** `Guard.protect` refused the call only for want of human approvals; each reason's `approval` says which keys, how many, and the exact call to approve. */
export declare class ApprovalRequired extends Denied {
  /** A refusal for want of approvals (Charter throws these; tests may build them). */
  constructor(message: string, reasons: Reason[])
  /** Always `'approval_required'`. */
  readonly code: 'approval_required'
}
