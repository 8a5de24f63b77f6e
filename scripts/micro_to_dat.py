#!/usr/bin/env python3
"""Turn Google Benchmark JSON from concbench-micro into micro.dat and a table.

Usage: micro_to_dat.py MICRO_JSON OUT_DAT

micro.dat (for plots/micro.gp) has one line per benchmark, in run order:
    index  name  group_index  median_ns  "label"  cv
The time of a benchmark is the clock it was timed by: wall clock for the
"/real_time" ones, this thread's CPU time for the others. The header names
the groups in order, for the plot's legend, as `# groups: a b c`.

Prints a table: benchmark, median ns per operation, spread (cv), and the
ratio to the coroutine switch (private stack) when one was measured (env MICRO_REF names
another reference benchmark). Exits 1 if a benchmark reported an error
(after writing what it has), 2 on unusable input.
"""
import json
import os
import statistics
import sys

TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
REF_CANDIDATES = ("switch/coro_fixed_oneway", "switch/coro")
NOISY_CV = 0.10  # flag a benchmark whose repetitions spread more than 10%


def human(ns):
    """171 ns, 24.9 µs, 1.23 ms: three significant digits."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def collect(doc):
    """Return (order, medians, cvs, errors) keyed by display name."""
    order, runs, medians, cvs, errors = [], {}, {}, {}, {}
    for b in doc.get("benchmarks", []):
        run = b.get("run_name", b["name"])
        name = run.replace("/real_time", "")
        if name not in order:
            order.append(name)
        if b.get("error_occurred"):
            errors[name] = b.get("error_message", "error")
            continue
        field = "real_time" if run.endswith("/real_time") else "cpu_time"
        t = b[field] * TO_NS[b.get("time_unit", "ns")]
        if b.get("run_type") == "aggregate":
            agg = b.get("aggregate_name")
            if agg == "median":
                medians[name] = t
            elif agg == "cv":
                cvs[name] = b[field]
        else:
            runs.setdefault(name, []).append(t)
    # Without repetitions (or without aggregates) take the median ourselves.
    for name, ts in runs.items():
        medians.setdefault(name, statistics.median(ts))
        if len(ts) > 1 and name not in cvs:
            cvs[name] = statistics.pstdev(ts) / statistics.mean(ts)
    return order, medians, cvs, errors


def group_of(name):
    """switch/ucontext_oneway -> switch"""
    return name.split("/", 1)[0]


def pick_ref(medians):
    want = os.environ.get("MICRO_REF")
    cands = (want,) if want else REF_CANDIDATES
    for c in cands:
        for name in medians:
            if name.startswith(c):
                return name
    return None


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1]) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"micro_to_dat: {sys.argv[1]}: {e}", file=sys.stderr)
        return 2
    order, medians, cvs, errors = collect(doc)
    shown = [n for n in order if n in medians]
    if not shown:
        print("micro_to_dat: no benchmark results in the JSON", file=sys.stderr)
        return 2
    # Groups in order of first appearance; a group's benchmarks together
    # (stable sort: run order within a group).
    groups = []
    for n in order:
        if group_of(n) not in groups:
            groups.append(group_of(n))
    order.sort(key=lambda n: groups.index(group_of(n)))
    shown = [n for n in order if n in medians]
    groups = [g for g in groups if any(group_of(n) == g for n in shown)]
    ctx = doc.get("context", {})
    with open(sys.argv[2], "w") as out:
        out.write("# concbench micro-benchmarks: median time per operation (ns)\n")
        out.write(f"# host {ctx.get('host_name', '?')}, {ctx.get('num_cpus', '?')} CPUs "
                  f"at {ctx.get('mhz_per_cpu', '?')} MHz, {ctx.get('date', '?')}, "
                  f"libbenchmark build: {ctx.get('library_build_type', '?')}\n")
        out.write("# groups: " + " ".join(groups) + "\n")
        out.write("# index name group_index median_ns label cv\n")
        for i, n in enumerate(shown):
            cv = cvs.get(n, 0.0)
            # A noisy median is flagged on the chart too, not hidden.
            label = human(medians[n]) + (f" (cv {100 * cv:.0f}%)" if cv > NOISY_CV else "")
            out.write(f'{i} {n} {groups.index(group_of(n))} '
                      f'{medians[n]:.6g} "{label}" {cv:.4f}\n')

    ref = pick_ref(medians)
    width = max(len(n) for n in order) + 2
    print(f"ratio: median / {ref}" if ref else "ratio: no coroutine switch measured")
    print(f"{'benchmark':<{width}}{'median ns':>14}{'cv':>9}{'ratio':>10}")
    for n in order:
        if n in errors:
            print(f"{n:<{width}}  ERROR: {errors[n]}")
            continue
        cv = cvs.get(n)
        cv_txt = "-" if cv is None else f"{100 * cv:.1f}%" + ("*" if cv > NOISY_CV else " ")
        ratio = f"{medians[n] / medians[ref]:.1f}" if ref else "-"
        print(f"{n:<{width}}{medians[n]:>14.1f}{cv_txt:>9}{ratio:>10}")
    if any(c > NOISY_CV for c in cvs.values()):
        print(f"* noisy: repetitions spread more than {100 * NOISY_CV:.0f}% (cv)")
    if errors:
        print(f"micro_to_dat: {len(errors)} benchmark(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
