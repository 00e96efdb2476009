"""Every vector in contract/vectors/ through the public Python API.

Each expected output must be reproduced exactly (codes AND messages). A
vector kind or type this runner does not know is a failure, never a skip, and
the number of vectors run must equal the number in the files.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

import charter
from conftest import CONTRACT

Vector = dict[str, Any]


def load_all() -> list[tuple[str, Vector]]:
    out: list[tuple[str, Vector]] = []
    files = sorted((CONTRACT / "vectors").glob("*.json"))
    assert files, f"no vector files in {CONTRACT / 'vectors'}"
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["version"] == 1, path
        assert doc["kind"] == path.stem, path
        assert doc["vectors"], f"{path}: no vectors"
        for v in doc["vectors"]:
            out.append((doc["kind"], v))
    return out


VECTORS = load_all()
RUN: list[str] = []


def err(e: charter.CharterError) -> dict[str, Any]:
    return {"error": e.code, "message": e.message}


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def described(c: charter.Capability) -> dict[str, Any]:
    return {
        "token": c.serialize(),
        "id": c.id,
        "token_id": c.token_id,
        "root_kid": c.root_kid,
        "issued_at": c.issued_at,
        "caveats": c.caveats,
    }


def decision(d: charter.Decision) -> dict[str, Any]:
    return {
        "allowed": d.allowed,
        "reasons": [
            {"code": r.code, "caveat_index": r.caveat_index, "message": r.message}
            for r in d.reasons
        ],
    }


def run_jcs(v: Vector) -> Any:
    try:
        return {"output": charter.canonicalize_json(v["input"])}
    except charter.CharterError as e:
        return err(e)


def run_keys(v: Vector) -> Any:
    try:
        t = v["type"]
        if t == "signing_key":
            sk = charter.SigningKey.from_bytes(h(v["seed"]))
            pk = sk.public_key()
            return {
                "kid": sk.kid,
                "public": pk.to_bytes().hex(),
                "jwk": charter.canonicalize_json(pk.to_jwk()),
            }
        if t == "public_key":
            pk = charter.PublicKey.from_bytes(h(v["public"]))
            return {"kid": pk.kid, "jwk": charter.canonicalize_json(pk.to_jwk())}
        if t == "root_key":
            return {"kid": charter.RootKey.from_bytes(h(v["secret"])).kid}
        if t == "jwks":
            ks = charter.KeySet.from_jwks(v["jwks"])
            return {"kids": ks.kids(), "jwks": ks.to_jwks()}
    except charter.CharterError as e:
        return err(e)
    pytest.fail(f"unknown keys vector type {v['type']!r}")


def run_capabilities(v: Vector) -> Any:
    try:
        t = v["type"]
        if t == "mint":
            o = dict(v["options"])
            if o.get("token_id") is not None:
                o["token_id"] = h(o["token_id"])
            cap = charter.Issuer(charter.RootKey.from_bytes(h(v["root"]))).issue(**o)
            for c in v["attenuate"]:
                cap = cap.attenuate(c)
            if v["holder"] is not None:
                cap = cap.bind_holder(v["holder"])
            return described(cap)
        if t == "parse":
            return described(charter.Capability.parse(v["token"]))
    except charter.CharterError as e:
        return err(e)
    pytest.fail(f"unknown capabilities vector type {v['type']!r}")


def run_check(v: Vector) -> Any:
    verifier = charter.Verifier(
        [charter.RootKey.from_bytes(h(r)) for r in v["roots"]], v["audience"]
    )
    for cap_id in v["revoked"]:
        verifier.revoke(cap_id)
    try:
        request = charter.Request.from_json(v["request"])
    except charter.CharterError as e:
        return err(e)
    d = verifier.check(v["token"], request, v["proof"], v["now"])
    if v["repeat"]:
        assert d.allowed, f"{v['id']}: the first presentation must be allowed"
        d = verifier.check(v["token"], request, v["proof"], v["now"])
    return decision(d)


def run_proofs(v: Vector) -> Any:
    holder = charter.Holder(charter.SigningKey.from_bytes(h(v["holder"])))
    cap = charter.Capability.parse(v["token"])
    request = charter.Request.from_json(v["request"])
    try:
        proof = holder.prove(cap, request, v["audience"], v["now"], h(v["nonce"]))
    except charter.CharterError as e:
        return err(e)
    return {"proof": proof, "holder_kid": holder.kid}


RUNNERS: dict[str, Callable[[Vector], Any]] = {
    "jcs": run_jcs,
    "keys": run_keys,
    "capabilities": run_capabilities,
    "caveats": run_check,
    "checks": run_check,
    "proofs": run_proofs,
}


@pytest.mark.parametrize(
    ("kind", "vector"), VECTORS, ids=[f"{k}/{v['id']}" for k, v in VECTORS]
)
def test_vector(kind: str, vector: Vector) -> None:
    runner = RUNNERS.get(kind)
    if runner is None:
        pytest.fail(f"no runner for vector kind {kind!r}: teach the Python suite about it")
    got = runner(vector)
    assert got == vector["expect"], vector["id"]
    # Exactness beyond ==: the same JSON text (1 == 1.0 and True == 1 in Python).
    assert json.dumps(got, sort_keys=True) == json.dumps(vector["expect"], sort_keys=True)
    RUN.append(f"{kind}/{vector['id']}")


def test_zz_every_vector_ran() -> None:
    """Runs last in this module: every vector in the files was run and passed."""
    total = sum(
        len(json.loads(p.read_text(encoding="utf-8"))["vectors"])
        for p in (CONTRACT / "vectors").glob("*.json")
    )
    assert len(RUN) == total == len(VECTORS), (len(RUN), total)
    assert len(set(RUN)) == len(RUN), "vector ids must be unique within a kind"
    print(f"\nvectors run: {len(RUN)} of {total}")
