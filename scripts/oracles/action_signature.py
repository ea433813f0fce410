#!/usr/bin/env python3
"""Reproduces Reactor's action signatures (docs/signing.md) with independent code: PyPI `rfc8785` for the payload and
`cryptography` for Ed25519 and P-256.

Usage:
  action_signature.py VECTOR.json            check the committed vector: payload bytes, the deterministic Ed25519
                                             signature, and the P-256 signature
  action_signature.py --verify SIGNED.json   verify signatures made by Reactor: a list of
                                             {"documentId", "branch", "action", "signatures": [...]}; each must verify,
                                             and must fail for the same action on another document
  action_signature.py VECTOR.json --write    fill in payload and signatures (used once to make the vector)
"""
import base64
import json
import sys

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def payload(document_id, branch, action):
    return rfc8785.dumps({
        "v": 2,
        "documentId": document_id,
        "branch": branch,
        "id": action["id"],
        "type": action["type"],
        "scope": action["scope"],
        "input": action["input"],
        "timestamp": action["timestamp"],
    })


def verify(signature, data):
    key = base64.b64decode(signature["publicKey"])
    sig = base64.b64decode(signature["signature"])
    try:
        if signature["algorithm"] == "Ed25519":
            ed25519.Ed25519PublicKey.from_public_bytes(key).verify(sig, data)
        elif signature["algorithm"] == "P-256":
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + key)
            r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
            public.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
        return True
    except InvalidSignature:
        return False


def check_vector(path, write):
    with open(path, encoding="utf-8") as f:
        vector = json.load(f)
    failures = []
    data = payload(vector["documentId"], vector["branch"], vector["action"])
    ed_key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vector["ed25519"]["privateKeyHex"]))
    ed_public = base64.b64encode(ed_key.public_key().public_bytes_raw()).decode()
    ed_signature = base64.b64encode(ed_key.sign(data)).decode()
    p_key = ec.derive_private_key(int(vector["p256"]["privateKeyHex"], 16), ec.SECP256R1())
    numbers = p_key.public_key().public_numbers()
    p_public = base64.b64encode(numbers.x.to_bytes(32, "big") + numbers.y.to_bytes(32, "big")).decode()
    if write:
        vector["payload"] = data.decode("utf-8")
        vector["ed25519"]["publicKey"] = ed_public
        vector["ed25519"]["signature"] = ed_signature
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
        r, s = decode_dss_signature(p_key.sign(data, ec.ECDSA(hashes.SHA256())))
        vector["p256"]["publicKey"] = p_public
        vector["p256"]["signature"] = base64.b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode()
        with open(path, "w", encoding="utf-8") as f:
            json.dump(vector, f, ensure_ascii=False, indent=2)
            f.write("\n")
    if data.decode("utf-8") != vector["payload"]:
        failures.append(f"payload differs: {data!r}")
    if ed_public != vector["ed25519"]["publicKey"]:
        failures.append("Ed25519 public key differs")
    if ed_signature != vector["ed25519"]["signature"]:
        failures.append("Ed25519 signature differs (Ed25519 is deterministic)")
    if p_public != vector["p256"]["publicKey"]:
        failures.append("P-256 public key differs")
    if not verify({"algorithm": "P-256", **vector["p256"]}, data):
        failures.append("P-256 signature does not verify")
    return failures


def check_signed(path):
    with open(path, encoding="utf-8") as f:
        entries = json.load(f)
    failures = []
    for n, entry in enumerate(entries):
        data = payload(entry["documentId"], entry["branch"], entry["action"])
        elsewhere = payload(entry["documentId"] + "-other", entry["branch"], entry["action"])
        for signature in entry["signatures"]:
            if not verify(signature, data):
                failures.append(f"entry {n}: {signature['algorithm']} signature does not verify")
            if verify(signature, elsewhere):
                failures.append(f"entry {n}: {signature['algorithm']} signature verifies on another document")
    return failures


def main():
    if sys.argv[1] == "--verify":
        failures = check_signed(sys.argv[2])
    else:
        failures = check_vector(sys.argv[1], "--write" in sys.argv)
    for failure in failures:
        print("FAIL", failure)
    print(f"action signatures: {'0 failed' if not failures else f'{len(failures)} failed'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
