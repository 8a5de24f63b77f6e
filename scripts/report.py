#!/usr/bin/env python3
"""Write the Markdown report of one concbench results folder.

Usage:
  scripts/report.py DIR [--profile NAME]   DIR/summary.csv (+ runs.csv,
                                           machine.txt, charts) -> DIR/REPORT.md
  scripts/report.py --reproduce DIR        DIR/reproduce.csv -> DIR/REPRODUCE.md

Every finding sentence is computed from the CSV files; a finding whose data
is missing is left out rather than guessed. Python 3 standard library only.
"""
import csv
import math
import os
import shlex
import sys

ORDER = ["sequential", "threads", "fork", "epoll", "coro", "busypoll"]
DONE = ("ok",)                       # statuses whose numbers count as a full run
STOPPED = ("limit", "skipped", "timeout", "crashed", "failed")
NOISE = 1.25                         # same threshold as `concbench summarize`
TIE = 0.01                           # walls within 1% of the fastest are called a tie


# ---------------------------------------------------------------- reading

def num(v):
    """Float of a CSV field, or None when empty or not a finite number."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def read_machine(path):
    m = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                k, sep, v = line.partition(":")
                if sep:
                    m[k.strip()] = v.strip()
    return m


def srank(s):
    return (ORDER.index(s), s) if s in ORDER else (len(ORDER), s)


def is_cmp_server(server):
    """True for the server-comparison rows (blocking or prefork test server)."""
    return server.startswith("blocking") or server.startswith("prefork")


def workers(server):
    _, _, w = server.partition(":")
    return int(w) if w.isdigit() else None


# ---------------------------------------------------------------- formatting

def fs(v):
    """Seconds, with as many digits as the size needs."""
    if v is None:
        return ""
    if v >= 100:
        return "%.1f" % v
    if v >= 0.1:
        return "%.3f" % v
    return "%.3g" % v


def fb(v):
    """Bytes in B, KiB, MiB."""
    if v is None:
        return ""
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(v) >= size:
            return "%.3g %s" % (v / size, unit)
    return "%.0f B" % v


def fn(n):
    return "{:,}".format(int(n)).replace(",", " ") if n is not None else ""


def short_note(note, limit=110):
    note = " ".join(note.split())
    return note if len(note) <= limit else note[: limit - 3] + "..."


def md_table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    for r in rows:
        out.append("| " + " | ".join(c.replace("|", "/") for c in r) + " |")
    return "\n".join(out)


# ---------------------------------------------------------------- the data

class Data:
    def __init__(self, d):
        self.dir = d
        self.summary = read_csv(os.path.join(d, "summary.csv"))
        self.runs = read_csv(os.path.join(d, "runs.csv"))
        self.machine = read_machine(os.path.join(d, "machine.txt"))
        for r in self.summary:
            r["_n"] = int(num(r.get("n")) or 0)
        self.main = [r for r in self.summary if not is_cmp_server(r.get("server", ""))]
        self.cmp = [r for r in self.summary if is_cmp_server(r.get("server", ""))]

    def workloads(self):
        seen = []
        for r in self.main:
            if r["workload"] not in seen:
                seen.append(r["workload"])
        return sorted(seen, key=lambda w: (w != "sleep", w))

    def strategies(self, rows=None):
        return sorted({r["strategy"] for r in (rows if rows is not None else self.summary)}, key=srank)

    def ns(self, rows):
        return sorted({r["_n"] for r in rows})

    def rows(self, wl):
        return [r for r in self.main if r["workload"] == wl]

    def cell(self, wl, s, n):
        for r in self.main:
            if r["workload"] == wl and r["strategy"] == s and r["_n"] == n:
                return r
        return None

    def duration(self, wl):
        for r in self.rows(wl):
            d = num(r.get("duration_s"))
            if d is not None and d >= 0:
                return d
        return None


def cpu(r):
    c = num(r.get("cpu_med_s"))
    if c is None:
        u, s = num(r.get("user_med_s")), num(r.get("sys_med_s"))
        if u is not None and s is not None:
            c = u + s
    return c


# ---------------------------------------------------------------- REPORT.md

def section_machine(d):
    m = d.machine
    if not m:
        return "## Machine\n\nNo machine.txt in this folder.\n"
    keys = ["cpu", "cores", "memtotal_kb", "kernel", "compiler", "cflags", "libc", "libcurl",
            "pid_max", "threads_max", "max_map_count", "rlimit_nofile", "rlimit_nproc",
            "somaxconn", "port_range", "loadavg", "date_utc"]
    keys += [k for k in m if k not in keys]
    rows = [[k, m[k]] for k in keys if k in m]
    return "## Machine\n\n" + md_table(["key", "value"], rows) + "\n"


def section_run(d, profile):
    lines = ["## What was run", ""]
    if profile:
        lines.append("- Profile: `%s`" % profile)
    src = d.runs or d.summary
    for wl in d.workloads():
        rows = d.rows(wl)
        dur = d.duration(wl)
        what = "D (each sleep)" if wl == "sleep" else "L (server latency)"
        servers = sorted({r.get("server", "") for r in rows if r.get("server")})
        lines.append("- `%s`: strategies %s; N = %s; %s = %s s%s" % (
            wl, ", ".join(d.strategies(rows)), ", ".join(fn(n) for n in d.ns(rows)),
            what, "%g" % dur if dur is not None else "?",
            "; server: " + ", ".join(servers) if servers else ""))
    if d.cmp:
        lines.append("- Server comparison: `%s` client, HTTP, servers %s; N = %s" % (
            ", ".join(d.strategies(d.cmp)),
            ", ".join(sorted({r["server"] for r in d.cmp})),
            ", ".join(fn(n) for n in d.ns(d.cmp))))
    reps = sorted({int(num(r.get("reps")) or 0) for r in d.summary if num(r.get("reps"))})
    if reps:
        lines.append("- Repetitions per configuration: %s (each run in a fresh process; medians below)"
                     % ", ".join(str(x) for x in reps))
    if d.runs:
        st = {}
        for r in d.runs:
            st[r["status"]] = st.get(r["status"], 0) + 1
        lines.append("- Runs: %d rows in `runs.csv` (%s)" % (
            len(d.runs), ", ".join("%s %d" % kv for kv in sorted(st.items()))))
    return "\n".join(lines) + "\n"


def cell_text(r, field, fmt):
    if r is None:
        return ""
    v = num(r.get(field))
    st = r.get("status", "")
    if st == "skipped" or v is None:
        return st or ""
    t = fmt(v)
    if st not in DONE:
        t += " (%s)" % st
    if field == "wall_med_s" and r.get("noisy") == "1":
        t += " ~"
    return t


def section_tables(d):
    out = ["## Medians per workload", "",
           "Cells are medians over the repetitions; `~` marks a noisy configuration "
           "(max/min wall > %.2f); a status in brackets means not every task completed; "
           "`skipped` means the sweep did not run it (see the notes)." % NOISE, ""]
    for wl in d.workloads():
        rows = d.rows(wl)
        strats, ns = d.strategies(rows), d.ns(rows)
        head = ["strategy"] + ["N=%s" % fn(n) for n in ns]
        for title, field, fmt in (("wall time (s)", "wall_med_s", fs),
                                  ("memory per task", "mem_per_task_med_b", fb),
                                  ("CPU time, user + system (s)", "cpu_med_s", fs)):
            body = []
            for s in strats:
                line = [s]
                for n in ns:
                    r = d.cell(wl, s, n)
                    if field == "cpu_med_s" and r is not None and num(r.get(field)) is None and cpu(r) is not None:
                        r = dict(r, cpu_med_s=str(cpu(r)))
                    line.append(cell_text(r, field, fmt))
                body.append(line)
            out += ["### %s: %s" % (wl, title), "", md_table(head, body), ""]
    if d.cmp:
        out += server_table(d)
    return "\n".join(out)


def server_rows(d):
    """Server comparison: {server: {n: row}}, the event rows of the same client included."""
    client = d.strategies(d.cmp)[0] if d.cmp else None
    by = {}
    for r in d.cmp:
        if r["strategy"] == client:
            by.setdefault(r["server"], {})[r["_n"]] = r
    cmp_ns = set(r["_n"] for r in d.cmp)
    for r in d.main:
        if r["workload"] == "http" and r["strategy"] == client and r["_n"] in cmp_ns \
                and not is_cmp_server(r.get("server", "")):
            by.setdefault(r.get("server") or "event", {})[r["_n"]] = r
    return client, by


def server_table(d):
    client, by = server_rows(d)
    ns = sorted(set(r["_n"] for r in d.cmp))
    lat = next((num(r["duration_s"]) for r in d.cmp if num(r.get("duration_s"))), None)
    head = ["server"] + ["N=%s" % fn(n) for n in ns]
    body = []
    for sv in sorted(by, key=lambda s: (workers(s) is None, workers(s) or 0, s)):
        line = [sv]
        for n in ns:
            r = by[sv].get(n)
            t = cell_text(r, "wall_med_s", fs)
            w = workers(sv)
            if w and lat:
                t += " [model %s]" % fs(math.ceil(n / w) * lat) if t else ""
            line.append(t)
        body.append(line)
    return ["### Blocking versus event server: wall time (s), `%s` client" % client, "",
            "`[model]` is ceil(N/W) x L, what W workers that serve one request at a time allow.", "",
            md_table(head, body), ""]


def findings(d):
    out = []
    # Fastest and cheapest in memory at each N, per workload.
    for wl in d.workloads():
        ideal = d.duration(wl)
        for n in d.ns(d.rows(wl)):
            full = [r for r in d.rows(wl) if r["_n"] == n and r["status"] in DONE]
            walls = sorted((num(r["wall_med_s"]), r["strategy"]) for r in full if num(r.get("wall_med_s")) is not None)
            mems = sorted((num(r["mem_per_task_med_b"]), r["strategy"]) for r in full
                          if num(r.get("mem_per_task_med_b")) is not None)
            parts = []
            if walls:
                best = walls[0][0]
                t = "fastest %s (%s s" % (walls[0][1], fs(best))
                if ideal:
                    t += " for an ideal of %s s" % fs(ideal)
                t += ")"
                close = [x for v, x in walls[1:] if v <= best * (1 + TIE)]
                if close:
                    t += ", with %s within %.0f%% of it" % (", ".join(close), 100 * TIE)
                elif len(walls) > 1:
                    t += ", next %s (%s s)" % (walls[1][1], fs(walls[1][0]))
                # Quicker runs that did not complete every task are named, not ranked.
                partial = sorted((num(r["wall_med_s"]), r["strategy"], r["status"]) for r in d.rows(wl)
                                 if r["_n"] == n and r["status"] not in DONE
                                 and num(r.get("wall_med_s")) is not None and num(r["wall_med_s"]) < best)
                for v, x, st in partial:
                    t += " (%s took %s s but ended with status %s, so it is not ranked)" % (x, fs(v), st)
                parts.append(t)
            if mems and len(mems) > 1:
                # Memory is counted in KiB: below 1 KiB / N per task is noise.
                res = 1024.0 / n
                low = [x for v, x in mems if v < res]
                if len(low) > 1:
                    t = "least memory per task: %s (under %s each, the 1 KiB counter resolution / N)" % (
                        ", ".join(low), fb(res))
                elif low:
                    t = "least memory per task %s (under %s, the 1 KiB counter resolution / N)" % (low[0], fb(res))
                else:
                    t = "least memory per task %s (%s)" % (mems[0][1], fb(mems[0][0]))
                t += ", most %s (%s)" % (mems[-1][1], fb(mems[-1][0]))
                parts.append(t)
            if parts:
                out.append("%s, N=%s: %s." % (wl, fn(n), "; ".join(parts)))
    # Where each strategy stopped, and why.
    for wl in d.workloads():
        for s in d.strategies(d.rows(wl)):
            rows = sorted((r for r in d.rows(wl) if r["strategy"] == s), key=lambda r: r["_n"])
            ok = [r["_n"] for r in rows if r["status"] in DONE]
            stop = next((r for r in rows if r["status"] in STOPPED), None)
            err = next((r for r in rows if r["status"] == "errors"), None)
            if err is not None:
                t = "%s (%s) had failed tasks from N=%s on" % (s, wl, fn(err["_n"]))
                if num(err.get("errors_med")):
                    t += ": %s of %s (median over repetitions)" % (fn(num(err["errors_med"])), fn(err["_n"]))
                if err.get("error_kinds"):
                    t += ", %s" % err["error_kinds"]
                if err.get("note"):
                    t += "; %s" % short_note(err["note"])
                out.append(t + ".")
            if stop is None:
                if s in ("threads", "fork") and ok and err is None:
                    out.append("%s (%s) completed every N up to %s without hitting a limit."
                               % (s, wl, fn(max(ok))))
                continue
            before = [n for n in ok if n < stop["_n"]]
            why = short_note(stop.get("note", "")) or "no note"
            if why.startswith(stop["status"] + ": "):
                why = why[len(stop["status"]) + 2:]
            t = "%s (%s) %s from N=%s on: %s" % (
                s, wl, "was skipped" if stop["status"] == "skipped" else "stopped with status %s" % stop["status"],
                fn(stop["_n"]), why)
            if stop["status"] != "skipped" and num(stop.get("errors_med")):
                t += " (%s of %s tasks failed" % (fn(num(stop["errors_med"])), fn(stop["_n"]))
                t += ": %s)" % stop["error_kinds"] if stop.get("error_kinds") else ")"
            if before:
                t += "; largest N that completed: %s" % fn(max(before))
            out.append(t + ".")
    # What the busy loop costs.
    for wl in d.workloads():
        bp = [r for r in d.rows(wl) if r["strategy"] == "busypoll" and r["status"] in DONE
              and cpu(r) is not None and num(r.get("wall_med_s"))]
        if not bp:
            continue
        shares = [cpu(r) / num(r["wall_med_s"]) for r in bp]
        lo, hi = min(shares), max(shares)
        t = ("busypoll (%s) used CPU time (user + system, whole process) equal to %.0f%%%s of its wall time "
             "at N=%s..%s" % (
                 wl, 100 * lo, "" if round(100 * lo) == round(100 * hi) else "-%.0f%%" % (100 * hi),
                 fn(bp[0]["_n"]), fn(bp[-1]["_n"])))
        big = bp[-1]
        ep = d.cell(wl, "epoll", big["_n"])
        if ep is not None and ep["status"] in DONE and cpu(ep) is not None:
            t += "; at N=%s it used %s s of CPU where epoll used %s s for the same work" % (
                fn(big["_n"]), fs(cpu(big)), fs(cpu(ep)))
        out.append(t + ".")
    # The blocking server's ceil(N/W) x L shape against the event server.
    if d.cmp:
        client, by = server_rows(d)
        for sv in sorted(by, key=lambda s: (workers(s) is None, workers(s) or 0, s)):
            w = workers(sv)
            pts = [(n, r) for n, r in sorted(by[sv].items()) if r["status"] in DONE and num(r.get("wall_med_s"))]
            if not pts:
                continue
            lat = num(pts[0][1].get("duration_s"))
            if w and lat:
                dev = max(abs(num(r["wall_med_s"]) / (math.ceil(n / w) * lat) - 1) for n, r in pts)
                n, r = pts[-1]
                out.append("With the %s server (%d worker%s), %s requests took %s s against ceil(%s/%d) x %g s = %s s; "
                           "over N=%s the wall time stayed within %.0f%% of ceil(N/W) x L." % (
                               sv, w, "s" if w > 1 else "", fn(n), fs(num(r["wall_med_s"])), fn(n), w, lat,
                               fs(math.ceil(n / w) * lat), ", ".join(fn(x) for x, _ in pts), 100 * dev))
            elif lat:
                ws = [num(r["wall_med_s"]) for _, r in pts]
                out.append("With the %s server, wall time stayed between %s and %s s (%.2f-%.2f x L, L = %g s) "
                           "across N=%s." % (sv, fs(min(ws)), fs(max(ws)), min(ws) / lat, max(ws) / lat, lat,
                                             ", ".join(fn(x) for x, _ in pts)))
    # Noisy configurations.
    for r in d.summary:
        if r.get("noisy") == "1":
            lo, hi = num(r.get("wall_min_s")), num(r.get("wall_max_s"))
            if lo and hi:
                out.append("Noisy: %s, %s%s, N=%s varied from %s to %s s across %s repetitions (max/min %.2f); "
                           "treat its median with care." % (
                               r["strategy"], r["workload"],
                               " (%s server)" % r["server"] if r.get("server") else "", fn(r["_n"]),
                               fs(lo), fs(hi), r.get("reps", "?"), hi / lo))
    return out


CHARTS = [
    ("wall_sleep", "Wall time against N, sleep workload"),
    ("wall_http", "Wall time against N, HTTP workload"),
    ("mem_sleep", "Memory per task, sleep workload"),
    ("mem_http", "Memory per task, HTTP workload"),
    ("cpu_sleep", "CPU time, sleep workload"),
    ("cpu_http", "CPU time, HTTP workload"),
    ("latency_http", "Per-task latency p50/p99, HTTP"),
    ("limits", "Where each strategy stopped"),
    ("servers", "Blocking versus event server"),
    ("article", "The article's figures beside ours"),
]


def section_charts(d):
    out = ["## Charts", ""]
    for name, title in CHARTS:
        if os.path.exists(os.path.join(d.dir, name + ".png")):
            out.append("### %s\n\n![%s](%s.png)\n\n[SVG](%s.svg)\n" % (title, title, name, name))
    return "\n".join(out) if len(out) > 2 else ""


def section_micro(dirpath):
    """The micro-benchmarks of `make micro`, when they ran into this folder."""
    path = os.path.join(dirpath, "micro.dat")
    if not os.path.exists(path):
        return None
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            # index name group_index median_ns "label" cv
            parts = shlex.split(line)
            rows.append((parts[1], float(parts[3]), parts[4]))
    if not rows:
        return None
    by_name = {name: ns for name, ns, _ in rows}
    ref = by_name.get("switch/coro_bare_asm_oneway") or by_name.get("switch/coro_shared_oneway")
    head = ["benchmark", "median per operation", "x coroutine switch"]
    body = [[name, label, ("%.1f" % (ns / ref)) if ref else "-"] for name, ns, label in rows]
    out = ["## Micro-benchmarks", "",
           "Google Benchmark (`make micro`), median of repetitions; `micro.json` has every figure.", "",
           md_table(head, body), ""]
    if os.path.exists(os.path.join(dirpath, "micro.png")):
        out += ["![micro-benchmarks](micro.png)", ""]
    return "\n".join(out)


def report(d, profile):
    parts = ["# concbench report", "", section_run(d, profile)]
    f = findings(d)
    if f:
        parts += ["## Findings", "", "Each sentence is computed from `summary.csv` in this folder.", ""]
        parts += ["- " + s for s in f] + [""]
    parts += [section_tables(d), section_charts(d), section_micro(d.dir), section_machine(d)]
    if os.path.exists(os.path.join(d.dir, "reproduce.csv")):
        parts.append(reproduce_section(d.dir))
    parts.append("Files: `runs.csv` (one row per run), `summary.csv` (medians), `machine.txt`.\n")
    return "\n".join(p for p in parts if p is not None)


# ---------------------------------------------------------------- REPRODUCE.md

def reproduce_section(dirpath, top=False):
    rows = read_csv(os.path.join(dirpath, "reproduce.csv"))
    if not rows:
        return ""
    body = []
    for r in rows:
        a, o, c = num(r.get("article_s")), num(r.get("ours_s")), num(r.get("cpu_s"))
        ratio = o / a if (a and o is not None) else None
        body.append([r["experiment"], fs(a), fs(o) or r.get("status", "not measured"),
                     "%.2f" % ratio if ratio is not None else "", fs(c),
                     r.get("strategy", ""), "`%s`" % r["command"] if r.get("command") else ""])
    out = ["## The article's experiments, reproduced" if not top else "# The article's experiments, reproduced", "",
           "ratio = ours / article. CPU = user + system seconds of our run.", "",
           md_table(["experiment", "article (s)", "ours (s)", "ratio", "CPU (s)", "strategy", "command"], body), ""]
    out += ["Findings, computed from the table:", ""]
    out += ["- " + s for s in reproduce_findings(rows)] + [""]
    if os.path.exists(os.path.join(dirpath, "article.png")):
        out += ["![The article's figures beside ours](article.png)", ""]
    return "\n".join(out)


def reproduce_findings(rows):
    out = []
    for r in rows:
        a, o, c = num(r.get("article_s")), num(r.get("ours_s")), num(r.get("cpu_s"))
        if a is None or o is None:
            continue
        ratio = o / a
        t = "%s: %s s here, %s s in the article (ratio %.2f)" % (r["experiment"], fs(o), fs(a), ratio)
        if r.get("strategy") == "busypoll" and c is not None and o > 0:
            t += "; the busy loop kept a core %.0f%% busy (%s s of CPU) to wait" % (100 * c / o, fs(c))
        out.append(t + ".")
    # Which 100-request setup comes closest to the article's 41.8 s.
    hundred = [r for r in rows if r.get("n") == "100" and r.get("workload") == "http"
               and num(r.get("ours_s")) is not None and num(r.get("article_s")) is not None]
    if len(hundred) > 1:
        best = min(hundred, key=lambda r: abs(math.log(num(r["ours_s"]) / num(r["article_s"]))))
        a = num(best["article_s"])
        t = ("Of the 100-request runs, the one closest to the article's %s s is \"%s\" (%s s)"
             % (fs(a), best["experiment"], fs(num(best["ours_s"]))))
        ev = next((r for r in hundred if r.get("server") == "event"), None)
        lat = dur_of(best.get("command", ""), "--latency")
        if ev is not None and ev is not best:
            t += ", while the same client against the event server took %s s" % fs(num(ev["ours_s"]))
        w = workers(best.get("server", ""))
        if w and lat:
            t += ("; a server that serves %d request%s at a time needs ceil(100/%d) x L = %s s, so the "
                  "article's figure matches a server with about %.1f requests in flight at once (100 / %s s x L = %g s): "
                  "the server's concurrency, not the client's"
                  % (w, "s" if w > 1 else "", w, fs(math.ceil(100 / w) * lat), 100 / a * lat, fs(a), lat))
        out.append(t + ".")
    return out


def dur_of(command, flag):
    """Seconds of a DUR option (1s, 50ms, 2.5s) in a command line, or None."""
    words = command.split()
    if flag not in words or words.index(flag) + 1 >= len(words):
        return None
    v = words[words.index(flag) + 1]
    for suffix, scale in (("ms", 1e-3), ("us", 1e-6), ("s", 1.0)):
        if v.endswith(suffix):
            return num(v[: -len(suffix)]) * scale if num(v[: -len(suffix)]) is not None else None
    return num(v)


def main(argv):
    args = argv[1:]
    if not args or args[0] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 2
    if args[0] == "--reproduce":
        if len(args) < 2:
            sys.stderr.write(__doc__)
            return 2
        d = args[1]
        text = reproduce_section(d, top=True)
        if not text:
            sys.stderr.write("report.py: no rows in %s/reproduce.csv\n" % d)
            return 1
        path = os.path.join(d, "REPRODUCE.md")
        with open(path, "w") as f:
            f.write(text)
        print(path)
        return 0
    d, profile = args[0], None
    if "--profile" in args:
        i = args.index("--profile")
        profile = args[i + 1] if i + 1 < len(args) else None
    data = Data(d)
    if not data.summary:
        sys.stderr.write("report.py: no rows in %s/summary.csv\n" % d)
        return 1
    path = os.path.join(d, "REPORT.md")
    with open(path, "w") as f:
        f.write(report(data, profile))
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
