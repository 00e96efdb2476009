"""Drives any MCP server command over stdio through the wire convention (contract/wire.md).

The half of the cross-language MCP test that calls: it mints capabilities
with the server's root key, starts the server command as a subprocess with
the environment ``examples/python/mcp_stdio_server.py`` documents, makes
five calls through the real MCP client, and checks every answer:

  1. a bearer capability, amount 100          -> runs
  2. the same capability, amount 9000         -> denied (caveat_failed), does not run
  3. no capability at all                     -> denied, does not run
  4. a holder-bound capability with a proof   -> runs
  5. the holder-bound capability, no proof    -> denied, does not run

then reads the server's audit log (one receipt per call, allow/deny as
expected, and each denial's ``receipt`` hash among them) and its ran file
(exactly calls 1 and 4). Prints one line per call and exits 1 on any
mismatch.

  python examples/python/mcp_wire_client.py -- python examples/python/mcp_stdio_server.py
  python examples/python/mcp_wire_client.py -- node examples/node/mcp-stdio-server.js
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from typing import Any, cast

import charter
from charter.mcp import CAPABILITY_KEY, CapabilityCaller, denial_of
from mcp import Client, StdioServerParameters

AUDIENCE = "shop"
AGENT = "shopper-7"


async def drive(command: list[str], workdir: str) -> list[str]:
    """Runs the five calls against ``command``; returns the problems found."""
    root = charter.RootKey.generate()
    holder = charter.Holder(charter.SigningKey.generate())
    cap = charter.Issuer(root).issue(
        agent=AGENT, actions=["refund"], caveats=["args.amount <= 5000"], never_expires=True
    )
    bound = cap.bind_holder(holder.kid)
    log_path = os.path.join(workdir, "audit.jsonl")
    ran_path = os.path.join(workdir, "ran.jsonl")
    env = {
        **os.environ,
        "CHARTER_WIRE_ROOT": root.to_bytes().hex(),
        "CHARTER_WIRE_AUDIENCE": AUDIENCE,
        "CHARTER_WIRE_AGENT": AGENT,
        "CHARTER_WIRE_LOG": log_path,
        "CHARTER_WIRE_RAN": ran_path,
    }
    params = StdioServerParameters(command=command[0], args=command[1:], env=env)
    problems: list[str] = []
    denial_receipts: list[str] = []

    def expect(label: str, result: Any, allowed: bool, code: str | None = None) -> None:
        denial = denial_of(result)
        text = " ".join(getattr(c, "text", "") for c in result.content)
        print(f"{label}: {'error' if result.is_error else 'ok'}: {text}")
        if allowed and (result.is_error or denial is not None):
            problems.append(f"{label}: expected the tool to run, got {text!r}")
        if not allowed:
            if not result.is_error or denial is None:
                problems.append(f"{label}: expected a denial with _meta dev.charter/denial, got {text!r}")
                return
            codes = [r["code"] for r in denial["reasons"]]
            if code is not None and code not in codes:
                problems.append(f"{label}: expected reason {code}, got {codes}")
            denial_receipts.append(denial["receipt"])

    async with Client(params) as client:
        bearer = CapabilityCaller(client, cap, agent=AGENT)
        expect("1 bearer, 100", await bearer.call_tool("refund", {"order": "A-1", "amount": 100}), True)
        expect(
            "2 bearer, 9000",
            await bearer.call_tool("refund", {"order": "A-2", "amount": 9000}),
            False,
            "caveat_failed",
        )
        expect("3 no capability", await client.call_tool("refund", {"order": "A-3", "amount": 1}), False)
        proved = CapabilityCaller(client, bound, agent=AGENT, holder=holder, audience=AUDIENCE)
        expect("4 holder, proof", await proved.call_tool("refund", {"order": "A-4", "amount": 40}), True)
        expect(
            "5 holder, no proof",
            await client.call_tool(
                "refund", {"order": "A-5", "amount": 50}, meta=cast(Any, {CAPABILITY_KEY: bound.serialize()})
            ),
            False,
        )

    with open(log_path, encoding="utf-8") as f:
        receipts = [charter.Receipt.parse(line.rstrip("\n")) for line in f if line.strip()]
    decisions = [r.decision for r in receipts]
    if decisions != ["allow", "deny", "deny", "allow", "deny"]:
        problems.append(f"receipts: expected allow, deny, deny, allow, deny; got {decisions}")
    hashes = {r.hash for r in receipts}
    for h in denial_receipts:
        if h not in hashes:
            problems.append(f"the denial's receipt {h} is not in the server's log")
    ran: list[str] = []
    if os.path.exists(ran_path):
        with open(ran_path, encoding="utf-8") as f:
            ran = [json.loads(line)["order"] for line in f]
    if ran != ["A-1", "A-4"]:
        problems.append(f"the tool ran for {ran}, expected exactly A-1 and A-4")
    return problems


def main(argv: list[str]) -> int:
    """``mcp_wire_client.py -- COMMAND...``"""
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not command:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory() as workdir:
        problems = asyncio.run(drive(command, workdir))
    for p in problems:
        print(f"FAIL: {p}")
    print("wire: OK" if not problems else f"wire: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
