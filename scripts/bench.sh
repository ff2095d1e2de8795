#!/usr/bin/env bash
# Runs the release benchmark: `--quick` for a short smoke run (make test exercises it).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(swift build -c release --show-bin-path)/gsp-bench
if [ "${1:-}" = "--quick" ]; then
    "$bin" --quick --results "$(mktemp -d)"
else
    "$bin" --results bench/results --markdown docs/performance.md
    echo "results: bench/results/latest.json, docs/performance.md"
fi
