// Types of the `charter` package: the native classes declared in the
// generated index.d.ts, and the error classes charter.js adds.
export {
  RootKey, SigningKey, PublicKey, KeySet, Issuer, Capability, Request, Holder, Verifier,
  PermitIssuer, Permit, PermitVerifier, Receipt, AuditLog, Guard,
  canonicalizeJson, hashJson, verifyBundle,
} from './index'
export type {
  Decision, Reason, IssueOptions, Jwk, Jwks, RequestJson, PermitClaims, BundleReport, BundleHead,
} from './index'

/** The package version (the workspace version, e.g. `0.1.0`). */
export declare const version: string

import type { Reason } from './index'

/** Every stable error code (contract/errors.json; test/surface.test.js keeps them equal). */
export type ErrorCode =
  | 'malformed' | 'not_canonical' | 'unsupported_version' | 'invalid_argument'
  | 'invalid_caveat' | 'bad_signature' | 'unknown_key'
  | 'expired' | 'not_yet_valid' | 'caveat_failed' | 'caveat_error' | 'caveat_syntax'
  | 'limit_exceeded' | 'replayed' | 'revoked' | 'proof_invalid' | 'proof_required'
  | 'audience_mismatch'
  | 'action_mismatch' | 'args_mismatch' | 'chain_broken' | 'log_corrupt' | 'io' | 'unsupported'
  | 'denied' | 'internal'

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
  /** Always `'denied'`. */
  readonly code: 'denied'
  /** Why the call was refused, as data: one reason per failed check. */
  readonly reasons: Reason[]
}
