#!/bin/sh
# Install the Debian packages concbench needs, and only those that are missing.
# Usage: scripts/install-deps.sh [--check] [GROUP...]
#   GROUP    core (the default), python, peers, fuzz, or all
#   --check  list what is missing and exit 1 if anything is, install nothing.
# Packages (Debian 12 names), group core:
#   build-essential      gcc, g++, make
#   pkg-config           finds the libraries below
#   libcurl4-openssl-dev libcurl, the HTTP client every strategy uses
#   libssl-dev           OpenSSL's SHA-256, for --expect-sha256 (the probe)
#   libbenchmark-dev     Google Benchmark, for the micro-benchmarks
#   libcriterion-dev     Criterion, the test framework
#   gnuplot-nox          draws the charts
#   wrk, nginx-light     throughput comparison (scripts/throughput.sh only,
#                        through CONCBENCH_DEPS_EXTRA; services are not started)
set -eu

PKGS_core="build-essential pkg-config libcurl4-openssl-dev libssl-dev libbenchmark-dev libcriterion-dev gnuplot-nox"
# --- group python: the article's own programs and the real servers ---------
PKGS_python="python3 python3-requests python3-aiohttp python3-flask gunicorn python3-fastapi python3-uvicorn"
# --- group peers: the runtimes users would pick instead ----------------------
# Go 1.19 (go-goroutines); Rust 1.63 with tokio 1.24 and hyper 0.14 from Debian's
# crate registry, built offline (rust-tokio); OpenJDK 17 (java-threads, java-async).
# Download about 260 MB, installed about 1.06 GB (794 MB of it Go and Rust).
# Not nodejs: node-async runs on Node.js 20, which Debian 12 does not ship (its
# nodejs is 18.20); install Node 20 yourself, or Debian's with apt-get install nodejs.
PKGS_peers="golang-go cargo rustc librust-tokio-dev librust-hyper-dev librust-libc-dev openjdk-17-jdk-headless"
# --- group fuzz: the request parser's fuzz target ---------------------------
PKGS_fuzz="clang libclang-rt-14-dev"

check=""
groups=""
for a in "$@"; do
    case "$a" in
    --check) check=1 ;;
    core | python | peers | fuzz) groups="$groups $a" ;;
    all) groups="core python peers fuzz" ;;
    *) echo "install-deps: unknown group '$a' (core, python, peers, fuzz, all)" >&2; exit 2 ;;
    esac
done
[ -n "$groups" ] || groups=core
PKGS=""
for g in $groups; do
    eval "PKGS=\"\$PKGS \$PKGS_$g\""
done
[ "${CONCBENCH_DEPS_EXTRA:-}" = "" ] || PKGS="$PKGS $CONCBENCH_DEPS_EXTRA"

missing=""
for p in $PKGS; do
    # dpkg-query prints "install ok installed" only for a fully installed package.
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
    "install ok installed") ;;
    *) missing="$missing $p" ;;
    esac
done

if [ -z "$missing" ]; then
    [ -n "$check" ] && echo "install-deps: all present:$PKGS"
    exit 0
fi
if [ -n "$check" ]; then
    echo "install-deps: missing:$missing"
    exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing Debian packages:$missing" >&2
    echo "install-deps: run as root:  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi

echo "install-deps: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# A package with a service (nginx) must not start it: it would listen on
# every address. Debian's policy-rc.d says "no" to every service start
# for the duration of the install (only if none is in place already).
prc=/usr/sbin/policy-rc.d
made_prc=""
if [ ! -e "$prc" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$prc" && chmod +x "$prc" && made_prc=1
fi
# An old or empty package list makes apt-get install fail; refresh it once.
rc=0
{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >&2 || rc=$?
[ -z "$made_prc" ] || rm -f "$prc"
[ "$rc" -eq 0 ] || { echo "install-deps: apt-get failed (exit $rc)" >&2; exit "$rc"; }
echo "install-deps: done" >&2
