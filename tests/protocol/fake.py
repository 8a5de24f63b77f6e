"""A strategy that speaks strategies/PROTOCOL.md and misbehaves on demand.

Usage: fake.py MODE, MODE one of
  good        sleeps every task for real, reports truthfully
  liar        reports task 1 as ok although it never waited (short_wait)
  wrong_slot  reports task 0's result under index 1 (value 0 in slot 1)
  crash       says ready, then dies of SIGSEGV before any result
  hang        says ready, then never answers
  skip        says it cannot run this spec
  garbage     writes a line that is not the protocol
  no_end      writes every task but never `end`
"""
import os
import signal
import sys
import time

mode = sys.argv[1]
spec = dict(kv.split("=", 1) for kv in sys.stdin.readline().split()[2:])
out = os.fdopen(int(os.environ.get("CB_RESULT_FD", "3")), "w")
if mode == "skip":
    out.write("skip fake.py: this spec is not implemented\n")
    sys.exit(0)
out.write("ready\n")
out.flush()
if sys.stdin.readline().strip() != "go":
    sys.exit(0)
if mode == "crash":
    os.kill(os.getpid(), signal.SIGSEGV)
if mode == "hang":
    time.sleep(3600)
n, d = int(spec["n"]), int(spec["sleep_ns"])
t0 = time.monotonic_ns()
rows = []
for k in range(n):
    s = time.monotonic_ns()
    if not (mode == "liar" and k == 1):
        time.sleep(d / 1e9)
    rows.append((k, s, time.monotonic_ns()))
t1 = time.monotonic_ns()
if mode == "garbage":
    out.write("this is not a protocol line\n")
for k, s, f in rows:
    value = 0 if (mode == "wrong_slot" and k == 1) else k
    out.write(f"task {k} {s} {f} ok 0 0 {value}\n")
out.write("policy fake.py " + mode + "\n")
if mode != "no_end":
    out.write(f"end {t0} {t1} {n}\n")
