#!/usr/bin/env python3
"""Applies Reactor's JSON Patches with an independent RFC 6902 implementation (PyPI `jsonpatch`).

Usage: json_patch.py CASES.json
CASES.json is a list of {"from": …, "to": …, "patch": [...]}: every patch applied to its "from" with
jsonpatch.apply_patch must give exactly its "to". Prints "N passed, M failed" and exits 1 on any failure.
"""
import json
import sys

import jsonpatch


def same(a, b):
    # JSON equality: 1 and 1.0 are one number, but true is not 1.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    failed = 0
    for i, case in enumerate(cases):
        try:
            result = jsonpatch.apply_patch(case["from"], case["patch"])
        except Exception as error:  # noqa: BLE001 - any refusal is a failure of the case
            print(f"case {i}: jsonpatch refused the patch: {error!r}")
            failed += 1
            continue
        if not same(result, case["to"]):
            print(f"case {i}: got {json.dumps(result)[:300]}, expected {json.dumps(case['to'])[:300]}")
            failed += 1
    print(f"{len(cases) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
