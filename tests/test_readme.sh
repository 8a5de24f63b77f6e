#!/bin/sh
# Every concbench command in README.md runs, so none can rot: the lines of
# ```sh blocks marked `<!-- readme-test: run -->`, and every `concbench ...`
# in inline code (placeholders like CMD or FILE and `serve`, which runs until
# stopped, are left out; blocks marked `readme-test: skip` say which test runs
# them instead). Each runs with small N and short durations, in a scratch
# folder, against a test server for URLs of 127.0.0.1:8080; it must exit 0.
# Usage: CB_BIN=build/concbench sh tests/test_readme.sh [README.md]
set -u
cb=$(cd "$(dirname "${CB_BIN:-build/concbench}")" && pwd)/$(basename "${CB_BIN:-build/concbench}")
readme=$(cd "$(dirname "${1:-README.md}")" && pwd)/$(basename "${1:-README.md}")
tmp=$(mktemp -d /tmp/cb-readme.XXXXXX)
. "$(dirname "$0")/lib.sh"
trap lib_cleanup EXIT INT TERM

# The commands, one a line, in README order.
awk '
/^<!-- readme-test: run -->/ { mark = 1; next }
/^```sh/ { inblock = 1; run = mark; mark = 0; next }
/^```/ && inblock { inblock = 0; next }
inblock { if (run) print; next }
{ mark = 0
  line = $0
  while (match(line, /`(build\/)?concbench [^`]*`/)) {
      print substr(line, RSTART + 1, RLENGTH - 2)
      line = substr(line, RSTART + RLENGTH)
  } }' "$readme" |
    sed 's/[[:space:]]*#.*$//' | grep -E '^(build/)?concbench ' |
    grep -Ev '^(build/)?concbench (serve|_child)' | grep -Ev '(^| )[A-Z]{3,}( |$)' |
    grep -Evx '(build/)?concbench (run|sweep|summarize)' >"$tmp/cmds"
# (A bare `concbench run` in prose names the command; it is not an example.)

serve_bg --latency 5ms

n=$(wc -l <"$tmp/cmds")
[ "$n" -ge 20 ] && ok "$n concbench commands found in the README" ||
    not_ok "only $n concbench commands found in the README"
mkdir "$tmp/work"
while IFS= read -r line; do
    # Small N, short waits, one repetition; the test server's port for 8080.
    small=$(printf '%s\n' "$line" | sed -E \
        -e 's#^(build/)?concbench #"$cb" #' \
        -e 's/(^| )(-n|--n|--tasks) [^ ]+/\1\2 2/g' \
        -e 's/(^| )-d [^ ]+/\1-d 10ms/g' \
        -e 's/(^| )--latency [^ ]+/\1--latency 10ms/g' \
        -e 's/(^| )-r [^ ]+/\1-r 1/g' \
        -e "s/127\\.0\\.0\\.1:8080/127.0.0.1:${port:-1}/g")
    # Runs that wait the default 1 s a task wait 10 ms here.
    case "$small" in
    *' run '* | *' sweep '*)
        case "$small" in
        *' -u '* | *'--url'*) ;;
        *'-w http'*) case "$small" in *--latency*) ;; *) small="$small --latency 10ms" ;; esac ;;
        *) case "$small" in *' -d '*) ;; *) small="$small -d 10ms" ;; esac ;;
        esac ;;
    esac
    if (cd "$tmp/work" && cb=$cb eval "$small") >"$tmp/out" 2>"$tmp/err" </dev/null; then
        ok "$line"
    else
        not_ok "$line (exit $?; ran: $small)"
        sed 's/^/#   /' "$tmp/err" | tail -n 5
    fi
done <"$tmp/cmds"
tap_done readme
