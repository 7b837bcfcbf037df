#!/bin/sh
# demo.sh — the main job, end to end, on the embedded default: a campaign of
# Austin coffee shops walks through every operation, as a scraper, the
# enrichers, the verifier and the cost tracker would drive it, and ends
# with the campaign summary and a clean invariant check.  Every line it
# prints says what it is: "label: value".
#   sh examples/demo.sh [path/to/leadstore]     (make run)
# LEADSTORE_DB picks the database (default demo.db; a PostgreSQL URL works too:
# `leadstore init` installs the tables and functions, the database must exist).
set -eu
LS=${1:-build/leadstore}
export LEADSTORE_DB="${LEADSTORE_DB:-demo.db}"
case $LEADSTORE_DB in  # a fresh file each time (a PostgreSQL database is left as it is)
*=*|postgres://*|postgresql://*) ;;
*) rm -f "$LEADSTORE_DB" "$LEADSTORE_DB-wal" "$LEADSTORE_DB-shm" ;;
esac
"$LS" init >/dev/null   # creates the SQLite file (the one command that creates without --create)

say() { printf '\n== %s\n' "$*"; }
call() { "$LS" call "$@"; }
# show LABEL OP JSON PATH: runs OP and prints "LABEL: <the result's PATH>"
show() { label=$1; shift; printf '%s: %s\n' "$label" "$(call "$1" "$2" --get "$3")"; }

say "Create the campaign over five Austin ZIP codes"
CID=$(call create_campaign_with_coverage_tx --get campaign_id <<JSON
{"p_campaign_data": {"name": "Austin coffee shops", "keywords": ["coffee shop", "cafe"],
                     "location": "Austin, TX", "coverage_profile": "balanced", "estimated_cost": 4.25,
                     "created_by": "demo"},
 "p_coverage_data": [{"zip": "78701", "estimated_cost": 0.85}, {"zip": "78702", "estimated_cost": 0.85},
                     {"zip": "78703", "estimated_cost": 0.85}, {"zip": "78704", "estimated_cost": 0.85},
                     {"zip": "78705", "estimated_cost": 0.85}],
 "p_request_id": "demo-create"}
JSON
)
echo "campaign created: $CID"
show "may a draft go straight to completed" is_valid_status_transition '{"p_current": "draft", "p_new": "completed"}' valid
show "campaign status" update_campaign_status_tx \
  "{\"p_campaign_id\": \"$CID\", \"p_new_status\": \"running\", \"p_metadata\": {\"by\": \"demo\"}}" new_status

say "Scrape each ZIP: save its businesses in one batch, mark the ZIP, log the cost"
n=0
for zip in 78701 78702 78703 78704 78705; do
  n=$((n + 1))
  saved=$(call batch_upsert_businesses_tx --get total <<JSON
{"p_campaign_id": "$CID", "p_zip_code": "$zip", "p_businesses": [
  {"place_id": "ChIJ-$zip-a", "name": "Bean There $n", "address": "$n Congress Ave", "city": "Austin", "state": "TX",
   "postal_code": "$zip", "country": "USA", "latitude": 30.26$n, "longitude": -97.74$n, "phone": "+1 512-555-01$n$n",
   "website": "https://beanthere$n.example", "email": "hello@beanthere$n.example", "category": "Coffee shop",
   "categories": ["Coffee shop", "Cafe"], "rating": 4.$n, "reviews_count": 1$n$n,
   "facebook_url": "https://www.facebook.com/beanthere$n", "totalScore": 4.$n},
  {"place_id": "ChIJ-$zip-b", "name": "Daily Grind $n", "city": "Austin", "state": "TX", "postal_code": "$zip",
   "facebook_url": "https://www.facebook.com/dailygrind$n", "rating": 4.1},
  {"place_id": "ChIJ-$zip-c", "name": "Brew & Co $n", "city": "Austin", "state": "TX", "postal_code": "$zip",
   "email": "not an email", "website": "https://brewco$n.example"}
]}
JSON
)
  at=$(call update_coverage_status_tx "{\"p_campaign_id\": \"$CID\", \"p_zip_code\": \"$zip\",
     \"p_results\": {\"businesses_found\": 3, \"emails_found\": 1, \"actual_cost\": 0.021}}" --get scraped_at)
  cost=$(call track_api_cost_tx "{\"p_campaign_id\": \"$CID\", \"p_service\": \"google_maps\",
     \"p_cost_data\": {\"cost_usd\": 0.021, \"items_processed\": 3, \"metadata\": {\"zip\": \"$zip\"}},
     \"p_request_id\": \"gm-$zip\"}" --get actual_cost)
  echo "ZIP $zip: $saved businesses saved, marked scraped at $at; campaign cost so far (USD): $cost"
done

say "A re-scrape of 78701 finds nothing new and keeps what we have"
show "ZIP 78701 scraped again; Bean There 1 created as a new row" batch_upsert_businesses_tx "{\"p_campaign_id\": \"$CID\",
  \"p_zip_code\": \"78701\", \"p_businesses\": [{\"place_id\": \"ChIJ-78701-a\", \"name\": \"Bean There 1\", \"rating\": 4.6}]}" \
  results.0.created


say "Facebook: every business with a page"
pages=$(call get_businesses_for_enrichment "{\"p_campaign_id\": \"$CID\", \"p_enrichment_type\": \"facebook\"}" --get total)
i=0
while [ "$i" -lt "$pages" ]; do
  BID=$(call get_businesses_for_enrichment "{\"p_campaign_id\": \"$CID\", \"p_enrichment_type\": \"facebook\", \"p_limit\": 1}" --get businesses.0.id)
  URL=$(call get_businesses_for_enrichment "{\"p_campaign_id\": \"$CID\", \"p_enrichment_type\": \"facebook\", \"p_limit\": 1}" --get businesses.0.facebook_url)
  if [ $((i % 2)) -eq 0 ]; then
    data="{\"facebook_url\": \"$URL\", \"page_name\": \"Page $i\", \"emails\": [\"owner$i@fbmail.example\"],
           \"email_sources\": [\"about\"], \"phone_numbers\": [\"+1 512 555 0$i\"], \"success\": true}"
  else
    data="{\"facebook_url\": \"$URL\", \"success\": false, \"error_message\": \"page not available\"}"
  fi
  show "Facebook page of $BID saved; its email source" save_facebook_enrichment_tx "{\"p_business_id\": \"$BID\",
     \"p_campaign_id\": \"$CID\", \"p_enrichment_data\": $data, \"p_request_id\": \"fb-$BID\"}" email_source
  i=$((i + 1))
done
show "Facebook cost logged; campaign cost (USD)" track_api_cost_tx "{\"p_campaign_id\": \"$CID\",
   \"p_service\": \"facebook\", \"p_cost_data\": {\"cost_usd\": 0.03, \"items_processed\": $pages}}" actual_cost

say "LinkedIn: the first four businesses not yet looked up"
for i in 0 1 2 3; do
  BID=$(call get_businesses_for_enrichment "{\"p_campaign_id\": \"$CID\", \"p_enrichment_type\": \"linkedin\", \"p_limit\": 1}" --get businesses.0.id)
  if [ "$i" -lt 3 ]; then
    data="{\"linkedin_url\": \"https://www.linkedin.com/in/founder-$i\", \"profile_type\": \"personal\",
           \"person_name\": \"Founder $i\", \"person_title\": \"Owner\", \"primary_email\": \"founder$i@linkedmail.example\",
           \"email_source\": \"linkedin_direct\", \"email_quality_tier\": 2, \"bouncer_verified\": true,
           \"bouncer_status\": \"deliverable\", \"bouncer_score\": 9$i, \"bouncer_is_safe\": true}"
  else
    data="{\"profile_type\": \"unknown\", \"error\": \"no profile found\"}"
  fi
  show "LinkedIn profile of $BID saved; its email source" save_linkedin_enrichment_tx \
    "{\"p_business_id\": \"$BID\", \"p_enrichment_data\": $data}" email_source
done
show "LinkedIn cost logged; campaign cost (USD)" track_api_cost_tx "{\"p_campaign_id\": \"$CID\",
   \"p_service\": \"linkedin\", \"p_cost_data\": {\"cost_usd\": 0.04, \"items_processed\": 4}}" actual_cost

say "Bouncer: verify every email not yet verified"
todo=$(call get_businesses_for_enrichment "{\"p_campaign_id\": \"$CID\", \"p_enrichment_type\": \"verification\"}" --get total)
i=0
while [ "$i" -lt "$todo" ]; do
  BID=$(call get_businesses_for_enrichment "{\"p_campaign_id\": \"$CID\", \"p_enrichment_type\": \"verification\", \"p_limit\": 1}" --get businesses.0.id)
  EMAIL=$(call get_businesses_for_enrichment "{\"p_campaign_id\": \"$CID\", \"p_enrichment_type\": \"verification\", \"p_limit\": 1}" --get businesses.0.email)
  if [ $((i % 3)) -eq 2 ]; then status=risky score=55; else status=deliverable score=9$i; fi
  show "$EMAIL is $status ($score); the business took it" update_email_verification_tx "{\"p_source\": \"google_maps\",
     \"p_target_id\": \"$BID\", \"p_verification_data\": {\"email\": \"$EMAIL\", \"status\": \"$status\", \"score\": $score,
       \"reason\": \"accepted_email\", \"is_disposable\": \"no\", \"is_role_based\": \"no\", \"is_free_email\": \"no\",
       \"domain\": \"${EMAIL#*@}\", \"raw_response\": {\"email\": \"$EMAIL\", \"status\": \"$status\"}}}" business_updated
  i=$((i + 1))
done
show "Bouncer cost logged; campaign cost (USD)" track_api_cost_tx "{\"p_campaign_id\": \"$CID\",
   \"p_service\": \"bouncer\", \"p_cost_data\": {\"cost_usd\": 0.005, \"items_processed\": $todo}}" actual_cost

say "Statistics, then complete the campaign"
show "counters recounted from the rows" update_campaign_statistics_tx "{\"p_campaign_id\": \"$CID\"}" statistics
show "counters had drifted" update_campaign_statistics_tx "{\"p_campaign_id\": \"$CID\"}" drift_corrected
show "campaign status" update_campaign_status_tx "{\"p_campaign_id\": \"$CID\", \"p_new_status\": \"completed\",
   \"p_metadata\": {\"reason\": \"all ZIPs scraped\"}}" new_status
show "completed campaigns in the database" list_campaigns '{"p_status": "completed"}' total

say "Summary"
"$LS" summary "$CID"
say "Invariants"
"$LS" check
case $LEADSTORE_DB in  # a URL or keyword string may hold a password: never printed
*=*|postgres://*|postgresql://*) where='"$LEADSTORE_DB"' shown='the database of $LEADSTORE_DB' ;;
*) where="'$LEADSTORE_DB'" shown=$LEADSTORE_DB ;;
esac
printf "\nThe database is %s; try:\n  %s --db %s summary %s\n  %s --db %s call list_campaigns --pretty\n" \
  "$shown" "$LS" "$where" "$CID" "$LS" "$where"
