#!/usr/bin/env bash
# Runs the release benchmark: `--quick` for a short smoke run (make test exercises it).
# The peer (Loro, from PyPI) runs in bench/.venv, created here; without it the peer is skipped
# with a note in the output and in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(swift build -c release --show-bin-path)/gsp-bench
venv=bench/.venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import loro' 2>/dev/null; then
    echo "bench: installing loro from PyPI into $venv (the peer)" >&2
    { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet loro; } \
        || echo "bench: could not install loro: the peer comparison will be skipped" >&2
fi
if [ "${1:-}" = "--quick" ]; then
    "$bin" --quick --python "$venv/bin/python" --results "$(mktemp -d)"
else
    "$bin" --python "$venv/bin/python" --results bench/results --markdown docs/performance.md
    echo "results: bench/results/latest.json, docs/performance.md"
fi
