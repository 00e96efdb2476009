"""AsyncGuard, AsyncVerifier and ToolGate.decide_async keep the event loop running
while a decision is recorded: an append held up by another writer's lock on the
log file (the OS lock every writer takes around read-head/append/fsync)."""

from __future__ import annotations

import asyncio
import fcntl
import pathlib
import threading
import time
from typing import Any, Awaitable, Callable

import charter
from charter.tools import ToolGate
from kit import AGENT, AUDIENCE

HOLD = 0.5  # seconds the other writer holds the log file


def file_shop(tmp_path: pathlib.Path) -> tuple[charter.Guard, charter.AuditLog, charter.Capability, pathlib.Path]:
    root = charter.RootKey.generate()
    path = tmp_path / "audit.jsonl"
    log = charter.AuditLog.open(path, charter.SigningKey.generate())
    guard = charter.Guard(
        charter.Verifier([root], AUDIENCE), charter.PermitIssuer(charter.SigningKey.generate(), AUDIENCE), log
    )
    cap = charter.Issuer(root).issue(agent=AGENT, actions=["refund"], never_expires=True)
    return guard, log, cap, path


def ticks_while(path: pathlib.Path, decide: Callable[[], Awaitable[Any]]) -> tuple[int, float, Any]:
    """Holds the log file's lock for HOLD seconds (released from a thread) while
    ``decide`` runs on the loop; counts the ticks another task makes meanwhile."""

    async def main() -> tuple[int, float, Any]:
        ticks = 0
        done = False

        async def ticker() -> None:
            nonlocal ticks
            while not done:
                await asyncio.sleep(0.005)
                ticks += 1

        with open(path, "rb") as other:
            fcntl.flock(other, fcntl.LOCK_EX)
            threading.Timer(HOLD, fcntl.flock, (other, fcntl.LOCK_UN)).start()
            task = asyncio.create_task(ticker())
            await asyncio.sleep(0)  # the ticker starts
            start = ticks
            t0 = time.monotonic()
            result = await decide()
            elapsed = time.monotonic() - t0
            during = ticks - start
            done = True
            await task
        return during, elapsed, result

    return asyncio.run(main())


def test_async_guard_protect_keeps_the_loop_running_during_a_slow_append(tmp_path: pathlib.Path) -> None:
    guard, log, cap, path = file_shop(tmp_path)
    ag = charter.AsyncGuard(guard)
    request = charter.Request(AGENT, "refund", {"amount": 1})
    during, elapsed, permit = ticks_while(path, lambda: ag.protect(cap, request))
    assert elapsed >= HOLD * 0.8, "the append did not wait for the other writer"
    assert isinstance(permit, charter.Permit) and len(log) == 1
    assert during >= 20, f"the loop ran only {during} ticks in {elapsed:.2f}s"


def test_the_synchronous_protect_would_block_the_loop(tmp_path: pathlib.Path) -> None:
    # The control: the same slow append on the loop's own thread stops it, so
    # the test above can tell the difference.
    guard, log, cap, path = file_shop(tmp_path)
    request = charter.Request(AGENT, "refund", {"amount": 1})

    async def blocking() -> charter.Permit:
        return guard.protect(cap, request)

    during, elapsed, _ = ticks_while(path, blocking)
    assert elapsed >= HOLD * 0.8 and during == 0


def test_async_guard_check_and_a_denial(tmp_path: pathlib.Path) -> None:
    guard, log, cap, path = file_shop(tmp_path)
    ag = charter.AsyncGuard(guard)
    wrong = charter.Request(AGENT, "delete", {})
    during, _, decision = ticks_while(path, lambda: ag.check(cap, wrong))
    assert not decision.allowed and during >= 20
    try:
        asyncio.run(ag.protect(cap, wrong))
    except charter.Denied as e:
        assert e.reasons[0].code == decision.reasons[0].code
    else:
        raise AssertionError("protect allowed an action the capability lacks")
    assert [r.decision for r in log.receipts(0, len(log))] == ["deny", "deny"]


def test_tool_gate_decide_async_keeps_the_loop_running(tmp_path: pathlib.Path) -> None:
    guard, log, cap, path = file_shop(tmp_path)
    gate = ToolGate(guard, log, agent=AGENT)
    during, _, outcome = ticks_while(path, lambda: gate.decide_async(cap, "refund", {"amount": 2}))
    assert outcome.allowed and outcome.receipt == log.head().hash  # type: ignore[union-attr]
    assert during >= 20


def test_async_verifier_check() -> None:
    root = charter.RootKey.generate()
    verifier = charter.Verifier([root], AUDIENCE)
    cap = charter.Issuer(root).issue(actions=["read"], never_expires=True)
    av = charter.AsyncVerifier(verifier)
    allowed = asyncio.run(av.check(cap, charter.Request("a", "read", {})))
    denied = asyncio.run(av.check(cap, charter.Request("a", "write", {})))
    assert allowed.allowed and not denied.allowed
    assert denied == verifier.check(cap, charter.Request("a", "write", {}))
