#!/bin/sh
# t_clients.sh — the clients of clients/js (the real @supabase/supabase-js)
# and clients/python end to end against `leadstore serve`, on an SQLite file
# and on a PostgreSQL database: every operation, failure results, protocol
# errors, organizations, the retry rule.  One TAP line per client and engine,
# the client's own report as diagnostics when it fails.  npm installs
# clients/js's locked dependencies when node_modules is missing.
set -u
cli=${LEADSTORE_CLI:-build/leadstore}
server=${LEADSTORE_TEST_PG:?LEADSTORE_TEST_PG is not set (make test sets it)}
. tests/lib.sh
dir=$(mktemp -d /tmp/leadstore-clients-XXXXXX)
trap 'rm -rf "$dir"' EXIT
export LEADSTORE_JWT_SECRET="clients-end-to-end-secret-0123456789abcdef"
unset LEADSTORE_API_KEY
export LEADSTORE_ORG_A=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
LEADSTORE_SERVICE_KEY=$("$cli" keys --role service_role) &&
  LEADSTORE_ANON_KEY=$("$cli" keys --role anon) &&
  LEADSTORE_ORG_A_KEY=$("$cli" keys --role authenticated --org "$LEADSTORE_ORG_A") &&
  LEADSTORE_ORG_B_KEY=$("$cli" keys --role authenticated --org 5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9) ||
  { echo "Bail out! leadstore keys failed"; exit 1; }
export LEADSTORE_SERVICE_KEY LEADSTORE_ANON_KEY LEADSTORE_ORG_A_KEY LEADSTORE_ORG_B_KEY

if [ ! -d clients/js/node_modules ]; then
  (cd clients/js && npm ci --no-audit --no-fund >"$dir/npm.log" 2>&1) || { echo "Bail out! npm ci failed"; cat "$dir/npm.log" | sed 's/^/# /'; exit 1; }
fi

pg_fresh "$cli" "$server" lstest_clients || { echo "Bail out! no PostgreSQL database"; exit 1; }
summary='^. (tests|pass|fail|skipped) [0-9]+$|^Ran [0-9]+ tests|^(OK|FAILED)'

for engine in sqlite postgresql; do
  if [ $engine = sqlite ]; then db="$dir/clients.db"; else db="$PG_DB"; fi
  if ! serve_start "$cli" "$db" "$dir/serve-$engine.log"; then
    tap 1 "$engine: the server starts" "$dir/serve-$engine.log"
    continue
  fi
  export LEADSTORE_URL="$SERVE_URL"
  (cd clients/js && node --test --test-reporter=spec test/) >"$dir/js.out" 2>&1
  tap $? "$engine: supabase-js through clients/js, every operation, errors and retries" "$dir/js.out" "$summary"
  /usr/bin/python3 clients/python/test_leadstore_client.py >"$dir/py.out" 2>&1
  tap $? "$engine: clients/python, every operation, errors and retries" "$dir/py.out" "$summary"
  serve_stop
  tap $? "$engine: the server stops cleanly" "$dir/serve-$engine.log"
done
tap_end
