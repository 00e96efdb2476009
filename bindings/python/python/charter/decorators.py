"""Pythonic extras, in pure Python over the native API.

``guard`` turns a tool function into one that only runs when a capability
allows the exact call::

    @charter.guard(g, action="payments.refund")
    def refund(order: str, amount: int, permit: charter.Permit) -> str:
        ...

    refund(order="A-1", amount=4200, capability=cap, agent="shopper-7")

The wrapper builds a :class:`Request` from the call's arguments (bound to the
function's signature, defaults applied), calls :meth:`Guard.protect` (check →
permit → receipt), and runs the function only when allowed, passing the
:class:`Permit` if the function takes a ``permit`` parameter. Otherwise
:class:`Denied` propagates (with ``.reasons``), and the function never runs.

With a framework that builds a tool from the function's signature (LangChain's
``@tool`` over ``@charter.guard``), the wrapper's signature is the function's
own arguments (no ``permit``), so the schema the model sees is unchanged, and
the capability comes from :func:`charter.tools.capability_context` (a fresh
holder proof is made per call when it has a holder)::

    @tool
    @charter.guard(g, action="refund", agent="shopper-7")
    def refund(order: str, amount: int) -> str: ...

    with charter.tools.capability_context(cap):
        refund.invoke({"order": "A-1", "amount": 4200})
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Awaitable, Callable, TypeVar, cast

from charter._charter import Guard, Permit, Request, UsageError
from charter.tools import current_credentials, permit_context

R = TypeVar("R")

_RESERVED = ("capability", "proof", "agent", "idempotency_key")


def _usage(message: str) -> UsageError:
    e = UsageError(message)
    e.code = "invalid_argument"
    e.message = message
    return e


def guard(
    g: Guard,
    *,
    action: str,
    agent: str | None = None,
    resource: str | None = None,
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Decorates a tool function so that each call is authorized by ``g``.

    The decorated function takes, besides its own arguments, the keywords
    ``capability`` (a Capability or its text, required), ``proof`` (a holder
    proof), ``agent`` (who calls; defaults to the decorator's ``agent``) and
    ``idempotency_key``. Its own arguments become the request's ``args``
    (a JSON object: they must be JSON values).
    """

    if not isinstance(action, str) or not action:
        raise _usage("guard(action=...) must be a non-empty str")

    def decorate(fn: Callable[..., R]) -> Callable[..., R]:
        if not callable(fn) or (hasattr(fn, "args_schema") and hasattr(fn, "invoke")):
            raise _usage(
                f"@charter.guard got {type(fn).__name__}, not a function: put @charter.guard "
                "below the framework's decorator (@tool above @charter.guard), or wrap "
                "finished tools with charter.langchain.guard_tools([...])"
            )
        sig = inspect.signature(fn)
        for name in _RESERVED:
            if name in sig.parameters:
                raise _usage(
                    f"{fn.__qualname__} has a parameter {name!r}, which @guard reserves"
                )
        wants_permit = "permit" in sig.parameters
        call_sig = sig.replace(
            parameters=[p for n, p in sig.parameters.items() if n != "permit"]
        )

        def authorize(
            args: tuple[Any, ...], kwargs: dict[str, Any]
        ) -> tuple[list[Any], dict[str, Any], Permit]:
            capability = kwargs.pop("capability", None)
            proof = kwargs.pop("proof", None)
            creds = current_credentials() if capability is None else None
            claimed = creds.agent if creds is not None else None
            who = kwargs.pop("agent", None) or claimed or agent
            idem = kwargs.pop("idempotency_key", None)
            if creds is not None:
                capability = creds.capability
            if capability is None:
                raise _usage(
                    f"{fn.__qualname__}() needs capability=, or a call inside "
                    "charter.tools.capability_context(capability) (how a framework that "
                    "builds the tool's schema from the signature, such as LangChain's @tool, "
                    "passes it)"
                )
            if who is None:
                raise _usage(
                    f"{fn.__qualname__}() needs agent= (or @guard(..., agent=...))"
                )
            if "permit" in kwargs:
                raise _usage("permit is passed by @guard, not by the caller")
            bound = call_sig.bind(*args, **kwargs)
            bound.apply_defaults()
            call_args: dict[str, Any] = {}
            for name, value in bound.arguments.items():
                kind = call_sig.parameters[name].kind
                if kind is inspect.Parameter.VAR_KEYWORD:
                    call_args.update(value)
                elif kind is inspect.Parameter.VAR_POSITIONAL:
                    if value:
                        raise _usage("@guard cannot authorize *args; pass keywords")
                else:
                    call_args[name] = value
            request = Request(who, action, call_args, resource)
            if creds is not None and proof is None:
                proof = creds.proof_for(request)
            permit = g.protect(capability, request, proof, idem)
            pos: list[Any] = []
            kw: dict[str, Any] = {}
            for name, value in bound.arguments.items():
                kind = call_sig.parameters[name].kind
                if kind is inspect.Parameter.POSITIONAL_ONLY:
                    pos.append(value)
                elif kind is inspect.Parameter.VAR_KEYWORD:
                    kw.update(value)
                elif kind is not inspect.Parameter.VAR_POSITIONAL:
                    kw[name] = value
            if wants_permit:
                kw["permit"] = permit
            return pos, kw, permit

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                pos, kw, permit = authorize(args, kwargs)
                with permit_context(permit):
                    return await cast(Callable[..., Awaitable[Any]], fn)(*pos, **kw)

            # The signature frameworks see: the function's own arguments, no permit.
            async_wrapper.__signature__ = call_sig  # type: ignore[attr-defined]
            return cast(Callable[..., R], async_wrapper)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> R:
            pos, kw, permit = authorize(args, kwargs)
            with permit_context(permit):
                return fn(*pos, **kw)

        wrapper.__signature__ = call_sig  # type: ignore[attr-defined]
        return wrapper

    return decorate


__all__ = ["guard"]
