#!/bin/sh
# The performance benchmark in one command (see docs/PERFORMANCE.md):
#   benchmarks/run.sh [--pairs N] [--update-doc]
# It makes .venv and installs the package there when they are missing.
set -eu
cd "$(dirname "$0")/.."

venv=${VENV:-.venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
[ -x "$venv/bin/invoke" ] || "$venv/bin/pip" install --quiet -e .
exec "$venv/bin/python" -m benchmarks.perf "$@"
