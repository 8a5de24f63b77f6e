"""Column lists: the columns of reproduce.csv (`make reproduce`), once
(scripts/reproduce.sh writes its header from here, results.py
--reproduce-row its rows, scripts/columns-table.sh --reproduce the README's
table), and a reader of the C lists (harness/cli/columns.h,
summary_columns.h) for the README's tables."""
import re

REPRODUCE = (
    ("experiment", "the article's experiment, in its words"),
    ("article_s", "the article's wall time (s), on the author's machine"),
    ("ours_s", "our wall time (s), `wall_s` of the run on this machine"),
    ("ratio", "ours_s / article_s"),
    ("cpu_s", "user + system CPU of our run (s)"),
    ("strategy", "the strategy that ran it (`concbench list`)"),
    ("workload", "sleep or http"),
    ("n", "number of tasks"),
    ("server", "http: the server model (event, blocking:W, ...); sleep: empty"),
    ("command", "the `concbench run` command that measured it"),
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
