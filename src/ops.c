/*
 * ops.c — the operations table: for every operation of ops.def, its
 * parameters (type, required, limits, enum values, nested fields).
 *
 * This table is the one description of the API.  The dispatcher validates
 * every call against it before an engine runs; `leadstore help`, the HTTP
 * router, docs/operations.md and the test that every operation has
 * conformance cases are all generated from it.  Nested data objects list
 * the keys the operation reads; other keys are ignored (and kept in
 * raw_data where the table has one), while unknown top-level parameters
 * are refused.
 */
#include <string.h>

#include "internal.h"

/*--- Value lists ------------------------------------------------------------*/

const char *const ls__campaign_statuses[] = {"draft", "running", "paused", "completed", "failed", NULL};
const char *const ls__coverage_profiles[] = {"aggressive", "balanced", "budget", "custom", NULL};
const char *const ls__cost_services[] = {"google_maps", "facebook", "linkedin", "bouncer", NULL};
/* from the highest priority to the lowest: the order is the rank (rules.c) */
const char *const ls__email_sources[] = {"linkedin", "facebook", "google_maps", "not_found", NULL};
const char *const ls__enrichment_statuses[] = {"pending", "enriched", "no_facebook", "failed", NULL};
const char *const ls__verification_sources[] = {"google_maps", "facebook", "linkedin", NULL};
const char *const ls__verification_statuses[] = {"deliverable", "undeliverable", "risky", "unknown",
                                                 "accept_all", "error", NULL};
const char *const ls__enrichment_types[] = {"facebook", "linkedin", "verification", NULL};
const char *const ls__profile_types[] = {"company", "personal", "unknown", NULL};

const ls__value_set ls__value_sets[] = {
    {"campaign_status", ls__campaign_statuses},
    {"coverage_profile", ls__coverage_profiles},
    {"cost_service", ls__cost_services},
    {"email_source", ls__email_sources},
    {"enrichment_status", ls__enrichment_statuses},
    {"verification_source", ls__verification_sources},
    {"verification_status", ls__verification_statuses},
    {"enrichment_type", ls__enrichment_types},
    {"profile_type", ls__profile_types},
    {NULL, NULL},
};

const char *const ls__tables[] = {
    "gmaps_campaigns",           "gmaps_campaign_coverage",    "gmaps_businesses",
    "gmaps_facebook_enrichments", "gmaps_linkedin_enrichments", "gmaps_api_costs",
    "gmaps_email_verifications", "gmaps_campaign_status_history", "gmaps_rpc_requests",
    NULL};

/*--- Shared fields ------------------------------------------------------------*/

#define END {0}
#define REQ LS_F_REQUIRED
#define TEXT(n, lo, hi, doc) {n, LS_T_TEXT, 0, lo, hi, NULL, NULL, NULL, doc}
#define LIST(n, doc) {n, LS_T_TEXT_LIST, 0, 0, 1000, NULL, NULL, NULL, doc}
#define FLAG(n, doc) {n, LS_T_FLAG, 0, 0, 0, NULL, NULL, NULL, doc}
#define REQUEST_ID                                                                          \
  {"p_request_id", LS_T_TEXT, 0, 1, 128, NULL, NULL, NULL,                                   \
   "idempotency key: a repeat returns the stored result and changes nothing"}
#define CAMPAIGN_ID(doc) {"p_campaign_id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, doc}

/*--- create_campaign_with_coverage_tx ------------------------------------------------*/

static const ls__field campaign_data_fields[] = {
    {"name", LS_T_TEXT, REQ | LS_F_NONBLANK, 1, 255, NULL, NULL, NULL, "campaign name"},
    TEXT("description", 0, 0, "free text"),
    LIST("keywords", "search keywords"),
    TEXT("location", 0, 255, "e.g. \"Los Angeles, CA\""),
    {"coverage_profile", LS_T_ENUM, 0, 0, 0, ls__coverage_profiles, NULL, NULL,
     "default balanced"},
    LIST("custom_zip_codes", "ZIPs of a custom profile"),
    {"target_zip_count", LS_T_INT, 0, 0, 1000000, NULL, NULL, NULL,
     "default: the number of coverage elements"},
    {"coverage_percentage", LS_T_NUMBER, 0, 0, 100, NULL, NULL, NULL, NULL},
    {"estimated_cost", LS_T_MONEY, 0, 0, 0, NULL, NULL, NULL, "USD"},
    {"organization_id", LS_T_UUID, 0, 0, 0, NULL, NULL, NULL,
     "owner; an authenticated caller's own organization when omitted"},
    TEXT("created_by", 1, 255, "default \"system\""),
    END};

static const ls__field coverage_item_fields[] = {
    {"zip_code", LS_T_ZIP, REQ, 1, 10, NULL, NULL, "zip", "the ZIP"},
    LIST("keywords", "default: the campaign's keywords"),
    {"max_results", LS_T_INT, 0, 1, 1000, NULL, NULL, NULL, "default 200"},
    {"estimated_cost", LS_T_MONEY, 0, 0, 0, NULL, NULL, NULL, "USD, default 0"},
    END};

static const ls__field create_campaign_with_coverage_tx_params[] = {
    {"p_campaign_data", LS_T_OBJECT, REQ, 0, 0, NULL, campaign_data_fields, NULL,
     "the campaign"},
    {"p_coverage_data", LS_T_OBJECT_LIST, 0, 0, 5000, NULL, coverage_item_fields, NULL,
     "one element per ZIP; empty or missing = no coverage"},
    REQUEST_ID, END};

/*--- Campaign status ---------------------------------------------------------*/

static const ls__field update_campaign_status_tx_params[] = {
    CAMPAIGN_ID("the campaign"),
    {"p_new_status", LS_T_ENUM, REQ, 0, 0, ls__campaign_statuses, NULL, NULL, "target status"},
    {"p_metadata", LS_T_JSON_OBJECT, 0, 0, 0, NULL, NULL, NULL,
     "stored on the history row (why, who)"},
    REQUEST_ID, END};

static const ls__field is_valid_status_transition_params[] = {
    {"p_current", LS_T_TEXT, REQ, 0, 64, NULL, NULL, NULL, "current status"},
    {"p_new", LS_T_TEXT, REQ, 0, 64, NULL, NULL, NULL, "proposed status"},
    END};

/*--- Coverage ------------------------------------------------------------------*/

static const ls__field coverage_results_fields[] = {
    {"businesses_found", LS_T_INT, 0, 0, 1000000000, NULL, NULL, NULL, "default 0"},
    {"emails_found", LS_T_INT, 0, 0, 1000000000, NULL, NULL, NULL, "default 0"},
    {"actual_cost", LS_T_MONEY, 0, 0, 0, NULL, NULL, NULL, "USD, default 0"},
    END};

static const ls__field update_coverage_status_tx_params[] = {
    CAMPAIGN_ID("the campaign"),
    {"p_zip_code", LS_T_ZIP, REQ, 1, 10, NULL, NULL, NULL, "a ZIP of its coverage"},
    {"p_results", LS_T_OBJECT, 0, 0, 0, NULL, coverage_results_fields, NULL,
     "what the scrape found; missing values are 0"},
    REQUEST_ID, END};

/*--- Businesses ------------------------------------------------------------------*/

static const ls__field business_fields[] = {
    {"place_id", LS_T_TEXT, REQ | LS_F_NONBLANK, 1, 255, NULL, NULL, NULL,
     "Google place id: the dedup key within the campaign"},
    {"name", LS_T_TEXT, REQ | LS_F_NONBLANK, 1, 255, NULL, NULL, NULL, "business name"},
    TEXT("address", 0, 0, NULL), TEXT("city", 0, 255, NULL), TEXT("state", 0, 255, NULL),
    TEXT("postal_code", 0, 32, NULL), TEXT("country", 0, 255, NULL),
    {"latitude", LS_T_NUMBER, 0, -90, 90, NULL, NULL, NULL, NULL},
    {"longitude", LS_T_NUMBER, 0, -180, 180, NULL, NULL, NULL, NULL},
    TEXT("phone", 0, 64, NULL), TEXT("website", 0, 0, NULL),
    TEXT("email", 0, LS_EMAIL_FIELD_MAX, "kept when well-formed; priority google_maps"),
    TEXT("category", 0, 255, NULL), LIST("categories", NULL), TEXT("description", 0, 0, NULL),
    {"rating", LS_T_NUMBER, 0, 0, 5, NULL, NULL, NULL, NULL},
    {"reviews_count", LS_T_INT, 0, 0, 1000000000, NULL, NULL, NULL, NULL},
    TEXT("price_level", 0, 16, NULL),
    {"hours", LS_T_JSON, 0, 0, 0, NULL, NULL, NULL, "opening hours, any JSON"},
    TEXT("facebook_url", 0, 0, NULL), TEXT("instagram_url", 0, 0, NULL),
    TEXT("twitter_url", 0, 0, NULL), TEXT("linkedin_url", 0, 0, NULL),
    {"raw_data", LS_T_JSON, 0, 0, 0, NULL, NULL, NULL,
     "the full scrape record; default: the element's unknown keys"},
    END};

static const ls__field batch_upsert_businesses_tx_params[] = {
    CAMPAIGN_ID("the campaign"),
    {"p_zip_code", LS_T_ZIP, REQ, 1, 10, NULL, NULL, NULL, "the ZIP that was searched"},
    {"p_businesses", LS_T_OBJECT_LIST, REQ, 0, 5000, NULL, business_fields, NULL,
     "the businesses found, processed in order"},
    REQUEST_ID, END};

/*--- Enrichment ------------------------------------------------------------------*/

static const ls__field facebook_fields[] = {
    TEXT("facebook_url", 0, 0, NULL), TEXT("page_name", 0, 255, NULL),
    LIST("emails", "every email found on the page"),
    TEXT("primary_email", 0, LS_EMAIL_FIELD_MAX, "the email to promote (default: the first well-formed of emails)"),
    LIST("email_sources", "where each email was found"), LIST("phone_numbers", NULL),
    {"success", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, "default false"},
    TEXT("error_message", 0, 0, NULL),
    {"raw_data", LS_T_JSON, 0, 0, 0, NULL, NULL, NULL, "default: the unknown keys"},
    END};

static const ls__field save_facebook_enrichment_tx_params[] = {
    {"p_business_id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, "the business"},
    {"p_campaign_id", LS_T_UUID, 0, 0, 0, NULL, NULL, NULL, "when given, must be the business's"},
    {"p_enrichment_data", LS_T_OBJECT, REQ, 0, 0, NULL, facebook_fields, NULL, "the page"},
    REQUEST_ID, END};

static const ls__field linkedin_fields[] = {
    TEXT("linkedin_url", 0, 0, NULL),
    {"profile_type", LS_T_ENUM, 0, 0, 0, ls__profile_types, NULL, NULL, NULL},
    TEXT("person_name", 0, 0, NULL), TEXT("person_title", 0, 0, NULL),
    TEXT("person_profile_url", 0, 0, NULL), TEXT("company_name", 0, 0, NULL),
    TEXT("location", 0, 0, NULL),
    {"connections", LS_T_INT, 0, 0, 1000000000, NULL, NULL, NULL, NULL},
    LIST("emails_found", NULL), LIST("emails_generated", "pattern-generated candidates"),
    TEXT("primary_email", 0, LS_EMAIL_FIELD_MAX, "the email to promote (default: the first well-formed of emails_found)"),
    TEXT("email_source", 0, 64, "e.g. linkedin_direct, generated"),
    LIST("phone_numbers", NULL), TEXT("phone_number", 0, 64, NULL),
    {"email_extraction_attempted", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    TEXT("email_verified_source", 0, 64, NULL),
    {"email_quality_tier", LS_T_LABEL, 0, 0, 64, NULL, NULL, NULL, NULL},
    FLAG("bouncer_verified", "→ email_verified"), FLAG("bouncer_is_safe", "→ is_safe"),
    FLAG("bouncer_is_disposable", "→ is_disposable"), FLAG("bouncer_is_role_based", "→ is_role_based"),
    FLAG("bouncer_is_free_email", "→ is_free_email"),
    {"bouncer_status", LS_T_ENUM, 0, 0, 0, ls__verification_statuses, NULL, NULL,
     "→ bouncer_status: a verification status, as update_email_verification_tx's"},
    {"bouncer_score", LS_T_NUMBER, 0, 0, 100, NULL, NULL, NULL, NULL},
    TEXT("bouncer_reason", 0, 0, NULL),
    {"bouncer_raw_response", LS_T_JSON, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"bouncer_verified_at", LS_T_TIMESTAMP, 0, 0, 0, NULL, NULL, NULL, NULL},
    TEXT("error", 0, 0, "→ error_message"),
    END};

static const ls__field save_linkedin_enrichment_tx_params[] = {
    {"p_business_id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, "the business"},
    {"p_campaign_id", LS_T_UUID, 0, 0, 0, NULL, NULL, NULL, "when given, must be the business's"},
    {"p_enrichment_data", LS_T_OBJECT, REQ, 0, 0, NULL, linkedin_fields, NULL, "the profile"},
    REQUEST_ID, END};

/*--- Verification ------------------------------------------------------------------*/

static const ls__field verification_fields[] = {
    {"email", LS_T_TEXT, REQ | LS_F_NONBLANK, 1, LS_EMAIL_FIELD_MAX, NULL, NULL, NULL, "the verified address"},
    {"status", LS_T_ENUM, REQ, 0, 0, ls__verification_statuses, NULL, NULL, NULL},
    {"score", LS_T_NUMBER, 0, 0, 100, NULL, NULL, NULL, "fractions allowed"},
    TEXT("reason", 0, 0, NULL),
    FLAG("is_safe", "default: status deliverable and score ≥ 70"), FLAG("is_disposable", NULL),
    FLAG("is_role_based", NULL), FLAG("is_free_email", NULL), FLAG("is_gibberish", NULL),
    TEXT("domain", 0, 255, NULL), TEXT("provider", 0, 255, NULL),
    FLAG("mx_records", NULL), FLAG("smtp_check", NULL), TEXT("suggestion", 0, 255, NULL),
    {"raw_response", LS_T_JSON, 0, 0, 0, NULL, NULL, NULL, "the verifier's full answer"},
    END};

static const ls__field update_email_verification_tx_params[] = {
    {"p_source", LS_T_ENUM, REQ, 0, 0, ls__verification_sources, NULL, NULL,
     "google_maps: target is a business; facebook/linkedin: an enrichment"},
    {"p_target_id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, "business or enrichment id"},
    {"p_verification_data", LS_T_OBJECT, REQ, 0, 0, NULL, verification_fields, NULL,
     "the verifier's result"},
    REQUEST_ID, END};

/*--- Costs and statistics ------------------------------------------------------------*/

static const ls__field cost_data_fields[] = {
    {"cost_usd", LS_T_MONEY, REQ, 0, 0, NULL, NULL, NULL, "USD, ≥ 0, exact to 1e-6"},
    {"items_processed", LS_T_INT, 0, 0, 1000000000, NULL, NULL, NULL, "default 0"},
    {"metadata", LS_T_JSON, 0, 0, 0, NULL, NULL, NULL, "anything worth keeping"},
    END};

static const ls__field track_api_cost_tx_params[] = {
    CAMPAIGN_ID("the campaign"),
    {"p_service", LS_T_ENUM, REQ, 0, 0, ls__cost_services, NULL, NULL, "which API was paid"},
    {"p_cost_data", LS_T_OBJECT, REQ, 0, 0, NULL, cost_data_fields, NULL, "the call's cost"},
    REQUEST_ID, END};

static const ls__field update_campaign_statistics_tx_params[] = {
    CAMPAIGN_ID("the campaign"), REQUEST_ID, END};

/*--- Reads ---------------------------------------------------------------------------*/

static const ls__field get_campaign_params[] = {CAMPAIGN_ID("the campaign"), END};

static const ls__field list_campaigns_params[] = {
    {"p_status", LS_T_ENUM, 0, 0, 0, ls__campaign_statuses, NULL, NULL, "only this status"},
    {"p_limit", LS_T_INT, 0, 1, 1000, NULL, NULL, NULL, "default 100"},
    {"p_offset", LS_T_INT, 0, 0, 1000000000, NULL, NULL, NULL, "default 0"},
    END};

static const ls__field get_businesses_for_enrichment_params[] = {
    CAMPAIGN_ID("the campaign"),
    {"p_enrichment_type", LS_T_ENUM, REQ, 0, 0, ls__enrichment_types, NULL, NULL,
     "facebook: pending pages; linkedin: not yet looked up; verification: email not verified"},
    {"p_limit", LS_T_INT, 0, 1, 1000, NULL, NULL, NULL, "default 100"},
    {"p_offset", LS_T_INT, 0, 0, 1000000000, NULL, NULL, NULL, "default 0"},
    END};

#define PAGE_LIMIT {"p_limit", LS_T_INT, 0, 1, 1000, NULL, NULL, NULL, "page size, default 100"}
#define PAGE_AFTER(doc) {"p_after", LS_T_UUID, 0, 0, 0, NULL, NULL, NULL, doc}

static const ls__field list_businesses_params[] = {
    CAMPAIGN_ID("the campaign"),
    {"p_zip_code", LS_T_ZIP, 0, 1, 10, NULL, NULL, NULL, "only businesses found searching this ZIP"},
    {"p_email_source", LS_T_ENUM, 0, 0, 0, ls__email_sources, NULL, NULL, "only this email source"},
    {"p_verified", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, "only email_verified = this"},
    {"p_safe", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL,
     "only is_safe = this (a business never verified, is_safe null, matches neither)"},
    {"p_enrichment_status", LS_T_ENUM, 0, 0, 0, ls__enrichment_statuses, NULL, NULL, "only this enrichment status"},
    {"p_search", LS_T_TEXT, 0, 0, 255, NULL, NULL, NULL,
     "trimmed; a substring of name, email, website or phone, ASCII case-insensitive, % and _ literal; "
     "blank = no filter"},
    PAGE_LIMIT,
    PAGE_AFTER("the next_after of the previous page: a business of this campaign, else 22023"),
    END};

static const ls__field get_business_params[] = {
    {"p_business_id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, "the business"}, END};

static const ls__field list_coverage_params[] = {
    CAMPAIGN_ID("the campaign"),
    {"p_scraped", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, "only scraped = this"},
    PAGE_LIMIT,
    PAGE_AFTER("the next_after of the previous page: a coverage row of this campaign, else 22023"),
    END};

static const ls__field list_costs_params[] = {
    CAMPAIGN_ID("the campaign"),
    {"p_service", LS_T_ENUM, 0, 0, 0, ls__cost_services, NULL, NULL, "only this service"},
    PAGE_LIMIT,
    PAGE_AFTER("the next_after of the previous page: a cost row of this campaign, else 22023"),
    END};

static const ls__field get_status_history_params[] = {CAMPAIGN_ID("the campaign"), END};

/*--- restore_campaign_tx ------------------------------------------------------------------*/

/* Every column of each table, as the reads print rows (`leadstore export campaign`): the rows
 * are inserted as given — ids, timestamps, counters and totals — then proven by the invariants. */
static const ls__field restore_campaign_fields[] = {
    {"id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"name", LS_T_TEXT, REQ | LS_F_NONBLANK, 1, 255, NULL, NULL, NULL, NULL},
    {"description", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"keywords", LS_T_TEXT_LIST, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"location", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"coverage_profile", LS_T_ENUM, REQ, 0, 0, ls__coverage_profiles, NULL, NULL, NULL},
    {"custom_zip_codes", LS_T_TEXT_LIST, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"status", LS_T_ENUM, REQ, 0, 0, ls__campaign_statuses, NULL, NULL, NULL},
    {"target_zip_count", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"actual_zip_count", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"coverage_percentage", LS_T_NUMBER, 0, 0, 100, NULL, NULL, NULL, NULL},
    {"estimated_cost", LS_T_MONEY, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"google_maps_cost", LS_T_MONEY, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"facebook_cost", LS_T_MONEY, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"linkedin_enrichment_cost", LS_T_MONEY, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"bouncer_verification_cost", LS_T_MONEY, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"actual_cost", LS_T_MONEY, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"total_businesses_found", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"total_emails_found", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"total_facebook_pages_found", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"total_linkedin_profiles_found", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"total_verified_emails", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"organization_id", LS_T_UUID, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"created_by", LS_T_TEXT, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"started_at", LS_T_TIMESTAMP, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"completed_at", LS_T_TIMESTAMP, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"created_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"updated_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"linkedin_emails", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"facebook_emails", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"google_maps_emails", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"total_safe_emails", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"zips_scraped", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"zip_businesses_found", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"zip_emails_found", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"facebook_queue", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"linkedin_queue", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"verification_queue", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    END};

static const ls__field restore_coverage_fields[] = {
    {"id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"campaign_id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"zip_code", LS_T_ZIP, REQ, 1, 10, NULL, NULL, NULL, NULL},
    {"keywords", LS_T_TEXT_LIST, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"max_results", LS_T_INT, REQ, 1, 1000, NULL, NULL, NULL, NULL},
    {"scraped", LS_T_BOOL, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"scraped_at", LS_T_TIMESTAMP, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"businesses_found", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"emails_found", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"estimated_cost", LS_T_MONEY, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"actual_cost", LS_T_MONEY, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"created_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"updated_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    END};

static const ls__field restore_business_fields[] = {
    {"id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"campaign_id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"zip_code", LS_T_ZIP, 0, 1, 10, NULL, NULL, NULL, NULL},
    {"place_id", LS_T_TEXT, REQ | LS_F_NONBLANK, 1, 255, NULL, NULL, NULL, NULL},
    {"name", LS_T_TEXT, REQ | LS_F_NONBLANK, 1, 255, NULL, NULL, NULL, NULL},
    {"address", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"city", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"state", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"postal_code", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"country", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"latitude", LS_T_NUMBER, 0, -90, 90, NULL, NULL, NULL, NULL},
    {"longitude", LS_T_NUMBER, 0, -180, 180, NULL, NULL, NULL, NULL},
    {"phone", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"website", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"email", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"email_source", LS_T_ENUM, REQ, 0, 0, ls__email_sources, NULL, NULL, NULL},
    {"email_verified", LS_T_BOOL, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"bouncer_status", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"bouncer_score", LS_T_NUMBER, 0, 0, 100, NULL, NULL, NULL, NULL},
    {"bouncer_reason", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_safe", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_disposable", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_role_based", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_free_email", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"bouncer_verified_at", LS_T_TIMESTAMP, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"category", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"categories", LS_T_TEXT_LIST, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"description", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"rating", LS_T_NUMBER, 0, 0, 5, NULL, NULL, NULL, NULL},
    {"reviews_count", LS_T_INT, 0, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"price_level", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"hours", LS_T_JSON, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"facebook_url", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"instagram_url", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"twitter_url", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"linkedin_url", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"needs_enrichment", LS_T_BOOL, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"enrichment_status", LS_T_ENUM, REQ, 0, 0, ls__enrichment_statuses, NULL, NULL, NULL},
    {"enrichment_attempts", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"last_enrichment_attempt", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"linkedin_enriched", LS_T_BOOL, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"raw_data", LS_T_JSON, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"created_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"updated_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    END};

static const ls__field restore_facebook_fields[] = {
    {"id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"business_id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"campaign_id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"facebook_url", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"page_name", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"emails", LS_T_TEXT_LIST, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"primary_email", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"email_sources", LS_T_TEXT_LIST, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"phone_numbers", LS_T_TEXT_LIST, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"success", LS_T_BOOL, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"error_message", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"raw_data", LS_T_JSON, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"email_verified", LS_T_BOOL, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"bouncer_status", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"bouncer_score", LS_T_NUMBER, 0, 0, 100, NULL, NULL, NULL, NULL},
    {"bouncer_reason", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_safe", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_disposable", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_role_based", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_free_email", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"bouncer_verified_at", LS_T_TIMESTAMP, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"bouncer_raw_response", LS_T_JSON, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"enrichment_source", LS_T_TEXT, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"created_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"updated_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    END};

static const ls__field restore_linkedin_fields[] = {
    {"id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"business_id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"campaign_id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"linkedin_url", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"profile_type", LS_T_ENUM, 0, 0, 0, ls__profile_types, NULL, NULL, NULL},
    {"person_name", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"person_title", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"person_profile_url", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"company_name", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"location", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"connections", LS_T_INT, 0, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"emails_found", LS_T_TEXT_LIST, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"emails_generated", LS_T_TEXT_LIST, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"primary_email", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"email_source", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"phone_numbers", LS_T_TEXT_LIST, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"phone_number", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"email_extraction_attempted", LS_T_BOOL, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"email_verified_source", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"email_quality_tier", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"email_verified", LS_T_BOOL, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"bouncer_status", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"bouncer_score", LS_T_NUMBER, 0, 0, 100, NULL, NULL, NULL, NULL},
    {"bouncer_reason", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_safe", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_disposable", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_role_based", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_free_email", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"bouncer_verified_at", LS_T_TIMESTAMP, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"bouncer_raw_response", LS_T_JSON, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"error_message", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"created_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"updated_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    END};

static const ls__field restore_cost_fields[] = {
    {"id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"campaign_id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"service", LS_T_ENUM, REQ, 0, 0, ls__cost_services, NULL, NULL, NULL},
    {"items_processed", LS_T_INT, REQ, 0, 1000000000, NULL, NULL, NULL, NULL},
    {"cost_usd", LS_T_MONEY, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"metadata", LS_T_JSON, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"incurred_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"created_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    END};

static const ls__field restore_verification_fields[] = {
    {"id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"business_id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"campaign_id", LS_T_UUID, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"facebook_enrichment_id", LS_T_UUID, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"linkedin_enrichment_id", LS_T_UUID, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"email", LS_T_TEXT, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"source", LS_T_ENUM, REQ, 0, 0, ls__verification_sources, NULL, NULL, NULL},
    {"status", LS_T_ENUM, REQ, 0, 0, ls__verification_statuses, NULL, NULL, NULL},
    {"score", LS_T_NUMBER, 0, 0, 100, NULL, NULL, NULL, NULL},
    {"is_safe", LS_T_BOOL, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"is_disposable", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_role_based", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_free_email", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"is_gibberish", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"domain", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"provider", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"mx_records", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"smtp_check", LS_T_BOOL, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"reason", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"suggestion", LS_T_TEXT, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"raw_response", LS_T_JSON, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"verified_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    {"created_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    END};

static const ls__field restore_history_fields[] = {
    {"old_status", LS_T_ENUM, 0, 0, 0, ls__campaign_statuses, NULL, NULL, NULL},
    {"new_status", LS_T_ENUM, REQ, 0, 0, ls__campaign_statuses, NULL, NULL, NULL},
    {"metadata", LS_T_JSON, 0, 0, 0, NULL, NULL, NULL, NULL},
    {"changed_at", LS_T_TIMESTAMP, REQ, 0, 0, NULL, NULL, NULL, NULL},
    END};

#define RESTORE_ROWS(n, f, doc) {n, LS_T_OBJECT_LIST, 0, 0, 1000000, NULL, f, NULL, doc}

static const ls__field restore_campaign_tx_params[] = {
    {"p_campaign", LS_T_OBJECT, REQ, 0, 0, NULL, restore_campaign_fields, NULL,
     "the campaign row; its id must be new to the database"},
    RESTORE_ROWS("p_coverage", restore_coverage_fields, "its coverage rows"),
    RESTORE_ROWS("p_businesses", restore_business_fields, "its businesses"),
    RESTORE_ROWS("p_facebook_enrichments", restore_facebook_fields, "its Facebook enrichments"),
    RESTORE_ROWS("p_linkedin_enrichments", restore_linkedin_fields, "its LinkedIn enrichments"),
    RESTORE_ROWS("p_verifications", restore_verification_fields, "its verification audit rows"),
    RESTORE_ROWS("p_costs", restore_cost_fields, "its cost rows"),
    RESTORE_ROWS("p_status_history", restore_history_fields, "its status changes, oldest first"),
    REQUEST_ID, END};

/*--- The table -------------------------------------------------------------------------*/

const ls__op ls__ops[LS_OP__COUNT] = {
#define LS_OP(name, kind, summary, returns) {#name, LS_OP_##name, kind, name##_params, summary, returns},
#include "ops.def"
#undef LS_OP
};

/* Finds an operation by name; NULL when there is none. */
const ls__op *ls__op_find(const char *name) {
  if (!name) return NULL;
  for (size_t i = 0; i < LS_OP__COUNT; i++)
    if (strcmp(ls__ops[i].name, name) == 0) return &ls__ops[i];
  return NULL;
}

const char *ls__op_suggest(const char *name) {
  ls__suggestion s = {.word = name};
  for (size_t i = 0; i < LS_OP__COUNT; i++) ls__suggest_offer(&s, ls__ops[i].name);
  return s.best;
}

const ls__field *ls__param_fields(const ls__op *op, const char *param) {
  for (const ls__field *f = op->params; f->name; f++)
    if (strcmp(f->name, param) == 0) return f->fields;
  return NULL;
}

size_t leadstore_op_count(void) { return LS_OP__COUNT; }

const char *leadstore_op_name(size_t i) { return i < LS_OP__COUNT ? ls__ops[i].name : NULL; }
