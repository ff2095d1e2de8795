#!/usr/bin/env bash
# The main job end to end on the embedded default: a SQLite gsp-server, a manager and
# three reps with their own replicas, real data, offline edits that overlap, a sync, and
# the manager's reports. KEEP=1 leaves the server running for the dashboard.
# DEMO_DEALS=N uses N generated deals instead of the public CRM data.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${GSP_BIN:-$(swift build -c release --show-bin-path)}
gsp="$bin/gsp"; server="$bin/gsp-server"
# The shared data sets: $GSP_SHARED_DATA, else ../shared/data (a clone) or ../../shared/data (a worktree).
shared=${GSP_SHARED_DATA:-}
if [ -z "$shared" ] || [ ! -d "$shared" ]; then
    shared=../shared/data
    [ -d "$shared" ] || [ ! -d ../../shared/data ] || shared=../../shared/data
fi
data=$shared/crm-opportunities
work=${DEMO_DIR:-$(mktemp -d /tmp/gsp-demo.XXXXXX)}
mkdir -p "$work"
db="$work/server.sqlite"

if [ -t 1 ]; then bold=$'\033[1m'; dim=$'\033[2m'; off=$'\033[0m'; else bold=""; dim=""; off=""; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
export PATH="$bin:$PATH"
slug() { printf '%s' "$1" | tr 'A-Z ' 'a-z-'; }
# Shows each command as a user would type it: gsp with the replica chosen by GSP_REPLICA.
as() {
    local who=$1; shift
    printf '%s[%s]$ gsp' "$dim" "$who"; printf ' %q' "$@"; printf '%s\n' "$off"
    GSP_REPLICA="$work/$(slug "$who").sqlite" gsp "$@"
}
quiet() { local who=$1; shift; GSP_REPLICA="$work/$(slug "$who").sqlite" gsp "$@"; }
first_deal() { # first deal id of the replica $1 matching list options
    local who=$1; shift
    quiet "$who" deal list "$@" --json | python3 -c '
import json, sys
deals = json.load(sys.stdin)
named = [d for d in deals if d.get("account")] or deals
print(named[0]["id"][:8] if named else "")'
}

step "1. The server: an embedded SQLite store in $work"
manager="Manager A"
token_for() { "$server" user add "$1" --role "$2" --db "$db" 2>/dev/null; }
declare -A tokens
tokens[$manager]=$(token_for "$manager" manager)
"$server" serve --db "$db" --listen 127.0.0.1:0 >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
stop_server() { kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true; }
trap stop_server EXIT
for _ in $(seq 1 100); do grep -q listening "$work/server.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/server.out")
echo "gsp-server listening on $url (log: $work/server.log)"

step "2. The manager imports the pipeline into a replica and syncs it up"
as "$manager" init --user "$manager"
as "$manager" login --server "$url" --token "${tokens[$manager]}"
if [ -z "${DEMO_DEALS:-}" ] && [ -f "$data/sales_pipeline.csv" ]; then
    echo "data: the public CRM opportunities sample ($data)"
    import=(import csv "$data/sales_pipeline.csv")
    as_of=2017-06-30
else
    if [ -n "${DEMO_DEALS:-}" ]; then echo "data: ${DEMO_DEALS} generated GSP deals (DEMO_DEALS is set)"
    else echo "data: generated GSP deals (the public CRM sample is not at $data; set GSP_SHARED_DATA=/path/to/shared/data to use it)"; fi
    import=(import generate --deals "${DEMO_DEALS:-600}" --reps "Agent 01,Agent 06,Agent 14,Agent 20")
    as_of=$(python3 -c 'import datetime; print(datetime.date.today() - datetime.timedelta(days=200))')
fi
reps=("Agent 01" "Agent 06" "Agent 14")
as "$manager" "${import[@]}"
as "$manager" sync
echo "importing again changes nothing:"
as "$manager" "${import[@]}"

step "3. Three reps pull their own deals into their replicas"
for rep in "${reps[@]}"; do
    tokens[$rep]=$(token_for "$rep" rep)
    quiet "$rep" init --user "$rep" >/dev/null
    quiet "$rep" login --server "$url" --token "${tokens[$rep]}" >/dev/null
    as "$rep" sync
    printf '%s holds %s deals\n' "$rep" "$(quiet "$rep" deal list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
done

step "4. Offline, on customer visits: overlapping edits on several replicas"
r1=${reps[0]}; r2=${reps[1]}; r3=${reps[2]}
deal=$(first_deal "$r1" --stage poc --outcome open)
echo "$r1 moves deal ${deal:0:8} through KPI agreement and signs the PIS contract:"
as "$r1" deal advance "$deal" kpi
as "$r1" kpi add "$deal" --metric "boot time" --unit s --target "<=2.5"
as "$r1" deal advance "$deal" pis
echo "the evaluation gate wants a signed PIS contract first (a clear refusal, nothing changed):"
as "$r1" deal advance "$deal" evaluation || true
as "$r1" pis sign "$deal" --rate "120 USD/h" --engineer "Ines"
as "$r1" time log "$deal" --engineer "Ines" --hours 6.5 --note "porting the boot loader"
as "$r1" deal show "$deal" | head -n 40
as "$r1" deal set "$deal" "next_step=demo for the CTO on Friday"
echo "meanwhile the manager, offline too, writes the same field of the same deal:"
as "$manager" deal set "$deal" "next_step=escalate pricing to the VP"
deal2=$(first_deal "$r2" --stage poc --outcome open)
echo "$r2 loses deal ${deal2:0:8}; the manager reassigns another of $r2's deals to $r3:"
as "$r2" deal lose "$deal2" --reason "competitor's SDK was already certified"
moved=$(first_deal "$r2" --outcome open --stage bau)
[ -n "$moved" ] || moved=$(first_deal "$r2" --outcome open)
[ -n "$moved" ] && as "$manager" deal set "$moved" "owner=$r3"

step "5. Everyone syncs (in an order that makes the edits cross)"
for who in "$r1" "$manager" "$r2" "$r3" "$r1" "$manager"; do as "$who" sync; done
echo "$r2 no longer holds the reassigned deal; $r3 does:"
printf '  %s: ' "$r2"; quiet "$r2" deal show "${moved:-none}" >/dev/null 2>&1 && echo "still there" || echo "gone"
printf '  %s: ' "$r3"; quiet "$r3" deal show "${moved:-none}" --json >/dev/null 2>&1 && echo "received" || echo "missing"
echo "every replica agrees on the contested field (last writer wins by HLC):"
for who in "$r1" "$manager"; do printf '  %-10s next_step = %s\n' "$who" "$(quiet "$who" deal show "$deal" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["fields"].get("next_step"))' 2>/dev/null || echo '?')"; done

step "6. The manager's reports, from the server"
as "$manager" report pipeline
as "$manager" report conversion
as "$manager" report forecast
as "$manager" report conflicts
as "$manager" report pipeline --as-of "$as_of" --group-by region

step "Done"
echo "files: $work (server.sqlite, server.log, one replica per user: $(cd "$work" && ls *.sqlite | grep -v server | tr '\n' ' '))"
echo "they take $(du -sh "$work" | cut -f1); remove them with: rm -rf $work"
if [ "${KEEP:-0}" = "1" ]; then
    echo "dashboard: $url/dashboard  (sign in with the manager token: ${tokens[$manager]})"
    echo "the server keeps running until Ctrl-C"
    wait "$server_pid"
fi
