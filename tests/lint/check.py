#!/usr/bin/env python3
"""Checks one lint test's JSON log against the expect lines on stdin
(tests/lint/run.sh). Prints OK or the problems."""
import json, sys
log, name = sys.argv[1], sys.argv[2]
records = []
try:
    with open(log) as f:
        for line in f:
            line = line.strip()
            if line:
                records.append(json.loads(line))
except FileNotFoundError:
    pass
lints = [r for r in records if "lint" in r]
problems = []
if name.startswith("ok-"):
    for r in lints:
        problems.append("unexpected %s fd=%s: %s" % (r["lint"], r["fd"], r.get("msg", "")))
for line in sys.stdin.read().splitlines():
    parts = line.split()
    if not parts:
        continue
    if parts[0] == "expect":
        lint, fd = parts[1], int(parts[2])
        want = dict(p.split("=", 1) for p in parts[3:])
        found = [r for r in lints if r["lint"] == lint and r["fd"] == fd]
        if not found:
            problems.append("no %s record for fd %d (got: %s)" % (lint, fd, ", ".join("%s/%s" % (r["lint"], r["fd"]) for r in lints) or "none"))
            continue
        for k, v in want.items():
            if v == "?":
                if k not in found[0]:
                    problems.append("%s fd %d: no %s" % (lint, fd, k))
            elif str(found[0].get(k)) != v:
                problems.append("%s fd %d: %s=%s, want %s" % (lint, fd, k, found[0].get(k), v))
    elif parts[0] == "expect-table":
        fd = int(parts[1])
        if not any(r.get("halfclosed_at_exit_row") and r.get("fd") == fd for r in records):
            problems.append("no exit-table row for fd %d" % fd)
print("; ".join(problems) if problems else "OK")
