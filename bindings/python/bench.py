"""Charter from Python: medians of the hot paths, beside a peer (pymacaroons).

    python bench.py              # full run
    python bench.py --quick      # smoke test (the suite runs this)

The 4-caveat check uses the same root key, token id, issue time, caveats and
request as crates/core/benches/capability.rs (`capability/check/4`), so the
numbers compare with `cargo bench -p charter-core --bench capability -- check/4`
run on the same machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable

import charter

NOW = 1_767_225_600
CAVEATS = [
    'action in ["payments.refund", "orders.read"]',
    'agent == "shopper-7"',
    'args.currency == "USD" && args.amount <= 5000',
    'now < timestamp("2026-01-01T01:00:00Z")',
]
ARGS = {"amount": 4200, "currency": "USD"}


def median_us(fn: Callable[[], object], batch: int, rounds: int) -> float:
    """Median over `rounds` of the mean time of `batch` calls, in µs."""
    for _ in range(batch):
        fn()
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        for _ in range(batch):
            fn()
        samples.append((time.perf_counter_ns() - t0) / batch / 1000)
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a few iterations only")
    opts = ap.parse_args()
    batch, rounds = (20, 3) if opts.quick else (2000, 31)

    root = charter.RootKey.from_bytes(bytes([9] * 32))
    verifier = charter.Verifier([root], "tools.shop.example")
    cap = charter.Issuer(root).issue(caveats=CAVEATS, token_id=bytes([7] * 16), issued_at=NOW)
    token = cap.serialize()
    request = charter.Request("shopper-7", "payments.refund", ARGS)
    assert verifier.check(token, request, None, NOW).allowed

    results: dict[str, float] = {}
    results["check, 4 caveats (token text, Request)"] = median_us(
        lambda: verifier.check(token, request, None, NOW), batch, rounds
    )
    req_dict = {"agent": "shopper-7", "action": "payments.refund", "args": ARGS}
    results["check, 4 caveats (token text, dict request)"] = median_us(
        lambda: verifier.check(token, req_dict, None, NOW), batch, rounds
    )
    results["attenuate (4 -> 5 caveats)"] = median_us(
        lambda: cap.attenuate("args.amount <= 1000"), batch, rounds
    )

    try:
        import pymacaroons  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - the test venv has it
        pymacaroons = None
    if pymacaroons is not None:
        secret = root.to_bytes()

        def peer_check() -> None:
            m = pymacaroons.Macaroon.deserialize(token)
            v = pymacaroons.Verifier()
            for c in CAVEATS:
                v.satisfy_exact(c)
            v.verify(m, secret)

        peer_check()
        results["peer: pymacaroons 0.13 verify, 4 exact caveats"] = median_us(
            peer_check, max(1, batch // 4), rounds
        )

    width = max(len(k) for k in results)
    print(f"charter (Python) bench: median µs per call ({rounds} rounds x {batch})")
    for name, us in results.items():
        print(f"  {name:<{width}}  {us:9.2f} µs")


if __name__ == "__main__":
    main()
