// ES module entry: the same objects as charter.js.
import charter from './charter.js'

export const {
  RootKey, SigningKey, PublicKey, KeySet, Issuer, Capability, Request, Holder, Verifier,
  PermitIssuer, Permit, PermitVerifier, Receipt, AuditLog, Guard, Store,
  canonicalizeJson, hashJson, verifyBundle, openStore, openStoreAsync,
  CharterError, FormatError, UsageError, CryptoError, AuthorizationError, AuditError,
  EnvironmentError, Denied, ApprovalRequired, version,
} = charter
export default charter
