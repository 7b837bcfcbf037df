/*
 * bench.c — `make bench`: every operation timed through the public API
 * (leadstore_call: JSON in and out, validation included), beside its floor —
 * the same work written directly against the engine (floor.c) — measured in
 * the same run, on an SQLite file (durable, then synchronous=NORMAL) and on
 * PostgreSQL; then a scale series (one campaign grown to 1 k, 10 k, 100 k
 * businesses) and a concurrency series (1/8/64 writers, writers.c).  The
 * results: the Markdown of docs/benchmarks.md (stdout and DIR/bench.md),
 * DIR/bench.json and the data of the plots (report.c, bench/plots.gp).
 *
 *   build/bench [--short] [--only REGEX] [--engines LIST] [--sizes LIST] [--http FILE]
 *               [--group-commit FILE] [DIR [PG_SERVER]]
 *     --short    tiny sizes, a few calls each: seconds (tests/t_bench.sh)
 *     --only R   only the measurements whose label matches the extended
 *                regular expression R (the writers series: its label
 *                "writers"), for a before/after of one optimisation
 *     --engines L  a comma list of sqlite-durable, sqlite-normal, postgresql
 *                (default all; postgresql needs PG_SERVER)
 *     --sizes L  the scale series' campaign sizes, a comma list of up to
 *                three (default 1000,10000,100000)
 *     --sqlite-cache N, --sqlite-mmap N  leadstore_options.sqlite_cache_mib and
 *                sqlite_mmap_mib of the SQLite handles (default 0: leadstore's own)
 *     --http F   rows of bench/http.sh (TSV) to include in the report
 *     --group-commit F  rows of bench/group_commit.sh (TSV): the group-commit
 *                table and its goal (on ÷ off at the most writers)
 *     DIR        where the SQLite files and the results go (default build)
 *     PG_SERVER  a libpq keyword string ("host=… port=… user=…"); the
 *                database leadstore_bench is created afresh on it
 * Exit status 0 when every measurement ran and is positive.
 *
 * Adding an operation: one row in `ops` (and in `scale_ops` when it may grow
 * with the campaign) with a function making its parameters.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "bench.h"
#include "leadstore.h"
#include "writers.h"

/*--- The run's settings ---*/

static struct {
  int is_short;
  double budget_s;    /* at most this long per measurement */
  int max_calls;      /* at most this many calls per measurement (the table's count caps it too) */
  long sizes[3];      /* the scale series */
  int nsizes;
  int fill;           /* businesses per batch when growing the campaign */
  int writers[3];     /* the concurrency series */
  double writer_s;    /* seconds per concurrency measurement */
  int writer_calls;   /* or calls per writer (short mode) */
  regex_t only;       /* --only */
  int has_only;
  const char *engines; /* --engines, or NULL for all */
  int cache_mib, mmap_mib; /* --sqlite-cache, --sqlite-mmap */
} mode = {0, 3.0, 100000, {1000, 10000, 100000}, 3, 1000, {1, 8, 64}, 5.0, 0, {0}, 0, NULL, 0, 0};

/* Whether the measurement labelled `label` is selected by --only. */
static int selected(const char *label) {
  return !mode.has_only || regexec(&mode.only, label, 0, NULL, 0) == 0;
}

/* Whether --engines names `name` (a whole item of the comma list). */
static int engine_selected(const char *name) {
  if (!mode.engines) return 1;
  size_t n = strlen(name);
  for (const char *p = mode.engines; *p;) {
    size_t len = strcspn(p, ",");
    if (len == n && !strncmp(p, name, n)) return 1;
    p += len + (p[len] == ',');
  }
  return 0;
}

static const leadstore_caller service = {LEADSTORE_ROLE_SERVICE, NULL};
static leadstore *db;          /* the open engine */
static bench_floor *fl;        /* its floor */
static const char *engine;     /* "sqlite-durable", "sqlite-normal", "postgresql" */
static const char *pg_target;  /* set while benchmarking PostgreSQL */
static char campaign[37], business[37], fb_enrichment[37];
static int series;             /* a new place_id series for every batch measurement */
static long businesses;        /* businesses in the current campaign */

/* Calls op with params; exits on failure; the result's field `key` into out. */
static void call(const char *op, const char *params, const char *key, char out[37]) {
  char *result = NULL;
  if (leadstore_call(db, &service, op, params, &result) != LEADSTORE_OK)
    bench_die("%s failed: %s", op, result ? result : "?");
  if (key) {
    json_t *r = json_loads(result, 0, NULL);
    snprintf(out, 37, "%s", json_string_value(json_object_get(r, key)));
    json_decref(r);
  }
  leadstore_free(result);
}

/*--- Parameters of the operations (call i of a measurement) ---*/

typedef struct op_row op_row;
typedef char *(*params_fn)(const op_row *row, int i);

static char *zips(int n, int salt) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (!m) bench_die("out of memory");
  fprintf(m, "{\"p_campaign_data\":{\"name\":\"bench %d\"},\"p_coverage_data\":[", salt);
  for (int i = 0; i < n; i++) fprintf(m, "%s{\"zip\":\"%05d\"}", i ? "," : "", 10000 + i);
  fprintf(m, "]}");
  fclose(m);
  return buf;
}

/* One business of the campaign, and one Facebook enrichment of it (made once). */
static void need_business(void) {
  if (business[0]) return;
  char *p = bench_fmt("{\"p_campaign_id\":\"%s\",\"p_enrichment_type\":\"facebook\",\"p_limit\":1}", campaign), *result = NULL;
  if (leadstore_call(db, &service, "get_businesses_for_enrichment", p, &result) != LEADSTORE_OK) bench_die("no business");
  json_t *r = json_loads(result, 0, NULL);
  const char *id = json_string_value(json_object_get(json_array_get(json_object_get(r, "businesses"), 0), "id"));
  if (!id) bench_die("no business in the Facebook queue");
  snprintf(business, sizeof business, "%s", id);
  json_decref(r), leadstore_free(result), free(p);
  p = bench_fmt("{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"facebook_url\":\"https://facebook.com/x\","
                "\"success\":true,\"emails\":[\"page@fb.example\"]}}", business);
  call("save_facebook_enrichment_tx", p, "enrichment_id", fb_enrichment);
  free(p);
}

static char *p_create(const op_row *row, int i);
static char *p_status(const op_row *row, int i) {
  (void)row;
  return bench_fmt("{\"p_campaign_id\":\"%s\",\"p_new_status\":\"%s\"}", campaign, i % 2 ? "running" : "paused");
}
static char *p_valid(const op_row *row, int i) {
  (void)row, (void)i;
  return strdup("{\"p_current\":\"running\",\"p_new\":\"paused\"}");
}
static char *p_coverage(const op_row *row, int i) {
  (void)row;
  return bench_fmt("{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"%05d\",\"p_results\":{\"businesses_found\":%d,"
                   "\"actual_cost\":0.021}}", campaign, 10000 + i % 10, i);
}
static char *p_cost(const op_row *row, int i) {
  static const char *s[] = {"google_maps", "facebook", "linkedin", "bouncer"};
  (void)row;
  return bench_fmt("{\"p_campaign_id\":\"%s\",\"p_service\":\"%s\",\"p_cost_data\":{\"cost_usd\":0.007,"
                   "\"items_processed\":1}}", campaign, s[i % 4]);
}
static char *p_cost_keyed(const op_row *row, int i) {
  (void)row;
  return bench_fmt("{\"p_campaign_id\":\"%s\",\"p_service\":\"bouncer\",\"p_cost_data\":{\"cost_usd\":0.002},"
                   "\"p_request_id\":\"r%d-%d\"}", campaign, series, i);
}
static char *p_cost_replayed(const op_row *row, int i) {
  (void)i;
  return p_cost_keyed(row, -1); /* the same key every time; the warm-up call made it */
}
static char *p_batch(const op_row *row, int i);
static char *p_facebook(const op_row *row, int i) {
  (void)row;
  need_business();
  return bench_fmt("{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"facebook_url\":\"https://facebook.com/x\","
                   "\"success\":true,\"emails\":[\"page%d@fb.example\"]}}", business, i);
}
static char *p_linkedin(const op_row *row, int i) {
  (void)row;
  need_business();
  return bench_fmt("{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"linkedin_url\":\"https://linkedin.com/in/x\","
                   "\"primary_email\":\"li%d@example.com\",\"bouncer_status\":\"deliverable\",\"bouncer_score\":95}}",
                   business, i);
}
static char *p_verify(const op_row *row, int i) {
  (void)row;
  need_business();
  return bench_fmt("{\"p_source\":\"facebook\",\"p_target_id\":\"%s\",\"p_verification_data\":{\"email\":"
                   "\"page%d@fb.example\",\"status\":\"deliverable\",\"score\":88}}", fb_enrichment, i);
}
static char *p_campaign(const op_row *row, int i) {
  (void)row, (void)i;
  return bench_fmt("{\"p_campaign_id\":\"%s\"}", campaign);
}
static char *p_list(const op_row *row, int i) {
  (void)row, (void)i;
  return strdup("{\"p_limit\":20}");
}
static char *p_page(const op_row *row, int i) {
  (void)row, (void)i;
  return bench_fmt("{\"p_campaign_id\":\"%s\",\"p_limit\":100}", campaign);
}
static char *p_page_after(const op_row *row, int i) {
  (void)row, (void)i;
  need_business();
  return bench_fmt("{\"p_campaign_id\":\"%s\",\"p_limit\":100,\"p_after\":\"%s\"}", campaign, business);
}
static char *p_page_filtered(const op_row *row, int i) {
  (void)row, (void)i;
  return bench_fmt("{\"p_campaign_id\":\"%s\",\"p_limit\":100,\"p_verified\":false,\"p_search\":\"e\"}", campaign);
}
static char *p_business(const op_row *row, int i) {
  (void)row, (void)i;
  need_business();
  return bench_fmt("{\"p_business_id\":\"%s\"}", business);
}
static char *p_queue(const op_row *row, int i) {
  (void)row, (void)i;
  return bench_fmt("{\"p_campaign_id\":\"%s\",\"p_enrichment_type\":\"verification\",\"p_limit\":100}", campaign);
}

/*--- The operations measured ---*/

typedef enum { FLOOR_NONE, FLOOR_READ, FLOOR_WRITE, FLOOR_BATCH, FLOOR_RESCRAPE } floor_kind;

struct op_row {
  const char *label;   /* as printed */
  const char *op;      /* the operation */
  params_fn params;
  int calls;           /* at most this many calls (full mode) */
  floor_kind floor;    /* its floor */
  int n;               /* rows: ZIPs of a create, businesses of a batch */
  int warm;            /* one untimed call first (re-scrapes, replays) */
  const char *tag;     /* for the goals: "single-write" */
};

static const op_row ops[] = {
    {"create_campaign_with_coverage_tx (10 ZIPs)", "create_campaign_with_coverage_tx", p_create, 200, FLOOR_WRITE, 10, 0, NULL},
    {"create_campaign_with_coverage_tx (100 ZIPs)", "create_campaign_with_coverage_tx", p_create, 100, FLOOR_WRITE, 100, 0, NULL},
    {"update_campaign_status_tx", "update_campaign_status_tx", p_status, 1000, FLOOR_WRITE, 0, 0, "single-write"},
    {"is_valid_status_transition", "is_valid_status_transition", p_valid, 2000, FLOOR_READ, 0, 0, NULL},
    {"update_coverage_status_tx", "update_coverage_status_tx", p_coverage, 1000, FLOOR_WRITE, 0, 0, "single-write"},
    {"track_api_cost_tx", "track_api_cost_tx", p_cost, 2000, FLOOR_WRITE, 0, 0, "single-write"},
    {"track_api_cost_tx (with p_request_id)", "track_api_cost_tx", p_cost_keyed, 1000, FLOOR_WRITE, 0, 0, "single-write"},
    {"track_api_cost_tx (replayed)", "track_api_cost_tx", p_cost_replayed, 1000, FLOOR_READ, 0, 1, NULL},
    {"batch_upsert_businesses_tx (10 new)", "batch_upsert_businesses_tx", p_batch, 200, FLOOR_BATCH, 10, 0, NULL},
    {"batch_upsert_businesses_tx (100 new)", "batch_upsert_businesses_tx", p_batch, 50, FLOOR_BATCH, 100, 0, NULL},
    {"batch_upsert_businesses_tx (1000 new)", "batch_upsert_businesses_tx", p_batch, 10, FLOOR_BATCH, 1000, 0, NULL},
    {"batch_upsert_businesses_tx (5000 new)", "batch_upsert_businesses_tx", p_batch, 3, FLOOR_BATCH, 5000, 0, NULL},
    {"batch_upsert_businesses_tx (1000 re-scraped)", "batch_upsert_businesses_tx", p_batch, 10, FLOOR_RESCRAPE, 1000, 1, NULL},
    {"save_facebook_enrichment_tx", "save_facebook_enrichment_tx", p_facebook, 1000, FLOOR_WRITE, 0, 0, "single-write"},
    {"save_linkedin_enrichment_tx", "save_linkedin_enrichment_tx", p_linkedin, 1000, FLOOR_WRITE, 0, 0, "single-write"},
    {"update_email_verification_tx", "update_email_verification_tx", p_verify, 1000, FLOOR_WRITE, 0, 0, "single-write"},
    {"update_campaign_statistics_tx", "update_campaign_statistics_tx", p_campaign, 50, FLOOR_READ, 0, 0, NULL},
    {"get_campaign", "get_campaign", p_campaign, 2000, FLOOR_READ, 0, 0, NULL},
    {"list_campaigns (20)", "list_campaigns", p_list, 1000, FLOOR_READ, 0, 0, NULL},
    {"get_businesses_for_enrichment (100 rows)", "get_businesses_for_enrichment", p_queue, 200, FLOOR_READ, 0, 0, NULL},
    {"list_businesses (first 100)", "list_businesses", p_page, 200, FLOOR_READ, 0, 0, NULL},
    {"list_businesses (100 after a business)", "list_businesses", p_page_after, 200, FLOOR_READ, 0, 0, NULL},
    {"list_businesses (100, filtered and searched)", "list_businesses", p_page_filtered, 200, FLOOR_READ, 0, 0, NULL},
    {"get_business", "get_business", p_business, 1000, FLOOR_READ, 0, 0, NULL},
    {"list_coverage (first 100)", "list_coverage", p_page, 500, FLOOR_READ, 0, 0, NULL},
    {"list_costs (first 100)", "list_costs", p_page, 500, FLOOR_READ, 0, 0, NULL},
    {"get_status_history", "get_status_history", p_campaign, 1000, FLOOR_READ, 0, 0, NULL},
};

/* Measured again at each size of the scale series: what may grow with the campaign. */
static const op_row scale_ops[] = {
    {"get_campaign", "get_campaign", p_campaign, 300, FLOOR_READ, 0, 0, NULL},
    {"update_campaign_statistics_tx", "update_campaign_statistics_tx", p_campaign, 30, FLOOR_READ, 0, 0, NULL},
    {"get_businesses_for_enrichment (100 rows)", "get_businesses_for_enrichment", p_queue, 100, FLOOR_READ, 0, 0, NULL},
    {"list_campaigns (20)", "list_campaigns", p_list, 300, FLOOR_READ, 0, 0, NULL},
    {"list_businesses (first 100)", "list_businesses", p_page, 100, FLOOR_READ, 0, 0, NULL},
    {"list_costs (first 100)", "list_costs", p_page, 100, FLOOR_READ, 0, 0, NULL},
    {"save_facebook_enrichment_tx", "save_facebook_enrichment_tx", p_facebook, 300, FLOOR_WRITE, 0, 0, NULL},
    {"track_api_cost_tx", "track_api_cost_tx", p_cost, 300, FLOOR_WRITE, 0, 0, NULL},
};

static char *p_create(const op_row *row, int i) { return zips(row->n, i); }
static char *p_batch(const op_row *row, int i) {
  char *rows = bench_businesses_json(series, row->floor == FLOOR_RESCRAPE ? 0 : i, row->n);
  char *p = bench_fmt("{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"10000\",\"p_businesses\":%s}", campaign, rows);
  free(rows);
  return p;
}

/*--- Measuring an operation and its floor ---*/

static double op_call(void *ctx, int i) {
  const op_row *row = ctx;
  char *p = row->params(row, i), *result = NULL;
  double start = bench_now_us();
  int rc = leadstore_call(db, &service, row->op, p, &result);
  double us = bench_now_us() - start;
  if (rc != LEADSTORE_OK) fprintf(stderr, "bench: %s: %s\n", row->op, result ? result : "?");
  leadstore_free(result), free(p);
  return rc == LEADSTORE_OK ? us : -1;
}

typedef struct floor_ctx {
  floor_kind kind;
  int n, base;
} floor_ctx;

static double floor_call(void *ctx, int i) {
  floor_ctx *c = ctx;
  int batch = c->kind == FLOOR_RESCRAPE ? 0 : i, rc;
  char *json = c->n && pg_target ? bench_businesses_json(c->base, batch, c->n) : NULL;
  double start = bench_now_us();
  switch (c->kind) {
  case FLOOR_READ: rc = floor_read(fl, campaign); break;
  case FLOOR_WRITE: rc = floor_write(fl, campaign, i); break;
  default: rc = floor_batch(fl, campaign, c->base, batch, c->n, json); break;
  }
  double us = bench_now_us() - start;
  free(json);
  return rc == 0 ? us : -1;
}

static const char *floor_label(floor_kind k, int n) {
  static char buf[64];
  switch (k) {
  case FLOOR_READ: return "floor: point read of the campaign row";
  case FLOOR_WRITE: return "floor: one-row commit (lock, insert, update)";
  case FLOOR_BATCH: snprintf(buf, sizeof buf, "floor: upsert of %d new rows, one commit", n); return buf;
  case FLOOR_RESCRAPE: snprintf(buf, sizeof buf, "floor: upsert of %d known rows, one commit", n); return buf;
  default: return "";
  }
}

/* A point of the plot for the floor (series label) at x, once. */
static void floor_point(const char *plot, const char *label, double x, const bench_result *r) {
  if (bench_find("plot", engine, label, (long)x)) return;
  bench_row p = {.table = "plot", .size = (long)x, .plot = plot, .x = x, .r = *r};
  snprintf(p.engine, sizeof p.engine, "%s", engine);
  snprintf(p.label, sizeof p.label, "%s", label);
  snprintf(p.series, sizeof p.series, "%s", label);
  bench_add(&p);
}

/* Measures one operation interleaved with its floor (call i of each in
 * turn, bench_pair), so both see the same moments of a noisy machine; adds
 * its row. */
static void measure(const op_row *o, const char *table, long size) {
  if (mode.is_short && o->n > 1000) return; /* the 5000-business batch: full mode only */
  if (!selected(o->label)) return;
  series++;
  if (o->warm && op_call((void *)o, 0) < 0) bench_die("%s: the first call failed", o->op);
  floor_ctx fc = {o->floor, o->n, 1000000 + series};
  if (o->floor == FLOOR_RESCRAPE && floor_call(&fc, 0) < 0) bench_die("floor: the first batch failed");
  bench_row row = {.table = table, .size = size, .tag = o->tag};
  snprintf(row.engine, sizeof row.engine, "%s", engine);
  snprintf(row.label, sizeof row.label, "%s", o->label);
  int calls = mode.is_short ? 3 : o->calls < mode.max_calls ? o->calls : mode.max_calls;
  if (o->floor == FLOOR_NONE) row.r = bench_run(calls, mode.budget_s, op_call, (void *)o);
  else {
    bench_pair(calls, mode.budget_s, op_call, (void *)o, floor_call, &fc, &row.r, &row.f);
    snprintf(row.floor, sizeof row.floor, "%s", floor_label(o->floor, o->n));
  }
  if (o->floor == FLOOR_BATCH) businesses += (long)row.r.n * o->n;
  if (o->floor == FLOOR_RESCRAPE) businesses += o->n;
  if (o->floor == FLOOR_BATCH && !strcmp(table, "ops")) {
    row.plot = "batch", row.x = o->n;
    snprintf(row.series, sizeof row.series, "%s", engine);
    char *fs = bench_fmt("%s floor", engine);
    floor_point("batch", fs, o->n, &row.f);
    free(fs);
  }
  if (!strcmp(table, "scale")) {
    row.plot = pg_target ? "scale-postgresql" : "scale-sqlite", row.x = size;
    snprintf(row.series, sizeof row.series, "%s", o->label);
    if (o->floor == FLOOR_READ) floor_point(row.plot, "floor: point read", size, &row.f);
    if (o->floor == FLOOR_WRITE) floor_point(row.plot, "floor: one-row commit", size, &row.f);
  }
  bench_add(&row);
  fprintf(stderr, "bench: %s %s%s: p50 %.0f µs (floor %.0f µs)\n", engine, o->label, size ? " (scale)" : "", row.r.p50,
          row.f.p50);
}

/*--- Engines ---*/

/* Opens target, migrates, opens its floor; a fresh main campaign. */
static void start(const char *target, leadstore_durability d, const char *name) {
  char *msg = NULL;
  leadstore_options o = {.durability = d, .create = 1, /* a fresh file of its own */
                         .sqlite_cache_mib = mode.cache_mib, .sqlite_mmap_mib = mode.mmap_mib};
  if (leadstore_open(target, &o, &db, &msg)) bench_die("%s", msg);
  if (leadstore_migrate(db, &msg)) bench_die("%s", msg);
  leadstore_free(msg);
  engine = name;
  fl = floor_open(pg_target != NULL, target, d == LEADSTORE_DURABLE_FULL, 1);
}

static void stop(void) {
  floor_close(fl), leadstore_close(db);
  fl = NULL, db = NULL;
}

/* A new running campaign with zips ZIPs as the current one (business unset). */
static void new_campaign(int nzips) {
  char *p = zips(nzips, 0);
  call("create_campaign_with_coverage_tx", p, "campaign_id", campaign);
  free(p);
  p = bench_fmt("{\"p_campaign_id\":\"%s\",\"p_new_status\":\"running\"}", campaign);
  call("update_campaign_status_tx", p, NULL, NULL);
  free(p);
  floor_campaign(fl, campaign);
  business[0] = fb_enrichment[0] = 0;
  businesses = 0;
}

/* What autovacuum does within a minute in production: fresh planner statistics. */
static void analyze(void) {
  if (!pg_target) return;
  PGconn *c = PQconnectdb(pg_target);
  PQclear(PQexec(c, "ANALYZE"));
  PQfinish(c);
}

/* Every operation of `ops` on the open engine. */
static void run_ops(void) {
  new_campaign(10);
  for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
    if (ops[i].floor == FLOOR_RESCRAPE) analyze();
    measure(&ops[i], "ops", 0);
  }
  bench_row info = {.table = "info", .size = businesses, .r = {1, 1, 1, 1, 1}};
  snprintf(info.engine, sizeof info.engine, "%s", engine);
  snprintf(info.label, sizeof info.label, "businesses in the campaign at the end");
  bench_add(&info);
}

/* One campaign grown to each size of the series; `scale_ops` measured at each. */
static void run_scale(void) {
  int any = 0;
  for (size_t i = 0; i < sizeof scale_ops / sizeof *scale_ops; i++) any |= selected(scale_ops[i].label);
  if (!any) return;
  new_campaign(10);
  long have = 0;
  int fill_series = ++series + 2000000;
  for (int s = 0; s < mode.nsizes; s++) {
    for (; have < mode.sizes[s]; have += mode.fill) {
      char *rows = bench_businesses_json(fill_series, (int)(have / mode.fill), mode.fill);
      char *p = bench_fmt("{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"10000\",\"p_businesses\":%s}", campaign, rows);
      call("batch_upsert_businesses_tx", p, NULL, NULL);
      free(rows), free(p);
    }
    analyze();
    for (size_t i = 0; i < sizeof scale_ops / sizeof *scale_ops; i++) measure(&scale_ops[i], "scale", have);
  }
}

/* The whole set on one engine: ops, then (series_too) the scale and concurrency series. */
static void run_engine(const char *target, leadstore_durability d, const char *name, int series_too) {
  start(target, d, name);
  run_ops();
  if (series_too) run_scale();
  stop();
  if (series_too && selected("writers")) {
    writers_config wc = {target, pg_target != NULL, name, mode.writer_s, mode.writer_calls};
    for (int i = 0; i < 3; i++) writers_measure(&wc, mode.writers[i]);
  }
}

static void run_sqlite(const char *dir, leadstore_durability d) {
  int full = d == LEADSTORE_DURABLE_FULL;
  if (!engine_selected(full ? "sqlite-durable" : "sqlite-normal")) return;
  char *path = bench_fmt("%s/bench-%s.db", dir, full ? "full" : "normal");
  char *wal = bench_fmt("%s-wal", path), *shm = bench_fmt("%s-shm", path);
  unlink(path), unlink(wal), unlink(shm);
  run_engine(path, d, full ? "sqlite-durable" : "sqlite-normal", full);
  unlink(path), unlink(wal), unlink(shm);
  free(path), free(wal), free(shm);
}

static void run_pg(const char *server) {
  if (!engine_selected("postgresql")) return;
  char *admin = bench_fmt("%s dbname=postgres", server), *target = bench_fmt("%s dbname=leadstore_bench", server);
  PGconn *c = PQconnectdb(admin);
  PQclear(PQexec(c, "SET client_min_messages = warning"));
  PQclear(PQexec(c, "DROP DATABASE IF EXISTS leadstore_bench WITH (FORCE)"));
  PGresult *r = PQexec(c, "CREATE DATABASE leadstore_bench");
  if (PQresultStatus(r) != PGRES_COMMAND_OK) bench_die("%s", PQerrorMessage(c));
  PQclear(r);
  PQfinish(c);
  pg_target = target;
  run_engine(target, LEADSTORE_DURABLE_FULL, "postgresql", 1);
  pg_target = NULL;
  free(admin), free(target);
}

/*--- The machine ---*/

/* The first line of `cmd`'s output, or "?". */
static char *first_line(const char *cmd) {
  char buf[256] = "?";
  FILE *p = popen(cmd, "r");
  if (p) {
    if (!fgets(buf, sizeof buf, p)) snprintf(buf, sizeof buf, "?");
    pclose(p);
  }
  buf[strcspn(buf, "\n")] = 0;
  return strdup(buf);
}

static char *machine(const char *server, const char *cmdline) {
  struct utsname u;
  uname(&u);
  char *cpu = first_line("sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1");
  char *load = first_line("cut -d' ' -f1-3 /proc/loadavg");
  char *mem = first_line("awk '/^MemTotal/ { printf \"%.0f GiB\", $2 / 1048576 }' /proc/meminfo");
  char *pgv = strdup("none");
  if (server) {
    char *admin = bench_fmt("%s dbname=postgres", server);
    PGconn *c = PQconnectdb(admin);
    PGresult *r = PQexec(c, "SELECT current_setting('server_version') || ', fsync=' || current_setting('fsync')"
                            " || ', synchronous_commit=' || current_setting('synchronous_commit')");
    if (PQresultStatus(r) == PGRES_TUPLES_OK) free(pgv), pgv = strdup(PQgetvalue(r, 0, 0));
    PQclear(r), PQfinish(c), free(admin);
  }
  char *s = bench_fmt("leadstore %s, `%s` (%s mode). Machine: %s %s, %ld cores (%s), %s RAM; "
                      "load average at the start: %s. SQLite %s; PostgreSQL %s (Unix socket).",
                      leadstore_version(), cmdline, mode.is_short ? "short" : "full", u.sysname, u.release,
                      sysconf(_SC_NPROCESSORS_ONLN), cpu, mem, load, sqlite3_libversion(), pgv);
  free(cpu), free(load), free(mem), free(pgv);
  return s;
}

int main(int argc, char **argv) {
  const char *http = NULL, *group = NULL, *sizes = NULL;
  int a = 1;
  for (; a < argc && argv[a][0] == '-'; a++) {
    if (!strcmp(argv[a], "--short")) mode.is_short = 1;
    else if (!strcmp(argv[a], "--http") && a + 1 < argc) http = argv[++a];
    else if (!strcmp(argv[a], "--group-commit") && a + 1 < argc) group = argv[++a];
    else if (!strcmp(argv[a], "--only") && a + 1 < argc) {
      if (regcomp(&mode.only, argv[++a], REG_EXTENDED | REG_NOSUB)) bench_die("--only: a bad regular expression");
      mode.has_only = 1;
    } else if (!strcmp(argv[a], "--engines") && a + 1 < argc) mode.engines = argv[++a];
    else if (!strcmp(argv[a], "--sizes") && a + 1 < argc) sizes = argv[++a];
    else if (!strcmp(argv[a], "--sqlite-cache") && a + 1 < argc) mode.cache_mib = atoi(argv[++a]);
    else if (!strcmp(argv[a], "--sqlite-mmap") && a + 1 < argc) mode.mmap_mib = atoi(argv[++a]);
    else bench_die("usage: bench [--short] [--only REGEX] [--engines LIST] [--sizes LIST] [--sqlite-cache MIB] "
                     "[--sqlite-mmap MIB] [--http FILE] [--group-commit FILE] [DIR [PG_SERVER]]");
  }
  const char *dir = a < argc ? argv[a] : "build", *server = a + 1 < argc ? argv[a + 1] : NULL;
  if (mode.is_short) {
    mode.budget_s = 0.05, mode.max_calls = 3, mode.fill = 50, mode.nsizes = 2;
    mode.sizes[0] = 50, mode.sizes[1] = 150;
    mode.writers[0] = 1, mode.writers[1] = 2, mode.writers[2] = 4, mode.writer_calls = 3;
  }
  if (sizes) {
    char *end;
    mode.nsizes = 0;
    for (const char *p = sizes; *p && mode.nsizes < 3; p = *end ? end + 1 : end) {
      long n = strtol(p, &end, 10);
      if (n <= 0 || (*end && *end != ',')) bench_die("--sizes: a comma list of positive numbers");
      mode.sizes[mode.nsizes++] = n;
    }
  }
  char *heading = machine(server, mode.is_short ? "build/bench --short" : "make bench");
  run_sqlite(dir, LEADSTORE_DURABLE_FULL);
  run_sqlite(dir, LEADSTORE_DURABLE_NORMAL);
  if (server) run_pg(server);
  if (http) bench_read_http(http);
  if (group) bench_read_group(group);
  char *json = bench_fmt("%s/bench.json", dir), *md = bench_fmt("%s/bench.md", dir);
  FILE *out = fopen(md, "w");
  if (!out) bench_die("cannot write %s", md);
  int bad = bench_report(out, json, dir, heading);
  fclose(out);
  bench_report(stdout, NULL, NULL, heading);
  free(json), free(md), free(heading);
  if (mode.has_only) regfree(&mode.only);
  if (bad) fprintf(stderr, "bench: %d measurements are missing or not positive\n", bad);
  return bad ? 1 : 0;
}
