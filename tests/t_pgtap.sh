#!/bin/sh
# t_pgtap.sh — the pgTAP suite of tests/pgtap/, run with pg_prove against a
# fresh database of the test server ($LEADSTORE_TEST_PG) migrated by
# `leadstore migrate`; one TAP line per suite file, pg_prove's report as
# diagnostics when a file fails.
set -u
server=${LEADSTORE_TEST_PG:?LEADSTORE_TEST_PG is not set (make test sets it)}
cli=${LEADSTORE_CLI:-build/leadstore}
db=lstest_pgtap
psql -X -q -d "$server dbname=postgres" -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null || { echo "Bail out! no database"; exit 1; }
psql -X -q -d "$server dbname=$db" -c "CREATE EXTENSION pgtap" >/dev/null || { echo "Bail out! no pgtap"; exit 1; }
"$cli" --db "$server dbname=$db" migrate >/dev/null || { echo "Bail out! migrate failed"; exit 1; }
# pg_prove takes the server from the environment
for kv in $server; do
  case $kv in
  host=*) export PGHOST="${kv#host=}" ;;
  port=*) export PGPORT="${kv#port=}" ;;
  user=*) export PGUSER="${kv#user=}" ;;
  esac
done
export PGDATABASE=$db
n=0
failed=0
for f in tests/pgtap/*.sql; do
  n=$((n + 1))
  out=$(pg_prove "$f" 2>&1)
  if [ $? -eq 0 ]; then
    echo "ok $n - pgTAP $(basename "$f")"
  else
    failed=$((failed + 1))
    echo "not ok $n - pgTAP $(basename "$f")"
    echo "$out" | sed 's/^/# /'
  fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
