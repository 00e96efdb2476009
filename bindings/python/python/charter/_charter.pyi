"""Type stubs for charter._charter, the native module (Rust, pyo3).

Every class, method and property carries its docstring here, so that IDEs
show it on hover. The accepted inputs of every union follow
contract/surface.json: a capability is a Capability or its text; a request a
Request, a dict or JSON text; trusted keys a KeySet, a JWKS dict or JWKS
text; args and JWKs a dict or JSON text.
"""

from __future__ import annotations

import datetime
import os
from typing import Any, Iterable, Self, final

__version__: str
"""The package version: the workspace version of the Rust crates (e.g. 0.1.0)."""

# A time: int Unix seconds, or an aware datetime (floored to the second).
_Time = int | datetime.datetime
# JSON given as a native value (a dict) or as its JSON text (kept exact).
_JsonObject = dict[str, Any] | str
_Bytes = bytes | bytearray

# --- errors -------------------------------------------------------------------

class CharterError(Exception):
    """Base of every Charter error: `.code` is a stable code (contract/errors.json), `.message` says what to do."""

    code: str
    """The stable error code, e.g. "malformed" or "expired" (contract/errors.json)."""
    message: str
    """What went wrong and what to do about it (also str(error))."""

class FormatError(CharterError):
    """Input that could not be decoded, is not canonical, or is in an unknown version (malformed, not_canonical, unsupported_version)."""

class UsageError(CharterError):
    """A value of an unusable type or shape, a caveat outside the language, a counted limit hit, or an idempotency key reused for another call (invalid_argument, invalid_caveat, limit_exceeded, idempotency_conflict)."""

class CryptoError(CharterError):
    """A MAC or signature that does not verify, or no trusted key with its id (bad_signature, unknown_key)."""

class AuthorizationError(CharterError):
    """Not authorized: expired, not yet valid, a caveat false or in error, replayed, revoked, a holder proof missing or invalid, made for another audience, action or arguments, or a budget exhausted (budget_exhausted)."""

class AuditError(CharterError):
    """An audit chain that does not hold together, or a log ending in a torn record (chain_broken, log_corrupt)."""

class EnvironmentError(CharterError):
    """Durable storage failed, a shared store is unreachable, the platform lacks the operation, or a bug in Charter (io, unsupported, internal, store_unavailable)."""

class Denied(CharterError):
    """Guard.protect refused the call; `.reasons` says why (code "denied")."""

    reasons: list[Reason]
    """Every reason for the denial, as a Decision would list them."""

class ApprovalRequired(Denied):
    """Guard.protect refused the call only for want of human approvals (code "approval_required"); each reason's `.approval` says which keys, how many, and the exact call to approve."""

def _error_for(code: str, message: str) -> CharterError:
    """The exception Charter raises for `code` (a test hook for the exception table)."""

# --- functions ----------------------------------------------------------------

def canonicalize_json(text: str) -> str:
    """RFC 8785 canonical form of strict I-JSON text.

    Raises FormatError (malformed) on duplicate keys, integers beyond
    ±(2^53−1), lone surrogates or trailing text; UsageError (limit_exceeded)
    beyond 64 levels of nesting.
    """

def hash_json(text: str) -> str:
    """base64url SHA-256 of the canonical form of JSON text: the args hash of permits and receipts."""

# --- keys -----------------------------------------------------------------------

@final
class RootKey:
    """A secret HMAC key that capabilities are minted from (32 to 1024 bytes)."""

    @staticmethod
    def generate() -> RootKey:
        """A new random 32-byte root key."""
    @staticmethod
    def from_bytes(bytes: _Bytes) -> RootKey:
        """From secret bytes (32 to 1024); UsageError (invalid_argument) otherwise."""
    @property
    def kid(self) -> str:
        """The public key id, carried in every capability this key mints."""
    def to_bytes(self) -> bytes:
        """The secret bytes. Handle with care."""

@final
class SigningKey:
    """An Ed25519 private key (a 32-byte seed)."""

    @staticmethod
    def generate() -> SigningKey:
        """A new random key."""
    @staticmethod
    def from_bytes(bytes: _Bytes) -> SigningKey:
        """From the 32-byte seed."""
    @property
    def kid(self) -> str:
        """The RFC 7638 thumbprint of the public key."""
    def public_key(self) -> PublicKey:
        """The public half."""
    def to_bytes(self) -> bytes:
        """The 32-byte seed: the secret. Handle with care."""
    def approve(
        self,
        capability: _CapabilityLike,
        action: str,
        args: _JsonObject,
        audience: str,
        expires_in: int,
        now: _Time | None = None,
    ) -> str:
        """Signs an approval of one exact call (capability id, action, args hash, audience).

        Valid from `now` (the system clock by default) for `expires_in`
        seconds (1 to 86400); send it in the request's "approvals".
        Raises UsageError (invalid_argument) for a bad lifetime or action.
        """

@final
class PublicKey:
    """An Ed25519 public key; kid is its RFC 7638 thumbprint."""

    @staticmethod
    def from_bytes(bytes: _Bytes) -> PublicKey:
        """From the 32-byte compressed point (invalid and small-order points are refused)."""
    @staticmethod
    def from_jwk(jwk: _JsonObject) -> PublicKey:
        """From a public JWK, as a dict or its JSON text: OKP, Ed25519, no private members."""
    @property
    def kid(self) -> str:
        """The RFC 7638 JWK thumbprint (SHA-256, base64url)."""
    def to_bytes(self) -> bytes:
        """The 32-byte compressed point."""
    def to_jwk(self) -> dict[str, Any]:
        """The public JWK as a dict (kty, crv, x, kid, alg, use); `json.dumps` it to publish."""
    def __eq__(self, other: object, /) -> bool:
        """Equal when the points are equal."""
    def __hash__(self) -> int:
        """Hash of the kid."""

@final
class KeySet:
    """Trusted public keys by kid (a JWKS); several at once allow rotation."""

    @staticmethod
    def from_jwks(jwks: _JsonObject) -> KeySet:
        """From a JWKS {"keys": [...]}, as a dict or its JSON text."""
    @staticmethod
    def from_keys(keys: Iterable[PublicKey]) -> KeySet:
        """From a list of PublicKey."""
    def kids(self) -> list[str]:
        """The key ids, sorted."""
    def get(self, kid: str) -> PublicKey:
        """The key with this id; CryptoError (unknown_key) when absent."""
    def to_jwks(self) -> str:
        """The canonical JWKS text (RFC 8785), keys ordered by kid."""
    def __len__(self) -> int:
        """Number of keys."""
    def __contains__(self, kid: object, /) -> bool:
        """True when a key has this kid."""
    def __eq__(self, other: object, /) -> bool:
        """Equal when they hold the same keys."""

# --- capabilities -------------------------------------------------------------------

@final
class Issuer:
    """Mints capabilities with one root key."""

    def __new__(cls, root: RootKey) -> Self:
        """An issuer minting with `root`."""
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
    ) -> Capability:
        """Mints a capability.

        Caveats are added in this order: agent (`agent == …`), actions
        (`action in […]`), audience, not_before, expires_at, then each of
        `caveats`. Exactly one of `expires_at` (after `issued_at`, before the
        year 10000) and `never_expires=True` is required. `token_id` (16
        bytes) and `issued_at` are for tests and vectors: random and the
        system clock otherwise.
        """

@final
class Capability:
    """What an agent may do: a macaroon with CEL caveats. Anyone holding it can narrow it; nobody can widen it."""

    @staticmethod
    def parse(token: str) -> Capability:
        """Parses the base64url text form strictly (verifies nothing: a Verifier does)."""
    def serialize(self) -> str:
        """The base64url text form (macaroon V2 binary)."""
    def attenuate(self, caveat: str) -> Capability:
        """A narrowed copy with one more caveat; UsageError (invalid_caveat) if it is not in the caveat language."""
    def bind_holder(self, kid: str) -> Capability:
        """A copy bound to a holder key: only requests with a fresh proof signed by that key pass."""
    @property
    def id(self) -> str:
        """Stable public id: receipts, permits and revocation lists name the capability by it."""
    @property
    def token_id(self) -> str:
        """The random token id shared by this capability and every narrowing of it."""
    @property
    def root_kid(self) -> str:
        """Id of the root key it was minted with."""
    @property
    def issued_at(self) -> int:
        """Issue time, int Unix seconds."""
    @property
    def caveats(self) -> list[str]:
        """The caveat expressions, oldest first."""
    def __eq__(self, other: object, /) -> bool:
        """Equal when the encodings are equal."""

@final
class Request:
    """A tool call to decide: agent, action, args (a JSON object, or its text for exactness), resource."""

    def __new__(
        cls, agent: str, action: str, args: _JsonObject, resource: str | None = None
    ) -> Self:
        """A request; `args` is a dict or its JSON text (parsed strictly, numbers kept exact)."""
    @staticmethod
    def from_json(text: str) -> Request:
        """Parses {"agent", "action", "args", "resource"?} JSON text strictly."""
    @property
    def agent(self) -> str:
        """Who asks: the agent's id."""
    @property
    def action(self) -> str:
        """The tool or operation asked for."""
    @property
    def args(self) -> dict[str, Any]:
        """The arguments, as a dict."""
    @property
    def resource(self) -> str | None:
        """What is acted on, or None."""
    def to_json(self) -> str:
        """Canonical JSON text (RFC 8785) of the request."""
    def __eq__(self, other: object, /) -> bool:
        """Equal when every part is equal."""

_RequestLike = Request | dict[str, Any] | str
_CapabilityLike = Capability | str

@final
class Holder:
    """An agent's key, proving possession of capabilities bound to it."""

    def __new__(cls, signing_key: SigningKey) -> Self:
        """A holder signing with `signing_key`."""
    @property
    def kid(self) -> str:
        """The key id to bind capabilities to (Capability.bind_holder)."""
    def prove(
        self,
        capability: _CapabilityLike,
        request: _RequestLike,
        audience: str,
        now: _Time | None = None,
        nonce: _Bytes | None = None,
    ) -> str:
        """A proof for one request to one audience, fresh at `now` (the system clock by default).

        `nonce` (16 to 64 bytes) is for
        tests and vectors only: it is random otherwise, and a repeated nonce
        is refused as a replay.
        """

# --- decisions ----------------------------------------------------------------------

@final
class Reason:
    """Why a check denied: a stable code, the failing caveat's index (or None), a message."""

    @property
    def code(self) -> str:
        """A stable error code (contract/errors.json)."""
    @property
    def caveat_index(self) -> int | None:
        """Index of the failing caveat, or None for a structural failure."""
    @property
    def message(self) -> str:
        """What failed, in words a person can act on."""
    @property
    def approval(self) -> ApprovalNeed | None:
        """For approval_required: which keys, how many, and the exact call to approve; else None."""
    def __eq__(self, other: object, /) -> bool:
        """Equal when code, index, message and approval are equal."""

@final
class ApprovalNeed:
    """What an approval_required reason needs: M of these approver keys, for this exact call."""

    @property
    def required(self) -> int:
        """How many distinct approvers must sign (M)."""
    @property
    def approvers(self) -> list[str]:
        """The key ids that may approve."""
    @property
    def valid(self) -> int:
        """How many distinct listed approvers signed a valid approval of this call."""
    @property
    def capability(self) -> str:
        """The capability id an approval must name."""
    @property
    def action(self) -> str:
        """The action an approval must name."""
    @property
    def args_hash(self) -> str:
        """base64url SHA-256 of the JCS arguments an approval must name."""
    @property
    def audience(self) -> str:
        """The audience an approval must name."""
    def __eq__(self, other: object, /) -> bool:
        """Equal when every field is equal."""

@final
class Decision:
    """The outcome of a check: allowed is True exactly when reasons is empty."""

    @property
    def allowed(self) -> bool:
        """True when the call may proceed."""
    @property
    def reasons(self) -> list[Reason]:
        """Every reason for a denial (empty when allowed)."""
    def __eq__(self, other: object, /) -> bool:
        """Equal when allowed and reasons are equal."""

@final
class Verifier:
    """Decides calls against capabilities minted with its root keys; owns its revocation list and proof replay store."""

    def __new__(
        cls,
        roots: Iterable[RootKey],
        audience: str,
        proof_window: int | None = None,
        leeway: int | None = None,
        store: Store | None = None,
    ) -> Self:
        """A verifier for `audience` (what caveats see as `audience`).

        `proof_window` (1 to 600 s) and `leeway` (0 to 600 s) bound holder
        proof freshness and clock skew; None keeps the core's defaults.
        With `store`, revocations, proof nonces and budgets live in the store.
        """
    def check(
        self,
        capability: _CapabilityLike,
        request: _RequestLike,
        proof: str | None = None,
        now: _Time | None = None,
    ) -> Decision:
        """Decides one request; a denial is data (see `.reasons`), text that does not parse is a denial."""
    def revoke(self, capability_id: str) -> None:
        """Revokes a capability id (and every narrowing of it) or a token id (every
        capability minted with it); UsageError (invalid_argument) for anything else."""
    @property
    def audience(self) -> str:
        """This verifier's identity; permits are issued for it."""

# --- stores -------------------------------------------------------------------------

@final
class Store:
    """A shared store: single use, revocations, idempotency keys, budgets and audit chains in one database."""

    def revoke(self, capability_id: str) -> None:
        """Revokes a capability id or token id for every verifier on this store."""
    def revoked(self) -> list[str]:
        """Every revoked id, sorted."""
    @property
    def url(self) -> str:
        """What the store is: its URL, without a password."""

def open_store(url: str | os.PathLike[str]) -> Store:
    """Opens the store at `url` (sqlite:///abs/path.db, postgres://..., memory:) or a plain path (a SQLite file)."""

# --- permits ------------------------------------------------------------------------

@final
class PermitClaims:
    """The claims of a permit (args: the arguments' hash; iat/exp: Unix seconds)."""

    @property
    def iss(self) -> str:
        """Issuer: the guard or gateway that decided."""
    @property
    def sub(self) -> str:
        """Subject: the agent."""
    @property
    def aud(self) -> str:
        """Audience: the tool or service that runs the call."""
    @property
    def act(self) -> str:
        """The action."""
    @property
    def args(self) -> str:
        """base64url SHA-256 of the canonical arguments."""
    @property
    def cap(self) -> str:
        """Id of the capability the call was allowed under."""
    @property
    def iat(self) -> int:
        """Issued at, Unix seconds."""
    @property
    def exp(self) -> int:
        """Expires at, Unix seconds."""
    @property
    def jti(self) -> str:
        """Unique id; a verifier accepts it once."""
    @property
    def idem(self) -> str | None:
        """The idempotency key of the call, or None."""
    def __eq__(self, other: object, /) -> bool:
        """Equal when every claim is equal."""

@final
class Permit:
    """A permit token and its claims. parse() verifies nothing."""

    @staticmethod
    def parse(token: str) -> Permit:
        """Decodes a token for inspection; verifies nothing (a PermitVerifier does)."""
    @property
    def token(self) -> str:
        """The JWS compact token: what travels to the tool."""
    @property
    def claims(self) -> PermitClaims:
        """The claims (unverified until a PermitVerifier accepts the token)."""
    @property
    def kid(self) -> str:
        """The id of the key it claims to be signed with."""
    def __eq__(self, other: object, /) -> bool:
        """Equal when the tokens are equal."""

@final
class PermitIssuer:
    """Signs permits: one allowed call, short-lived, single-use."""

    def __new__(
        cls, signing_key: SigningKey, issuer: str, ttl: int | None = None, store: Store | None = None
    ) -> Self:
        """An issuer named `issuer`; `ttl` in seconds (None keeps the core's default); idempotency keys in `store`."""
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
    ) -> Permit:
        """Signs a permit for one call: `args` (dict or JSON text) is hashed into it; `jti` is random by default."""
    @property
    def kid(self) -> str:
        """The kid of the signing key (what a JWKS must hold to verify)."""

_Keys = KeySet | dict[str, Any] | str

@final
class PermitVerifier:
    """Verifies permits offline with a public key set, each once."""

    def __new__(
        cls, keys: _Keys, audience: str, leeway: int | None = None, store: Store | None = None
    ) -> Self:
        """A verifier for the tool `audience`, trusting `keys` (a KeySet, JWKS dict or JWKS text).

        With `store`, accepted permits are remembered there: once across every verifier on it."""
    def verify(
        self, token: str, action: str, args: _JsonObject, now: _Time | None = None
    ) -> PermitClaims:
        """Verifies `token` for this call and consumes it; raises on any failure."""

# --- receipts and audit ---------------------------------------------------------------

@final
class Receipt:
    """One signed, hash-chained decision record."""

    @staticmethod
    def parse(json: str) -> Receipt:
        """Parses a receipt's canonical JSON text strictly (verifies nothing)."""
    def to_json(self) -> str:
        """The canonical JSON text."""
    @property
    def hash(self) -> str:
        """base64url SHA-256 of the canonical text: the next receipt's `prev`."""
    def verify(self, keys: _Keys) -> None:
        """Checks the signature with trusted keys (a KeySet, JWKS dict or JWKS text); raises on failure."""
    @property
    def seq(self) -> int:
        """Sequence number in its log, from 0."""
    @property
    def prev(self) -> str:
        """Hash of the receipt before it (the genesis value for the first)."""
    @property
    def ts(self) -> int:
        """Time of the decision, Unix seconds."""
    @property
    def agent(self) -> str:
        """Who asked."""
    @property
    def action(self) -> str:
        """What was asked for."""
    @property
    def args(self) -> str:
        """Hash of the canonical arguments."""
    @property
    def cap(self) -> str | None:
        """Id of the capability, or None when it did not parse."""
    @property
    def permit(self) -> str | None:
        """The permit's jti, or None."""
    @property
    def decision(self) -> str:
        """"allow" or "deny"."""
    @property
    def reasons(self) -> list[Reason]:
        """The reasons of a denial (empty when allowed)."""
    @property
    def kid(self) -> str:
        """The kid of the key that signed it."""
    @property
    def approvers(self) -> list[str]:
        """Key ids of the approvers whose approvals counted, sorted; empty when none did."""
    def __eq__(self, other: object, /) -> bool:
        """Equal when the canonical texts are equal."""

@final
class AuditLog:
    """An append-only log of receipts, in memory, in a JSON Lines file, or in a shared store."""

    @staticmethod
    def in_memory(signing_key: SigningKey) -> AuditLog:
        """A log kept in memory, signed with `signing_key`."""
    @staticmethod
    def in_store(store: Store, name: str, signing_key: SigningKey) -> AuditLog:
        """The log `name` of `store`: one chain shared by every writer on that database."""
    @staticmethod
    def open(
        path: str | os.PathLike[str], signing_key: SigningKey, expect_head: str | None = None
    ) -> AuditLog:
        """Opens (or creates) a JSON Lines log file, verifying its chain.

        `expect_head`, the JSON text of a receipt this log signed earlier
        (head().to_json()) kept elsewhere, makes a log cut or rewritten behind
        it raise AuditError (chain_broken) naming how many receipts are missing.
        """
    def len(self) -> int:
        """Number of receipts."""
    def __len__(self) -> int:
        """Number of receipts (len(log))."""
    def head(self) -> Receipt | None:
        """The last receipt, or None when the log is empty."""
    def receipts(self, start: int, end: int) -> list[Receipt]:
        """Receipts with seq in [start, end)."""
    def keys(self) -> KeySet:
        """The public keys that verify this log."""
    def export_bundle(self, start: int | None = None, end: int | None = None) -> str:
        """Receipts [start, end) (default: all) as a signed bundle (JSON text)."""

@final
class BundleReport:
    """What a verified bundle covers."""

    @property
    def count(self) -> int:
        """Number of receipts."""
    @property
    def first_seq(self) -> int:
        """Seq of the first receipt."""
    @property
    def last_seq(self) -> int:
        """Seq of the last receipt."""
    @property
    def head(self) -> BundleHead:
        """The signed head."""

@final
class BundleHead:
    """The signed summary of a bundle."""

    @property
    def anchor(self) -> str:
        """The `prev` of its first receipt."""
    @property
    def count(self) -> int:
        """Number of receipts."""
    @property
    def first_seq(self) -> int:
        """Seq of the first receipt."""
    @property
    def kid(self) -> str:
        """The kid of the signer."""
    @property
    def last_hash(self) -> str:
        """Hash of the last receipt."""
    @property
    def last_seq(self) -> int:
        """Seq of the last receipt."""
    @property
    def sig(self) -> str:
        """The signature over the head."""
    @property
    def ts(self) -> int:
        """Time of the last receipt, Unix seconds."""
    @property
    def v(self) -> int:
        """Format version."""

def verify_bundle(bundle: str, trusted: _Keys, anchor: str | None = None) -> BundleReport:
    """Verifies an exported audit bundle (JSON text) against trusted keys, offline.

    `anchor`: the hash of the receipt just before the bundle's first, for a
    bundle that does not start at the genesis. Raises AuditError,
    CryptoError or FormatError naming the first bad receipt.
    """

# --- guard --------------------------------------------------------------------------------

@final
class Guard:
    """check -> permit -> receipt, fail closed: protect() returns a Permit or raises Denied, and records a receipt either way."""

    def __new__(
        cls,
        verifier: Verifier,
        permit_issuer: PermitIssuer,
        audit_log: AuditLog,
        store: Store | None = None,
    ) -> Self:
        """A guard deciding with `verifier` (sharing its revocations), signing with `permit_issuer`, recording in `audit_log`.

        With `store`, protect's idempotency keys live in the store."""
    def check(
        self,
        capability: _CapabilityLike,
        request: _RequestLike,
        proof: str | None = None,
        now: _Time | None = None,
    ) -> Decision:
        """Decides and records the decision; a denial is data. If no receipt can be recorded, the decision is a denial."""
    def protect(
        self,
        capability: _CapabilityLike,
        request: _RequestLike,
        proof: str | None = None,
        idempotency_key: str | None = None,
        now: _Time | None = None,
        permit_id: str | None = None,
    ) -> Permit:
        """A Permit for exactly this call, or raises Denied with the reasons; a receipt is recorded either way.

        `permit_id` fixes the permit's jti (derive it from your own call id);
        `idempotency_key` is carried in the permit as `idem`.
        """
