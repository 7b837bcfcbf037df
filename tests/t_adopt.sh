#!/bin/sh
# t_adopt.sh — `leadstore adopt`, `leadstore uninstall` and `leadstore check
# --repair` on a database of the upstream application: built from the
# upstream's documented DDL (tests/fixtures/upstream/schema.sql) with
# Supabase's roles present, filled with the dirty data of data.sql (orphans,
# NULL sources, drifted counters, cent-rounded costs, one place_id in two
# campaigns, unknown status strings), on the test server ($LEADSTORE_TEST_PG).
#
# Proves: an empty or partial database is refused and left as it was;
# --dry-run prints every statement and changes nothing (pg_dump before and
# after); adopt then passes `leadstore check` with every fixture row kept or
# quarantined with its reason (counted per table); the adopted schema is the
# schema `leadstore migrate` creates; the operations and the upstream-name
# aliases work on it; the legacy policies no longer open the data to anon; a
# second adopt is a no-op; check --repair restores the invariants after
# direct writes, installed and after uninstall; uninstall gives the legacy
# application its tables back; adopt after uninstall brings leadstore back.
set -u
. tests/lib.sh
server=${LEADSTORE_TEST_PG:?LEADSTORE_TEST_PG is not set (make test sets it)}
cli=${LEADSTORE_CLI:-build/leadstore}
fixture=tests/fixtures/upstream
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

newdb() {
  psql -X -q -d "$server dbname=postgres" -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
# pg_dump of the database, without the random key of its \restrict lines; a
# dump that failed (or has no table) is marked, so it never equals another
dump() {
  pg_dump --no-owner -d "$DB" >"$1.raw" 2>&1 && grep -q '^CREATE TABLE' "$1.raw" || echo "dump failed: $$ $1" >>"$1.raw"
  grep -v '^\\\(un\)\{0,1\}restrict ' "$1.raw" >"$1"
}

# Supabase's roles (a Supabase project has them; a plain server gets them here)
psql -X -q -d "$server dbname=postgres" -v ON_ERROR_STOP=1 -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN CREATE ROLE service_role NOLOGIN; END IF;
END \$\$" >"$tmp/err" 2>&1
tap $? "Supabase's roles anon, authenticated and service_role exist" "$tmp/err"

upstream() {
  newdb "$1" && DB="$server dbname=$1" &&
    psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -f "$fixture/schema.sql" -f "$fixture/data.sql"
}

#--- refusals: nothing changed ---------------------------------------------------------

newdb lstest_adopt_empty
DB="$server dbname=lstest_adopt_empty"
"$cli" adopt --db "$DB" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 78 ] && grep -q 'no gmaps_\* table' "$tmp/out" && [ -z "$(q "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace")" ]
tap $? "an empty database is refused (exit $rc) and left empty" "$tmp/out"

upstream lstest_adopt_partial >"$tmp/err" 2>&1 &&
  q "ALTER TABLE gmaps_businesses DROP COLUMN email_source; DROP TABLE gmaps_api_costs" >>"$tmp/err" 2>&1
tap $? "a partial upstream database (no email_source, no cost table)" "$tmp/err"
dump "$tmp/partial.before"
"$cli" adopt --db "$DB" >"$tmp/out" 2>&1
rc=$?
dump "$tmp/partial.after"
[ $rc -eq 78 ] && grep -q 'table gmaps_api_costs' "$tmp/out" && grep -q 'gmaps_businesses.email_source' "$tmp/out" &&
  cmp -s "$tmp/partial.before" "$tmp/partial.after"
tap $? "it is refused (exit $rc) naming what is missing, and the dump is unchanged" "$tmp/out"
"$cli" uninstall --db "$DB" >"$tmp/out" 2>&1
rc=$?
"$cli" check --repair --db "$DB" >>"$tmp/out" 2>&1
rc2=$?
dump "$tmp/partial.after"
[ $rc -eq 78 ] && [ $rc2 -eq 78 ] && cmp -s "$tmp/partial.before" "$tmp/partial.after"
tap $? "uninstall and check --repair refuse a database that is not leadstore's (exit $rc, $rc2), unchanged" "$tmp/out"

"$cli" --create init --db "$tmp/lite.db" >/dev/null 2>&1
"$cli" adopt --db "$tmp/lite.db" >"$tmp/out" 2>&1
[ $? -eq 78 ] && grep -q 'adopt works on a PostgreSQL database' "$tmp/out"
tap $? "adopt refuses an SQLite database (exit 78)" "$tmp/out"

# check --repair on an SQLite file written behind the operations' back
lite="$tmp/lite.db"
cid=$("$cli" call create_campaign_with_coverage_tx '{"p_campaign_data": {"name": "Lite"}, "p_coverage_data": [{"zip": "90001"}]}' \
  --db "$lite" --get campaign_id 2>"$tmp/err")
"$cli" call batch_upsert_businesses_tx "{\"p_campaign_id\": \"$cid\", \"p_zip_code\": \"90001\", \"p_businesses\":
  [{\"place_id\": \"a\", \"name\": \"A\", \"email\": \"a@a.example\"}]}" --db "$lite" >>"$tmp/err" 2>&1 &&
  "$cli" call update_campaign_status_tx "{\"p_campaign_id\": \"$cid\", \"p_new_status\": \"running\"}" --db "$lite" >>"$tmp/err" 2>&1 &&
  python3 - "$lite" "$cid" >>"$tmp/err" 2>&1 <<'PY'
import sqlite3, sys, uuid
db, cid = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db)
c.execute("PRAGMA foreign_keys = ON")
bid = c.execute("SELECT id FROM gmaps_businesses WHERE campaign_id = ?", (cid,)).fetchone()[0]
t = "2026-01-01T00:00:00.000000Z"
c.execute("INSERT INTO gmaps_businesses (id, campaign_id, zip_code, place_id, name, email, email_source, created_at, updated_at)"
          " VALUES (?, ?, '90001', 'legacy', 'Legacy', 'l@l.example', 'google_maps', ?, ?)", (str(uuid.uuid4()), cid, t, t))
c.execute("INSERT INTO gmaps_api_costs (id, campaign_id, service, items_processed, cost_usd, incurred_at, created_at)"
          " VALUES (?, ?, 'facebook', 1, 4200, ?, ?)", (str(uuid.uuid4()), cid, t, t))
c.execute("INSERT INTO gmaps_linkedin_enrichments (id, business_id, campaign_id, linkedin_url, primary_email, created_at, updated_at)"
          " VALUES (?, ?, ?, 'https://linkedin.com/in/x', ' ceo@a.example ', ?, ?)", (str(uuid.uuid4()), bid, cid, t, t))
c.execute("UPDATE gmaps_campaigns SET status = 'completed' WHERE id = ?", (cid,))
c.commit()
PY
tap $? "an SQLite file, then direct writes (sqlite3) that bypass the operations" "$tmp/err"
"$cli" check --db "$lite" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q 'invariant 2' "$tmp/out" && grep -q 'invariant 3' "$tmp/out" && grep -q 'invariant 4' "$tmp/out" &&
  grep -q 'invariant 5' "$tmp/out"
tap $? "sqlite: check finds them (exit $rc)" "$tmp/out"
"$cli" check --repair --db "$lite" >"$tmp/out" 2>&1 && grep -q '^repair/email_from_enrichments: 1 row$' "$tmp/out" &&
  grep -q '^repair/history_status: 1 row$' "$tmp/out" && grep -q '^repair/costs_recomputed: 1 row$' "$tmp/out" &&
  [ "$("$cli" call list_businesses "{\"p_campaign_id\": \"$cid\", \"p_email_source\": \"linkedin\"}" --db "$lite" --get businesses.0.email)" = ceo@a.example ]
tap $? "sqlite: check --repair restores every invariant (LinkedIn's email, trimmed, back on top) and check passes" "$tmp/out" '^(repair/.*: [1-9]|check)'
"$cli" check --repair --db "$lite" >"$tmp/out" 2>&1 && grep -q 'repair changed 0 rows' "$tmp/out"
tap $? "sqlite: a second repair changes nothing" "$tmp/out"

# a deployment without the optional verification log and the two service costs the upstream's
# later audit added: adopted, the missing table and columns created
upstream lstest_adopt_older >"$tmp/err" 2>&1 &&
  q "DROP TABLE gmaps_email_verifications;
     ALTER TABLE gmaps_campaigns DROP COLUMN linkedin_enrichment_cost, DROP COLUMN bouncer_verification_cost" >>"$tmp/err" 2>&1 &&
  "$cli" adopt --db "$DB" >>"$tmp/err" 2>&1 && "$cli" check --db "$DB" >>"$tmp/err" 2>&1 &&
  [ "$(q "SELECT count(*) FROM information_schema.columns WHERE table_name IN ('gmaps_campaigns', 'gmaps_email_verifications')
            AND column_name IN ('linkedin_enrichment_cost', 'bouncer_verification_cost', 'campaign_id')")" = 3 ]
tap $? "an older deployment (no verification log, no linkedin/bouncer cost columns) is adopted, check passes" "$tmp/err"

#--- the upstream fixture ------------------------------------------------------------------

upstream lstest_adopt >"$tmp/err" 2>&1
tap $? "the upstream fixture: documented DDL with dirty data" "$tmp/err"
tables="gmaps_campaigns gmaps_campaign_coverage gmaps_businesses gmaps_facebook_enrichments gmaps_linkedin_enrichments gmaps_email_verifications gmaps_api_costs"
for t in $tables; do q "SELECT count(*) FROM $t" >"$tmp/orig.$t"; done
for t in $tables; do cat "$tmp/orig.$t"; done | tr '\n' ' ' | sed 's/ $//' >"$tmp/got"
echo >>"$tmp/got"
[ "$(cat "$tmp/got")" = "7 8 13 5 4 5 9" ]
tap $? "the fixture has the rows data.sql describes ($(cat "$tmp/got"))" "$tmp/got"

dump "$tmp/before"
"$cli" adopt --db "$DB" --dry-run >"$tmp/dry" 2>&1
rc=$?
dump "$tmp/after"
[ $rc -eq 0 ] && cmp -s "$tmp/before" "$tmp/after"
tap $? "adopt --dry-run succeeds and changes nothing (pg_dump before = after)" "$tmp/dry"
grep -q '^ALTER TABLE gmaps_businesses' "$tmp/dry" && grep -q '^-- upstream/quarantine_duplicate_places: 1 row$' "$tmp/dry" &&
  grep -q '^-- repair/costs_recomputed: [0-9]* rows$' "$tmp/dry" && grep -q '^applied 0005_leads.sql$' "$tmp/dry" &&
  grep -q 'nothing changed' "$tmp/dry"
tap $? "the dry run prints every statement and the rows it would touch" "$tmp/dry"

"$cli" adopt --db "$DB" >"$tmp/out" 2>&1
tap $? "adopt" "$tmp/out" '^(quarantined|leadstore:)'
"$cli" check --db "$DB" >"$tmp/check" 2>&1
tap $? "check passes on the adopted database" "$tmp/check" '^check'

# every fixture row: still there (kept or normalised) or quarantined with a reason
: >"$tmp/lost"
for t in $tables; do
  now=$(q "SELECT count(*) FROM $t")
  quarantined=$(q "SELECT count(*) FROM leadstore_quarantine WHERE table_name = '$t' AND reason <> '' AND row_data ? 'id'")
  [ $((now + quarantined)) -eq "$(cat "$tmp/orig.$t")" ] ||
    echo "$t: $(cat "$tmp/orig.$t") in the fixture, $now now, $quarantined quarantined" >>"$tmp/lost"
done
[ ! -s "$tmp/lost" ]
tap $? "every fixture row is kept or quarantined with a reason" "$tmp/lost"
q "SELECT string_agg(table_name || ' ' || n, ',' ORDER BY table_name) FROM (SELECT table_name, count(*) AS n FROM leadstore_quarantine GROUP BY table_name) t" >"$tmp/got"
[ "$(cat "$tmp/got")" = "gmaps_api_costs 2,gmaps_businesses 3,gmaps_campaign_coverage 1,gmaps_email_verifications 1,gmaps_facebook_enrichments 2,gmaps_linkedin_enrichments 1" ]
tap $? "quarantined: exactly the rows that cannot fit (orphans, no campaign, no place, a duplicate, unknown service)" "$tmp/got"
q "SELECT reason FROM leadstore_quarantine WHERE row_id = 'b0000000-0000-4000-8000-000000000005'" >"$tmp/got"
grep -q 'same place_id as business b0000000-0000-4000-8000-000000000002' "$tmp/got" &&
  [ "$(q "SELECT business_id FROM gmaps_facebook_enrichments WHERE id = 'e0000000-0000-4000-8000-000000000003'")" = b0000000-0000-4000-8000-000000000002 ]
tap $? "a duplicate place is quarantined, its enrichment moved to the business kept" "$tmp/got"

# normalised as documented
[ "$(q "SELECT count(*) FROM gmaps_businesses WHERE place_id = 'PLACE-A'")" = 2 ]
tap $? "the same place_id in two campaigns: both rows kept"
q "SELECT google_maps_cost || ' ' || facebook_cost || ' ' || actual_cost FROM gmaps_campaigns WHERE id = 'c0000000-0000-4000-8000-000000000001'" >"$tmp/got"
[ "$(cat "$tmp/got")" = "0.010500 0.007100 0.017600" ] &&
  [ "$(q "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'gmaps_api_costs'::regclass AND attname = 'cost_usd'")" = "numeric(14,6)" ]
tap $? "cent-rounded totals recomputed exactly from the cost rows, money NUMERIC(14,6)" "$tmp/got"
q "SELECT id || ' ' || email_source || ' ' || coalesce(email, '-') FROM gmaps_businesses WHERE id::text LIKE 'b0000000%' ORDER BY id" >"$tmp/got"
cat >"$tmp/expect" <<'EOF'
b0000000-0000-4000-8000-000000000001 google_maps info@smile.example
b0000000-0000-4000-8000-000000000002 facebook hello@bright.example
b0000000-0000-4000-8000-000000000003 linkedin dr@tooth.example
b0000000-0000-4000-8000-000000000004 not_found -
b0000000-0000-4000-8000-000000000006 not_found -
b0000000-0000-4000-8000-000000000007 linkedin owner@pipepros.example
b0000000-0000-4000-8000-000000000008 google_maps kings@drain.example
b0000000-0000-4000-8000-000000000009 google_maps leak@busters.example
b0000000-0000-4000-8000-000000000010 not_found -
b0000000-0000-4000-8000-000000000011 not_found -
EOF
cmp -s "$tmp/expect" "$tmp/got"
tap $? "email sources re-derived by SPEC §5 (LinkedIn's email back over Facebook's)" "$tmp/got"
q "SELECT name || ' ' || status || ' ' || (started_at IS NOT NULL) || ' ' || (completed_at IS NOT NULL) FROM gmaps_campaigns ORDER BY id" >"$tmp/got"
cat >"$tmp/expect" <<'EOF'
LA dentists running true false
SF plumbers completed true true
NY cafes running true false
Austin gyms paused true false
Draft only draft false false
campaign c0000000-0000-4000-8000-000000000006 failed false true
Paused one paused false false
EOF
cmp -s "$tmp/expect" "$tmp/got"
tap $? "free-text statuses mapped by the documented table" "$tmp/got"
[ "$(q "SELECT metadata ->> 'legacy_status' FROM gmaps_campaign_status_history WHERE campaign_id = 'c0000000-0000-4000-8000-000000000004' ORDER BY seq DESC LIMIT 1")" = archived ] &&
  [ "$(q "SELECT icebreaker FROM gmaps_businesses WHERE id = 'b0000000-0000-4000-8000-000000000001'")" = "Loved your reviews" ] &&
  [ "$(q "SELECT count(*) FROM gmaps_linkedin_enrichments WHERE emails_generated IS NULL")" = 0 ]
tap $? "the legacy status kept in the history, the upstream's own columns kept, NULL lists empty"

# the same schema as `leadstore migrate` creates
pg_fresh "$cli" "$server" lstest_adopt_fresh >"$tmp/err" 2>&1
tap $? "a fresh database migrated by leadstore migrate" "$tmp/err"
cols="SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname LIKE 'gmaps%'
 UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
 WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text LIKE 'gmaps%'
 UNION ALL SELECT 'index ' || indexrelid::regclass FROM pg_index WHERE indrelid::regclass::text LIKE 'gmaps%'
 UNION ALL SELECT 'function ' || p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
   AND (p.proname LIKE 'ls\\_%' OR obj_description(p.oid, 'pg_proc') LIKE 'leadstore%' OR p.proname IN (SELECT name FROM ls_operations))
 UNION ALL SELECT 'policy ' || tablename || ' ' || policyname FROM pg_policies WHERE schemaname = 'public'
 UNION ALL SELECT 'migration ' || name || ' ' || checksum FROM leadstore_migrations ORDER BY 1"
q "$cols" >"$tmp/adopted"
DB="$server dbname=lstest_adopt_fresh" q "$cols" >"$tmp/fresh"
comm -23 "$tmp/fresh" "$tmp/adopted" >"$tmp/diff"
[ -s "$tmp/fresh" ] && [ ! -s "$tmp/diff" ] && ! grep -q '^policy .* Enable' "$tmp/adopted"
tap $? "adopted: every column, constraint, index, function, policy and migration of a fresh install ($(wc -l <"$tmp/fresh")), no legacy policy" "$tmp/diff"

# the operations and the aliases work on it; anon reads nothing any more
"$cli" call batch_upsert_businesses_tx '{"p_campaign_id": "c0000000-0000-4000-8000-000000000001", "p_zip_code": "90003",
  "p_businesses": [{"place_id": "PLACE-E", "name": "Pipe Pros LA", "email": "la@pipepros.example"}]}' --db "$DB" >"$tmp/out" 2>&1 &&
  q "SELECT count(*) FROM batch_upsert_businesses_atomic(ARRAY['{\"campaign_id\": \"c0000000-0000-4000-8000-000000000001\", \"zip_code\": \"90003\", \"place_id\": \"PLACE-Z\", \"name\": \"Z\"}'::jsonb])" >>"$tmp/out" 2>&1 &&
  "$cli" check --db "$DB" >>"$tmp/out" 2>&1
tap $? "an operation and the alias batch_upsert_businesses_atomic work (PLACE-E now in two campaigns), check passes" "$tmp/out"
psql -X -q -At -d "$DB" -c "SET ROLE anon" -c "SELECT count(*) FROM gmaps_businesses" >"$tmp/out" 2>&1
grep -q 'permission denied' "$tmp/out"
tap $? "anon can no longer read the leads (the legacy permissive policies and grants are gone)" "$tmp/out"

dump "$tmp/before"
"$cli" adopt --db "$DB" >"$tmp/out" 2>&1
rc=$?
dump "$tmp/after"
[ $rc -eq 0 ] && grep -q 'already leadstore, nothing to do' "$tmp/out" && cmp -s "$tmp/before" "$tmp/after"
tap $? "a second adopt is a no-op" "$tmp/out"

#--- check --repair after direct writes ------------------------------------------------------

legacy_writes() {
  psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "SET ROLE ${1:-postgres}" -c "
    INSERT INTO gmaps_businesses (campaign_id, zip_code, place_id, name, email, email_source)
      VALUES ('c0000000-0000-4000-8000-000000000001', '90001', 'LEGACY-$2', 'Legacy write', 'legacy$2@x.example', 'google_maps');
    INSERT INTO gmaps_api_costs (campaign_id, service, items_processed, cost_usd)
      VALUES ('c0000000-0000-4000-8000-000000000001', 'google_maps', 1, 0.0042);
    INSERT INTO gmaps_linkedin_enrichments (business_id, campaign_id, linkedin_url, primary_email)
      VALUES ('b0000000-0000-4000-8000-000000000008', 'c0000000-0000-4000-8000-000000000002', 'https://linkedin.com/in/k', 'ceo$2@drain.example');
    UPDATE gmaps_campaigns SET status = 'failed', completed_at = now() WHERE id = 'c0000000-0000-4000-8000-000000000003';"
}
legacy_writes postgres 1 >"$tmp/err" 2>&1
tap $? "direct writes that bypass the operations" "$tmp/err"
"$cli" check --db "$DB" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q 'invariant 2' "$tmp/out" && grep -q 'invariant 3' "$tmp/out" && grep -q 'invariant 4' "$tmp/out" &&
  grep -q 'invariant 5' "$tmp/out"
tap $? "check finds them (exit $rc: counters, costs, email source, status history)" "$tmp/out"
"$cli" check --repair --db "$DB" >"$tmp/out" 2>&1
tap $? "check --repair restores every invariant and then passes" "$tmp/out" '^(repair/.*: [1-9]|check)'
grep -q '^repair/counters_recounted: 2 rows$' "$tmp/out" && grep -q '^repair/email_from_enrichments: 1 row$' "$tmp/out" &&
  grep -q '^repair/history_status: 1 row$' "$tmp/out" && grep -q '^repair/costs_recomputed: 1 row$' "$tmp/out"
tap $? "it reports what it changed" "$tmp/out"
"$cli" check --repair --json --db "$DB" >"$tmp/out" 2>"$tmp/err" && grep -q 'repair changed 0 rows' "$tmp/err" &&
  python3 -c 'import json, sys; r = json.load(sys.stdin); sys.exit(0 if r["ok"] else 1)' <"$tmp/out"
tap $? "a second repair changes nothing (--json: the check's report alone on standard output)" "$tmp/err"

#--- uninstall: the legacy application writes again, repair, come back ------------------------

rows_before=$(q "SELECT count(*) FROM gmaps_businesses")
"$cli" uninstall --db "$DB" >"$tmp/out" 2>&1
tap $? "uninstall" "$tmp/out" '^leadstore:'
[ "$(q "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND (proname LIKE 'ls\\_%' OR proname LIKE '%\\_tx' OR obj_description(oid, 'pg_proc') LIKE 'leadstore%')")" = 0 ] &&
  [ "$(q "SELECT count(*) FROM gmaps_businesses")" = "$rows_before" ] &&
  [ "$(q "SELECT count(*) FROM leadstore_quarantine")" = 10 ] &&
  [ "$(q "SELECT count(*) FROM pg_policies WHERE policyname LIKE 'Enable%'")" = 18 ] &&
  [ "$(q "SELECT count(*) FROM information_schema.columns WHERE table_name = 'gmaps_campaigns' AND column_name = 'zips_scraped'")" = 1 ]
tap $? "leadstore's functions are gone; rows, quarantine, new columns stay; the legacy policies are back"
legacy_writes anon 2 >"$tmp/err" 2>&1
tap $? "the legacy application (as anon, its policies) writes the tables again" "$tmp/err"
"$cli" check --db "$DB" >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q 'invariant 2' "$tmp/out"
tap $? "check runs on the uninstalled database and finds the drift" "$tmp/out"
"$cli" check --repair --db "$DB" >"$tmp/out" 2>&1
tap $? "check --repair after uninstall restores every invariant, and check passes" "$tmp/out" '^check'
[ "$(q "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proname LIKE 'ls\\_%'")" = 0 ] &&
  legacy_writes anon 3 >"$tmp/err" 2>&1
tap $? "still uninstalled after the repair: the legacy application can write" "$tmp/err"
"$cli" adopt --db "$DB" >"$tmp/out" 2>&1 && grep -q 'installed again' "$tmp/out" && "$cli" check --db "$DB" >>"$tmp/out" 2>&1
tap $? "adopt after uninstall installs leadstore again and repairs; check passes" "$tmp/out" '^(leadstore|check)'
psql -X -q -At -d "$DB" -c "SET ROLE anon" -c "SELECT count(*) FROM gmaps_businesses" >"$tmp/out" 2>&1
grep -q 'permission denied' "$tmp/out"
tap $? "and anon is shut out again" "$tmp/out"

for d in lstest_adopt lstest_adopt_fresh lstest_adopt_partial lstest_adopt_empty lstest_adopt_older; do
  psql -X -q -d "$server dbname=postgres" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1
done
tap_end
