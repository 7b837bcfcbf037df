/*
 * t_upgrade.c — `leadstore migrate` brings a database of the previous
 * release up to date: a database is created by the migrations of release
 * 0.1.0 (tests/fixtures/pg-0.1.0/, recorded in leadstore_migrations as that
 * release's migrate recorded them) and holds some data; the old release
 * also left an older signature of a public function beside the current one
 * (list_campaigns before it took p_offset), so calls are ambiguous. Then the
 * current migrate runs: the old signature is gone with its grants, the data
 * is intact and `check` clean, calls work, a second migrate has nothing to
 * do, and the conformance cases pass on the upgraded schema.  The campaign
 * counters added since (0009, and the queue totals of 0010) are backfilled
 * from a recount.  And the same for the embedded engine: a file of schema
 * version 2 or 3 opened by this release gets the counters of versions 3 and
 * 4, backfilled, its ids unchanged; one of version 4 gets the value-list
 * CHECKs of version 5.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "support.h"

#define FIXTURE "tests/fixtures/pg-0.1.0"

static char *url;

/* The checksum migrate records: SHA-256 of the text embedded by tools/sql2c.awk
 * (the file without its comment-only and blank lines). */
static void checksum(const char *sql, char out[65]) {
  char *kept = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&kept, &len);
  for (const char *line = sql; *line;) {
    const char *end = strchr(line, '\n');
    size_t n = end ? (size_t)(end - line) : strlen(line);
    size_t lead = strspn(line, " \t");
    bool skip = lead >= n || (n - lead >= 2 && !strncmp(line + lead, "--", 2));
    if (!skip) fprintf(m, "%.*s\n", (int)n, line);
    line += n + (end ? 1 : 0);
  }
  fclose(m);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  EVP_Digest(kept, len, md, &mdlen, EVP_sha256(), NULL);
  for (unsigned i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
  free(kept);
}

/* Runs SQL; true when it succeeded. */
static bool exec_ok(PGconn *c, const char *sql) {
  PGresult *r = PQexec(c, sql);
  ExecStatusType st = PQresultStatus(r);
  bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  if (!ok) tap_diag("%s", PQerrorMessage(c));
  PQclear(r);
  return ok;
}

/* The first value of a query ("" when none or on error; the SQLSTATE in *state). */
static char *value(PGconn *c, const char *sql, char state[6]) {
  PGresult *r = PQexec(c, sql);
  const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  if (state) snprintf(state, 6, "%s", s ? s : "");
  char *v = strdup(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
  PQclear(r);
  return v;
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }
static int sql_file(const struct dirent *e) {
  size_t n = strlen(e->d_name);
  return n > 4 && !strcmp(e->d_name + n - 4, ".sql");
}

/* Creates the previous release's schema: each fixture migration in its own
 * transaction, recorded with its checksum, then that release's grants. */
static bool install_fixture(PGconn *c) {
  struct dirent **files = NULL;
  int n = scandir(FIXTURE, &files, sql_file, by_name);
  bool ok = n >= 5 && exec_ok(c, "SET client_min_messages = warning; "
                                  "CREATE TABLE leadstore_migrations (name text PRIMARY KEY, checksum text NOT NULL, "
                                  "applied_at timestamptz NOT NULL DEFAULT now())");
  for (int i = 0; i < n; i++) {
    char path[512], sum[65];
    snprintf(path, sizeof path, "%s/%s", FIXTURE, files[i]->d_name);
    char *sql = ts_read_file(path);
    if (ok && sql) {
      checksum(sql, sum);
      const char *values[2] = {files[i]->d_name, sum};
      ok = exec_ok(c, "BEGIN") && exec_ok(c, sql);
      PGresult *r = PQexecParams(c, "INSERT INTO leadstore_migrations (name, checksum) VALUES ($1, $2)", 2, NULL,
                                 values, NULL, NULL, 0);
      ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
      ok = ok && exec_ok(c, "COMMIT");
    }
    ok = ok && sql;
    free(sql);
    free(files[i]);
  }
  free(files);
  return ok && exec_ok(c, "SELECT ls_apply_grants()");
}

/* What an older release left: list_campaigns without p_offset, granted to the clients. */
static bool old_signature(PGconn *c) {
  return exec_ok(c, "CREATE FUNCTION public.list_campaigns(p_status text DEFAULT NULL, p_limit integer DEFAULT NULL) "
                    "RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp "
                    "AS $$ BEGIN RETURN ls_run('list_campaigns', jsonb_build_object('p_status', p_status, "
                    "'p_limit', p_limit)); END $$; "
                    "GRANT EXECUTE ON FUNCTION public.list_campaigns(text, integer) TO authenticated, service_role");
}

/* Whether get_campaign's answer r has the counters of the data of old_data()
 * (or sqlite_upgrade()): one Google Maps email, ZIP 90001 of two scraped
 * with 2 businesses and 1 email — in the row's columns and in the totals. */
static bool backfilled(json_t *r) {
  json_t *camp = json_object_get(r, "campaign"), *cov = json_object_get(r, "coverage"),
         *leads = json_object_get(r, "leads");
  return json_integer_value(json_object_get(camp, "google_maps_emails")) == 1 &&
         json_integer_value(json_object_get(camp, "zips_scraped")) == 1 &&
         json_integer_value(json_object_get(camp, "zip_businesses_found")) == 2 &&
         json_integer_value(json_object_get(camp, "zip_emails_found")) == 1 &&
         json_integer_value(json_object_get(json_object_get(leads, "by_source"), "google_maps")) == 1 &&
         json_integer_value(json_object_get(cov, "zips_total")) == 2 &&
         json_integer_value(json_object_get(cov, "zips_scraped")) == 1 &&
         json_integer_value(json_object_get(cov, "businesses_found")) == 2 &&
         json_integer_value(json_object_get(cov, "emails_found")) == 1;
}

/* The file's schema version and its number of campaigns, "version/campaigns". */
static void sqlite_state(const char *path, char out[32]) {
  sqlite3 *conn = NULL;
  sqlite3_stmt *st = NULL;
  snprintf(out, 32, "?");
  if (sqlite3_open_v2(path, &conn, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(conn, "SELECT (SELECT user_version FROM pragma_user_version) || '/' || count(*) "
                               "FROM gmaps_campaigns", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    snprintf(out, 32, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(conn);
}

/* A file of a schema version newer than this leadstore knows (6: as a later
 * release leaves it) is refused with a message that says so, and left as it was. */
static void sqlite_newer(const char *path) {
  sqlite3 *conn = NULL;
  bool ok = sqlite3_open(path, &conn) == SQLITE_OK &&
            sqlite3_exec(conn, "PRAGMA user_version = 6", NULL, NULL, NULL) == SQLITE_OK;
  sqlite3_close(conn);
  char before[32], after[32];
  sqlite_state(path, before);
  OK(ok && !strcmp(before, "6/1"), "sqlite: a file of schema version 6, newer than this leadstore (%s)", before);
  leadstore *db = NULL;
  char *msg = NULL;
  int rc = leadstore_open(path, NULL, &db, &msg);
  OK(rc == LEADSTORE_ECONFIG && !db && msg && strstr(msg, "newer leadstore") && strstr(msg, "schema version 6"),
     "sqlite: it is refused (ECONFIG): %s", msg ? msg : "?");
  leadstore_free(msg);
  if (db) leadstore_close(db);
  sqlite_state(path, after);
  OK(!strcmp(after, "6/1"), "sqlite: and left as it was (%s)", after);
}

/* Whether the work queues of campaign cid have the totals of the data of
 * old_data() (or sqlite_upgrade()): two businesses, one with a Facebook
 * page waiting, both waiting for LinkedIn, one email waiting for
 * verification — in the queue read and in the row's columns; and the
 * business ids are the ones written before. */
static bool queues_backfilled(leadstore *db, const char *cid, const char *ids) {
  static const char *const types[] = {"facebook", "linkedin", "verification"};
  static const int want[] = {1, 2, 1};
  bool ok = true;
  for (int i = 0; i < 3; i++) {
    json_t *r = ts_call(db, &ts_service, "get_businesses_for_enrichment",
                        "{\"p_campaign_id\":\"%s\",\"p_enrichment_type\":\"%s\"}", cid, types[i]);
    ok = ok && ts_success(r) && json_integer_value(json_object_get(r, "total")) == want[i] &&
         json_array_size(json_object_get(r, "businesses")) == (size_t)want[i];
    if (i == 1) { /* both businesses: their ids (in either order: the same created_at, ids of any kind) */
      json_t *list = json_object_get(r, "businesses");
      const char *x = json_string_value(json_object_get(json_array_get(list, 0), "id"));
      const char *y = json_string_value(json_object_get(json_array_get(list, 1), "id"));
      char got[80], swapped[80];
      snprintf(got, sizeof got, "%s,%s", x ? x : "", y ? y : "");
      snprintf(swapped, sizeof swapped, "%s,%s", y ? y : "", x ? x : "");
      ok = ok && (!strcmp(got, ids) || !strcmp(swapped, ids));
    }
    json_decref(r);
  }
  json_t *r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", cid);
  json_t *camp = json_object_get(r, "campaign");
  ok = ok && json_integer_value(json_object_get(camp, "facebook_queue")) == 1 &&
       json_integer_value(json_object_get(camp, "linkedin_queue")) == 2 &&
       json_integer_value(json_object_get(camp, "verification_queue")) == 1;
  json_decref(r);
  return ok;
}

/* The ids of the two businesses of the batch answer r, "a,b" (empty when it failed). */
static void batch_ids(json_t *r, char out[80]) {
  json_t *res = json_object_get(r, "results");
  snprintf(out, 80, "%s,%s", ts_success(r) ? json_string_value(json_object_get(json_array_get(res, 0), "business_id")) : "",
           ts_success(r) ? json_string_value(json_object_get(json_array_get(res, 1), "business_id")) : "");
}

/* A file of schema version `from` (2 or 3: the columns of the later versions
 * taken away, as an older leadstore left it) opened by this one: the current
 * version, backfilled. */
static void sqlite_upgrade(int from) {
  char *path = ts_db_path(from == 2 ? "upgrade-2" : "upgrade-3");
  leadstore *db = ts_open(path);
  json_t *r = ts_call(db, &ts_service, "create_campaign_with_coverage_tx",
                      "{\"p_campaign_data\":{\"name\":\"Version 2\"},"
                      "\"p_coverage_data\":[{\"zip\":\"90001\"},{\"zip\":\"90002\"}]}");
  char cid[37];
  snprintf(cid, sizeof cid, "%s", ts_success(r) ? ts_str(r, "campaign_id") : "");
  json_decref(r);
  r = ts_call(db, &ts_service, "batch_upsert_businesses_tx",
              "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_businesses\":[{\"place_id\":\"a\","
              "\"name\":\"A\",\"email\":\"a@a.example\"},{\"place_id\":\"b\",\"name\":\"B\","
              "\"facebook_url\":\"https://fb.example/b\"}]}",
              cid);
  char ids[80];
  batch_ids(r, ids);
  json_decref(r);
  json_decref(ts_call(db, &ts_service, "update_coverage_status_tx",
                      "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_results\":{\"businesses_found\":2,"
                      "\"emails_found\":1}}",
                      cid));
  leadstore_close(db);

  sqlite3 *conn = NULL;
  /* the columns of version 3 (schema_3.sql), then of version 4 (schema_4.sql) */
  static const char *const cols[] = {"linkedin_emails",   "facebook_emails",      "google_maps_emails",
                                     "total_safe_emails", "zips_scraped",         "zip_businesses_found",
                                     "zip_emails_found",  "facebook_queue",       "linkedin_queue",
                                     "verification_queue"};
  bool ok = sqlite3_open(path, &conn) == SQLITE_OK;
  for (size_t i = from == 2 ? 0 : 7; ok && i < sizeof cols / sizeof cols[0]; i++) {
    char *sql = sqlite3_mprintf("ALTER TABLE gmaps_campaigns DROP COLUMN %s", cols[i]);
    ok = sqlite3_exec(conn, sql, NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_free(sql);
  }
  char *sql = sqlite3_mprintf("PRAGMA user_version = %d", from);
  ok = ok && sqlite3_exec(conn, sql, NULL, NULL, NULL) == SQLITE_OK;
  sqlite3_free(sql);
  sqlite3_close(conn);
  OK(*cid && ok && strlen(ids) == 73, "sqlite: a file of schema version %d with a campaign, businesses and a scrape",
     from);

  db = ts_open(path);
  r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", cid);
  OK(ts_success(r) && backfilled(r), "sqlite: version %d opened by this release, its counters are backfilled", from);
  json_decref(r);
  OK(queues_backfilled(db, cid, ids), "sqlite: version %d: its queue totals are backfilled, its ids unchanged", from);
  OK(ts_check(db) == 0, "sqlite: check is clean after the upgrade from version %d", from);
  leadstore_close(db);
  sqlite3_open(path, &conn);
  sqlite3_stmt *st = NULL;
  sqlite3_prepare_v2(conn, "PRAGMA user_version", -1, &st, NULL);
  OK(st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 5, "sqlite: the file is version 5");
  sqlite3_finalize(st);
  sqlite3_close(conn);
  sqlite_newer(path);
  free(path);
}

/* The number of `CHECK (column IN (` left in the tables' definitions of conn (-1 on error). */
static int in_list_checks(sqlite3 *conn) {
  sqlite3_stmt *st = NULL;
  int n = -1;
  if (sqlite3_prepare_v2(conn, "SELECT sql FROM sqlite_schema WHERE type = 'table'", -1, &st, NULL) == SQLITE_OK) {
    n = 0;
    while (sqlite3_step(st) == SQLITE_ROW)
      for (const char *p = (const char *)sqlite3_column_text(st, 0); p && (p = strstr(p, "CHECK (")); p++) {
        const char *q = p + 7;
        while (*q == '_' || (*q >= 'a' && *q <= 'z')) q++;
        n += !strncmp(q, " IN (", 5);
      }
  }
  sqlite3_finalize(st);
  return n;
}

/* A file of schema version 4 as the previous release made it (sql/sqlite/schema.sql,
 * then schema_2 … 4.sql: value-list CHECKs written `column IN (…)`) opened by this
 * one: version 5 rewrites each as `column = … OR …` (SQLite builds a table for an IN
 * list on every row it checks), the file stays sound, the constraints still hold. */
static void sqlite_checks(void) {
  char *path = ts_db_path("upgrade-4");
  sqlite3 *conn = NULL;
  bool ok = sqlite3_open(path, &conn) == SQLITE_OK;
  static const char *const steps[] = {"sql/sqlite/schema.sql", "sql/sqlite/schema_2.sql", "sql/sqlite/schema_3.sql",
                                      "sql/sqlite/schema_4.sql"};
  for (size_t i = 0; ok && i < sizeof steps / sizeof *steps; i++) {
    char *sql = ts_read_file(steps[i]);
    ok = sql && sqlite3_exec(conn, sql, NULL, NULL, NULL) == SQLITE_OK;
    free(sql);
  }
  int before = ok ? in_list_checks(conn) : -1;
  sqlite3_close(conn);
  OK(ok && before == 7, "sqlite: a file of schema version 4 with 7 value-list CHECKs written IN (…) (%d)", before);

  leadstore *db = ts_open(path);
  json_t *r = ts_call(db, &ts_service, "create_campaign_with_coverage_tx",
                      "{\"p_campaign_data\":{\"name\":\"Version 4\"},\"p_coverage_data\":[{\"zip\":\"90001\"}]}");
  char cid[37];
  snprintf(cid, sizeof cid, "%s", ts_success(r) ? ts_str(r, "campaign_id") : "");
  json_decref(r);
  r = ts_call(db, &ts_service, "batch_upsert_businesses_tx",
              "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_businesses\":[{\"place_id\":\"a\",\"name\":\"A\","
              "\"email\":\"a@a.example\"},{\"place_id\":\"b\",\"name\":\"B\"}]}",
              cid);
  OK(*cid && ts_success(r), "sqlite: version 4 opened by this release, written to");
  json_decref(r);
  OK(ts_check(db) == 0, "sqlite: check is clean");
  leadstore_close(db);

  sqlite3_open(path, &conn);
  sqlite3_stmt *st = NULL;
  sqlite3_prepare_v2(conn, "SELECT (SELECT user_version FROM pragma_user_version) || ' ' || "
                           "(SELECT group_concat(integrity_check) FROM pragma_integrity_check)", -1, &st, NULL);
  const char *got = st && sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : "";
  OK(!strcmp(got, "5 ok"), "sqlite: the file is version 5, its integrity check ok (%s)", got);
  sqlite3_finalize(st);
  OK(in_list_checks(conn) == 0, "sqlite: no value-list CHECK is written IN (…) any more");
  /* the rewritten constraints still refuse what they refused, and let NULL pass */
  char *bad = sqlite3_mprintf("UPDATE gmaps_businesses SET email_source = 'facebok' WHERE campaign_id = %Q", cid);
  int rc = sqlite3_exec(conn, bad, NULL, NULL, NULL);
  OK(sqlite3_extended_errcode(conn) == SQLITE_CONSTRAINT_CHECK && rc != SQLITE_OK,
     "sqlite: a source outside the list is still refused by its CHECK");
  sqlite3_free(bad);
  rc = sqlite3_exec(conn, "UPDATE gmaps_campaigns SET status = 'archived'", NULL, NULL, NULL);
  OK(rc != SQLITE_OK && sqlite3_extended_errcode(conn) == SQLITE_CONSTRAINT_CHECK,
     "sqlite: so is a campaign status outside the list");
  rc = sqlite3_exec(conn, "UPDATE gmaps_campaigns SET status = 'paused'", NULL, NULL, NULL);
  OK(rc == SQLITE_OK, "sqlite: and a status of the list is taken");
  sqlite3_close(conn);
  free(path);
}

/* Some data written through the old release's functions; the business ids in ids. */
static char *old_data(char ids[80]) {
  leadstore *db = ts_open(url);
  json_t *r = ts_call(db, &ts_service, "create_campaign_with_coverage_tx",
                      "{\"p_campaign_data\":{\"name\":\"Before the upgrade\",\"keywords\":[\"pizza\"]},"
                      "\"p_coverage_data\":[{\"zip\":\"90001\"},{\"zip\":\"90002\"}]}");
  char *cid = strdup(ts_success(r) ? ts_str(r, "campaign_id") : "");
  json_decref(r);
  r = ts_call(db, &ts_service, "batch_upsert_businesses_tx",
              "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_businesses\":[{\"place_id\":\"a\",\"name\":\"A\","
              "\"email\":\"a@a.example\"},{\"place_id\":\"b\",\"name\":\"B\",\"facebook_url\":\"https://fb.example/b\"}]}",
              cid);
  bool ok = ts_success(r);
  batch_ids(r, ids);
  json_decref(r);
  r = ts_call(db, &ts_service, "track_api_cost_tx",
              "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.25}}", cid);
  ok = ok && ts_success(r);
  json_decref(r);
  r = ts_call(db, &ts_service, "update_coverage_status_tx",
              "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_results\":{\"businesses_found\":2,"
              "\"emails_found\":1}}", cid);
  ok = ok && ts_success(r);
  json_decref(r);
  OK(*cid && ok, "the previous release's functions store a campaign, businesses, a cost and a scrape");
  OK(ts_check(db) == 0, "check is clean before the upgrade");
  leadstore_close(db);
  return cid;
}

int main(int argc, char **argv) {
  (void)argc;
  sqlite_upgrade(2);
  sqlite_upgrade(3);
  sqlite_checks();
  if (!(url = ts_pg_database(argv[0]))) return 2;
  PGconn *c = PQconnectdb(url);
  if (!OK(PQstatus(c) == CONNECTION_OK && install_fixture(c), "the database is created by release 0.1.0's migrations"))
    return tap_done();
  char ids[80];
  char *cid = old_data(ids);
  OK(old_signature(c), "an older signature of list_campaigns sits beside the current one");
  char state[6];
  char *v = value(c, "SELECT public.list_campaigns(p_status => 'draft')", state);
  OK(!strcmp(state, "42725"), "so a call of list_campaigns is ambiguous (%s)", state);
  free(v);

  leadstore *db = ts_open(url);
  char *report = NULL;
  int rc = leadstore_migrate(db, &report);
  OK(rc == LEADSTORE_OK, "the current migrate upgrades it: %s", report ? report : "?");
  OK(report && strstr(report, "0002_rules.sql") && strstr(report, "0003_operations.sql") &&
         strstr(report, "0009_campaign_counters.sql") &&
         strstr(report, "0010_queue_counters.sql"),
     "it applied the new and the changed migrations");
  leadstore_free(report);
  leadstore_close(db);

  v = value(c, "SELECT count(*) FROM pg_proc WHERE proname = 'list_campaigns' AND pronamespace = 'public'::regnamespace",
            NULL);
  OK(!strcmp(v, "1"), "one list_campaigns is left (%s)", v);
  free(v);
  v = value(c, "SELECT pg_get_function_identity_arguments('public.list_campaigns'::regproc)", NULL);
  OK(!strcmp(v, "p_status text, p_limit integer, p_offset integer"), "the current one: %s", v);
  free(v);
  v = value(c, "SELECT has_function_privilege('authenticated', 'public.list_campaigns(text, integer, integer)', "
               "'EXECUTE')::text || ',' || has_function_privilege('anon', 'public.list_campaigns(text, integer, "
               "integer)', 'EXECUTE')::text",
            NULL);
  OK(!strcmp(v, "true,false"), "with the grants of the current release (authenticated, not anon: %s)", v);
  free(v);
  v = value(c, "SELECT public.list_campaigns(p_status => 'draft') ->> 'total'", state);
  OK(!strcmp(v, "1"), "a call of list_campaigns is no longer ambiguous (%s %s)", v, state);
  free(v);

  db = ts_open(url);
  json_t *r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", cid);
  json_t *camp = json_object_get(r, "campaign");
  OK(ts_success(r) && json_integer_value(json_object_get(camp, "total_businesses_found")) == 2 &&
         json_number_value(json_object_get(camp, "actual_cost")) == 0.25,
     "the data written before the upgrade reads back");
  OK(backfilled(r), "the counters added since are backfilled from the rows");
  json_decref(r);
  OK(queues_backfilled(db, cid, ids), "the queue totals (0010) are backfilled, the ids unchanged");
  r = ts_call(db, &ts_service, "update_campaign_status_tx", "{\"p_campaign_id\":\"%s\",\"p_new_status\":\"running\"}",
              cid);
  OK(ts_success(r), "a write after the upgrade succeeds");
  json_decref(r);
  r = ts_call(db, &ts_service, "list_campaigns", "{\"p_status\":\"running\",\"p_limit\":5,\"p_offset\":0}");
  OK(ts_success(r) && json_integer_value(json_object_get(r, "total")) == 1, "list_campaigns with every parameter");
  json_decref(r);
  OK(ts_check(db) == 0, "check is clean after the upgrade");
  report = NULL;
  rc = leadstore_migrate(db, &report);
  OK(rc == LEADSTORE_OK && report && strstr(report, "\"applied\":[]"), "a second migrate has nothing to do: %s",
     report ? report : "?");
  leadstore_free(report);
  leadstore_close(db);
  PQfinish(c);
  free(cid);

  const char *dir = getenv("LEADSTORE_CASES");
  ts_run_cases(dir ? dir : "tests/cases", TS_PG, url); /* every case, on the upgraded schema */
  free(url);
  return tap_done();
}
