#!/usr/bin/env python3
"""Verifies access tokens of Reactor's identity service with independent code: PyPI `pyjwt` (with `cryptography`),
given the service's published JWKS (docs/identity.md).

Usage:
  jwt_verify.py CASE.json

CASE.json: {"jwks": <the JWKS document>, "issuer", "audience", "valid": [{"token", "sub"}...], "invalid": [token...]}
Every valid token must verify (ES256, kid from the JWKS, exp, iss, aud) with the expected subject; every invalid one
must be refused. Prints "ok" and exits 0, or names the first failure and exits 1.
"""
import json
import sys

import jwt


def verify(jwks, token, issuer, audience):
    header = jwt.get_unverified_header(token)
    keys = jwt.PyJWKSet.from_dict(jwks)
    key = next(k for k in keys.keys if k.key_id == header["kid"])
    return jwt.decode(token, key.key, algorithms=["ES256"], issuer=issuer, audience=audience,
                      options={"require": ["exp", "iat", "sub", "iss", "aud"]})


def main():
    case = json.load(open(sys.argv[1]))
    for entry in case["valid"]:
        claims = verify(case["jwks"], entry["token"], case["issuer"], case["audience"])
        if claims["sub"] != entry["sub"]:
            print(f"wrong subject {claims['sub']!r}, expected {entry['sub']!r}")
            return 1
    for token in case["invalid"]:
        try:
            verify(case["jwks"], token, case["issuer"], case["audience"])
        except Exception:
            continue
        print(f"an invalid token verified: {token[:40]}...")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
