#!/bin/sh
# t_import.sh — `leadstore import` and `leadstore export leads` on SQLite and
# on PostgreSQL ($LEADSTORE_TEST_PG): the fixtures of tests/fixtures/import/
# (Apify JSON/JSONL/CSV, gosom CSV/JSON lines, leadstore's CSV, Facebook
# pages, LinkedIn profiles, Bouncer answers) imported with their quirks; the
# rows that cannot be imported reported by line and skipped; malformed files
# (a JSON array cut short, a CSV quote never closed, Latin-1 bytes, UTF-16)
# answered with the line and nothing of their chunk applied; --strict
# applying nothing; an import killed after chunk 5 and run again ending with
# the same database as an uninterrupted one; the CSV export read back by
# Python's csv module; both engines' exports equal.
#   LEADSTORE_CLI=build/leadstore LEADSTORE_TEST_PG="host=… port=… user=…" sh tests/t_import.sh
set -u
. "$(dirname "$0")/lib.sh"
cli=${LEADSTORE_CLI:-build/leadstore}
server=${LEADSTORE_TEST_PG:?LEADSTORE_TEST_PG is not set (make test sets it)}
fx="$(dirname "$0")/fixtures/import"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export CI=true

# new_campaign DB: a campaign covering 04101 and 04103; prints its id
new_campaign() {
  "$cli" --db "$1" call create_campaign_with_coverage_tx \
    '{"p_campaign_data":{"name":"Portland"},"p_coverage_data":[{"zip_code":"04101"},{"zip_code":"04103"}]}' --get campaign_id
}

# leads DB CID: the campaign's leads as JSON lines without the ids and times that differ between databases
leads() {
  "$cli" --db "$1" export leads --campaign "$2" --format jsonl \
    --columns place_id,name,zip_code,address,city,state,postal_code,country,latitude,longitude,phone,website,email,email_source,email_verified,bouncer_status,bouncer_score,is_safe,category,categories,rating,reviews_count,price_level,hours,facebook_url,linkedin_url,enrichment_status,linkedin_enriched,raw_data 2>/dev/null
}

# imports ENGINE DB: every fixture into a new campaign of DB
imports() {
  e=$1 db=$2
  cid=$(new_campaign "$db")
  [ -n "$cid" ]
  tap $? "$e: a campaign covering 04101 and 04103"

  "$cli" --db "$db" import businesses "$fx/apify.json" --campaign "$cid" >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q '(apify-json): 6 records; 3 inserted, 1 updated, 2 skipped; 2 chunks, 0 replayed' "$dir/out" &&
    grep -q '^leadstore: line 148 (record 5): skipped: no place id$' "$dir/out" &&
    grep -q "^leadstore: line 154 (record 6): skipped: postal code not in the campaign's coverage (give --zip): 10001" "$dir/out"
  tap $? "$e: Apify JSON told by its first byte; the place split in two items is one business; no placeId and a ZIP outside the coverage skipped with their lines" "$dir/out"
  "$cli" --db "$db" import businesses "$fx/apify.json" --campaign "$cid" >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q '0 inserted, 0 updated, 2 skipped; 2 chunks, 2 replayed' "$dir/out"
  tap $? "$e: the same file again: every chunk answered from its request id, nothing applied twice" "$dir/out"
  "$cli" --db "$db" import businesses "$fx/apify.jsonl" --campaign "$cid" --chunk 1 >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q '(apify-jsonl): 6 records; 0 inserted, 4 updated, 2 skipped; 4 chunks, 0 replayed' "$dir/out"
  tap $? "$e: Apify JSON lines in chunks of 1 (other chunks, other request ids: applied)" "$dir/out"
  "$cli" --db "$db" import businesses "$fx/apify.csv" --campaign "$cid" >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q '(apify-csv): 4 records; 2 inserted, 1 updated, 1 skipped' "$dir/out" &&
    grep -q '^leadstore: line 6 (record 4): skipped: totalScore is not a number: five$' "$dir/out"
  tap $? "$e: Apify CSV with a BOM, CR LF, flattened keys, a quoted newline: the line of the bad row counts it" "$dir/out"
  "$cli" --db "$db" import businesses "$fx/gosom.csv" --campaign "$cid" >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q '(gosom-csv): 3 records; 1 inserted, 1 updated, 1 skipped' "$dir/out" &&
    grep -q '^leadstore: line 4 (record 3): skipped: no postal code' "$dir/out"
  tap $? "$e: gosom CSV: JSON cells, joined emails, the ZIP from complete_address" "$dir/out"
  "$cli" --db "$db" import businesses "$fx/gosom.jsonl" --campaign "$cid" >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q '(gosom-jsonl): 3 records; 0 inserted, 2 updated, 1 skipped' "$dir/out" &&
    grep -q '^leadstore: line 3 (record 2): skipped: broken JSON' "$dir/out"
  tap $? "$e: gosom JSON lines with CR LF, a blank line and a broken line" "$dir/out"
  "$cli" --db "$db" import businesses - --campaign "$cid" <"$fx/plain.csv" >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q '(csv): 3 records; 3 inserted, 0 updated, 0 skipped; 2 chunks' "$dir/out"
  tap $? "$e: leadstore's CSV from standard input, the ZIP from zip_code or postal_code" "$dir/out"

  leads "$db" "$cid" >"$dir/leads"
  grep -q '"email":"frontdesk@harbordental.example","email_source":"google_maps".*"latitude":43.6541.*"rating":4.7' "$dir/leads" &&
    grep -q '"postal_code":"04101-4402".*"zip_code":"04101"' "$dir/leads" &&
    grep -q '"linkedin_url":"https://www.linkedin.com/company/cafe-muller/"' "$dir/leads" &&
    grep -q '"name":"Café Müller & Söhne"' "$dir/leads" &&
    grep -q '"email":"office@backcoveplumbing.example"' "$dir/leads" &&
    grep -q '"address":"Suite 4\\nOne Monument Sq, Portland"' "$dir/leads" &&
    grep -q '"categories":\["Dentist","Orthodontist"\]' "$dir/leads" &&
    grep -q '"additionalInfo":{"Service options":\[{"Dine-in":true}\]}' "$dir/leads" &&
    grep -q '"price_level":"€€"' "$dir/leads" &&
    [ "$(wc -l <"$dir/leads")" -eq 9 ]
  tap $? "$e: nine businesses mapped: emails from arrays (trimmed), a ZIP+4 by its ZIP, UTF-8 names, nested raw data" "$dir/leads"

  "$cli" --db "$db" import facebook "$fx/facebook.json" --campaign "$cid" >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q '3 records; 2 applied, 1 skipped' "$dir/out" &&
    grep -q 'line 29 (record 3): skipped: no business of the campaign matches it' "$dir/out"
  tap $? "$e: Facebook pages matched by normalised URL (www., m., trailing slash, query)" "$dir/out"
  "$cli" --db "$db" import linkedin "$fx/linkedin.jsonl" --campaign "$cid" >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q '2 records; 2 applied, 0 skipped' "$dir/out"
  tap $? "$e: LinkedIn profiles matched by place id and by company URL" "$dir/out"
  "$cli" --db "$db" import verifications "$fx/bouncer-batch.json" --campaign "$cid" >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q '4 records; 2 applied, 2 skipped' "$dir/out" && grep -q 'record 4): skipped: .*status must be one of' "$dir/out"
  tap $? "$e: a Bouncer batch download matched by email; an unknown status skipped" "$dir/out"
  "$cli" --db "$db" import verifications "$fx/bouncer-single.json" --campaign "$cid" >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q '1 record; 1 applied' "$dir/out"
  tap $? "$e: a single Bouncer answer, pretty-printed" "$dir/out"
  "$cli" --db "$db" import linkedin "$fx/linkedin.jsonl" --campaign "$cid" >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q '2 records; 0 applied, 0 skipped; 2 calls, 2 replayed' "$dir/out"
  tap $? "$e: the LinkedIn file again: replayed, no second enrichment" "$dir/out"
  leads "$db" "$cid" >"$dir/leads"
  grep -q '"bouncer_score":98,"bouncer_status":"deliverable".*"email":"dana@harbordental.example","email_source":"linkedin","email_verified":true,"enrichment_status":"enriched".*"is_safe":true.*"linkedin_enriched":true,"linkedin_url":"https://www.linkedin.com/in/dana-reyes-dds"' "$dir/leads" &&
    grep -q '"bouncer_score":55,"bouncer_status":"risky".*"email":"office@backcoveplumbing.example","email_source":"google_maps","email_verified":true,"enrichment_status":"enriched".*"is_safe":false' "$dir/leads" &&
    grep -q '"bouncer_score":91,.*"place_id":"plain-1"' "$dir/leads"
  tap $? "$e: the LinkedIn email wins, verifications land on the businesses" "$dir/leads"
  "$cli" --db "$db" check >"$dir/out" 2>&1
  tap $? "$e: check: no violation" "$dir/out"

  # exports
  "$cli" --db "$db" export leads --campaign "$cid" --bom >"$dir/leads.csv" 2>"$dir/out"
  [ $? -eq 0 ] && [ "$(head -c 3 "$dir/leads.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] &&
    python3 -c '
import csv, sys, json
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
data = open(sys.argv[1], "rb").read()
assert data.count(b"\r\n") >= 10, "CR LF record ends"
head, body = rows[0], rows[1:]
assert head[:3] == ["name", "email", "email_source"], head
assert len(body) == 9, len(body)
names = {r[0] for r in body}
assert "The \"Quoted\" Bakery" in names and "Café Müller & Söhne" in names, names
addr = [r[head.index("address")] for r in body if r[0] == "Two-line Notes Co."][0]
assert addr == "Suite 4\nOne Monument Sq, Portland", addr
' "$dir/leads.csv" >>"$dir/out" 2>&1
  tap $? "$e: CSV export: a BOM, RFC 4180 quoting (quotes, commas, newlines) read back by Python's csv" "$dir/out"
  n_verified=$("$cli" --db "$db" export leads --campaign "$cid" --verified-only 2>/dev/null | tail -n +2 | wc -l)
  n_safe=$("$cli" --db "$db" export leads --campaign "$cid" --safe-only --format jsonl 2>/dev/null | wc -l)
  [ "$n_verified" -eq 3 ] && [ "$n_safe" -eq 2 ]
  tap $? "$e: --verified-only 3 rows ($n_verified), --safe-only 2 ($n_safe)"
  "$cli" --db "$db" export leads --campaign "$cid" --columns name,nope >"$dir/out" 2>&1
  [ $? -eq 64 ] && grep -q 'no column is named nope' "$dir/out"
  tap $? "$e: an unknown column is a usage error" "$dir/out"

  # malformed files: the line, the reason, nothing of their chunk applied
  leads "$db" "$cid" >"$dir/before"
  for bad in "bad-truncated.json:line 110: the JSON array is cut short inside an element" \
    "bad-quote.csv:line 3: a quoted field opened on this line is never closed" \
    "bad-utf16.csv:line 1: .* is UTF-16"; do
    f=${bad%%:*} want=${bad#*:}
    "$cli" --db "$db" import businesses "$fx/$f" --campaign "$cid" --format "$(case $f in *.json) echo apify-json ;; *) echo csv ;; esac)" >"$dir/out" 2>&1
    st=$?
    leads "$db" "$cid" >"$dir/after"
    [ $st -eq 65 ] && grep -q "$want" "$dir/out" && cmp -s "$dir/before" "$dir/after"
    tap $? "$e: $f: exit 65, '$want', its chunk not applied" "$dir/out"
  done
  "$cli" --db "$db" import businesses "$fx/bad-latin1.csv" --campaign "$cid" --strict >"$dir/out" 2>&1
  st=$?
  leads "$db" "$cid" >"$dir/after"
  [ $st -eq 65 ] && grep -q 'line 3 (record 2): skipped: column name is not UTF-8' "$dir/out" &&
    grep -q 'nothing applied' "$dir/out" && cmp -s "$dir/before" "$dir/after"
  tap $? "$e: Latin-1 bytes with --strict: the line named, nothing applied" "$dir/out"
  "$cli" --db "$db" import businesses "$fx/bad-latin1.csv" --campaign "$cid" >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q '3 records; 2 inserted, 0 updated, 1 skipped' "$dir/out"
  tap $? "$e: without --strict the two good rows go in, the Latin-1 one is skipped" "$dir/out"
  leads "$db" "$cid" >"$dir/leads.$e"
}

# resume ENGINE DB1 DB2: 1200 rows in chunks of 100, killed after chunk 5 then run again,
# against one uninterrupted run
resume() {
  e=$1
  awk 'BEGIN { print "place_id,name,zip_code,email,rating"; for (i = 1; i <= 1200; i++) printf "r-%d,Row %d,%s,%s,%.1f\r\n", i, i, (i % 3 ? "04101" : "04103"), (i % 4 ? "row" i "@rows.example" : ""), (i % 50) / 10 }' >"$dir/big.csv"
  c1=$(new_campaign "$2") c2=$(new_campaign "$3")
  "$cli" --db "$2" import businesses "$dir/big.csv" --campaign "$c1" --chunk 100 >"$dir/out" 2>&1
  tap $? "$e: 1200 rows in one run" "$dir/out"
  ! grep -q "$(printf '\r')" "$dir/out" && ! grep -q 'records, ' "$dir/out"
  tap $? "$e: no progress line when standard error is not a terminal" "$dir/out"
  c3=$(new_campaign "$2")
  script -qec "'$cli' --db '$2' import businesses '$dir/big.csv' --campaign $c3 --chunk 100" /dev/null </dev/null >"$dir/tty" 2>&1
  grep -q 'businesses: 1200 records.*, 100%' "$dir/tty" && grep -q '1200 inserted' "$dir/tty"
  tap $? "$e: on a terminal a progress line (records, percent) before the summary" "$dir/tty"
  LEADSTORE_TEST_IMPORT_EXIT_AFTER=5 "$cli" --db "$3" import businesses "$dir/big.csv" --campaign "$c2" --chunk 100 >"$dir/out" 2>&1
  st=$?
  n=$("$cli" --db "$3" export leads --campaign "$c2" --format jsonl 2>/dev/null | wc -l)
  [ $st -eq 99 ] && [ "$n" -gt 0 ] && [ "$n" -lt 1200 ]
  tap $? "$e: the other run dies right after its fifth chunk committed ($n rows in)" "$dir/out"
  "$cli" --db "$3" import businesses "$dir/big.csv" --campaign "$c2" --chunk 100 >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q "inserted, 0 updated, 0 skipped; .* chunks, 5 replayed" "$dir/out"
  tap $? "$e: run again: the five chunks replayed, the rest applied" "$dir/out"
  leads "$2" "$c1" >"$dir/one"
  leads "$3" "$c2" >"$dir/two"
  [ "$(wc -l <"$dir/one")" -eq 1200 ] && cmp -s "$dir/one" "$dir/two"
  tap $? "$e: both databases hold the same 1200 businesses" "$dir/two"
  "$cli" --db "$3" check >"$dir/out" 2>&1
  tap $? "$e: check after the resumed import" "$dir/out"
}

"$cli" --db "$dir/a.db" init >/dev/null && "$cli" --db "$dir/b.db" init >/dev/null && "$cli" --db "$dir/c.db" init >/dev/null
imports sqlite "$dir/a.db"
resume sqlite "$dir/b.db" "$dir/c.db"

pg_fresh "$cli" "$server" lstest_import_a && pga=$PG_DB && pg_fresh "$cli" "$server" lstest_import_b && pgb=$PG_DB &&
  pg_fresh "$cli" "$server" lstest_import_c && pgc=$PG_DB
tap $? "postgresql: three fresh databases"
imports postgresql "$pga"
resume postgresql "$pgb" "$pgc"

cmp -s "$dir/leads.sqlite" "$dir/leads.postgresql"
tap $? "SQLite and PostgreSQL end with the same leads" "$dir/leads.postgresql"
"$cli" --db "$dir/a.db" import businesses "$fx/apify.json" >"$dir/out" 2>&1
[ $? -eq 64 ] && grep -q 'needs --campaign' "$dir/out"
tap $? "import businesses without --campaign is a usage error" "$dir/out"
"$cli" --db "$dir/a.db" import businesses "$fx/apify.json" --campaign 00000000-0000-0000-0000-000000000000 >"$dir/out" 2>&1
[ $? -ne 0 ] && grep -q 'not found\|Campaign' "$dir/out"
tap $? "an unknown campaign is refused before anything is read" "$dir/out"
"$cli" --db "$dir/a.db" export leads --campaign 00000000-0000-0000-0000-000000000000 >"$dir/csv" 2>"$dir/out"
[ $? -ne 0 ] && [ ! -s "$dir/csv" ] && grep -q 'not found' "$dir/out"
tap $? "exporting an unknown campaign fails and writes nothing" "$dir/out"
# full_campaign DB: a campaign with a row of every kind; prints its id
full_campaign() {
  db=$1
  c=$("$cli" --db "$db" call create_campaign_with_coverage_tx \
    '{"p_campaign_data":{"name":" Portland  ","description":"every kind of row","keywords":["dentist","café"],"location":"Portland, ME","estimated_cost":12.345678,"coverage_percentage":87.5,"created_by":"t_import"},"p_coverage_data":[{"zip_code":"04101","estimated_cost":0.1},{"zip_code":"04103","keywords":["plumber"],"max_results":50}]}' --get campaign_id) || return 1
  "$cli" --db "$db" call update_campaign_status_tx "{\"p_campaign_id\":\"$c\",\"p_new_status\":\"running\",\"p_metadata\":{\"why\":\"start\"}}" >/dev/null || return 1
  "$cli" --db "$db" call update_coverage_status_tx "{\"p_campaign_id\":\"$c\",\"p_zip_code\":\"04101\",\"p_results\":{\"businesses_found\":3,\"emails_found\":2,\"actual_cost\":0.2}}" >/dev/null || return 1
  b=$("$cli" --db "$db" call batch_upsert_businesses_tx "{\"p_campaign_id\":\"$c\",\"p_zip_code\":\"04101\",\"p_businesses\":[{\"place_id\":\"p1\",\"name\":\"Harbor Dental\",\"email\":\"frontdesk@harbor.example\",\"latitude\":43.6541,\"longitude\":-70.2553,\"rating\":4.7,\"reviews_count\":12,\"categories\":[\"Dentist\"],\"hours\":{\"Mon\":\"9-5\"},\"facebook_url\":\"https://facebook.com/harbor\",\"totalScore\":4.7},{\"place_id\":\"p2\",\"name\":\"Café Müller\",\"price_level\":\"€€\",\"facebook_url\":\"https://facebook.com/cafe\"},{\"place_id\":\"p3\",\"name\":\"Back Cove Plumbing\",\"phone\":\"+1 207 555 0100\"}]}" --get results) || return 1
  b1=$(printf '%s' "$b" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["business_id"])')
  b2=$(printf '%s' "$b" | python3 -c 'import json,sys; print(json.load(sys.stdin)[1]["business_id"])')
  b3=$(printf '%s' "$b" | python3 -c 'import json,sys; print(json.load(sys.stdin)[2]["business_id"])')
  fe=$("$cli" --db "$db" call save_facebook_enrichment_tx "{\"p_business_id\":\"$b2\",\"p_enrichment_data\":{\"facebook_url\":\"https://facebook.com/cafe\",\"page_name\":\"Café\",\"emails\":[\"hallo@cafe.example\"],\"success\":true,\"likes\":12}}" --get enrichment_id) || return 1
  le=$("$cli" --db "$db" call save_linkedin_enrichment_tx "{\"p_business_id\":\"$b3\",\"p_enrichment_data\":{\"linkedin_url\":\"https://linkedin.com/company/bc\",\"profile_type\":\"company\",\"emails_found\":[\"ops@backcove.example\"],\"email_quality_tier\":2,\"bouncer_status\":\"deliverable\",\"bouncer_score\":91.25,\"bouncer_verified\":true,\"bouncer_is_safe\":true,\"connections\":500}}" --get enrichment_id) || return 1
  "$cli" --db "$db" call update_email_verification_tx "{\"p_source\":\"google_maps\",\"p_target_id\":\"$b1\",\"p_verification_data\":{\"email\":\"frontdesk@harbor.example\",\"status\":\"deliverable\",\"score\":88.5,\"is_free_email\":\"no\",\"raw_response\":{\"x\":[1,2]}}}" >/dev/null || return 1
  "$cli" --db "$db" call update_email_verification_tx "{\"p_source\":\"facebook\",\"p_target_id\":\"$fe\",\"p_verification_data\":{\"email\":\"hallo@cafe.example\",\"status\":\"risky\",\"score\":40}}" >/dev/null || return 1
  "$cli" --db "$db" call update_email_verification_tx "{\"p_source\":\"linkedin\",\"p_target_id\":\"$le\",\"p_verification_data\":{\"email\":\"ops@backcove.example\",\"status\":\"deliverable\",\"score\":99}}" >/dev/null || return 1
  for s in google_maps:0.1 google_maps:0.2 facebook:0.000001 linkedin:1.5 bouncer:99999.999999; do
    "$cli" --db "$db" call track_api_cost_tx "{\"p_campaign_id\":\"$c\",\"p_service\":\"${s%%:*}\",\"p_cost_data\":{\"cost_usd\":${s#*:},\"items_processed\":3,\"metadata\":{\"run\":1}}}" >/dev/null || return 1
  done
  "$cli" --db "$db" call update_campaign_status_tx "{\"p_campaign_id\":\"$c\",\"p_new_status\":\"paused\"}" >/dev/null || return 1
  "$cli" --db "$db" call update_campaign_status_tx "{\"p_campaign_id\":\"$c\",\"p_new_status\":\"running\"}" >/dev/null || return 1
  "$cli" --db "$db" call update_campaign_status_tx "{\"p_campaign_id\":\"$c\",\"p_new_status\":\"completed\"}" >/dev/null || return 1
  printf '%s\n' "$c"
}

# campaigns DB: how many campaigns DB holds
campaigns() { "$cli" --db "$1" call list_campaigns '{}' --get total; }

# moves FROM TO NAME: a full campaign built on FROM, exported, imported into TO (empty), exported again
moves() {
  from=$1 to=$2 name=$3
  c=$(full_campaign "$from")
  [ -n "$c" ]
  tap $? "$name: a campaign with a row of every kind"
  "$cli" --db "$from" export campaign "$c" >"$dir/$name.1" 2>"$dir/out"
  st=$?
  kinds=$(sed 's/^{"record":"\([a-z_]*\)".*/\1/' "$dir/$name.1" | sort | uniq -c | tr -s ' ' | tr '\n' ',')
  [ $st -eq 0 ] && [ "$kinds" = " 3 business, 1 campaign, 5 cost, 2 coverage, 1 end, 1 facebook_enrichment, 1 header, 1 linkedin_enrichment, 5 status_history, 3 verification," ] &&
    grep -q '^{"record":"end","row":{"records":22}}$' "$dir/$name.1" &&
    grep -q '^{"record":"campaign","row":{"actual_cost":100001.8,.*"bouncer_verification_cost":99999.999999,.*"facebook_cost":1e-6,.*"google_maps_cost":0.3,.*"name":" Portland  ",.*"status":"completed"' "$dir/$name.1"
  tap $? "$name: the export: every kind of row, money to the micro-dollar, the name as given, an end record counting 22 ($kinds)" "$dir/$name.1"
  "$cli" --db "$to" import campaign "$dir/$name.1" >"$dir/out" 2>&1
  [ $? -eq 0 ] && grep -q "restored campaign $c: 2 coverage rows, 3 businesses, 1 Facebook and 1 LinkedIn enrichments, 3 verifications, 5 costs, 5 status changes" "$dir/out"
  tap $? "$name: imported in one call" "$dir/out"
  "$cli" --db "$to" export campaign "$c" >"$dir/$name.2" 2>"$dir/out"
  [ $? -eq 0 ] && cmp "$dir/$name.1" "$dir/$name.2" >"$dir/out" 2>&1
  tap $? "$name: exported again: equal byte for byte (ids, timestamps, counters, money)" "$dir/out"
  "$cli" --db "$to" check >"$dir/out" 2>&1
  tap $? "$name: check on the target" "$dir/out"
  "$cli" --db "$to" import campaign "$dir/$name.1" >"$dir/out" 2>&1
  st=$?
  "$cli" --db "$to" export campaign "$c" >"$dir/$name.3" 2>/dev/null
  [ $st -eq 5 ] && grep -q "Campaign $c already exists; nothing imported" "$dir/out" && cmp -s "$dir/$name.1" "$dir/$name.3" &&
    [ "$(campaigns "$to")" -eq 1 ]
  tap $? "$name: imported twice: refused (23505), nothing changed" "$dir/out"
}

"$cli" --db "$dir/m1.db" init >/dev/null && "$cli" --db "$dir/m2.db" init >/dev/null && "$cli" --db "$dir/m3.db" init >/dev/null &&
  pg_fresh "$cli" "$server" lstest_import_m1 && pgm1=$PG_DB && pg_fresh "$cli" "$server" lstest_import_m2 && pgm2=$PG_DB
tap $? "campaign moves: fresh databases"
moves "$dir/m1.db" "$pgm1" sqlite-to-postgresql
moves "$pgm2" "$dir/m2.db" postgresql-to-sqlite
cmp -s "$dir/sqlite-to-postgresql.2" "$dir/postgresql-to-sqlite.2"
[ $? -ne 0 ]
tap $? "the two campaigns differ (their own ids and times): the equal exports are not a constant"

e=$dir/sqlite-to-postgresql.1
head -n 10 "$e" >"$dir/cut.jsonl"
"$cli" --db "$dir/m3.db" import campaign "$dir/cut.jsonl" >"$dir/out" 2>&1
[ $? -eq 65 ] && grep -q '^leadstore: line 10: the file ends without its end record: cut short?; nothing imported$' "$dir/out" &&
  [ "$(campaigns "$dir/m3.db")" -eq 0 ]
tap $? "an export cut short is refused with its last line, nothing written" "$dir/out"
sed '5s/.$//' "$e" >"$dir/broken.jsonl"
"$cli" --db "$pgm2" import campaign - <"$dir/broken.jsonl" >"$dir/out" 2>&1
[ $? -eq 65 ] && grep -q '^leadstore: line 5: .*; nothing imported$' "$dir/out" && [ "$(campaigns "$pgm2")" -eq 1 ]
tap $? "a broken line is refused with its number (standard input, PostgreSQL), nothing written" "$dir/out"
sed '1d' "$e" >"$dir/headless.jsonl"
"$cli" --db "$dir/m3.db" import campaign "$dir/headless.jsonl" >"$dir/out" 2>&1
[ $? -eq 65 ] && grep -q '^leadstore: line 1: no header' "$dir/out"
tap $? "a file without the header is not an export" "$dir/out"
sed '2s/"total_businesses_found":3,/"total_businesses_found":4,/' "$e" >"$dir/drift.jsonl"
for db in "$dir/m3.db" "$pgm2"; do
  "$cli" --db "$db" import campaign "$dir/drift.jsonl" >"$dir/out" 2>&1
  [ $? -eq 2 ] && grep -q 'the restored campaign breaks invariant 2: .*; nothing imported$' "$dir/out" &&
    [ "$(campaigns "$db")" -eq "$([ "$db" = "$pgm2" ] && echo 1 || echo 0)" ]
  tap $? "a counter that is not its recount is refused by the operation, nothing written ($db)" "$dir/out"
done
"$cli" --db "$dir/m3.db" export campaign 00000000-0000-0000-0000-000000000000 >"$dir/none" 2>"$dir/out"
[ $? -eq 3 ] && [ ! -s "$dir/none" ] && grep -q 'not found' "$dir/out"
tap $? "exporting an unknown campaign fails and writes nothing" "$dir/out"
tap_end
