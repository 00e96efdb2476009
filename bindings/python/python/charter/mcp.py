"""Charter for the official MCP SDK (``pip install charter[mcp]``, mcp 2.x).

Server side: every ``tools/call`` is decided before the tool runs, from the
capability and holder proof the client put in the request's ``_meta``
(contract/wire.md). A denial is a ``CallToolResult`` with ``isError: true``,
the reasons as text and under ``_meta["dev.charter/denial"]``; the tool
function never runs. An allowed call runs with its permit available through
:func:`charter.tools.current_permit`::

    gate = charter.tools.ToolGate(guard, log, agent="shopper-7")
    server = MCPServer("shop", extensions=[charter.mcp.CharterExtension(gate)])

For a low-level ``mcp.server.lowlevel.Server``, wrap its handler:
``Server("shop", on_call_tool=charter.mcp.guard_call_tool(gate, handler))``.

Client side: :class:`CapabilityCaller` attaches the capability, a fresh
holder proof for the exact call and the agent name to each call::

    caller = charter.mcp.CapabilityCaller(client, cap, agent="shopper-7",
                                          holder=holder, audience="shop")
    result = await caller.call_tool("refund", {"order": "A-1", "amount": 4200})
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Mapping

try:
    import mcp.types as mcp_types
    from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
    from mcp.server.extension import Extension
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "charter.mcp needs the MCP SDK: pip install 'charter[mcp]' (mcp 2.x); "
        f"importing it failed: {e}"
    ) from e

from charter._charter import Capability, Holder, Request
from charter.tools import Outcome, ToolGate, permit_context, usage_error

CAPABILITY_KEY = "dev.charter/capability"
"""``_meta`` key of the capability token text (contract/wire.md)."""
PROOF_KEY = "dev.charter/proof"
"""``_meta`` key of the holder proof text."""
AGENT_KEY = "dev.charter/agent"
"""``_meta`` key of the agent name (a claim; used only by a server that trusts it)."""
DENIAL_KEY = "dev.charter/denial"
"""Result ``_meta`` key of a denial: ``{"reasons": [...], "receipt": ...}``."""
EXTENSION_ID = "dev.charter/capability"
"""The identifier :class:`CharterExtension` advertises in the server's capabilities."""

CallToolHandler = Callable[
    [ServerRequestContext[Any, Any], mcp_types.CallToolRequestParams], Awaitable[Any]
]
"""A low-level ``tools/call`` handler: (context, params) -> result."""


def _text(meta: Mapping[str, Any] | None, key: str) -> str | None:
    value = None if meta is None else meta.get(key)
    return value if isinstance(value, str) else None


NO_CAPABILITY_HINT = (
    f'the call carried no capability: put it in the request\'s _meta["{CAPABILITY_KEY}"] '
    "(charter.mcp.CapabilityCaller does, with a fresh holder proof per call)"
)
"""Added to the denial text of a call that carried no capability."""


def denial_result(outcome: Outcome, hint: str | None = None) -> mcp_types.CallToolResult:
    """The ``CallToolResult`` of a denied call (contract/wire.md); ``hint`` ends its text."""
    text = outcome.message() if hint is None else f"{outcome.message()} ({hint})"
    return mcp_types.CallToolResult(
        content=[mcp_types.TextContent(type="text", text=text)],
        is_error=True,
        _meta={DENIAL_KEY: outcome.denial_json()},
    )


def _hint(params: mcp_types.CallToolRequestParams) -> str | None:
    meta: Mapping[str, Any] | None = params.meta
    return NO_CAPABILITY_HINT if _text(meta, CAPABILITY_KEY) is None else None


async def decide_call(gate: ToolGate, params: mcp_types.CallToolRequestParams) -> Outcome:
    """Decides one ``tools/call`` from its name, arguments and ``_meta``, off the event loop."""
    meta: Mapping[str, Any] | None = params.meta
    return await gate.decide_async(
        _text(meta, CAPABILITY_KEY),
        params.name,
        params.arguments or {},
        _text(meta, PROOF_KEY),
        _text(meta, AGENT_KEY),
    )


class CharterExtension(Extension):
    """An MCP server extension deciding every ``tools/call`` with a :class:`ToolGate`.

    Pass it to ``MCPServer(..., extensions=[CharterExtension(gate)])``. A
    denied call is answered with :func:`denial_result` and never reaches the
    tool; an allowed one runs with its permit as
    :func:`charter.tools.current_permit`.
    """

    identifier = EXTENSION_ID

    def __init__(self, gate: ToolGate) -> None:
        if not isinstance(gate, ToolGate):
            raise usage_error("CharterExtension(gate) needs a charter.tools.ToolGate")
        self.gate = gate
        """The gate deciding each call."""

    async def intercept_tool_call(
        self,
        params: mcp_types.CallToolRequestParams,
        ctx: ServerRequestContext[Any, Any],
        call_next: CallNext,
    ) -> HandlerResult:
        """Decides the call; runs the tool only when allowed."""
        outcome = await decide_call(self.gate, params)
        if outcome.permit is None:
            return denial_result(outcome, _hint(params))
        with permit_context(outcome.permit):
            return await call_next(ctx)


def guard_call_tool(gate: ToolGate, handler: CallToolHandler) -> CallToolHandler:
    """Wraps a low-level server's ``on_call_tool`` handler so each call is decided first."""

    async def guarded(
        ctx: ServerRequestContext[Any, Any], params: mcp_types.CallToolRequestParams
    ) -> Any:
        outcome = await decide_call(gate, params)
        if outcome.permit is None:
            return denial_result(outcome, _hint(params))
        with permit_context(outcome.permit):
            return await handler(ctx, params)

    return guarded


def call_meta(
    capability: Capability | str,
    tool: str,
    arguments: Mapping[str, Any] | None,
    *,
    agent: str,
    holder: Holder | None = None,
    audience: str | None = None,
) -> dict[str, Any]:
    """The ``_meta`` of one ``tools/call``: the capability, a fresh proof, the agent.

    With ``holder``, the proof is made for the exact request the server will
    decide (``agent``, the tool name, the arguments) and for ``audience``
    (the server's). A proof is single use: make a new one per call.
    """
    token = capability.serialize() if isinstance(capability, Capability) else capability
    meta: dict[str, Any] = {CAPABILITY_KEY: token, AGENT_KEY: agent}
    if holder is not None:
        if not audience:
            raise usage_error("a holder proof needs audience= (the server's audience)")
        request = Request(agent, tool, dict(arguments or {}))
        meta[PROOF_KEY] = holder.prove(capability, request, audience)
    return meta


def denial_of(result: mcp_types.CallToolResult) -> dict[str, Any] | None:
    """The ``dev.charter/denial`` of a result (``{"reasons", "receipt"}``), or None."""
    meta = result.meta or {}
    denial = meta.get(DENIAL_KEY)
    return denial if isinstance(denial, dict) else None


class CapabilityCaller:
    """Calls tools on an ``mcp.Client`` with a capability attached to each call.

    ``client`` is a connected ``mcp.Client`` (or ``ClientSession``: anything
    with ``call_tool(name, arguments, meta=...)``).
    """

    def __init__(
        self,
        client: Any,
        capability: Capability | str,
        *,
        agent: str,
        holder: Holder | None = None,
        audience: str | None = None,
    ) -> None:
        if holder is not None and not audience:
            raise usage_error("CapabilityCaller(holder=...) needs audience= (the server's)")
        self.client = client
        """The MCP client calls go through."""
        self.capability = capability
        """The capability attached to each call."""
        self.agent = agent
        """The agent name sent (and proved for)."""
        self.holder = holder
        """The holder proving each call, or None for a bearer capability."""
        self.audience = audience
        """The server's audience, for the proofs."""

    async def call_tool(
        self, name: str, arguments: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> mcp_types.CallToolResult:
        """``client.call_tool`` with the capability, a fresh proof and the agent in ``_meta``."""
        args = dict(arguments or {})
        meta = call_meta(
            self.capability,
            name,
            args,
            agent=self.agent,
            holder=self.holder,
            audience=self.audience,
        )
        extra = kwargs.pop("meta", None) or {}
        result: mcp_types.CallToolResult = await self.client.call_tool(
            name, args, meta={**extra, **meta}, **kwargs
        )
        return result


__all__ = [
    "AGENT_KEY",
    "CAPABILITY_KEY",
    "DENIAL_KEY",
    "EXTENSION_ID",
    "NO_CAPABILITY_HINT",
    "PROOF_KEY",
    "CallToolHandler",
    "CapabilityCaller",
    "CharterExtension",
    "call_meta",
    "decide_call",
    "denial_of",
    "denial_result",
    "guard_call_tool",
]
