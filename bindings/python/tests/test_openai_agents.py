"""charter.openai_agents against the real OpenAI Agents SDK (openai-agents==0.24.0):
Runner.run with the SDK's own ScriptedModel, so tool calls go through the SDK's
tool invocation path with no model and no network."""

from __future__ import annotations

import asyncio
from typing import Any

import agents
import charter.openai_agents
from agents import Agent, FunctionTool, RunConfig, Runner, function_tool
from agents.testing import ScriptedModel, assistant_message, function_call
from charter.tools import CallCredentials, capability_context
from kit import AUDIENCE, Shop


def refund_tool(shop: Shop) -> FunctionTool:
    @function_tool
    def refund(order: str, amount: int) -> str:
        """Refund an order."""
        return shop.refund(order, amount)

    return refund


def run(shop: Shop, tool: FunctionTool, calls: list[dict[str, Any]], context: Any) -> Any:
    model = ScriptedModel(
        [
            [function_call("refund", args, call_id=f"call-{i}") for i, args in enumerate(calls)],
            [assistant_message("done")],
        ]
    )
    agent = Agent(name="shop", tools=[tool], model=model)
    return asyncio.run(
        Runner.run(agent, "refund", context=context, run_config=RunConfig(tracing_disabled=True))
    )


def outputs(result: Any) -> list[str]:
    return [item.output for item in result.new_items if isinstance(item, agents.ToolCallOutputItem)]


def test_a_guarded_function_tool_keeps_its_schema() -> None:
    shop = Shop()
    plain = refund_tool(shop)
    guarded = charter.openai_agents.guard_tool(plain, shop.gate)
    assert (guarded.name, guarded.description, guarded.params_json_schema) == (
        plain.name, plain.description, plain.params_json_schema,
    )
    assert guarded.on_invoke_tool is not plain.on_invoke_tool


def test_allowed_calls_run_and_denied_ones_never_do_each_with_a_receipt() -> None:
    shop = Shop()
    tool = charter.openai_agents.guard_tool(refund_tool(shop), shop.gate)
    result = run(
        shop, tool,
        [{"order": "A-1", "amount": 100}, {"order": "A-2", "amount": 9000}],
        CallCredentials(shop.cap),
    )
    assert result.final_output == "done"
    ok, denied = outputs(result)
    assert ok == "refunded 100 on A-1"
    assert denied.startswith("denied: caveat_failed")
    assert shop.ran == [{"order": "A-1", "amount": 100}]
    # The SDK runs one turn's tool calls concurrently: receipts come in either order.
    receipts = shop.receipts()
    assert sorted(r.decision for r in receipts) == ["allow", "deny"]
    [allowed] = [r for r in receipts if r.decision == "allow"]
    assert allowed.permit == shop.permits[0].claims.jti


def test_without_credentials_in_the_run_every_call_is_denied() -> None:
    shop = Shop()
    tool = charter.openai_agents.guard_tool(refund_tool(shop), shop.gate)
    result = run(shop, tool, [{"order": "A-3", "amount": 1}], None)
    assert outputs(result)[0].startswith("denied: malformed")
    assert shop.ran == [] and [r.decision for r in shop.receipts()] == ["deny"]


def test_a_holder_bound_capability_from_the_capability_context() -> None:
    shop = Shop()
    tool = charter.openai_agents.guard_tool(refund_tool(shop), shop.gate)
    with capability_context(shop.bound, holder=shop.holder, audience=AUDIENCE):
        result = run(shop, tool, [{"order": "H-1", "amount": 5}, {"order": "H-2", "amount": 6}], None)
    assert outputs(result) == ["refunded 5 on H-1", "refunded 6 on H-2"]
    # The bound capability without a holder: denied.
    result = run(shop, tool, [{"order": "H-3", "amount": 7}], CallCredentials(shop.bound))
    assert outputs(result)[0].startswith("denied: proof_required")
    # H-1 and H-2 were one turn's calls, which the SDK runs concurrently.
    assert sorted(c["order"] for c in shop.ran) == ["H-1", "H-2"]
    assert [r.decision for r in shop.receipts()] == ["allow", "allow", "deny"]


def test_the_tool_input_guardrail_rejects_a_denied_call_before_the_tool() -> None:
    shop = Shop()
    ran: list[str] = []

    @function_tool(tool_input_guardrails=[charter.openai_agents.input_guardrail(shop.gate)])
    def refund(order: str, amount: int) -> str:
        """Refund an order (the guardrail decides; no permit in this idiom)."""
        ran.append(order)
        return f"refunded {amount} on {order}"

    result = run(
        shop, refund,
        [{"order": "G-1", "amount": 1}, {"order": "G-2", "amount": 9999}],
        CallCredentials(shop.cap),
    )
    ok, denied = outputs(result)
    assert ok == "refunded 1 on G-1"
    assert denied.startswith("denied: caveat_failed")
    assert ran == ["G-1"]
    assert sorted(r.decision for r in shop.receipts()) == ["allow", "deny"]
