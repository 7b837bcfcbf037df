/*
 * t_pg_faults.c — the PostgreSQL engine fails closed: with the Nth
 * allocation of a call failing, for every N, an authenticated caller never
 * reads another organization's campaign (no claims would act as
 * service_role), and a write with p_request_id never commits without its
 * idempotency record (a dropped p_request_id would charge twice on replay).
 * And a function with many, long arguments (more than the engine once had
 * room for: eight, in a 2 KiB statement) is called with every one of them.
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "support.h"

static char *url;

static const char *org_a = "aaaaaaaa-0000-4000-8000-000000000001";
static const char *org_b = "bbbbbbbb-0000-4000-8000-000000000002";

/* A new campaign of organization `org`; its id in out. */
static void campaign_of(leadstore *db, const char *org, char out[37]) {
  json_t *r = ts_call(db, &ts_service, "create_campaign_with_coverage_tx",
                      "{\"p_campaign_data\":{\"name\":\"of %s\",\"organization_id\":\"%s\"}}", org, org);
  snprintf(out, 37, "%s", ts_str(r, "campaign_id"));
  json_decref(r);
}

/* Every allocation of an authenticated read of another organization's campaign fails in turn. */
static void foreign_read(leadstore *db, const char *theirs) {
  leadstore_caller member = ts_member(org_a);
  char params[80];
  snprintf(params, sizeof params, "{\"p_campaign_id\":\"%s\"}", theirs);
  bool ok = true;
  long n;
  char why[300] = "";
  for (n = 1; ok; n++) {
    leadstore_test_fault(db, LEADSTORE_FAULT_ALLOC, n);
    char *result = NULL;
    int rc = leadstore_call(db, &member, "get_campaign", params, &result);
    long made = leadstore_test_fault(db, LEADSTORE_FAULT_ALLOC, 0); /* allocations the call made; disarmed */
    if (rc == LEADSTORE_OK) {
      ok = false;
      snprintf(why, sizeof why, "allocation %ld failed: the campaign was read: %.200s", n, result);
    } else if (rc != LEADSTORE_ENOTFOUND && rc != LEADSTORE_EINTERNAL) {
      ok = false;
      snprintf(why, sizeof why, "allocation %ld: %s", n, result ? result : "(no result)");
    }
    leadstore_free(result);
    if (made < n) break; /* the fault lay beyond the call: it ran whole, and answered P0002 */
    if (!ok) break;
  }
  if (!tap_ok(ok && n > 3, "each of the %ld allocations of an authenticated foreign read fails the call or "
                           "answers P0002, never the campaign", n - 1))
    tap_diag("%s", why);
}

/* Cost charged to campaign cid, in whole dollars, and its idempotency records. */
static void ledger(leadstore *db, const char *cid, long long *dollars, long long *records) {
  json_t *r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", cid);
  *dollars = (long long)json_number_value(json_object_get(json_object_get(r, "campaign"), "actual_cost"));
  json_decref(r);
  *records = -1;
  leadstore_test_count_rows(db, "gmaps_rpc_requests", records);
}

/* Every allocation of an idempotent write fails in turn; each request id is then replayed. */
static void idempotent_write(leadstore *db, const char *cid) {
  bool ok = true;
  long n;
  char why[300] = "";
  long long base_records = 0, dollars = 0, records = 0;
  leadstore_test_count_rows(db, "gmaps_rpc_requests", &base_records);
  for (n = 1; ok; n++) {
    char params[200];
    snprintf(params, sizeof params,
             "{\"p_campaign_id\":\"%s\",\"p_service\":\"bouncer\",\"p_cost_data\":{\"cost_usd\":1},"
             "\"p_request_id\":\"fault-%ld\"}", cid, n);
    leadstore_test_fault(db, LEADSTORE_FAULT_ALLOC, n);
    char *result = NULL;
    leadstore_call(db, &ts_service, "track_api_cost_tx", params, &result);
    long made = leadstore_test_fault(db, LEADSTORE_FAULT_ALLOC, 0); /* allocations the call made; disarmed */
    leadstore_free(result);
    ledger(db, cid, &dollars, &records);
    if (dollars != records - base_records) {
      ok = false;
      snprintf(why, sizeof why, "allocation %ld failed: %lld dollars charged for %lld idempotency records", n, dollars,
               records - base_records);
      break;
    }
    /* the client retries the same request */
    json_t *r = ts_call(db, &ts_service, "track_api_cost_tx", "%s", params);
    ledger(db, cid, &dollars, &records);
    if (!ts_success(r) || dollars != n || records - base_records != n) {
      ok = false;
      snprintf(why, sizeof why, "allocation %ld: after the retry (%s), %lld dollars, %lld records", n,
               ts_success(r) ? "success" : ts_code(r), dollars, records - base_records);
    }
    json_decref(r);
    if (made < n) break;
  }
  if (!tap_ok(ok && n > 3, "each of the %ld allocations of a write with p_request_id fails it whole or commits it "
                           "with its record; the retry charges once",
              n - 1))
    tap_diag("%s", why);
}

/* Runs one statement on a new connection; true when it succeeded. */
static bool sql_ok(const char *sql) {
  PGconn *c = PQconnectdb(url);
  PGresult *r = PQexec(c, sql);
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!ok) tap_diag("%s", PQerrorMessage(c));
  PQclear(r);
  PQfinish(c);
  return ok;
}

/* track_api_cost_tx redefined with thirty long-named arguments before its own: the
 * call statement is longer than the engine's old fixed buffer (2 KiB), which it overran. */
static void many_arguments(const char *cid) {
  char *padding = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&padding, &len);
  for (int i = 0; i < 30; i++)
    fprintf(m, "p_padding_%02d_with_a_name_longer_than_forty_eight_characters text DEFAULT NULL, ", i);
  fclose(m);
  char *sql = NULL;
  if (asprintf(&sql,
               "BEGIN; DROP FUNCTION public.track_api_cost_tx(text, text, jsonb, text); "
               "CREATE FUNCTION public.track_api_cost_tx(%s p_campaign_id text DEFAULT NULL, "
               "p_service text DEFAULT NULL, p_cost_data jsonb DEFAULT NULL, p_request_id text DEFAULT NULL) "
               "RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$ BEGIN "
               "RETURN ls_run('track_api_cost_tx', jsonb_build_object('p_campaign_id', p_campaign_id, 'p_service', "
               "p_service, 'p_cost_data', p_cost_data, 'p_request_id', p_request_id)); END $$; COMMIT",
               padding) < 0)
    exit(2);
  OK(sql_ok(sql), "a function of 34 arguments, 30 of them with long names, replaces track_api_cost_tx");
  free(sql), free(padding);
  leadstore *db = ts_open(url);
  const char *call = "{\"p_campaign_id\":\"%s\",\"p_service\":\"bouncer\",\"p_cost_data\":{\"cost_usd\":2},"
                     "\"p_request_id\":\"thirty-four\"}";
  json_t *r = ts_call(db, &ts_service, "track_api_cost_tx", call, cid);
  OK(ts_success(r), "the engine calls it with every argument (%s)", ts_success(r) ? "success" : ts_str(r, "error"));
  json_decref(r);
  r = ts_call(db, &ts_service, "track_api_cost_tx", call, cid);
  OK(ts_success(r) && json_is_true(json_object_get(r, "replayed")),
     "p_request_id, its 34th argument, reached it: the retry is a replay");
  json_decref(r);
  leadstore_close(db);
}

int main(int argc, char **argv) {
  (void)argc;
  if (!(url = ts_pg_database(argv[0]))) return 2;
  leadstore *db = ts_open(url);
  char *report = NULL;
  OK(leadstore_migrate(db, &report) == LEADSTORE_OK, "migrated");
  leadstore_free(report);
  char mine[37], theirs[37];
  campaign_of(db, org_a, mine);
  campaign_of(db, org_b, theirs);
  json_t *r = ts_call(db, &(leadstore_caller){LEADSTORE_ROLE_AUTHENTICATED, org_a}, "get_campaign",
                      "{\"p_campaign_id\":\"%s\"}", theirs);
  OK(!strcmp(ts_code(r), "P0002"), "without faults, another organization's campaign is not found (%s)", ts_code(r));
  json_decref(r);
  foreign_read(db, theirs);
  idempotent_write(db, mine);
  OK(ts_check(db) == 0, "check is clean after the sweeps");
  leadstore_close(db);
  many_arguments(mine);
  free(url);
  return tap_done();
}
