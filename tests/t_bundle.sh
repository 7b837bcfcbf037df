#!/bin/sh
# t_bundle.sh — the SQL bundle (`leadstore docs sql-install`, build/leadstore.sql)
# installs what `leadstore migrate` installs and records it the same way, on
# fresh databases of the test server ($LEADSTORE_TEST_PG):
#   - psql -f bundle on a fresh database, then migrate: migrate applies nothing;
#     the records (names, checksums) and the catalog (functions, their
#     security and grants, tables, row security) equal a migrated database's;
#     the functions answer (SQL and through leadstore call);
#   - the bundle twice: nothing changes the second time;
#   - migrate first, then the bundle: no error, nothing changes;
#   - in one transaction (psql -1, as an SQL editor sends it): the same;
#   - a changed schema migration is refused, as migrate refuses it;
#   - it waits for migrate's advisory lock (held elsewhere: a lock timeout).
set -u
. tests/lib.sh
server=${LEADSTORE_TEST_PG:?LEADSTORE_TEST_PG is not set (make test sets it)}
cli=${LEADSTORE_CLI:-build/leadstore}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bundle=$tmp/leadstore.sql

"$cli" docs sql-install >"$bundle" 2>"$tmp/err"
tap $? "leadstore docs sql-install prints the bundle" "$tmp/err"
cmp -s "$bundle" "$(dirname "$cli")/leadstore.sql"
tap $? "make wrote the same bundle to $(dirname "$cli")/leadstore.sql"

# fresh DB: a new empty database NAME
fresh() {
  psql -X -q -d "$server dbname=postgres" -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
}
# q DB SQL: the rows of a query, unaligned
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$server dbname=$1" -c "$2"; }
# install DB [psql options]: the bundle into DB; its output in $tmp/out
install() {
  _db=$1; shift
  psql -X -q -v ON_ERROR_STOP=1 "$@" -d "$server dbname=$_db" -f "$bundle" >"$tmp/out" 2>&1
}
# migrate DB: leadstore migrate; its output in $tmp/mig
migrate() { "$cli" --db "$server dbname=$1" migrate >"$tmp/mig" 2>&1; }
# records DB: the migrations recorded, with their times
records() { q "$1" "SELECT name, checksum, applied_at FROM leadstore_migrations ORDER BY name"; }
# catalog DB: what a client sees of the installed objects: every function of
# public with its security, settings and grants; every relation of public with
# its kind, row security and grants; the migrations table's definition
catalog() {
  q "$1" "SELECT p.oid::regprocedure::text || ' ' || p.prosecdef || ' ' || coalesce(array_to_string(p.proconfig, ','), '')
                 || ' ' || coalesce(p.proacl::text, '')
            FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
          UNION ALL
          SELECT c.relname || ' ' || c.relkind::text || ' ' || c.relrowsecurity || ' ' || coalesce(c.relacl::text, '')
            FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
          UNION ALL
          SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
                 || coalesce(column_default, '')
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'leadstore_migrations'
          ORDER BY 1"
}
nmig=$(grep -c '^SELECT pg_temp.leadstore_apply(' "$bundle")

# The reference: a database installed by migrate.
fresh lstest_bundle_m && migrate lstest_bundle_m
tap $? "a fresh database migrated by leadstore migrate (the reference)" "$tmp/mig"
records lstest_bundle_m | cut -d'|' -f1,2 >"$tmp/ref_records"
catalog lstest_bundle_m >"$tmp/ref_catalog" 2>&1
grep -q '^create_campaign_with_coverage_tx(.* true search_path=public, pg_temp .*authenticated=X' "$tmp/ref_catalog" &&
  grep -q '^gmaps_campaigns r true' "$tmp/ref_catalog" && grep -q '^column leadstore_migrations.checksum text NO' "$tmp/ref_catalog"
tap $? "the catalog of the reference is read (functions, grants, tables, row security)" "$tmp/ref_catalog"
[ "$(wc -l <"$tmp/ref_records")" -eq "$nmig" ] && [ "$nmig" -ge 7 ]
tap $? "the bundle holds every migration migrate applies ($nmig)" "$tmp/ref_records"

# 1. bundle, then migrate
fresh lstest_bundle_b && install lstest_bundle_b
tap $? "psql -v ON_ERROR_STOP=1 -f bundle installs into a fresh database" "$tmp/out"
[ "$(grep -cx ' applied' "$tmp/out")" -eq "$nmig" ]
tap $? "it reports each migration applied" "$tmp/out"
records lstest_bundle_b | cut -d'|' -f1,2 | diff "$tmp/ref_records" - >"$tmp/diff" 2>&1
tap $? "it records the same migrations with the same checksums as migrate" "$tmp/diff"
catalog lstest_bundle_b | diff "$tmp/ref_catalog" - >"$tmp/diff" 2>&1
tap $? "the catalog equals a migrated database's (functions, security, grants, tables)" "$tmp/diff"
q lstest_bundle_b "SELECT is_valid_status_transition('draft', 'running'),
                          create_campaign_with_coverage_tx('{\"name\": \"bundle\"}', '[{\"zip\": \"78701\"}]') ->> 'success'" \
  >"$tmp/sql" 2>&1
[ "$(cat "$tmp/sql")" = "t|true" ]
tap $? "the functions exist and answer from SQL" "$tmp/sql"
records lstest_bundle_b >"$tmp/before"
migrate lstest_bundle_b && ! grep -q '^applied' "$tmp/mig"
tap $? "leadstore migrate afterwards applies nothing and does not complain" "$tmp/mig"
records lstest_bundle_b | diff "$tmp/before" - >"$tmp/diff" 2>&1
tap $? "and leaves the records as they were" "$tmp/diff"
"$cli" --db "$server dbname=lstest_bundle_b" call list_campaigns '{}' --get total >"$tmp/call" 2>&1 &&
  [ "$(cat "$tmp/call")" = 1 ]
tap $? "leadstore call works on it (the campaign made from SQL is listed)" "$tmp/call"

# 2. the bundle twice
catalog lstest_bundle_b >"$tmp/cat_before"
install lstest_bundle_b && [ "$(grep -cx ' unchanged' "$tmp/out")" -eq "$nmig" ]
tap $? "the bundle a second time: no error, every migration unchanged" "$tmp/out"
records lstest_bundle_b | diff "$tmp/before" - >"$tmp/diff" 2>&1 &&
  catalog lstest_bundle_b | diff "$tmp/cat_before" - >>"$tmp/diff" 2>&1
tap $? "and nothing changed (records, catalog)" "$tmp/diff"

# 3. migrate, then the bundle
records lstest_bundle_m >"$tmp/before"
install lstest_bundle_m && [ "$(grep -cx ' unchanged' "$tmp/out")" -eq "$nmig" ]
tap $? "migrate first, then the bundle: no error, every migration unchanged" "$tmp/out"
records lstest_bundle_m | diff "$tmp/before" - >"$tmp/diff" 2>&1 &&
  catalog lstest_bundle_m | diff "$tmp/ref_catalog" - >>"$tmp/diff" 2>&1
tap $? "and nothing changed (records, catalog)" "$tmp/diff"

# 4. one transaction, as an SQL editor sends the file
fresh lstest_bundle_t && install lstest_bundle_t -1 && migrate lstest_bundle_t && ! grep -q '^applied' "$tmp/mig"
tap $? "in one transaction (psql -1): installs, and migrate then applies nothing" "$tmp/out"

# 5. a changed schema migration is refused by both
q lstest_bundle_t "UPDATE leadstore_migrations SET checksum = 'old' WHERE name = '0001_schema.sql'" >/dev/null
! install lstest_bundle_t && grep -q 'migration 0001_schema.sql changed after it was applied' "$tmp/out" &&
  ! migrate lstest_bundle_t && grep -q 'migration 0001_schema.sql changed after it was applied' "$tmp/mig"
tap $? "a changed schema migration is refused by the bundle, as by migrate" "$tmp/out"

# 6. the advisory lock of migrate: held by another session, the bundle waits
# for it (here: until its lock timeout)
mkfifo "$tmp/in" "$tmp/locked"
psql -X -q -At -d "$server dbname=lstest_bundle_b" <"$tmp/in" >"$tmp/locked" 2>&1 &
holder=$!
exec 8>"$tmp/in"
# \! runs a process of its own, whose output is not held in psql's buffer
printf '%s\n' "SELECT pg_advisory_lock(hashtextextended('leadstore migrate', 0));" '\! echo locked' >&8
exec 7<"$tmp/locked"
line=""
while [ "$line" != locked ] && read -r line <&7; do :; done
[ "$line" = locked ]
tap $? "another session holds migrate's advisory lock" "$tmp/locked"
PGOPTIONS='-c lock_timeout=200' install lstest_bundle_b
[ $? -ne 0 ] && grep -q 'lock timeout' "$tmp/out" && ! grep -q 'applied\|unchanged' "$tmp/out"
tap $? "the bundle waits for it before anything else (a lock timeout here)" "$tmp/out"
exec 8>&- 7<&-
wait "$holder"

q postgres "DROP DATABASE lstest_bundle_m WITH (FORCE)" >/dev/null 2>&1
q postgres "DROP DATABASE lstest_bundle_b WITH (FORCE)" >/dev/null 2>&1
q postgres "DROP DATABASE lstest_bundle_t WITH (FORCE)" >/dev/null 2>&1
tap_end
