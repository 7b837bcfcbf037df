/*
 * t_property.c — a thousand random sequences of every operation (seeded
 * and reproducible: LEADSTORE_SEED=N replays one; the generator is shared
 * with t_differential, in support.c), some with bad input and some with an
 * injected fault, after which `leadstore check` proves every invariant, the
 * counters equal a recount (no drift to correct), and the cost totals equal
 * the sum of the calls that succeeded, to the micro-dollar.
 */
#include <stdlib.h>
#include <string.h>

#include "support.h"

enum { SEQUENCES = 1000, BLOCK = 100 };

/* The generator's call: one leadstore_call on the world's database. */
static json_t *call_one(void *ctx, const leadstore_caller *who, const char *op, const char *params) {
  char *text = NULL;
  leadstore_call(ctx, who, op, params, &text);
  json_t *r = text ? json_loads(text, 0, NULL) : NULL;
  leadstore_free(text);
  return r ? r : json_pack("{s:b, s:s}", "success", 0, "error_code", "none");
}

/* One seeded run; true when every property holds. */
static bool run(unsigned long long seed, int *failures_seen) {
  ts_world w;
  leadstore *db = NULL;
  char *path = ts_db_path("property");
  char *msg = NULL; /* durability is not what this test is about: NORMAL keeps it quick */
  leadstore_options opts = {.durability = LEADSTORE_DURABLE_NORMAL, .create = 1};
  if (leadstore_open(path, &opts, &db, &msg)) {
    tap_diag("cannot open %s: %s", path, msg);
    leadstore_free(msg);
    free(path);
    return false;
  }
  bool ok = ts_world_start(&w, seed, call_one, db);
  for (int i = 0, steps = ts_steps_of(seed); ok && i < steps; i++) {
    bool faulty = ts_rnd(&w, 25) == 0;
    if (faulty) leadstore_test_fault(db, ts_rnd(&w, 2) ? LEADSTORE_FAULT_STEP : LEADSTORE_FAULT_ALLOC, 1 + ts_rnd(&w, 12));
    json_t *r = ts_world_step(&w);
    leadstore_test_fault(db, LEADSTORE_FAULT_NONE, 0);
    if (!ts_success(r)) ++*failures_seen;
    json_decref(r);
  }
  ok = ok && ts_check(db) == 0;
  for (int c = 0; ok && c < w.ncampaigns; c++) {
    json_t *r = ts_call(db, &ts_service, "update_campaign_statistics_tx", "{\"p_campaign_id\":\"%s\"}", w.campaign[c]);
    if (!json_is_false(json_object_get(r, "drift_corrected"))) {
      tap_diag("seed %llu: campaign %d counters drifted", seed, c);
      ok = false;
    }
    json_decref(r);
    r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", w.campaign[c]);
    double got = json_number_value(json_object_get(json_object_get(r, "campaign"), "actual_cost"));
    if ((long long)(got * 1e6 + 0.5) != w.cost_micros[c]) {
      tap_diag("seed %llu: campaign %d cost %.6f, calls summed to %lld micros", seed, c, got, w.cost_micros[c]);
      ok = false;
    }
    json_decref(r);
  }
  ts_world_free(&w);
  leadstore_close(db);
  free(path);
  return ok;
}

int main(void) {
  const char *one = getenv("LEADSTORE_SEED");
  int failures = 0;
  if (one) {
    unsigned long long seed = strtoull(one, NULL, 10);
    OK(run(seed, &failures), "seed %llu: %d random operations keep every invariant", seed, ts_steps_of(seed));
    return tap_done();
  }
  long ops = 0;
  for (unsigned long long block = 0; block < SEQUENCES / BLOCK; block++) {
    bool ok = true;
    for (unsigned long long seed = block * BLOCK + 1; seed <= (block + 1) * BLOCK; seed++) {
      bool good = run(seed, &failures);
      if (!good) tap_diag("seed %llu broke an invariant: LEADSTORE_SEED=%llu replays it", seed, seed);
      ok &= good;
      ops += ts_steps_of(seed);
    }
    OK(ok, "sequences %llu-%llu keep every invariant", block * BLOCK + 1, (block + 1) * BLOCK);
  }
  OK(failures > 0, "the %ld random operations included refused and failed calls (%d)", ops, failures);
  return tap_done();
}
