"""Every vector in contract/vectors/ through the public Python API.

Each expected output must be reproduced exactly (codes AND messages). A
vector kind or type this runner does not know is a failure, never a skip, and
the number of vectors run must equal the number in the files. The stateful
vectors (contract/vectors/stateful/) run too, each sequence on one store
opened with `charter.open_store("memory:")`.
"""

from __future__ import annotations

import json
import pathlib
import tempfile
from typing import Any, Callable

import pytest

import charter
from conftest import CONTRACT

Vector = dict[str, Any]


def vector_files() -> list[pathlib.Path]:
    """Every vector file: the stateless ones and those under stateful/."""
    files = sorted((CONTRACT / "vectors").glob("*.json"))
    assert files, f"no vector files in {CONTRACT / 'vectors'}"
    stateful = sorted((CONTRACT / "vectors" / "stateful").glob("*.json"))
    assert stateful, f"no vector files in {CONTRACT / 'vectors' / 'stateful'}"
    return files + stateful


def load_all() -> list[tuple[str, Vector]]:
    out: list[tuple[str, Vector]] = []
    for path in vector_files():
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


def reason(r: charter.Reason) -> dict[str, Any]:
    out: dict[str, Any] = {"code": r.code, "caveat_index": r.caveat_index, "message": r.message}
    if r.approval is not None:
        a = r.approval
        out["approval"] = {
            "required": a.required, "approvers": a.approvers, "valid": a.valid,
            "capability": a.capability, "action": a.action, "args_hash": a.args_hash,
            "audience": a.audience,
        }
    return out


def decision(d: charter.Decision) -> dict[str, Any]:
    return {"allowed": d.allowed, "reasons": [reason(r) for r in d.reasons]}


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
                "jwk": charter.canonicalize_json(json.dumps(pk.to_jwk())),
            }
        if t == "public_key":
            pk = charter.PublicKey.from_bytes(h(v["public"]))
            return {"kid": pk.kid, "jwk": charter.canonicalize_json(json.dumps(pk.to_jwk()))}
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


def reasons_of(reasons: list[charter.Reason]) -> list[dict[str, Any]]:
    return [reason(r) for r in reasons]


def claims_of(c: charter.PermitClaims) -> dict[str, Any]:
    out: dict[str, Any] = {
        "iss": c.iss, "sub": c.sub, "aud": c.aud, "act": c.act, "args": c.args,
        "cap": c.cap, "iat": c.iat, "exp": c.exp, "jti": c.jti,
    }
    if c.idem is not None:
        out["idem"] = c.idem
    return out


def run_permits(v: Vector) -> Any:
    t = v["type"]
    try:
        if t == "issue":
            issuer = charter.PermitIssuer(
                charter.SigningKey.from_bytes(h(v["signing_key"])), v["issuer"], v["ttl"]
            )
            p = issuer.issue(
                v["subject"], v["audience"], v["action"], v["args"], v["capability_id"],
                v["now"], v["jti"], v["idempotency_key"],
            )
            return {"token": p.token, "kid": p.kid, "claims": claims_of(p.claims)}
        if t == "verify":
            verifier = charter.PermitVerifier(
                charter.KeySet.from_jwks(v["jwks"]), v["audience"], v.get("leeway")
            )
            claims = verifier.verify(v["token"], v["action"], v["args"], v["now"])
            if v.get("repeat"):
                claims = verifier.verify(v["token"], v["action"], v["args"], v["now"])
            return {"claims": claims_of(claims)}
    except charter.CharterError as e:
        return err(e)
    pytest.fail(f"unknown permits vector type {t!r}")


def run_receipts(v: Vector) -> Any:
    if v["type"] != "verify":
        pytest.fail(f"unknown receipts vector type {v['type']!r}")
    try:
        r = charter.Receipt.parse(v["receipt"])
        r.verify(charter.KeySet.from_jwks(v["jwks"]))
    except charter.CharterError as e:
        return err(e)
    return {
        "hash": r.hash, "seq": r.seq, "prev": r.prev, "ts": r.ts, "agent": r.agent,
        "action": r.action, "args": r.args, "cap": r.cap, "permit": r.permit,
        "decision": r.decision, "reasons": reasons_of(r.reasons), "kid": r.kid,
        "json": r.to_json(),
    }


def run_bundles(v: Vector) -> Any:
    trusted = charter.KeySet.from_jwks(v["trusted"])
    try:
        r = charter.verify_bundle(v["bundle"], trusted, v["anchor"])
    except charter.CharterError as e:
        return err(e)
    hd = r.head
    head = {
        "anchor": hd.anchor, "count": hd.count, "first_seq": hd.first_seq, "kid": hd.kid,
        "last_hash": hd.last_hash, "last_seq": hd.last_seq, "sig": hd.sig, "ts": hd.ts, "v": hd.v,
    }
    return {"report": {"count": r.count, "first_seq": r.first_seq, "last_seq": r.last_seq, "head": head}}


def run_guard(v: Vector) -> Any:
    log = charter.AuditLog.in_memory(charter.SigningKey.from_bytes(h(v["audit_key"])))
    guard = charter.Guard(
        charter.Verifier([charter.RootKey.from_bytes(h(r)) for r in v["roots"]], v["audience"]),
        charter.PermitIssuer(charter.SigningKey.from_bytes(h(v["permit_key"])), v["issuer"]),
        log,
    )
    request = charter.Request.from_json(v["request"])
    got: dict[str, Any]
    if v["mode"] == "protect":
        try:
            p = guard.protect(
                v["token"], request, v["proof"], v["idempotency_key"], v["now"], v["permit_id"]
            )
            got = {"permit": p.token}
        except charter.Denied as e:
            got = {"error": e.code, "message": e.message, "reasons": reasons_of(e.reasons)}
    elif v["mode"] == "check":
        got = {"decision": decision(guard.check(v["token"], request, v["proof"], v["now"]))}
    else:
        pytest.fail(f"unknown guard vector mode {v['mode']!r}")
    head = log.head()
    got["receipt"] = head.to_json() if head is not None else None
    return got


def run_guard_sequences(v: Vector) -> Any:
    """Calls in order on one guard whose verifier and issuer share one memory store."""
    if v["store"] != "memory":
        pytest.fail(f"unknown guard-sequences store {v['store']!r}")
    store = charter.open_store("memory:")
    log = charter.AuditLog.in_memory(charter.SigningKey.from_bytes(h(v["audit_key"])))
    guard = charter.Guard(
        charter.Verifier(
            [charter.RootKey.from_bytes(h(r)) for r in v["roots"]], v["audience"], store=store
        ),
        charter.PermitIssuer(
            charter.SigningKey.from_bytes(h(v["permit_key"])), v["issuer"], store=store
        ),
        log,
    )
    results: list[dict[str, Any]] = []
    for c in v["calls"]:
        request = charter.Request.from_json(c["request"])
        try:
            p = guard.protect(
                v["token"], request, v["proof"], c["idempotency_key"], c["now"], c["permit_id"]
            )
            results.append({"permit": p.token})
        except charter.CharterError as e:
            reasons = reasons_of(e.reasons) if isinstance(e, charter.Denied) else []
            results.append({"error": e.code, "message": e.message, "reasons": reasons})
    head = log.head()
    return {
        "results": results,
        "receipts": log.len(),
        "receipt": head.to_json() if head is not None else None,
    }


def run_audit_files(v: Vector) -> Any:
    if v["type"] != "open":
        pytest.fail(f"unknown audit-files vector type {v['type']!r}")
    assert v["without_files"]["error"] == "unsupported"
    with tempfile.TemporaryDirectory() as d:
        path = pathlib.Path(d) / v["id"].replace("/", "_")
        if v["setup"] == "directory":
            path.mkdir()
        elif v["setup"] == "file":
            path.write_bytes(v["content"].encode("utf-8"))
        else:
            pytest.fail(f"unknown audit-files setup {v['setup']!r}")
        try:
            log = charter.AuditLog.open(
                path, charter.SigningKey.from_bytes(h(v["audit_key"])), v["expect_head"]
            )
        except charter.CharterError as e:
            return {"error": e.code, "message": e.message.replace(str(path), "{path}")}
        head = log.head()
        return {"len": log.len(), "head": head.hash if head is not None else None}


RUNNERS: dict[str, Callable[[Vector], Any]] = {
    "jcs": run_jcs,
    "keys": run_keys,
    "capabilities": run_capabilities,
    "caveats": run_check,
    "checks": run_check,
    "proofs": run_proofs,
    "permits": run_permits,
    "receipts": run_receipts,
    "bundles": run_bundles,
    "guard": run_guard,
    "audit-files": run_audit_files,
    "guard-sequences": run_guard_sequences,
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
        len(json.loads(p.read_text(encoding="utf-8"))["vectors"]) for p in vector_files()
    )
    assert len(RUN) == total == len(VECTORS), (len(RUN), total)
    assert len(set(RUN)) == len(RUN), "vector ids must be unique within a kind"
    print(f"\nvectors run: {len(RUN)} of {total}")
