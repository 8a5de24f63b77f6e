#!/bin/sh
# Print a README column table (Markdown rows "| `name` | meaning |") from the
# one list of those columns:
#   scripts/columns-table.sh              runs CSV: harness/cli/columns.h
#   scripts/columns-table.sh --summary    summary CSV: harness/cli/summary_columns.h
#   scripts/columns-table.sh --reproduce  reproduce.csv: scripts/cbresults/columns.py
# (tests/test_scripts.sh checks that README.md matches the runs table.)
here=$(cd "$(dirname "$0")/.." && pwd)
# Rows of an X-macro list: MACRO(name, ..., "meaning"), over lines too.
xmacro() { /usr/bin/python3 "$here/scripts/results.py" --columns "$1"; }
case ${1:-} in
"") xmacro "$here/harness/cli/columns.h" ;;
--summary)
    h=$here/harness/cli/summary_columns.h
    [ -r "$h" ] || { echo "columns-table.sh: $h not found (the summary columns' list)" >&2; exit 1; }
    xmacro "$h" ;;
--reproduce) /usr/bin/python3 "$here/scripts/results.py" --reproduce-columns ;;
*) echo "usage: scripts/columns-table.sh [--summary | --reproduce]" >&2; exit 2 ;;
esac
