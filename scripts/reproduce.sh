#!/bin/sh
# The article's experiments beside its figures (`make reproduce`): for every
# experiment, the article's figure, the article's own code measured here and
# the C strategies measured here; then "Flask vs FastAPI", the article's
# unwritten section. A thin driver: the plan, the runs, the table, the
# charts and REPRODUCE.md are scripts/cbresults/reproduce.py's.
#
# Usage: scripts/reproduce.sh [OUTDIR]
# Environment:
#   CB_BIN               the concbench program (default: build/concbench)
#   CB_RESULTS           output folder (default: results/<UTC timestamp>-reproduce;
#                        results/latest is left alone)
#   CB_REPRODUCE_QUICK=1 tiny N and short durations, under a minute (the tests)
#   CB_REPRODUCE_ONLY    only the experiments whose name contains this text
# Writes: reproduce.csv (columns: scripts/cbresults/columns.py), runs.csv,
#   machine.txt, article_sleep/article_http/flask_fastapi .png and .svg,
#   REPRODUCE.md; prints the table and the folder. About 9 minutes on 2 cores
#   (most of it the 100 GETs against Flask with W = 2, 3, 4: 50 s, 34 s, 25 s
#   for each of two clients).
# Exit status: 0, or 1 when a run failed (a missing Python package or a
# budget gives a `skipped` row, not a failure).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
PYTHONPATH="$here/scripts${PYTHONPATH:+:$PYTHONPATH}" exec /usr/bin/python3 -m cbresults.reproduce "$@"
