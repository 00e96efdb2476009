"""An agent whose tools Charter gates, through the real OpenAI Agents SDK, offline.

No API key and no network: the model is the SDK's own ScriptedModel, which
asks for four tool calls as a real model would. The Agents SDK runs them
through its tool machinery; Charter decides each one before the tool runs:

- look up an order                       -> allowed
- refund 4200 cents                      -> allowed (the capability allows up to 5000)
- refund 9000 cents                      -> denied: caveat_failed, the tool never runs
- close the customer's account           -> denied: the capability does not name the action

Every decision leaves a receipt; the auditor verifies them all at the end.

Run: python examples/python/agent_shop.py   (pip install 'charter[openai-agents]')
"""

from __future__ import annotations

import asyncio
from typing import Any

import charter
import charter.openai_agents
from agents import Agent, RunConfig, Runner, ToolCallItem, ToolCallOutputItem, function_tool
from agents.testing import ScriptedModel, assistant_message, function_call
from charter.tools import CallCredentials, ToolGate, current_permit

# --- The platform: keys, a guard with an audit log, a capability for the agent ----
root = charter.RootKey.generate()
audit_key = charter.SigningKey.generate()
log = charter.AuditLog.in_memory(audit_key)
guard = charter.Guard(
    charter.Verifier([root], "shop"),
    charter.PermitIssuer(charter.SigningKey.generate(), "shop"),
    log,
)
gate = ToolGate(guard, log, agent="shop-assistant")
capability = charter.Issuer(root).issue(
    agent="shop-assistant",
    actions=["lookup_order", "refund"],
    caveats=["!has(args.amount) || args.amount <= 5000"],
    never_expires=True,
)

ran: list[str] = []


# --- The tools, as the application already wrote them -------------------------------
@function_tool
def lookup_order(order: str) -> str:
    """Look up an order's status."""
    ran.append(f"lookup_order {order}")
    return f"order {order}: delivered"


@function_tool
def refund(order: str, amount: int) -> str:
    """Refund `amount` cents on `order`."""
    ran.append(f"refund {order} {amount}")
    return f"refunded {amount} on {order} under permit {current_permit().claims.jti}"


@function_tool
def close_account(customer: str) -> str:
    """Close a customer's account."""
    ran.append(f"close_account {customer}")
    return f"closed {customer}"


# --- The agent: the same tools, each guarded -----------------------------------------
model = ScriptedModel(
    [
        [
            function_call("lookup_order", {"order": "A-1"}, call_id="1"),
            function_call("refund", {"order": "A-1", "amount": 4200}, call_id="2"),
            function_call("refund", {"order": "A-1", "amount": 9000}, call_id="3"),
            function_call("close_account", {"customer": "c-42"}, call_id="4"),
        ],
        [assistant_message("Done: one refund issued, the rest refused.")],
    ]
)
agent = Agent(
    name="shop-assistant",
    instructions="Help the customer.",
    tools=charter.openai_agents.guard_tools([lookup_order, refund, close_account], gate),
    model=model,
)


async def main() -> None:
    result = await Runner.run(
        agent,
        "My order A-1 arrived broken; refund it, and close my account.",
        context=CallCredentials(capability),
        run_config=RunConfig(tracing_disabled=True),
    )
    calls: dict[str, Any] = {}
    for item in result.new_items:
        raw: Any = item.raw_item
        if isinstance(item, ToolCallItem):
            calls[raw.call_id] = raw
        elif isinstance(item, ToolCallOutputItem):
            call = calls[raw["call_id"]]
            verdict = "DENIED " if str(item.output).startswith("denied") else "allowed"
            print(f"{verdict} {call.name}({call.arguments}) -> {item.output}")
    print(f"agent: {result.final_output}")
    print(f"tool functions that ran: {ran}")
    report = charter.verify_bundle(log.export_bundle(), log.keys())
    print(f"audit: {report.count} receipts verified, one per decision")


if __name__ == "__main__":
    asyncio.run(main())
