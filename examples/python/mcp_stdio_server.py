"""A Python MCP server over stdio whose every ``tools/call`` Charter decides first.

The serving half of the cross-language MCP test (contract/wire.md, "The
cross-language test harness"): any MCP client, in any language, that carries
a capability in ``_meta`` can call it, and it is started the same way as
examples/node/mcp-server.mjs:

  CHARTER_ROOT_KEY=<hex of the root key bytes> python examples/python/mcp_stdio_server.py

Environment: CHARTER_ROOT_KEY (required), CHARTER_AUDIENCE (default
tools.shop.example), CHARTER_AGENT (the agent every call is decided for,
default shopper-7), CHARTER_TRUST_AGENT=1 to decide for the agent the client
names instead (a claim, not an identity, unless the capability is
holder-bound), CHARTER_AUDIT_LOG (a JSON Lines log file; in memory without
it). Tools: ``lookup {order}`` and ``refund {order, amount}``. It speaks MCP
on stdin/stdout and writes one line per decision, and one per refund that
really ran, to stderr:

  mcp-server: shopper-7 refund {"amount":90,"order":"A-1"}: denied (caveat_failed), receipt <hash>
  mcp-server: refund ran under permit <jti>
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import TypedDict

import charter
import charter.mcp
from charter.tools import Outcome, ToolGate, current_permit
from mcp.server.mcpserver import MCPServer


class Order(TypedDict):
    """An order's status."""

    order: str
    status: str


class Refunded(TypedDict):
    """What a refund did."""

    order: str
    refunded: int


def log_decision(outcome: Outcome) -> None:
    """One stderr line per decision, with its receipt."""
    r = outcome.request
    why = "allowed" if outcome.allowed else f"denied ({', '.join(x.code for x in outcome.reasons)})"
    args = charter.canonicalize_json(json.dumps(r.args))
    print(f"mcp-server: {r.agent} {r.action} {args}: {why}, receipt {outcome.receipt}", file=sys.stderr, flush=True)


def build() -> MCPServer:
    """The server: a guard over the log, and the two guarded tools."""
    key = os.environ.get("CHARTER_ROOT_KEY", "")
    if not re.fullmatch(r"(?:[0-9a-fA-F]{2}){32,1024}", key):
        sys.exit("mcp-server: set CHARTER_ROOT_KEY to the hex bytes of the root key (32 bytes or more)")
    root = charter.RootKey.from_bytes(bytes.fromhex(key))
    audience = os.environ.get("CHARTER_AUDIENCE") or "tools.shop.example"
    signer = charter.SigningKey.generate()
    path = os.environ.get("CHARTER_AUDIT_LOG")
    log = charter.AuditLog.open(path, signer) if path else charter.AuditLog.in_memory(signer)
    guard = charter.Guard(
        charter.Verifier([root], audience),
        charter.PermitIssuer(charter.SigningKey.generate(), "mcp-server.example"),
        log,
    )
    gate = ToolGate(
        guard,
        log,
        agent=os.environ.get("CHARTER_AGENT") or "shopper-7",
        trust_agent=os.environ.get("CHARTER_TRUST_AGENT") == "1",
        on_decision=log_decision,
    )
    server: MCPServer = MCPServer("charter-shop", extensions=[charter.mcp.CharterExtension(gate)])

    @server.tool()
    def lookup(order: str) -> Order:
        """Look an order up."""
        return {"order": order, "status": "shipped" if order == "A-1" else "unknown"}

    @server.tool()
    def refund(order: str, amount: int) -> Refunded:
        """Refund part of an order."""
        # Runs only when allowed; the permit for exactly this call is here.
        print(f"mcp-server: refund ran under permit {current_permit().claims.jti}", file=sys.stderr, flush=True)
        return {"order": order, "refunded": amount}

    return server


if __name__ == "__main__":
    build().run("stdio")
