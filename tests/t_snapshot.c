/*
 * t_snapshot.c — leadstore_snapshot_begin/end on every engine: reads inside a
 * snapshot see the database as it was when the snapshot began, whatever
 * another handle commits meanwhile (the guarantee `leadstore export leads`
 * rests on); a write inside it is refused and writes nothing; a second begin
 * is refused; after the end the handle sees the new rows and writes again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static const char *engine_name;

/* The total of list_businesses of campaign cid on db. */
static long long total_of(leadstore *db, const char *cid) {
  json_t *r = ts_call(db, &ts_service, "list_businesses", "{\"p_campaign_id\":\"%s\",\"p_limit\":1}", cid);
  long long n = ts_success(r) ? json_integer_value(json_object_get(r, "total")) : -1;
  json_decref(r);
  return n;
}

/* Upserts `count` businesses named from `tag` into cid's ZIP 04101 through db. */
static bool upsert(leadstore *db, const char *cid, const char *tag, int count) {
  char list[4096] = "";
  size_t at = 0;
  for (int i = 0; i < count; i++)
    at += (size_t)snprintf(list + at, sizeof list - at, "%s{\"place_id\":\"%s-%d\",\"name\":\"%s %d\"}", i ? "," : "",
                           tag, i, tag, i);
  json_t *r = ts_call(db, &ts_service, "batch_upsert_businesses_tx",
                      "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"04101\",\"p_businesses\":[%s]}", cid, list);
  bool ok = ts_success(r);
  json_decref(r);
  return ok;
}

static void snapshot(const char *target) {
  leadstore *a = ts_open(target), *b = ts_open(target);
  json_t *r = ts_call(a, &ts_service, "create_campaign_with_coverage_tx",
                      "{\"p_campaign_data\":{\"name\":\"Snapshot\"},\"p_coverage_data\":[{\"zip_code\":\"04101\"}]}");
  char cid[37];
  snprintf(cid, sizeof cid, "%s", ts_str(r, "campaign_id"));
  json_decref(r);
  OK(upsert(a, cid, "before", 3), "%s: three businesses before the snapshot", engine_name);

  char *why = NULL;
  OK(leadstore_snapshot_begin(a, &why) == LEADSTORE_OK, "%s: a snapshot begins%s%s", engine_name, why ? ": " : "", why ? why : "");
  leadstore_free(why);
  OK(upsert(b, cid, "during", 5), "%s: another handle commits five more meanwhile", engine_name);
  OK(total_of(b, cid) == 8, "%s: the other handle sees eight", engine_name);
  OK(total_of(a, cid) == 3, "%s: inside the snapshot still three", engine_name);
  json_t *g = ts_call(a, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", cid);
  OK(json_integer_value(json_object_get(json_object_get(g, "campaign"), "total_businesses_found")) == 3,
     "%s: and the campaign's counter of the same instant: 3", engine_name);
  json_decref(g);
  OK(!upsert(a, cid, "inside", 1), "%s: a write inside the snapshot is refused", engine_name);
  r = ts_call(a, &ts_service, "track_api_cost_tx",
              "{\"p_campaign_id\":\"%s\",\"p_service\":\"bouncer\",\"p_cost_data\":{\"cost_usd\":1}}", cid);
  OK(!strcmp(ts_code(r), "22023"), "%s: with 22023 (%s)", engine_name, ts_code(r));
  json_decref(r);
  why = NULL;
  OK(leadstore_snapshot_begin(a, &why) == LEADSTORE_EINVAL, "%s: a second begin is refused", engine_name);
  leadstore_free(why);
  OK(leadstore_snapshot_end(a) == LEADSTORE_OK, "%s: the snapshot ends", engine_name);
  OK(total_of(a, cid) == 8, "%s: after it, eight", engine_name);
  OK(upsert(a, cid, "after", 1) && total_of(b, cid) == 9, "%s: and the handle writes again", engine_name);
  OK(leadstore_snapshot_end(a) == LEADSTORE_OK, "%s: ending none is harmless", engine_name);
  /* a handle closed inside a snapshot ends it */
  OK(leadstore_snapshot_begin(a, NULL) == LEADSTORE_OK, "%s: a snapshot left open", engine_name);
  leadstore_close(a);
  OK(upsert(b, cid, "closed", 1), "%s: is ended by closing the handle (the other writes on)", engine_name);
  OK(ts_check(b) == 0, "%s: check: no violation", engine_name);
  leadstore_close(b);
}

int main(int argc, char **argv) {
  (void)argc;
  engine_name = "sqlite";
  char *path = ts_db_path("snapshot");
  snapshot(path);
  free(path);
  engine_name = "postgresql";
  if (!(path = ts_pg_database(argv[0]))) return tap_done() | 1;
  leadstore *db = ts_open(path);
  char *report = NULL;
  OK(leadstore_migrate(db, &report) == LEADSTORE_OK, "postgresql: migrated");
  leadstore_free(report);
  leadstore_close(db);
  snapshot(path);
  free(path);
  return tap_done();
}
