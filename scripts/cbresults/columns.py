"""The columns of reproduce.csv (`make reproduce`), once: scripts/reproduce.sh
writes its header from here, results.py --reproduce-row its rows, and
scripts/columns-table.sh --reproduce the README's table."""

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
