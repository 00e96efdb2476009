"""Shared stores: state that holds across verifiers, threads and processes.

Every test runs against a SQLite file and, when CHARTER_PG_URL names a
server (scripts/test.sh python starts a throwaway one with
scripts/postgres.sh), against PostgreSQL. CHARTER_REQUIRE_POSTGRES=1 makes a
missing server a failure instead of a skip.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import charter

NOW = int(time.time())
ROOT_KEY = charter.RootKey.from_bytes(b"\x11" * 32)
PERMIT_KEY = charter.SigningKey.from_bytes(b"\x12" * 32)
AUDIT_KEY = charter.SigningKey.from_bytes(b"\x13" * 32)
OTHER_AUDIT_KEY = charter.SigningKey.from_bytes(b"\x14" * 32)
PG_URL = os.environ.get("CHARTER_PG_URL")

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[str]:
    """A fresh store URL: a SQLite file, or the PostgreSQL test database."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'charter.db'}"
        return
    if not PG_URL:
        if os.environ.get("CHARTER_REQUIRE_POSTGRES") == "1":
            pytest.fail("CHARTER_REQUIRE_POSTGRES=1 but CHARTER_PG_URL is not set")
        pytest.skip("CHARTER_PG_URL is not set (scripts/postgres.sh run ... starts a server)")
    yield PG_URL


def unique(label: str) -> str:
    """A name no other test (or earlier run on the same database) used."""
    return f"{label}-{uuid.uuid4().hex}"


def capability(*caveats: str) -> charter.Capability:
    return charter.Issuer(ROOT_KEY).issue(
        actions=["refund"], expires_at=NOW + 3600, caveats=list(caveats)
    )


REQUEST = charter.Request("agent-1", "refund", {"amount": 5})


def child(code: str, *args: str) -> str:
    """Runs `code` in a new Python process (with charter importable); its stdout."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_open_store_urls_and_paths(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "plain.db"
    by_path = charter.open_store(path)
    assert isinstance(by_path, charter.Store) and path.exists()
    assert by_path.url == f"sqlite://{path}" == charter.open_store(str(path)).url
    assert charter.open_store("memory:").url == "memory:"
    assert "Store(" in repr(by_path)
    for bad in ["redis://h/0", "sqlite:x", "", "sqlite:///x?mode=ro"]:
        with pytest.raises(charter.UsageError) as e:
            charter.open_store(bad)
        assert e.value.code == "invalid_argument"
    with pytest.raises(charter.UsageError):
        charter.open_store(42)  # type: ignore[arg-type]
    with pytest.raises(charter.UsageError):
        charter.Verifier([ROOT_KEY], "svc", store="sqlite:///x.db")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        charter.Store()


def test_unreachable_postgres_is_store_unavailable() -> None:
    # Nothing listens on port 1: the connection is refused, and the error says so.
    with pytest.raises(charter.EnvironmentError) as e:
        charter.open_store("postgres://charter:secret@127.0.0.1:1/charter?connect_timeout=2")
    assert e.value.code == "store_unavailable"
    assert "secret" not in e.value.message


def test_a_permit_is_accepted_once_across_verifiers_and_processes(url: str) -> None:
    store = charter.open_store(url)
    issuer = charter.PermitIssuer(PERMIT_KEY, "gw")
    keys = charter.KeySet.from_keys([PERMIT_KEY.public_key()])
    first = charter.PermitVerifier(keys, "tool", store=store)
    second = charter.PermitVerifier(keys, "tool", store=charter.open_store(url))
    permit = issuer.issue("agent-1", "tool", "refund", {"amount": 5}, "cap", jti=unique("jti"))
    assert first.verify(permit.token, "refund", {"amount": 5}).jti == permit.claims.jti
    with pytest.raises(charter.AuthorizationError) as e:
        second.verify(permit.token, "refund", {"amount": 5})
    assert e.value.code == "replayed"
    # Another process, on the same store, is refused too ...
    code = (
        "import sys, charter\n"
        "keys = charter.KeySet.from_jwks(sys.argv[2])\n"
        "v = charter.PermitVerifier(keys, 'tool', store=charter.open_store(sys.argv[1]))\n"
        "try:\n"
        "    v.verify(sys.argv[3], 'refund', {'amount': 5}); print('accepted')\n"
        "except charter.CharterError as e:\n"
        "    print(e.code)\n"
    )
    assert child(code, url, keys.to_jwks(), permit.token) == "replayed"
    # ... and a fresh permit is accepted there exactly once.
    fresh = issuer.issue("agent-1", "tool", "refund", {"amount": 5}, "cap", jti=unique("jti"))
    assert child(code, url, keys.to_jwks(), fresh.token) == "accepted"
    with pytest.raises(charter.AuthorizationError):
        first.verify(fresh.token, "refund", {"amount": 5})


def test_many_threads_present_one_permit_one_wins(url: str) -> None:
    store = charter.open_store(url)
    keys = charter.KeySet.from_keys([PERMIT_KEY.public_key()])
    verifiers = [charter.PermitVerifier(keys, "tool", store=store) for _ in range(4)]
    token = charter.PermitIssuer(PERMIT_KEY, "gw").issue(
        "agent-1", "tool", "refund", {}, "cap", jti=unique("jti")
    ).token
    results: list[str] = []
    start = threading.Barrier(8)

    def present(v: charter.PermitVerifier) -> None:
        start.wait()
        try:
            v.verify(token, "refund", {})
            results.append("accepted")
        except charter.CharterError as e:
            results.append(e.code)

    threads = [threading.Thread(target=present, args=(verifiers[i % 4],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["accepted"] + ["replayed"] * 7


def test_a_revocation_through_one_is_seen_by_every_verifier(url: str) -> None:
    cap, other = capability(), capability()
    a = charter.Verifier([ROOT_KEY], "svc", store=charter.open_store(url))
    store = charter.open_store(url)
    b = charter.Verifier([ROOT_KEY], "svc", store=store)
    assert a.check(cap, REQUEST).allowed and b.check(cap, REQUEST).allowed
    a.revoke(cap.id)
    d = b.check(cap, REQUEST)
    assert not d.allowed and d.reasons[0].code == "revoked"
    assert cap.id in store.revoked()
    # Store.revoke is the same list, and another process sees it.
    store.revoke(other.id)
    assert a.check(other, REQUEST).reasons[0].code == "revoked"
    code = (
        "import sys, charter\n"
        "root = charter.RootKey.from_bytes(b'\\x11' * 32)\n"
        "v = charter.Verifier([root], 'svc', store=charter.open_store(sys.argv[1]))\n"
        "d = v.check(sys.argv[2], charter.Request('agent-1', 'refund', {'amount': 5}))\n"
        "print(d.reasons[0].code if d.reasons else 'allowed')\n"
    )
    assert child(code, url, other.serialize()) == "revoked"
    assert child(code, url, capability().serialize()) == "allowed"
    with pytest.raises(charter.UsageError):
        store.revoke("not-an-id")


def test_an_audit_log_shared_by_two_writers_exports_a_verifying_bundle(url: str) -> None:
    name = unique("log")
    store = charter.open_store(url)
    logs = [
        charter.AuditLog.in_store(store, name, AUDIT_KEY),
        charter.AuditLog.in_store(charter.open_store(url), name, OTHER_AUDIT_KEY),
    ]
    verifier = charter.Verifier([ROOT_KEY], "svc", store=store)
    issuer = charter.PermitIssuer(PERMIT_KEY, "gw")
    guards = [charter.Guard(verifier, issuer, log) for log in logs]
    cap = capability()

    def write(g: charter.Guard) -> None:
        for i in range(10):
            g.check(cap, charter.Request("agent-1", "refund", {"i": i}))

    threads = [threading.Thread(target=write, args=(g,)) for g in guards for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # A third writer, in another process.
    code = (
        "import sys, charter\n"
        "key = charter.SigningKey.from_bytes(b'\\x15' * 32)\n"
        "log = charter.AuditLog.in_store(charter.open_store(sys.argv[1]), sys.argv[2], key)\n"
        "root = charter.RootKey.from_bytes(b'\\x11' * 32)\n"
        "g = charter.Guard(charter.Verifier([root], 'svc'), charter.PermitIssuer(key, 'gw'), log)\n"
        "for i in range(5): g.check(sys.argv[3], charter.Request('agent-1', 'refund', {'p': i}))\n"
        "print(log.len())\n"
    )
    assert child(code, url, name, cap.serialize()) == "45"
    reader = charter.AuditLog.in_store(charter.open_store(url), name, AUDIT_KEY)
    assert reader.len() == len(logs[1]) == 45
    bundle = reader.export_bundle()
    trusted = charter.KeySet.from_keys(
        [k.public_key() for k in (AUDIT_KEY, OTHER_AUDIT_KEY, charter.SigningKey.from_bytes(b"\x15" * 32))]
    )
    report = charter.verify_bundle(bundle, trusted)
    assert (report.count, report.first_seq, report.last_seq) == (45, 0, 44)
    assert [r.seq for r in reader.receipts(0, 45)] == list(range(45))
    with pytest.raises(charter.UsageError):
        charter.AuditLog.in_store(store, "no spaces", AUDIT_KEY)


def test_idempotency_keys_and_budgets_live_in_the_store(url: str) -> None:
    key = unique("idem")
    cap = capability()
    guards = [
        charter.Guard(
            charter.Verifier([ROOT_KEY], "svc"),
            charter.PermitIssuer(PERMIT_KEY, "gw"),
            charter.AuditLog.in_memory(AUDIT_KEY),
            store=charter.open_store(url),
        )
        for _ in range(2)
    ]
    p1 = guards[0].protect(cap, REQUEST, idempotency_key=key)
    p2 = guards[1].protect(cap, REQUEST, idempotency_key=key)
    assert p1.token == p2.token
    with pytest.raises(charter.UsageError) as e:
        guards[1].protect(cap, charter.Request("agent-1", "refund", {"amount": 6}), idempotency_key=key)
    assert e.value.code == "idempotency_conflict"
    # The permit issuer's own store= is the same promise.
    issuers = [charter.PermitIssuer(PERMIT_KEY, "gw", store=charter.open_store(url)) for _ in range(2)]
    ikey = unique("idem")
    t1 = issuers[0].issue("agent-1", "tool", "refund", {"amount": 5}, cap.id, idempotency_key=ikey)
    t2 = issuers[1].issue("agent-1", "tool", "refund", {"amount": 5}, cap.id, idempotency_key=ikey)
    assert t1 == t2
    # A budget of 3 calls a day, spent by two verifiers on one store.
    budgeted = capability(f'budget("{unique("refunds")}", 3, 86400)')
    verifiers = [charter.Verifier([ROOT_KEY], "svc", store=charter.open_store(url)) for _ in range(2)]
    decisions = [verifiers[i % 2].check(budgeted, REQUEST) for i in range(6)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False, False]
    assert decisions[-1].reasons[0].code == "budget_exhausted"
    # Without a store, a budget is never unenforced: the check is denied.
    d = charter.Verifier([ROOT_KEY], "svc").check(budgeted, REQUEST)
    assert not d.allowed and d.reasons[0].code == "store_unavailable"


class Locked:
    """Another process holding the write lock of the SQLite file `path` until
    `release()`. (Another process: POSIX locks do not separate two SQLite
    libraries in one process, Python's and the extension's.)"""

    HOLD = (
        "import sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('BEGIN IMMEDIATE')\n"
        "print('locked', flush=True)\n"
        "sys.stdin.readline()\n"
        "db.execute('COMMIT')\n"
    )

    def __init__(self, path: pathlib.Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", self.HOLD, str(path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.close()
        assert self.proc.wait(15) == 0


def test_a_store_call_releases_the_interpreter(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "busy.db"
    store = charter.open_store(path)
    cap = capability()
    db = Locked(path)
    done = threading.Event()
    errors: list[BaseException] = []

    def revoke() -> None:
        try:
            store.revoke(cap.id)  # waits for the write lock (busy timeout)
        except BaseException as e:  # noqa: BLE001 (reported below)
            errors.append(e)
        done.set()

    t = threading.Thread(target=revoke)
    t.start()
    # The revoking thread waits on the database; this thread keeps running
    # Python meanwhile, which it could not if the interpreter were held.
    spins, deadline = 0, time.monotonic() + 0.5
    while time.monotonic() < deadline:
        spins += 1
    assert not done.is_set(), "the revoke did not wait for the lock"
    assert spins > 1000
    db.release()
    t.join(15)
    assert done.is_set() and not errors, errors
    assert store.revoked() == [cap.id]


def test_async_verifier_and_guard_keep_the_loop_running(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "loop.db"
    store = charter.open_store(path)
    cap = capability(f'budget("{unique("b")}", 5, 86400)')
    verifier = charter.AsyncVerifier(charter.Verifier([ROOT_KEY], "svc", store=store))
    guard = charter.AsyncGuard(
        charter.Guard(
            verifier.verifier, charter.PermitIssuer(PERMIT_KEY, "gw"),
            charter.AuditLog.in_store(store, "loop", AUDIT_KEY),
        )
    )

    async def main() -> tuple[int, Any, Any]:
        db = Locked(path)
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        check = asyncio.create_task(verifier.check(cap, REQUEST))
        protect = asyncio.create_task(guard.protect(cap, REQUEST))
        await asyncio.sleep(0.3)
        assert not check.done() and not protect.done(), "the calls did not wait for the lock"
        db.release()
        d, p = await check, await protect
        ticker.cancel()
        return ticks, d, p

    ticks, decision, permit = asyncio.run(main())
    assert ticks >= 10, ticks
    assert decision.allowed and isinstance(permit, charter.Permit)
