"""concbench's results pipeline: one reader of a results folder, one writer
of the gnuplot data and one of the report. Python 3 standard library only.

    load        runs.csv, summary.csv, raw.csv, reproduce.csv, machine.txt,
                read once by column name into typed records
    strategies  the strategy list (order, language, colour) from
                `concbench list --tsv`
    gpdata      the gnuplot data files and style definitions of plots/*.gp
    report      REPORT.md and REPRODUCE.md
    fmt         how figures are written (seconds, bytes, percentages)

scripts/results.py is the command line; other scripts import from here:

    sys.path.insert(0, "scripts"); from cbresults import load
    folder = load.Folder("results/latest")
"""
