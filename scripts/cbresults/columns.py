"""Column lists: the columns of reproduce.csv (`make reproduce`), once
(scripts/cbresults/reproduce.py writes its header and rows from here,
scripts/columns-table.sh --reproduce the README's table), and a reader of
the C lists (harness/cli/columns.h, summary_columns.h) for the README's
tables."""
import re

REPRODUCE = (
    ("section", "article: the article's experiments; flask-vs-fastapi: its unwritten last section"),
    ("experiment", "the article's experiment, in its words (D or N as run here)"),
    ("article_s", "the article's wall time (s) on its author's machine; empty where it gives none"),
    ("code", "which code ran: article's (the article's program, a py-* strategy) or ours (C)"),
    ("role", "article's code, C same model (the C strategy of the article's model), C fastest (the fastest C strategy), "
             "or client (Flask vs FastAPI)"),
    ("strategy", "the strategy that ran (`concbench list`)"),
    ("workload", "sleep or http"),
    ("n", "number of tasks (sleeps or GETs)"),
    ("duration_s", "sleep: D per task; http: the server's latency L (s)"),
    ("server", "http: the server model and its framework and version, e.g. `flask:3 (Flask 2.2.2, "
               "gunicorn 20.1.0)`, `fastapi (FastAPI ..., uvicorn ...)`, `event`; sleep: empty"),
    ("status", "the run's status: ok, skipped (a budget, or a missing Debian package, named in note), "
               "errors, limit, timeout, failed"),
    ("ours_s", "wall time measured here (s), `wall_s` of the run; empty unless status is ok"),
    ("ratio", "ours_s / article_s"),
    ("cpu_s", "user + system CPU of the run's work (s); where a program does not report it, the whole "
              "process tree's CPU (`proc_cpu_s`, start-up included)"),
    ("mem_kb", "the run's whole memory peak (kB, user + kernel, every process of the client)"),
    ("expected_s", "http against a W-worker (blocking) server: ceil(N/W) x L, what the server allows; "
                   "empty elsewhere"),
    ("note", "why: the skip reason (budget, missing package), the failure, the limit"),
    ("command", "the `concbench run` command of this row alone; reproduce runs it inside one `concbench "
                "sweep` with the other strategies and N of the same event or FastAPI server and latency (one "
                "server start); Flask is started afresh for each run"),
)


def header(cols):
    return ",".join(name for name, _ in cols)


def md_rows(cols):
    return "\n".join("| `%s` | %s |" % c for c in cols)


def xmacro(path):
    """[(name, meaning)] of an X-macro list: MACRO(name, ..., "meaning"),
    an entry over several lines and a meaning of adjacent C string literals
    ("a " "b") included; the meaning is the last argument."""
    with open(path) as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    out = []
    for m in re.finditer(r"^[A-Z_]+\((.*?)\)\s*$", text, flags=re.M | re.S):
        # Split at the commas outside string literals.
        args = [a.strip() for a in re.split(r',(?=(?:[^"]*"[^"]*")*[^"]*$)', m.group(1))]
        out.append((args[0], "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', args[-1]))))
    return out
