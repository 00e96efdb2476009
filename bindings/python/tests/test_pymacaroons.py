"""libmacaroons compatibility, shown with pymacaroons (a peer library): it
parses a Charter capability (macaroon V2 binary, base64url) and verifies its
HMAC chain with the root key, the caveats accepted by a general callback."""

from __future__ import annotations

import pymacaroons  # type: ignore[import-untyped]

import charter

SECRET = bytes(range(32))


def capability() -> charter.Capability:
    root = charter.RootKey.from_bytes(SECRET)
    cap = charter.Issuer(root).issue(
        agent="shopper-7",
        actions=["payments.refund", "orders.read"],
        expires_at=1_767_229_200,
        issued_at=1_767_225_600,
    )
    return cap.attenuate('args.currency == "USD" && args.amount <= 5000')


def test_pymacaroons_parses_and_verifies_the_chain() -> None:
    cap = capability()
    m = pymacaroons.Macaroon.deserialize(cap.serialize())
    assert m.version == pymacaroons.MACAROON_V2
    assert [c.caveat_id_bytes.decode() for c in m.first_party_caveats()] == cap.caveats
    assert m.identifier_bytes.startswith(b"charter/v1/capability ")
    seen: list[str] = []
    v = pymacaroons.Verifier()

    def general(caveat: str) -> bool:
        seen.append(caveat)
        return True

    v.satisfy_general(general)
    assert v.verify(m, SECRET)
    assert seen == cap.caveats


def test_pymacaroons_rejects_a_wrong_root_key_and_unmet_caveats() -> None:
    m = pymacaroons.Macaroon.deserialize(capability().serialize())
    v = pymacaroons.Verifier()
    v.satisfy_general(lambda c: True)
    try:
        v.verify(m, b"\x01" * 32)
    except pymacaroons.exceptions.MacaroonInvalidSignatureException:
        pass
    else:
        raise AssertionError("a wrong root key verified")
    strict = pymacaroons.Verifier()
    strict.satisfy_exact('agent == "shopper-7"')
    try:
        strict.verify(m, SECRET)
    except pymacaroons.exceptions.MacaroonException:
        pass  # pymacaroons skips unmet caveats, so the chain no longer matches
    else:
        raise AssertionError("unmet caveats verified")


def test_a_caveat_appended_by_pymacaroons_verifies_in_charter() -> None:
    cap = capability()
    m = pymacaroons.Macaroon.deserialize(cap.serialize())
    m.add_first_party_caveat("args.amount <= 100")
    # The same chain step on both sides gives the same tag.
    narrowed = cap.attenuate("args.amount <= 100")
    assert m.signature == pymacaroons.Macaroon.deserialize(narrowed.serialize()).signature


def test_a_capability_narrowed_by_pymacaroons_is_decided_by_charter() -> None:
    cap = capability()
    m = pymacaroons.Macaroon.deserialize(cap.serialize())
    m.add_first_party_caveat("args.amount <= 100")
    # pymacaroons writes an empty location field; Charter accepts and drops it.
    narrowed = charter.Capability.parse(m.serialize())
    assert narrowed.id == cap.attenuate("args.amount <= 100").id
    assert narrowed.serialize() == cap.attenuate("args.amount <= 100").serialize()
    verifier = charter.Verifier([charter.RootKey.from_bytes(SECRET)], "payments.svc")
    now = 1_767_225_700
    small = charter.Request("shopper-7", "payments.refund", {"amount": 80, "currency": "USD"})
    large = charter.Request("shopper-7", "payments.refund", {"amount": 250, "currency": "USD"})
    assert verifier.check(m.serialize(), small, now=now).allowed
    denied = verifier.check(m.serialize(), large, now=now)
    assert not denied.allowed
    assert [r.code for r in denied.reasons] == ["caveat_failed"]
    assert denied.reasons[0].caveat_index == len(cap.caveats)
