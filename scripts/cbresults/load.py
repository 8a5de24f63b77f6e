"""Read a concbench results folder once, by column name, into typed records.

A record is a dict: string columns (STRINGS) stay str, every other column is
a float (None when empty or not a finite number), and `n` is an int. Columns
a file lacks read as None, so code written for the newest columns also reads
an older folder.
"""
import csv
import math
import os
import statistics

# Columns that hold text; every other column of runs/summary/raw is a number.
STRINGS = {"strategy", "workload", "target", "server", "status", "mem_method", "checked",
           "error_kinds", "policy", "note", "error", "experiment", "command"}
# A run that did all of its work. "errors" did not (some tasks failed), and
# limit, timeout, skipped, crashed, failed, interrupted stopped short.
DONE = ("ok",)
# What makes two rows the same configuration (as `concbench summarize` says).
CONFIG = ("strategy", "workload", "n", "max_in_flight", "duration_s", "target", "server")


def num(v):
    """Float of a CSV field, or None when empty or not a finite number."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


class Record(dict):
    """One CSV row, typed. A column the file does not have reads as None."""

    def __missing__(self, key):
        return None

    def done(self):
        return self.get("status") in DONE

    def config(self):
        return tuple(self[k] for k in CONFIG)


def typed(row):
    r = Record()
    for k, v in row.items():
        if k is None:
            continue
        r[k] = (v or "") if k in STRINGS else num(v)
    if "n" in r:
        r["n"] = int(r["n"] or 0)
    return r


def read_csv(path):
    """(header, [Record]) of a CSV file; ([], []) when it does not exist."""
    if not os.path.exists(path):
        return [], []
    with open(path, newline="") as f:
        rd = csv.DictReader(f)
        rows = [typed(r) for r in rd]
        return list(rd.fieldnames or []), rows


def read_machine(path):
    m = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                k, sep, v = line.partition(":")
                if sep:
                    m[k.strip()] = v.strip()
    return m


def med_name(col):
    """runs column -> its summary median: mem_kb -> mem_med_kb, errors -> errors_med."""
    for unit in ("_kb", "_b", "_s"):
        if col.endswith(unit):
            return col[: -len(unit)] + "_med" + unit
    return col + "_med"


def fill_medians(summary, sheader, runs, rheader):
    """Give each summary row the median of every numeric runs column that the
    summary lacks (a summary written by an older `concbench summarize`), over
    the runs of its configuration that did all their work (or all of them,
    when none did, as summarize does), and the values of its text columns
    mem_method and checked. Returns the names filled."""
    want = [c for c in rheader if c not in STRINGS and c not in CONFIG and c != "rep"
            and med_name(c) not in sheader]
    texts = [c for c in ("mem_method", "checked") if c in rheader and c not in sheader]
    if not (want or texts) or not runs:
        return []
    by = {}
    for r in runs:
        by.setdefault(r.config(), []).append(r)
    for s in summary:
        group = by.get(s.config(), [])
        done = [r for r in group if r.done()] or group
        for c in want:
            vals = [r[c] for r in done if r[c] is not None]
            s[med_name(c)] = statistics.median(vals) if vals else None
        for c in texts:
            s[c] = "/".join(sorted({r[c] for r in done if r[c]}))
    return [med_name(c) for c in want] + texts


def is_cmp_server(server):
    """The server-comparison rows: a blocking/prefork/flask server of W workers."""
    return server.split(":")[0] in ("blocking", "prefork", "flask")


def workers(server):
    _, _, w = (server or "").partition(":")
    return int(w) if w.isdigit() else None


class Folder:
    """Everything of one results folder, read once.

    summary   [Record] of summary.csv (medians filled from runs.csv where the
              summary has no such column); main: the sweep rows, cmp: the
              server-comparison rows (blocking/prefork/flask servers)
    runs      [Record] of runs.csv
    machine   {key: value} of machine.txt
    reproduce [Record] of reproduce.csv
    raw_path  raw.csv (per task) when present; read it with raw_rows()
    """

    def __init__(self, d):
        self.dir = d
        sh, self.summary = read_csv(os.path.join(d, "summary.csv"))
        rh, self.runs = read_csv(os.path.join(d, "runs.csv"))
        self.filled = fill_medians(self.summary, sh, self.runs, rh)
        self.machine = read_machine(os.path.join(d, "machine.txt"))
        _, self.reproduce = read_csv(os.path.join(d, "reproduce.csv"))
        self.raw_path = os.path.join(d, "raw.csv")
        if not os.path.exists(self.raw_path):
            self.raw_path = None
        self.main = [r for r in self.summary if not is_cmp_server(r["server"])]
        self.cmp = [r for r in self.summary if is_cmp_server(r["server"])]

    def path(self, *names):
        return os.path.join(self.dir, *names)

    def workloads(self):
        seen = []
        for r in self.main:
            if r["workload"] not in seen:
                seen.append(r["workload"])
        return sorted(seen, key=lambda w: (w != "sleep", w))

    def rows(self, wl):
        return [r for r in self.main if r["workload"] == wl]

    def cell(self, wl, s, n):
        return next((r for r in self.main if r["workload"] == wl and r["strategy"] == s and r["n"] == n), None)

    def duration(self, wl):
        return next((r["duration_s"] for r in self.rows(wl) if r["duration_s"] is not None
                     and r["duration_s"] >= 0), None)

    def raw_rows(self, wl=None, n=None):
        """The per-task rows of raw.csv, filtered by workload and N as they are read."""
        if self.raw_path is None:
            return
        with open(self.raw_path, newline="") as f:
            for row in csv.DictReader(f):
                if (wl is None or row["workload"] == wl) and (n is None or num(row["n"]) == n):
                    yield typed(row)


def ns(rows):
    return sorted({r["n"] for r in rows})


def cpu(r):
    """User + system seconds of a summary row: cpu_med_s, else user + sys."""
    if r["cpu_med_s"] is not None:
        return r["cpu_med_s"]
    if r["user_med_s"] is not None and r["sys_med_s"] is not None:
        return r["user_med_s"] + r["sys_med_s"]
    return None
