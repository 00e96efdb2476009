"""A Python MCP server over stdio whose one tool, ``refund``, Charter guards.

The half of the cross-language MCP test that serves (contract/wire.md): any
MCP client, in any language, that carries a capability in ``_meta`` can
call it. Configured by the environment, so a test in another language can
start it with keys it knows:

  CHARTER_WIRE_ROOT      hex of the root key the capabilities are minted with (required)
  CHARTER_WIRE_AUDIENCE  the server's audience (default "shop")
  CHARTER_WIRE_AGENT     the agent every call is decided for (default "shopper-7")
  CHARTER_WIRE_LOG       the JSON Lines audit log file (required): every decision's receipt
  CHARTER_WIRE_RAN       a file the tool appends one JSON line to each time it really runs
                         (required): the side effect a test watches

  python examples/python/mcp_stdio_server.py
"""

from __future__ import annotations

import json
import os
import sys

import charter
import charter.mcp
from charter.tools import ToolGate, current_permit
from mcp.server.mcpserver import MCPServer


def env(name: str, default: str | None = None) -> str:
    """An environment setting, or exit saying which is missing."""
    value = os.environ.get(name, default)
    if not value:
        sys.exit(f"mcp_stdio_server: set {name} (see the module docstring)")
    return value


def build() -> MCPServer:
    """The server: a guard over a file log, and the guarded refund tool."""
    root = charter.RootKey.from_bytes(bytes.fromhex(env("CHARTER_WIRE_ROOT")))
    audience = env("CHARTER_WIRE_AUDIENCE", "shop")
    ran_path = env("CHARTER_WIRE_RAN")
    log = charter.AuditLog.open(env("CHARTER_WIRE_LOG"), charter.SigningKey.generate())
    guard = charter.Guard(
        charter.Verifier([root], audience),
        charter.PermitIssuer(charter.SigningKey.generate(), audience),
        log,
    )
    gate = ToolGate(guard, log, agent=env("CHARTER_WIRE_AGENT", "shopper-7"))
    server: MCPServer = MCPServer(
        "charter-shop", extensions=[charter.mcp.CharterExtension(gate)]
    )

    @server.tool()
    def refund(order: str, amount: int) -> str:
        """Refund `amount` cents on `order`."""
        permit = current_permit()
        with open(ran_path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"order": order, "amount": amount, "permit": permit.claims.jti}) + "\n")
        return f"refunded {amount} on {order} (permit {permit.claims.jti})"

    return server


if __name__ == "__main__":
    build().run("stdio")
