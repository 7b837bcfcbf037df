/*
 * t_concurrency.c — several processes on one database at the same time:
 * six on one SQLite file, then eight connections to PostgreSQL (the server
 * of $LEADSTORE_TEST_PG).
 *
 * Each child opens its own handle and waits at a barrier (a pipe the parent
 * closes) so that all start together; the parent then proves the outcome:
 * exact cost totals with no lost update, status changes serialised along
 * the state machine, LinkedIn winning every race against Facebook,
 * overlapping batches never duplicating a place, `check` clean — and on
 * PostgreSQL, not one deadlock reported by the server.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "support.h"

static int PROCS = 6; /* processes per race: 6 on SQLite, 8 on PostgreSQL */
enum { MAX_PROCS = 8 };

static char *path;   /* the database: a file or a PostgreSQL URL */
static bool on_pg;
static int barrier[2];

typedef int (*child_fn)(leadstore *db, int index, const char *arg);

/* Runs fn in PROCS processes at once; returns how many exited 0. */
static int race(child_fn fn, const char *arg) {
  if (pipe(barrier)) exit(2);
  pid_t pids[MAX_PROCS];
  for (int i = 0; i < PROCS; i++) {
    if ((pids[i] = fork()) == 0) {
      close(barrier[1]);
      char c;
      (void)!read(barrier[0], &c, 1); /* returns when the parent closes the pipe */
      leadstore *db = ts_open(path);
      int rc = fn(db, i, arg);
      leadstore_close(db);
      _exit(rc);
    }
  }
  close(barrier[0]);
  close(barrier[1]); /* go */
  int good = 0;
  for (int i = 0; i < PROCS; i++) {
    int status = 0;
    waitpid(pids[i], &status, 0);
    good += WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  return good;
}

/*--- costs ---------------------------------------------------------------------*/

enum { COSTS_PER_PROC = 40 };
static const char *const services[] = {"google_maps", "facebook", "linkedin", "bouncer"};

static int add_costs(leadstore *db, int index, const char *cid) {
  for (int i = 0; i < COSTS_PER_PROC; i++) {
    json_t *r = ts_call(db, &ts_service, "track_api_cost_tx",
                        "{\"p_campaign_id\":\"%s\",\"p_service\":\"%s\",\"p_cost_data\":{\"cost_usd\":0.001,\"items_processed\":1}}",
                        cid, services[(index + i) % 4]);
    bool ok = ts_success(r);
    if (!ok) fprintf(stderr, "cost call failed: %s\n", ts_str(r, "error"));
    json_decref(r);
    if (!ok) return 1;
  }
  return 0;
}

/*--- status ----------------------------------------------------------------------*/

static int change_status(leadstore *db, int index, const char *cid) {
  static const char *const walk[] = {"running", "paused", "running", "paused", "running", "completed", "failed"};
  for (int round = 0; round < 10; round++)
    for (size_t i = 0; i < sizeof walk / sizeof walk[0]; i++) {
      json_t *r = ts_call(db, &ts_service, "update_campaign_status_tx",
                          "{\"p_campaign_id\":\"%s\",\"p_new_status\":\"%s\",\"p_metadata\":{\"proc\":%d}}", cid,
                          walk[(i + (size_t)index) % (sizeof walk / sizeof walk[0])], index);
      bool fine = ts_success(r) || !strcmp(ts_code(r), "P0001"); /* refused by the state machine */
      if (!fine) fprintf(stderr, "status call failed: %s\n", ts_str(r, "error"));
      json_decref(r);
      if (!fine) return 1;
    }
  return 0;
}

/* The status history rows of a campaign, in order: "old>new" strings ("" for no old). */
static int history_rows(const char *cid, char rows[][40], int max) {
  int n = 0;
  if (on_pg) {
    PGconn *conn = PQconnectdb(path);
    const char *values[1] = {cid};
    PGresult *res = PQexecParams(conn,
                                 "SELECT coalesce(old_status, ''), new_status FROM gmaps_campaign_status_history "
                                 "WHERE campaign_id = $1::uuid ORDER BY seq",
                                 1, NULL, values, NULL, NULL, 0);
    for (int r = 0; PQresultStatus(res) == PGRES_TUPLES_OK && r < PQntuples(res) && n < max; r++)
      snprintf(rows[n++], 40, "%s>%s", PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
    if (PQresultStatus(res) != PGRES_TUPLES_OK) n = -1;
    PQclear(res);
    PQfinish(conn);
    return n;
  }
  sqlite3 *conn = NULL;
  sqlite3_stmt *st = NULL;
  if (sqlite3_open(path, &conn) != SQLITE_OK ||
      sqlite3_prepare_v2(conn,
                         "SELECT coalesce(old_status, ''), new_status FROM gmaps_campaign_status_history "
                         "WHERE campaign_id = ?1 ORDER BY seq",
                         -1, &st, NULL) != SQLITE_OK)
    n = -1;
  sqlite3_bind_text(st, 1, cid, -1, SQLITE_STATIC);
  int rc = SQLITE_DONE;
  while (n >= 0 && n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
    snprintf(rows[n++], 40, "%s>%s", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) n = -1;
  sqlite3_finalize(st);
  sqlite3_close(conn);
  return n;
}

/* The history as a chain: every row starts where the previous ended, along a valid transition. */
static bool history_is_a_chain(const char *cid, int *rows) {
  static char h[512][40];
  static const char *const pairs[] = {"draft>running", "running>paused", "running>completed",
                                      "running>failed", "paused>running"};
  int n = history_rows(cid, h, 512);
  *rows = n;
  bool ok = n > 0 && !strcmp(h[0], ">draft");
  for (int i = 1; ok && i < n; i++) {
    bool valid = false;
    for (size_t k = 0; k < 5; k++) valid |= !strcmp(h[i], pairs[k]);
    const char *prev_to = strchr(h[i - 1], '>') + 1;
    ok = valid && !strncmp(h[i], prev_to, strlen(prev_to)) && h[i][strlen(prev_to)] == '>';
    if (!ok) tap_diag("history row %d: %s after %s", i + 1, h[i], h[i - 1]);
  }
  return ok;
}

/* Deadlocks the PostgreSQL server has counted in this database so far. */
static long long deadlocks(void) {
  PGconn *conn = PQconnectdb(path);
  PGresult *res = PQexec(conn, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
  long long n = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 ? atoll(PQgetvalue(res, 0, 0)) : -1;
  PQclear(res);
  PQfinish(conn);
  return n;
}

/*--- enrichment races ----------------------------------------------------------------*/

enum { RACED = 25 };

static int enrich(leadstore *db, int index, const char *cid) {
  json_t *list = ts_call(db, &ts_service, "get_businesses_for_enrichment",
                         "{\"p_campaign_id\":\"%s\",\"p_enrichment_type\":\"verification\",\"p_limit\":1000}", cid);
  json_t *bs = json_object_get(list, "businesses");
  int bad = json_array_size(bs) != RACED;
  for (size_t k = 0; !bad && k < RACED; k++) {
    size_t i = index % 2 ? RACED - 1 - k : k; /* half the processes walk backwards */
    const char *bid = json_string_value(json_object_get(json_array_get(bs, i), "id"));
    json_t *r = index % 2 == 0
                    ? ts_call(db, &ts_service, "save_facebook_enrichment_tx",
                              "{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"success\":true,\"primary_email\":\"fb%d-%zu@page.example\"}}",
                              bid, index, i)
                    : ts_call(db, &ts_service, "save_linkedin_enrichment_tx",
                              "{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"linkedin_url\":\"https://linkedin.com/in/p%zu\",\"primary_email\":\"li%d-%zu@profile.example\"}}",
                              bid, i, index, i);
    bad = !ts_success(r);
    if (bad) fprintf(stderr, "enrichment failed: %s\n", ts_str(r, "error"));
    json_decref(r);
  }
  json_decref(list);
  return bad;
}

/*--- overlapping batches ----------------------------------------------------------------*/

enum { PLACES = 120 };

static int upsert(leadstore *db, int index, const char *cid) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  fprintf(f, "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"9000%d\",\"p_businesses\":[", cid, index % 3);
  for (int k = 0; k < PLACES; k++) {
    int i = (k * 7 + index * 13) % PLACES; /* every process its own order */
    fprintf(f, "%s{\"place_id\":\"place-%d\",\"name\":\"Shop %d\"%s}", k ? "," : "", i, i,
            (i + index) % 4 == 0 ? ",\"email\":\"shop@example.com\"" : "");
  }
  fprintf(f, "]}");
  fclose(f);
  char *result = NULL;
  int rc = leadstore_call(db, &ts_service, "batch_upsert_businesses_tx", buf, &result);
  if (rc) fprintf(stderr, "batch failed: %s\n", result);
  leadstore_free(result);
  free(buf);
  return rc != 0;
}

/*--- the tests -------------------------------------------------------------------------*/

static char *new_campaign(leadstore *db, const char *name) {
  json_t *r = ts_call(db, &ts_service, "create_campaign_with_coverage_tx",
                      "{\"p_campaign_data\":{\"name\":\"%s\"},\"p_coverage_data\":[{\"zip\":\"90000\"},{\"zip\":\"90001\"},{\"zip\":\"90002\"}]}",
                      name);
  char *id = strdup(ts_str(r, "campaign_id"));
  json_decref(r);
  return id;
}

/* All four races on the database at `path`, and the proofs. */
static void suite(const char *engine) {
  leadstore *db = ts_open(path);
  char *costs = new_campaign(db, "costs"), *status = new_campaign(db, "status"), *race_c = new_campaign(db, "race"),
       *batch = new_campaign(db, "batches");
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (!m) exit(2);
  fprintf(m, "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90000\",\"p_businesses\":[", race_c);
  for (int i = 0; i < RACED; i++)
    fprintf(m, "%s{\"place_id\":\"r%d\",\"name\":\"R %d\",\"email\":\"gm%d@maps.example\"}", i ? "," : "", i, i, i);
  fprintf(m, "]}");
  if (fclose(m) != 0) exit(2);
  char *ignored = NULL;
  leadstore_call(db, &ts_service, "batch_upsert_businesses_tx", buf, &ignored);
  leadstore_free(ignored);
  free(buf);
  leadstore_close(db); /* no connection crosses a fork */

  long long deadlocks_before = on_pg ? deadlocks() : 0;
  OK(race(add_costs, costs) == PROCS, "%s: %d processes × %d cost calls all succeed", engine, PROCS, COSTS_PER_PROC);
  OK(race(change_status, status) == PROCS, "%s: %d processes racing status changes get success or P0001 only", engine,
     PROCS);
  OK(race(enrich, race_c) == PROCS, "%s: %d processes race Facebook against LinkedIn saves", engine, PROCS);
  OK(race(upsert, batch) == PROCS, "%s: %d processes upsert overlapping batches", engine, PROCS);
  if (on_pg) {
    long long after = deadlocks();
    OK(deadlocks_before >= 0 && after == deadlocks_before, "%s: the server reported no deadlock (%lld before, %lld after)",
       engine, deadlocks_before, after);
  }

  db = ts_open(path);
  json_t *r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", costs);
  json_t *c = json_object_get(r, "campaign");
  double total = PROCS * COSTS_PER_PROC * 0.001;
  OK(json_number_value(json_object_get(c, "actual_cost")) == total, "%s: actual_cost is exactly %.3f (got %.15g)", engine, total,
     json_number_value(json_object_get(c, "actual_cost")));
  double per = json_number_value(json_object_get(c, "google_maps_cost")) + json_number_value(json_object_get(c, "facebook_cost")) +
               json_number_value(json_object_get(c, "linkedin_enrichment_cost")) +
               json_number_value(json_object_get(c, "bouncer_verification_cost"));
  OK(per > total - 1e-9 && per < total + 1e-9, "%s: the four services add up to it", engine);
  long long rows = 0;
  leadstore_test_count_rows(db, "gmaps_api_costs", &rows);
  OK(rows == PROCS * COSTS_PER_PROC, "%s: one cost row per call (%lld)", engine, rows);
  json_decref(r);

  int hist = 0;
  bool chain = history_is_a_chain(status, &hist);
  OK(chain && hist > 2, "%s: the status history is one valid chain (%d rows)", engine, hist);
  r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", status);
  const char *final = json_string_value(json_object_get(json_object_get(r, "campaign"), "status"));
  OK(final && (!strcmp(final, "completed") || !strcmp(final, "failed")), "%s: it ended terminal (%s)", engine, final ? final : "?");
  json_decref(r);

  r = ts_call(db, &ts_service, "get_businesses_for_enrichment",
              "{\"p_campaign_id\":\"%s\",\"p_enrichment_type\":\"linkedin\"}", race_c);
  OK(ts_success(r) && json_integer_value(json_object_get(r, "total")) == 0,
     "%s: every raced business is LinkedIn-enriched", engine);
  json_decref(r);
  r = ts_call(db, &ts_service, "get_businesses_for_enrichment",
              "{\"p_campaign_id\":\"%s\",\"p_enrichment_type\":\"verification\",\"p_limit\":1000}", race_c);
  size_t li = 0, i;
  json_t *b;
  json_array_foreach(json_object_get(r, "businesses"), i, b) li +=
      !strcmp(json_string_value(json_object_get(b, "email_source")), "linkedin") &&
      !strncmp(json_string_value(json_object_get(b, "email")), "li", 2);
  OK(li == RACED, "%s: all %d raced businesses end with a LinkedIn email (%zu)", engine, RACED, li);
  json_decref(r);

  r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", batch);
  OK(json_integer_value(json_object_get(json_object_get(r, "campaign"), "total_businesses_found")) == PLACES,
     "%s: overlapping batches made exactly %d businesses", engine, PLACES);
  json_decref(r);
  OK(ts_check(db) == 0, "%s: check is clean after the races (counters, costs, sources, status)", engine);
  leadstore_close(db);
  free(costs), free(status), free(race_c), free(batch);
}

int main(int argc, char **argv) {
  (void)argc;
  path = ts_db_path("race");
  suite("sqlite");
  free(path);
  if (!(path = ts_pg_database(argv[0]))) return tap_done() | 1;
  leadstore *db = ts_open(path);
  char *report = NULL;
  OK(leadstore_migrate(db, &report) == LEADSTORE_OK, "postgresql: migrated");
  leadstore_free(report);
  leadstore_close(db);
  on_pg = true;
  PROCS = 8;
  suite("postgresql");
  free(path);
  return tap_done();
}
