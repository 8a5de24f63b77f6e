"""`make reproduce`: the article's experiments, each measured three ways.

For every experiment of the article (seed/python-coroutines-and-asyncio.md)
one row per run: the article's own program measured here (the py-*
strategy that is its code), the C strategy of the same model (time.sleep in
a loop: one after another; the Task loop: busy polling; generators and
asyncio: coroutines; threading: a thread each; multiprocessing: a process each) and
the fastest C strategy, beside the article's printed figure. Which
strategies those are is the plan's, scripts/reproduce-plan.tsv. Then the
article's unwritten section, "Flask vs FastAPI": N requests against
gunicorn's sync Flask (W workers) and uvicorn's FastAPI, from the Python
client and the C client, with ceil(N/W) x L.

Runs that share a non-blocking server (event, FastAPI) or none, a latency
and a budget go through one `concbench sweep` (one server start; -r 1); a
blocking server (Flask) is started afresh for every run. Each row keeps the
`concbench run` command that reproduces it alone. A run that two experiments share
(3 sleeps of 3 s by the fastest C strategy) is measured once and its row
says so.

Every planned run gives exactly one reproduce.csv row: measured, skipped
by a budget (concbench says why), skipped because a Debian package is
missing (named), or failed (with concbench's message). A missing package
is never a failed reproduce.

Usage: PYTHONPATH=scripts python3 -m cbresults.reproduce [OUTDIR]
       ... -m cbresults.reproduce --plan         the commands it would run
       ... -m cbresults.reproduce --redraw DIR   charts, report, table again
Environment:
  CB_BIN               the concbench program (default build/concbench)
  CB_RESULTS           output folder (default results/<UTC>-reproduce)
  CB_REPRODUCE_QUICK=1 tiny N and short durations (tests/test_reproduce.sh)
  CB_REPRODUCE_ONLY    run only the experiments whose name contains this text
  CB_REPRODUCE_HIDE    Debian packages to treat as missing, comma-separated
                       (how a test sees the rows of a machine without them)
  CB_PLOTDIR           the gnuplot scripts (default plots/)
Writes into OUTDIR: reproduce.csv (columns.REPRODUCE), runs.csv (every
run's full row), machine.txt, strategies.tsv, plotdata/, article_*.png/svg,
flask_fastapi.png/svg, REPRODUCE.md; prints the table. Exit status 0 unless
a run failed (skipped rows are decisions, not failures).
"""
import csv
import math
import os
import shutil
import subprocess
import sys
import time

from . import columns, fmt, gpdata, load, strategies

HERE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The experiments, the article's figures and the strategies of each: the
# plan, a data file (strategy names are not this code's to keep).
PLAN = os.path.join(HERE, "scripts", "reproduce-plan.tsv")


def read_plan(path=PLAN):
    """{id: {column: value}} of the plan file, in its order."""
    out = {}
    with open(path) as f:
        lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    head = lines[0].split("\t")
    for line in lines[1:]:
        d = dict(zip(head, line.split("\t")))
        d["article_s"] = load.num(d["article_s"])
        d["code"] = [c for c in d["code"].split(",") if c != "-"]
        d["servers"] = [c for c in d["servers"].split(",") if c != "-"]
        out[d["id"]] = d
    return out


# The Debian packages a server model needs beyond concbench, as
# harness/server/server.c's model table says (srv_models[].packages).
SERVER_PACKAGES = {"flask": ("python3-flask", "gunicorn"), "fastapi": ("python3-fastapi", "python3-uvicorn")}
CODE_ARTICLE, CODE_OURS = "article's", "ours"
ROLE_ARTICLE, ROLE_SAME, ROLE_FAST, ROLE_CLIENT = "article's code", "C, same model", "C, fastest", "client"


class Scale:
    """Durations, N and budgets of one mode. Full: D = 3 s as the article
    (its sleeps), L = 1 s (its GETs took 0.9-1.05 s each, 0.99 s on
    average), the Flask vs FastAPI sweep at L = 100 ms so that N = 1,000
    fits. Quick: the same plan, tiny, for the tests."""

    def __init__(self, quick):
        self.quick = quick
        self.d = 0.2 if quick else 3.0                 # the article's sleeps
        self.lat = 0.05 if quick else 1.0              # the article's GETs
        self.sweep_lat = 0.02 if quick else 0.1        # Flask vs FastAPI
        self.sweep_budget = 0.15 if quick else 30.0    # flask:1 at N=1,000 would be 100 s
        # A second client of the same model against a blocking server waits
        # exactly as the first (ceil(N/W) x L): over this budget it is skipped.
        self.second_budget = 0.3 if quick else 20.0

    def servers(self, names):
        """The servers of a plan line; quick: those of at most 2 workers (a
        gunicorn start takes 1-3 s)."""
        return [sv for sv in names if not self.quick or (server_of(sv)[1] or 0) <= 2]


def dur(s):
    """A concbench DUR of seconds: 3s, 100ms, 50ms."""
    return "%gms" % (s * 1000) if s < 1 else "%gs" % s


class Run:
    """One planned `concbench run`, and the reproduce.csv row it becomes."""

    def __init__(self, section, experiment, article_s, code, role, strategy, workload, n, dur_s,
                 model=None, workers=None, budget_s=None):
        self.section, self.experiment, self.article_s = section, experiment, article_s
        self.code, self.role, self.strategy, self.workload = code, role, strategy, workload
        self.n, self.dur_s, self.model, self.workers, self.budget_s = n, dur_s, model, workers, budget_s

    def server_short(self):
        if self.workload != "http":
            return ""
        return "%s:%d" % (self.model, self.workers) if self.workers else self.model

    def expected_s(self):
        """What a W-worker server allows: ceil(N/W) x L; None elsewhere."""
        if self.workload == "http" and self.workers:
            return math.ceil(self.n / self.workers) * self.dur_s
        return None

    def args(self):
        a = ["-s", self.strategy, "-w", self.workload, "-n", str(self.n)]
        if self.workload == "sleep":
            a += ["-d", dur(self.dur_s)]
        else:
            a += ["--latency", dur(self.dur_s), "--server-model", self.model]
            if self.workers:
                a += ["--server-workers", str(self.workers)]
        if self.budget_s:
            a += ["--budget", dur(self.budget_s)]
        # The last of 100 GETs to a 2-worker server waits 50 s for its turn:
        # more than the default 60 s task timeout allows on a busy machine.
        wait = self.expected_s() or 0
        if 2 * wait > 60:
            a += ["--task-timeout", dur(math.ceil(2 * wait))]
        return a

    def key(self):
        """What a sweep shares: all but the strategy and N."""
        return (self.workload, self.dur_s, self.model, self.workers, self.budget_s)

    def command(self):
        return "concbench run " + " ".join(self.args())


def server_of(name):
    """event, fastapi, flask:2 -> (model, workers or None)."""
    model, _, w = name.partition(":")
    return model, int(w) if w else None


def plan(sc, p=None):
    """Every run of `make reproduce`, in the plan file's order. Each
    experiment: the article's code, the C strategy of the same model and
    the fastest C strategy; against every server of the line. Against a
    blocking server every client waits ceil(N/W) x L: the clients after the
    article's own and the fastest C get a budget (sc.second_budget)."""
    p = p or read_plan()
    fastest = p["fastest"]["same"]
    runs = []
    for key, e in p.items():
        if key in ("fastest", "sweep"):
            continue
        n = min(int(e["n"]), 10) if sc.quick else int(e["n"])
        dur_s = sc.d if e["workload"] == "sleep" else sc.lat
        name = e["experiment"].replace("%g", "%g" % sc.d).replace("%d", "%d" % n)
        clients = [(CODE_ARTICLE, ROLE_ARTICLE, c) for c in e["code"]] + [(CODE_OURS, ROLE_SAME, e["same"])]
        if e["same"] != fastest:
            clients.append((CODE_OURS, ROLE_FAST, fastest))
        for sv in sc.servers(e["servers"]) or [None]:
            model, w = server_of(sv) if sv else (None, None)
            for code, role, s in clients:
                second = w and s not in (e["code"][0], fastest)
                runs.append(Run("article", name, e["article_s"], code, role, s, e["workload"], n, dur_s, model, w,
                                sc.second_budget if second else None))
    e = p["sweep"]
    for sv in sc.servers(e["servers"]):
        model, w = server_of(sv)
        for code, s in [(CODE_ARTICLE, c) for c in e["code"]] + [(CODE_OURS, e["same"])]:
            for n in (int(x) for x in e["n"].split(",")):
                if not sc.quick or n <= 10:
                    runs.append(Run("flask-vs-fastapi", e["experiment"], None, code, ROLE_CLIENT, s, "http", n,
                                    sc.sweep_lat, model, w, sc.sweep_budget))
    only = os.environ.get("CB_REPRODUCE_ONLY")
    return [r for r in runs if not only or only in r.experiment]


# ---------------------------------------------------------------- running


def installed(pkg, hidden):
    if pkg in hidden:
        return False
    p = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return p.stdout.strip() == "install ok installed"


def missing_packages(run, hidden, cache):
    out = []
    for pkg in SERVER_PACKAGES.get(run.model, ()) if run.workload == "http" else ():
        if pkg not in cache:
            cache[pkg] = installed(pkg, hidden)
        if not cache[pkg]:
            out.append(pkg)
    return out


NO_BUDGET_S = 3600.0    # a sweep's default budget is 60 s: say "none" explicitly


def batches(runs):
    """The runs to measure, as `concbench sweep` calls: runs that differ only
    in strategy and N share one sweep (and one server start, 1-3 s for
    gunicorn or uvicorn), when their strategies x Ns are all planned."""
    groups, out = {}, []
    for r in runs:
        if r.workers:
            # A blocking server gets a fresh start each run: requests a
            # failed run left in its queue would hold up the next one.
            out.append((r, [r.strategy], [r.n]))
        else:
            groups.setdefault(r.key(), []).append(r)
    for group in groups.values():
        names = unique(r.strategy for r in group)
        ns = unique(r.n for r in group)
        if {(r.strategy, r.n) for r in group} == {(a, b) for a in names for b in ns}:
            out.append((group[0], names, ns))
        else:
            for n in ns:
                out.append((group[0], unique(r.strategy for r in group if r.n == n), [n]))
    return out


def sweep_args(run, names, ns):
    return (["-s", ",".join(names), "-w", run.workload, "-n", ",".join(str(n) for n in ns), "-r", "1"]
            + run.args()[6:]
            + ([] if run.budget_s else ["--budget", dur(NO_BUDGET_S)]))


def measure(cb, run, names, ns, tmp):
    """One sweep; ({(strategy, n): full runs.csv row}, header, why-not text)."""
    path = os.path.join(tmp, "sweep.csv")
    if os.path.exists(path):
        os.remove(path)
    p = subprocess.run([cb, "sweep"] + sweep_args(run, names, ns) + ["-q", "--ignore-failure", "-o", path],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    head, rows = [], []
    if os.path.exists(path):
        with open(path, newline="") as f:
            rd = csv.reader(f)
            head = next(rd, [])
            rows = list(rd)
    got = {}
    for full in rows:
        d = dict(zip(head, full))
        got[(d.get("strategy"), int(d.get("n") or 0))] = full
    err = " ".join(p.stderr.split())[-300:]
    return got, head, "concbench exited %d: %s" % (p.returncode, err)


def row_of(run, full, head, why):
    """The reproduce.csv row (a dict by column name) of one run."""
    r = dict(zip(head, full)) if full else {}
    wall = load.num(r.get("wall_s"))
    ok = r.get("status") == "ok"
    user, sys_ = load.num(r.get("user_s")), load.num(r.get("sys_s"))
    if user is None or sys_ is None:
        # An external program's CPU over the work alone is not always
        # reported: the whole process tree's CPU, start-up included.
        user, sys_ = load.num(r.get("proc_cpu_s")), 0.0
    out = {
        "section": run.section, "experiment": run.experiment,
        "article_s": "%.3f" % run.article_s if run.article_s else "",
        "code": run.code, "role": run.role, "strategy": run.strategy, "workload": run.workload,
        "n": run.n, "duration_s": "%g" % run.dur_s,
        "server": r.get("server") or run.server_short(),
        "status": r.get("status") or "failed",
        "ours_s": "%.6f" % wall if wall is not None and ok else "",
        "ratio": "%.3f" % (wall / run.article_s) if wall is not None and ok and run.article_s else "",
        "cpu_s": "%.6f" % (user + sys_) if ok and user is not None and sys_ is not None else "",
        "mem_kb": r.get("mem_kb", "") if ok else "",
        "expected_s": "%g" % run.expected_s() if run.expected_s() is not None else "",
        "note": r.get("note", "") if full else why,
        "command": run.command(),
    }
    return out


def progress(i, total, run, names, ns, got, head, took):
    """One line a sweep on stderr: what ran and what each run gave."""
    res = []
    for (strategy, n), full in got.items():
        d = dict(zip(head, full))
        v = load.num(d.get("wall_s")) if d.get("status") == "ok" else None
        res.append("%s n=%d %s" % (strategy, n, "%s s" % fmt.secs(v) if v is not None else d.get("status")))
    sys.stderr.write("reproduce: [%d/%d] %s %s%s (%.1f s): %s\n" % (
        i, total, run.workload, run.server_short() or "D=%s" % dur(run.dur_s),
        " L=%s" % dur(run.dur_s) if run.workload == "http" else "", took, "; ".join(res) or "no row"))


def run_all(cb, runs, out):
    hidden = {p for p in (os.environ.get("CB_REPRODUCE_HIDE") or "").split(",") if p}
    cache, measured = {}, {}
    tmp = os.path.join(out, ".tmp")
    os.makedirs(tmp, exist_ok=True)
    runs_csv = os.path.join(out, "runs.csv")
    todo = [r for r in runs if not missing_packages(r, hidden, cache)]
    plan_b = batches(unique_runs(todo))
    for i, (first, names, ns) in enumerate(plan_b, 1):
        t0 = time.monotonic()
        got, head, why = measure(cb, first, names, ns, tmp)
        retried = ""
        if not got:
            # concbench itself failed (a server that did not start, a process
            # refused on a loaded machine): once more, and the row says so.
            time.sleep(1)
            retried = "retried once after: %s" % why
            got, head, why = measure(cb, first, names, ns, tmp)
        for s in names:
            for n in ns:
                measured[(first.key(), s, n)] = (got.get((s, n)), head, why, retried)
        if got:
            new = not os.path.exists(runs_csv)
            with open(runs_csv, "a", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                if new:
                    w.writerow(head)
                w.writerows(got.values())
        if os.path.exists(os.path.join(tmp, "machine.txt")) and not os.path.exists(os.path.join(out, "machine.txt")):
            shutil.copy(os.path.join(tmp, "machine.txt"), os.path.join(out, "machine.txt"))
        progress(i, len(plan_b), first, names, ns, got, head, time.monotonic() - t0)
    shutil.rmtree(tmp, ignore_errors=True)
    rows, first_of, failed = [], {}, 0
    for run in runs:
        miss = missing_packages(run, hidden, cache)
        if miss:
            why = "%s server needs Debian package %s: not installed (scripts/install-deps.sh python)" % (
                run.model, " ".join(miss))
            row = row_of(run, None, [], why)
            row["status"] = "skipped"
        else:
            full, head, why, retried = measured[(run.key(), run.strategy, run.n)]
            row = row_of(run, full, head, why)
            if retried:
                row["note"] = ("%s; " % row["note"] if row["note"] else "") + retried
            # The same run for another experiment (3 sleeps of 3 s, fastest C):
            # measured once, its row shared and said so.
            if run.command() in first_of:
                row["note"] = ("%s; " % row["note"] if row["note"] else "") + "the run of \"%s\"" % first_of[run.command()]
            first_of.setdefault(run.command(), run.experiment)
        failed |= row["status"] in ("failed", "crashed", "timeout")
        rows.append(row)
    return rows, failed


def unique_runs(runs):
    seen, out = set(), []
    for r in runs:
        if r.command() not in seen:
            seen.add(r.command())
            out.append(r)
    return out


def write_csv(path, rows):
    names = [c for c, _ in columns.REPRODUCE]
    with open(path + ".new", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        for r in rows:
            w.writerow([r.get(c, "") for c in names])
    os.replace(path + ".new", path)


# ---------------------------------------------------------------- the table


def short(s, width):
    return s if len(s) <= width else s[: width - 1] + "~"


def cell(r, width, prefix=""):
    """strategy (without prefix) and seconds, or strategy and why not."""
    if r is None:
        return " " * width
    v = r["ours_s"]
    t = ("%.3f" % v) if v is not None else r["status"]
    name = r["strategy"][len(prefix):] if r["strategy"].startswith(prefix) else r["strategy"]
    return "%-*s %7s" % (width - 8, short(name, width - 8), t)


def groups(rows):
    """(experiment, server, {role: [rows]}) in plan order."""
    out, index = [], {}
    for r in rows:
        key = (r["experiment"], load_server(r))
        if key not in index:
            index[key] = len(out)
            out.append((r["experiment"], load_server(r), {}))
        out[index[key]][2].setdefault(r["role"], []).append(r)
    return out


def load_server(r):
    """The server model without its version: flask:2, fastapi, event."""
    return (r["server"] or "").split(" (")[0]


def fastest_c(by_role):
    c = [r for role in (ROLE_SAME, ROLE_FAST) for r in by_role.get(role, []) if r["ours_s"] is not None]
    return min(c, key=lambda r: r["ours_s"]) if c else None


def table(rows):
    """The terminal table: article | the article's code here | C here | ratios."""
    lines = ["%-32s %-8s %6s | %-23s | %-18s %-18s | %6s %6s" % (
        "experiment", "server", "article", "article's code (py-)", "C here: same model", "C: fastest",
        "py/art", "C/art")]
    lines.append("-" * len(lines[0]))
    art = [r for r in rows if r["section"] == "article"]
    last = None
    for exp, server, by in groups(art):
        py = by.get(ROLE_ARTICLE, [None])
        same = by.get(ROLE_SAME, [None])[0]
        fast = fastest_c(by)
        a = next((r["article_s"] for r in py + [same] if r is not None and r["article_s"]), None)
        ratio = lambda r: "%6.2f" % (r["ours_s"] / a) if r is not None and a and r["ours_s"] is not None else "     -"
        for i, p in enumerate(py):
            first = i == 0
            lines.append("%-32s %-8s %6s | %s | %s %s | %s %s" % (
                short(exp if exp != last else "", 32), server, ("%.2f" % a if a else "-") if first else "",
                cell(p, 23, "py-"), cell(same if first else None, 18), cell(fast if first else None, 18),
                ratio(p), ratio(fast) if first else ""))
            last = exp
    sweep = [r for r in rows if r["section"] == "flask-vs-fastapi"]
    if sweep:
        lines += ["", "Flask vs FastAPI (L = %s s): wall time (s), and ceil(N/W) x L for Flask" % fmt.secs(sweep[0]["duration_s"])]
        ns = sorted({r["n"] for r in sweep})
        lines.append("%-10s %-20s" % ("server", "client") + "".join("%14s" % ("N=%d" % n) for n in ns))
        for sv in unique(load_server(r) for r in sweep):
            for cl in unique(r["strategy"] for r in sweep if load_server(r) == sv):
                cells = []
                for n in ns:
                    r = next((x for x in sweep if load_server(x) == sv and x["strategy"] == cl and x["n"] == n), None)
                    cells.append("%14s" % ("-" if r is None else ("%.3f" % r["ours_s"]) if r["ours_s"] is not None
                                           else r["status"]))
                lines.append("%-10s %-20s" % (sv, cl) + "".join(cells))
            w = load.workers(sv)
            if w:
                lines.append("%-10s %-20s" % ("", "ceil(N/%d) x L" % w) + "".join(
                    "%14.3f" % (math.ceil(n / w) * sweep[0]["duration_s"]) for n in ns))
    return "\n".join(lines)


def unique(seq):
    out = []
    for x in seq:
        if x not in out:
            out.append(x)
    return out


# ---------------------------------------------------------------- charts


def chart_rows(rows, wl):
    """article_WL.tsv lines, top-down: per experiment the article's bar, then
    one bar per run. Columns: y experiment article_s ours_s strategy text."""
    body = []
    art = [r for r in rows if r["section"] == "article" and r["workload"] == wl]
    for exp in unique(r["experiment"] for r in art):
        mine = [r for r in art if r["experiment"] == exp]
        a = mine[0]["article_s"]
        body.append([exp + ": the article", a, None, "article",
                     "%.2f s" % a if a else "the article gives no figure"])
        for r in mine:
            sv = load_server(r)
            label = "%s%s (%s)" % (r["strategy"], ", " + sv + " server" if sv else "", r["role"])
            text = "%.2f s" % r["ours_s"] if r["ours_s"] is not None else \
                "%s: %s" % (r["status"], fmt.note(r["note"], 70))
            body.append([label, None, r["ours_s"], r["strategy"], text])
    # y from the top, half a line of space above each experiment.
    ys, y = [], 0.0
    for line in body:
        y += 1.5 if line[3] == "article" and ys else 1.0
        ys.append(y)
    return [[round(y + 1 - v, 2)] + line for v, line in zip(ys, body)]


def server_colors(names):
    return "svcolor(s) = " + "".join("s eq '%s' ? '%s' : " % (sv, gpdata.server_color(sv)) for sv in names) + "'#000000'"


def draw(plotdir, data, out, name, gp, tsv, assign):
    for f in ("png", "svg"):
        p = subprocess.run(["gnuplot", "-e", "plotdir='%s'; datadir='%s'; in='%s'; out='%s'; fmt='%s'; %s" % (
            plotdir, data, tsv, os.path.join(out, name + "." + f), f, assign), os.path.join(plotdir, gp)],
            capture_output=True, text=True)
        if p.returncode != 0:
            sys.stderr.write("reproduce: %s failed for %s.%s:\n%s" % (gp, name, f, p.stderr))
            return None
        noise = [l for l in p.stderr.splitlines() if l.strip() and "empty" not in l]
        if noise:
            sys.stderr.write("reproduce: %s: %s\n" % (gp, " / ".join(noise[:3])))
    return name + ".png"


def charts(out, rows, st):
    """article_sleep, article_http (plots/article.gp) and flask_fastapi
    (plots/flask_fastapi.gp); returns the PNG names drawn."""
    if not shutil.which("gnuplot"):
        sys.stderr.write("reproduce: gnuplot not found: no charts (scripts/install-deps.sh installs gnuplot-nox)\n")
        return []
    plotdir = os.environ.get("CB_PLOTDIR") or os.path.join(HERE, "plots")
    data = os.path.join(out, "plotdata")
    os.makedirs(data, exist_ok=True)
    gpdata.Writer(load.Folder(out), st, data, plotdir).styles()
    drawn = []
    code_py = gpdata.words(unique(r["strategy"] for r in rows if r["code"] == CODE_ARTICLE))
    for wl in ("sleep", "http"):
        body = chart_rows(rows, wl)
        if not body:
            continue
        tsv = os.path.join(data, "article_%s.tsv" % wl)
        gpdata.write_tsv(tsv, ["y", "experiment", "article_s", "ours_s", "strategy", "text"], body)
        names = gpdata.words(st.order(r["strategy"] for r in rows if r["section"] == "article" and r["workload"] == wl))
        title = "The article's sleeps: its figure, its code here, C here (s)" if wl == "sleep" else \
            "The article's GETs (L = %s s): its figure, its code here, C here (s)" % fmt.secs(
                next(r["duration_s"] for r in rows if r["workload"] == wl))
        drawn.append(draw(plotdir, data, out, "article_" + wl, "article.gp", tsv,
                          "with_text=1; label_chars=%d; strategies='%s'; article_code='%s'; height=%d; title='%s'" % (
                              max(len(line[1]) for line in body) + 2, names, code_py, 260 + 21 * len(body), title.replace("'", "''"))))
    sweep = [r for r in rows if r["section"] == "flask-vs-fastapi"]
    if sweep:
        tsv = os.path.join(data, "flask_fastapi.tsv")
        gpdata.write_tsv(tsv, ["client", "server", "n", "status", "wall_s", "expected_s"],
                         [[r["strategy"], load_server(r), r["n"], r["status"], r["ours_s"], r["expected_s"]]
                          for r in sweep])
        svs = unique(load_server(r) for r in sweep)
        with open(os.path.join(data, "servers.gp"), "w") as f:
            f.write("# generated by cbresults/reproduce.py: the colour of each server model\n")
            f.write(server_colors(svs) + "\n")
        drawn.append(draw(plotdir, data, out, "flask_fastapi", "flask_fastapi.gp", tsv,
                          "servers='%s'; clients='%s'; latency=%g" % (
                              gpdata.words(svs), gpdata.words(unique(r["strategy"] for r in sweep)),
                              sweep[0]["duration_s"])))
    return [c for c in drawn if c]


# ---------------------------------------------------------------- REPRODUCE.md


def md_value(r):
    if r["ours_s"] is not None:
        return fmt.secs(r["ours_s"])
    return "%s: %s" % (r["status"], fmt.note(r["note"], 90))


def latency_text(rows, lat):
    """What L the article's HTTP figures suggest, computed from them."""
    p = read_plan()
    get5, get3, get100 = p["get5"]["article_s"], p["get3"]["article_s"], p["get100"]["article_s"]
    rounds = get100 / get3
    out = [
        "The article timed its GETs against a remote site (www.bmat.com): 5 one after another took "
        "%.2f s, %.3f s a GET (0.91 to 1.05 s each); 3 at once took %.3f s; 100 at once %.1f s." % (
            get5, get5 / 5, get3, get100),
        "",
        "- A GET's latency L is about 1 s: the GETs one after another say %.2f s; the 3 concurrent GETs took one "
        "round, %.2f s, the extra %.2f s being connection set-up to a remote site (DNS, TCP, TLS for 3 new "
        "connections) that loopback does not have." % (get5 / 5, get3, get3 - get5 / 5),
        "- 100 GETs took %.1f s = %.1f rounds of the 3-GET time. aiohttp's default connector allows 100 "
        "connections, so the client was not what waited: a server that serves W requests at a time needs "
        "ceil(100/W) rounds, and W = 3 gives 34 (34 x %.2f s = %.1f s, %s the article's), W = 2 gives 50. "
        "Both figures fit a server serving about 3 requests at a time (W = 3 also serves the 3 GETs in one "
        "round); with L = 1 s, %.1f s is %.1f requests in flight on average." % (
            get100, rounds, get3, 34 * get3, fmt.above(34 * get3, get100), get100, 100 / get100),
        "- So the experiments here use L = %s s, the article's own per-GET time, and run the article's client "
        "against servers of known concurrency: the event server, Flask under gunicorn with W = 2, 3, 4 sync "
        "workers, and FastAPI under uvicorn." % fmt.secs(lat),
    ]
    client = p["get100"]["code"][0]
    hundred = [r for r in rows if r["section"] == "article" and r["strategy"] == client
               and r["workload"] == "http" and r["n"] > 3 and r["ours_s"] is not None]
    if hundred:
        best = min(hundred, key=lambda r: abs(math.log(r["ours_s"] / get100)))
        out.append("- Measured: the article's client (%s, default connector) with %d GETs comes closest "
                   "to its %.1f s against %s (%s s, %s)." % (
                       client, best["n"], get100, load_server(best), fmt.secs(best["ours_s"]),
                       fmt.above(best["ours_s"], get100)))
        flask = sorted((r for r in hundred if load.workers(load_server(r))), key=lambda r: r["ours_s"])
        below = [r for r in flask if r["ours_s"] <= get100]
        above = [r for r in flask if r["ours_s"] > get100]
        if below and above:
            out.append("- The article's %.1f s lies between Flask with W = %d (%s s) and W = %d (%s s): "
                       "a server with %.1f requests in flight at once would match it." % (
                           get100, load.workers(load_server(above[0])), fmt.secs(above[0]["ours_s"]),
                           load.workers(load_server(below[-1])), fmt.secs(below[-1]["ours_s"]),
                           100 * lat / get100))
        ev = next((r for r in hundred if load_server(r) == "event"), None)
        fa = next((r for r in hundred if load_server(r) == "fastapi"), None)
        if ev is not None or fa is not None:
            out.append("- The same client against a server that does not block: %s." % "; ".join(
                "%s %s s" % (load_server(r), fmt.secs(r["ours_s"])) for r in (ev, fa) if r is not None))
    return out


def sweep_text(sweep):
    if not sweep:
        return []
    lat = sweep[0]["duration_s"]
    out = ["## Flask vs FastAPI", "",
           "The article's last section (\"Flask vs FastAPI benchmark: TODO\"), measured: N GETs at once against "
           "Flask under gunicorn's sync workers (W processes, one request at a time each, `time.sleep(L)`) and "
           "FastAPI under uvicorn (`await asyncio.sleep(L)`), L = %s s, from the Python client without the "
           "connection limit (%s, so the client is not what waits) and the fastest C client (%s). A W-worker "
           "blocking server needs ceil(N/W) x L; a run whose ceil(N/W) x L exceeds the budget is skipped, with "
           "a row that says so." % (fmt.secs(lat), ", ".join(unique(r["strategy"] for r in sweep if r["code"] == CODE_ARTICLE)),
                                    ", ".join(unique(r["strategy"] for r in sweep if r["code"] == CODE_OURS))), ""]
    ns = sorted({r["n"] for r in sweep})
    body = []
    for sv in unique(load_server(r) for r in sweep):
        for cl in unique(r["strategy"] for r in sweep if load_server(r) == sv):
            cells = []
            for n in ns:
                r = next((x for x in sweep if load_server(x) == sv and x["strategy"] == cl and x["n"] == n), None)
                cells.append("" if r is None else md_value(r))
            version = next((r["server"] for r in sweep if load_server(r) == sv and "(" in r["server"]), sv)
            body.append([version, cl] + cells)
        w = load.workers(sv)
        if w:
            body.append([sv, "ceil(N/%d) x L" % w] + [fmt.secs(math.ceil(n / w) * lat) for n in ns])
    out += [fmt.md_table(["server", "client"] + ["N = %s" % fmt.count(n) for n in ns], body), ""]
    out += ["- " + s for s in sweep_findings(sweep, lat)]
    out += ["", "![Flask vs FastAPI](flask_fastapi.png)", ""]
    return out


def sweep_findings(sweep, lat):
    out = []
    big = max(r["n"] for r in sweep)
    for cl in unique(r["strategy"] for r in sweep):
        fa = next((r for r in sweep if r["strategy"] == cl and load_server(r) == "fastapi" and r["n"] == big
                   and r["ours_s"] is not None), None)
        if fa:
            out.append("%s: %s GETs at once against FastAPI took %s s (L = %s s), one uvicorn worker "
                       "holding them all." % (cl, fmt.count(big), fmt.secs(fa["ours_s"]), fmt.secs(lat)))
        for r in sweep:
            w = load.workers(load_server(r))
            if r["strategy"] == cl and w and r["ours_s"] is not None and r["n"] >= 10 * w:
                exp = math.ceil(r["n"] / w) * lat
                out.append("%s against %s, N = %s: %s s, ceil(N/W) x L = %s s (%s)." % (
                    cl, load_server(r), fmt.count(r["n"]), fmt.secs(r["ours_s"]), fmt.secs(exp),
                    fmt.above(r["ours_s"], exp)))
    return out


def report(out, rows, drawn, wall_s):
    art = [r for r in rows if r["section"] == "article"]
    lat = next((r["duration_s"] for r in art if r["workload"] == "http"), None)
    d = next((r["duration_s"] for r in art if r["workload"] == "sleep"), None)
    quick = d is not None and d < 3
    m = load.read_machine(os.path.join(out, "machine.txt"))
    counts = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    lines = ["# The article's experiments, reproduced", "",
             "*Python coroutines and asyncio* (`seed/python-coroutines-and-asyncio.md`), experiment by "
             "experiment: the article's figure (its author's machine, a remote site), the article's own code "
             "measured here (the py-* strategies, Debian's /usr/bin/python3), and C measured here: the strategy "
             "of the same model (%s) and %s, the fastest C strategy of `make bench` (`scripts/reproduce-plan.tsv` "
             "says which). One repetition a run; D = %s s as in the article; L = %s s (below why)."
             "%s" % (models_text(), read_plan()["fastest"]["same"], fmt.secs(d), fmt.secs(lat), " **Quick mode** (CB_REPRODUCE_QUICK=1): tiny N and "
                     "durations, for the tests; not the article's figures." if quick else ""), "",
             "Runs: %s%s. Machine: %s, %s cores, kernel %s." % (
                 ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items())),
                 "; `make reproduce` took %.0f s" % wall_s if wall_s is not None else "",
                 m.get("cpu", "?"), m.get("cores", "?"), m.get("kernel", "?")), "",
             "## The article's experiments", "",
             "ratio = measured here / the article's figure. `server` names the framework and its version.", ""]
    body = []
    for r in art:
        body.append([r["experiment"], fmt.secs(r["article_s"]) or "-", r["code"], r["strategy"],
                     r["server"] or "-", md_value(r), "%.2f" % r["ratio"] if r["ratio"] is not None else "",
                     fmt.secs(r["cpu_s"]), fmt.kib(r["mem_kb"])])
    lines += [fmt.md_table(["experiment", "article (s)", "code", "strategy", "server", "here (s)", "ratio",
                            "CPU (s)", "memory"], body), ""]
    lines += ["- " + s for s in article_findings(art)] + [""]
    for c in drawn:
        if c.startswith("article_"):
            lines += ["![%s](%s)" % (c[:-4].replace("_", " "), c), ""]
    lines += ["## The 3-versus-100 experiment: which latency", ""] + latency_text(rows, lat) + [""]
    lines += sweep_text([r for r in rows if r["section"] == "flask-vs-fastapi"])
    lines += ["## reproduce.csv", "", "One row per run (every run's full row is in `runs.csv`):", "",
              "| column | meaning |", "| --- | --- |", columns.md_rows(columns.REPRODUCE), ""]
    if m:
        lines += ["## Machine", "", fmt.md_table(["key", "value"], [[k, v] for k, v in m.items()]), ""]
    return "\n".join(lines)


def models_text():
    """"the article's program -> the C strategy of its model", from the plan."""
    pairs = unique("%s: %s" % (e["code"][0], e["same"]) for k, e in read_plan().items()
                   if e["code"] and k != "sweep")
    return ", ".join(pairs)


def article_findings(art):
    out = []
    for exp, server, by in groups(art):
        py = [r for r in by.get(ROLE_ARTICLE, []) if r["ours_s"] is not None]
        fast = fastest_c(by)
        if not py or fast is None:
            continue
        p = py[0]
        t = "%s%s: the article's code %s s (%s), C %s s (%s)" % (
            exp, " against %s" % server if server else "", fmt.secs(p["ours_s"]), p["strategy"],
            fmt.secs(fast["ours_s"]), fast["strategy"])
        if p["article_s"]:
            t += ", the article %s s" % fmt.secs(p["article_s"])
        if p["cpu_s"] is not None and p["ours_s"] > 0 and p["cpu_s"] / p["ours_s"] > 0.5:
            t += "; %s kept a core %s busy to wait" % (p["strategy"], fmt.pct(p["cpu_s"] / p["ours_s"]))
        out.append(t + ".")
    return out


# ---------------------------------------------------------------- main


NUMBERS = ("article_s", "duration_s", "ours_s", "ratio", "cpu_s", "mem_kb", "expected_s")


def typed(rows):
    """Rows as the report reads them: numbers as float (None when empty), n an int."""
    out = []
    for r in rows:
        t = load.Record(r)
        for c in NUMBERS:
            t[c] = load.num(r.get(c))
        t["n"] = int(r["n"])
        out.append(t)
    return out


def redraw(out):
    """Charts, REPRODUCE.md and the table again from OUT/reproduce.csv."""
    with open(os.path.join(out, "reproduce.csv"), newline="") as f:
        rows = typed(list(csv.DictReader(f)))
    st = strategies.Strategies(out)
    drawn = charts(out, rows, st)
    took = None
    if os.path.exists(os.path.join(out, "plotdata", "wall_s")):
        with open(os.path.join(out, "plotdata", "wall_s")) as f:
            took = load.num(f.read())
    with open(os.path.join(out, "REPRODUCE.md"), "w") as f:
        f.write(report(out, rows, drawn, took))
    print(table(rows))
    return 0


def main(args):
    sc = Scale(os.environ.get("CB_REPRODUCE_QUICK") == "1")
    if args[:1] == ["--plan"]:
        for r in plan(sc):
            print(r.command())
        return 0
    if args[:1] == ["--redraw"] and len(args) == 2:
        return redraw(args[1])
    cb = os.environ.get("CB_BIN") or os.path.join(HERE, "build", "concbench")
    if not os.access(cb, os.X_OK):
        sys.stderr.write("reproduce: %s not found; run make first\n" % cb)
        return 1
    out = args[0] if args else os.environ.get("CB_RESULTS") or os.path.join(
        HERE, "results", time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-reproduce")
    os.makedirs(out, exist_ok=True)
    for f in ("reproduce.csv", "runs.csv"):
        if os.path.exists(os.path.join(out, f)):
            os.remove(os.path.join(out, f))
    lst = subprocess.run([cb, "list", "--tsv"], capture_output=True, text=True).stdout
    with open(os.path.join(out, "strategies.tsv"), "w") as f:
        f.write(lst)
    st = strategies.Strategies(text=lst)
    t0 = time.monotonic()
    runs = plan(sc)
    sys.stderr.write("reproduce: %d runs%s into %s\n" % (len(runs), " (quick)" if sc.quick else "", out))
    rows, failed = run_all(cb, runs, out)
    write_csv(os.path.join(out, "reproduce.csv"), rows)
    rows = typed(rows)
    drawn = charts(out, rows, st)
    took = time.monotonic() - t0
    if drawn:       # the measured time, for --redraw
        with open(os.path.join(out, "plotdata", "wall_s"), "w") as f:
            f.write("%.1f\n" % took)
    with open(os.path.join(out, "REPRODUCE.md"), "w") as f:
        f.write(report(out, rows, drawn, took))
    print(table(rows))
    print("\nreproduce: %s/REPRODUCE.md (%d rows, %.0f s)" % (out, len(rows), time.monotonic() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
