"""Charter for the OpenAI Agents SDK (``pip install charter[openai-agents]``).

:func:`guard_tool` returns a copy of a ``FunctionTool`` (same name,
description and JSON schema) whose invocation is decided first: the tool
function runs only when allowed, with its permit as
:func:`charter.tools.current_permit`; a denial goes back to the model as the
tool's output, naming the reasons, and the function never runs::

    refund = charter.openai_agents.guard_tool(refund_tool, gate)
    agent = Agent(name="shop", tools=[refund])
    await Runner.run(agent, "...", context=charter.tools.CallCredentials(cap))

The capability comes from the run context (a :class:`CallCredentials`, or
any context object with a ``charter`` attribute holding one), else from
:func:`charter.tools.capability_context`; never from the model's arguments.
The args decided are the tool call's arguments as the model sent them.

:func:`input_guardrail` is the same decision as the SDK's tool input
guardrail (``FunctionTool(tool_input_guardrails=[...])``), rejecting the
call's content on denial, for code that prefers that idiom; the guarded
tool itself does not see the permit then.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Sequence

try:
    from agents import FunctionTool, Tool, ToolGuardrailFunctionOutput, ToolInputGuardrail
    from agents.tool_context import ToolContext
    from agents.tool_guardrails import ToolInputGuardrailData
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "charter.openai_agents needs the OpenAI Agents SDK: "
        f"pip install 'charter[openai-agents]'; importing it failed: {e}"
    ) from e

from charter._charter import Request
from charter.tools import (
    CallCredentials,
    Outcome,
    ToolGate,
    WireReason,
    current_credentials,
    permit_context,
    usage_error,
)


def credentials_from(context: Any) -> CallCredentials | None:
    """The credentials of a run: its context (or ``context.charter``), else the capability context."""
    if isinstance(context, CallCredentials):
        return context
    attached = getattr(context, "charter", None)
    if isinstance(attached, CallCredentials):
        return attached
    return current_credentials()


def _arguments(raw: str) -> dict[str, Any] | None:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


async def decide(gate: ToolGate, ctx: ToolContext[Any]) -> Outcome:
    """Decides one tool call from its context: the tool name and the arguments as sent."""
    args = _arguments(ctx.tool_arguments)
    if args is None:
        reason = WireReason(
            "malformed", f"tool {ctx.tool_name!r} was called with arguments that are not a JSON object"
        )
        return Outcome(Request("-", ctx.tool_name or "-", {}), None, [reason], None)
    return await gate.decide_with_async(credentials_from(ctx.context), ctx.tool_name, args)


def guard_tool(tool: FunctionTool, gate: ToolGate) -> FunctionTool:
    """A copy of ``tool`` that runs only when ``gate`` allows each call."""
    if not isinstance(tool, FunctionTool):
        raise usage_error(
            f"guard_tool needs an agents.FunctionTool, got {type(tool).__name__}: "
            "make it one with @agents.function_tool first"
        )
    if not isinstance(gate, ToolGate):
        raise usage_error("guard_tool(tool, gate) needs a charter.tools.ToolGate")
    invoke = tool.on_invoke_tool

    async def guarded(ctx: ToolContext[Any], raw: str) -> Any:
        outcome = await decide(gate, ctx)
        if outcome.permit is None:
            return outcome.message()
        with permit_context(outcome.permit):
            return await invoke(ctx, raw)

    return dataclasses.replace(tool, on_invoke_tool=guarded)


def guard_tools(tools: Sequence[FunctionTool], gate: ToolGate) -> list[Tool]:
    """Every tool guarded by ``gate`` (:func:`guard_tool`), in order, as ``Agent(tools=...)`` takes them."""
    return [guard_tool(t, gate) for t in tools]


def input_guardrail(gate: ToolGate) -> ToolInputGuardrail[Any]:
    """A tool input guardrail deciding each call; a denial rejects it with the reasons."""
    if not isinstance(gate, ToolGate):
        raise usage_error("input_guardrail(gate) needs a charter.tools.ToolGate")

    async def charter_capability(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
        outcome = await decide(gate, data.context)
        if outcome.permit is None:
            return ToolGuardrailFunctionOutput.reject_content(
                outcome.message(), output_info=outcome.denial_json()
            )
        return ToolGuardrailFunctionOutput.allow(
            output_info={"receipt": outcome.receipt, "permit": outcome.permit.token}
        )

    return ToolInputGuardrail(guardrail_function=charter_capability, name="charter_capability")


__all__ = [
    "credentials_from",
    "decide",
    "guard_tool",
    "guard_tools",
    "input_guardrail",
]
