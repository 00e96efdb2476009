"""Deciding framework tool calls: the one piece every integration shares.

A framework integration (:mod:`charter.mcp`, :mod:`charter.openai_agents`,
:mod:`charter.langchain`, :mod:`charter.fastapi`) turns each tool call into
one :class:`Request` (the tool name as the action, the tool arguments as
sent as the args, contract/wire.md) and asks a :class:`ToolGate` to decide
it. The gate goes through :meth:`Guard.protect`, so every decision, allowed
or denied, leaves a receipt, and reports which receipt it was.

The permit of an allowed call is available to the tool function while it
runs, through :func:`current_permit`, so the function never needs an extra
parameter the framework would show to the model::

    def refund(order: str, amount: int) -> str:
        permit = charter.tools.current_permit()
        ...
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

from charter._charter import (
    AuditLog,
    Capability,
    CharterError,
    Denied,
    Guard,
    Holder,
    Permit,
    Reason,
    Request,
    UsageError,
)

AgentFor = Callable[[str, Mapping[str, Any]], str]
"""Derives the agent from (tool name, arguments) when the server decides who calls."""

ResourceFor = Callable[[str, Mapping[str, Any]], "str | None"]
"""Derives the request's resource from (tool name, arguments), or None."""

_PERMIT: contextvars.ContextVar[Permit | None] = contextvars.ContextVar(
    "charter_permit", default=None
)


def current_permit() -> Permit:
    """The permit of the call being run, inside a tool function a gate let through.

    Raises :class:`UsageError` (``invalid_argument``) outside one: a tool
    that needs its permit was reached without a decision, which must not
    pass silently.
    """
    permit = _PERMIT.get()
    if permit is None:
        raise usage_error(
            "no permit: current_permit() is only set while a tool function runs "
            "after a charter gate allowed the call (wrap the tool with a charter integration)"
        )
    return permit


@dataclass(frozen=True)
class CallCredentials:
    """What an in-process caller presents with its tool calls: never the model's arguments.

    ``holder`` (with ``audience``, the gate's) makes a fresh proof for each
    call; ``agent`` is the agent name the caller claims (used only by a gate
    that trusts it).
    """

    capability: Capability | str
    """The capability (or its text) each call presents."""
    holder: Holder | None = None
    """The holder proving each call, for a holder-bound capability."""
    audience: str | None = None
    """The audience the proofs are for (the verifier's)."""
    agent: str | None = None
    """The agent name claimed."""

    def proof_for(self, request: Request) -> str | None:
        """A fresh holder proof for ``request``, or None without a holder."""
        if self.holder is None:
            return None
        if not self.audience:
            raise usage_error("CallCredentials(holder=...) needs audience= (the verifier's)")
        return self.holder.prove(self.capability, request, self.audience)


_CREDENTIALS: contextvars.ContextVar[CallCredentials | None] = contextvars.ContextVar(
    "charter_credentials", default=None
)


@contextlib.contextmanager
def capability_context(
    capability: Capability | str,
    *,
    holder: Holder | None = None,
    audience: str | None = None,
    agent: str | None = None,
) -> Iterator[CallCredentials]:
    """Presents ``capability`` with every guarded tool call made in the body of the ``with``.

    Guarded tools (``@charter.guard`` functions, :func:`charter.langchain.guard_tools`,
    :func:`charter.openai_agents.guard_tool`) take their capability from here
    when the framework's own context carries none, so the capability never
    has to be a tool argument the model sees or fills in.
    """
    creds = CallCredentials(capability, holder, audience, agent)
    token = _CREDENTIALS.set(creds)
    try:
        yield creds
    finally:
        _CREDENTIALS.reset(token)


def current_credentials() -> CallCredentials | None:
    """The credentials of the innermost :func:`capability_context`, or None."""
    return _CREDENTIALS.get()


@contextlib.contextmanager
def permit_context(permit: Permit) -> Iterator[Permit]:
    """Makes ``permit`` the :func:`current_permit` for the body of the ``with``."""
    token = _PERMIT.set(permit)
    try:
        yield permit
    finally:
        _PERMIT.reset(token)


def usage_error(message: str) -> UsageError:
    """A :class:`UsageError` with code ``invalid_argument`` and ``message``."""
    e = UsageError(message)
    e.code = "invalid_argument"
    e.message = message
    return e


@dataclass(frozen=True)
class WireReason:
    """One reason as it travels on the wire: a stable code and a message."""

    code: str
    """A stable error code (contract/errors.json)."""
    message: str
    """What failed, in words a person can act on."""

    def to_json(self) -> dict[str, str]:
        """The wire form ``{"code", "message"}``."""
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Outcome:
    """What a gate decided for one call: the permit or the reasons, and the receipt."""

    request: Request
    """The request that was decided."""
    permit: Permit | None
    """The permit when allowed, else None."""
    reasons: list[WireReason] = field(default_factory=list)
    """Every reason for a denial (empty when allowed)."""
    receipt: str | None = None
    """The hash of the receipt recorded for this decision (None only when
    nothing was decided: the request itself was invalid)."""

    @property
    def allowed(self) -> bool:
        """True exactly when the call may run."""
        return self.permit is not None

    def message(self) -> str:
        """The reasons in one line, ``denied: code: message; ...``."""
        if self.allowed:
            return "allowed"
        return "denied: " + "; ".join(f"{r.code}: {r.message}" for r in self.reasons)

    def denial_json(self) -> dict[str, Any]:
        """``{"reasons": [...], "receipt": ...}``, the wire form of a denial."""
        return {
            "reasons": [r.to_json() for r in self.reasons],
            "receipt": self.receipt,
        }


def _reasons(reasons: list[Reason]) -> list[WireReason]:
    return [WireReason(r.code, r.message) for r in reasons]


class ToolGate:
    """Decides tool calls through a :class:`Guard`, one :class:`Request` per call.

    ``audit_log`` must be the log the guard records into: the gate reads the
    receipt of each decision from it. Decisions through one gate are
    serialized, so the receipt read is the one just written (the guard's own
    append is serialized anyway).

    ``agent`` is the agent every call is decided for, or a function of
    (tool name, arguments). With ``trust_agent=True`` an agent name sent by
    the client is used instead, when present: without a holder proof that
    name is a claim, not an identity. ``resource`` derives the request's
    resource from (tool name, arguments); none by default. ``on_decision`` is
    called with every :class:`Outcome` (to log decisions); an exception it
    raises propagates and the call does not run.
    """

    def __init__(
        self,
        guard: Guard,
        audit_log: AuditLog,
        *,
        agent: str | AgentFor,
        trust_agent: bool = False,
        resource: ResourceFor | None = None,
        on_decision: Callable[[Outcome], None] | None = None,
    ) -> None:
        if not isinstance(guard, Guard):
            raise usage_error("ToolGate(guard=...) must be a charter.Guard")
        if not isinstance(audit_log, AuditLog):
            raise usage_error(
                "ToolGate(audit_log=...) must be the charter.AuditLog the guard records into"
            )
        if not callable(agent) and not (isinstance(agent, str) and agent):
            raise usage_error(
                "ToolGate(agent=...) must be a non-empty str or a function of (tool, args)"
            )
        self.guard = guard
        """The guard that decides and records."""
        self.audit_log = audit_log
        """The log the guard records into."""
        self._agent = agent
        self._trust_agent = trust_agent
        self._resource = resource
        self._on_decision = on_decision
        self._lock = threading.Lock()

    def agent_for(
        self, tool: str, args: Mapping[str, Any], claimed: str | None = None
    ) -> str:
        """The agent a call is decided for: the claimed one only when trusted."""
        if self._trust_agent and claimed:
            return claimed
        if isinstance(self._agent, str):
            return self._agent
        who = self._agent(tool, args)
        if not isinstance(who, str) or not who:
            raise usage_error("the gate's agent function must return a non-empty str")
        return who

    def request_for(
        self, tool: str, args: Mapping[str, Any] | None, claimed_agent: str | None = None
    ) -> Request:
        """The request a call is decided as (contract/wire.md)."""
        call_args = dict(args or {})
        resource = self._resource(tool, call_args) if self._resource else None
        return Request(self.agent_for(tool, call_args, claimed_agent), tool, call_args, resource)

    def decide(
        self,
        capability: Capability | str | None,
        tool: str,
        args: Mapping[str, Any] | None,
        proof: str | None = None,
        claimed_agent: str | None = None,
    ) -> Outcome:
        """Decides one call and records it; never raises for a denial (only ``on_decision`` may).

        A missing capability is decided as the empty one (denied, with a
        receipt). A request that cannot be built (arguments that are not
        JSON values) is denied without a receipt, since nothing was decided.
        """
        outcome = self._decide(capability, tool, args, proof, claimed_agent)
        if self._on_decision is not None:
            self._on_decision(outcome)
        return outcome

    def _decide(
        self,
        capability: Capability | str | None,
        tool: str,
        args: Mapping[str, Any] | None,
        proof: str | None,
        claimed_agent: str | None,
    ) -> Outcome:
        try:
            request = self.request_for(tool, args, claimed_agent)
        except CharterError as e:
            placeholder = Request("-", tool or "-", {})
            return Outcome(placeholder, None, [WireReason(e.code, e.message)], None)
        cap: Capability | str = "" if capability is None else capability
        with self._lock:
            before = len(self.audit_log)
            try:
                permit = self.guard.protect(cap, request, proof)
            except Denied as e:
                return Outcome(request, None, _reasons(e.reasons), self._receipt(before, request))
            except CharterError as e:
                reason = WireReason(e.code, e.message)
                return Outcome(request, None, [reason], self._receipt(before, request))
            return Outcome(request, permit, [], self._receipt(before, request))

    def decide_with(
        self, credentials: CallCredentials | None, tool: str, args: Mapping[str, Any] | None
    ) -> Outcome:
        """Decides a call made in-process with ``credentials`` (a proof is made for it).

        No credentials is decided as the empty capability: denied, with a receipt.
        """
        if credentials is None:
            return self.decide(None, tool, args)
        try:
            request = self.request_for(tool, args, credentials.agent)
            proof = credentials.proof_for(request)
        except CharterError as e:
            return Outcome(Request("-", tool or "-", {}), None, [WireReason(e.code, e.message)], None)
        return self.decide(credentials.capability, tool, args, proof, credentials.agent)

    async def decide_with_async(
        self, credentials: CallCredentials | None, tool: str, args: Mapping[str, Any] | None
    ) -> Outcome:
        """:meth:`decide_with` on a worker thread."""
        return await asyncio.to_thread(self.decide_with, credentials, tool, args)

    async def decide_async(
        self,
        capability: Capability | str | None,
        tool: str,
        args: Mapping[str, Any] | None,
        proof: str | None = None,
        claimed_agent: str | None = None,
    ) -> Outcome:
        """:meth:`decide` on a worker thread, so the event loop keeps running
        while the guard verifies and the log appends (and fsyncs)."""
        return await asyncio.to_thread(
            self.decide, capability, tool, args, proof, claimed_agent
        )

    def _receipt(self, before: int, request: Request) -> str | None:
        """The hash of the receipt this decision appended, or None when it appended
        none (the log could not record it) or another writer appended too, so
        the gate cannot tell which is this decision's: it never names another's."""
        if len(self.audit_log) != before + 1:
            return None
        head = self.audit_log.head()
        if head is None or head.action != request.action or head.agent != request.agent:
            return None
        return head.hash


__all__ = [
    "AgentFor",
    "CallCredentials",
    "Outcome",
    "ResourceFor",
    "ToolGate",
    "WireReason",
    "capability_context",
    "current_credentials",
    "current_permit",
    "permit_context",
    "usage_error",
]
