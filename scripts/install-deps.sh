#!/bin/sh
# Install the Debian packages concbench needs, and only those that are missing.
# Usage: scripts/install-deps.sh [--check]
#   --check  list what is missing and exit 1 if anything is, install nothing.
# Packages (Debian 12 names):
#   build-essential      gcc, g++, make
#   pkg-config           finds the libraries below
#   libcurl4-openssl-dev libcurl, the HTTP client every strategy uses
#   libbenchmark-dev     Google Benchmark, for the micro-benchmarks
#   libcriterion-dev     Criterion, the test framework
#   gnuplot-nox          draws the charts
#   wrk, nginx-light     throughput comparison (scripts/throughput.sh only)
set -eu

PKGS="build-essential pkg-config libcurl4-openssl-dev libbenchmark-dev libcriterion-dev gnuplot-nox"
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
    [ "${1:-}" = "--check" ] && echo "install-deps: all present:$PKGS"
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
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
# An old or empty package list makes apt-get install fail; refresh it once.
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends $missing >&2
echo "install-deps: done" >&2
