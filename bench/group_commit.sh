#!/bin/sh
# group_commit.sh — durable writers over HTTP on one SQLite file, group commit
# off (every write its own transaction and fsync) and on (the server's
# committer: waiting writes share one transaction and one fsync), back to back
# in one run for 1, 8 and 64 concurrent writers: wrk keep-alive connections,
# each sending track_api_cost_tx (tests/load.lua, LOAD_OPS=write) and waiting
# for its answer before the next.  Every answer must be a success; after each
# run `leadstore check` must be clean.  Prints a Markdown table and, given
# TSV, writes its rows there for build/bench --group-commit (one line per
# number of writers: writers, then requests/s, p50, p95, p99 µs with group
# commit off, the same with it on, and the writes per commit).
#   sh bench/group_commit.sh BUILD [TSV]
# LEADSTORE_BENCH_SECONDS: seconds per run (default 10); LEADSTORE_BENCH_WRITERS:
# the series (default "1 8 64").
set -eu
build=$1
tsv=${2:-/dev/null}
cli="$build/leadstore"
secs=${LEADSTORE_BENCH_SECONDS:-10}
series=${LEADSTORE_BENCH_WRITERS:-1 8 64}
. tests/lib.sh
dir=$(mktemp -d /tmp/leadstore-bench-group-XXXXXX)
trap 'rm -rf "$dir"' EXIT
export LEADSTORE_JWT_SECRET="bench-secret-0123456789abcdef0123456789abcdef"
unset LEADSTORE_API_KEY
LOAD_KEY=$("$cli" keys --role service_role)
export LOAD_KEY LOAD_OPS=write

# run MODE N: one wrk run against a server with --group-commit MODE on a fresh
# file; sets rps, p50, p99 and groups (writes per commit, "-" when off)
run() {
  db="$dir/$1-$2.db"
  serve_start "$cli" "$db" "$dir/serve.log" --group-commit "$1"
  LOAD_CAMPAIGN=$(LEADSTORE_API_KEY=$LOAD_KEY "$cli" --db "$SERVE_URL" call create_campaign_with_coverage_tx \
    '{"p_campaign_data":{"name":"Bench"}}' | sed -n 's/.*"campaign_id": *"\([^"]*\)".*/\1/p')
  export LOAD_CAMPAIGN
  threads=$([ "$2" -ge 2 ] && echo 2 || echo 1)
  wrk -t"$threads" -c"$2" -d"${secs}s" --timeout 30s --latency -s tests/load.lua "$SERVE_URL" >"$dir/wrk.out" 2>&1
  metrics=$(curl -s "$SERVE_URL/metrics")
  serve_stop
  "$cli" --db "$db" check >/dev/null || { echo "bench: check failed after $1 $2" >&2; exit 1; }
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$dir/wrk.out")
  set -- $(sed -n 's/^latency_us p50 \([0-9]*\) p95 \([0-9]*\) p99 \([0-9]*\)$/\1 \2 \3/p' "$dir/wrk.out")
  bad=$(sed -n 's/^failed //p' "$dir/wrk.out")
  errs=$(grep -c "Non-2xx\|Socket errors" "$dir/wrk.out" || true)
  if [ "$errs" -ne 0 ] || [ "${bad:-0}" -ne 0 ] || [ $# -ne 3 ]; then
    echo "bench: failed requests:" >&2
    cat "$dir/wrk.out" >&2
    exit 1
  fi
  p50=$1 p95=$2 p99=$3
  groups=$(printf '%s\n' "$metrics" | awk '/^leadstore_group_commit_calls_sum / { s = $2 } /^leadstore_group_commit_calls_count / { c = $2 }
    END { if (c > 0) printf "%.1f", s / c; else print "-" }')
}

: >"$tsv"
echo "wrk -t1|2 -cN -d${secs}s, LOAD_OPS=write (track_api_cost_tx), durability full, on loopback"
echo
echo "| writers | off: writes/s | off: p50 / p99 µs | on: writes/s | on: p50 / p99 µs | writes per commit (on) | on ÷ off |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for n in $series; do
  run off "$n"
  off_rps=$rps off_lat="$p50 / $p99" off_p50=$p50 off_p99=$p99 off_p95=$p95
  run on "$n"
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$off_rps" "$off_lat" "$rps" "$p50 / $p99" "$groups" \
    "$(awk -v a="$rps" -v b="$off_rps" 'BEGIN { printf "%.2f", a / b }')"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$off_rps" "$off_p50" "$off_p95" "$off_p99" "$rps" "$p50" "$p95" "$p99" "$groups" >>"$tsv"
done
