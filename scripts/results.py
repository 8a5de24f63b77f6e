#!/usr/bin/python3
"""The results pipeline of concbench: read a results folder once, write every
gnuplot data file and the report. Python 3 standard library only (Debian's
/usr/bin/python3); the work is in the scripts/cbresults package.

Usage:
  scripts/results.py DIR [--profile NAME] [--data DATADIR]
      DIR/summary.csv, runs.csv, raw.csv, reproduce.csv, machine.txt ->
      DATADIR (default DIR/plotdata): styles.gp, *.tsv, charts.txt; and
      DIR/REPORT.md (a folder with a summary) or DIR/REPRODUCE.md (a folder
      with only reproduce.csv). Prints the report's path. scripts/plot.sh
      then draws charts.txt with gnuplot.
  scripts/results.py --table DIR
      one line per configuration of DIR/summary.csv (make bench prints it)
  scripts/results.py --reproduce-header
      the header line of reproduce.csv (cbresults/columns.py)
  scripts/results.py --reproduce-row NAME ARTICLE_S SERVER COMMAND RUN_CSV
      one reproduce.csv row from the last row of a `concbench run` CSV
  scripts/results.py --reproduce-columns
      the README's table of the reproduce.csv columns (Markdown rows)
  scripts/results.py --columns LIST.h
      the README's table of an X-macro column list (columns.h, summary_columns.h)
  scripts/results.py --reproduce-table REPRODUCE_CSV
      the reproduction table as `make reproduce` prints it

Environment: CB_LIST_TSV (a `concbench list --tsv` file to use), CB_BIN
(the program asked for the list), CB_PLOTDIR (plots/), CB_CDF_N (the N of
the latency-distribution chart).
"""
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cbresults import columns, fmt, gpdata, load, report, strategies  # noqa: E402

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def folder(d, profile, datadir):
    f = load.Folder(d)
    if not f.summary and not f.reproduce:
        sys.stderr.write("results.py: no rows in %s/summary.csv or reproduce.csv\n" % d)
        return 1
    st = strategies.Strategies(d)
    if not st.known():
        sys.stderr.write("results.py: no strategy list from %s: order by name, colours black\n" % st.source)
    plotdir = os.environ.get("CB_PLOTDIR") or os.path.join(HERE, "plots")
    charts = gpdata.write(f, st, datadir or f.path("plotdata"), plotdir, profile)
    if f.summary:
        print(write(f.path("REPORT.md"), report.report(f, st, profile, [c[0] for c in charts])))
    else:
        print(write(f.path("REPRODUCE.md"), report.reproduce_section(f, top=True)))
    return 0


def table(d):
    """The compact summary of bench.sh: one line per strategy, workload, server and N."""
    f = load.Folder(d)
    print("%-18s %-5s %-10s %8s %10s %10s  %s" % ("strategy", "work", "server", "n", "wall_s", "mem/task", "status"))
    for r in f.summary:
        print("%-18s %-5s %-10s %8d %10s %10s  %s%s" % (
            r["strategy"], r["workload"], r["server"], r["n"],
            "%.3f" % r["wall_med_s"] if r["wall_med_s"] is not None else "-",
            fmt.nbytes(r["mem_per_task_med_b"]) or "-", r["status"], " (noisy)" if r["noisy"] == 1 else ""))
    return 0


def reproduce_row(name, article, server, command, run_csv):
    """One row of reproduce.csv, in the order of columns.REPRODUCE."""
    _, rows = load.read_csv(run_csv)
    r = rows[-1] if rows else load.Record()
    a, wall = load.num(article), r["wall_s"]
    if r["status"] and r["status"] != "ok":
        sys.stderr.write("reproduce.sh: %s: status %s\n" % (name, r["status"]))
    cpu = r["user_s"] + r["sys_s"] if r["user_s"] is not None and r["sys_s"] is not None else None
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow([name, article, "%.6f" % wall if wall is not None else "",
                  "%.3f" % (wall / a) if wall is not None and a else "", "%.6f" % cpu if cpu is not None else "",
                  r["strategy"] or "", r["workload"] or "", r["n"] if rows else "", server, command])
    return 0


def reproduce_table(path):
    _, rows = load.read_csv(path)
    print("%-36s %9s %9s %7s %9s" % ("experiment", "article_s", "ours_s", "ratio", "cpu_s"))
    for r in rows:
        print("%-36s %9.2f %9s %7s %9s" % (
            r["experiment"], r["article_s"] or 0, "-" if r["ours_s"] is None else "%.3f" % r["ours_s"],
            "-" if r["ratio"] is None else "%.2f" % r["ratio"], "-" if r["cpu_s"] is None else "%.3f" % r["cpu_s"]))
    return 0


def option(args, name):
    if name in args and args.index(name) + 1 < len(args):
        return args[args.index(name) + 1]
    return None


def main(args):
    if not args or args[0] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 2 if not args else 0
    if args[0] == "--table" and len(args) == 2:
        return table(args[1])
    if args[0] == "--reproduce-row" and len(args) == 6:
        return reproduce_row(*args[1:])
    if args == ["--reproduce-header"]:
        print(columns.header(columns.REPRODUCE))
        return 0
    if args == ["--reproduce-columns"]:
        print(columns.md_rows(columns.REPRODUCE))
        return 0
    if args[0] == "--columns" and len(args) == 2:
        print(columns.md_rows(columns.xmacro(args[1])))
        return 0
    if args[0] == "--reproduce-table" and len(args) == 2:
        return reproduce_table(args[1])
    if args[0].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    return folder(args[0], option(args, "--profile"), option(args, "--data"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
