// Charter's error classes. One base, `CharterError` (with the stable `.code`
// of contract/errors.json), and one subclass per family; `Denied` carries the
// decision's `.reasons`. The wasm module builds every error it throws through
// `makeError`, so `err instanceof UsageError` and `err.code` always hold.
// (Written as ES module; the build derives the CommonJS copy for Node.)

export class CharterError extends Error {
  /** @param {string} message @param {string} code */
  constructor(message, code) {
    super(message);
    /** The stable error code (contract/errors.json). */
    this.code = code;
  }
}
CharterError.prototype.name = "CharterError";

export class FormatError extends CharterError {}
FormatError.prototype.name = "FormatError";
export class UsageError extends CharterError {}
UsageError.prototype.name = "UsageError";
export class CryptoError extends CharterError {}
CryptoError.prototype.name = "CryptoError";
export class AuthorizationError extends CharterError {}
AuthorizationError.prototype.name = "AuthorizationError";
export class AuditError extends CharterError {}
AuditError.prototype.name = "AuditError";
export class EnvironmentError extends CharterError {}
EnvironmentError.prototype.name = "EnvironmentError";

/** `protect()` refused the call; `reasons` says why. */
export class Denied extends CharterError {
  /** @param {string} message @param {Array<{code: string, caveatIndex: number|null, message: string}>} reasons */
  constructor(message, reasons, code = "denied") {
    super(message, code);
    this.reasons = reasons;
  }
}
Denied.prototype.name = "Denied";

/** `protect()` refused the call only for want of human approvals; each reason's `approval` says what is needed. */
export class ApprovalRequired extends Denied {
  /** @param {string} message @param {Array<object>} reasons */
  constructor(message, reasons, code = "approval_required") {
    super(message, reasons, code);
  }
}
ApprovalRequired.prototype.name = "ApprovalRequired";

const FAMILIES = {
  FormatError,
  UsageError,
  CryptoError,
  AuthorizationError,
  AuditError,
  EnvironmentError,
  Denied,
};

/** A record from the module's JSON (snake_case keys become camelCase). Used by the wasm module only. */
export function record(json) {
  const camel = (v) => {
    if (Array.isArray(v)) return v.map(camel);
    if (v === null || typeof v !== "object") return v;
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k.replace(/_([a-z])/g, (_, c) => c.toUpperCase())] = camel(x);
    return out;
  };
  return camel(JSON.parse(json));
}

/** A fresh allowing Decision. Used by the wasm module only. */
export function allow() {
  return { allowed: true, reasons: [] };
}

/** The registry id of one of the module's objects, or 0 (a forged own property does not count). Used by the wasm module only. */
export function charterId(v) {
  try {
    if (Object.getOwnPropertyDescriptor(v, "__charterId") !== undefined) return 0;
    const id = v.__charterId;
    return typeof id === "number" ? id : 0;
  } catch {
    return 0;
  }
}

/** An error of the family's class. Used by the wasm module only. */
export function makeError(code, family, message, reasons) {
  if (code === "approval_required") return new ApprovalRequired(message, record(reasons), code);
  if (family === "Denied") return new Denied(message, record(reasons), code);
  const C = Object.prototype.hasOwnProperty.call(FAMILIES, family) ? FAMILIES[family] : CharterError;
  return new C(message, code);
}
