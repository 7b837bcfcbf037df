/*
 * t_pagination.c — the keyset pages of list_businesses, list_costs and
 * list_coverage, on SQLite and on PostgreSQL (the server of
 * $LEADSTORE_TEST_PG).
 *
 * Stable under concurrent writes: a reader walks a campaign's businesses
 * page by page while another connection inserts businesses between the
 * pages — some dated before every existing row (an injected clock in the
 * past), which a page by offset would return twice, and some dated now —
 * and while a third connection enriches the last row of each page of a
 * filtered walk, so that the row p_after names no longer matches the
 * filter.  Every row that existed when the walk began comes back exactly
 * once, in (created_at, id) order, and no row comes back twice.
 *
 * Faults: a read whose Nth allocation (or, on SQLite, statement step) fails
 * fails with XX000 for every N, never answering half a page.
 *
 * The same cost at any depth: the plan of each page statement reads the
 * campaign's index from the key on, without sorting the campaign's rows
 * (SQLite: EXPLAIN QUERY PLAN of the statements of queries.sql; PostgreSQL:
 * the plans auto_explain reports for the statements inside the functions).
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "support.h"


enum { ORIGINAL = 40, PAGE = 3 };

static const char *engine_name;

/* A clock in the past (2001), one second further at each call. */
static int64_t past_clock(void *ctx) {
  int64_t *t = ctx;
  return *t += 1000000;
}

static leadstore *open_with(const char *path, leadstore_options *o) {
  leadstore *db = NULL;
  char *msg = NULL;
  if (leadstore_open(path, o, &db, &msg) != LEADSTORE_OK) {
    printf("Bail out! cannot open %s: %s\n", path, msg ? msg : "?");
    exit(2);
  }
  return db;
}

/* Inserts one business (its own call, so its own timestamp); true on success. */
static bool add_business(leadstore *db, const char *cid, const char *place, const char *fb) {
  json_t *r = ts_call(db, &ts_service, "batch_upsert_businesses_tx",
                      "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_businesses\":[{\"place_id\":\"%s\","
                      "\"name\":\"Business %s\"%s%s%s}]}",
                      cid, place, place, fb ? ",\"facebook_url\":\"" : "", fb ? fb : "", fb ? "\"" : "");
  bool ok = ts_success(r);
  json_decref(r);
  return ok;
}

/* The ids of every business of the campaign, read in one page, in order. */
static json_t *all_ids(leadstore *db, const char *cid, const char *filter) {
  json_t *r = ts_call(db, &ts_service, "list_businesses", "{\"p_campaign_id\":\"%s\",\"p_limit\":1000%s}", cid,
                      filter);
  json_t *ids = json_array();
  size_t i;
  json_t *b;
  json_array_foreach(json_object_get(r, "businesses"), i, b) json_array_append(ids, json_object_get(b, "id"));
  json_decref(r);
  return ids;
}

/* The total list_businesses answers with filter (-1 on failure). */
static json_int_t total_of(leadstore *db, const char *cid, const char *filter) {
  json_t *r = ts_call(db, &ts_service, "list_businesses", "{\"p_campaign_id\":\"%s\",\"p_limit\":1%s}", cid, filter);
  json_int_t n = ts_success(r) ? json_integer_value(json_object_get(r, "total")) : -1;
  json_decref(r);
  return n;
}

static bool contains(const json_t *list, const char *id) {
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) if (!strcmp(json_string_value(v), id)) return true;
  return false;
}

/*
 * Walks the list page by page, calling between(arg, page) after each page;
 * checks every row of `before` comes back once, in order, with no row twice.
 */
typedef void (*between_fn)(void *arg, json_t *page);

static void walk(leadstore *reader, const char *cid, const char *filter, const json_t *before, between_fn between,
                 void *arg, const char *what) {
  json_t *seen = json_array();
  char after[64] = "";
  char last_key[128] = "";
  bool ordered = true, failed = false, dup = false;
  int pages = 0;
  for (;;) {
    char extra[96] = "";
    if (after[0]) snprintf(extra, sizeof extra, ",\"p_after\":\"%s\"", after);
    json_t *r = ts_call(reader, &ts_service, "list_businesses", "{\"p_campaign_id\":\"%s\",\"p_limit\":%d%s%s}", cid,
                        PAGE, filter, extra);
    if (!ts_success(r)) {
      tap_diag("%s: page %d failed: %s %s", what, pages, ts_code(r), ts_str(r, "error"));
      failed = true;
      json_decref(r);
      break;
    }
    pages++;
    json_t *page = json_object_get(r, "businesses");
    size_t i;
    json_t *b;
    json_array_foreach(page, i, b) {
      const char *id = json_string_value(json_object_get(b, "id"));
      char key[128];
      snprintf(key, sizeof key, "%s/%s", json_string_value(json_object_get(b, "created_at")), id);
      if (strcmp(key, last_key) <= 0) ordered = false;
      snprintf(last_key, sizeof last_key, "%s", key);
      if (contains(seen, id)) dup = true;
      json_array_append_new(seen, json_string(id));
    }
    const char *next = json_string_value(json_object_get(r, "next_after"));
    if (!next) {
      json_decref(r);
      break;
    }
    snprintf(after, sizeof after, "%s", next);
    if (between) between(arg, page);
    json_decref(r);
    if (pages > 1000) break;
  }
  size_t missing = 0, i;
  json_t *v;
  json_array_foreach(before, i, v) missing += !contains(seen, json_string_value(v));
  OK(!failed, "%s: %s: every page answered", engine_name, what);
  OK(missing == 0, "%s: %s: every one of the %zu rows present at the start came back (%zu missing)", engine_name,
     what, json_array_size(before), missing);
  OK(!dup, "%s: %s: no row came back twice (%d pages, %zu rows)", engine_name, what, pages, json_array_size(seen));
  OK(ordered, "%s: %s: the rows came in (created_at, id) order across the pages", engine_name, what);
  json_decref(seen);
}

/* Between pages: a business dated in the past and one dated now, by two other connections. */
typedef struct inserts {
  leadstore *past, *now;
  const char *cid;
  int n;
  bool ok;
} inserts;

static void insert_between(void *arg, json_t *page) {
  (void)page;
  inserts *x = arg;
  char place[32];
  snprintf(place, sizeof place, "past-%d", x->n);
  x->ok &= add_business(x->past, x->cid, place, NULL);
  snprintf(place, sizeof place, "now-%d", x->n++);
  x->ok &= add_business(x->now, x->cid, place, NULL);
}

/* Between pages of the facebook-pending walk: the page's last row is enriched (no longer pending). */
typedef struct enrich {
  leadstore *db;
  int n;
  bool ok;
} enrich;

static void enrich_last(void *arg, json_t *page) {
  enrich *x = arg;
  json_t *last = json_array_get(page, json_array_size(page) - 1);
  json_t *r = ts_call(x->db, &ts_service, "save_facebook_enrichment_tx",
                      "{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"success\":true}}",
                      json_string_value(json_object_get(last, "id")));
  x->ok &= ts_success(r);
  x->n++;
  json_decref(r);
}

static void stable_pages(const char *path) {
  leadstore *reader = ts_open(path), *now = ts_open(path), *other = ts_open(path);
  int64_t t = 978307200LL * 1000000; /* 2001-01-01T00:00:00Z */
  leadstore_options o = {.clock_us = past_clock, .ctx = &t};
  leadstore *past = open_with(path, &o);
  json_t *r = ts_call(reader, &ts_service, "create_campaign_with_coverage_tx",
                      "{\"p_campaign_data\":{\"name\":\"Pages\"},\"p_coverage_data\":[{\"zip\":\"90001\"}]}");
  char cid[37];
  snprintf(cid, sizeof cid, "%s", ts_str(r, "campaign_id"));
  json_decref(r);
  bool made = true;
  for (int i = 0; i < ORIGINAL; i++) {
    char place[32];
    snprintf(place, sizeof place, "orig-%02d", i);
    made &= add_business(reader, cid, place, i % 2 ? "https://facebook.com/x" : NULL);
  }
  OK(made, "%s: %d businesses made", engine_name, ORIGINAL);

  json_t *before = all_ids(reader, cid, "");
  inserts x = {past, now, cid, 0, true};
  walk(reader, cid, "", before, insert_between, &x, "inserts between pages");
  OK(x.ok && x.n > 0, "%s: %d businesses were inserted between the pages, in the past and now", engine_name, 2 * x.n);
  json_t *after = all_ids(reader, cid, "");
  OK(json_array_size(after) == json_array_size(before) + 2 * (size_t)x.n, "%s: the inserts are all there (%zu rows)",
     engine_name, json_array_size(after));
  /* the total without a filter is the campaign's counter; with one, a count: both the rows there are */
  json_int_t plain = total_of(reader, cid, ""), blank = total_of(reader, cid, ",\"p_search\":\"  \""),
             counted = total_of(reader, cid, ",\"p_zip_code\":\"90001\"");
  OK(plain == (json_int_t)json_array_size(after) && blank == plain && counted == plain,
     "%s: the total without a filter (%lld, blank search %lld) is the rows counted with one (%lld)", engine_name,
     (long long)plain, (long long)blank, (long long)counted);
  /* a row dated before the walk's position is never on a later page: the first id is one of the past */
  json_decref(after);
  json_decref(before);

  before = all_ids(reader, cid, ",\"p_enrichment_status\":\"pending\"");
  OK(json_array_size(before) == ORIGINAL / 2, "%s: %zu businesses wait for Facebook", engine_name,
     json_array_size(before));
  enrich e = {other, 0, true};
  walk(reader, cid, ",\"p_enrichment_status\":\"pending\"", before, enrich_last, &e,
       "filtered walk whose p_after rows leave the filter");
  OK(e.ok && e.n > 0, "%s: %d rows named by p_after were enriched between the pages", engine_name, e.n);
  json_decref(before);
  OK(ts_check(reader) == 0, "%s: check clean", engine_name);
  leadstore_close(past);
  leadstore_close(other);
  leadstore_close(now);
  leadstore_close(reader);
}

/*--- Faults ---------------------------------------------------------------------------*/

/*
 * A read whose Nth allocation or statement step fails, for every N: the call
 * fails with XX000 — never a half-built page answered as a success — and
 * leaks nothing (the sanitizer build); past its last event it succeeds.
 */
static void fault_sweep(leadstore *db, const char *op, const char *params, leadstore_fault kind) {
  long n;
  bool ok = true;
  for (n = 1; ok && n < 100000; n++) {
    leadstore_test_fault(db, kind, n);
    char *result = NULL;
    int rc = leadstore_call(db, &ts_service, op, params, &result);
    long made = leadstore_test_fault(db, kind, 0);
    leadstore_test_fault(db, LEADSTORE_FAULT_NONE, 0);
    if (rc == LEADSTORE_OK) {
      if (made >= n) ok = false, tap_diag("%s: fault %ld was swallowed: %.200s", op, n, result);
      leadstore_free(result);
      break;
    }
    if (rc != LEADSTORE_EINTERNAL) ok = false, tap_diag("%s: fault %ld gave %s", op, n, leadstore_status_sqlstate(rc));
    leadstore_free(result);
  }
  OK(ok && n > 2, "%s: %s fails cleanly at each of its %ld %ss", engine_name, op, n - 1,
     kind == LEADSTORE_FAULT_STEP ? "step" : "allocation");
}

/* The sweeps on the database at path; statement steps are the embedded engine's only. */
static void faults(const char *path, bool steps) {
  leadstore *db = ts_open(path);
  json_t *r = ts_call(db, &ts_service, "create_campaign_with_coverage_tx",
                      "{\"p_campaign_data\":{\"name\":\"Faults\"},\"p_coverage_data\":[{\"zip\":\"1\"},{\"zip\":\"2\"},"
                      "{\"zip\":\"3\"}]}");
  char cid[37], bid[37] = "", after[37] = "";
  snprintf(cid, sizeof cid, "%s", ts_str(r, "campaign_id"));
  json_decref(r);
  for (int i = 0; i < 5; i++) {
    char place[16];
    snprintf(place, sizeof place, "f%d", i);
    add_business(db, cid, place, "https://facebook.com/f");
  }
  r = ts_call(db, &ts_service, "list_businesses", "{\"p_campaign_id\":\"%s\",\"p_limit\":2}", cid);
  snprintf(after, sizeof after, "%s", ts_str(r, "next_after"));
  snprintf(bid, sizeof bid, "%s", ts_str(json_array_get(json_object_get(r, "businesses"), 0), "id"));
  json_decref(r);
  json_decref(ts_call(db, &ts_service, "save_facebook_enrichment_tx",
                      "{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"success\":true,\"primary_email\":\"a@b.example\"}}",
                      bid));
  json_decref(ts_call(db, &ts_service, "update_email_verification_tx",
                      "{\"p_source\":\"google_maps\",\"p_target_id\":\"%s\",\"p_verification_data\":{\"email\":\"a@b.example\","
                      "\"status\":\"deliverable\",\"score\":90}}",
                      bid));
  for (int i = 0; i < 3; i++)
    json_decref(ts_call(db, &ts_service, "track_api_cost_tx",
                        "{\"p_campaign_id\":\"%s\",\"p_service\":\"facebook\",\"p_cost_data\":{\"cost_usd\":0.5}}", cid));
  char p1[256], p2[256], p3[256], p4[256], p5[128], p6[128];
  snprintf(p1, sizeof p1, "{\"p_campaign_id\":\"%s\",\"p_limit\":2,\"p_after\":\"%s\",\"p_search\":\"bus\"}", cid, after);
  snprintf(p2, sizeof p2, "{\"p_campaign_id\":\"%s\",\"p_limit\":2}", cid);
  snprintf(p3, sizeof p3, "{\"p_campaign_id\":\"%s\",\"p_limit\":1,\"p_service\":\"facebook\"}", cid);
  snprintf(p4, sizeof p4, "{\"p_campaign_id\":\"%s\",\"p_limit\":1,\"p_after\":\"%s\"}", cid, after);
  snprintf(p5, sizeof p5, "{\"p_business_id\":\"%s\"}", bid);
  snprintf(p6, sizeof p6, "{\"p_campaign_id\":\"%s\"}", cid);
  static const leadstore_fault kinds[] = {LEADSTORE_FAULT_ALLOC, LEADSTORE_FAULT_STEP};
  for (int k = 0; k < (steps ? 2 : 1); k++) {
    fault_sweep(db, "list_businesses", p1, kinds[k]);
    fault_sweep(db, "list_coverage", p2, kinds[k]);
    fault_sweep(db, "list_costs", p3, kinds[k]);
    fault_sweep(db, "list_businesses", p4, kinds[k]);
    fault_sweep(db, "get_business", p5, kinds[k]);
    fault_sweep(db, "get_status_history", p6, kinds[k]);
  }
  leadstore_close(db);
}

/*--- Plans ----------------------------------------------------------------------------*/

static const struct {
  const char *name, *sql;
} queries[] = {
#define LS_SQ_QUERY(name, sql) {#name, sql},
#include "sqlite_queries.h"
#undef LS_SQ_QUERY
};

static const char *query(const char *name) {
  for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
    if (!strcmp(queries[i].name, name)) return queries[i].sql;
  return NULL;
}

static void no_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc, (void)argv;
  sqlite3_result_int(ctx, 1);
}

/* The query plan of a statement of queries.sql, one line per step. */
static char *sqlite_plan(sqlite3 *conn, const char *name) {
  char *sql = NULL, *out = NULL;
  size_t len = 0;
  if (asprintf(&sql, "EXPLAIN QUERY PLAN %s", query(name)) < 0) exit(2);
  FILE *f = open_memstream(&out, &len);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(conn, sql, -1, &st, NULL) != SQLITE_OK) fprintf(f, "error: %s", sqlite3_errmsg(conn));
  while (st && sqlite3_step(st) == SQLITE_ROW) fprintf(f, "%s\n", (const char *)sqlite3_column_text(st, 3));
  sqlite3_finalize(st);
  fclose(f);
  free(sql);
  return out;
}

static void sqlite_plans(const char *path) {
  sqlite3 *conn = NULL;
  sqlite3_open(path, &conn);
  sqlite3_create_function(conn, "ls_contains_ci", 2, SQLITE_UTF8, NULL, no_fn, NULL, NULL);
  sqlite3_exec(conn, "ANALYZE", NULL, NULL, NULL);
  static const struct {
    const char *query, *index;
  } want[] = {
      {"businesses_page", "USING INDEX idx_businesses_campaign (campaign_id=? AND (created_at,id)>(?,?))"},
      /* the work queues: each page walks its partial index */
      {"businesses_facebook_queue", "USING INDEX idx_businesses_facebook_queue (campaign_id=?)"},
      {"businesses_linkedin_queue", "USING INDEX idx_businesses_linkedin_queue (campaign_id=?)"},
      {"businesses_verification_queue", "USING INDEX idx_businesses_verification_queue (campaign_id=?)"},
      {"costs_page", "USING INDEX idx_api_costs_page (campaign_id=? AND (incurred_at,id)>(?,?))"},
      /* the UNIQUE (campaign_id, zip_code) index */
      {"coverage_page", "USING INDEX sqlite_autoindex_gmaps_campaign_coverage_2 (campaign_id=? AND zip_code>?)"},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    char *plan = sqlite_plan(conn, want[i].query);
    OK(strstr(plan, want[i].index) && !strstr(plan, "TEMP B-TREE"),
       "sqlite: %s reads the index from the key on, with no sort", want[i].query);
    if (!strstr(plan, want[i].index) || strstr(plan, "TEMP B-TREE")) tap_diag("plan: %s", plan);
    free(plan);
  }
  /* an existing file of schema version 1 gets the index of version 2 (and the counters of
   * version 3: t_upgrade) when opened */
  sqlite3_exec(conn,
               "DROP INDEX idx_api_costs_page; ALTER TABLE gmaps_campaigns DROP COLUMN linkedin_emails; "
               "ALTER TABLE gmaps_campaigns DROP COLUMN facebook_emails; "
               "ALTER TABLE gmaps_campaigns DROP COLUMN google_maps_emails; "
               "ALTER TABLE gmaps_campaigns DROP COLUMN total_safe_emails; "
               "ALTER TABLE gmaps_campaigns DROP COLUMN zips_scraped; "
               "ALTER TABLE gmaps_campaigns DROP COLUMN zip_businesses_found; "
               "ALTER TABLE gmaps_campaigns DROP COLUMN zip_emails_found; "
               "ALTER TABLE gmaps_campaigns DROP COLUMN facebook_queue; "
               "ALTER TABLE gmaps_campaigns DROP COLUMN linkedin_queue; "
               "ALTER TABLE gmaps_campaigns DROP COLUMN verification_queue; PRAGMA user_version = 1",
               NULL, NULL, NULL);
  sqlite3_close(conn);
  leadstore *db = ts_open(path);
  leadstore_close(db);
  sqlite3_open(path, &conn);
  sqlite3_stmt *st = NULL;
  sqlite3_prepare_v2(conn,
                     "SELECT (SELECT count(*) FROM sqlite_master WHERE name = 'idx_api_costs_page'), "
                     "(SELECT user_version FROM pragma_user_version)",
                     -1, &st, NULL);
  bool upgraded = st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1 &&
                  sqlite3_column_int(st, 1) == 5;
  OK(upgraded, "sqlite: a file of schema version 1 is brought to version 5 (the page index, ...) when opened");
  sqlite3_finalize(st);
  sqlite3_close(conn);
}

/* Collects the plans auto_explain sends as notices. */
static void collect(void *arg, const PGresult *res) {
  FILE *f = arg;
  fputs(PQresultErrorMessage(res), f);
}

static void pg_plans(const char *url, const char *cid) {
  PGconn *conn = PQconnectdb(url);
  char *log = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&log, &len);
  PQsetNoticeReceiver(conn, collect, f);
  PQclear(PQexec(conn, "ANALYZE"));
  /* each list 7 times, from the start and from deep inside (the key 250 rows in, read
   * first): PL/pgSQL plans its statements for the values of the first calls, then may keep
   * a generic plan */
  static const char *calls[] = {"list_businesses", "list_costs", "list_coverage"};
  char deep[3][37] = {"", "", ""};
  for (size_t i = 0; i < 3; i++) {
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s(p_campaign_id => '%s', p_limit => 250) ->> 'next_after'", calls[i], cid);
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
      snprintf(deep[i], sizeof deep[i], "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
  }
  PGresult *res = PQexec(conn, "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; "
                               "SET auto_explain.log_nested_statements = on; SET auto_explain.log_level = notice; "
                               "SET client_min_messages = notice");
  bool loaded = PQresultStatus(res) == PGRES_COMMAND_OK;
  if (!loaded) tap_diag("auto_explain: %s", PQerrorMessage(conn));
  PQclear(res);
  for (size_t i = 0; i < 3; i++)
    for (int k = 0; k < 7; k++) {
      char sql[256];
      snprintf(sql, sizeof sql, "SELECT %s(p_campaign_id => '%s', p_limit => 2%s%s%s)", calls[i], cid,
               k % 2 ? ", p_after => '" : "", k % 2 ? deep[i] : "", k % 2 ? "'" : "");
      PQclear(PQexec(conn, sql));
    }
  static const char *queues[] = {"facebook", "linkedin", "verification"};
  for (size_t i = 0; i < 3; i++)
    for (int k = 0; k < 7; k++) {
      char sql[256];
      snprintf(sql, sizeof sql, "SELECT get_businesses_for_enrichment(p_campaign_id => '%s', "
               "p_enrichment_type => '%s', p_limit => 2, p_offset => %d)", cid, queues[i], k);
      PQclear(PQexec(conn, sql));
    }
  fclose(f);
  PQfinish(conn);
  OK(loaded, "postgresql: auto_explain reports the plans of the functions' statements");
  static const struct {
    const char *from, *index;
  } want[] = {
      {"FROM gmaps_businesses b", "Index Scan using idx_businesses_campaign on gmaps_businesses"},
      {"FROM gmaps_api_costs x", "Index Scan using idx_api_costs_page on gmaps_api_costs"},
      {"FROM gmaps_campaign_coverage v", "Index Scan using idx_coverage_page on gmaps_campaign_coverage"},
  };
  for (size_t i = 0; i < 3; i++) {
    /* every plan of the page statement (the one with LIMIT) must read the index in order, with no Sort */
    const char *p = log;
    int pages = 0, bad = 0;
    while ((p = strstr(p, "Query Text:"))) {
      const char *end = strstr(p + 1, "Query Text:");
      size_t n = end ? (size_t)(end - p) : strlen(p);
      char *plan = strndup(p, n);
      if (strstr(plan, "LIMIT v_limit + 1") && strstr(plan, want[i].from)) {
        pages++;
        if (!strstr(plan, want[i].index) || strstr(plan, "Sort")) {
          bad++;
          tap_diag("%s", plan);
        }
      }
      free(plan);
      p += 11;
    }
    OK(pages == 7 && bad == 0, "postgresql: all %d plans of the page of %s read %s in order, with no sort", pages,
       calls[i], want[i].index);
  }
  for (size_t i = 0; i < 3; i++) {
    /* the queue's page: its partial index from the campaign on, in order, with no sort */
    char from[64], index[96];
    snprintf(from, sizeof from, "ls_queue_%s(b)", queues[i]);
    snprintf(index, sizeof index, "Index Scan using idx_businesses_%s_queue on gmaps_businesses", queues[i]);
    const char *p = log;
    int pages = 0, bad = 0;
    while ((p = strstr(p, "Query Text:"))) {
      const char *end = strstr(p + 1, "Query Text:");
      size_t n = end ? (size_t)(end - p) : strlen(p);
      char *plan = strndup(p, n);
      if (strstr(plan, "LIMIT v_limit OFFSET v_offset") && strstr(plan, from)) {
        pages++;
        if (!strstr(plan, index) || strstr(plan, "Sort")) {
          bad++;
          tap_diag("%s", plan);
        }
      }
      free(plan);
      p += 11;
    }
    OK(pages == 7 && bad == 0, "postgresql: all %d plans of the %s queue's page read %s in order, with no sort", pages,
       queues[i], index);
  }
  if (getenv("LEADSTORE_TEST_VERBOSE")) tap_diag("%s", log);
  free(log);
}

/* Many rows in three campaigns, so that the planner has a choice; returns the first campaign's id. */
static char *fill(const char *path) {
  leadstore *db = ts_open(path);
  char *first = NULL;
  for (int c = 0; c < 3; c++) {
    /* 400 ZIPs, 4 batches of 500 businesses, 300 costs */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    for (int i = 0; i < 400; i++) fprintf(f, "%s{\"zip\":\"%05d\"}", i ? "," : "", i);
    fclose(f);
    json_t *r = ts_call(db, &ts_service, "create_campaign_with_coverage_tx",
                        "{\"p_campaign_data\":{\"name\":\"Big %d\"},\"p_coverage_data\":[%s]}", c, text);
    free(text);
    char cid[37];
    snprintf(cid, sizeof cid, "%s", ts_str(r, "campaign_id"));
    json_decref(r);
    if (!first) first = strdup(cid);
    for (int batch = 0; batch < 4; batch++) {
      f = open_memstream(&text, &len);
      for (int i = 0; i < 500; i++)
        fprintf(f, "%s{\"place_id\":\"p%d-%d\",\"name\":\"N %d\"}", i ? "," : "", batch, i, i);
      fclose(f);
      json_decref(ts_call(db, &ts_service, "batch_upsert_businesses_tx",
                          "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"00001\",\"p_businesses\":[%s]}", cid, text));
      free(text);
    }
    for (int i = 0; i < 300; i++)
      json_decref(ts_call(db, &ts_service, "track_api_cost_tx",
                          "{\"p_campaign_id\":\"%s\",\"p_service\":\"facebook\",\"p_cost_data\":{\"cost_usd\":0.01}}",
                          cid));
  }
  json_t *r = ts_call(db, &ts_service, "list_businesses", "{\"p_campaign_id\":\"%s\",\"p_limit\":1}", first);
  OK(json_integer_value(json_object_get(r, "total")) == 2000, "%s: 2000 businesses in the campaign of the plans",
     engine_name);
  json_decref(r);
  leadstore_close(db);
  return first;
}

int main(int argc, char **argv) {
  (void)argc;
  engine_name = "sqlite";
  char *path = ts_db_path("pages");
  stable_pages(path);
  free(path);
  path = ts_db_path("faults");
  faults(path, true);
  free(path);
  path = ts_db_path("plans");
  free(fill(path));
  sqlite_plans(path);
  free(path);

  engine_name = "postgresql";
  if (!(path = ts_pg_database(argv[0]))) return tap_done() | 1;
  leadstore *db = ts_open(path);
  char *report = NULL;
  OK(leadstore_migrate(db, &report) == LEADSTORE_OK, "postgresql: migrated");
  leadstore_free(report);
  leadstore_close(db);
  stable_pages(path);
  faults(path, false);
  ts_pg_reset(path);
  char *big = fill(path);
  pg_plans(path, big);
  free(big);
  free(path);
  return tap_done();
}
