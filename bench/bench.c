/*
 * bench.c — `make bench`: every operation, timed through the public API on
 * an SQLite file (default durability, then synchronous=NORMAL) and, given a
 * server, on PostgreSQL; printed as the Markdown tables kept in
 * docs/benchmarks.md.
 *
 *   build/bench [DIR [PG_SERVER]]
 *     DIR        where the SQLite files go (default build/)
 *     PG_SERVER  a libpq keyword string of a server ("host=… port=… user=…");
 *                the database leadstore_bench is created afresh on it
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "leadstore.h"

static leadstore *db;
static const leadstore_caller service = {LEADSTORE_ROLE_SERVICE, NULL};
static char campaign[37];
static const char *pg_target; /* set while benchmarking PostgreSQL */
static char business[37];
static char fb_enrichment[37];

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Calls op, aborting the benchmark on failure; the result's field `key` copied into out. */
static void call(const char *op, const char *params, const char *key, char out[37]) {
  char *result = NULL;
  if (leadstore_call(db, &service, op, params, &result) != LEADSTORE_OK) {
    fprintf(stderr, "bench: %s failed: %s\n", op, result ? result : "?");
    exit(1);
  }
  if (key) {
    json_t *r = json_loads(result, 0, NULL);
    snprintf(out, 37, "%s", json_string_value(json_object_get(r, key)));
    json_decref(r);
  }
  leadstore_free(result);
}

typedef char *(*params_fn)(int i);

/* Times n calls of op; prints one table row. */
static void bench(const char *label, const char *op, int n, params_fn make) {
  double *t = malloc(sizeof *t * (size_t)n), total = 0;
  for (int i = 0; i < n; i++) {
    char *p = make(i);
    double start = now_us();
    call(op, p, NULL, NULL);
    t[i] = now_us() - start;
    total += t[i];
    free(p);
  }
  qsort(t, (size_t)n, sizeof *t, cmp);
  printf("| %-44s | %6d | %9.0f | %9.0f | %9.0f |\n", label, n, n / (total / 1e6), t[n / 2], t[(int)(n * 0.99)]);
  fflush(stdout);
  free(t);
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  char *s = NULL;
  if (vasprintf(&s, f, ap) < 0) exit(1);
  va_end(ap);
  return s;
}

/* A text that grows as it is written (open_memstream); text_done() hands it over. */
typedef struct text {
  FILE *f;
  char *buf;
  size_t len;
} text;
static void text_start(text *t) {
  if (!(t->f = open_memstream(&t->buf, &t->len))) exit(1);
}
static char *text_done(text *t) {
  if (fclose(t->f) != 0) exit(1);
  return t->buf;
}

static char *zips(int n, int salt) {
  text t;
  text_start(&t);
  FILE *m = t.f;
  fprintf(m, "{\"p_campaign_data\":{\"name\":\"bench %d\"},\"p_coverage_data\":[", salt);
  for (int i = 0; i < n; i++) fprintf(m, "%s{\"zip\":\"%05d\"}", i ? "," : "", 10000 + i);
  fprintf(m, "]}");
  return text_done(&t);
}
static char *create10(int i) { return zips(10, i); }
static char *create100(int i) { return zips(100, i); }
static char *status(int i) {
  return fmt("{\"p_campaign_id\":\"%s\",\"p_new_status\":\"%s\"}", campaign, i % 2 ? "running" : "paused");
}
static char *coverage(int i) {
  return fmt("{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"%05d\",\"p_results\":{\"businesses_found\":%d,\"actual_cost\":0.021}}",
             campaign, 10000 + i % 100, i);
}
static char *cost(int i) {
  static const char *s[] = {"google_maps", "facebook", "linkedin", "bouncer"};
  return fmt("{\"p_campaign_id\":\"%s\",\"p_service\":\"%s\",\"p_cost_data\":{\"cost_usd\":0.007,\"items_processed\":1}}",
             campaign, s[i % 4]);
}
static char *cost_keyed(int i) {
  return fmt("{\"p_campaign_id\":\"%s\",\"p_service\":\"bouncer\",\"p_cost_data\":{\"cost_usd\":0.002},\"p_request_id\":\"r%d\"}",
             campaign, i);
}
static int batch_base;
static char *batch(int n, int i) {
  text t;
  text_start(&t);
  FILE *m = t.f;
  fprintf(m, "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"10000\",\"p_businesses\":[", campaign);
  for (int k = 0; k < n; k++)
    fprintf(m,
            "%s{\"place_id\":\"b%d-%d-%d\",\"name\":\"Business %d\",\"address\":\"%d Main St\",\"city\":\"Austin\","
            "\"rating\":4.5,\"email\":\"info%d@example.com\",\"facebook_url\":\"https://facebook.com/b%d\"}",
            k ? "," : "", batch_base, i, k, k, k, k, k);
  fprintf(m, "]}");
  return text_done(&t);
}
static char *batch10(int i) { return batch(10, i); }
static char *batch100(int i) { return batch(100, i); }
static char *batch1000(int i) { return batch(1000, i); }
static char *rescrape100(int i) { (void)i; return batch(100, 0); }
static char *facebook(int i) {
  return fmt("{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"facebook_url\":\"https://facebook.com/x\",\"success\":true,"
             "\"emails\":[\"page%d@fb.example\"]}}", business, i);
}
static char *linkedin(int i) {
  return fmt("{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"linkedin_url\":\"https://linkedin.com/in/x\","
             "\"primary_email\":\"li%d@example.com\",\"bouncer_status\":\"deliverable\",\"bouncer_score\":95}}", business, i);
}
static char *verify(int i) {
  return fmt("{\"p_source\":\"facebook\",\"p_target_id\":\"%s\",\"p_verification_data\":{\"email\":\"page%d@fb.example\","
             "\"status\":\"deliverable\",\"score\":88}}", fb_enrichment, i);
}
static char *stats(int i) { (void)i; return fmt("{\"p_campaign_id\":\"%s\"}", campaign); }
static char *get(int i) { (void)i; return fmt("{\"p_campaign_id\":\"%s\"}", campaign); }
static char *list(int i) { (void)i; return strdup("{\"p_limit\":20}"); }
static char *queue(int i) {
  (void)i;
  return fmt("{\"p_campaign_id\":\"%s\",\"p_enrichment_type\":\"verification\",\"p_limit\":100}", campaign);
}
static char *valid(int i) { (void)i; return strdup("{\"p_current\":\"running\",\"p_new\":\"paused\"}"); }

/* Opens `target` and prints the table's heading. */
static void start(const char *target, const leadstore_options *o, const char *title) {
  char *msg = NULL;
  if (leadstore_open(target, o, &db, &msg)) {
    fprintf(stderr, "bench: %s\n", msg);
    exit(1);
  }
  char *report = NULL;
  if (leadstore_migrate(db, &report)) {
    fprintf(stderr, "bench: %s\n", report);
    exit(1);
  }
  leadstore_free(report);
  printf("\n### %s\n\n", title);
  printf("| operation | calls | calls/s | p50 µs | p99 µs |\n|---|---:|---:|---:|---:|\n");
}

/* Every operation, on the open handle. */
static void run_all(void) {
  char *p = zips(100, 0);
  call("create_campaign_with_coverage_tx", p, "campaign_id", campaign);
  free(p);
  p = fmt("{\"p_campaign_id\":\"%s\",\"p_new_status\":\"running\"}", campaign);
  call("update_campaign_status_tx", p, NULL, NULL);
  free(p);
  bench("create_campaign_with_coverage_tx (10 ZIPs)", "create_campaign_with_coverage_tx", 200, create10);
  bench("create_campaign_with_coverage_tx (100 ZIPs)", "create_campaign_with_coverage_tx", 100, create100);
  bench("update_campaign_status_tx", "update_campaign_status_tx", 1000, status);
  bench("is_valid_status_transition", "is_valid_status_transition", 2000, valid);
  bench("update_coverage_status_tx", "update_coverage_status_tx", 1000, coverage);
  bench("track_api_cost_tx", "track_api_cost_tx", 2000, cost);
  bench("track_api_cost_tx (with p_request_id)", "track_api_cost_tx", 1000, cost_keyed);
  bench("track_api_cost_tx (replayed)", "track_api_cost_tx", 1000, cost_keyed);
  bench("batch_upsert_businesses_tx (10 new)", "batch_upsert_businesses_tx", 200, batch10);
  batch_base = 1;
  bench("batch_upsert_businesses_tx (100 new)", "batch_upsert_businesses_tx", 50, batch100);
  batch_base = 2;
  bench("batch_upsert_businesses_tx (1000 new)", "batch_upsert_businesses_tx", 10, batch1000);
  batch_base = 3;
  call("batch_upsert_businesses_tx", p = batch(100, 0), NULL, NULL);
  free(p);
  bench("batch_upsert_businesses_tx (100 re-scraped)", "batch_upsert_businesses_tx", 50, rescrape100);
  if (pg_target) { /* what autovacuum does within a minute in production: fresh planner statistics */
    PGconn *c = PQconnectdb(pg_target);
    PQclear(PQexec(c, "ANALYZE"));
    PQfinish(c);
  }
  json_t *r = NULL;
  char *result = NULL;
  p = fmt("{\"p_campaign_id\":\"%s\",\"p_enrichment_type\":\"facebook\",\"p_limit\":1}", campaign);
  leadstore_call(db, &service, "get_businesses_for_enrichment", p, &result);
  free(p);
  r = json_loads(result, 0, NULL);
  snprintf(business, sizeof business, "%s",
           json_string_value(json_object_get(json_array_get(json_object_get(r, "businesses"), 0), "id")));
  json_decref(r);
  leadstore_free(result);
  p = facebook(0);
  call("save_facebook_enrichment_tx", p, "enrichment_id", fb_enrichment);
  free(p);
  bench("save_facebook_enrichment_tx", "save_facebook_enrichment_tx", 1000, facebook);
  bench("save_linkedin_enrichment_tx", "save_linkedin_enrichment_tx", 1000, linkedin);
  bench("update_email_verification_tx", "update_email_verification_tx", 1000, verify);
  bench("update_campaign_statistics_tx (≈13k businesses)", "update_campaign_statistics_tx", 50, stats);
  bench("get_campaign", "get_campaign", 2000, get);
  bench("list_campaigns (20 of 300)", "list_campaigns", 1000, list);
  bench("get_businesses_for_enrichment (100 rows)", "get_businesses_for_enrichment", 200, queue);
  leadstore_close(db);
}

static void run_sqlite(const char *dir, leadstore_durability d) {
  char *path = fmt("%s/bench-%s.db", dir, d == LEADSTORE_DURABLE_FULL ? "full" : "normal");
  char *wal = fmt("%s-wal", path), *shm = fmt("%s-shm", path);
  unlink(path), unlink(wal), unlink(shm);
  leadstore_options o = {.durability = d, .create = 1};
  start(path, &o, d == LEADSTORE_DURABLE_FULL ? "SQLite, durable (default, `synchronous=FULL`)"
                                              : "SQLite, `--durability normal` (`synchronous=NORMAL`)");
  batch_base = 0;
  run_all();
  unlink(path), unlink(wal), unlink(shm);
  free(path), free(wal), free(shm);
}

static void run_pg(const char *server) {
  char *admin = fmt("%s dbname=postgres", server), *target = fmt("%s dbname=leadstore_bench", server);
  PGconn *c = PQconnectdb(admin);
  PQclear(PQexec(c, "SET client_min_messages = warning"));
  PQclear(PQexec(c, "DROP DATABASE IF EXISTS leadstore_bench WITH (FORCE)"));
  PGresult *r = PQexec(c, "CREATE DATABASE leadstore_bench");
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    fprintf(stderr, "bench: %s", PQerrorMessage(c));
    exit(1);
  }
  PQclear(r);
  PQfinish(c);
  start(target, NULL, "PostgreSQL 15, stored functions, one round trip per call (Unix socket)");
  batch_base = 0;
  pg_target = target;
  run_all();
  pg_target = NULL;
  free(admin), free(target);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "build";
  printf("leadstore %s; one process, one handle, each call a whole transaction.\n", leadstore_version());
  run_sqlite(dir, LEADSTORE_DURABLE_FULL);
  run_sqlite(dir, LEADSTORE_DURABLE_NORMAL);
  if (argc > 2) run_pg(argv[2]);
  return 0;
}
