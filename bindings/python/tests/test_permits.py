"""Permits through the Python API, and interop: stock PyJWT verifies a
Charter permit with the JWKS (EdDSA only)."""

from __future__ import annotations

import json

import jwt
import pytest

import charter

NOW = 1_767_225_600
SK = charter.SigningKey.from_bytes(bytes([3] * 32))
ARGS = {"order": "A-1", "amount": 4200}


def issue(**kw: object) -> charter.Permit:
    issuer = charter.PermitIssuer(SK, "gateway.example", ttl=60)
    return issuer.issue(
        "shopper-7", "payments.svc", "payments.refund", ARGS, "cap-id-1", NOW, **kw  # type: ignore[arg-type]
    )


def test_issue_parse_verify_once() -> None:
    p = issue(jti="jti-1", idempotency_key="idem-1")
    assert charter.Permit.parse(p.token) == p
    c = p.claims
    assert (c.iss, c.sub, c.aud, c.act, c.cap, c.jti, c.idem) == (
        "gateway.example", "shopper-7", "payments.svc", "payments.refund", "cap-id-1", "jti-1", "idem-1",
    )
    assert (c.iat, c.exp) == (NOW, NOW + 60) and c.args == charter.hash_json(json.dumps(ARGS))
    v = charter.PermitVerifier(charter.KeySet.from_keys([SK.public_key()]), "payments.svc")
    assert v.verify(p.token, "payments.refund", json.dumps(ARGS), NOW + 1) == c
    with pytest.raises(charter.AuthorizationError) as e:
        v.verify(p.token, "payments.refund", ARGS, NOW + 2)
    assert e.value.code == "replayed"


@pytest.mark.parametrize(
    ("action", "args", "now", "audience", "code"),
    [
        ("payments.void", ARGS, NOW, "payments.svc", "action_mismatch"),
        ("payments.refund", {**ARGS, "amount": 4201}, NOW, "payments.svc", "args_mismatch"),
        ("payments.refund", ARGS, NOW + 3600, "payments.svc", "expired"),
        ("payments.refund", ARGS, NOW, "other.svc", "audience_mismatch"),
    ],
)
def test_verify_refusals(action: str, args: dict[str, object], now: int, audience: str, code: str) -> None:
    v = charter.PermitVerifier(charter.KeySet.from_keys([SK.public_key()]).to_jwks(), audience)
    with pytest.raises(charter.CharterError) as e:
        v.verify(issue().token, action, args, now)
    assert e.value.code == code


def test_unknown_key_and_tampering() -> None:
    other = charter.SigningKey.from_bytes(bytes([4] * 32))
    v = charter.PermitVerifier(charter.KeySet.from_keys([other.public_key()]), "payments.svc")
    with pytest.raises(charter.CryptoError) as e:
        v.verify(issue().token, "payments.refund", ARGS, NOW)
    assert e.value.code == "unknown_key"
    mine = charter.PermitVerifier(charter.KeySet.from_keys([SK.public_key()]), "payments.svc")
    token = issue().token
    head, body, sig = token.split(".")
    forged = ".".join([head, body, ("A" if sig[0] != "A" else "B") + sig[1:]])
    with pytest.raises(charter.CharterError) as e2:
        mine.verify(forged, "payments.refund", ARGS, NOW)
    assert e2.value.code in {"bad_signature", "malformed"}
    for junk in ["", "a.b", "a.b.c.d", "x" * 20_000]:
        with pytest.raises(charter.CharterError):
            mine.verify(junk, "payments.refund", ARGS, NOW)


def test_pyjwt_verifies_a_charter_permit_with_the_jwks() -> None:
    p = issue()
    jwks = json.loads(charter.KeySet.from_keys([SK.public_key()]).to_jwks())
    key = jwt.PyJWKSet.from_dict(jwks)[p.kid]
    claims = jwt.decode(
        p.token,
        key.key,
        algorithms=["EdDSA"],
        audience="payments.svc",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["jti"] == p.claims.jti and claims["args"] == charter.hash_json(json.dumps(ARGS))
    assert jwt.get_unverified_header(p.token) == {"alg": "EdDSA", "kid": SK.kid, "typ": "permit+jwt"}
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(p.token, key.key, algorithms=["HS256"], audience="payments.svc")


def test_pyjwt_verifies_the_vector_permits_with_the_vector_jwks() -> None:
    from conftest import CONTRACT

    doc = json.loads((CONTRACT / "vectors" / "permits.json").read_text(encoding="utf-8"))
    good = [
        v for v in doc["vectors"]
        if v["type"] == "verify" and "claims" in v["expect"] and not v.get("repeat")
    ]
    assert good, "no valid permit among the vectors"
    for v in good:
        header = jwt.get_unverified_header(v["token"])
        key = jwt.PyJWKSet.from_json(v["jwks"])[header["kid"]]
        claims = jwt.decode(
            v["token"],
            key.key,
            algorithms=["EdDSA"],
            audience=v["audience"],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
        assert claims == v["expect"]["claims"], v["id"]
