#!/bin/sh
# make check-cross: the coroutine checks (tests/coro_selfcheck.c, the same
# checks as tests/test_coro.c) where `make test` cannot run them:
#   - AArch64: cross-compiled with gcc-aarch64-linux-gnu, run under
#     qemu-aarch64 (user-mode emulation: the real instruction set and ABI);
#   - the ucontext fallback (-DCORO_USE_UCONTEXT) on this machine;
#   - and the native switch, for comparison.
# Installs gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and qemu-user when missing. Not part of
# `make test`: the cross toolchain is a large download for every machine.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
CONCBENCH_DEPS_EXTRA="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user" scripts/install-deps.sh
out=build/cross
mkdir -p "$out"
flags="-std=gnu11 -O2 -g -D_GNU_SOURCE -Istrategies -Itests -Wall -Wextra -Werror"
src="tests/coro_selfcheck.c strategies/coro.c strategies/cb_limits.c"
failed=0
run() {
    name=$1; shift
    echo "== $name"
    "$@" || failed=$((failed + 1))
}
# shellcheck disable=SC2086
aarch64-linux-gnu-gcc $flags -static $src strategies/coro_switch_aarch64.S -lm \
    -o "$out/coro_selfcheck_aarch64"
run "aarch64 (assembly switch, under qemu-aarch64)" qemu-aarch64 "$out/coro_selfcheck_aarch64"
# shellcheck disable=SC2086
gcc $flags -DCORO_USE_UCONTEXT $src -lm -o "$out/coro_selfcheck_ucontext"
run "$(uname -m) (ucontext fallback)" "$out/coro_selfcheck_ucontext"
if [ -f "strategies/coro_switch_$(uname -m).S" ]; then
    # shellcheck disable=SC2086
    gcc $flags $src "strategies/coro_switch_$(uname -m).S" -lm -o "$out/coro_selfcheck_native"
    run "$(uname -m) (assembly switch)" "$out/coro_selfcheck_native"
fi
echo "check-cross: $failed build(s) failed their checks"
[ "$failed" -eq 0 ]
