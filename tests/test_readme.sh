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
srv_pid=
cleanup() {
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
pass=0 fail=0

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

: >"$tmp/serve.err"
"$cb" serve --latency 5ms --port 0 2>"$tmp/serve.err" &
srv_pid=$!
i=0
while [ $i -lt 50 ] && ! grep -q 'listening on' "$tmp/serve.err"; do sleep 0.1; i=$((i + 1)); done
port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/serve.err" | head -1)

n=$(wc -l <"$tmp/cmds")
[ "$n" -ge 20 ] && echo "ok - $n concbench commands found in the README" ||
    { echo "not ok - only $n concbench commands found in the README"; fail=$((fail + 1)); }
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
        echo "ok - $line"
        pass=$((pass + 1))
    else
        echo "not ok - $line (exit $?; ran: $small)"
        sed 's/^/#   /' "$tmp/err" | tail -n 5
        fail=$((fail + 1))
    fi
done <"$tmp/cmds"
echo "readme: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
