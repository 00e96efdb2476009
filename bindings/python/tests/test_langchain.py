"""charter.langchain against the real langchain-core (1.8.1) and langgraph (1.2.22):
tool.invoke, and a LangGraph graph whose model is langchain-core's fake chat model."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import charter
import charter.langchain
import pytest
from charter.langchain import ToolDenied, guard_tools
from charter.tools import CallCredentials, capability_context
from kit import AGENT, AUDIENCE, Shop
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, InjectedToolCallId, tool
from langgraph.graph import END, START, MessagesState, StateGraph


def refund_tool(shop: Shop) -> BaseTool:
    @tool
    def refund(order: str, amount: int) -> str:
        """Refund an order."""
        return shop.refund(order, amount)

    return refund


def creds(cap: charter.Capability) -> RunnableConfig:
    return {"configurable": {"charter": CallCredentials(cap)}}


def test_guarded_tools_keep_name_description_and_schema() -> None:
    shop = Shop()
    plain = refund_tool(shop)
    [guarded] = guard_tools([plain], shop.gate)
    assert (guarded.name, guarded.description) == (plain.name, plain.description)
    assert guarded.args == plain.args
    schema: Any = guarded.tool_call_schema
    plain_schema: Any = plain.tool_call_schema
    assert schema.model_json_schema() == plain_schema.model_json_schema()
    assert "capability" not in guarded.args


def test_invoke_runs_allowed_calls_and_returns_denials_to_the_model() -> None:
    shop = Shop()
    [refund] = guard_tools([refund_tool(shop)], shop.gate)
    assert refund.invoke({"order": "A-1", "amount": 100}, config=creds(shop.cap)) == (
        "refunded 100 on A-1"
    )
    message = refund.invoke(
        {"type": "tool_call", "id": "t1", "name": "refund", "args": {"order": "A-2", "amount": 9000}},
        config=creds(shop.cap),
    )
    assert isinstance(message, ToolMessage) and message.status == "error"
    assert "caveat_failed" in str(message.content)
    assert shop.ran == [{"order": "A-1", "amount": 100}]
    assert [r.decision for r in shop.receipts()] == ["allow", "deny"]
    assert shop.receipts()[0].permit == shop.permits[0].claims.jti


def test_on_denied_raise_and_no_credentials() -> None:
    shop = Shop()
    [refund] = guard_tools([refund_tool(shop)], shop.gate, on_denied="raise")
    with pytest.raises(ToolDenied) as e:
        refund.invoke({"order": "A-3", "amount": 1})
    assert e.value.outcome.reasons[0].code == "malformed"
    shop.assert_receipt(e.value.outcome.receipt, "deny", {"order": "A-3", "amount": 1})
    assert shop.ran == []


def test_the_capability_context_and_async_invoke_with_a_holder_proof() -> None:
    shop = Shop()
    [refund] = guard_tools([refund_tool(shop)], shop.gate)
    with capability_context(shop.bound, holder=shop.holder, audience=AUDIENCE):
        assert asyncio.run(refund.ainvoke({"order": "H-1", "amount": 5})) == "refunded 5 on H-1"
        assert refund.invoke({"order": "H-2", "amount": 6}) == "refunded 6 on H-2"
    assert "proof_required" in refund.invoke({"order": "H-3", "amount": 7}, config=creds(shop.bound))
    assert [c["order"] for c in shop.ran] == ["H-1", "H-2"]
    assert [r.decision for r in shop.receipts()] == ["allow", "allow", "deny"]


def test_the_decorator_composes_under_langchains_tool() -> None:
    shop = Shop()

    @tool
    @charter.guard(shop.guard, action="refund", agent=AGENT)
    def refund(order: str, amount: int, permit: charter.Permit) -> str:
        """Refund an order."""
        assert permit.claims.jti == charter.tools.current_permit().claims.jti
        return shop.refund(order, amount)

    assert set(refund.args) == {"order", "amount"}
    with capability_context(shop.cap):
        assert refund.invoke({"order": "D-1", "amount": 1}) == "refunded 1 on D-1"
        with pytest.raises(charter.Denied):
            refund.invoke({"order": "D-2", "amount": 9000})
    with pytest.raises(charter.UsageError, match="capability_context"):
        refund.invoke({"order": "D-3", "amount": 1})
    assert [c["order"] for c in shop.ran] == ["D-1"]
    assert [r.decision for r in shop.receipts()] == ["allow", "deny"]


def test_the_decorator_over_a_finished_tool_says_what_to_do() -> None:
    shop = Shop()
    with pytest.raises(charter.UsageError, match="guard_tools"):
        finished: Any = refund_tool(shop)
        charter.guard(shop.guard, action="refund", agent=AGENT)(finished)


def test_a_langgraph_graph_with_a_fake_model_and_the_guarded_tool_node() -> None:
    shop = Shop()
    model = GenericFakeChatModel(
        messages=iter(
            [
                AIMessage(
                    content="",
                    tool_calls=[
                        {"name": "refund", "args": {"order": "G-1", "amount": 100}, "id": "c1"},
                        {"name": "refund", "args": {"order": "G-2", "amount": 9000}, "id": "c2"},
                    ],
                )
            ]
        )
    )

    def agent(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    graph = StateGraph(MessagesState)
    graph.add_node("agent", agent)
    graph.add_node("tools", charter.langchain.tool_node([refund_tool(shop)], shop.gate))
    graph.add_edge(START, "agent")
    graph.add_edge("agent", "tools")
    graph.add_edge("tools", END)
    app = graph.compile()
    state: Any = {"messages": [HumanMessage("refund both")]}
    out = app.invoke(state, config=creds(shop.cap))
    results = {m.tool_call_id: m for m in out["messages"] if isinstance(m, ToolMessage)}
    assert results["c1"].content == "refunded 100 on G-1" and results["c1"].status == "success"
    assert results["c2"].status == "error" and "caveat_failed" in str(results["c2"].content)
    assert shop.ran == [{"order": "G-1", "amount": 100}]
    assert sorted(r.decision for r in shop.receipts()) == ["allow", "deny"]


def test_injected_arguments_reach_the_tool_but_are_not_decided() -> None:
    shop = Shop()
    seen: list[str] = []

    @tool
    def refund(order: str, amount: int, tool_call_id: Annotated[str, InjectedToolCallId]) -> str:
        """Refund an order."""
        seen.append(tool_call_id)
        return shop.refund(order, amount)

    [guarded] = guard_tools([refund], shop.gate)
    assert "tool_call_id" not in guarded.tool_call_schema.model_json_schema()["properties"]  # type: ignore[union-attr]
    call = {"type": "tool_call", "id": "call-9", "name": "refund", "args": {"order": "I-1", "amount": 3}}
    message = guarded.invoke(call, config=creds(shop.cap))
    assert message.content == "refunded 3 on I-1" and seen == ["call-9"]
    shop.assert_receipt(shop.receipts()[0].hash, "allow", {"order": "I-1", "amount": 3})
