#!/usr/bin/env python3
"""check.py CHECK ARGS... - verifies repoll trace output for tests/trace/run.sh.

Each check prints nothing and exits 0 on success, or prints what differs
and exits 1. Timestamps, durations and pointers are matched loosely
(format and plausibility); calls, arguments, fds and results exactly.
"""
import json
import os
import re
import sys

TEXT_LINE = re.compile(
    r"^\[pid (?P<pid>\d+)(?: tid (?P<tid>\d+))?\] (?P<ts>\d{10}\.\d{6}) "
    r"(?P<body>(?P<call>epoll_\w+)\(.*\) = .*) <(?P<dur>\d+\.\d{6})>$"
)
JSON_HEAD = ["ts_ns", "pid", "tid", "call"]


class Failure(Exception):
    pass


def fail(msg):
    raise Failure(msg)


def parse_fds(line):
    """'fds ep=7 a0=3 ...' -> {'ep': 7, 'a0': 3, ...}"""
    fds = dict(kv.split("=") for kv in line.split()[1:])
    return {k: int(v) for k, v in fds.items()}


def substitute(template, fds):
    for name, value in sorted(fds.items(), key=lambda kv: -len(kv[0])):
        template = template.replace("@%s:x@" % name, hex(value))
        template = template.replace("@%s@" % name, str(value))
    return template


def fill(v, fds):
    """Replaces "@name@" values by the fd number and "@name:x@" by its hex
    string in a parsed golden JSON object."""
    if isinstance(v, str):
        m = re.fullmatch(r"@(\w+)(:x)?@", v)
        if m and m.group(1) in fds:
            return hex(fds[m.group(1)]) if m.group(2) else fds[m.group(1)]
        return v
    if isinstance(v, list):
        return [fill(x, fds) for x in v]
    if isinstance(v, dict):
        return {k: fill(x, fds) for k, x in v.items()}
    return v


def read_lines(path):
    with open(path, "rb") as f:
        data = f.read()
    if data and not data.endswith(b"\n"):
        fail("%s: last line is incomplete (torn write?)" % path)
    return data.decode("utf-8").splitlines()


def text_records(path, expect_pid=None):
    """Parses every line of a text trace; returns the matches."""
    out = []
    for n, line in enumerate(read_lines(path), 1):
        if line.startswith("repoll["):
            continue
        m = TEXT_LINE.match(line)
        if not m:
            fail("%s:%d: not a trace line: %r" % (path, n, line))
        if expect_pid is not None and int(m["pid"]) != expect_pid:
            fail("%s:%d: pid %s, expected %d" % (path, n, m["pid"], expect_pid))
        out.append(m)
    return out


def json_records(path, expect_pid=None, keep_summary=False):
    out = []
    for n, line in enumerate(read_lines(path), 1):
        if line.startswith("repoll["):
            continue
        try:
            obj = json.loads(line, object_pairs_hook=lambda pairs: dict(pairs))
        except ValueError as e:
            fail("%s:%d: invalid JSON (%s): %r" % (path, n, e, line[:200]))
        if "summary" in obj and not keep_summary:
            continue
        if expect_pid is not None and obj.get("pid") != expect_pid:
            fail("%s:%d: pid %r, expected %d" % (path, n, obj.get("pid"), expect_pid))
        out.append(obj)
    return out


def check_times(stamps, durations):
    """Start times never go backwards within a thread; durations are sane."""
    for a, b in zip(stamps, stamps[1:]):
        if b < a:
            fail("timestamps go backwards: %r then %r" % (a, b))
    for d in durations:
        if d < 0 or d > 60e9:
            fail("implausible duration %r ns" % d)


def golden_text(trace, golden, fds_line, pid):
    fds = parse_fds(fds_line)
    expected = [substitute(l, fds) for l in read_lines(golden)]
    recs = text_records(trace, int(pid))
    got = [m["body"] for m in recs]
    if len(got) != len(expected):
        fail("%d records, golden has %d:\n%s" % (len(got), len(expected), "\n".join(got)))
    for i, (g, e) in enumerate(zip(got, expected), 1):
        pattern = "^" + re.escape(e).replace("@PTR@", "0x[0-9a-f]+") + "$"
        if not re.match(pattern, g):
            fail("record %d:\n  got      %s\n  expected %s" % (i, g, e))
    check_times([float(m["ts"]) for m in recs], [float(m["dur"]) * 1e9 for m in recs])


def golden_json(trace, golden, fds_line, pid):
    fds = parse_fds(fds_line)
    pid = int(pid)
    expected = [fill(json.loads(l), fds) for l in read_lines(golden)]
    got = json_records(trace, pid)
    if len(got) != len(expected):
        fail("%d records, golden has %d" % (len(got), len(expected)))

    for i, (g, e) in enumerate(zip(got, expected), 1):
        if list(g.keys()) != list(e.keys()):
            fail("record %d: keys %s, expected %s" % (i, list(g.keys()), list(e.keys())))
        for k, ev in e.items():
            gv = g[k]
            if ev == "@TS@":
                if not isinstance(gv, int) or gv < 1_600_000_000 * 10**9:
                    fail("record %d: ts_ns %r" % (i, gv))
            elif ev == "@DUR@":
                if not isinstance(gv, int) or gv < 0:
                    fail("record %d: dur_ns %r" % (i, gv))
            elif ev == "@PID@":
                if gv != pid:
                    fail("record %d: %s %r, expected %d" % (i, k, gv, pid))
            elif gv != ev:
                fail("record %d: %s = %r, expected %r\n  %s" % (i, k, gv, ev, json.dumps(g)))
    check_times([r["ts_ns"] for r in got], [r["dur_ns"] for r in got])


def strace_compare(ours, theirs):
    """Our text bodies equal strace's once strace's data={u32=.., u64=N}
    is written 0xN and our ', fd=N' is dropped."""
    mine = [re.sub(r", fd=(\d+|\?)\}", "}", m["body"]) for m in text_records(ours)]
    strace = []
    for line in read_lines(theirs):
        m = re.match(r"^(?:\[pid +\d+\] |\d+ +)?\d+\.\d+ (epoll_\w+\(.*\)) += (.*) <[\d.]+>$", line)
        if not m:
            continue
        body = "%s = %s" % (m.group(1), m.group(2))
        body = re.sub(r"data=\{u32=\d+, u64=(\d+)\}", lambda d: "data=" + hex(int(d.group(1))), body)
        strace.append(body)
    mine = [re.sub(r"0x7ff[0-9a-f]+", "PTR", b) for b in mine]
    strace = [re.sub(r"0x7ff[0-9a-f]+", "PTR", b) for b in strace]
    if mine != strace:
        diff = [(a, b) for a, b in zip(mine, strace) if a != b]
        fail("differs from strace (%d vs %d lines); first: %r" % (len(mine), len(strace), diff[:3]))


def per_thread(path, fmt, threads, iterations):
    threads, iterations = int(threads), int(iterations)
    counts = {}
    if fmt == "json":
        for r in json_records(path):
            c = counts.setdefault(r["tid"], {})
            c[r["call"]] = c.get(r["call"], 0) + 1
            if r["call"] == "epoll_wait":
                if r["ret"] != 1 or len(r["events"]) != 1:
                    fail("wait returned %r" % r)
                ev = r["events"][0]
                if int(ev["data"], 16) != (ev["fd"] << 32 | 0xABC):
                    fail("event fd %d does not match its data %s" % (ev["fd"], ev["data"]))
    else:
        for m in text_records(path):
            tid = int(m["tid"] or m["pid"])
            c = counts.setdefault(tid, {})
            c[m["call"]] = c.get(m["call"], 0) + 1
    want = {"epoll_create1": 1, "epoll_ctl": 1, "epoll_wait": iterations}
    if len(counts) != threads:
        fail("%d threads in the trace, expected %d" % (len(counts), threads))
    for tid, c in counts.items():
        if c != want:
            fail("thread %d: %r, expected %r" % (tid, c, want))


def forks(directory, prefix, children, iterations):
    children, iterations = int(children), int(iterations)
    files = [f for f in os.listdir(directory) if f.startswith(prefix)]
    if len(files) != children + 1:
        fail("%d files %s, expected %d (one per process)" % (len(files), files, children + 1))
    for f in files:
        pid = int(f[len(prefix):].split(".")[0])
        recs = json_records(os.path.join(directory, f), pid)
        calls = [r["call"] for r in recs]
        want = ["epoll_create1", "epoll_ctl"] + ["epoll_wait"] * iterations
        if calls != want:
            fail("%s: %d records (%s...), expected %d" % (f, len(calls), calls[:3], len(want)))


def shared_forks(path, children, iterations):
    children, iterations = int(children), int(iterations)
    by_pid = {}
    for m in text_records(path):
        by_pid.setdefault(int(m["pid"]), []).append(m["call"])
    if len(by_pid) != children + 1:
        fail("%d pids, expected %d" % (len(by_pid), children + 1))
    for pid, calls in by_pid.items():
        if len(calls) != iterations + 2:
            fail("pid %d: %d records, expected %d" % (pid, len(calls), iterations + 2))


def count(path, fmt, n, call=None):
    recs = json_records(path) if fmt == "json" else text_records(path)
    calls = [r["call"] for r in recs]
    if call:
        calls = [c for c in calls if c == call]
    if len(calls) != int(n):
        fail("%d records, expected %s: %s" % (len(calls), n, calls[:10]))


def many(path, n, limit):
    n, limit = int(n), int(limit)
    waits = [r for r in json_records(path) if r["call"] == "epoll_wait"]
    if len(waits) != 1 or waits[0]["ret"] != n:
        fail("expected one wait returning %d: %r" % (n, [w.get("ret") for w in waits]))
    w = waits[0]
    shown = len(w["events"])
    omitted = w.get("events_omitted", 0)
    if shown + omitted != n:
        fail("%d events shown + %d omitted != %d" % (shown, omitted, n))
    for line in read_lines(path):
        if len(line) + 1 > limit:
            fail("a line of %d bytes, limit %d" % (len(line) + 1, limit))
    for i, ev in enumerate(w["events"]):
        data = int(ev["data"], 16) - 0x10000
        if i < 256 and ev["fd"] != data:
            fail("event %d: fd %d, registered fd %d" % (i, ev["fd"], data))
        if i >= 256 and ev["fd"] != -1:
            fail("event %d beyond WAIT_FDS shows fd %d" % (i, ev["fd"]))
    if limit > 4096 and omitted:
        fail("%d events omitted from a regular file" % omitted)
    if limit == 4096 and not omitted:
        fail("a pipe line cannot hold %d events; expected events_omitted" % n)


def chrome(path, fds_line, pid):
    fds = parse_fds(fds_line)
    pid = int(pid)
    with open(path) as f:
        data = f.read()
    if not data.startswith("[\n") or not data.endswith(",\n"):
        fail("not a JSON-array trace ending with ',\\n'")
    events = json.loads(data.rstrip().rstrip(",") + "]")
    meta = [e for e in events if e["ph"] == "M"]
    names = {e["name"] for e in meta}
    if names != {"process_name", "thread_name"}:
        fail("metadata events %r" % names)
    spans = [e for e in events if e["ph"] == "X"]
    instants = [e for e in events if e["ph"] == "i"]
    if len(spans) != 21:
        fail("%d X events, expected 21" % len(spans))
    for e in spans + instants:
        if e["pid"] != pid or e["tid"] != pid:
            fail("pid/tid %r" % e)
        if not isinstance(e["ts"], (int, float)):
            fail("ts %r" % e)
    for e in spans:
        if e["dur"] < 0 or e["cat"] != "epoll":
            fail("span %r" % e)
    want = [("fd %d EPOLLIN" % fds["a0"], fds["a0"]), ("fd %d EPOLLIN" % fds["b0"], fds["b0"])]
    got = [(e["name"], e["args"]["fd"]) for e in instants]
    if got != want:
        fail("instants %r, expected %r" % (got, want))
    for a, b in zip(spans, spans[1:]):
        if b["ts"] < a["ts"]:
            fail("spans out of order")
    calls = [e["name"] for e in spans]
    if calls[:2] != ["epoll_create1", "epoll_create"] or calls.count("epoll_ctl") != 7:
        fail("span names %r" % calls)


# Expected summary of golden.c: call -> (calls, errors, events, timeouts, errnos)
GOLDEN_SUMMARY = {
    "epoll_create": (2, 1, 0, 0, {"EINVAL": 1}),
    "epoll_create1": (2, 1, 0, 0, {"EINVAL": 1}),
    "epoll_ctl": (7, 4, 0, 0, {"EEXIST": 1, "ENOENT": 1, "EFAULT": 1, "EINVAL": 1}),
    "epoll_wait": (8, 3, 2, 3, {"EBADF": 1, "EINVAL": 2}),
    "epoll_pwait": (1, 0, 0, 1, {}),
    "epoll_pwait2": (1, 0, 0, 1, {}),
}


def summary_json(path, fds_line):
    fds = parse_fds(fds_line)
    rows = [r for r in json_records(path, keep_summary=True) if "summary" in r]
    calls = {r["call"]: r for r in rows if r["summary"] == "call"}
    for call, (n, errors, events, timeouts, errnos) in GOLDEN_SUMMARY.items():
        r = calls.get(call)
        if r is None:
            fail("no summary row for %s" % call)
        got = (r["calls"], r["errors"], r["events"], r["timeouts"], r["errnos"])
        if got != (n, errors, events, timeouts, errnos):
            fail("%s: %r, expected %r" % (call, got, (n, errors, events, timeouts, errnos)))
        if r["max_ns"] > r["total_ns"] or r["total_ns"] < 0:
            fail("%s: times %r" % (call, r))
    per_fd = {r["fd"]: r for r in rows if r["summary"] == "fd"}
    want = {fds["a0"]: 1, fds["b0"]: 1}
    if {fd: r["events"] for fd, r in per_fd.items()} != want:
        fail("per-fd rows %r, expected %r" % (per_fd, want))


def summary_text(path, fds_line):
    fds = parse_fds(fds_line)
    lines = read_lines(path)
    rows = {}
    for line in lines:
        m = re.match(r"^ *(\d+\.\d\d) +(\d+\.\d{6}) +(\d+) +(\d+) +(\d+) +(\d*) +(\d+) +(\d+) (epoll_\w+)$", line)
        if m:
            rows[m.group(9)] = (int(m.group(5)), int(m.group(6) or 0), int(m.group(7)), int(m.group(8)))
    for call, (n, errors, events, timeouts, _) in GOLDEN_SUMMARY.items():
        if rows.get(call) != (n, errors, events, timeouts):
            fail("%s: %r, expected %r\n%s" % (call, rows.get(call), (n, errors, events, timeouts), "\n".join(lines)))
    total = [l for l in lines if l.endswith(" total")]
    if not total or not re.match(r"^100\.00 ", total[0]):
        fail("no total row: %r" % total)
    for needle in ("errors of epoll_ctl: ENOENT 1 EFAULT 1 EEXIST 1 EINVAL 1",
                   "errors of epoll_wait: EBADF 1 EINVAL 2"):
        if needle not in lines:
            fail("missing %r" % needle)
    fd_rows = [l.split() for l in lines if re.match(r"^ +\d+ +\d+ +\d+ +\d+ +\d+$", l)]
    got = {int(r[0]): int(r[1]) for r in fd_rows}
    if got != {fds["a0"]: 1, fds["b0"]: 1}:
        fail("per-fd rows %r" % got)


def summary_per_pid(directory, prefix, processes, iterations):
    """Each process's summary counts its own calls only (counters restart
    in a forked child)."""
    files = [f for f in os.listdir(directory) if f.startswith(prefix)]
    if len(files) != int(processes):
        fail("%d files, expected %s" % (len(files), processes))
    for f in files:
        rows = [r for r in json_records(os.path.join(directory, f), keep_summary=True)
                if r.get("summary") == "call"]
        got = {r["call"]: r["calls"] for r in rows}
        want = {"epoll_create1": 1, "epoll_ctl": 1, "epoll_wait": int(iterations)}
        if got != want:
            fail("%s: summary %r, expected %r" % (f, got, want))


def lines_equal(path, expected_path):
    got = read_lines(path)
    want = read_lines(expected_path)
    if got != want:
        fail("got:\n%s\nexpected:\n%s" % ("\n".join(got), "\n".join(want)))


CHECKS = {
    "golden-text": golden_text,
    "golden-json": golden_json,
    "strace-compare": strace_compare,
    "per-thread": per_thread,
    "forks": forks,
    "shared-forks": shared_forks,
    "count": count,
    "many": many,
    "chrome": chrome,
    "summary-json": summary_json,
    "summary-text": summary_text,
    "lines-equal": lines_equal,
    "summary-per-pid": summary_per_pid,
}

if __name__ == "__main__":
    try:
        CHECKS[sys.argv[1]](*sys.argv[2:])
    except Failure as e:
        print("    " + str(e).replace("\n", "\n    "))
        sys.exit(1)
