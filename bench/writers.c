/*
 * writers.c — n concurrent durable writers on one database (the performance goals'
 * group-commit goal): n threads, each with its own leadstore handle (its own
 * SQLite connection to the one file, or its own PostgreSQL connection),
 * start together and call track_api_cost_tx on their own campaigns for a
 * fixed time; throughput is all calls over the wall time.  The floor: the
 * same n threads each with its own floor connection (floor.c) doing the
 * one-row commit.  On SQLite every commit takes the file's one write lock,
 * so the writers queue for it (busy timeout 10 s).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bench.h"
#include "leadstore.h"
#include "writers.h"

static const leadstore_caller service = {LEADSTORE_ROLE_SERVICE, NULL};
/* the benchmark's files are its own scratch databases: made on first use */
static const leadstore_options create = {.create = 1};

typedef struct writer {
  const writers_config *c;
  int floor;                 /* 1 = the floor's writes */
  char campaign[37];
  leadstore *db;
  bench_floor *fl;
  pthread_barrier_t *go;
  double *t;                 /* latencies, µs */
  int n, cap, failed;
} writer;

static double deadline_us; /* shared: when every writer stops (timed mode) */
static pthread_mutex_t deadline_lock = PTHREAD_MUTEX_INITIALIZER;

static void *writer_main(void *arg) {
  writer *w = arg;
  char *p = bench_fmt("{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.001,"
                      "\"items_processed\":1}}", w->campaign);
  pthread_barrier_wait(w->go);
  pthread_mutex_lock(&deadline_lock);
  if (deadline_us == 0) deadline_us = bench_now_us() + w->c->seconds * 1e6;
  double deadline = deadline_us;
  pthread_mutex_unlock(&deadline_lock);
  for (int i = 0; w->c->calls > 0 ? i < w->c->calls : bench_now_us() < deadline; i++) {
    if (w->n == w->cap) {
      w->cap = w->cap ? 2 * w->cap : 1024;
      if (!(w->t = realloc(w->t, sizeof *w->t * (size_t)w->cap))) bench_die("out of memory");
    }
    char *result = NULL;
    double start = bench_now_us();
    int rc = w->floor ? floor_write(w->fl, w->campaign, i) : leadstore_call(w->db, &service, "track_api_cost_tx", p, &result);
    w->t[w->n++] = bench_now_us() - start;
    if (rc != 0) {
      fprintf(stderr, "bench: writer: %s\n", result ? result : "the floor's write failed");
      w->failed = 1;
    }
    leadstore_free(result);
    if (rc != 0) break;
  }
  free(p);
  return NULL;
}

/* Runs n writers (floor or not) on the campaigns; returns their summary. */
static bench_result run(const writers_config *c, int n, int floor, char (*campaigns)[37]) {
  writer *w = calloc((size_t)n, sizeof *w);
  pthread_t *th = calloc((size_t)n, sizeof *th);
  pthread_barrier_t go;
  if (!w || !th) bench_die("out of memory");
  pthread_barrier_init(&go, NULL, (unsigned)n + 1);
  for (int i = 0; i < n; i++) {
    w[i] = (writer){.c = c, .floor = floor, .go = &go};
    memcpy(w[i].campaign, campaigns[i], 37);
    if (floor) {
      w[i].fl = floor_open(c->pg, c->target, 1, 0);
      floor_campaign(w[i].fl, w[i].campaign);
    } else {
      char *msg = NULL;
      if (leadstore_open(c->target, &create, &w[i].db, &msg)) bench_die("writer %d: %s", i, msg);
    }
    if (pthread_create(&th[i], NULL, writer_main, &w[i])) bench_die("cannot start a thread");
  }
  deadline_us = 0;
  double start = bench_now_us();
  pthread_barrier_wait(&go);
  int total = 0, failed = 0;
  for (int i = 0; i < n; i++) pthread_join(th[i], NULL), total += w[i].n;
  double wall = (bench_now_us() - start) / 1e6;
  double *t = malloc(sizeof *t * (size_t)(total ? total : 1));
  if (!t) bench_die("out of memory");
  for (int i = 0, k = 0; i < n; i++) {
    memcpy(t + k, w[i].t, sizeof *t * (size_t)w[i].n), k += w[i].n;
    failed |= w[i].failed;
    free(w[i].t), leadstore_close(w[i].db), floor_close(w[i].fl);
  }
  if (failed) bench_die("%d writers on %s: a write failed", n, c->engine);
  bench_result r = bench_summarise(t, total, wall);
  pthread_barrier_destroy(&go);
  free(t), free(w), free(th);
  return r;
}

void writers_measure(const writers_config *c, int n) {
  leadstore *db = NULL;
  char *msg = NULL;
  if (leadstore_open(c->target, &create, &db, &msg)) bench_die("%s", msg);
  char (*campaigns)[37] = calloc((size_t)n, 37);
  if (!campaigns) bench_die("out of memory");
  for (int i = 0; i < n; i++) {
    char *p = bench_fmt("{\"p_campaign_data\":{\"name\":\"writer %d\"}}", i), *result = NULL;
    if (leadstore_call(db, &service, "create_campaign_with_coverage_tx", p, &result)) bench_die("%s", result);
    json_t *r = json_loads(result, 0, NULL);
    snprintf(campaigns[i], 37, "%s", json_string_value(json_object_get(r, "campaign_id")));
    json_decref(r), leadstore_free(result), free(p);
  }
  leadstore_close(db);
  bench_row row = {.table = "writers", .size = n, .plot = "writers", .x = n};
  snprintf(row.engine, sizeof row.engine, "%s", c->engine);
  snprintf(row.label, sizeof row.label, "track_api_cost_tx, %d writer%s", n, n > 1 ? "s" : "");
  snprintf(row.floor, sizeof row.floor, "floor: one-row commit, %d writer%s", n, n > 1 ? "s" : "");
  snprintf(row.series, sizeof row.series, "%s", c->engine);
  row.r = run(c, n, 0, campaigns);
  row.f = run(c, n, 1, campaigns);
  bench_add(&row);
  bench_row point = {.table = "plot", .plot = "writers", .x = n, .r = row.f};
  snprintf(point.engine, sizeof point.engine, "%s", c->engine);
  snprintf(point.series, sizeof point.series, "%s floor", c->engine);
  bench_add(&point);
  fprintf(stderr, "bench: %s, %d writers: %.0f calls/s (floor %.0f)\n", c->engine, n, row.r.per_s, row.f.per_s);
  free(campaigns);
}
