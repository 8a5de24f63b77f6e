#!/bin/sh
# Print the README's CSV column table from harness/cli/columns.h, the one list
# of columns (tests/test_scripts.sh checks that README.md matches it).
# Usage: scripts/columns-table.sh
here=$(cd "$(dirname "$0")/.." && pwd)
awk -F'"' '/^CB_COL\(/ { split($1, a, /[(,]/); gsub(/ /, "", a[2]); printf "| `%s` | %s |\n", a[2], $2 }' \
    "$here/harness/cli/columns.h"
