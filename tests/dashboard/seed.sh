#!/bin/sh
# seed.sh — the dashboard test's data, written through `leadstore call`:
# organization A's campaign "Austin coffee shops" (8 ZIPs, 5 scraped; 32
# businesses, hostile scraped names among them; Facebook and LinkedIn
# enrichments, verifications, costs of every service; running) and
# organization B's campaign.  Prints "CID_A=<id>" and "CID_B=<id>".
#   sh tests/dashboard/seed.sh CLI DB ORG_A ORG_B
set -eu
LS=$1 DB=$2 ORG_A=$3 ORG_B=$4
call() { "$LS" --db "$DB" call "$@"; }

CID=$(call create_campaign_with_coverage_tx --get campaign_id <<JSON
{"p_campaign_data": {"name": "Austin coffee shops", "keywords": ["coffee shop", "cafe"], "location": "Austin, TX",
   "estimated_cost": 4.5, "organization_id": "$ORG_A", "created_by": "seed"},
 "p_coverage_data": [{"zip": "78701"}, {"zip": "78702"}, {"zip": "78703"}, {"zip": "78704"},
   {"zip": "78705"}, {"zip": "78721"}, {"zip": "78722"}, {"zip": "78723"}]}
JSON
)
call update_campaign_status_tx "{\"p_campaign_id\": \"$CID\", \"p_new_status\": \"running\",
  \"p_metadata\": {\"by\": \"seed\", \"reason\": \"first run\"}}" >/dev/null

# 78701 holds 26 plain businesses (more than one page of 25); 78702 the hostile ones
list=""
i=1
while [ $i -le 26 ]; do
  email=""
  [ $((i % 2)) -eq 0 ] && email="\"email\": \"owner$i@cafe$i.example\","
  list="$list{\"place_id\": \"a-$i\", \"name\": \"Cafe number $i\", $email \"phone\": \"+1 512-555-01$i\",
    \"website\": \"https://cafe$i.example\", \"facebook_url\": \"https://www.facebook.com/cafe$i\"},"
  i=$((i + 1))
done
call batch_upsert_businesses_tx "{\"p_campaign_id\": \"$CID\", \"p_zip_code\": \"78701\", \"p_businesses\": [${list%,}]}" >/dev/null
call batch_upsert_businesses_tx >/dev/null <<JSON
{"p_campaign_id": "$CID", "p_zip_code": "78702", "p_businesses": [
  {"place_id": "h-1", "name": "<img src=x onerror=alert(1)>Evil <b>Beans</b>", "email": "evil@beans.example",
   "website": "javascript:alert(2)"},
  {"place_id": "h-2", "name": "=HYPERLINK(\"http://x.example\",\"click\")", "email": "formula@cells.example"},
  {"place_id": "h-3", "name": "Quote \"and\", comma\nnewline", "website": "https://quote.example"}]}
JSON
call batch_upsert_businesses_tx "{\"p_campaign_id\": \"$CID\", \"p_zip_code\": \"78703\",
  \"p_businesses\": [{\"place_id\": \"c-1\", \"name\": \"Third ZIP Roasters\"}, {\"place_id\": \"c-2\", \"name\": \"Fourth Cup\"},
  {\"place_id\": \"c-3\", \"name\": \"Fifth Brew\", \"email\": \"hi@fifth.example\"}]}" >/dev/null
for z in "78701 26 13 0.021" "78702 3 3 0.01" "78703 3 1 0.012" "78704 0 0 0.004" "78705 0 0 0.004"; do
  set -- $z
  call update_coverage_status_tx "{\"p_campaign_id\": \"$CID\", \"p_zip_code\": \"$1\",
    \"p_results\": {\"businesses_found\": $2, \"emails_found\": $3, \"actual_cost\": $4}}" >/dev/null
  call track_api_cost_tx "{\"p_campaign_id\": \"$CID\", \"p_service\": \"google_maps\",
    \"p_cost_data\": {\"cost_usd\": $4, \"items_processed\": $2, \"metadata\": {\"zip\": \"$1\"}}}" >/dev/null
done

# Facebook: three pages read (two found an email), LinkedIn: two profiles
n=0
for fb in 1 3 5; do
  BID=$(call get_businesses_for_enrichment "{\"p_campaign_id\": \"$CID\", \"p_enrichment_type\": \"facebook\", \"p_limit\": 1}" --get businesses.0.id)
  if [ $fb -lt 5 ]; then
    data="{\"facebook_url\": \"https://www.facebook.com/page$fb\", \"page_name\": \"Page $fb\", \"emails\": [\"fb$fb@pages.example\"], \"success\": true}"
  else
    data="{\"facebook_url\": \"https://www.facebook.com/page$fb\", \"success\": false, \"error_message\": \"page not available\"}"
  fi
  call save_facebook_enrichment_tx "{\"p_business_id\": \"$BID\", \"p_campaign_id\": \"$CID\", \"p_enrichment_data\": $data}" >/dev/null
  n=$((n + 1))
done
for li in 1 2; do
  BID=$(call get_businesses_for_enrichment "{\"p_campaign_id\": \"$CID\", \"p_enrichment_type\": \"linkedin\", \"p_limit\": 1, \"p_offset\": 10}" --get businesses.0.id)
  call save_linkedin_enrichment_tx "{\"p_business_id\": \"$BID\", \"p_enrichment_data\": {
    \"linkedin_url\": \"https://www.linkedin.com/in/founder-$li\", \"profile_type\": \"personal\", \"person_name\": \"Founder $li\",
    \"person_title\": \"Owner\", \"primary_email\": \"founder$li@linked.example\", \"email_source\": \"linkedin_direct\",
    \"bouncer_verified\": true, \"bouncer_status\": \"deliverable\", \"bouncer_score\": 95, \"bouncer_is_safe\": true}}" >/dev/null
done
# Bouncer: the first six emails waiting (two deliverable and safe, one deliverable but unsafe, risky ones)
i=0
while [ $i -lt 6 ]; do
  BID=$(call get_businesses_for_enrichment "{\"p_campaign_id\": \"$CID\", \"p_enrichment_type\": \"verification\", \"p_limit\": 1}" --get businesses.0.id)
  EMAIL=$(call get_business "{\"p_business_id\": \"$BID\"}" --get business.email)
  case $i in 0|1) st=deliverable sc=92 ;; 2) st=deliverable sc=60 ;; *) st=risky sc=40 ;; esac
  call update_email_verification_tx "{\"p_source\": \"google_maps\", \"p_target_id\": \"$BID\",
    \"p_verification_data\": {\"email\": \"$EMAIL\", \"status\": \"$st\", \"score\": $sc}}" >/dev/null
  i=$((i + 1))
done
call track_api_cost_tx "{\"p_campaign_id\": \"$CID\", \"p_service\": \"facebook\", \"p_cost_data\": {\"cost_usd\": 0.03, \"items_processed\": 3}}" >/dev/null
call track_api_cost_tx "{\"p_campaign_id\": \"$CID\", \"p_service\": \"linkedin\", \"p_cost_data\": {\"cost_usd\": 0.08, \"items_processed\": 2}}" >/dev/null
call track_api_cost_tx "{\"p_campaign_id\": \"$CID\", \"p_service\": \"bouncer\", \"p_cost_data\": {\"cost_usd\": 0.006, \"items_processed\": 6}}" >/dev/null

CID_B=$(call create_campaign_with_coverage_tx --get campaign_id "{\"p_campaign_data\": {\"name\": \"Organization B private campaign\",
  \"organization_id\": \"$ORG_B\"}, \"p_coverage_data\": [{\"zip\": \"10001\"}]}")
echo "CID_A=$CID"
echo "CID_B=$CID_B"
