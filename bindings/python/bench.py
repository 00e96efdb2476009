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
import json
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
    cap = charter.Issuer(root).issue(caveats=CAVEATS, never_expires=True, token_id=bytes([7] * 16), issued_at=NOW)
    token = cap.serialize()
    request = charter.Request("shopper-7", "payments.refund", ARGS)
    assert verifier.check(token, request, None, NOW).allowed

    results: dict[str, float] = {}
    results["check, 4 caveats (token text, Request)"] = median_us(
        lambda: verifier.check(token, request, None, NOW), batch, rounds
    )
    results["check, 4 caveats (parsed Capability, Request)"] = median_us(
        lambda: verifier.check(cap, request, None, NOW), batch, rounds
    )
    req_dict = {"agent": "shopper-7", "action": "payments.refund", "args": ARGS}
    results["check, 4 caveats (token text, dict request)"] = median_us(
        lambda: verifier.check(token, req_dict, None, NOW), batch, rounds
    )
    results["attenuate (4 -> 5 caveats)"] = median_us(
        lambda: cap.attenuate("args.amount <= 1000"), batch, rounds
    )

    # Permit verify: each permit is single-use, so every call gets a fresh one.
    sk = charter.SigningKey.from_bytes(bytes([5] * 32))
    issuer = charter.PermitIssuer(sk, "gateway")
    jwks = charter.KeySet.from_keys([sk.public_key()])
    n_permits = batch * (rounds + 1)
    tokens = [
        issuer.issue("shopper-7", "tools.shop.example", "payments.refund", ARGS, cap.id, NOW, f"jti-{i}").token
        for i in range(n_permits)
    ]
    pv = charter.PermitVerifier(jwks, "tools.shop.example")
    it = iter(tokens)
    results["permit verify (EdDSA, replay store)"] = median_us(
        lambda: pv.verify(next(it), "payments.refund", ARGS, NOW), batch, rounds
    )
    results["permit issue"] = median_us(
        lambda: issuer.issue("shopper-7", "tools.shop.example", "payments.refund", ARGS, cap.id, NOW),
        batch,
        rounds,
    )

    # Bundle verify: a log of n receipts written by a Guard, exported once.
    n_receipts = 100 if opts.quick else 1000
    log = charter.AuditLog.in_memory(sk)
    guard = charter.Guard(verifier, issuer, log)
    for i in range(n_receipts):
        guard.check(token, request, None, NOW + i)
    bundle = log.export_bundle()
    keys = log.keys()
    per_bundle = median_us(lambda: charter.verify_bundle(bundle, keys), max(1, batch // 200), rounds)
    results[f"bundle verify ({n_receipts} receipts), per receipt"] = per_bundle / n_receipts
    results["guard.check (check + receipt append)"] = median_us(
        lambda: guard.check(token, request, None, NOW + n_receipts), batch, rounds
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
    try:
        import jwt
    except ImportError:  # pragma: no cover
        jwt = None  # type: ignore[assignment]
    if jwt is not None:
        key = jwt.PyJWK(sk.public_key().to_jwk()).key
        permit_token = tokens[0]

        def peer_jwt() -> None:
            jwt.decode(
                permit_token,
                key,
                algorithms=["EdDSA"],
                audience="tools.shop.example",
                options={"verify_exp": False, "verify_iat": False},
            )

        peer_jwt()
        results["peer: PyJWT 2.15 EdDSA decode of the permit"] = median_us(
            peer_jwt, max(1, batch // 4), rounds
        )

    width = max(len(k) for k in results)
    print(f"charter (Python) bench: median µs per call ({rounds} rounds x {batch})")
    for name, us in results.items():
        print(f"  {name:<{width}}  {us:9.2f} µs")


if __name__ == "__main__":
    main()
