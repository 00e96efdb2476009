"""Guard (check -> permit -> receipt), audit logs and bundles, and the
@charter.guard decorator."""

from __future__ import annotations

import asyncio
import json
import pathlib
import time
from typing import Any

import pytest

import charter

NOW = 1_767_225_600
ROOT = charter.RootKey.from_bytes(bytes([9] * 32))
SK = charter.SigningKey.from_bytes(bytes([5] * 32))


def setup(
    log: charter.AuditLog | None = None, expires_at: int = NOW + 3600
) -> tuple[charter.Guard, charter.Verifier, charter.AuditLog, charter.Capability]:
    verifier = charter.Verifier([ROOT], "payments.svc")
    if log is None:
        log = charter.AuditLog.in_memory(SK)
    g = charter.Guard(verifier, charter.PermitIssuer(SK, "gateway"), log)
    cap = charter.Issuer(ROOT).issue(
        agent="shopper-7", actions=["payments.refund"], expires_at=expires_at, issued_at=NOW
    ).attenuate("args.amount <= 5000")
    return g, verifier, log, cap


def test_protect_allows_with_a_permit_and_records_a_receipt() -> None:
    g, _, log, cap = setup()
    req = charter.Request("shopper-7", "payments.refund", {"amount": 4200})
    p = g.protect(cap, req, now=NOW, permit_id="call-1", idempotency_key="k1")
    assert p.claims.jti == "call-1" and p.claims.aud == "payments.svc" and p.claims.idem == "k1"
    pv = charter.PermitVerifier(log.keys(), "payments.svc")
    assert pv.verify(p.token, "payments.refund", {"amount": 4200}, NOW).cap == cap.id
    assert log.len() == 1
    r = log.head()
    assert r is not None
    assert (r.seq, r.decision, r.permit, r.cap, r.agent) == (0, "allow", "call-1", cap.id, "shopper-7")
    assert r.args == charter.hash_json(json.dumps({"amount": 4200}))
    r.verify(log.keys())
    assert charter.Receipt.parse(r.to_json()) == r


def test_protect_raises_denied_with_reasons_and_records_it() -> None:
    g, _, log, cap = setup()
    req = charter.Request("shopper-7", "payments.refund", {"amount": 9000})
    with pytest.raises(charter.Denied) as info:
        g.protect(cap, req, now=NOW)
    e = info.value
    assert e.code == "denied" and isinstance(e, charter.CharterError)
    assert [(r.code, r.caveat_index) for r in e.reasons] == [("caveat_failed", 3)]
    assert e.message.startswith("denied: ")
    # check() is data, not an exception, and is recorded too.
    d = g.check(cap, req, now=NOW)
    assert not d.allowed and d.reasons == e.reasons
    assert [r.decision for r in log.receipts(0, log.len())] == ["deny", "deny"]
    # An unparsable token is a recorded denial as well.
    with pytest.raises(charter.Denied) as info2:
        g.protect("garbage!", req, now=NOW)
    assert info2.value.reasons[0].code == "malformed"
    assert log.len() == 3


def test_revocation_through_the_verifier_applies_to_the_guard() -> None:
    g, verifier, _, cap = setup()
    req = {"agent": "shopper-7", "action": "payments.refund", "args": {"amount": 1}}
    g.protect(cap, req, now=NOW)
    verifier.revoke(cap.id)
    with pytest.raises(charter.Denied) as info:
        g.protect(cap, req, now=NOW)
    assert info.value.reasons[0].code == "revoked"


def test_bundles_verify_offline_and_tampering_is_caught() -> None:
    g, _, log, cap = setup()
    for i in range(10):
        g.check(cap, charter.Request("shopper-7", "payments.refund", {"amount": i * 1000}), now=NOW + i)
    bundle = log.export_bundle()
    report = charter.verify_bundle(bundle, log.keys())
    assert (report.count, report.first_seq, report.last_seq) == (10, 0, 9)
    assert report.head.count == 10 and report.head.last_hash == log.head().hash  # type: ignore[union-attr]
    assert charter.verify_bundle(bundle, log.keys().to_jwks()).count == 10
    doc = json.loads(bundle)
    doc["receipts"] = doc["receipts"][1:]  # cut off the first receipt
    # json.dumps re-serializes: that alone is not_canonical (nothing verified)...
    with pytest.raises(charter.FormatError) as not_canonical:
        charter.verify_bundle(json.dumps(doc), log.keys())
    assert not_canonical.value.code == "not_canonical"
    assert "charter audit canonicalize" in str(not_canonical.value)
    # ...and re-canonicalized, the cut is caught by verification itself.
    with pytest.raises(charter.CharterError) as info:
        charter.verify_bundle(charter.canonicalize_json(json.dumps(doc)), log.keys())
    assert info.value.code in {"chain_broken", "bad_signature"}
    other = charter.KeySet.from_keys([charter.SigningKey.generate().public_key()])
    with pytest.raises(charter.CharterError) as info2:
        charter.verify_bundle(bundle, other)
    assert info2.value.code == "unknown_key"
    part = charter.verify_bundle(log.export_bundle(0, 3), log.keys())
    assert part.count == 3


def test_file_audit_log(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "receipts.jsonl"
    g, _, log, cap = setup(charter.AuditLog.open(path, SK))
    g.check(cap, {"agent": "shopper-7", "action": "payments.refund", "args": {}}, now=NOW)
    g.check(cap, {"agent": "x", "action": "payments.refund", "args": {}}, now=NOW)
    again = charter.AuditLog.open(str(path), SK)
    assert again.len() == 2 and again.head() == log.head()
    with path.open("a") as f:
        f.write('{"torn')
    with pytest.raises(charter.AuditError) as info:
        charter.AuditLog.open(path, SK)
    assert info.value.code == "log_corrupt"
    with pytest.raises(charter.CharterError):
        charter.AuditLog.open(tmp_path / "no" / "such" / "dir" / "x.jsonl", SK)


def test_file_audit_log_expect_head_catches_a_cut(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "receipts.jsonl"
    g, _, log, cap = setup(charter.AuditLog.open(path, SK))
    for n in range(5):
        g.check(cap, {"agent": "shopper-7", "action": "payments.refund", "args": {"n": n}}, now=NOW)
    head = log.head()
    assert head is not None
    kept = head.to_json()  # stored somewhere the log file's writer cannot reach
    assert charter.AuditLog.open(path, SK, kept).len() == 5
    assert charter.AuditLog.open(path, SK, expect_head=None).len() == 5
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:3]))
    assert charter.AuditLog.open(path, SK).len() == 3  # a clean cut alone goes unseen
    with pytest.raises(charter.AuditError) as info:
        charter.AuditLog.open(path, SK, kept)
    assert info.value.code == "chain_broken"
    assert "2 receipts are missing" in info.value.message
    with pytest.raises(charter.FormatError) as bad:
        charter.AuditLog.open(path, SK, "not a receipt")
    assert bad.value.code == "malformed"
    with pytest.raises(charter.UsageError):
        charter.AuditLog.open(path, SK, head)  # type: ignore[arg-type]


# --- the decorator ------------------------------------------------------------------
# The decorator decides at the system clock.
LATER = int(time.time()) + 3600


def test_decorator_runs_only_on_allow_and_passes_the_permit() -> None:
    g, _, log, cap = setup(expires_at=LATER)
    ran: list[Any] = []

    @charter.guard(g, action="payments.refund")
    def refund(order: str, amount: int, currency: str = "USD", *, permit: charter.Permit) -> str:
        ran.append((order, amount, currency, permit.claims.act))
        return f"refunded {amount}"

    assert refund("A-1", amount=4200, capability=cap, agent="shopper-7") == "refunded 4200"
    assert ran == [("A-1", 4200, "USD", "payments.refund")]
    assert log.head().args == charter.hash_json(json.dumps({"order": "A-1", "amount": 4200, "currency": "USD"}))  # type: ignore[union-attr]
    with pytest.raises(charter.Denied) as info:
        refund(order="A-2", amount=9000, capability=cap.serialize(), agent="shopper-7")
    assert info.value.reasons[0].code == "caveat_failed"
    assert len(ran) == 1 and log.len() == 2
    with pytest.raises(charter.Denied):
        refund(order="A-3", amount=1, capability=cap, agent="mallory")
    assert len(ran) == 1
    with pytest.raises(charter.UsageError):
        refund(order="A-4", amount=1, agent="shopper-7")  # no capability
    with pytest.raises(charter.UsageError):
        refund(order="A-4", amount=1, capability=cap, agent="shopper-7", permit="forged")
    assert refund.__name__ == "refund"


def test_decorator_without_permit_parameter_with_default_agent_and_async() -> None:
    g, _, _, cap = setup(expires_at=LATER)

    @charter.guard(g, action="payments.refund", agent="shopper-7")
    def plain(amount: int) -> int:
        return amount * 2

    assert plain(amount=10, capability=cap) == 20

    @charter.guard(g, action="payments.refund", agent="shopper-7")
    async def later(amount: int, permit: charter.Permit) -> str:
        return permit.claims.sub

    assert asyncio.run(later(amount=10, capability=cap)) == "shopper-7"
    with pytest.raises(charter.Denied):
        asyncio.run(later(amount=10_000, capability=cap))


def test_decorator_with_holder_proof() -> None:
    g, _, _, cap = setup(expires_at=LATER)
    holder = charter.Holder(charter.SigningKey.generate())
    bound = cap.bind_holder(holder.kid)

    @charter.guard(g, action="payments.refund")
    def refund(amount: int) -> int:
        return amount

    req = charter.Request("shopper-7", "payments.refund", {"amount": 7})
    proof = holder.prove(bound, req, "payments.svc")
    assert refund(amount=7, capability=bound, agent="shopper-7", proof=proof) == 7
    with pytest.raises(charter.Denied) as info:
        refund(amount=7, capability=bound, agent="shopper-7")
    assert info.value.reasons[0].code == "proof_required"


def test_decorator_rejects_reserved_parameters() -> None:
    g, _, _, _ = setup()
    with pytest.raises(charter.UsageError):

        @charter.guard(g, action="x")
        def bad(capability: str) -> None: ...
