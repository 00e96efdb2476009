"""TLS to PostgreSQL from the wheel (rustls on ring: the wheel links no OpenSSL).

Against the throwaway server of scripts/postgres.sh (scripts/test.sh python
starts it): CHARTER_PG_TLS_URL is a role the server admits over TLS only,
CHARTER_PG_TLS_CA the CA that signed the server's certificate for 127.0.0.1,
CHARTER_PG_TLS_OTHER_CA a CA of the same name that did not sign it.
CHARTER_REQUIRE_POSTGRES=1 makes a missing server a failure instead of a skip.
"""

from __future__ import annotations

import os
import pathlib
import time
import urllib.parse

import pytest

import charter

NOW = int(time.time())
ROOT_KEY = charter.RootKey.from_bytes(b"\x15" * 32)
REQUEST = charter.Request("agent-1", "refund", {"amount": 5})


def tls_server() -> tuple[str, str, str]:
    """The TLS-only URL, the right CA file and the wrong one."""
    names = ("CHARTER_PG_TLS_URL", "CHARTER_PG_TLS_CA", "CHARTER_PG_TLS_OTHER_CA")
    url, ca, other = (os.environ.get(n, "") for n in names)
    if not (url and ca and other):
        why = f"{', '.join(names)} are not set (scripts/postgres.sh sets them when openssl is there)"
        if os.environ.get("CHARTER_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"CHARTER_REQUIRE_POSTGRES=1 but {why}")
        pytest.skip(why)
    return url, ca, other


def with_ca(url: str, mode: str, ca: str) -> str:
    return f"{url}?connect_timeout=5&sslmode={mode}&sslrootcert={urllib.parse.quote(ca, safe='/')}"


def test_verify_full_against_the_servers_ca_shares_revocations() -> None:
    url, ca, _ = tls_server()
    verified = with_ca(url, "verify-full", ca)
    cap = charter.Issuer(ROOT_KEY).issue(actions=["refund"], expires_at=NOW + 3600)
    a = charter.Verifier([ROOT_KEY], "svc", store=charter.open_store(verified))
    store = charter.open_store(verified)
    b = charter.Verifier([ROOT_KEY], "svc", store=store)
    assert b.check(cap, REQUEST).allowed
    a.revoke(cap.id)
    d = b.check(cap, REQUEST)
    assert not d.allowed and d.reasons[0].code == "revoked"
    assert cap.id in store.revoked()
    # verify-ca (the chain, not the name) sees the same list.
    c = charter.Verifier([ROOT_KEY], "svc", store=charter.open_store(with_ca(url, "verify-ca", ca)))
    assert c.check(cap, REQUEST).reasons[0].code == "revoked"
    # The role is admitted over TLS only: the stores above spoke TLS.
    with pytest.raises(charter.CharterError) as e:
        charter.open_store(f"{url}?connect_timeout=5&sslmode=disable")
    assert "no encryption" in e.value.message


def test_verify_full_with_a_wrong_ca_is_store_unavailable(tmp_path: pathlib.Path) -> None:
    url, _, other = tls_server()
    with pytest.raises(charter.EnvironmentError) as e:
        charter.open_store(with_ca(url, "verify-full", other))
    assert e.value.code == "store_unavailable"
    assert "certificate" in e.value.message
    # A CA file that is not PEM is the caller's mistake, found before connecting.
    not_pem = tmp_path / "ca.der"
    not_pem.write_bytes(b"\x30\x82 not PEM")
    with pytest.raises(charter.UsageError) as bad:
        charter.open_store(with_ca(url, "verify-full", str(not_pem)))
    assert bad.value.code == "invalid_argument"
    assert "sslrootcert=" in bad.value.message
