/*
 * t_reprepare.c — the list reads of the embedded engine, each called once
 * (its statement prepared and kept), then again after another connection
 * changed the schema: SQLite re-prepares the statement at its first step,
 * which frees the column names read before that step.  The second answer
 * must equal the first; in the sanitizer build, a column name kept from
 * before the step is a use after free and fails the test.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "support.h"
#include "tap.h"

/* Another connection changes the schema (the file's schema cookie). */
static bool schema_change(const char *path, int n) {
  sqlite3 *conn = NULL;
  char sql[80];
  snprintf(sql, sizeof sql, "CREATE TABLE reprepare_%d (x)", n);
  bool ok = sqlite3_open(path, &conn) == SQLITE_OK && sqlite3_exec(conn, sql, NULL, NULL, NULL) == SQLITE_OK;
  sqlite3_close(conn);
  return ok;
}

int main(void) {
  char *path = ts_db_path("reprepare");
  leadstore *db = ts_open(path);
  json_t *r = ts_call(db, &ts_service, "create_campaign_with_coverage_tx",
                      "{\"p_campaign_data\":{\"name\":\"Reprepare\"},"
                      "\"p_coverage_data\":[{\"zip\":\"90001\"},{\"zip\":\"90002\"}]}");
  char cid[37];
  snprintf(cid, sizeof cid, "%s", ts_success(r) ? ts_str(r, "campaign_id") : "");
  json_decref(r);
  r = ts_call(db, &ts_service, "batch_upsert_businesses_tx",
              "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_businesses\":[{\"place_id\":\"a\","
              "\"name\":\"A\",\"email\":\"a@a.example\"},{\"place_id\":\"b\",\"name\":\"B\","
              "\"facebook_url\":\"https://fb.example/b\"}]}",
              cid);
  OK(cid[0] && ts_success(r), "a campaign with two ZIPs and two businesses");
  json_decref(r);

  static const char *const reads[][2] = {
      {"list_campaigns", "{}"},
      {"get_businesses_for_enrichment", "{\"p_campaign_id\":\"%s\",\"p_enrichment_type\":\"facebook\"}"},
      {"list_businesses", "{\"p_campaign_id\":\"%s\"}"},
      {"list_coverage", "{\"p_campaign_id\":\"%s\"}"},
      {"list_costs", "{\"p_campaign_id\":\"%s\"}"},
  };
  for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
    json_t *before = ts_call(db, &ts_service, reads[i][0], reads[i][1], cid);
    bool changed = schema_change(path, (int)i);
    json_t *after = ts_call(db, &ts_service, reads[i][0], reads[i][1], cid);
    OK(ts_success(before) && changed && json_equal(before, after),
       "%s: the same answer from its statement re-prepared after a schema change", reads[i][0]);
    json_decref(before);
    json_decref(after);
  }
  leadstore_close(db);
  free(path);
  return tap_done();
}
