"""The interpreter is released during signature and verification work:
checks from several threads run at once and stay correct."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import charter

NOW = 1_767_225_600


def test_threads_check_concurrently_and_correctly() -> None:
    root = charter.RootKey.generate()
    verifier = charter.Verifier([root], "svc")
    cap = charter.Issuer(root).issue(actions=["read"], expires_at=NOW + 3600, issued_at=NOW)
    narrowed = cap.attenuate("args.n < 500")
    holder = charter.Holder(charter.SigningKey.generate())
    bound = narrowed.bind_holder(holder.kid)

    def work(i: int) -> tuple[bool, bool, bool]:
        req = charter.Request("agent", "read", {"n": i})
        proof = holder.prove(bound, req, "svc", NOW)
        return (
            verifier.check(narrowed, req, None, NOW).allowed,
            verifier.check(bound, req, proof, NOW).allowed,
            verifier.check(bound, req, proof, NOW).allowed,  # replayed nonce
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(1000)))
    for i, (plain, first, replay) in enumerate(results):
        assert plain == (i < 500) and first == (i < 500) and not replay


def test_interpreter_is_released_during_checks() -> None:
    """While one thread checks in a loop, another thread makes progress."""
    root = charter.RootKey.generate()
    verifier = charter.Verifier([root], "svc")
    cap = charter.Issuer(root).issue(actions=["read"], never_expires=True)
    req = charter.Request("agent", "read", {"n": 1})
    stop = threading.Event()
    ticks = [0]

    def ticker() -> None:
        while not stop.is_set():
            ticks[0] += 1

    t = threading.Thread(target=ticker)
    t.start()
    try:
        for _ in range(2000):
            assert verifier.check(cap, req).allowed
    finally:
        stop.set()
        t.join()
    assert ticks[0] > 0
