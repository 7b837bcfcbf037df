#!/bin/sh
# http.sh — `make bench`'s HTTP part: wrk from a second process on loopback,
# 64 keep-alive connections, 2 threads, against `leadstore serve` on an SQLite
# file and on a PostgreSQL database; in the same run, the static answer of
# the same HTTP library (GET /version: no database, the floor) and the
# operation mix of tests/load.lua (a write, a read, a list), then the reads
# alone.  Prints a Markdown table with the ratio operation/floor.
#   sh bench/http.sh BUILD "<PostgreSQL server keyword string>"
set -eu
build=$1
server=$2
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

# run LABEL ARGS…: one wrk run; prints a table row, remembers requests/s in $rps
run() {
  label=$1
  shift
  wrk -t2 -c64 -d"${secs}s" --timeout 30s --latency "$@" >"$dir/wrk.out" 2>&1
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$dir/wrk.out")
  p50=$(awk '$1 == "50%" { print $2 }' "$dir/wrk.out")
  p99=$(awk '$1 == "99%" { print $2 }' "$dir/wrk.out")
  errs=$(grep -c "Non-2xx\|Socket errors" "$dir/wrk.out" || true)
  bad=$(sed -n 's/^failed //p' "$dir/wrk.out")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$engine" "$label" "$rps" "$p50" "$p99" \
    "$(awk -v r="$rps" -v f="${floor:-$rps}" 'BEGIN { printf "%.2f", r / f }')"
  if [ "$errs" -ne 0 ] || [ "${bad:-0}" -ne 0 ]; then echo "bench: failed requests:" >&2; cat "$dir/wrk.out" >&2; exit 1; fi
}

echo "wrk -t2 -c64 -d${secs}s --timeout 30s --latency, on loopback; ratio = requests/s ÷ the floor's requests/s"
echo
echo "| engine | route | requests/s | p50 | p99 | ratio to the floor |"
echo "|---|---|---:|---:|---:|---:|"
for engine in sqlite postgresql; do
  if [ $engine = sqlite ]; then db="$dir/bench.db"; else db="$PG_DB"; fi
  serve_start "$cli" "$db" /dev/null
  LOAD_CAMPAIGN=$(LEADSTORE_API_KEY=$LOAD_KEY "$cli" --db "$SERVE_URL" call create_campaign_with_coverage_tx \
    '{"p_campaign_data":{"name":"Bench"}}' | sed -n 's/.*"campaign_id": *"\([^"]*\)".*/\1/p')
  export LOAD_CAMPAIGN
  floor=""
  run "GET /version (static, the floor)" "$SERVE_URL/version"
  floor=$rps
  run "POST rpc: write/read/list mix (tests/load.lua)" -s tests/load.lua "$SERVE_URL"
  export LOAD_OPS=read
  run "POST rpc: get_campaign/list_campaigns" -s tests/load.lua "$SERVE_URL"
  unset LOAD_OPS
  serve_stop
  "$cli" --db "$db" check >/dev/null
done
