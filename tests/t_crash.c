/*
 * t_crash.c — writers killed at an arbitrary point (SIGKILL, in the middle
 * of whatever call they were making) lose nothing they were told had
 * succeeded, leave no half-done call behind, and leave every invariant
 * true: on an SQLite file, on PostgreSQL, and through a `leadstore serve`
 * server (on either engine) that is itself killed -9 mid-traffic and
 * restarted.
 *
 * A trial: two writer processes (eight through the server on SQLite, whose
 * group commit then commits several of their calls at once) write costs,
 * batches and Facebook enrichments as fast as they can and report each
 * acknowledged id on a pipe; after a number of acknowledgements (varying from trial to trial, so
 * the kill lands at different points) the parent kills the writers — or,
 * through the server, kills the server first and then its clients — and
 * `check` must be clean before the next trial.  At the end every
 * acknowledged id must be stored, the campaign's cost must be exactly the
 * cost rows stored, and no counter may have drifted.
 *
 * LEADSTORE_CRASH_TRIALS=N sets the trials per target (default 3; the long
 * run of docs/reliability.md uses 100).  The server is $LEADSTORE_CLI
 * (default build/leadstore).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "support.h"

enum { MAX_WRITERS = 8, MAX_ACKS = 150 };

static const char *const tables[3] = {"gmaps_api_costs", "gmaps_businesses", "gmaps_facebook_enrichments"};

/* One writer: costs, small batches and Facebook enrichments, forever; each
 * acknowledged id goes on `out` as "<table index> <id>". */
static void writer(const char *target, const char *cid, int index, int out) {
  leadstore *db = ts_open(target);
  char business[37] = "";
  for (long i = 0;; i++) {
    json_t *r;
    int kind = i % 5 == 4 ? 1 : i % 5 == 2 && business[0] ? 2 : 0;
    if (kind == 1)
      r = ts_call(db, &ts_service, "batch_upsert_businesses_tx",
                  "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_businesses\":["
                  "{\"place_id\":\"k%d-%d-%ld\",\"name\":\"K\",\"email\":\"k%ld@x.example\"},"
                  "{\"place_id\":\"k%d-%ld\",\"name\":\"K2\"}]}",
                  cid, index, (int)getpid(), i, i, index, i % 40); /* a new place, and an update of one of 40 */
    else if (kind == 2)
      r = ts_call(db, &ts_service, "save_facebook_enrichment_tx",
                  "{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"success\":true,\"primary_email\":\"fb%ld@page.example\"}}",
                  business, i);
    else
      r = ts_call(db, &ts_service, "track_api_cost_tx",
                  "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.001}}", cid);
    if (ts_success(r)) {
      char line[64];
      const char *id = kind == 0 ? ts_str(r, "cost_id") : kind == 2 ? ts_str(r, "enrichment_id") : NULL;
      for (size_t k = 0; kind == 1 && k < json_array_size(json_object_get(r, "results")); k++) {
        id = json_string_value(json_object_get(json_array_get(json_object_get(r, "results"), k), "business_id"));
        snprintf(business, sizeof business, "%s", id ? id : "");
        snprintf(line, sizeof line, "1 %s\n", id ? id : "?");
        if (write(out, line, strlen(line)) < 0) _exit(1);
      }
      if (kind != 1) {
        snprintf(line, sizeof line, "%d %s\n", kind, id);
        if (write(out, line, strlen(line)) < 0) _exit(1);
      }
    }
    json_decref(r);
  }
}

/* The ids of a table, sorted (for bsearch); *n their number; NULL when it cannot be read. */
static int by_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static char **stored_ids(const char *target, const char *table, size_t *n) {
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT id FROM %s", table);
  char **ids = NULL;
  *n = 0;
  bool pg = strchr(target, '=') || !strncmp(target, "postgres", 8);
  if (pg) {
    PGconn *c = PQconnectdb(target);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
      ids = calloc((size_t)PQntuples(r) + 1, sizeof *ids);
      for (int i = 0; i < PQntuples(r); i++) ids[(*n)++] = strdup(PQgetvalue(r, i, 0));
    }
    PQclear(r);
    PQfinish(c);
  } else {
    sqlite3 *conn = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(target, &conn, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(conn, sql, -1, &st, NULL) == SQLITE_OK) {
      size_t cap = 1024;
      ids = calloc(cap, sizeof *ids);
      while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n + 1 == cap) ids = realloc(ids, (cap *= 2) * sizeof *ids);
        ids[(*n)++] = strdup((const char *)sqlite3_column_text(st, 0));
      }
    }
    sqlite3_finalize(st);
    sqlite3_close(conn);
  }
  if (ids) qsort(ids, *n, sizeof *ids, by_text);
  return ids;
}

typedef struct acks {
  char (*id)[37];
  int *table;
  int n, cap;
} acks;

static void ack_add(acks *a, const char *line) {
  if (a->n == a->cap) {
    a->cap = a->cap ? 2 * a->cap : 1024;
    a->id = realloc(a->id, (size_t)a->cap * sizeof *a->id);
    a->table = realloc(a->table, (size_t)a->cap * sizeof *a->table);
    if (!a->id || !a->table) exit(2);
  }
  a->table[a->n] = line[0] - '0';
  snprintf(a->id[a->n++], 37, "%.36s", line + 2);
}

/* Trials on `target`; through a server when cli is not NULL (the server is started on `target`
 * for each trial, killed -9 mid-traffic, and started again by the next). */
static void trials_on(const char *name, const char *target, const char *cli, int trials, int writers) {
  leadstore *db = ts_open(target);
  char *report = NULL;
  leadstore_migrate(db, &report);
  leadstore_free(report);
  json_t *r = ts_call(db, &ts_service, "create_campaign_with_coverage_tx",
                      "{\"p_campaign_data\":{\"name\":\"crash\"},\"p_coverage_data\":[{\"zip\":\"90001\"}]}");
  char cid[37];
  snprintf(cid, sizeof cid, "%s", ts_str(r, "campaign_id"));
  json_decref(r);
  leadstore_close(db);

  acks a = {0};
  int dirty = 0, started = 0;
  for (int trial = 0; trial < trials; trial++) {
    pid_t server = 0;
    char *url = NULL;
    if (cli) {
      if (!(url = ts_serve(cli, target, &server))) break;
      started++;
    }
    int fds[2];
    if (pipe(fds)) exit(2);
    pid_t pids[MAX_WRITERS];
    for (int w = 0; w < writers; w++)
      if ((pids[w] = fork()) == 0) {
        close(fds[0]);
        writer(url ? url : target, cid, w, fds[1]);
      }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    char line[64];
    int want = 10 + (trial * 53) % (MAX_ACKS - 10), got = 0; /* the kill lands somewhere else each trial */
    while (got < want && fgets(line, sizeof line, in)) ack_add(&a, line), got++;
    if (server) {
      kill(server, SIGKILL); /* wherever its threads are */
      ts_serve_stop(server); /* reaps it */
    }
    for (int w = 0; w < writers; w++) kill(pids[w], SIGKILL);
    while (fgets(line, sizeof line, in)) ack_add(&a, line); /* acks already written */
    fclose(in);
    for (int w = 0; w < writers; w++) waitpid(pids[w], NULL, 0);
    free(url);
    db = ts_open(target);
    int v = ts_check(db);
    leadstore_close(db);
    if (v != 0) {
      tap_diag("%s: trial %d: check found %d violations", name, trial + 1, v);
      dirty++;
    }
  }
  if (cli) OK(started == trials, "%s: the server started for each of the %d trials (%d)", name, trials, started);

  int missing = 0;
  size_t stored[3] = {0};
  for (int t = 0; t < 3; t++) {
    char **ids = stored_ids(target, tables[t], &stored[t]);
    for (int i = 0; i < a.n; i++) {
      const char *key = a.id[i];
      if (a.table[i] == t && !(ids && bsearch(&key, ids, stored[t], sizeof *ids, by_text))) {
        if (missing++ < 10) tap_diag("%s: acknowledged %s row %s is missing", name, tables[t], key);
      }
    }
    for (size_t i = 0; i < stored[t]; i++) free(ids[i]);
    free(ids);
  }
  OK(missing == 0 && a.n >= trials * 10,
     "%s: %d trials, every one of the %d acknowledged writes is stored (%d missing; %zu costs, %zu businesses, %zu enrichments)",
     name, trials, a.n, missing, stored[0], stored[1], stored[2]);
  OK(dirty == 0, "%s: check was clean after each of the %d kills", name, trials);
  db = ts_open(target);
  r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", cid);
  double total = json_number_value(json_object_get(json_object_get(r, "campaign"), "actual_cost"));
  OK((long long)(total * 1000 + 0.5) == (long long)stored[0], "%s: the campaign total is exactly the cost rows stored (%.3f)",
     name, total);
  json_decref(r);
  r = ts_call(db, &ts_service, "update_campaign_statistics_tx", "{\"p_campaign_id\":\"%s\"}", cid);
  OK(json_is_false(json_object_get(r, "drift_corrected")), "%s: no counter drifted", name);
  json_decref(r);
  leadstore_close(db);
  printf("# %s: trials %d, acknowledged writes verified %d, missing %d, check violations after a kill %d\n", name, trials, a.n,
         missing, dirty);
  free(a.id);
  free(a.table);
}

int main(int argc, char **argv) {
  (void)argc;
  const char *env = getenv("LEADSTORE_CRASH_TRIALS");
  int trials = env && atoi(env) > 0 ? atoi(env) : 3;
  const char *cli_env = getenv("LEADSTORE_CLI");
  char *cli = cli_env && *cli_env ? strdup(cli_env) : ts_build_path(argv[0], "leadstore");
  setenv("LEADSTORE_JWT_SECRET", "crash-test-secret-0123456789abcdef0123456789", 1);
  unsetenv("LEADSTORE_API_KEY");

  char *path = ts_db_path("crash");
  trials_on("sqlite", path, NULL, trials, 2);
  free(path);
  path = ts_db_path("crash-served");
  trials_on("server on sqlite", path, cli, trials, 8); /* enough writers for group commits of several calls */
  free(path);

  char *url = ts_pg_database(argv[0]);
  if (!url) return tap_done() | 1;
  trials_on("postgresql", url, NULL, trials, 2);
  ts_pg_reset(url);
  trials_on("server on postgresql", url, cli, trials, 2);
  free(url);
  free(cli);
  return tap_done();
}
