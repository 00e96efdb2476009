"""Macaroon-library interop for Charter capabilities, driven by pymacaroons_interop.rs.

Reads {"token", "caveats", "root"} as JSON on stdin: a Charter capability, the
caveats to append and the root key (hex). With pymacaroons it deserializes the
token, checks its HMAC chain with the root key (accepting every caveat), appends
each caveat as a first-party caveat, and serializes the result (V2 binary,
base64url: pymacaroons writes an empty location field). It also appends a
third-party caveat to a copy, which Charter must refuse. Prints
{"narrowed", "third_party", "pymacaroons"} as JSON.
"""

import json
import sys
from importlib.metadata import version

import pymacaroons


def main():
    inp = json.load(sys.stdin)
    root = bytes.fromhex(inp["root"])
    m = pymacaroons.Macaroon.deserialize(inp["token"])
    if m.version != pymacaroons.MACAROON_V2:
        raise SystemExit("pymacaroons did not read a V2 macaroon")
    v = pymacaroons.Verifier()
    v.satisfy_general(lambda caveat: True)
    if not v.verify(m, root):
        raise SystemExit("pymacaroons did not verify the Charter chain")
    for caveat in inp["caveats"]:
        m.add_first_party_caveat(caveat)
    narrowed = m.serialize()
    third = pymacaroons.Macaroon.deserialize(narrowed)
    third.add_third_party_caveat("https://auth.example", "a third-party secret", "tp-1")
    # The same with an empty location, as a peer may write it.
    third_empty = pymacaroons.Macaroon.deserialize(narrowed)
    third_empty.add_third_party_caveat("", "a third-party secret", "tp-2")
    print(json.dumps({
        "narrowed": narrowed,
        "third_party": [third.serialize(), third_empty.serialize()],
        "pymacaroons": version("pymacaroons"),
    }))


main()
