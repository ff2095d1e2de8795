#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL: initdb in a temporary folder, a free
# loopback port, GSP_TEST_POSTGRES_URL exported; the server is stopped afterwards.
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "error: PostgreSQL server binaries not found; run 'make deps'" >&2; exit 1; }
dir=$(mktemp -d /tmp/gsp-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
runas=()
if [ "$(id -u)" -eq 0 ]; then
    # initdb refuses to run as root: the cluster belongs to the postgres user.
    chown postgres "$dir"
    runas=(runuser -u postgres --)
fi
"${runas[@]}" "$bindir/initdb" -D "$dir/data" -U gsp --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
"${runas[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
stop() {
    "${runas[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT
"${runas[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U gsp gsp_test
export GSP_TEST_POSTGRES_URL="postgres://gsp@127.0.0.1:$port/gsp_test"
export GSP_TEST_POSTGRES_BIN="$bindir" GSP_TEST_POSTGRES_DATA="$dir/data"
"$@"
