# lib.sh: what the shell tests share, sourced after they set $tmp (a
# scratch folder) and $cb (the concbench binary): TAP-style lines and
# their counts, a check, the test server in the background, the cleanup.
#   . "$(dirname "$0")/lib.sh"  ...  tap_done NAME
# POSIX sh.

pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
skip() { skip=$((skip + 1)); echo "skip - $*"; }

# check NAME COMMAND...: ok when COMMAND exits 0; else its output, indented.
check() {
    lib_what=$1
    shift
    if "$@" >"$tmp/check.out" 2>&1; then ok "$lib_what"; else
        not_ok "$lib_what"
        sed 's/^/#   /' "$tmp/check.out" | head -20
    fi
}

# serve_bg ARGS...: `concbench serve ARGS --port 0` in the background;
# srv_pid and port set (port empty when it did not start within 5 s; its
# messages are in $tmp/serve.err). lib_cleanup stops it.
srv_pid=
serve_bg() {
    : >"$tmp/serve.err"
    "$cb" serve "$@" --port 0 2>"$tmp/serve.err" &
    srv_pid=$!
    i=0
    while [ $i -lt 50 ] && ! grep -q 'listening on' "$tmp/serve.err"; do sleep 0.1; i=$((i + 1)); done
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/serve.err" | head -1)
}

# The server stopped and $tmp removed: trap lib_cleanup EXIT INT TERM.
lib_cleanup() {
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
    rm -rf "$tmp"
}

# tap_done NAME: the closing count line; returns 0 when nothing failed.
tap_done() {
    [ "$skip" -eq 0 ] || echo "$1: $skip skipped"
    echo "$1: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
