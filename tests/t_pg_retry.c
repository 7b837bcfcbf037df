/*
 * t_pg_retry.c — PostgreSQL faults in the middle of a call (SPEC §3.1,
 * §3.3): a lock timeout and a statement timeout forced mid-batch, a
 * serialization failure, and the call's backend terminated while it runs.
 * Each is answered with retry_recommended true and its SQLSTATE (55P03,
 * 57014, 40001, a lost connection), leaves every row count as it was, and
 * the client's retry with the same p_request_id is applied exactly once (a
 * second retry is a replay).
 *
 * Determinism without sleeping: a second connection (the blocker) holds what
 * the call needs, and the test waits for a condition, never for a time.
 *   - The lock and statement timeouts and the termination: the blocker has
 *     inserted, uncommitted, the idempotency record the call will write last
 *     (same organization, operation and request id).  The call runs its whole
 *     batch — every business inserted, the counters moved — and then waits on
 *     the blocker's row at its own INSERT of the record: the one wait the call
 *     can have.  The test polls pg_stat_activity until the call's backend
 *     waits on that lock and checks in pg_locks that it is mid-batch (it holds
 *     the write lock of gmaps_businesses and waits for the blocker's
 *     transaction); then its lock_timeout (busy_timeout_ms) or
 *     statement_timeout, 3 s, fires there, or pg_terminate_backend() ends it.
 *   - The serialization failure: the call's connection runs SERIALIZABLE
 *     (`options=-c default_transaction_isolation=serializable` in its
 *     connection string); the blocker has updated the campaign row without
 *     committing; once the call waits for that row (its snapshot taken), the
 *     blocker commits, and the call's FOR UPDATE of the row fails 40001.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "support.h"

enum { BATCH = 300 /* businesses per call */ };

static char *url;

typedef enum { F_LOCK_TIMEOUT, F_STATEMENT_TIMEOUT, F_SERIALIZATION, F_TERMINATED } fault;

static const char *fault_name[] = {"lock timeout", "statement timeout", "serialization failure",
                                   "backend terminated"};

/*--- Connections ------------------------------------------------------------------------*/

/* A new libpq connection to the test database, failing the program when it cannot. */
static PGconn *connect_admin(void) {
  PGconn *c = PQconnectdb(url);
  if (PQstatus(c) != CONNECTION_OK) {
    printf("Bail out! cannot connect: %s\n", PQerrorMessage(c));
    exit(2);
  }
  PQclear(PQexec(c, "SET client_min_messages = warning"));
  return c;
}

/* Runs sql (no parameters, or the one text parameter p1) on c; true when it succeeded. */
static bool run(PGconn *c, const char *sql, const char *p1) {
  PGresult *r = PQexecParams(c, sql, p1 ? 1 : 0, NULL, p1 ? &p1 : NULL, NULL, NULL, 0);
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!ok) tap_diag("%s: %s", sql, PQerrorMessage(c));
  PQclear(r);
  return ok;
}

/* Every table's row count and the campaign's counters, as one text (malloc'd):
 * "nothing written" is this text unchanged. */
static char *census(PGconn *c, const char *cid) {
  PGresult *r = PQexecParams(c,
                             "SELECT format('campaigns %s coverage %s businesses %s facebook %s linkedin %s costs %s "
                             "verifications %s history %s requests %s; campaign: %s businesses, %s emails, %s cost', "
                             "(SELECT count(*) FROM gmaps_campaigns), (SELECT count(*) FROM gmaps_campaign_coverage), "
                             "(SELECT count(*) FROM gmaps_businesses), (SELECT count(*) FROM gmaps_facebook_enrichments), "
                             "(SELECT count(*) FROM gmaps_linkedin_enrichments), (SELECT count(*) FROM gmaps_api_costs), "
                             "(SELECT count(*) FROM gmaps_email_verifications), "
                             "(SELECT count(*) FROM gmaps_campaign_status_history), "
                             "(SELECT count(*) FROM gmaps_rpc_requests), c.total_businesses_found, c.total_emails_found, "
                             "c.actual_cost) FROM gmaps_campaigns c WHERE c.id = $1::uuid",
                             1, NULL, &cid, NULL, NULL, 0);
  char *out = strdup(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "?");
  PQclear(r);
  return out;
}

/* Polls pg_stat_activity (a condition, not a time) until a backend other than
 * c's waits on a heavyweight lock while running batch_upsert_businesses_tx;
 * its pid, or 0 when none did within 30 s of polling. */
static int wait_for_blocked_call(PGconn *c) {
  for (int i = 0; i < 15000; i++) {
    PGresult *r = PQexec(c, "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' "
                            "AND query LIKE '%batch_upsert_businesses_tx%'");
    int pid = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    if (pid) return pid;
    nanosleep(&(struct timespec){0, 2000000}, NULL); /* between two looks at the condition */
  }
  return 0;
}

/* Whether backend pid is mid-batch: it holds the write lock of gmaps_businesses
 * (it has inserted its businesses) and waits for another transaction's id (the
 * blocker's uncommitted idempotency record). */
static bool mid_batch(PGconn *c, int pid) {
  char text[16];
  snprintf(text, sizeof text, "%d", pid);
  const char *v = text;
  PGresult *r = PQexecParams(c,
                             "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1::int AND granted "
                             "               AND relation = 'gmaps_businesses'::regclass AND mode = 'RowExclusiveLock') "
                             "   AND EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1::int AND NOT granted "
                             "               AND locktype = 'transactionid')",
                             1, NULL, &v, NULL, NULL, 0);
  bool yes = PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "t");
  PQclear(r);
  return yes;
}

/*--- The call, on a thread of its own ----------------------------------------------------------*/

typedef struct pending {
  leadstore *db;
  const char *params;
  char *result;
  pthread_t thread;
} pending;

static void *call_main(void *arg) {
  pending *p = arg;
  leadstore_call(p->db, &ts_service, "batch_upsert_businesses_tx", p->params, &p->result);
  return NULL;
}

/* The parameters of a batch of BATCH new places into campaign cid, with request id rid (malloc'd). */
static char *batch_params(const char *cid, const char *rid) {
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  fprintf(m, "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"10001\",\"p_request_id\":\"%s\",\"p_businesses\":[", cid, rid);
  for (int i = 0; i < BATCH; i++)
    fprintf(m, "%s{\"place_id\":\"%s-%d\",\"name\":\"Shop %d\"%s}", i ? "," : "", rid, i, i,
            i % 2 ? ",\"email\":\"shop@example.com\"" : "");
  fprintf(m, "]}");
  fclose(m);
  return text;
}

/* The connection string of the call's handle: the test database, and for
 * the serialization failure every transaction SERIALIZABLE (malloc'd). */
static char *call_target(fault f) {
  char *t = NULL;
  if (f != F_SERIALIZATION) return strdup(url);
  if (!strncmp(url, "postgres", 8))
    t = asprintf(&t, "%s%soptions=-c%%20default_transaction_isolation%%3Dserializable", url,
                 strchr(url, '?') ? "&" : "?") < 0 ? NULL : t;
  else
    t = asprintf(&t, "%s options='-c default_transaction_isolation=serializable'", url) < 0 ? NULL : t;
  return t;
}

/* The leadstore_options of the call's handle: the timeout that is to fire,
 * 3 s (time for the test to see the call waiting, and for the retry's batch
 * to fit in a statement timeout); the others long. */
static leadstore_options call_options(fault f) {
  leadstore_options o = {.busy_timeout_ms = 60000, .statement_timeout_ms = -1};
  if (f == F_LOCK_TIMEOUT) o.busy_timeout_ms = 3000;
  if (f == F_STATEMENT_TIMEOUT) o.statement_timeout_ms = 3000;
  return o;
}

/* Whether a failure's error_code is the SQLSTATE fault f must answer. */
static bool expected_code(fault f, const char *code) {
  switch (f) {
  case F_LOCK_TIMEOUT: return !strcmp(code, "55P03");
  case F_STATEMENT_TIMEOUT: return !strcmp(code, "57014");
  case F_SERIALIZATION: return !strcmp(code, "40001");
  case F_TERMINATED: return !strncmp(code, "08", 2) || !strcmp(code, "57P01");
  }
  return false;
}

/*--- One fault ------------------------------------------------------------------------------------*/

static void scenario(leadstore *db, fault f) {
  const char *name = fault_name[f];
  char rid[64];
  snprintf(rid, sizeof rid, "retry-%d", (int)f);
  json_t *r = ts_call(db, &ts_service, "create_campaign_with_coverage_tx",
                      "{\"p_campaign_data\":{\"name\":\"%s\"},\"p_coverage_data\":[{\"zip\":\"10001\"}]}", name);
  char cid[37];
  snprintf(cid, sizeof cid, "%s", ts_str(r, "campaign_id"));
  json_decref(r);

  PGconn *admin = connect_admin(), *blocker = connect_admin();
  char *before = census(admin, cid);
  bool held = run(blocker, "BEGIN", NULL);
  if (f == F_SERIALIZATION)
    held = held && run(blocker, "UPDATE gmaps_campaigns SET updated_at = updated_at WHERE id = $1::uuid", cid);
  else
    held = held && run(blocker,
                       "INSERT INTO gmaps_rpc_requests (organization_id, operation, request_id, params_hash, result) "
                       "VALUES ('', 'batch_upsert_businesses_tx', $1, 'held by the test', '{}')",
                       rid);
  OK(held, "%s: the blocker holds what the call will need", name);

  char *target = call_target(f), *msg = NULL, *params = batch_params(cid, rid);
  leadstore_options opts = call_options(f);
  pending p = {.params = params};
  if (leadstore_open(target, &opts, &p.db, &msg) != LEADSTORE_OK) {
    printf("Bail out! cannot open %s: %s\n", target, msg ? msg : "?");
    exit(2);
  }
  pthread_create(&p.thread, NULL, call_main, &p);
  int pid = wait_for_blocked_call(admin);
  OK(pid != 0, "%s: the call's backend waits on the blocker's lock (pg_stat_activity)", name);
  if (f != F_SERIALIZATION)
    OK(pid && mid_batch(admin, pid), "%s: mid-batch: it has written its businesses and waits on the blocker (pg_locks)",
       name);
  if (f == F_SERIALIZATION || f == F_TERMINATED) {
    char pidtext[16];
    snprintf(pidtext, sizeof pidtext, "%d", pid);
    if (f == F_SERIALIZATION)
      OK(run(blocker, "COMMIT", NULL), "%s: the blocker commits its update of the campaign row", name);
    else
      OK(pid && run(admin, "SELECT pg_terminate_backend($1::int)", pidtext),
         "%s: pg_terminate_backend() ends the call's backend mid-call", name);
  }
  pthread_join(p.thread, NULL);

  json_t *res = p.result ? json_loads(p.result, 0, NULL) : NULL;
  const char *code = json_string_value(json_object_get(res, "error_code"));
  OK(res && json_is_false(json_object_get(res, "success")) && json_is_true(json_object_get(res, "retry_recommended")) &&
         code && expected_code(f, code),
     "%s: answered success false, retry_recommended true, error_code %s", name, code ? code : "(none)");
  if (!res || !code || !expected_code(f, code)) tap_diag("%s", p.result ? p.result : "(no result)");
  json_decref(res);
  leadstore_free(p.result);
  if (f != F_SERIALIZATION) run(blocker, "ROLLBACK", NULL);
  char *after = census(admin, cid);
  if (!OK(!strcmp(before, after), "%s: nothing half written (every row count as before)", name))
    tap_diag("before: %s\n# after:  %s", before, after);
  free(after);

  /* the client retries with the same p_request_id, on the handle that failed */
  r = ts_call(p.db, &ts_service, "batch_upsert_businesses_tx", "%s", params);
  after = census(admin, cid);
  char expect[64];
  snprintf(expect, sizeof expect, "campaign: %d businesses, %d emails", BATCH, BATCH / 2);
  OK(ts_success(r) && json_integer_value(json_object_get(r, "inserted")) == BATCH &&
         !json_object_get(r, "replayed") && strstr(after, expect),
     "%s: the retry is applied (%s; %s)", name, ts_success(r) ? "success" : ts_code(r), after);
  json_decref(r);
  r = ts_call(p.db, &ts_service, "batch_upsert_businesses_tx", "%s", params);
  char *again = census(admin, cid);
  OK(ts_success(r) && json_is_true(json_object_get(r, "replayed")) && !strcmp(after, again),
     "%s: a second retry is a replay that writes nothing: applied exactly once", name);
  json_decref(r);

  free(again), free(after), free(before), free(params), free(target), leadstore_free(msg);
  leadstore_close(p.db);
  PQfinish(blocker);
  PQfinish(admin);
}

int main(int argc, char **argv) {
  (void)argc;
  if (!(url = ts_pg_database(argv[0]))) return 2;
  leadstore *db = ts_open(url);
  char *report = NULL;
  OK(leadstore_migrate(db, &report) == LEADSTORE_OK, "migrated");
  leadstore_free(report);
  for (fault f = F_LOCK_TIMEOUT; f <= F_TERMINATED; f++) scenario(db, f);
  OK(ts_check(db) == 0, "check is clean after every fault and retry");
  leadstore_close(db);
  free(url);
  return tap_done();
}
