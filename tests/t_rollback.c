/*
 * t_rollback.c — rollback proof: for every write operation, make its Nth
 * step fail (an injected statement-step failure, then an injected
 * allocation failure) for every N until the operation runs out of steps,
 * and show each time that the call failed, the database is byte-for-byte
 * unchanged and `leadstore check` is clean.
 */
#include <stdlib.h>
#include <string.h>

#include "support.h"

static leadstore *main_db;
static char *main_path;

/* Runs op on (db, path) with every possible fault of `kind`; one TAP test for the sweep. */
static void sweep(leadstore *db, const char *path, const char *what, const char *op, const char *params,
                  leadstore_fault kind) {
  const char *kind_name = kind == LEADSTORE_FAULT_STEP ? "step" : "allocation";
  char *before = ts_dump(path);
  long n;
  bool ok = true;
  char why[512] = "";
  for (n = 1; ok; n++) {
    leadstore_test_fault(db, kind, n);
    char *result = NULL;
    int rc = leadstore_call(db, &ts_service, op, params, &result);
    long made = leadstore_test_fault(db, kind, 0);
    leadstore_test_fault(db, LEADSTORE_FAULT_NONE, 0);
    if (rc == LEADSTORE_OK) {
      /* the fault lay beyond the call's last step: the sweep is complete */
      if (made >= n) {
        ok = false;
        snprintf(why, sizeof why, "%s %ld failed inside the call, yet it succeeded", kind_name, n);
      }
      leadstore_free(result);
      break;
    }
    char *after = ts_dump(path);
    if (rc != LEADSTORE_EINTERNAL) {
      ok = false;
      snprintf(why, sizeof why, "%s %ld: expected XX000, got %s: %.200s", kind_name, n, leadstore_status_sqlstate(rc),
               result ? result : "(no result)");
    } else if (strcmp(before, after) != 0) {
      ok = false;
      snprintf(why, sizeof why, "%s %ld: the database changed although the call failed", kind_name, n);
    } else if (ts_check(db) != 0) {
      ok = false;
      snprintf(why, sizeof why, "%s %ld: check is not clean", kind_name, n);
    }
    free(after);
    leadstore_free(result);
  }
  if (!tap_ok(ok && n > 2, "%s: %s fails at each of its %ld %ss and changes nothing", what, op, n - 1, kind_name))
    tap_diag("%s", why[0] ? why : "the operation made no steps");
  free(before);
}

/*
 * Both sweeps for one call: allocations on a copy of the database, then
 * steps on the database itself, whose last, fault-free call is made for
 * real (the next operation builds on it).
 */
static void prove(const char *what, const char *op, const char *params) {
  char *copy = ts_copy(main_path);
  leadstore *db2 = ts_open(copy);
  sweep(db2, copy, what, op, params, LEADSTORE_FAULT_ALLOC);
  leadstore_close(db2);
  free(copy);
  sweep(main_db, main_path, what, op, params, LEADSTORE_FAULT_STEP);
}

int main(void) {
  main_path = ts_db_path("rollback");
  main_db = ts_open(main_path);
  char *p = NULL;

  prove("a campaign with three ZIPs", "create_campaign_with_coverage_tx",
        "{\"p_campaign_data\":{\"name\":\"Rollback\",\"keywords\":[\"roofer\"]},"
        "\"p_coverage_data\":[{\"zip\":\"90001\"},{\"zip\":\"90002\"},{\"zip\":\"90003\"}]}");
  json_t *r = ts_call(main_db, &ts_service, "list_campaigns", "{}");
  char cid[37];
  snprintf(cid, sizeof cid, "%s", json_string_value(json_object_get(json_array_get(json_object_get(r, "campaigns"), 0), "id")));
  json_decref(r);

  asprintf(&p, "{\"p_campaign_id\":\"%s\",\"p_new_status\":\"running\",\"p_metadata\":{\"by\":\"test\"}}", cid);
  prove("draft to running", "update_campaign_status_tx", p);
  free(p);
  asprintf(&p, "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_results\":{\"businesses_found\":3,\"emails_found\":1,\"actual_cost\":0.021}}", cid);
  prove("a scraped ZIP", "update_coverage_status_tx", p);
  free(p);
  asprintf(&p, "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.021,\"items_processed\":3},\"p_request_id\":\"cost-1\"}", cid);
  prove("a keyed cost", "track_api_cost_tx", p);
  free(p);
  asprintf(&p, "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_businesses\":["
               "{\"place_id\":\"p1\",\"name\":\"Acme Roofing\",\"email\":\"info@acme.example\"},"
               "{\"place_id\":\"p2\",\"name\":\"Best Roofs\",\"facebook_url\":\"https://www.facebook.com/bestroofs\"},"
               "{\"place_id\":\"p3\",\"name\":\"Crest\",\"website\":\"https://crest.example\"}]}", cid);
  prove("three new businesses", "batch_upsert_businesses_tx", p);
  free(p);
  asprintf(&p, "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90002\",\"p_businesses\":["
               "{\"place_id\":\"p1\",\"name\":\"Acme Roofing Inc\",\"email\":\"sales@acme.example\"},"
               "{\"place_id\":\"p3\",\"name\":\"Crest\",\"facebook_url\":\"https://www.facebook.com/crest\"},"
               "{\"place_id\":\"p4\",\"name\":\"Delta\",\"email\":\"hi@delta.example\"}]}", cid);
  prove("a re-scrape with updates and one new place", "batch_upsert_businesses_tx", p);
  free(p);

  r = ts_call(main_db, &ts_service, "get_businesses_for_enrichment", "{\"p_campaign_id\":\"%s\",\"p_enrichment_type\":\"facebook\"}", cid);
  char b2[37];
  snprintf(b2, sizeof b2, "%s", json_string_value(json_object_get(json_array_get(json_object_get(r, "businesses"), 0), "id")));
  json_decref(r);
  asprintf(&p, "{\"p_business_id\":\"%s\",\"p_campaign_id\":\"%s\",\"p_enrichment_data\":{\"facebook_url\":\"https://www.facebook.com/bestroofs\","
               "\"page_name\":\"Best Roofs\",\"emails\":[\"office@bestroofs.example\"],\"success\":true,\"likes\":12}}", b2, cid);
  prove("a Facebook page with an email", "save_facebook_enrichment_tx", p);
  free(p);
  asprintf(&p, "{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"linkedin_url\":\"https://linkedin.com/company/bestroofs\","
               "\"profile_type\":\"company\",\"primary_email\":\"ceo@bestroofs.example\",\"bouncer_verified\":true,"
               "\"bouncer_status\":\"deliverable\",\"bouncer_score\":97,\"bouncer_is_safe\":\"yes\"},\"p_request_id\":\"li-1\"}", b2);
  prove("a verified LinkedIn email", "save_linkedin_enrichment_tx", p);
  free(p);
  asprintf(&p, "{\"p_source\":\"google_maps\",\"p_target_id\":\"%s\",\"p_verification_data\":{\"email\":\"CEO@bestroofs.example\","
               "\"status\":\"risky\",\"score\":55,\"is_role_based\":\"yes\"}}", b2);
  prove("a verification of the current email", "update_email_verification_tx", p);
  free(p);
  asprintf(&p, "{\"p_campaign_id\":\"%s\"}", cid);
  prove("a recount", "update_campaign_statistics_tx", p);
  free(p);
  asprintf(&p, "%.*s,\"p_request_id\":\"restore-1\"}", (int)strlen(ts_restore_sample) - 1, ts_restore_sample);
  prove("a restored campaign with coverage, a business, costs and its history", "restore_campaign_tx", p);
  free(p);

  OK(ts_check(main_db) == 0, "the database is consistent after all of it");
  leadstore_close(main_db);
  free(main_path);
  return tap_done();
}
