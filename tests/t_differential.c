/*
 * t_differential.c — the two engines against each other.  The seeded random
 * sequences of the property test (support.c: every operation, request ids
 * and replays, three organizations with service_role and authenticated
 * callers, refused calls, values at every limit) run on an SQLite file and a
 * PostgreSQL database side by side, both opened with the same injected clock
 * and id generator, so the two engines must answer every call with the same
 * text, byte for byte — ids and timestamps included — and end with the same
 * rows in every table (ts_table_rows: one spelling for both).  The first
 * difference fails the test with its seed, the call (operation, caller,
 * parameters) and both answers.  Afterwards `leadstore check` is clean on both.
 *
 * Sequences run in blocks of BLOCK that share one database per engine
 * (emptying a PostgreSQL database per sequence would cost more than the
 * sequence); the tables are compared at the end of every block, and each
 * block starts on empty databases (a new SQLite file, the PostgreSQL tables
 * truncated).
 *   LEADSTORE_DIFF_SEQUENCES=N   how many sequences (default 2000; 500 in the
 *                                sanitizer build)
 *   LEADSTORE_DIFF_STEPS=N       the longest sequence (default 8 steps)
 *   LEADSTORE_DIFF_SEED=S        the first seed (default 1); a block of seeds
 *                                S.. is replayed exactly by giving its first seed
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* The sanitizer build checks the memory of the same code paths: fewer sequences there. */
#if defined(__SANITIZE_ADDRESS__)
enum { DEFAULT_SEQUENCES = 500 };
#else
enum { DEFAULT_SEQUENCES = 2000 };
#endif
enum { BLOCK = 200 };

/* Sequences of 2 to 8 steps after their three campaigns: short, so that
 * thousands fit in the suite (long mode: LEADSTORE_DIFF_STEPS). */
static int max_steps = 8;
static int steps_of(unsigned long long seed) { return 2 + (int)(seed % 4) * (max_steps - 2) / 3; }

/*--- The injected clock and ids -------------------------------------------------------------*/

/* One engine's clock and id generator: each call's clock reading starts a new
 * call; its ids are (call, 0), (call, 1), … — on PostgreSQL the first is
 * asked once per call and the functions count on from it. */
typedef struct gen {
  long long call;
  long long n;
} gen;

static int64_t clock_us(void *ctx) {
  gen *g = ctx;
  g->call++;
  g->n = 0;
  /* 2026-01-01 plus 1.000003 s per call: every timestamp has its microseconds */
  return INT64_C(1767225600000000) + g->call * 1000003;
}

static void new_uuid(void *ctx, unsigned char out[16]) {
  gen *g = ctx;
  long long n = g->n++;
  for (int i = 0; i < 6; i++) out[i] = (unsigned char)(g->call >> (8 * (5 - i)));
  out[6] = 0x40, out[7] = 0, out[8] = 0x80, out[9] = 0;
  for (int i = 0; i < 6; i++) out[10 + i] = (unsigned char)(n >> (8 * (5 - i)));
}

/*--- The two engines ------------------------------------------------------------------------*/

typedef struct pair {
  leadstore *sq, *pg;
  gen gsq, gpg;
  const char *sq_path, *pg_url;
  unsigned long long seed;
  int step;
  long calls;
  bool diverged;
} pair;

static const char *who_name(const leadstore_caller *who) {
  static char buf[64];
  if (who->role != LEADSTORE_ROLE_AUTHENTICATED) return "service_role";
  snprintf(buf, sizeof buf, "org:%s", who->organization_id);
  return buf;
}

/* The generator's call: the same call on both engines, answers compared as text. */
static json_t *call_both(void *ctx, const leadstore_caller *who, const char *op, const char *params) {
  pair *p = ctx;
  char *a = NULL, *b = NULL;
  leadstore_call(p->sq, who, op, params, &a);
  if (!p->diverged) {
    leadstore_call(p->pg, who, op, params, &b);
    p->calls++;
    if (!a || !b || strcmp(a, b) != 0) {
      p->diverged = true;
      tap_diag("seed %llu, step %d: the engines answer %s differently", p->seed, p->step, op);
      tap_diag("  caller: %s", who_name(who));
      tap_diag("  params: %.2000s", params);
      tap_diag("  sqlite: %.2000s", a ? a : "(null)");
      tap_diag("  pg    : %.2000s", b ? b : "(null)");
    }
  }
  json_t *r = a ? json_loads(a, 0, NULL) : NULL;
  leadstore_free(a);
  leadstore_free(b);
  return r ? r : json_pack("{s:b, s:s}", "success", 0, "error_code", "none");
}

/* Every table of both engines, row by row; true when equal. */
static bool same_tables(pair *p) {
  static const char *const tables[] = {"gmaps_campaigns", "gmaps_campaign_coverage", "gmaps_businesses",
                                       "gmaps_facebook_enrichments", "gmaps_linkedin_enrichments", "gmaps_api_costs",
                                       "gmaps_email_verifications", "gmaps_campaign_status_history", "gmaps_rpc_requests"};
  bool same = true;
  for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
    json_t *a = ts_table_rows(p->sq_path, tables[t]), *b = ts_table_rows(p->pg_url, tables[t]);
    size_t na = json_array_size(a), nb = json_array_size(b);
    if (!a || !b) {
      tap_diag("%s: cannot be read", tables[t]);
      same = false;
    } else if (na != nb) {
      tap_diag("%s: %zu rows on sqlite, %zu on pg", tables[t], na, nb);
      same = false;
    }
    for (size_t i = 0; a && b && i < na && i < nb; i++) {
      json_t *ra = json_array_get(a, i), *rb = json_array_get(b, i);
      const char *key;
      json_t *va;
      bool row_same = true;
      json_object_foreach(ra, key, va) {
        json_t *vb = json_object_get(rb, key);
        if (!vb) continue; /* a column of one engine only (its bookkeeping) */
        if (!json_equal(va, vb)) {
          char *ta = json_dumps(va, JSON_ENCODE_ANY), *tb = json_dumps(vb, JSON_ENCODE_ANY);
          tap_diag("%s row %s: %s is %.300s on sqlite, %.300s on pg", tables[t],
                   json_string_value(json_object_get(ra, "id")), key, ta, tb);
          free(ta);
          free(tb);
          row_same = false;
        }
      }
      if (!row_same) same = false;
      if (!same) break;
    }
    json_decref(a);
    json_decref(b);
    if (!same) break;
  }
  return same;
}

/* The same call on both engines with printf-formatted parameters; SQLite's answer, parsed. */
static json_t *both(pair *p, const char *op, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static json_t *both(pair *p, const char *op, const char *fmt, ...) {
  char *params = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&params, fmt, ap) < 0) exit(2);
  va_end(ap);
  json_t *r = call_both(p, &ts_service, op, params);
  free(params);
  return r;
}

/*
 * Fixed sequences for what the random ones once found, so that each stays
 * found: (1) a batch that updates a known place before it inserts a new one —
 * PostgreSQL drew an id for the known place too, so the new place's id
 * differed; (2) an address of 330-399 characters — SQLite ignored it,
 * PostgreSQL stored it.  True when both engines answered alike.
 */
static bool regressions(pair *p) {
  p->seed = 0;
  json_t *r = both(p, "create_campaign_with_coverage_tx",
                   "{\"p_campaign_data\":{\"name\":\"Regressions\"},\"p_coverage_data\":[{\"zip\":\"78701\"}]}");
  char cid[37];
  snprintf(cid, sizeof cid, "%s", ts_str(r, "campaign_id"));
  json_decref(r);
  p->step = 1;
  json_decref(both(p, "batch_upsert_businesses_tx",
                   "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"78701\",\"p_businesses\":[{\"place_id\":\"a\",\"name\":\"A\"}]}", cid));
  p->step = 2;
  r = both(p, "batch_upsert_businesses_tx",
           "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"78701\",\"p_businesses\":[{\"place_id\":\"a\",\"name\":\"A2\"},"
           "{\"place_id\":\"b\",\"name\":\"B\",\"email\":\"info@b.example\"}]}",
           cid);
  char bid[37];
  snprintf(bid, sizeof bid, "%s", json_string_value(json_object_get(json_array_get(json_object_get(r, "results"), 1), "business_id")));
  json_decref(r);
  p->step = 3;
  char long_email[400];
  memset(long_email, 'a', 330);
  memcpy(long_email + 330 - 10, "@b.example", 11);
  json_decref(both(p, "save_linkedin_enrichment_tx", "{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"emails_found\":[\"%s\"]}}",
                   bid, long_email));
  return !p->diverged && same_tables(p);
}

/* Whether r is the refusal of scraping into a completed or failed campaign (SPEC §4). */
static bool terminal_refusal(json_t *r) {
  const char *e = ts_str(r, "error");
  size_t n = e ? strlen(e) : 0;
  return !strcmp(ts_str(r, "error_code"), "P0001") && !strncmp(e, "Campaign ", 9) &&
         ((n > 13 && !strcmp(e + n - 13, " is completed")) || (n > 10 && !strcmp(e + n - 10, " is failed")));
}

/*
 * The reads over a campaign with something in every column they filter on:
 * every list walked page by page (p_after = next_after until it is null)
 * with each filter alone, some combined and several page sizes, every
 * business read whole, the history — each answer compared byte for byte.
 * The random sequences are short and rarely hold many rows; this one does.
 */
static bool reads_walk(pair *p) {
  p->seed = 0;
  p->step = 100;
  json_t *r = both(p, "create_campaign_with_coverage_tx",
                   "{\"p_campaign_data\":{\"name\":\"Reads\"},\"p_coverage_data\":[{\"zip\":\"b1\"},{\"zip\":\"A2\"},"
                   "{\"zip\":\"a3\"},{\"zip\":\"10\"},{\"zip\":\"9 9\"},{\"zip\":\"Z-1\"},{\"zip\":\"90001\"},"
                   "{\"zip\":\"90002\"},{\"zip\":\"SW1A 1AA\"}]}");
  char cid[37];
  snprintf(cid, sizeof cid, "%s", ts_str(r, "campaign_id"));
  json_decref(r);
  static const char *const names[] = {"Joe's 100% Pizza", "Bar_None", "Caf\\u00e9 \\u00dcnique", "ALPHA dental",
                                      "alpha DENTAL", "Shop 1", "shop_1", "Delta"};
  char ids[40][37];
  int n = 0;
  for (int batch = 0; batch < 6; batch++) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"%s\",\"p_businesses\":[", cid,
            batch % 3 == 0 ? "90001" : batch % 3 == 1 ? "90002" : "b1");
    for (int i = 0; i < 6; i++) {
      int k = batch * 6 + i;
      fprintf(f, "%s{\"place_id\":\"p%d\",\"name\":\"", i ? "," : "", k);
      fputs(names[k % 8], f);
      fprintf(f, " %d\"", k);
      if (k % 3 == 0) fprintf(f, ",\"email\":\"Owner%d@Shop.example\"", k);
      if (k % 4 == 1) fprintf(f, ",\"facebook_url\":\"https://facebook.com/p%d\"", k);
      if (k % 5 == 2) fprintf(f, ",\"phone\":\"+1 512 555 01%02d\",\"website\":\"https://P%d.example/%%_\"", k, k);
      fprintf(f, "}");
    }
    fprintf(f, "]}");
    fclose(f);
    p->step++;
    r = call_both(p, &ts_service, "batch_upsert_businesses_tx", buf);
    free(buf);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r, "results"), i, e)
      if (n < 40) snprintf(ids[n++], 37, "%s", json_string_value(json_object_get(e, "business_id")));
    json_decref(r);
  }
  for (int k = 0; k < n; k++) {
    p->step++;
    if (k % 3 == 0)
      json_decref(both(p, "update_email_verification_tx",
                       "{\"p_source\":\"google_maps\",\"p_target_id\":\"%s\",\"p_verification_data\":"
                       "{\"email\":\"owner%d@shop.example\",\"status\":\"%s\",\"score\":%d}}",
                       ids[k], k, k % 2 ? "deliverable" : "risky", 50 + k));
    if (k % 4 == 1)
      json_decref(both(p, "save_facebook_enrichment_tx",
                       "{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"success\":%s,\"primary_email\":\"fb%d@x.example\","
                       "\"emails\":[\"fb%d@x.example\"],\"raw_data\":{\"n\":1.5}}}",
                       ids[k], k % 8 == 1 ? "true" : "false", k, k));
    if (k % 7 == 3)
      json_decref(both(p, "save_linkedin_enrichment_tx",
                       "{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"linkedin_url\":\"https://linkedin.com/in/%d\","
                       "\"primary_email\":\"li%d@x.example\",\"bouncer_status\":\"deliverable\",\"bouncer_score\":88.5,"
                       "\"bouncer_verified\":true,\"email_quality_tier\":2}}",
                       ids[k], k, k));
  }
  static const char *const services[] = {"google_maps", "facebook", "linkedin", "bouncer"};
  static const char *const amounts[] = {"0.1", "0.2", "0.000001", "7", "12.345678", "0"};
  for (int i = 0; i < 15; i++) {
    p->step++;
    json_decref(both(p, "track_api_cost_tx",
                     "{\"p_campaign_id\":\"%s\",\"p_service\":\"%s\",\"p_cost_data\":{\"cost_usd\":%s,\"items_processed\":%d%s}}",
                     cid, services[i % 4], amounts[i % 6], i, i % 2 ? ",\"metadata\":{\"q\":2.50}" : ""));
  }
  json_decref(both(p, "update_coverage_status_tx", "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"A2\",\"p_results\":"
                   "{\"businesses_found\":3,\"actual_cost\":0.3}}", cid));
  json_decref(both(p, "update_coverage_status_tx", "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"9 9\"}", cid));
  json_decref(both(p, "update_campaign_status_tx", "{\"p_campaign_id\":\"%s\",\"p_new_status\":\"running\","
                   "\"p_metadata\":{\"by\":\"test\",\"n\":1.0}}", cid));
  json_decref(both(p, "update_campaign_status_tx", "{\"p_campaign_id\":\"%s\",\"p_new_status\":\"paused\"}", cid));

  static const char *const business_filters[] = {
      "", ",\"p_zip_code\":\"90001\"", ",\"p_zip_code\":\"b1\"", ",\"p_email_source\":\"google_maps\"",
      ",\"p_email_source\":\"facebook\"", ",\"p_email_source\":\"linkedin\"", ",\"p_email_source\":\"not_found\"",
      ",\"p_verified\":true", ",\"p_verified\":false", ",\"p_safe\":true", ",\"p_safe\":false",
      ",\"p_enrichment_status\":\"pending\"", ",\"p_enrichment_status\":\"enriched\"",
      ",\"p_enrichment_status\":\"failed\"", ",\"p_enrichment_status\":\"no_facebook\"",
      ",\"p_search\":\"alpha\"", ",\"p_search\":\"SHOP\"", ",\"p_search\":\"%%\"", ",\"p_search\":\"_\"",
      ",\"p_search\":\"p_1\"", ",\"p_search\":\"CAF\\u00c9\"", ",\"p_search\":\"caf\\u00e9 \\u00dc\"",
      ",\"p_search\":\" 555 \"", ",\"p_search\":\"@shop.EXAMPLE\"", ",\"p_search\":\"  \"",
      ",\"p_zip_code\":\"90001\",\"p_verified\":true,\"p_search\":\"owner\"",
      ",\"p_email_source\":\"google_maps\",\"p_safe\":false,\"p_enrichment_status\":\"no_facebook\""};
  static const char *const coverage_filters[] = {"", ",\"p_scraped\":true", ",\"p_scraped\":false"};
  static const char *const cost_filters[] = {"", ",\"p_service\":\"facebook\"", ",\"p_service\":\"bouncer\""};
  static const struct {
    const char *op;
    const char *const *filters;
    size_t n;
  } lists[] = {{"list_businesses", business_filters, sizeof business_filters / sizeof business_filters[0]},
               {"list_coverage", coverage_filters, 3},
               {"list_costs", cost_filters, 3}};
  static const int limits[] = {1, 2, 7, 100};
  long pages = 0;
  for (size_t l = 0; l < 3 && !p->diverged; l++)
    for (size_t f = 0; f < lists[l].n && !p->diverged; f++)
      for (size_t li = 0; li < 4 && !p->diverged; li++) {
        char after[37] = "";
        do {
          p->step++;
          char *params = NULL;
          if (asprintf(&params, "{\"p_campaign_id\":\"%s\",\"p_limit\":%d%s%s%s%s}", cid, limits[li],
                       lists[l].filters[f], after[0] ? ",\"p_after\":\"" : "", after, after[0] ? "\"" : "") < 0)
            exit(2);
          r = call_both(p, &ts_service, lists[l].op, params);
          free(params);
          pages++;
          const char *next = json_string_value(json_object_get(r, "next_after"));
          snprintf(after, sizeof after, "%s", next ? next : "");
          json_decref(r);
        } while (after[0] && !p->diverged);
      }
  for (int k = 0; k < n && !p->diverged; k++) json_decref(both(p, "get_business", "{\"p_business_id\":\"%s\"}", ids[k]));
  json_decref(both(p, "get_status_history", "{\"p_campaign_id\":\"%s\"}", cid));
  tap_diag("reads: %d businesses, %ld pages read on both engines", n, pages);
  return !p->diverged && pages > 200;
}

/*
 * restore_campaign_tx on both engines: a campaign restored with its ids,
 * timestamps and money (the history rows' ids from the injected generator),
 * its replay, the same campaign again (23505) and one whose counter is not
 * its recount (22023) — every answer and then every table alike.
 */
static bool restore_walk(pair *p) {
  p->seed = 0;
  p->step = 200;
  static const char drift[] =
      "{\"p_campaign\":{\"id\":\"0a000000-0000-4000-8000-0000000000f1\",\"name\":\"Restored\",\"description\":null,\"key"
      "words\":[\"dentist\"],\"location\":\"Portland, ME\",\"coverage_profile\":\"balanced\",\"custom_zip_codes\":[],\"st"
      "atus\":\"draft\",\"target_zip_count\":1,\"actual_zip_count\":1,\"coverage_percentage\":null,\"estimated_cost\":"
      "1.5,\"google_maps_cost\":0.3,\"facebook_cost\":0,\"linkedin_enrichment_cost\":0,\"bouncer_verification_cost"
      "\":1e-06,\"actual_cost\":0.300001,\"total_businesses_found\":2,\"total_emails_found\":1,\"total_facebook_pag"
      "es_found\":0,\"total_linkedin_profiles_found\":0,\"total_verified_emails\":0,\"organization_id\":null,\"crea"
      "ted_by\":\"system\",\"started_at\":null,\"completed_at\":null,\"created_at\":\"2026-01-02T03:04:05.123456Z\",\"u"
      "pdated_at\":\"2026-01-02T03:04:05.123456Z\",\"linkedin_emails\":0,\"facebook_emails\":0,\"google_maps_emails"
      "\":1,\"total_safe_emails\":0,\"zips_scraped\":0,\"zip_businesses_found\":0,\"zip_emails_found\":0,\"facebook_queue\":0,\"linkedin_queue\":1,\"verification_queue\":1},\"p_coverag"
      "e\":[{\"id\":\"0a000000-0000-4000-8000-0000000000c0\",\"campaign_id\":\"0a000000-0000-4000-8000-0000000000f1"
      "\",\"zip_code\":\"04101\",\"keywords\":[\"dentist\"],\"max_results\":200,\"scraped\":false,\"scraped_at\":null,\"bus"
      "inesses_found\":0,\"emails_found\":0,\"estimated_cost\":1.5,\"actual_cost\":0,\"created_at\":\"2026-01-02T03:0"
      "4:05.123456Z\",\"updated_at\":\"2026-01-02T03:04:05.123456Z\"}],\"p_businesses\":[{\"id\":\"0a000000-0000-4000"
      "-8000-0000000000e0\",\"campaign_id\":\"0a000000-0000-4000-8000-0000000000f1\",\"zip_code\":\"04101\",\"place_i"
      "d\":\"p1\",\"name\":\"Harbor Dental\",\"email\":\"desk@harbor.example\",\"email_source\":\"google_maps\",\"email_ver"
      "ified\":false,\"categories\":[],\"needs_enrichment\":false,\"enrichment_status\":\"no_facebook\",\"enrichment_"
      "attempts\":0,\"linkedin_enriched\":false,\"latitude\":43.6541,\"created_at\":\"2026-01-02T03:04:05.123456Z\","
      "\"updated_at\":\"2026-01-02T03:04:05.123456Z\"}],\"p_costs\":[{\"id\":\"0a000000-0000-4000-8000-0000000000d0\""
      ",\"campaign_id\":\"0a000000-0000-4000-8000-0000000000f1\",\"service\":\"google_maps\",\"items_processed\":3,\"c"
      "ost_usd\":0.1,\"metadata\":null,\"incurred_at\":\"2026-01-02T03:04:05.123456Z\",\"created_at\":\"2026-01-02T03"
      ":04:05.123456Z\"},{\"id\":\"0a000000-0000-4000-8000-0000000000d1\",\"campaign_id\":\"0a000000-0000-4000-8000"
      "-0000000000f1\",\"service\":\"google_maps\",\"items_processed\":0,\"cost_usd\":0.2,\"metadata\":{\"run\":2},\"incu"
      "rred_at\":\"2026-01-02T03:04:05.123456Z\",\"created_at\":\"2026-01-02T03:04:05.123456Z\"},{\"id\":\"0a000000-0"
      "000-4000-8000-0000000000d2\",\"campaign_id\":\"0a000000-0000-4000-8000-0000000000f1\",\"service\":\"bouncer\""
      ",\"items_processed\":1,\"cost_usd\":1e-06,\"incurred_at\":\"2026-01-02T03:04:05.123456Z\",\"created_at\":\"2026"
      "-01-02T03:04:05.123456Z\"}],\"p_status_history\":[{\"old_status\":null,\"new_status\":\"draft\",\"metadata\":nu"
      "ll,\"changed_at\":\"2026-01-02T03:04:05.123456Z\"}]}";
  json_t *r = both(p, "restore_campaign_tx", "%.*s,\"p_request_id\":\"restore-1\"}", (int)strlen(ts_restore_sample) - 1, ts_restore_sample);
  bool ok = ts_success(r);
  json_decref(r);
  p->step++;
  r = both(p, "restore_campaign_tx", "%.*s,\"p_request_id\":\"restore-1\"}", (int)strlen(ts_restore_sample) - 1, ts_restore_sample);
  ok = ok && json_is_true(json_object_get(r, "replayed"));
  json_decref(r);
  p->step++;
  r = both(p, "restore_campaign_tx", "%s", ts_restore_sample);
  ok = ok && !strcmp(ts_str(r, "error_code"), "23505");
  json_decref(r);
  p->step++;
  r = both(p, "restore_campaign_tx", "%s", drift);
  ok = ok && !strcmp(ts_str(r, "error_code"), "22023");
  json_decref(r);
  return ok && !p->diverged && same_tables(p);
}

static leadstore *open_or_bail(const char *target, gen *g) {
  leadstore_options opts = {.durability = LEADSTORE_DURABLE_NORMAL, .clock_us = clock_us, .new_uuid = new_uuid, .ctx = g,
                            .create = 1};
  leadstore *db = NULL;
  char *msg = NULL;
  if (leadstore_open(target, &opts, &db, &msg) != LEADSTORE_OK) {
    printf("Bail out! cannot open %s: %s\n", target, msg ? msg : "?");
    exit(2);
  }
  return db;
}

int main(int argc, char **argv) {
  (void)argc;
  const char *env = getenv("LEADSTORE_DIFF_SEQUENCES");
  long sequences = env && *env ? strtol(env, NULL, 10) : DEFAULT_SEQUENCES;
  env = getenv("LEADSTORE_DIFF_SEED");
  unsigned long long first = env && *env ? strtoull(env, NULL, 10) : 1;
  env = getenv("LEADSTORE_DIFF_STEPS");
  if (env && atoi(env) > 2) max_steps = atoi(env);
  char *url = ts_pg_database(argv[0]);
  if (!url) return 2;
  tap_diag("%ld sequences of up to %d steps from seed %llu (LEADSTORE_DIFF_SEQUENCES, LEADSTORE_DIFF_STEPS, "
           "LEADSTORE_DIFF_SEED)", sequences, max_steps, first);

  pair p = {.pg_url = url};
  p.pg = open_or_bail(url, &p.gpg);
  char *report = NULL;
  int rc = leadstore_migrate(p.pg, &report);
  if (!tap_ok(rc == LEADSTORE_OK, "the PostgreSQL migrations apply")) tap_diag("%s", report ? report : "?");
  leadstore_free(report);

  ts_pg_reset(url);
  p.sq_path = ts_db_path("differential");
  p.sq = open_or_bail(p.sq_path, &p.gsq);
  OK(rc == LEADSTORE_OK && regressions(&p), "the fixed sequences of past differences answer alike on both engines");
  OK(rc == LEADSTORE_OK && reads_walk(&p), "every page of every list, filtered, and every business read alike on both engines");
  OK(rc == LEADSTORE_OK && restore_walk(&p), "a restored campaign, its replay and two refusals alike on both engines");

  long refused = 0, replayed = 0, ended = 0;
  for (unsigned long long start = first; rc == LEADSTORE_OK && start < first + (unsigned long long)sequences; start += BLOCK) {
    unsigned long long end = start + BLOCK - 1;
    if (end >= first + (unsigned long long)sequences) end = first + (unsigned long long)sequences - 1;
    if (p.sq) {
      OK(ts_check(p.sq) == 0 && ts_check(p.pg) == 0, "leadstore check is clean on both engines");
      leadstore_close(p.sq);
      free((char *)p.sq_path);
    }
    ts_pg_reset(url);
    p.sq_path = ts_db_path("differential");
    p.sq = open_or_bail(p.sq_path, &p.gsq);
    for (p.seed = start; p.seed <= end && !p.diverged; p.seed++) {
      ts_world w;
      p.step = 0;
      bool started = ts_world_start(&w, p.seed, call_both, &p);
      for (p.step = 1; started && p.step <= steps_of(p.seed) && !p.diverged; p.step++) {
        json_t *r = ts_world_step(&w);
        refused += !ts_success(r);
        replayed += json_is_true(json_object_get(r, "replayed"));
        ended += terminal_refusal(r);
        json_decref(r);
      }
      ts_world_free(&w);
      if (!started) p.diverged = true;
    }
    bool answers = !p.diverged;
    bool tables = answers && same_tables(&p);
    if (!OK(answers && tables, "sequences %llu-%llu: every answer and every table the same on both engines", start, end)) {
      tap_diag("replay: LEADSTORE_DIFF_SEED=%llu LEADSTORE_DIFF_SEQUENCES=%llu", start, end - start + 1);
      break;
    }
  }
  OK(p.sq && ts_check(p.sq) == 0, "leadstore check is clean on SQLite");
  OK(ts_check(p.pg) == 0, "leadstore check is clean on PostgreSQL");
  OK(refused > 0 && replayed > 0 && ended > 0,
     "the %ld calls compared included refused (%ld), replayed (%ld) and scraping refused by an ended campaign (%ld) ones",
     p.calls, refused, replayed, ended);
  leadstore_close(p.sq);
  leadstore_close(p.pg);
  free((char *)p.sq_path);
  free(url);
  return tap_done();
}
