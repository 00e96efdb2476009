"""Charter for LangChain and LangGraph (``pip install charter[langchain]``).

:func:`guard_tools` wraps existing tools so each call is decided before the
tool runs. The wrapped tools keep their name, description and argument
schema exactly, so the model sees the same tools; the capability never is
an argument. It comes from the run config::

    tools = charter.langchain.guard_tools([refund, lookup], gate)
    tools[0].invoke({"order": "A-1", "amount": 4200},
                    config={"configurable": {"charter": charter.tools.CallCredentials(cap)}})

or from :func:`charter.tools.capability_context` around the run. A denied
call returns the reasons to the model as an error ``ToolMessage`` (or raises
:class:`ToolDenied` with ``on_denied="raise"``), and the tool never runs.
In LangGraph, :func:`tool_node` is ``ToolNode`` over guarded tools.
"""

from __future__ import annotations

import inspect
from typing import Any, Literal, Sequence

try:
    from langchain_core.callbacks import (
        AsyncCallbackManagerForToolRun,
        CallbackManagerForToolRun,
    )
    from langchain_core.runnables import RunnableConfig
    from langchain_core.tools import BaseTool, ToolException
    from pydantic import ConfigDict
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "charter.langchain needs langchain-core: pip install 'charter[langchain]'; "
        f"importing it failed: {e}"
    ) from e

from charter._charter import Capability
from charter.tools import (
    CallCredentials,
    Outcome,
    ToolGate,
    current_credentials,
    permit_context,
    usage_error,
)

CONFIG_KEY = "charter"
"""Key under ``config["configurable"]`` holding the :class:`CallCredentials` of a run."""


class ToolDenied(ToolException):
    """A guarded tool call was denied; ``outcome`` has the reasons and the receipt."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.message())
        self.outcome = outcome
        """The gate's decision."""


def credentials_from(config: RunnableConfig | None) -> CallCredentials | None:
    """The credentials of a run: ``config["configurable"]["charter"]``, else the capability context.

    A plain capability (or its text) under the key is taken as a bearer
    capability with no holder.
    """
    configurable = (config or {}).get("configurable") or {}
    value = configurable.get(CONFIG_KEY)
    if value is None:
        return current_credentials()
    if isinstance(value, CallCredentials):
        return value
    if isinstance(value, (str, Capability)):
        return CallCredentials(value)
    raise usage_error(
        f'config["configurable"][{CONFIG_KEY!r}] must be a charter.tools.CallCredentials '
        "or a capability"
    )


def _takes(fn: Any, name: str) -> bool:
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


class GuardedTool(BaseTool):
    """A tool that runs ``inner`` only when the gate allows the call.

    Name, description, argument schema and response format are ``inner``'s.
    The args decided are the tool's arguments after its schema validated
    them (the keys the model sent); arguments the framework injects (LangGraph
    state or store, the tool call id) run the tool but are not decided.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: BaseTool
    """The tool being guarded."""
    gate: ToolGate
    """The gate deciding each call."""
    on_denied: Literal["error", "raise"] = "error"
    """``"error"``: the reasons go back to the model as an error ToolMessage; ``"raise"``: ToolDenied propagates."""

    def _decided_args(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The arguments the model sent: injected ones (state, store, call id) are not decided."""
        schema: Any = self.inner.tool_call_schema
        if isinstance(schema, dict):
            visible = set(schema.get("properties", {}))
        else:
            visible = set(getattr(schema, "model_fields", None) or getattr(schema, "__fields__", {}))
        return {k: v for k, v in kwargs.items() if k in visible}

    def _decide(self, config: RunnableConfig | None, kwargs: dict[str, Any]) -> Outcome:
        return self.gate.decide_with(credentials_from(config), self.name, self._decided_args(kwargs))

    def _inner_kwargs(
        self, fn: Any, kwargs: dict[str, Any], config: RunnableConfig, run_manager: Any
    ) -> dict[str, Any]:
        call = dict(kwargs)
        if run_manager is not None and _takes(fn, "run_manager"):
            call["run_manager"] = run_manager
        if _takes(fn, "config"):
            call["config"] = config
        return call

    def _run(
        self,
        *args: Any,
        config: RunnableConfig,
        run_manager: CallbackManagerForToolRun | None = None,
        **kwargs: Any,
    ) -> Any:
        if args:
            raise usage_error("a guarded tool takes keyword arguments (a dict input)")
        outcome = self._decide(config, kwargs)
        if outcome.permit is None:
            raise ToolDenied(outcome)
        with permit_context(outcome.permit):
            return self.inner._run(
                **self._inner_kwargs(self.inner._run, kwargs, config, run_manager)
            )

    async def _arun(
        self,
        *args: Any,
        config: RunnableConfig,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
        **kwargs: Any,
    ) -> Any:
        if args:
            raise usage_error("a guarded tool takes keyword arguments (a dict input)")
        outcome = await self.gate.decide_with_async(
            credentials_from(config), self.name, self._decided_args(kwargs)
        )
        if outcome.permit is None:
            raise ToolDenied(outcome)
        with permit_context(outcome.permit):
            return await self.inner._arun(
                **self._inner_kwargs(self.inner._arun, kwargs, config, run_manager)
            )


def guard_tool(
    tool: BaseTool, gate: ToolGate, *, on_denied: Literal["error", "raise"] = "error"
) -> GuardedTool:
    """``tool`` guarded by ``gate``, with the same name, description and schema."""
    if not isinstance(tool, BaseTool):
        raise usage_error(
            f"guard_tool needs a LangChain tool (BaseTool), got {type(tool).__name__}: "
            "make it one with @langchain_core.tools.tool first"
        )
    if not isinstance(gate, ToolGate):
        raise usage_error("guard_tool(tool, gate) needs a charter.tools.ToolGate")
    return GuardedTool(
        name=tool.name,
        description=tool.description,
        args_schema=tool.args_schema,
        return_direct=tool.return_direct,
        response_format=tool.response_format,
        metadata=tool.metadata,
        tags=tool.tags,
        handle_tool_error=on_denied == "error",
        inner=tool,
        gate=gate,
        on_denied=on_denied,
    )


def guard_tools(
    tools: Sequence[BaseTool], gate: ToolGate, *, on_denied: Literal["error", "raise"] = "error"
) -> list[GuardedTool]:
    """Every tool guarded by ``gate`` (:func:`guard_tool`), in order."""
    return [guard_tool(t, gate, on_denied=on_denied) for t in tools]


def tool_node(tools: Sequence[BaseTool], gate: ToolGate, **kwargs: Any) -> Any:
    """A LangGraph ``ToolNode`` running the guarded tools (``pip install langgraph``).

    Keyword arguments go to ``ToolNode``. The credentials come from the
    graph's run config (``configurable["charter"]``) or the capability context.
    """
    try:
        from langgraph.prebuilt import ToolNode
    except ImportError as e:
        raise ImportError(
            "charter.langchain.tool_node needs LangGraph: pip install 'charter[langchain]'; "
            f"importing it failed: {e}"
        ) from e
    return ToolNode(guard_tools(tools, gate), **kwargs)


__all__ = [
    "CONFIG_KEY",
    "GuardedTool",
    "ToolDenied",
    "credentials_from",
    "guard_tool",
    "guard_tools",
    "tool_node",
]
