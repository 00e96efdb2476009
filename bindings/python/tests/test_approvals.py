"""Human approvals from Python: sign with SigningKey.approve, send them in the
request's "approvals", and Guard.protect raises ApprovalRequired when they
are all that is missing (contract/approvals.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import charter

NOW = 1_767_225_600
ROOT = charter.RootKey.from_bytes(b"\x01" * 32)
ALICE, BOB, MALLORY = (charter.SigningKey.from_bytes(bytes([n]) * 32) for n in (2, 3, 4))
CAP = charter.Issuer(ROOT).issue(
    agent="shopper",
    actions=["refund"],
    expires_at=NOW + 3600,
    issued_at=NOW,
    caveats=[f'approval(2, ["{ALICE.kid}", "{BOB.kid}"], args.amount > 1000)'],
)
ARGS: dict[str, Any] = {"amount": 5000}


def request(*approvals: str, args: dict[str, Any] = ARGS) -> dict[str, Any]:
    return {"agent": "shopper", "action": "refund", "args": args, "approvals": list(approvals)}


def approve(
    key: charter.SigningKey, args: dict[str, Any] = ARGS, cap: charter.Capability | str = CAP
) -> str:
    return key.approve(cap, "refund", args, "shop", 300, NOW)


def test_enough_approvals_allow_and_the_receipt_names_the_approvers() -> None:
    log = charter.AuditLog.in_memory(charter.SigningKey.from_bytes(b"\x09" * 32))
    guard = charter.Guard(charter.Verifier([ROOT], "shop"), charter.PermitIssuer(MALLORY, "gw"), log)
    # Text args and a text capability sign the same call as the object forms.
    text = ALICE.approve(CAP.serialize(), "refund", json.dumps(ARGS), "shop", 300, NOW)
    permit = guard.protect(CAP, request(text, approve(BOB)), now=NOW + 1)
    assert permit.claims.act == "refund"
    head = log.head()
    assert head is not None
    assert json.loads(head.to_json())["approvers"] == sorted([ALICE.kid, BOB.kid])
    assert head.approvers == sorted([ALICE.kid, BOB.kid])
    assert charter.Receipt.parse(head.to_json()).approvers == head.approvers
    # A call that needed none records none.
    guard.protect(CAP, request(args={"amount": 5}), now=NOW + 2)
    head = log.head()
    assert head is not None and "approvers" not in json.loads(head.to_json())
    assert head.approvers == []


def test_too_few_raises_approval_required_with_the_need() -> None:
    log = charter.AuditLog.in_memory(charter.SigningKey.from_bytes(b"\x09" * 32))
    guard = charter.Guard(charter.Verifier([ROOT], "shop"), charter.PermitIssuer(MALLORY, "gw"), log)
    a = approve(ALICE)
    for offered in [(a,), (a, a), (a, approve(MALLORY)), (a, approve(BOB, {"amount": 5001}))]:
        with pytest.raises(charter.ApprovalRequired) as raised:
            guard.protect(CAP, request(*offered), now=NOW + 1)
        e = raised.value
        assert isinstance(e, charter.Denied) and e.code == "approval_required"
        need = e.reasons[0].approval
        assert need is not None
        assert (need.required, need.valid, need.approvers) == (2, 1, [ALICE.kid, BOB.kid])
        assert need.capability == CAP.id and need.action == "refund" and need.audience == "shop"
        assert need.args_hash == charter.hash_json(json.dumps(ARGS))
    # Another failing caveat as well: a plain Denied, not ApprovalRequired.
    narrowed = CAP.attenuate("args.amount < 10")
    with pytest.raises(charter.Denied) as denied:
        guard.protect(narrowed, request(a), now=NOW + 1)
    assert type(denied.value) is charter.Denied and denied.value.code == "denied"
    # A check returns the need as data, and a small refund needs none.
    d = charter.Verifier([ROOT], "shop").check(CAP, request(a), None, NOW + 1)
    assert [r.code for r in d.reasons] == ["approval_required"] and d.reasons[0].approval is not None
    assert charter.Verifier([ROOT], "shop").check(CAP, request(args={"amount": 5}), None, NOW).allowed


def test_approve_refuses_bad_input() -> None:
    with pytest.raises(charter.UsageError):
        ALICE.approve(CAP, "refund", ARGS, "shop", 0, NOW)
    with pytest.raises(charter.UsageError):
        ALICE.approve(CAP, "refund", ARGS, "shop", 86_401, NOW)
    with pytest.raises(charter.UsageError):
        ALICE.approve(CAP, "", ARGS, "shop", 60, NOW)
    with pytest.raises(charter.FormatError):
        ALICE.approve("not a capability", "refund", ARGS, "shop", 60, NOW)
    with pytest.raises(charter.FormatError):
        charter.Request.from_json('{"agent":"a","action":"b","args":{},"approvals":"x"}')
