"""A small shop the integration tests share: keys, a guard, a gate and a watched tool."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import charter
from charter.tools import ToolGate

AUDIENCE = "shop"
AGENT = "shopper-7"


@dataclass
class Shop:
    """One guard over an in-memory log, a capability for refunds up to 5000, and
    ``ran``: every call the tool function actually ran, the watched side effect."""

    root: charter.RootKey = field(default_factory=charter.RootKey.generate)
    holder_key: charter.SigningKey = field(default_factory=charter.SigningKey.generate)
    log: charter.AuditLog = field(
        default_factory=lambda: charter.AuditLog.in_memory(charter.SigningKey.generate())
    )
    ran: list[dict[str, Any]] = field(default_factory=list)
    permits: list[charter.Permit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.verifier = charter.Verifier([self.root], AUDIENCE)
        self.guard = charter.Guard(
            self.verifier, charter.PermitIssuer(charter.SigningKey.generate(), AUDIENCE), self.log
        )
        self.gate = ToolGate(self.guard, self.log, agent=AGENT)
        self.holder = charter.Holder(self.holder_key)
        self.cap = charter.Issuer(self.root).issue(
            agent=AGENT, actions=["refund"], caveats=["args.amount <= 5000"], never_expires=True
        )
        self.bound = self.cap.bind_holder(self.holder.kid)

    def refund(self, order: str, amount: int, permit: charter.Permit | None = None) -> str:
        """The tool body: records that it ran, with the permit it ran under
        (``permit``, else the integration's current_permit())."""
        permit = permit or charter.tools.current_permit()
        self.ran.append({"order": order, "amount": amount})
        self.permits.append(permit)
        return f"refunded {amount} on {order}"

    def receipts(self) -> list[charter.Receipt]:
        """Every receipt recorded so far."""
        return self.log.receipts(0, len(self.log))

    def assert_receipt(self, receipt_hash: str | None, decision: str, args: dict[str, Any]) -> None:
        """The receipt named on the wire is in the log, for this decision and these args."""
        assert receipt_hash is not None
        matching = [r for r in self.receipts() if r.hash == receipt_hash]
        assert len(matching) == 1, f"receipt {receipt_hash} is not in the log"
        r = matching[0]
        assert (r.decision, r.action, r.agent) == (decision, "refund", AGENT)
        assert r.args == charter.hash_json(json.dumps(args))
