#!/usr/bin/env python3
"""Checks Reactor's canonical-JSON golden vectors with an independent RFC 8785 implementation (PyPI `rfc8785`).

Usage: canonical_json.py VECTORS.json [--write]
Every vector with "canonical" must canonicalize to exactly those bytes; every vector with "error" must be refused by
the parsing rule of docs/canonical-json.md (duplicate keys, integers a double does not hold exactly). With --write the
"canonical" fields are filled in from rfc8785 (used once to make the file; the committed file is the contract).
"""
import json
import sys

import rfc8785

SAFE = 2**53 - 1


class Refused(Exception):
    pass


def no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise Refused(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def exact_int(text):
    value = int(text)
    if abs(value) <= SAFE:
        return value
    as_float = float(value)
    # Accepted when the double holds the integer exactly, or when the text is the double's own canonical spelling
    # (so that canonical output always reads back); anything else would change silently.
    if int(as_float) != value and rfc8785.dumps(as_float).decode() != text:
        raise Refused(f"integer {text} is not exactly a double")
    return as_float  # rfc8785 takes doubles beyond 2^53 as floats


def canonical(text):
    value = json.loads(text, object_pairs_hook=no_duplicates, parse_int=exact_int)
    return rfc8785.dumps(value).decode("utf-8")


def main():
    path = sys.argv[1]
    write = "--write" in sys.argv
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    failures = 0
    for vector in document["vectors"]:
        name = vector["name"]
        try:
            got = canonical(vector["input"])
        except Refused as refused:
            if "error" in vector:
                continue
            print(f"FAIL {name}: refused ({refused}) but a canonical form is expected")
            failures += 1
            continue
        if "error" in vector:
            print(f"FAIL {name}: expected a refusal, got {got!r}")
            failures += 1
        elif write:
            vector["canonical"] = got
        elif got != vector["canonical"]:
            print(f"FAIL {name}: rfc8785 gives {got!r}, the vector says {vector['canonical']!r}")
            failures += 1
    if write:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(document, f, ensure_ascii=True, indent=2)
            f.write("\n")
    count = len(document["vectors"])
    print(f"canonical-json vectors: {count - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
