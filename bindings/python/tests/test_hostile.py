"""Hostile inputs: every failure is a CharterError subclass with the right
`.code` — never a PanicException, a bare TypeError or a crash."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import pytest

import charter

NOW = 1_767_225_600
ROOT = charter.RootKey.from_bytes(bytes(range(32)))
CAP = charter.Issuer(ROOT).issue(
    agent="shopper-7", actions=["payments.refund"], never_expires=True, token_id=b"\x07" * 16, issued_at=NOW
)
REQ = charter.Request("shopper-7", "payments.refund", {"amount": 4200, "currency": "USD"})
VERIFIER = charter.Verifier([ROOT], "tools.shop.example")
SK = charter.SigningKey.from_bytes(b"\x08" * 32)


def deep_list(n: int) -> Any:
    x: list[Any] = []
    top = x
    for _ in range(n):
        y: list[Any] = []
        x.append(y)
        x = y
    return top


def args(value: dict[str, Any]) -> charter.Request:
    """Native JSON through the host-value walk (the request's args)."""
    return charter.Request("a", "b", value)


def raises(cls: type[charter.CharterError], code: str, fn: Callable[[], object]) -> charter.CharterError:
    with pytest.raises(cls) as info:
        fn()
    assert info.value.code == code, (info.value.code, str(info.value))
    assert isinstance(info.value, charter.CharterError)
    assert info.value.message and str(info.value) == info.value.message
    return info.value


CASES: list[tuple[str, type[charter.CharterError], str, Callable[[], object]]] = [
    # wrong types
    ("root bytes int", charter.UsageError, "invalid_argument", lambda: charter.RootKey.from_bytes(5)),  # type: ignore[arg-type]
    ("root bytes str", charter.UsageError, "invalid_argument", lambda: charter.RootKey.from_bytes("x" * 32)),  # type: ignore[arg-type]
    ("seed None", charter.UsageError, "invalid_argument", lambda: charter.SigningKey.from_bytes(None)),  # type: ignore[arg-type]
    ("issuer not a root", charter.UsageError, "invalid_argument", lambda: charter.Issuer(b"\x00" * 32)),  # type: ignore[arg-type]
    ("verifier roots not a list", charter.UsageError, "invalid_argument", lambda: charter.Verifier(ROOT, "a")),  # type: ignore[arg-type]
    ("verifier roots wrong items", charter.UsageError, "invalid_argument", lambda: charter.Verifier(["k"], "a")),  # type: ignore[list-item]
    ("parse int", charter.UsageError, "invalid_argument", lambda: charter.Capability.parse(7)),  # type: ignore[arg-type]
    ("actions str", charter.UsageError, "invalid_argument", lambda: charter.Issuer(ROOT).issue(actions="refund")),
    ("actions ints", charter.UsageError, "invalid_argument", lambda: charter.Issuer(ROOT).issue(actions=[1])),  # type: ignore[list-item]
    ("check capability int", charter.UsageError, "invalid_argument", lambda: VERIFIER.check(5, REQ)),  # type: ignore[arg-type]
    ("check request list", charter.UsageError, "invalid_argument", lambda: VERIFIER.check(CAP, [1])),  # type: ignore[arg-type]
    ("now str", charter.UsageError, "invalid_argument", lambda: VERIFIER.check(CAP, REQ, None, "now")),  # type: ignore[arg-type]
    ("now bool", charter.UsageError, "invalid_argument", lambda: VERIFIER.check(CAP, REQ, None, True)),
    ("now float", charter.UsageError, "invalid_argument", lambda: VERIFIER.check(CAP, REQ, None, 1.5)),  # type: ignore[arg-type]
    ("now naive datetime", charter.UsageError, "invalid_argument", lambda: VERIFIER.check(CAP, REQ, None, dt.datetime(2026, 1, 1))),
    ("now huge", charter.UsageError, "invalid_argument", lambda: VERIFIER.check(CAP, REQ, None, 2**80)),
    # bad lengths and encodings
    ("root key short", charter.UsageError, "invalid_argument", lambda: charter.RootKey.from_bytes(b"\x00" * 31)),
    ("root key huge", charter.UsageError, "invalid_argument", lambda: charter.RootKey.from_bytes(b"\x00" * 10_000_000)),
    ("seed short", charter.UsageError, "invalid_argument", lambda: charter.SigningKey.from_bytes(b"\x00" * 31)),
    ("public key short", charter.UsageError, "invalid_argument", lambda: charter.PublicKey.from_bytes(b"\x00" * 33)),
    ("public key small order", charter.UsageError, "invalid_argument", lambda: charter.PublicKey.from_bytes(b"\x01" + b"\x00" * 31)),
    ("token id short", charter.UsageError, "invalid_argument", lambda: charter.Issuer(ROOT).issue(token_id=b"\x00" * 15)),
    ("bad base64", charter.FormatError, "malformed", lambda: charter.Capability.parse("!!!not base64")),
    ("padded base64", charter.FormatError, "malformed", lambda: charter.Capability.parse(CAP.serialize() + "=")),
    ("huge token", charter.UsageError, "limit_exceeded", lambda: charter.Capability.parse("A" * 10_000_000)),
    ("truncated token", charter.FormatError, "malformed", lambda: charter.Capability.parse(CAP.serialize()[:-8])),
    ("bad holder kid", charter.UsageError, "invalid_argument", lambda: CAP.bind_holder("not-a-kid")),
    ("jwk wrong kty", charter.FormatError, "malformed", lambda: charter.PublicKey.from_jwk({"kty": "RSA"})),
    ("jwks not json", charter.FormatError, "malformed", lambda: charter.KeySet.from_jwks("{")),
    ("unknown kid", charter.CryptoError, "unknown_key", lambda: charter.KeySet.from_keys([]).get("nope")),
    ("nonce short", charter.UsageError, "invalid_argument", lambda: charter.Holder(SK).prove(CAP, REQ, "a", NOW, b"\x00")),
    # surface.json: a nonce is bytes only (a str was once taken as its UTF-8)
    ("nonce str", charter.UsageError, "invalid_argument", lambda: charter.Holder(SK).prove(CAP, REQ, "a", NOW, "n" * 32)),  # type: ignore[arg-type]
    # JSON values
    ("unsafe int", charter.FormatError, "malformed", lambda: charter.Request("a", "b", {"n": 2**53})),
    ("negative unsafe int", charter.FormatError, "malformed", lambda: charter.Request("a", "b", {"n": -(2**53)})),
    ("giant int", charter.FormatError, "malformed", lambda: charter.Request("a", "b", {"n": 10**400})),
    ("unsafe int text", charter.FormatError, "malformed", lambda: charter.Request("a", "b", '{"amount":9007199254740993}')),
    ("nan", charter.FormatError, "malformed", lambda: args({"x": float("nan")})),
    ("inf", charter.FormatError, "malformed", lambda: args({"x": [float("inf")]})),
    ("non-str key", charter.UsageError, "invalid_argument", lambda: args({1: 2})),  # type: ignore[dict-item]
    ("tuple key", charter.UsageError, "invalid_argument", lambda: args({(1,): 2})),  # type: ignore[dict-item]
    ("object value", charter.UsageError, "invalid_argument", lambda: args({"x": object()})),
    ("bytes value", charter.UsageError, "invalid_argument", lambda: args({"x": b"raw"})),
    ("set value", charter.UsageError, "invalid_argument", lambda: args({"x": {1}})),
    ("lone surrogate", charter.FormatError, "malformed", lambda: args({"x": "\ud800"})),
    ("lone surrogate key", charter.FormatError, "malformed", lambda: args({"\udfff": 1})),
    ("deep native", charter.UsageError, "limit_exceeded", lambda: args({"x": deep_list(100_000)})),
    ("deep native 65", charter.UsageError, "limit_exceeded", lambda: args({"x": deep_list(63)})),
    ("json not text", charter.UsageError, "invalid_argument", lambda: charter.hash_json({"x": 1})),  # type: ignore[arg-type]
    ("deep text", charter.UsageError, "limit_exceeded", lambda: charter.canonicalize_json("[" * 100_000 + "]" * 100_000)),
    ("duplicate keys", charter.FormatError, "malformed", lambda: charter.canonicalize_json('{"a":1,"a":2}')),
    ("trailing", charter.FormatError, "malformed", lambda: charter.canonicalize_json("{} x")),
    ("args not object", charter.UsageError, "invalid_argument", lambda: charter.Request("a", "b", [1, 2])),  # type: ignore[arg-type]
    ("empty action", charter.UsageError, "invalid_argument", lambda: charter.Request("a", "", {})),
    ("request json unknown member", charter.FormatError, "malformed", lambda: charter.Request.from_json('{"agent":"a","action":"b","x":1}')),
    ("huge request", charter.UsageError, "limit_exceeded", lambda: charter.Request.from_json(" " * 2_000_000)),
    # A typo in a caveat is the caller's mistake, not a 403.
    ("bad caveat", charter.UsageError, "invalid_caveat", lambda: CAP.attenuate("args.amount <=")),
    ("bad caveat minting", charter.UsageError, "invalid_caveat", lambda: charter.Issuer(ROOT).issue(caveats=["args.x <"], never_expires=True)),
    # An expiry is required, in the future, in seconds.
    ("no expiry", charter.UsageError, "invalid_argument", lambda: charter.Issuer(ROOT).issue()),
    ("no expiry, agent only", charter.UsageError, "invalid_argument", lambda: charter.Issuer(ROOT).issue(agent="a")),
    ("expiry and never", charter.UsageError, "invalid_argument", lambda: charter.Issuer(ROOT).issue(expires_at=NOW + 60, never_expires=True, issued_at=NOW)),
    ("expiry in the past", charter.UsageError, "invalid_argument", lambda: charter.Issuer(ROOT).issue(expires_at=NOW - 1, issued_at=NOW)),
    ("expiry in ms", charter.UsageError, "invalid_argument", lambda: charter.Issuer(ROOT).issue(expires_at=(NOW + 3600) * 1000, issued_at=NOW)),
    ("verifier no roots", charter.UsageError, "invalid_argument", lambda: charter.Verifier([], "a")),
    ("verifier window", charter.UsageError, "invalid_argument", lambda: charter.Verifier([ROOT], "a", proof_window=10_000)),
]


@pytest.mark.parametrize(("name", "cls", "code", "fn"), CASES, ids=[c[0] for c in CASES])
def test_hostile(name: str, cls: type[charter.CharterError], code: str, fn: Callable[[], object]) -> None:
    raises(cls, code, fn)


def test_expiry_messages_say_what_to_do() -> None:
    with pytest.raises(charter.UsageError) as info:
        charter.Issuer(ROOT).issue(agent="a")
    assert "expires_at" in str(info.value) and "never_expires" in str(info.value)
    with pytest.raises(charter.UsageError) as info:
        charter.Issuer(ROOT).issue(expires_at=(NOW + 3600) * 1000, issued_at=NOW)
    assert "not milliseconds" in str(info.value)
    forever = charter.Issuer(ROOT).issue(agent="a", never_expires=True)
    assert forever.caveats == ['agent == "a"']


def test_str_of_denied_shows_every_reason() -> None:
    log = charter.AuditLog.in_memory(charter.SigningKey.from_bytes(b"\x09" * 32))
    g = charter.Guard(VERIFIER, charter.PermitIssuer(SK, "gw"), log)
    two = CAP.attenuate("args.amount <= 10").attenuate('args.currency == "EUR"')
    with pytest.raises(charter.Denied) as info:
        g.protect(two, REQ, now=NOW)
    text = str(info.value)
    assert len(info.value.reasons) == 2
    assert text.startswith("denied for 2 reasons: ")
    for r in info.value.reasons:
        assert r.message in text


def test_a_missing_holder_proof_has_its_own_code() -> None:
    bound = CAP.bind_holder(charter.Holder(SK).kid)
    d = VERIFIER.check(bound, REQ, None, NOW)
    assert [r.code for r in d.reasons] == ["proof_required"]


def test_trailing_newline_in_a_token_says_strip_it() -> None:
    with pytest.raises(charter.FormatError) as info:
        charter.Capability.parse(CAP.serialize() + "\n")
    assert info.value.code == "malformed" and "strip it" in str(info.value)


def test_safe_integers_at_the_edge_pass() -> None:
    n = 2**53 - 1
    assert args({"n": n, "m": -n}).to_json().endswith('"args":{"m":-9007199254740991,"n":9007199254740991}}')
    assert args({"x": deep_list(62)})


def test_tokens_that_do_not_parse_are_denials_in_check() -> None:
    for token in ["", "!!", "A" * 100_000, CAP.serialize()[:-1], "\u00e9" * 10]:
        d = VERIFIER.check(token, REQ, None, NOW)
        assert not d.allowed and d.reasons[0].code in {"malformed", "limit_exceeded", "unsupported_version"}


def test_bad_proofs_are_denials() -> None:
    bound = CAP.bind_holder(charter.Holder(SK).kid)
    for proof in ["", ".", "a.b", "x" * 5000, "\u00e9.\u00e9"]:
        d = VERIFIER.check(bound, REQ, proof, NOW)
        assert not d.allowed
        assert d.reasons[0].code in {"proof_invalid", "limit_exceeded"}


def test_bit_flips_never_raise_and_never_allow() -> None:
    import base64

    raw = bytearray(base64.urlsafe_b64decode(CAP.serialize() + "=" * (-len(CAP.serialize()) % 4)))
    assert VERIFIER.check(CAP, REQ, None, NOW).allowed
    for bit in range(len(raw) * 8):
        flipped = bytearray(raw)
        flipped[bit // 8] ^= 1 << (bit % 8)
        token = base64.urlsafe_b64encode(bytes(flipped)).decode().rstrip("=")
        assert not VERIFIER.check(token, REQ, None, NOW).allowed


def test_datetime_and_int_times_agree() -> None:
    aware = dt.datetime.fromtimestamp(NOW, dt.timezone.utc)
    other_zone = aware.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
    a = charter.Issuer(ROOT).issue(expires_at=NOW + 60, token_id=b"\x01" * 16, issued_at=NOW)
    b = charter.Issuer(ROOT).issue(
        expires_at=aware + dt.timedelta(seconds=60), token_id=b"\x01" * 16, issued_at=other_zone
    )
    assert a == b and a.issued_at == NOW and isinstance(a.issued_at, int)
    assert VERIFIER.check(a, REQ, None, aware + dt.timedelta(seconds=59.9)).allowed
    assert VERIFIER.check(a, REQ, None, other_zone + dt.timedelta(seconds=60)).reasons[0].code == "expired"


def test_json_text_keeps_exactness_and_values_round_trip() -> None:
    r = charter.Request("a", "b", '{"w":0.50,"x":1e21,"y":100,"z":[true,null,"\u00e9"]}')
    assert r.to_json() == '{"action":"b","agent":"a","args":{"w":0.5,"x":1e+21,"y":100,"z":[true,null,"\u00e9"]}}'
    assert r.args == {"w": 0.5, "x": 1e21, "y": 100, "z": [True, None, "\u00e9"]}
    assert charter.Request("a", "b", r.args) == r
    # 100.0 has the canonical form (and args hash) of 100 but is a double to caveats: refused.
    e = raises(charter.FormatError, "malformed", lambda: charter.Request("a", "b", '{"y":100.0}'))
    assert "write it as the integer 100" in e.message
    e = raises(charter.FormatError, "malformed", lambda: charter.Request("a", "b", {"y": 100.0}))
    assert "write it as the integer 100" in e.message


def test_errors_carry_code_and_message() -> None:
    e = raises(charter.UsageError, "invalid_argument", lambda: charter.RootKey.from_bytes(b""))
    assert "root key" in e.message
    assert not isinstance(e, charter.FormatError)
    assert isinstance(e, Exception)


@pytest.mark.parametrize(
    "bad",
    ["", CAP.id + "=", CAP.id + "==", " " + CAP.id, CAP.id + "\n", CAP.id[1:], CAP.id + "AA", "not a capability id"],
)
def test_revoke_refuses_what_is_not_a_capability_id(bad: str) -> None:
    v = charter.Verifier([ROOT], "tools.shop.example")
    e = raises(charter.UsageError, "invalid_argument", lambda: v.revoke(bad))
    assert "22 base64url characters" in e.message
    assert v.check(CAP, REQ, now=NOW).allowed


def test_revoking_a_token_id_revokes_every_capability_minted_with_it() -> None:
    v = charter.Verifier([ROOT], "tools.shop.example")
    narrowed = CAP.attenuate("args.amount <= 5000")
    assert v.check(narrowed, REQ, now=NOW).allowed
    v.revoke(CAP.token_id)
    for c in (CAP, narrowed):
        assert [r.code for r in v.check(c, REQ, now=NOW).reasons] == ["revoked"]
