/*
 * t_pg.c — the PostgreSQL engine's own behaviour: migrate is safe to run
 * twice and from two processes at once; a lock timeout inside a function
 * comes back as 55P03 and a statement timeout as 57014, both with
 * retry_recommended, from the default timeouts, the options or the
 * connection string; a connection the server dropped fails one call as
 * 08xxx (retry) and is reopened on the next (with its timeouts).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "support.h"

static char *url;

/* Runs one SQL statement on a new connection; its first value ("" if none). */
static char *sql1(const char *conninfo, const char *sql) {
  PGconn *c = PQconnectdb(conninfo);
  PGresult *r = PQexec(c, sql);
  char *v = strdup(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
  PQclear(r);
  PQfinish(c);
  return v;
}

static void migrations(void) {
  int ok = 0;
  pid_t pids[2];
  for (int i = 0; i < 2; i++)
    if ((pids[i] = fork()) == 0) {
      leadstore *db = NULL;
      char *report = NULL;
      if (leadstore_open(url, NULL, &db, NULL)) _exit(1);
      int rc = leadstore_migrate(db, &report);
      leadstore_free(report);
      leadstore_close(db);
      _exit(rc != LEADSTORE_OK);
    }
  for (int i = 0; i < 2; i++) {
    int status = 0;
    waitpid(pids[i], &status, 0);
    ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  OK(ok == 2, "two processes migrating one fresh database at once both succeed");
  char *n = sql1(url, "SELECT count(*) FROM leadstore_migrations");
  char *distinct = sql1(url, "SELECT count(DISTINCT name) FROM leadstore_migrations");
  OK(atoi(n) >= 5 && !strcmp(n, distinct), "each migration is recorded once (%s)", n);
  free(n), free(distinct);
  leadstore *db = ts_open(url);
  char *report = NULL;
  int rc = leadstore_migrate(db, &report);
  OK(rc == LEADSTORE_OK && strstr(report, "\"applied\":[]"), "a third run has nothing to apply: %s", report);
  leadstore_free(report);
  leadstore_close(db);
}

/* Opens conninfo with opts, charges the locked campaign cid once; the error
 * code ("" on success), retry flag in *retry, seconds waited in *waited. */
static char *blocked_call(const char *conninfo, const leadstore_options *opts, const char *cid, bool *retry,
                          double *waited) {
  leadstore *db = NULL;
  if (leadstore_open(conninfo, opts, &db, NULL)) return strdup("open failed");
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  json_t *r = ts_call(db, &ts_service, "track_api_cost_tx",
                      "{\"p_campaign_id\":\"%s\",\"p_service\":\"bouncer\",\"p_cost_data\":{\"cost_usd\":1}}", cid);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  *waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  *retry = json_is_true(json_object_get(r, "retry_recommended"));
  char *code = strdup(ts_code(r));
  json_decref(r);
  leadstore_close(db);
  return code;
}

/* The call waits on a row lock another session holds: the timeouts that
 * apply, from the options, the connection string or the defaults. */
static void timeouts(const char *cid) {
  PGconn *holder = PQconnectdb(url);
  char sql[160];
  snprintf(sql, sizeof sql, "SELECT id FROM gmaps_campaigns WHERE id = '%s' FOR UPDATE", cid);
  PQclear(PQexec(holder, "BEGIN"));
  PGresult *held = PQexec(holder, sql);
  OK(PQresultStatus(held) == PGRES_TUPLES_OK && PQntuples(held) == 1, "another session locks the campaign row");
  PQclear(held);

  bool retry = false;
  double waited = 0;
  char *code = blocked_call(url, NULL, cid, &retry, &waited);
  OK(!strcmp(code, "55P03") && retry && waited >= 9.5,
     "by default a call waits 10 s for a lock, then fails as 55P03, retry recommended (%s after %.1f s)", code, waited);
  free(code);

  leadstore_options opts = {.busy_timeout_ms = 300};
  code = blocked_call(url, &opts, cid, &retry, &waited);
  OK(!strcmp(code, "55P03") && retry && waited >= 0.29,
     "busy_timeout_ms is the lock timeout (%s after %.2f s)", code, waited);
  free(code);

  opts = (leadstore_options){.busy_timeout_ms = 5000, .statement_timeout_ms = 200};
  code = blocked_call(url, &opts, cid, &retry, &waited);
  OK(!strcmp(code, "57014") && retry, "statement_timeout_ms ends a call that runs too long: 57014, retry recommended (%s)",
     code);
  free(code);

  char *impatient = NULL;
  if (asprintf(&impatient, "%s options='-c statement_timeout=100'", url) < 0) exit(2);
  code = blocked_call(impatient, NULL, cid, &retry, &waited);
  OK(!strcmp(code, "57014"), "a default yields to the connection string's own statement_timeout (%s)", code);
  free(code);
  opts = (leadstore_options){.busy_timeout_ms = 200, .statement_timeout_ms = -1};
  code = blocked_call(impatient, &opts, cid, &retry, &waited);
  OK(!strcmp(code, "55P03"), "an option set overrides it (%s)", code);
  free(code);
  free(impatient);

  PQclear(PQexec(holder, "ROLLBACK"));
  PQfinish(holder);
}

static void lock_timeout(void) {
  leadstore *db = ts_open(url);
  json_t *r = ts_call(db, &ts_service, "create_campaign_with_coverage_tx", "{\"p_campaign_data\":{\"name\":\"locked\"}}");
  char cid[37];
  snprintf(cid, sizeof cid, "%s", ts_str(r, "campaign_id"));
  json_decref(r);
  leadstore_close(db);
  timeouts(cid);

  /* another session holds the campaign row */
  PGconn *holder = PQconnectdb(url);
  char sql[160];
  snprintf(sql, sizeof sql, "SELECT id FROM gmaps_campaigns WHERE id = '%s' FOR UPDATE", cid);
  PQclear(PQexec(holder, "BEGIN"));
  PGresult *held = PQexec(holder, sql);
  PQclear(held);

  char *impatient = NULL;
  if (asprintf(&impatient, "%s options='-c lock_timeout=200'", url) < 0) exit(2);
  db = ts_open(impatient);
  r = ts_call(db, &ts_service, "track_api_cost_tx",
              "{\"p_campaign_id\":\"%s\",\"p_service\":\"bouncer\",\"p_cost_data\":{\"cost_usd\":1}}", cid);
  OK(!strcmp(ts_code(r), "55P03") && json_is_true(json_object_get(r, "retry_recommended")),
     "a lock timeout of the connection string is honoured: 55P03, retry recommended (%s)", ts_code(r));
  json_decref(r);
  PQclear(PQexec(holder, "ROLLBACK"));
  r = ts_call(db, &ts_service, "track_api_cost_tx",
              "{\"p_campaign_id\":\"%s\",\"p_service\":\"bouncer\",\"p_cost_data\":{\"cost_usd\":1}}", cid);
  OK(ts_success(r), "the retry succeeds once the lock is gone");
  json_decref(r);
  r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", cid);
  OK(json_number_value(json_object_get(json_object_get(r, "campaign"), "actual_cost")) == 1.0,
     "and the cost was charged once, whatever timed out before");
  json_decref(r);
  PQfinish(holder);

  /* the server drops the connection of a handle whose options override the
   * connection string's statement_timeout */
  leadstore_close(db);
  free(impatient);
  if (asprintf(&impatient, "%s options='-c statement_timeout=100'", url) < 0) exit(2);
  leadstore_options opts = {.busy_timeout_ms = 200, .statement_timeout_ms = -1};
  db = NULL;
  if (leadstore_open(impatient, &opts, &db, NULL)) exit(2);
  r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", cid);
  json_decref(r);
  char *victim = sql1(url, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND backend_type = 'client backend' ORDER BY backend_start DESC LIMIT 1");
  snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%s)", victim);
  char *killed = sql1(url, sql);
  OK(!strcmp(killed, "t"), "the server terminates the engine's connection");
  r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", cid);
  OK(!strncmp(ts_code(r), "08", 2) && json_is_true(json_object_get(r, "retry_recommended")),
     "the next call fails as a lost connection, retry recommended (%s)", ts_code(r));
  json_decref(r);
  r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", cid);
  OK(ts_success(r), "and the one after reconnects and succeeds");
  json_decref(r);
  holder = PQconnectdb(url);
  snprintf(sql, sizeof sql, "SELECT id FROM gmaps_campaigns WHERE id = '%s' FOR UPDATE", cid);
  PQclear(PQexec(holder, "BEGIN"));
  PQclear(PQexec(holder, sql));
  r = ts_call(db, &ts_service, "track_api_cost_tx",
              "{\"p_campaign_id\":\"%s\",\"p_service\":\"bouncer\",\"p_cost_data\":{\"cost_usd\":1}}", cid);
  OK(!strcmp(ts_code(r), "55P03"), "the reconnected session has the options' timeouts again (%s)", ts_code(r));
  json_decref(r);
  PQclear(PQexec(holder, "ROLLBACK"));
  PQfinish(holder);
  free(victim), free(killed), free(impatient);
  leadstore_close(db);
}

/* A database that does not exist, an unknown role: configuration errors (ECONFIG, exit 78, no
 * retry); a server that does not answer: a connection error (ECONNECTION, retry).  The
 * password of the target is masked in the message. */
static void configuration_errors(void) {
  const char *server = getenv("LEADSTORE_TEST_PG");
  static const struct {
    const char *extra;
    int status;
    const char *says, *what;
  } cases[] = {
      {" dbname=lstest_no_such_database password=hunter2", LEADSTORE_ECONFIG, "does not exist",
       "a database that does not exist"},
      {" dbname=postgres user=lstest_no_such_role password=hunter2", LEADSTORE_ECONFIG, "lstest_no_such_role",
       "an unknown role"},
  };
  for (size_t i = 0; server && strncmp(server, "postgres", 8) && i < sizeof cases / sizeof cases[0]; i++) {
    char *target = NULL, *msg = NULL;
    if (asprintf(&target, "%s%s", server, cases[i].extra) < 0) exit(2);
    leadstore *db = NULL;
    int rc = leadstore_open(target, NULL, &db, &msg);
    OK(rc == cases[i].status && !db && msg && strstr(msg, cases[i].says) && strstr(msg, "password=****") &&
           !strstr(msg, "hunter2"),
       "%s is a configuration error, the password masked (%s: %s)", cases[i].what, leadstore_status_name(rc), msg);
    OK(!leadstore_status_retry(rc) && leadstore_status_exit(rc) == 78, "not to be retried; exit status 78");
    leadstore_free(msg);
    free(target);
  }
  char *msg = NULL;
  leadstore *db = NULL;
  int rc = leadstore_open("postgresql://leadstore:hunter2@127.0.0.1:1/none?connect_timeout=2", NULL, &db, &msg);
  OK(rc == LEADSTORE_ECONNECTION && leadstore_status_retry(rc) && msg && strstr(msg, "leadstore:****@127.0.0.1:1") &&
         !strstr(msg, "hunter2"),
     "a server that does not answer is a connection error, retry recommended (%s)", msg);
  leadstore_free(msg);
}

/* The functions' own validation (for PostgREST and psql callers) suggests the same name
 * as the library, byte for byte: same distance, same limits, same tie-break. */
static void suggestions(void) {
  static const char *const keys[] = {"p_campaign_idd", "p_campaing_id", "campaign_id", "p_limt", "p_zip",
                                     "p_status_", "x", "p_cämpaign_id", "p_bogus", "P_CAMPAIGN_ID",
                                     "p_businesses_and_more_and_more_and_more_and_more_and_more_and_more"};
  static const char *const ops[] = {"get_campaign", "batch_upsert_businesses_tx", "list_campaigns"};
  char *path = ts_db_path("suggest");
  leadstore *lite = ts_open(path);
  free(path);
  PGconn *c = PQconnectdb(url);
  for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
      char params[256], *result = NULL;
      snprintf(params, sizeof params, "{\"%s\": 1}", keys[k]);
      leadstore_call(lite, &ts_service, ops[o], params, &result);
      json_t *r = json_loads(result, 0, NULL);
      const char *values[2] = {ops[o], params};
      PGresult *res = PQexecParams(c, "SELECT ls_run($1, $2::jsonb) ->> 'error'", 2, NULL, values, NULL, NULL, 0);
      const char *sql = PQresultStatus(res) == PGRES_TUPLES_OK ? PQgetvalue(res, 0, 0) : PQerrorMessage(c);
      OK(!strcmp(ts_str(r, "error"), sql), "%s %s: both engines say \"%s\" (PostgreSQL: \"%s\")", ops[o], keys[k],
         ts_str(r, "error"), sql);
      PQclear(res);
      json_decref(r);
      leadstore_free(result);
    }
  PQfinish(c);
  leadstore_close(lite);
}

int main(int argc, char **argv) {
  (void)argc;
  if (!(url = ts_pg_database(argv[0]))) return 2;
  migrations();
  configuration_errors();
  suggestions();
  lock_timeout();
  free(url);
  return tap_done();
}
