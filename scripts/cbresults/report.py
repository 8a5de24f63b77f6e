"""REPORT.md of a results folder, and REPRODUCE.md of `make reproduce`.

Every finding sentence is computed from the folder's CSV files; a finding
whose data is missing is left out rather than guessed. Rankings of memory
per task are made only where N >= RANK_N: below, the fixed part of a run
(the program, its libraries, the loop) outweighs what a task adds.
"""
import math
import os
import shlex

from . import fmt
from . import load
from .load import cpu, ns, workers

NOISE = 1.25          # same threshold as `concbench summarize`
TIE = 0.01            # walls within 1% of the fastest are called a tie
RANK_N = 1000         # rank memory per task only from this N on
SPLIT_N = 10000       # the N of the user/kernel table, when it was measured
STOPPED = ("limit", "skipped", "timeout", "crashed", "failed", "interrupted")

CHARTS = [
    ("wall_sleep", "Wall time against N, sleep workload"),
    ("wall_http", "Wall time against N, HTTP workload"),
    ("mem_sleep", "Memory against N (whole run, user + kernel), sleep workload"),
    ("mem_http", "Memory against N (whole run, user + kernel), HTTP workload"),
    ("memsplit_sleep", "Where a task's memory goes: user and kernel, sleep workload"),
    ("memsplit_http", "Where a task's memory goes: user and kernel, HTTP workload"),
    ("cpu_sleep", "CPU time, sleep workload"),
    ("cpu_http", "CPU time, HTTP workload"),
    ("latency_sleep", "Per-task latency percentiles against N, sleep"),
    ("latency_http", "Per-request latency percentiles against N, HTTP"),
    ("finish_sleep", "Task finish times from the start of the run, sleep"),
    ("finish_http", "Task finish times from the start of the run, HTTP"),
    ("cdf_sleep", "Latency distribution at one N, sleep"),
    ("cdf_http", "Latency distribution at one N, HTTP"),
    ("runtimes_sleep", "Across runtimes: memory per task and wall time, with the published figures"),
    ("limits", "Where each strategy stopped"),
    ("servers", "Blocking versus event server"),
    ("article", "The article's figures beside ours"),
]


CAPTIONS = {
    "runtimes_sleep": "The grey diamonds are published figures, not measured here: peak memory of 1,000,000 "
                      "sleeping tasks from pkolaczk's \"How much memory do you need to run 1 million concurrent "
                      "tasks?\" (`plots/published.tsv`), on another machine with another method; they are "
                      "context for the lines, not a result of this run.",
    "memsplit_sleep": "Each bar is the run's peak split as the memory method reports it, divided by N; "
                      "the diamond is (peak - baseline) / tasks started, the figure the tables rank.",
    "memsplit_http": "Each bar is the run's peak split as the memory method reports it, divided by N; "
                     "the diamond is (peak - baseline) / tasks started, the figure the tables rank.",
}


# ---------------------------------------------------------------- sections

def section_run(d, st, profile):
    lines = ["## What was run", ""]
    if profile:
        lines.append("- Profile: `%s`" % profile)
    for wl in d.workloads():
        rows = d.rows(wl)
        dur = d.duration(wl)
        what = "D (each sleep)" if wl == "sleep" else "L (server latency)"
        servers = sorted({r["server"] for r in rows if r["server"]})
        lines.append("- `%s`: strategies %s; N = %s; %s = %s s%s" % (
            wl, ", ".join(st.order(r["strategy"] for r in rows)), ", ".join(fmt.count(n) for n in ns(rows)),
            what, "%g" % dur if dur is not None else "?", "; server: " + ", ".join(servers) if servers else ""))
    if d.cmp:
        lines.append("- Server comparison: `%s` client, HTTP, servers %s; N = %s" % (
            ", ".join(st.order(r["strategy"] for r in d.cmp)), ", ".join(sorted({r["server"] for r in d.cmp})),
            ", ".join(fmt.count(n) for n in ns(d.cmp))))
    reps = sorted({int(r["reps"]) for r in d.summary if r["reps"]})
    if reps:
        lines.append("- Repetitions per configuration: %s (each run in a fresh process; medians below)"
                     % ", ".join(str(x) for x in reps))
    if d.runs:
        count = {}
        for r in d.runs:
            count[r["status"]] = count.get(r["status"], 0) + 1
        lines.append("- Runs: %d rows in `runs.csv` (%s)" % (
            len(d.runs), ", ".join("%s %d" % kv for kv in sorted(count.items()))))
    methods = sorted({r["mem_method"] for r in d.summary if r["mem_method"]})
    lines.append("- Memory: %s" % ("measured by " + ", ".join("`%s`" % m for m in methods) if methods else
                                   "no `mem_method` in this folder (an older meter: the process's own figures)"))
    lines += absent_strategies(d, st)
    if d.filled:
        lines.append("- `summary.csv` lacks %d columns (an older `concbench summarize`); they are taken here "
                     "from `runs.csv`: medians over the runs of each configuration" % len(d.filled))
    return "\n".join(lines) + "\n"


def absent_strategies(d, st):
    """The listed strategies this folder has no row of, and why when the list says."""
    have = {r["strategy"] for r in d.summary}
    off = [s for s in st.list if s.available == "no" and s.name not in have]
    missing = [s for s in st.list if s.available != "no" and s.name not in have]
    out = []
    if off:
        out.append("- Not available on this machine, so not run: %s" % "; ".join(
            "`%s` (%s)" % (s.name, fmt.note(s.summary, 60)) for s in off))
    if missing and d.summary:
        out.append("- Listed but not in this sweep: %s" % ", ".join("`%s`" % s.name for s in missing))
    return out


def cell_text(r, value, text):
    """A table cell: the figure, its status when the run did not do all its work."""
    if r is None:
        return ""
    if value is None:
        return "-" if r.done() else (r["status"] or "")
    t = text(value)
    if not r.done():
        t += " (%s)" % r["status"]
    return t


def latency_cell(r):
    if r is None or not r.done() or r["lat_p50_med_s"] is None:
        return cell_text(r, None, fmt.secs)
    return " / ".join(fmt.secs(r[c]) for c in ("lat_p50_med_s", "lat_p99_med_s", "lat_p999_med_s"))


# The tables of each workload: title, the column a row must have for the
# table to be written, and the text of one cell.
TABLES = (
    ("wall time (s)", "wall_med_s", lambda r: cell_text(r, r["wall_med_s"], fmt.secs)),
    ("memory, whole run: peak of every process, user + kernel", "mem_med_kb",
     lambda r: cell_text(r, r["mem_med_kb"], fmt.kib)),
    ("memory per task: (peak - baseline) / tasks started", "mem_per_task_med_b",
     lambda r: cell_text(r, r["mem_per_task_med_b"], fmt.nbytes)),
    ("CPU time, user + system, over the work (s)", "cpu_med_s", lambda r: cell_text(r, cpu(r), fmt.secs)),
    ("per-task latency, finish - start: p50 / p99 / p99.9 (s)", "lat_p50_med_s", latency_cell),
)


def strategy_table(d, st, wl, title, text):
    rows = d.rows(wl)
    head = ["strategy"] + ["N=%s" % fmt.count(n) for n in ns(rows)]
    body = []
    for s in st.order(r["strategy"] for r in rows):
        line = [s] + [text(d.cell(wl, s, n)) if d.cell(wl, s, n) else "" for n in ns(rows)]
        if title.startswith("memory"):
            line[0] += " (%s)" % (", ".join(sorted({r["mem_method"] for r in rows if r["strategy"] == s
                                                     and r["mem_method"]})) or "method not recorded")
        body.append(line)
    return ["### %s: %s" % (wl, title), "", fmt.md_table(head, body), ""]


def section_tables(d, st):
    out = ["## Medians per workload", "",
           "Cells are medians over the repetitions; a status in brackets means not every task completed "
           "(that figure is in no chart and no ranking); `skipped` means the sweep did not run it; `-`: the run "
           "did all its work but the figure was not measured. "
           "Memory is the whole run (every process it started, user pages and kernel memory); the method "
           "that measured it is in brackets after the strategy.", ""]
    for wl in d.workloads():
        for title, need, text in TABLES:
            if any(r[need] is not None or (need == "cpu_med_s" and cpu(r) is not None) for r in d.rows(wl)):
                out += strategy_table(d, st, wl, title, text)
        out += split_table(d, st, wl)
    if d.cmp:
        out += server_table(d, st)
    return "\n".join(out)


def split_n(rows):
    done = [r["n"] for r in rows if r.done() and r["mem_med_kb"] is not None]
    if not done:
        return None
    return SPLIT_N if SPLIT_N in done else max(done)


def split_table(d, st, wl):
    """User and kernel bytes per task at N = 10,000 (or the largest N measured)."""
    rows = d.rows(wl)
    n = split_n(rows)
    if n is None or not any(r["mem_kernel_med_kb"] is not None for r in rows):
        return []
    cols = (("user", "mem_user_med_kb"), ("kernel", "mem_kernel_med_kb"), ("stacks", "mem_kstack_med_kb"),
            ("page tables", "mem_pagetables_med_kb"), ("slab", "mem_slab_med_kb"), ("sockets", "mem_sock_med_kb"))
    body = []
    for s in st.order(r["strategy"] for r in rows):
        r = d.cell(wl, s, n)
        if r is None or not r.done() or r["mem_med_kb"] is None:
            continue
        line = [s, r["mem_method"] or "?"] + [fmt.nbytes(r[c] * 1024 / n) if r[c] is not None else "-"
                                              for _, c in cols]
        k = r["mem_kernel_med_kb"]
        line.append(fmt.pct(k / r["mem_med_kb"]) if k is not None and r["mem_med_kb"] else "-")
        body.append(line)
    return ["### %s: user and kernel memory per task at N=%s (peak / N, split at the peak)" % (wl, fmt.count(n)),
            "", "`-`: the method does not report that part.", "",
            fmt.md_table(["strategy", "method"] + [c for c, _ in cols] + ["kernel share"], body), ""]


def server_rows(d, st):
    """Server comparison: (client, {server: {n: row}}), the event rows of the same client included."""
    client = st.order(r["strategy"] for r in d.cmp)[0]
    by = {}
    for r in d.cmp:
        if r["strategy"] == client:
            by.setdefault(r["server"], {})[r["n"]] = r
    cmp_ns = {r["n"] for r in d.cmp}
    for r in d.rows("http"):
        if r["strategy"] == client and r["n"] in cmp_ns:
            by.setdefault(r["server"] or "event", {})[r["n"]] = r
    return client, by


def by_workers(servers):
    return sorted(servers, key=lambda s: (workers(s) is None, workers(s) or 0, s))


def server_table(d, st):
    client, by = server_rows(d, st)
    cmp_ns = ns(d.cmp)
    lat = next((r["duration_s"] for r in d.cmp if r["duration_s"]), None)
    body = []
    for sv in by_workers(by):
        line = [sv]
        for n in cmp_ns:
            r = by[sv].get(n)
            t = cell_text(r, r["wall_med_s"] if r else None, fmt.secs)
            w = workers(sv)
            if w and lat and t:
                t += " [model %s]" % fmt.secs(math.ceil(n / w) * lat)
            line.append(t)
        body.append(line)
    return ["### Blocking versus event server: wall time (s), `%s` client" % client, "",
            "`[model]` is ceil(N/W) x L, what W workers that serve one request at a time allow.", "",
            fmt.md_table(["server"] + ["N=%s" % fmt.count(n) for n in cmp_ns], body), ""]


# ---------------------------------------------------------------- findings

def finding_fastest(d, wl, n):
    """"fastest X (1.002 s for an ideal of 1 s, 0.2% above), ..." at one N, or None."""
    rows = [r for r in d.rows(wl) if r["n"] == n]
    walls = sorted((r["wall_med_s"], r["strategy"]) for r in rows if r.done() and r["wall_med_s"] is not None)
    if not walls:
        return None
    best, ideal = walls[0][0], d.duration(wl)
    t = "fastest %s (%s s" % (walls[0][1], fmt.secs(best))
    if ideal:
        t += " for an ideal of %s s, %s" % (fmt.secs(ideal), fmt.above(best, ideal))
    t += ")"
    close = [x for v, x in walls[1:] if v <= best * (1 + TIE)]
    if close:
        t += ", with %s within %s of it" % (", ".join(close), fmt.pct(TIE))
    elif len(walls) > 1:
        t += ", next %s (%s s, %s)" % (walls[1][1], fmt.secs(walls[1][0]), fmt.above(walls[1][0], best))
    # Quicker runs that did not complete every task are named, not ranked.
    for r in sorted((r for r in rows if not r.done() and r["wall_med_s"] is not None and r["wall_med_s"] < best),
                    key=lambda r: r["wall_med_s"]):
        t += " (%s took %s s but ended with status %s, so it is not ranked)" % (
            r["strategy"], fmt.secs(r["wall_med_s"]), r["status"])
    return t


def finding_memory(d, wl, n):
    """Least and most whole-run memory per task at one N >= RANK_N, or None."""
    if n < RANK_N:
        return None
    mems = sorted((r["mem_per_task_med_b"], r["strategy"], r["mem_method"] or "?") for r in d.rows(wl)
                  if r["n"] == n and r.done() and r["mem_per_task_med_b"] is not None)
    if len(mems) < 2:
        return None
    # Memory columns count KiB: below 1 KiB / N per task is below resolution.
    res = 1024.0 / n
    low = [x for v, x, _ in mems if v < res]
    if low:
        t = "least memory per task: %s (under %s, the 1 KiB resolution / N)" % (", ".join(low), fmt.nbytes(res))
    else:
        t = "least memory per task %s (%s)" % (mems[0][1], fmt.nbytes(mems[0][0]))
    t += ", most %s (%s)" % (mems[-1][1], fmt.nbytes(mems[-1][0]))
    methods = sorted({m for _, _, m in mems if m != "?"})
    return t + " (whole run%s)" % (", user + kernel, " + ", ".join(methods) if methods else "")


def findings_per_n(d):
    out = []
    for wl in d.workloads():
        for n in ns(d.rows(wl)):
            parts = [p for p in (finding_fastest(d, wl, n), finding_memory(d, wl, n)) if p]
            if parts:
                out.append("%s, N=%s: %s." % (wl, fmt.count(n), "; ".join(parts)))
    return out


def finding_stop(s, wl, rows):
    """Where one strategy stopped on one workload, and why; failed tasks before."""
    rows = sorted(rows, key=lambda r: r["n"])
    out = []
    err = next((r for r in rows if r["status"] == "errors"), None)
    if err is not None:
        t = "%s (%s) had failed tasks from N=%s on" % (s, wl, fmt.count(err["n"]))
        if err["errors_med"]:
            t += ": %s of %s (median over repetitions)" % (fmt.count(err["errors_med"]), fmt.count(err["n"]))
        t += ", %s" % err["error_kinds"] if err["error_kinds"] else ""
        t += "; %s" % fmt.note(err["note"]) if err["note"] else ""
        out.append(t + ".")
    stop = next((r for r in rows if r["status"] in STOPPED), None)
    if stop is None:
        return out
    why = fmt.note(stop["note"]) or "no note"
    if why.startswith(stop["status"] + ": "):
        why = why[len(stop["status"]) + 2:]
    t = "%s (%s) %s from N=%s on: %s" % (
        s, wl, "was skipped" if stop["status"] == "skipped" else "stopped with status %s" % stop["status"],
        fmt.count(stop["n"]), why)
    if stop["status"] != "skipped" and stop["errors_med"]:
        t += " (%s of %s tasks failed%s)" % (fmt.count(stop["errors_med"]), fmt.count(stop["n"]),
                                             ": " + stop["error_kinds"] if stop["error_kinds"] else "")
    before = [r["n"] for r in rows if r.done() and r["n"] < stop["n"]]
    if before:
        t += "; largest N that completed: %s" % fmt.count(max(before))
    return out + [t + "."]


def findings_stops(d, st):
    out = []
    for wl in d.workloads():
        for s in st.order(r["strategy"] for r in d.rows(wl)):
            out += finding_stop(s, wl, [r for r in d.rows(wl) if r["strategy"] == s])
    return out


BUSY = 0.1            # CPU time of a tenth of the wall time or more to wait for one task: a core burned


def findings_busy(d, st):
    """Strategies that keep a core busy to wait: CPU time at least BUSY of
    the wall time at their smallest N (waiting for a task or a few costs
    nothing to a strategy that sleeps), then the share at every N, beside
    the least CPU any strategy used for the same work."""
    out = []
    for wl in d.workloads():
        rows = [r for r in d.rows(wl) if r.done() and cpu(r) is not None and r["wall_med_s"]]
        for s in st.order(r["strategy"] for r in rows):
            mine = sorted((r for r in rows if r["strategy"] == s), key=lambda r: r["n"])
            shares = [cpu(r) / r["wall_med_s"] for r in mine]
            if shares[0] < BUSY:
                continue
            lo, hi = fmt.pct(min(shares)), fmt.pct(max(shares))
            t = "%s (%s) used CPU time (user + system) equal to %s of its wall time at N=%s..%s" % (
                s, wl, lo if lo == hi else lo + "-" + hi, fmt.count(mine[0]["n"]), fmt.count(mine[-1]["n"]))
            big = mine[-1]
            least = min((r for r in rows if r["n"] == big["n"]), key=cpu)
            if least is not big:
                t += "; at N=%s it used %s s of CPU where %s used %s s for the same work" % (
                    fmt.count(big["n"]), fmt.secs(cpu(big)), least["strategy"], fmt.secs(cpu(least)))
            out.append(t + ".")
    return out


def findings_servers(d, st):
    """The blocking server's ceil(N/W) x L shape against the event server."""
    if not d.cmp:
        return []
    out = []
    _, by = server_rows(d, st)
    for sv in by_workers(by):
        w = workers(sv)
        pts = [(n, r) for n, r in sorted(by[sv].items()) if r.done() and r["wall_med_s"]]
        if not pts:
            continue
        lat = pts[0][1]["duration_s"]
        if not lat:
            continue
        listed = ", ".join(fmt.count(x) for x, _ in pts)
        if w:
            dev = max(abs(r["wall_med_s"] / (math.ceil(n / w) * lat) - 1) for n, r in pts)
            n, r = pts[-1]
            out.append("With the %s server (%d worker%s), %s requests took %s s against ceil(%s/%d) x %g s = %s s; "
                       "over N=%s the wall time stayed within %s of ceil(N/W) x L." % (
                           sv, w, "s" if w > 1 else "", fmt.count(n), fmt.secs(r["wall_med_s"]), fmt.count(n), w,
                           lat, fmt.secs(math.ceil(n / w) * lat), listed, fmt.pct(dev)))
        else:
            ws = [r["wall_med_s"] for _, r in pts]
            out.append("With the %s server, wall time stayed between %s and %s s (%.3g-%.3g x L, L = %g s) "
                       "across N=%s." % (sv, fmt.secs(min(ws)), fmt.secs(max(ws)), min(ws) / lat, max(ws) / lat,
                                         lat, listed))
    return out


def findings_kernel(d, st):
    """The kernel's share of each strategy's memory at the split N."""
    out = []
    for wl in d.workloads():
        rows = d.rows(wl)
        n = split_n(rows)
        if n is None or n < RANK_N:
            continue
        parts = []
        for s in st.order(r["strategy"] for r in rows):
            r = d.cell(wl, s, n)
            if r is not None and r.done() and r["mem_kernel_med_kb"] is not None and r["mem_med_kb"]:
                parts.append("%s %s (%s a task)" % (s, fmt.pct(r["mem_kernel_med_kb"] / r["mem_med_kb"]),
                                                    fmt.nbytes(r["mem_kernel_med_kb"] * 1024 / n)))
        if parts:
            out.append("%s, N=%s: kernel memory (stacks, page tables, slab, sockets) was %s of the peak." % (
                wl, fmt.count(n), ", ".join(parts)))
    return out


def findings_noisy(d):
    out = []
    for r in d.summary:
        lo, hi = r["wall_min_s"], r["wall_max_s"]
        if r["noisy"] == 1 and lo and hi:
            out.append("Noisy: %s, %s%s, N=%s varied from %s to %s s across %d repetitions (max/min %.3g); "
                       "treat its median with care." % (
                           r["strategy"], r["workload"], " (%s server)" % r["server"] if r["server"] else "",
                           fmt.count(r["n"]), fmt.secs(lo), fmt.secs(hi), int(r["reps"] or 0), hi / lo))
    return out


def findings(d, st):
    return (findings_per_n(d) + findings_kernel(d, st) + findings_stops(d, st) + findings_busy(d, st)
            + findings_servers(d, st) + findings_noisy(d))


# ---------------------------------------------------------------- the rest

def section_charts(d, charts):
    """The charts this folder has (drawn, or about to be by plot.sh)."""
    have = set(charts) | {c for c, _ in CHARTS if os.path.exists(d.path(c + ".png"))}
    out = ["## Charts", "", "Every chart draws only runs that did all their work (status ok); "
           "where a strategy stopped, and why, is in the limits chart.", ""]
    for name, title in CHARTS:
        if name in have:
            out.append("### %s\n\n![%s](%s.png)\n\n[SVG](%s.svg)\n" % (title, title, name, name))
            if name in CAPTIONS:
                out.append(CAPTIONS[name] + "\n")
    return "\n".join(out) if len(out) > 4 else None


def section_micro(d):
    """The micro-benchmarks of `make micro`, when they ran into this folder."""
    path = d.path("micro.dat")
    if not os.path.exists(path):
        return None
    rows = []
    with open(path) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                parts = shlex.split(line)      # index name group_index median_ns "label" cv
                rows.append((parts[1], float(parts[3]), parts[4]))
    if not rows:
        return None
    by_name = {name: t for name, t, _ in rows}
    ref = by_name.get("switch/coro_bare_asm_oneway") or by_name.get("switch/coro_shared_oneway")
    body = [[name, label, ("%.1f" % (t / ref)) if ref else "-"] for name, t, label in rows]
    out = ["## Micro-benchmarks", "",
           "Google Benchmark (`make micro`), median of repetitions; `micro.json` has every figure.", "",
           fmt.md_table(["benchmark", "median per operation", "x coroutine switch"], body), ""]
    if os.path.exists(d.path("micro.png")):
        out += ["![micro-benchmarks](micro.png)", ""]
    return "\n".join(out)


def section_machine(d):
    m = d.machine
    if not m:
        return "## Machine\n\nNo machine.txt in this folder.\n"
    keys = ["cpu", "cores", "memtotal_kb", "kernel", "compiler", "cflags", "libc", "libcurl", "pid_max",
            "threads_max", "max_map_count", "rlimit_nofile", "rlimit_nproc", "somaxconn", "port_range",
            "loadavg", "date_utc"]
    keys += [k for k in m if k not in keys]
    return "## Machine\n\n" + fmt.md_table(["key", "value"], [[k, m[k]] for k in keys if k in m]) + "\n"


def report(d, st, profile, charts=()):
    parts = ["# concbench report", "", section_run(d, st, profile)]
    f = findings(d, st)
    if f:
        parts += ["## Findings", "", "Each sentence is computed from `summary.csv` in this folder. Memory per task "
                  "is ranked only from N=%s on, where what a task adds outweighs the fixed part of a run." %
                  fmt.count(RANK_N), ""]
        parts += ["- " + s for s in f] + [""]
    parts += [section_tables(d, st), section_charts(d, charts), section_micro(d), section_machine(d)]
    if d.reproduce:
        parts.append(reproduce_section(d))
    parts.append("Files: `runs.csv` (one row per run), `summary.csv` (medians), `machine.txt`, "
                 "`plotdata/` (the charts' data).\n")
    return "\n".join(p for p in parts if p is not None)


# ---------------------------------------------------------------- REPRODUCE.md

def reproduce_section(d, top=False):
    rows = d.reproduce
    if not rows:
        return ""
    body = []
    for r in rows:
        a, o, c = r["article_s"], r["ours_s"], r["cpu_s"]
        body.append([r["experiment"], fmt.secs(a), fmt.secs(o) or r["status"] or "not measured",
                     "%.2f" % (o / a) if (a and o is not None) else "", fmt.secs(c), r["strategy"],
                     "`%s`" % r["command"] if r["command"] else ""])
    out = ["%s The article's experiments, reproduced" % ("#" if top else "##"), "",
           "ratio = ours / article. CPU = user + system seconds of our run.", "",
           fmt.md_table(["experiment", "article (s)", "ours (s)", "ratio", "CPU (s)", "strategy", "command"], body),
           "", "Findings, computed from the table:", ""]
    out += ["- " + s for s in reproduce_findings(rows)] + [""]
    if os.path.exists(d.path("article.png")) or top:
        out += ["![The article's figures beside ours](article.png)", ""]
    return "\n".join(out)


def reproduce_findings(rows):
    out = []
    for r in rows:
        a, o, c = r["article_s"], r["ours_s"], r["cpu_s"]
        if a is None or o is None:
            continue
        t = "%s: %s s here, %s s in the article (ratio %.2f)" % (r["experiment"], fmt.secs(o), fmt.secs(a), o / a)
        if c is not None and o > 0 and c / o >= BUSY:
            t += "; it kept a core %s busy (%s s of CPU) to wait" % (fmt.pct(c / o), fmt.secs(c))
        out.append(t + ".")
    hundred = [r for r in rows if r["n"] == 100 and r["workload"] == "http" and r["ours_s"] and r["article_s"]]
    if len(hundred) > 1:
        out.append(closest_hundred(hundred) + ".")
    return out


def closest_hundred(hundred):
    """Which 100-request setup comes closest to the article's 41.8 s, and what that says."""
    best = min(hundred, key=lambda r: abs(math.log(r["ours_s"] / r["article_s"])))
    a = best["article_s"]
    t = ("Of the 100-request runs, the one closest to the article's %s s is \"%s\" (%s s)"
         % (fmt.secs(a), best["experiment"], fmt.secs(best["ours_s"])))
    ev = next((r for r in hundred if r["server"] == "event"), None)
    if ev is not None and ev is not best:
        t += ", while the same client against the event server took %s s" % fmt.secs(ev["ours_s"])
    w, lat = workers(best["server"]), dur_of(best["command"], "--latency")
    if w and lat:
        t += ("; a server that serves %d request%s at a time needs ceil(100/%d) x L = %s s, so the "
              "article's figure matches a server with about %.1f requests in flight at once (100 / %s s x L = %g s): "
              "the server's concurrency, not the client's"
              % (w, "s" if w > 1 else "", w, fmt.secs(math.ceil(100 / w) * lat), 100 / a * lat, fmt.secs(a), lat))
    return t


def dur_of(command, flag):
    """Seconds of a DUR option (1s, 50ms, 2.5s) in a command line, or None."""
    words = (command or "").split()
    if flag not in words or words.index(flag) + 1 >= len(words):
        return None
    v = words[words.index(flag) + 1]
    for suffix, scale in (("ms", 1e-3), ("us", 1e-6), ("s", 1.0)):
        if v.endswith(suffix):
            x = load.num(v[: -len(suffix)])
            return x * scale if x is not None else None
    return load.num(v)
