import type { Reason } from "./charter_wasm.js";

/** Every error Charter throws: `.code` is the stable code (contract/errors.json). */
export class CharterError extends Error {
  /** An error with its message and stable code. */
  constructor(message: string, code: ErrorCode);
  /** The stable error code (contract/errors.json). */
  readonly code: ErrorCode;
}
/** malformed, not_canonical, unsupported_version */
export class FormatError extends CharterError {}
/** invalid_argument, invalid_caveat (a caveat outside the language when minting or narrowing), limit_exceeded */
export class UsageError extends CharterError {}
/** bad_signature, unknown_key */
export class CryptoError extends CharterError {}
/** expired, not_yet_valid, caveat_*, replayed, revoked, proof_invalid, proof_required, *_mismatch */
export class AuthorizationError extends CharterError {}
/** chain_broken, log_corrupt */
export class AuditError extends CharterError {}
/** io, unsupported */
export class EnvironmentError extends CharterError {}
/** `Guard.protect` refused the call; `reasons` says why. */
export class Denied extends CharterError {
  /** A denial with its message and the decision's reasons. */
  constructor(message: string, reasons: Reason[], code?: ErrorCode);
  /** Every reason the call was denied. */
  readonly reasons: Reason[];
}
/** `Guard.protect` refused the call only for want of human approvals; each reason's `approval` says which keys, how many, and the exact call to approve. */
export class ApprovalRequired extends Denied {
  /** A refusal for want of approvals, with the decision's reasons. */
  constructor(message: string, reasons: Reason[], code?: ErrorCode);
}
