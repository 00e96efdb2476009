"""Async forms of the deciding calls, for code running on an event loop.

The native calls release the interpreter while they verify and sign, but
they still block the thread that makes them, and a file log's append
includes an fsync, and a shared store (``store=``, :func:`charter.open_store`)
waits for its database (a SQLite lock, a PostgreSQL round trip).
:class:`AsyncGuard` and :class:`AsyncVerifier` run each call on a worker
thread (:func:`asyncio.to_thread`), so the loop keeps serving other tasks
while a decision is made and recorded::

    guard = charter.AsyncGuard(charter.Guard(verifier, issuer, log))
    permit = await guard.protect(capability, request)
"""

from __future__ import annotations

import asyncio
import datetime

from charter._charter import (
    Capability,
    Decision,
    Guard,
    Permit,
    Request,
    Verifier,
)
from typing import Any

_Time = int | datetime.datetime
_Cap = Capability | str
_Req = Request | dict[str, Any] | str


class AsyncGuard:
    """:class:`Guard` for an event loop: the same decisions and receipts, awaited."""

    def __init__(self, guard: Guard) -> None:
        """Wraps ``guard``; decisions still go through it (and its log)."""
        if not isinstance(guard, Guard):
            raise TypeError("AsyncGuard(guard) needs a charter.Guard")
        self.guard = guard
        """The wrapped guard."""

    async def check(
        self,
        capability: _Cap,
        request: _Req,
        proof: str | None = None,
        now: _Time | None = None,
    ) -> Decision:
        """:meth:`Guard.check` off the loop: decides and records; a denial is data."""
        return await asyncio.to_thread(self.guard.check, capability, request, proof, now)

    async def protect(
        self,
        capability: _Cap,
        request: _Req,
        proof: str | None = None,
        idempotency_key: str | None = None,
        now: _Time | None = None,
        permit_id: str | None = None,
    ) -> Permit:
        """:meth:`Guard.protect` off the loop: a Permit, or raises Denied; a receipt either way."""
        return await asyncio.to_thread(
            self.guard.protect, capability, request, proof, idempotency_key, now, permit_id
        )


class AsyncVerifier:
    """:class:`Verifier` for an event loop: the same decisions, awaited."""

    def __init__(self, verifier: Verifier) -> None:
        """Wraps ``verifier`` (sharing its revocations and replay store)."""
        if not isinstance(verifier, Verifier):
            raise TypeError("AsyncVerifier(verifier) needs a charter.Verifier")
        self.verifier = verifier
        """The wrapped verifier."""

    async def check(
        self,
        capability: _Cap,
        request: _Req,
        proof: str | None = None,
        now: _Time | None = None,
    ) -> Decision:
        """:meth:`Verifier.check` off the loop."""
        return await asyncio.to_thread(self.verifier.check, capability, request, proof, now)


__all__ = ["AsyncGuard", "AsyncVerifier"]
