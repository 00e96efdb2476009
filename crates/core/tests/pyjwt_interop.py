"""Stock-JOSE interop for Charter permits, driven by pyjwt_interop.rs.

Reads {"token", "jwks", "audience", "issuer", "public_key"} as JSON on stdin.
PyJWT must verify the Charter permit with the JWKS (EdDSA only, audience and
issuer checked) and must reject the same claims re-signed with alg "none" and
with HS256 keyed by the public key bytes. Prints the claims PyJWT decoded and
the two forged tokens (for Charter's own verifier to reject) as JSON.
"""

import base64
import json
import sys

import jwt


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def must_reject(token, key, audience):
    try:
        jwt.decode(token, key=key, algorithms=["EdDSA"], audience=audience)
    except jwt.InvalidTokenError as e:
        return type(e).__name__
    raise SystemExit("PyJWT accepted a forged permit: " + token)


def main():
    inp = json.load(sys.stdin)
    jwks = json.loads(inp["jwks"])
    assert len(jwks["keys"]) == 1, jwks
    key = jwt.PyJWK(jwks["keys"][0])
    token = inp["token"]

    header = jwt.get_unverified_header(token)
    assert header == {"alg": "EdDSA", "kid": jwks["keys"][0]["kid"], "typ": "permit+jwt"}, header
    claims = jwt.decode(
        token,
        key=key,
        algorithms=["EdDSA"],
        audience=inp["audience"],
        issuer=inp["issuer"],
        options={"require": ["exp", "iat", "aud", "iss", "sub", "jti"]},
    )
    # A wrong audience is refused by PyJWT too.
    try:
        jwt.decode(token, key=key, algorithms=["EdDSA"], audience="someone-else")
        raise SystemExit("PyJWT accepted a permit for another audience")
    except jwt.InvalidAudienceError:
        pass

    headers = {"kid": header["kid"], "typ": "permit+jwt"}
    forged_none = jwt.encode(claims, key=None, algorithm="none", headers=headers)
    public_key = b64d(inp["public_key"])
    assert len(public_key) == 32
    forged_hs256 = jwt.encode(claims, key=public_key, algorithm="HS256", headers=headers)
    rejected = {
        "none": must_reject(forged_none, key, inp["audience"]),
        "hs256": must_reject(forged_hs256, key, inp["audience"]),
    }
    json.dump(
        {
            "pyjwt": jwt.__version__,
            "claims": claims,
            "none": forged_none,
            "hs256": forged_hs256,
            "rejected": rejected,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
