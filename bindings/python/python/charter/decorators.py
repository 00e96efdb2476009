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
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Awaitable, Callable, TypeVar, cast

from charter._charter import Guard, Request, UsageError

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
        ) -> tuple[list[Any], dict[str, Any]]:
            capability = kwargs.pop("capability", None)
            proof = kwargs.pop("proof", None)
            who = kwargs.pop("agent", agent)
            idem = kwargs.pop("idempotency_key", None)
            if capability is None:
                raise _usage(f"{fn.__qualname__}() needs capability=")
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
            return pos, kw

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                pos, kw = authorize(args, kwargs)
                return await cast(Callable[..., Awaitable[Any]], fn)(*pos, **kw)

            return cast(Callable[..., R], async_wrapper)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> R:
            pos, kw = authorize(args, kwargs)
            return fn(*pos, **kw)

        return wrapper

    return decorate
