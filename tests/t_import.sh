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
tap_end
