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
# PostgreSQL figures need a server: a throwaway one unless GSP_BENCH_POSTGRES_URL names one.
pg=()
if [ -z "${GSP_BENCH_POSTGRES_URL:-}" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    pg=(scripts/with-postgres.sh)
else
    [ -n "${GSP_BENCH_POSTGRES_URL:-}" ] || echo "bench: no PostgreSQL found: its figures will be skipped with a note" >&2
fi
if [ "${1:-}" = "--quick" ]; then
    "${pg[@]}" "$bin" --quick --python "$venv/bin/python" --results "$(mktemp -d)"
else
    "${pg[@]}" "$bin" --python "$venv/bin/python" --results bench/results --markdown docs/performance.md
    echo "results: bench/results/latest.json, docs/performance.md"
fi
