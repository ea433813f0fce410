#!/usr/bin/env python3
"""Prints the Swift Testing tests a `swift test` log shows as started and never ended (used by .ci/run when the
test run outlives its time limit, so a hang names its tests instead of ending the CI in a silent timeout)."""
import re
import sys

started, ended = [], set()
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = line.strip()
    match = re.match(r"^◇ (Test .+) started\.$", line)
    if match:
        started.append(match.group(1))
        continue
    match = re.match(r"^[✔✘↪] (Test .+?)(?: with \d+ test cases?)? (passed|failed|skipped)", line)
    if match:
        ended.add(match.group(1))
# Swift Testing prints when a parameterised test's case starts, not always when it ends: cases are listed apart.
unfinished = [name for name in dict.fromkeys(started)
              if name not in ended and name != "Test run" and not name.startswith("Test case ")]
cases = [name for name in dict.fromkeys(started) if name not in ended and name.startswith("Test case ")]
for name in unfinished:
    print("  " + name)
if cases:
    print("  the last test cases that started (their end may not be printed):")
    for name in cases[-8:]:
        print("    " + name)
if not unfinished:
    print("  (none in the log: the hang is outside a test, or in the XCTest part)")
