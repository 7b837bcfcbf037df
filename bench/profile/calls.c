/*
 * calls.c — a fixed workload of leadstore_call on an SQLite file, for
 * counting instructions with callgrind (bench/profile.sh): unlike wall time
 * on a shared machine, the count is the same from run to run, so a change's
 * effect shows in one before/after pair.
 *
 *   build/profile-calls FILE SCENARIO
 *
 * SCENARIO: batch-new (4 batches of 1000 new businesses), batch-known (one
 * batch of 1000, then 3 re-scrapes of it), facebook (200
 * save_facebook_enrichment_tx), cost (200 track_api_cost_tx), get-campaign
 * (200 get_campaign).  The calls counted are those of profile_run(); the set-up
 * (a campaign, 300 businesses) is not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bench.h"
#include "leadstore.h"

static leadstore *db;
static const leadstore_caller service = {LEADSTORE_ROLE_SERVICE, NULL};
static char campaign[37], business[300][37];

static void call(const char *op, char *params, json_t **answer) {
  char *result = NULL;
  if (leadstore_call(db, &service, op, params, &result) != LEADSTORE_OK)
    bench_die("%s failed: %s", op, result ? result : "?");
  if (answer) *answer = json_loads(result, 0, NULL);
  leadstore_free(result);
  free(params);
}

static char *batch(int series) {
  char *rows = bench_businesses_json(7, series, 1000);
  char *p = bench_fmt("{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"10000\",\"p_businesses\":%s}", campaign, rows);
  free(rows);
  return p;
}

/* The scenario's calls: what callgrind counts (--toggle-collect=profile_run). */
__attribute__((noinline)) static void profile_run(const char *scenario) {
  for (int i = 0; i < 200; i++) {
    if (!strcmp(scenario, "batch-new") || !strcmp(scenario, "batch-known")) {
      if (i == 4) break;
      call("batch_upsert_businesses_tx", batch(!strcmp(scenario, "batch-new") ? 100 + i : 100), NULL);
    } else if (!strcmp(scenario, "facebook")) {
      call("save_facebook_enrichment_tx",
           bench_fmt("{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"facebook_url\":\"https://facebook.com/x\","
                     "\"emails\":[\"a%d@b.example\"],\"success\":true}}",
                     business[i], i),
           NULL);
    } else if (!strcmp(scenario, "cost")) {
      call("track_api_cost_tx",
           bench_fmt("{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.01}}",
                     campaign),
           NULL);
    } else if (!strcmp(scenario, "get-campaign")) {
      call("get_campaign", bench_fmt("{\"p_campaign_id\":\"%s\"}", campaign), NULL);
    } else {
      bench_die("unknown scenario %s", scenario);
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 3) bench_die("usage: profile-calls FILE SCENARIO");
  leadstore_options opts = {0};
  opts.create = 1;
  char *err = NULL;
  remove(argv[1]);
  if (leadstore_open(argv[1], &opts, &db, &err) != LEADSTORE_OK) bench_die("%s", err ? err : "cannot open");
  json_t *r;
  call("create_campaign_with_coverage_tx",
       bench_fmt("{\"p_campaign_data\":{\"name\":\"profile\"},\"p_coverage_data\":[{\"zip\":\"10000\"}]}"), &r);
  snprintf(campaign, sizeof campaign, "%s", json_string_value(json_object_get(r, "campaign_id")));
  json_decref(r);
  char *rows = bench_businesses_json(7, 0, 300);
  call("batch_upsert_businesses_tx",
       bench_fmt("{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"10000\",\"p_businesses\":%s}", campaign, rows), &r);
  free(rows);
  for (int i = 0; i < 300; i++)
    snprintf(business[i], sizeof business[i], "%s",
             json_string_value(json_object_get(json_array_get(json_object_get(r, "results"), (size_t)i), "business_id")));
  json_decref(r);
  profile_run(argv[2]);
  leadstore_close(db);
  return 0;
}
