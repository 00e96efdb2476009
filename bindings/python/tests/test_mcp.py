"""charter.mcp against the real MCP SDK (mcp==2.3.0): a real client and server
talking over the SDK's in-memory transport, and over stdio to a server process."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from typing import Any

import charter
import pytest
import charter.mcp
from charter.mcp import CAPABILITY_KEY, PROOF_KEY, CapabilityCaller, denial_of
from conftest import ROOT
from kit import AGENT, AUDIENCE, Shop
from mcp import Client
from mcp.server.mcpserver import MCPServer


def wire(meta: dict[str, Any]) -> Any:
    """A hand-written ``_meta`` (the SDK types it as its TypedDict)."""
    return meta


def server_for(shop: Shop) -> MCPServer:
    server: MCPServer = MCPServer("shop", extensions=[charter.mcp.CharterExtension(shop.gate)])

    @server.tool()
    def refund(order: str, amount: int) -> str:
        """Refund an order."""
        return shop.refund(order, amount)

    return server


def run(shop: Shop, calls: Any) -> Any:
    async def go() -> Any:
        async with Client(server_for(shop)) as client:
            return await calls(client)

    return asyncio.run(go())


def test_an_allowed_call_runs_with_its_permit_and_a_receipt() -> None:
    shop = Shop()
    result = run(
        shop,
        lambda c: CapabilityCaller(c, shop.cap, agent=AGENT).call_tool(
            "refund", {"order": "A-1", "amount": 100}
        ),
    )
    assert not result.is_error and denial_of(result) is None
    assert result.content[0].text == "refunded 100 on A-1"
    assert shop.ran == [{"order": "A-1", "amount": 100}]
    [receipt] = shop.receipts()
    assert receipt.decision == "allow" and receipt.permit == shop.permits[0].claims.jti
    assert shop.permits[0].claims.act == "refund"


def test_a_denied_call_never_runs_and_names_its_reasons_and_receipt() -> None:
    shop = Shop()
    result = run(
        shop,
        lambda c: CapabilityCaller(c, shop.cap, agent=AGENT).call_tool(
            "refund", {"order": "A-2", "amount": 9000}
        ),
    )
    assert result.is_error
    assert shop.ran == []
    denial = denial_of(result)
    assert denial is not None
    assert [r["code"] for r in denial["reasons"]] == ["caveat_failed"]
    assert "caveat_failed" in result.content[0].text
    shop.assert_receipt(denial["receipt"], "deny", {"order": "A-2", "amount": 9000})


def test_a_call_without_a_capability_is_denied_with_a_receipt() -> None:
    shop = Shop()
    result = run(shop, lambda c: c.call_tool("refund", {"order": "A-3", "amount": 1}))
    denial = denial_of(result)
    assert result.is_error and denial is not None and shop.ran == []
    assert denial["reasons"][0]["code"] == "malformed"
    assert 'the call carried no capability: put it in the request\'s _meta["dev.charter/capability"]' in (
        result.content[0].text
    )
    shop.assert_receipt(denial["receipt"], "deny", {"order": "A-3", "amount": 1})


def test_a_holder_bound_capability_needs_a_fresh_proof_per_call() -> None:
    shop = Shop()

    async def calls(client: Client) -> list[Any]:
        caller = CapabilityCaller(
            client, shop.bound, agent=AGENT, holder=shop.holder, audience=AUDIENCE
        )
        first = await caller.call_tool("refund", {"order": "B-1", "amount": 10})
        second = await caller.call_tool("refund", {"order": "B-2", "amount": 20})
        bare = await client.call_tool(
            "refund", {"order": "B-3", "amount": 30}, meta=wire({CAPABILITY_KEY: shop.bound.serialize()})
        )
        # The same proof again: a replay.
        meta: Any = charter.mcp.call_meta(
            shop.bound, "refund", {"order": "B-4", "amount": 40},
            agent=AGENT, holder=shop.holder, audience=AUDIENCE,
        )
        once = await client.call_tool("refund", {"order": "B-4", "amount": 40}, meta=meta)
        twice = await client.call_tool("refund", {"order": "B-4", "amount": 40}, meta=meta)
        # A proof for other arguments does not carry over.
        moved = await client.call_tool(
            "refund", {"order": "B-5", "amount": 41},
            meta=wire({CAPABILITY_KEY: shop.bound.serialize(), PROOF_KEY: meta[PROOF_KEY]}),
        )
        return [first, second, bare, once, twice, moved]

    first, second, bare, once, twice, moved = run(shop, calls)
    assert [r.is_error for r in (first, second, bare, once, twice, moved)] == [
        False, False, True, False, True, True,
    ]
    assert [c["order"] for c in shop.ran] == ["B-1", "B-2", "B-4"]
    assert denial_of(bare)["reasons"][0]["code"] == "proof_required"  # type: ignore[index]
    assert [r.decision for r in shop.receipts()] == ["allow", "allow", "deny", "allow", "deny", "deny"]


def test_a_trusted_agent_claim_is_used_and_an_untrusted_one_ignored() -> None:
    for trust, expect_error in ((False, False), (True, True)):
        shop = Shop()
        shop.gate = charter.tools.ToolGate(shop.guard, shop.log, agent=AGENT, trust_agent=trust)
        # The capability is for AGENT; the client claims another name.
        result = run(
            shop,
            lambda c: CapabilityCaller(c, shop.cap, agent="mallory").call_tool(
                "refund", {"order": "C-1", "amount": 1}
            ),
        )
        assert result.is_error is expect_error
        assert shop.receipts()[0].agent == ("mallory" if trust else AGENT)


def test_a_low_level_server_handler_is_guarded_too() -> None:
    from mcp.server.lowlevel import Server
    from mcp.types import CallToolResult, ListToolsResult, TextContent, Tool

    shop = Shop()

    async def list_tools(ctx: Any, params: Any) -> ListToolsResult:
        return ListToolsResult(
            tools=[Tool(name="refund", input_schema={"type": "object"})]
        )

    async def call_tool(ctx: Any, params: Any) -> CallToolResult:
        args = params.arguments or {}
        text = shop.refund(args["order"], args["amount"])
        return CallToolResult(content=[TextContent(type="text", text=text)])

    server: Server[Any] = Server(
        "low", on_list_tools=list_tools,
        on_call_tool=charter.mcp.guard_call_tool(shop.gate, call_tool),
    )

    async def go() -> list[Any]:
        async with Client(server) as client:
            caller = CapabilityCaller(client, shop.cap, agent=AGENT)
            return [
                await caller.call_tool("refund", {"order": "L-1", "amount": 1}),
                await caller.call_tool("refund", {"order": "L-2", "amount": 6000}),
            ]

    ok, denied = asyncio.run(go())
    assert not ok.is_error and denied.is_error
    assert shop.ran == [{"order": "L-1", "amount": 1}]
    assert [r.decision for r in shop.receipts()] == ["allow", "deny"]


# The cross-language harness (contract/wire.md): a client runner command and a
# server command, each in Python or Node, with the same arguments and output.
EXAMPLES = ROOT / "examples"
PY_CLIENT = [sys.executable, str(EXAMPLES / "python" / "mcp_wire_client.py")]
PY_SERVER = [sys.executable, str(EXAMPLES / "python" / "mcp_stdio_server.py")]
# With the Node examples built (scripts/test-node.sh), the pairs to add are
# (["node", EXAMPLES/"node"/"mcp-client.mjs"], PY_SERVER) and
# (PY_CLIENT, ["node", EXAMPLES/"node"/"mcp-server.mjs"]).
PAIRS = {"python-client/python-server": (PY_CLIENT, PY_SERVER)}
WIRE_AUDIENCE = "tools.shop.example"


def drive(
    client: list[str], server: list[str], root: charter.RootKey, token: str,
    calls: list[tuple[str, dict[str, Any]]], holder_key: charter.SigningKey | None = None,
) -> tuple[list[dict[str, Any]], str]:
    argv = [*client, "--capability", token, "--audience", WIRE_AUDIENCE]
    if holder_key is not None:
        argv += ["--holder-key", holder_key.to_bytes().hex()]
    for name, args in calls:
        argv += ["--call", name, json.dumps(args)]
    env = {**os.environ, "CHARTER_ROOT_KEY": root.to_bytes().hex(), "CHARTER_AUDIENCE": WIRE_AUDIENCE}
    out = subprocess.run([*argv, "--", *server], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()], out.stderr


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_the_wire_convention_across_processes_over_stdio(pair: str) -> None:
    client, server = PAIRS[pair]
    root = charter.RootKey.generate()
    holder_key = charter.SigningKey.generate()
    cap = charter.Issuer(root).issue(
        agent="shopper-7", actions=["lookup", "refund"], never_expires=True
    ).attenuate('action != "refund" || args.amount <= 50')

    lines, err = drive(client, server, root, cap.serialize(), [
        ("refund", {"order": "A-1", "amount": 40}),
        ("refund", {"order": "A-1", "amount": 90}),
        ("lookup", {"order": "A-1"}),
    ])
    assert [(l["tool"], l["allowed"]) for l in lines] == [
        ("refund", True), ("refund", False), ("lookup", True),
    ]
    assert lines[0]["structuredContent"] == {"order": "A-1", "refunded": 40}
    assert lines[1]["denial"]["reasons"][0]["code"] == "caveat_failed"
    # The watched side effect: the refund ran once; every decision has a receipt line.
    assert err.count("refund ran under permit") == 1
    decisions = [l for l in err.splitlines() if ", receipt " in l]
    assert len(decisions) == 3
    assert any("denied (caveat_failed)" in l and lines[1]["denial"]["receipt"] in l for l in decisions)

    bound = cap.bind_holder(charter.Holder(holder_key).kid).serialize()
    lines, err = drive(client, server, root, bound, [("refund", {"order": "B-1", "amount": 10})], holder_key)
    assert lines[0]["allowed"] and err.count("refund ran under permit") == 1
    lines, err = drive(client, server, root, bound, [("refund", {"order": "B-2", "amount": 10})])
    assert not lines[0]["allowed"] and lines[0]["denial"]["reasons"][0]["code"] == "proof_required"
    assert "refund ran under permit" not in err
