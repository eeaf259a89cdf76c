#!/usr/bin/env bash
# Make sure the tools of the benchmarks (bench/) are installed.
#
#   scripts/ensure-bench-tools.sh            faketime (Debian) for bench.browsers
#   scripts/ensure-bench-tools.sh --profiler  also py-spy (PyPI, into .venv) to profile the conductor
#
# As root it installs what is missing (apt-get for Debian's faketime, which ships
# libfaketime; pip for py-spy); otherwise it only reports. It prints what it
# installs on stderr and exits non-zero when something is still missing.
set -euo pipefail
cd "$(dirname "$0")/.."
LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
missing=0

if [ ! -e "$LIB" ] && ! ls /usr/lib/*/faketime/libfaketime.so.1 >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        echo "installing Debian's faketime (libfaketime) for bench.browsers ..." >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends faketime >/dev/null
    else
        echo "missing: libfaketime (apt-get install faketime, as root)" >&2
        missing=1
    fi
fi

if [ "${1:-}" = "--profiler" ] && [ ! -x .venv/bin/py-spy ]; then
    if [ -x .venv/bin/pip ]; then
        echo "installing py-spy into .venv ..." >&2
        .venv/bin/pip install --quiet --disable-pip-version-check py-spy
    else
        echo "missing: .venv (make venv) for py-spy" >&2
        missing=1
    fi
fi
exit "$missing"
