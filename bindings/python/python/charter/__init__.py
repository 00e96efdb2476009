"""Charter: offline, in-process authorization for AI agents.

- a :class:`Capability` (a macaroon whose caveats are CEL expressions) says what
  an agent may do; any holder can narrow it, nobody can widen it;
- a :class:`Verifier` decides one call: a :class:`Decision` with reasons;
- :class:`Guard` checks, signs a single-use permit and records a receipt, and
  raises :class:`Denied` when the call must not proceed.

Every error is a :class:`CharterError` with a stable ``.code``.
"""

from charter._charter import (
    ApprovalNeed,
    ApprovalRequired,
    AuditError,
    AuditLog,
    AuthorizationError,
    BundleHead,
    BundleReport,
    Capability,
    CharterError,
    CryptoError,
    Decision,
    Denied,
    EnvironmentError,
    FormatError,
    Guard,
    Holder,
    Issuer,
    KeySet,
    Permit,
    PermitClaims,
    PermitIssuer,
    PermitVerifier,
    PublicKey,
    Reason,
    Receipt,
    Request,
    RootKey,
    SigningKey,
    Store,
    UsageError,
    Verifier,
    __version__,
    canonicalize_json,
    hash_json,
    open_store,
    verify_bundle,
)
from charter.aio import AsyncGuard, AsyncVerifier
from charter.decorators import guard

__all__ = [
    "__version__",
    "ApprovalNeed",
    "ApprovalRequired",
    "AsyncGuard",
    "AsyncVerifier",
    "AuditError",
    "AuditLog",
    "AuthorizationError",
    "BundleHead",
    "BundleReport",
    "Capability",
    "CharterError",
    "CryptoError",
    "Decision",
    "Denied",
    "EnvironmentError",
    "FormatError",
    "Guard",
    "Holder",
    "Issuer",
    "KeySet",
    "Permit",
    "PermitClaims",
    "PermitIssuer",
    "PermitVerifier",
    "PublicKey",
    "Reason",
    "Receipt",
    "Request",
    "RootKey",
    "SigningKey",
    "Store",
    "UsageError",
    "Verifier",
    "canonicalize_json",
    "guard",
    "hash_json",
    "open_store",
    "verify_bundle",
]
