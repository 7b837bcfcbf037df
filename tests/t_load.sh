#!/bin/sh
# t_load.sh — load from a second process on loopback: wrk (tests/load.lua)
# with 64 keep-alive connections for a few seconds against `leadstore serve`,
# on an SQLite file and on a PostgreSQL database.  Proves, per engine: no
# failed request (every answer 200 with success:true, no socket error), the
# server's /metrics count of each operation equals the requests wrk
# completed, the campaign's google_maps cost equals 0.001 USD per write, and
# `leadstore check` is clean after.  Operations are sent for $secs seconds,
# then only GET /version for a margin, so every operation sent is answered
# before wrk stops (tests/load.lua); wrk waits up to 30 s for an answer (its
# default of 2 s would count a slow answer on a busy machine as a socket
# error).  Speed is not asserted here (make bench).
set -u
cli=${LEADSTORE_CLI:-build/leadstore}
server=${LEADSTORE_TEST_PG:?LEADSTORE_TEST_PG is not set (make test sets it)}
secs=${LEADSTORE_LOAD_SECONDS:-3}
margin=8
. tests/lib.sh
dir=$(mktemp -d /tmp/leadstore-load-XXXXXX)
trap 'rm -rf "$dir"' EXIT
export LEADSTORE_JWT_SECRET="load-test-secret-0123456789abcdef0123456789"
unset LEADSTORE_API_KEY
LOAD_KEY=$("$cli" keys --role service_role) || { echo "Bail out! leadstore keys failed"; exit 1; }
export LOAD_KEY
pg_fresh "$cli" "$server" lstest_load || { echo "Bail out! no PostgreSQL database"; exit 1; }
# metric NAME LABELS: the value of one sample of the server's /metrics (0 when absent)
metric() {
  awk -v want="$1{$2}" '$1 == want { v = $2 } END { print v + 0 }' "$dir/metrics"
}
scrape() { curl -s -H "apikey: $LOAD_KEY" -H "Authorization: Bearer $LOAD_KEY" "$SERVE_URL/metrics" >"$dir/metrics"; }

for engine in sqlite postgresql; do
  if [ $engine = sqlite ]; then db="$dir/load.db"; else db="$PG_DB"; fi
  log="$dir/serve-$engine.log"
  if ! serve_start "$cli" "$db" "$log"; then tap 1 "$engine: the server starts" "$log"; continue; fi
  LOAD_CAMPAIGN=$(LEADSTORE_API_KEY=$LOAD_KEY "$cli" --db "$SERVE_URL" call create_campaign_with_coverage_tx \
    '{"p_campaign_data":{"name":"Load"}}' | sed -n 's/.*"campaign_id": *"\([^"]*\)".*/\1/p')
  export LOAD_CAMPAIGN
  LOAD_SECONDS=$secs wrk -t2 -c64 -d"$((secs + margin))s" --timeout 30s --latency -s tests/load.lua "$SERVE_URL" >"$dir/wrk.out" 2>&1
  answered() { sed -n "s/^answered $1 //p" "$dir/wrk.out"; }
  w=$(answered track_api_cost_tx) g=$(answered get_campaign) l=$(answered list_campaigns) v=$(answered version)
  total=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$dir/wrk.out")
  bad=$(sed -n 's/^failed //p' "$dir/wrk.out")
  [ -n "$LOAD_CAMPAIGN" ] && [ -n "$bad" ] && [ "$bad" -eq 0 ] && [ "${w:-0}" -gt 0 ] &&
    [ "$total" = "$((w + g + l + v))" ] && ! grep -q "Socket errors\|Non-2xx" "$dir/wrk.out"
  tap $? "$engine: 64 connections for ${secs}s, $((w + g + l)) operations, every answer 200 with success:true" "$dir/wrk.out"
  scrape
  mw=$(metric leadstore_operation_calls_total 'operation="track_api_cost_tx"')
  mg=$(metric leadstore_operation_calls_total 'operation="get_campaign"')
  ml=$(metric leadstore_operation_calls_total 'operation="list_campaigns"')
  echo "wrk: $w $g $l; metrics: $mw $mg $ml" >"$dir/counts"
  [ "$mw" = "$w" ] && [ "$mg" = "$g" ] && [ "$ml" = "$l" ]
  tap $? "$engine: /metrics counts exactly the operations wrk completed ($w writes, $g gets, $l lists)" "$dir/counts"
  cost=$(LEADSTORE_API_KEY=$LOAD_KEY "$cli" --db "$SERVE_URL" call get_campaign "{\"p_campaign_id\":\"$LOAD_CAMPAIGN\"}" |
    sed -n 's/.*"google_maps_cost": *\([0-9.e+-]*\).*/\1/p')
  want=$(awk -v n="$w" 'BEGIN { printf "%.6f", n * 0.001 }')
  got=$(awk -v c="${cost:-x}" 'BEGIN { printf "%.6f", c }')
  echo "google_maps_cost $cost, expected $want" >"$dir/cost"
  [ -n "$cost" ] && [ "$got" = "$want" ]
  tap $? "$engine: the campaign's cost is exactly 0.001 USD per write" "$dir/cost"
  serve_stop
  tap $? "$engine: the server stops cleanly" "$log"
  "$cli" --db "$db" check >"$dir/check" 2>&1
  tap $? "$engine: leadstore check is clean after the load" "$dir/check"
done
tap_end
