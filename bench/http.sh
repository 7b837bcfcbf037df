#!/bin/sh
# http.sh — `make bench`'s HTTP part: wrk from a second process on loopback,
# 64 keep-alive connections, 2 threads, against `leadstore serve` on an SQLite
# file and on a PostgreSQL database; in the same run, the static answer of
# the same HTTP library (GET /version: no database, the floor) and the
# operation mix of tests/load.lua (a write, a read, a list), then the reads
# alone.  Prints a Markdown table with the ratio floor/operation (requests/s)
# and, given TSV, writes its rows there for build/bench --http (one line per
# run: engine, route, requests/s, p50 µs, p95 µs, p99 µs, 1 for the floor).
#   sh bench/http.sh BUILD "<PostgreSQL server keyword string>" [TSV]
# LEADSTORE_BENCH_SECONDS: seconds per run (default 10).
set -eu
build=$1
server=$2
tsv=${3:-/dev/null}
cli="$build/leadstore"
secs=${LEADSTORE_BENCH_SECONDS:-10}
. tests/lib.sh
dir=$(mktemp -d /tmp/leadstore-bench-http-XXXXXX)
trap 'rm -rf "$dir"' EXIT
export LEADSTORE_JWT_SECRET="bench-secret-0123456789abcdef0123456789abcdef"
unset LEADSTORE_API_KEY
LOAD_KEY=$("$cli" keys --role service_role)
export LOAD_KEY
pg_fresh "$cli" "$server" lsbench_http
: >"$tsv"

# run LABEL OPS: one wrk run of tests/load.lua with LOAD_OPS=OPS; prints a
# table row and appends a TSV line; remembers requests/s in $rps
run() {
  label=$1
  LOAD_OPS=$2 wrk -t2 -c64 -d"${secs}s" --timeout 30s --latency -s tests/load.lua "$SERVE_URL" >"$dir/wrk.out" 2>&1
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$dir/wrk.out")
  set -- $(sed -n 's/^latency_us p50 \([0-9]*\) p95 \([0-9]*\) p99 \([0-9]*\)$/\1 \2 \3/p' "$dir/wrk.out")
  errs=$(grep -c "Non-2xx\|Socket errors" "$dir/wrk.out" || true)
  bad=$(sed -n 's/^failed //p' "$dir/wrk.out")
  if [ "$errs" -ne 0 ] || [ "${bad:-0}" -ne 0 ] || [ $# -ne 3 ]; then
    echo "bench: failed requests:" >&2
    cat "$dir/wrk.out" >&2
    exit 1
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$engine" "$label" "$rps" "$1" "$2" "$3" \
    "$(awk -v r="$rps" -v f="${floor:-$rps}" 'BEGIN { printf "%.2f", f / r }')"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$engine" "$label" "$rps" "$1" "$2" "$3" "$([ -z "$floor" ] && echo 1 || echo 0)" >>"$tsv"
}

echo "wrk -t2 -c64 -d${secs}s --timeout 30s --latency -s tests/load.lua, on loopback; × floor = the floor's requests/s ÷ the route's"
echo
echo "| engine | route | requests/s | p50 µs | p95 µs | p99 µs | × floor |"
echo "|---|---|---:|---:|---:|---:|---:|"
for engine in sqlite postgresql; do
  if [ $engine = sqlite ]; then db="$dir/bench.db"; else db="$PG_DB"; fi
  serve_start "$cli" "$db" /dev/null
  LOAD_CAMPAIGN=$(LEADSTORE_API_KEY=$LOAD_KEY "$cli" --db "$SERVE_URL" call create_campaign_with_coverage_tx \
    '{"p_campaign_data":{"name":"Bench"}}' | sed -n 's/.*"campaign_id": *"\([^"]*\)".*/\1/p')
  export LOAD_CAMPAIGN
  floor=""
  run "GET /version (static, the floor)" static
  floor=$rps
  run "POST rpc: write/read/list mix (tests/load.lua)" all
  run "POST rpc: get_campaign/list_campaigns" read
  serve_stop
  "$cli" --db "$db" check >/dev/null
done
