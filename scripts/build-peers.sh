#!/bin/sh
# Build the peer strategies (strategies/go, node, rust, java) into
# BUILD_DIR/peers/, each whose toolchain is installed; a missing toolchain
# is one line and no failure (its runs become `skipped` rows). Offline and
# incremental: a peer whose output is newer than its sources is not touched.
# Usage: scripts/build-peers.sh [BUILD_DIR]     (default: build)
#   GO, NODE, CARGO, RUSTC, JAVAC name the toolchains (defaults: go on PATH,
#   then Debian's /usr/bin/node, cargo, rustc, javac); a name that is not
#   there skips its peer, as on a machine without the package.
# Exit status: 0 unless the build of an installed peer failed.
set -eu

GO=${GO:-go}
NODE=${NODE:-/usr/bin/node}
CARGO=${CARGO:-/usr/bin/cargo}
RUSTC=${RUSTC:-/usr/bin/rustc}
JAVAC=${JAVAC:-/usr/bin/javac}

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
mkdir -p "$build/peers"
out=$(cd "$build/peers" && pwd)
failed=0

# newer OUT FILE...: true when OUT exists and is newer than every FILE.
newer() {
    o=$1
    shift
    [ -e "$o" ] || return 1
    for f in "$@"; do
        [ "$f" -nt "$o" ] && return 1
    done
    return 0
}

# run_logged NAME LOG CMD...: run CMD with its output in LOG; on failure
# show the log's tail and return 1.
run_logged() {
    name=$1 log=$2
    shift 2
    if "$@" > "$log" 2>&1; then
        return 0
    fi
    echo "build-peers: $name: build failed (log: $log):" >&2
    tail -n 20 "$log" >&2
    return 1
}

# go-goroutines: standard library only, so GOPROXY=off builds it offline;
# the build cache lives under build/ rather than in ~/.cache.
build_go() {
    src="$root/strategies/go"
    if ! command -v "$GO" > /dev/null 2>&1; then
        echo "build-peers: go-goroutines skipped: no $GO (Debian package golang-go)"
        return 0
    fi
    newer "$out/go-goroutines" "$src"/*.go "$src/go.mod" && return 0
    echo "build-peers: go-goroutines ($("$GO" version | cut -d' ' -f3))"
    (cd "$src" && run_logged go-goroutines "$out/go-build.log" env GOPROXY=off GOFLAGS=-trimpath \
        GOCACHE="$out/go-cache" GOPATH="$out/go-path" CGO_ENABLED=0 \
        "$GO" build -o "$out/go-goroutines" .)
}

# node-async runs from its source; only check that node can parse it.
build_node() {
    if [ ! -x "$NODE" ]; then
        echo "build-peers: node-async skipped: no $NODE (Node.js 20; Debian's nodejs is 18)"
        return 0
    fi
    newer "$out/node-async.checked" "$root"/strategies/node/*.js && return 0
    for f in "$root"/strategies/node/*.js; do
        run_logged node-async "$out/node-check.log" "$NODE" --check "$f" || return 1
    done
    touch "$out/node-async.checked"
}

# rust-tokio: Debian's cargo and rustc against Debian's crates
# (/usr/share/cargo/registry) as a directory source. The manifest is copied
# into build/peers/rust (with src linked), so Cargo.lock, the cargo home and
# the target folder stay in build/, never in the source tree or ~/.cargo.
build_rust() {
    src="$root/strategies/rust"
    reg=/usr/share/cargo/registry
    if [ ! -x "$CARGO" ] || [ ! -x "$RUSTC" ]; then
        echo "build-peers: rust-tokio skipped: no $CARGO or $RUSTC (Debian packages cargo rustc)"
        return 0
    fi
    if ! ls -d "$reg"/tokio-1.* "$reg"/hyper-0.14.* > /dev/null 2>&1; then
        echo "build-peers: rust-tokio skipped: no tokio or hyper crates in $reg (librust-tokio-dev librust-hyper-dev)"
        return 0
    fi
    newer "$out/rust-tokio" "$src/Cargo.toml" "$src/build.rs" "$src"/src/*.rs && return 0
    echo "build-peers: rust-tokio ($("$RUSTC" --version | cut -d' ' -f1-2), offline, release)"
    d="$out/rust"
    mkdir -p "$d/cargo-home"
    cat > "$d/cargo-home/config.toml" << CFG
[source.crates-io]
replace-with = "debian"
[source.debian]
directory = "$reg"
[net]
offline = true
CFG
    # Copy only what changed, so cargo's own freshness check stays valid.
    for f in Cargo.toml build.rs; do
        cmp -s "$src/$f" "$d/$f" || cp "$src/$f" "$d/$f"
    done
    ln -sfn "$src/src" "$d/src"
    (cd "$d" && run_logged rust-tokio "$d/build.log" env CARGO_HOME="$d/cargo-home" \
        RUSTC="$RUSTC" "$CARGO" build --release --target-dir "$d/target") &&
        cp -f "$d/target/release/rust-tokio" "$out/rust-tokio"
}

# java-threads and java-async: javac into build/peers/java.
build_java() {
    src="$root/strategies/java"
    if [ ! -x "$JAVAC" ]; then
        echo "build-peers: java-threads, java-async skipped: no $JAVAC (Debian package openjdk-17-jdk-headless)"
        return 0
    fi
    newer "$out/java/.built" "$src"/*.java && return 0
    echo "build-peers: java-threads, java-async ($("$JAVAC" -version 2>&1))"
    mkdir -p "$out/java"
    run_logged java "$out/java-build.log" "$JAVAC" --release 17 -Xlint:all -Werror \
        -d "$out/java" "$src"/*.java && touch "$out/java/.built"
}

# A failed build is reported (run_logged) and the others still run.
build_go || failed=1
build_node || failed=1
build_rust || failed=1
build_java || failed=1
exit "$failed"
