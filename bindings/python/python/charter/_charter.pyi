"""Type stubs for charter._charter, the native module (Rust, pyo3)."""

from __future__ import annotations

import datetime
import os
from typing import Any, Iterable, Self, final

# A time: int Unix seconds, or an aware datetime (floored to the second).
_Time = int | datetime.datetime
# JSON: a native value (dict, list, str, int, float, bool, None), or — where a
# function takes JSON text — a str holding the JSON text (kept exact).
_Json = dict[str, Any] | list[Any] | str | int | float | bool | None
_JsonObject = dict[str, Any] | str
_Bytes = bytes | bytearray

# --- errors -------------------------------------------------------------------

class CharterError(Exception):
    """Base of every Charter error: `.code` is a stable code (contract/errors.json), `.message` says what to do."""

    code: str
    message: str

class FormatError(CharterError): ...
class UsageError(CharterError): ...
class CryptoError(CharterError): ...
class AuthorizationError(CharterError): ...
class AuditError(CharterError): ...
class EnvironmentError(CharterError): ...

class Denied(CharterError):
    reasons: list[Reason]

# --- functions ----------------------------------------------------------------

def canonicalize_json(text: _Json) -> str:
    """RFC 8785 canonical form of strict I-JSON text (or of a native value)."""

def hash_json(text: _Json) -> str:
    """base64url SHA-256 of the canonical form (the args hash of permits and receipts)."""

# --- keys -----------------------------------------------------------------------

@final
class RootKey:
    """A secret HMAC key that capabilities are minted from."""

    @staticmethod
    def generate() -> RootKey: ...
    @staticmethod
    def from_bytes(bytes: _Bytes) -> RootKey: ...
    @property
    def kid(self) -> str: ...
    def to_bytes(self) -> bytes: ...

@final
class SigningKey:
    """An Ed25519 private key."""

    @staticmethod
    def generate() -> SigningKey: ...
    @staticmethod
    def from_bytes(bytes: _Bytes) -> SigningKey: ...
    @property
    def kid(self) -> str: ...
    def public_key(self) -> PublicKey: ...
    def to_bytes(self) -> bytes: ...

@final
class PublicKey:
    """An Ed25519 public key; kid is its RFC 7638 thumbprint."""

    @staticmethod
    def from_bytes(bytes: _Bytes) -> PublicKey: ...
    @staticmethod
    def from_jwk(jwk: _JsonObject) -> PublicKey: ...
    @property
    def kid(self) -> str: ...
    def to_bytes(self) -> bytes: ...
    def to_jwk(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class KeySet:
    """Trusted public keys by kid (a JWKS)."""

    @staticmethod
    def from_jwks(jwks: _JsonObject) -> KeySet: ...
    @staticmethod
    def from_keys(keys: Iterable[PublicKey]) -> KeySet: ...
    def kids(self) -> list[str]: ...
    def get(self, kid: str) -> PublicKey: ...
    def to_jwks(self) -> str: ...
    def __len__(self) -> int: ...
    def __contains__(self, kid: object, /) -> bool: ...
    def __eq__(self, other: object, /) -> bool: ...

# --- capabilities -------------------------------------------------------------------

@final
class Issuer:
    """Mints capabilities with one root key."""

    def __new__(cls, root: RootKey) -> Self: ...
    def issue(
        self,
        agent: str | None = None,
        actions: Iterable[str] | None = None,
        audience: str | None = None,
        not_before: _Time | None = None,
        expires_at: _Time | None = None,
        never_expires: bool = False,
        caveats: Iterable[str] | None = None,
        token_id: _Bytes | None = None,
        issued_at: _Time | None = None,
    ) -> Capability: ...

@final
class Capability:
    """What an agent may do: a macaroon with CEL caveats."""

    @staticmethod
    def parse(token: str) -> Capability: ...
    def serialize(self) -> str: ...
    def attenuate(self, caveat: str) -> Capability: ...
    def bind_holder(self, kid: str) -> Capability: ...
    @property
    def id(self) -> str: ...
    @property
    def token_id(self) -> str: ...
    @property
    def root_kid(self) -> str: ...
    @property
    def issued_at(self) -> int: ...
    @property
    def caveats(self) -> list[str]: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class Request:
    """A tool call to decide: agent, action, args (a JSON object, or its text for exactness), resource."""

    def __new__(
        cls, agent: str, action: str, args: _JsonObject, resource: str | None = None
    ) -> Self: ...
    @staticmethod
    def from_json(text: str) -> Request: ...
    @property
    def agent(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def args(self) -> dict[str, Any]: ...
    @property
    def resource(self) -> str | None: ...
    def to_json(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...

_RequestLike = Request | dict[str, Any] | str
_CapabilityLike = Capability | str

@final
class Holder:
    """An agent's key, proving possession of capabilities bound to it."""

    def __new__(cls, signing_key: SigningKey) -> Self: ...
    @property
    def kid(self) -> str: ...
    def prove(
        self,
        capability: _CapabilityLike,
        request: _RequestLike,
        audience: str,
        now: _Time | None = None,
        nonce: _Bytes | None = None,
    ) -> str: ...

# --- decisions ----------------------------------------------------------------------

@final
class Reason:
    """Why a check denied: a stable code, the failing caveat's index (or None), a message."""

    @property
    def code(self) -> str: ...
    @property
    def caveat_index(self) -> int | None: ...
    @property
    def message(self) -> str: ...

@final
class Decision:
    """The outcome of a check: allowed is True exactly when reasons is empty."""

    @property
    def allowed(self) -> bool: ...
    @property
    def reasons(self) -> list[Reason]: ...

@final
class Verifier:
    """Decides calls against capabilities minted with its root keys."""

    def __new__(
        cls,
        roots: Iterable[RootKey],
        audience: str,
        proof_window: int | None = None,
        leeway: int | None = None,
    ) -> Self: ...
    def check(
        self,
        capability: _CapabilityLike,
        request: _RequestLike,
        proof: str | None = None,
        now: _Time | None = None,
    ) -> Decision: ...
    def revoke(self, capability_id: str) -> None:
        """Revokes a capability id (and every narrowing of it) or a token id (every
        capability minted with it); UsageError (invalid_argument) for anything else."""
    @property
    def audience(self) -> str: ...

# --- permits ------------------------------------------------------------------------

@final
class PermitClaims:
    """The claims of a permit (args: the arguments' hash; iat/exp: Unix seconds)."""

    @property
    def iss(self) -> str: ...
    @property
    def sub(self) -> str: ...
    @property
    def aud(self) -> str: ...
    @property
    def act(self) -> str: ...
    @property
    def args(self) -> str: ...
    @property
    def cap(self) -> str: ...
    @property
    def iat(self) -> int: ...
    @property
    def exp(self) -> int: ...
    @property
    def jti(self) -> str: ...
    @property
    def idem(self) -> str | None: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class Permit:
    """A permit token and its claims. parse() verifies nothing."""

    @staticmethod
    def parse(token: str) -> Permit: ...
    @property
    def token(self) -> str: ...
    @property
    def claims(self) -> PermitClaims: ...
    @property
    def kid(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class PermitIssuer:
    """Signs permits: one allowed call, short-lived, single-use."""

    def __new__(cls, signing_key: SigningKey, issuer: str, ttl: int | None = None) -> Self: ...
    def issue(
        self,
        subject: str,
        audience: str,
        action: str,
        args: _JsonObject,
        capability_id: str,
        now: _Time | None = None,
        jti: str | None = None,
        idempotency_key: str | None = None,
    ) -> Permit: ...
    @property
    def kid(self) -> str: ...

_Keys = KeySet | dict[str, Any] | str

@final
class PermitVerifier:
    """Verifies permits offline with a public key set, each once."""

    def __new__(cls, keys: _Keys, audience: str, leeway: int | None = None) -> Self: ...
    def verify(
        self, token: str, action: str, args: _JsonObject, now: _Time | None = None
    ) -> PermitClaims: ...

# --- receipts and audit ---------------------------------------------------------------

@final
class Receipt:
    """One signed, hash-chained decision record."""

    @staticmethod
    def parse(json: str) -> Receipt: ...
    def to_json(self) -> str: ...
    def hash(self) -> str: ...
    def verify(self, keys: _Keys) -> None: ...
    @property
    def seq(self) -> int: ...
    @property
    def prev(self) -> str: ...
    @property
    def ts(self) -> int: ...
    @property
    def agent(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def args(self) -> str: ...
    @property
    def cap(self) -> str | None: ...
    @property
    def permit(self) -> str | None: ...
    @property
    def decision(self) -> str: ...
    @property
    def reasons(self) -> list[Reason]: ...
    @property
    def kid(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class AuditLog:
    """An append-only log of receipts, in memory or in a JSON Lines file."""

    @staticmethod
    def in_memory(signing_key: SigningKey) -> AuditLog: ...
    @staticmethod
    def open(
        path: str | os.PathLike[str], signing_key: SigningKey, expect_head: str | None = None
    ) -> AuditLog: ...
    def len(self) -> int: ...
    def head(self) -> Receipt | None: ...
    def receipts(self, start: int, end: int) -> list[Receipt]: ...
    def keys(self) -> KeySet: ...
    def export_bundle(self, start: int | None = None, end: int | None = None) -> str: ...

@final
class BundleReport:
    """What a verified bundle covers."""

    @property
    def count(self) -> int: ...
    @property
    def first_seq(self) -> int: ...
    @property
    def last_seq(self) -> int: ...
    @property
    def head(self) -> BundleHead: ...

@final
class BundleHead:
    """The signed summary of a bundle."""

    @property
    def anchor(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def first_seq(self) -> int: ...
    @property
    def kid(self) -> str: ...
    @property
    def last_hash(self) -> str: ...
    @property
    def last_seq(self) -> int: ...
    @property
    def sig(self) -> str: ...
    @property
    def ts(self) -> int: ...
    @property
    def v(self) -> int: ...

def verify_bundle(bundle: str, trusted: _Keys, anchor: str | None = None) -> BundleReport:
    """Verifies an exported audit bundle (JSON text) against trusted keys, offline.

    `anchor`: the hash of the receipt just before the bundle's first, for a
    bundle that does not start at the genesis.
    """

# --- guard --------------------------------------------------------------------------------

@final
class Guard:
    """check -> permit -> receipt, fail closed: protect() returns a Permit or raises Denied, and records a receipt either way."""

    def __new__(cls, verifier: Verifier, permit_issuer: PermitIssuer, audit_log: AuditLog) -> Self: ...
    def check(
        self,
        capability: _CapabilityLike,
        request: _RequestLike,
        proof: str | None = None,
        now: _Time | None = None,
    ) -> Decision: ...
    def protect(
        self,
        capability: _CapabilityLike,
        request: _RequestLike,
        proof: str | None = None,
        idempotency_key: str | None = None,
        now: _Time | None = None,
        permit_id: str | None = None,
    ) -> Permit: ...
