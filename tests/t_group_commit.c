/*
 * t_group_commit.c — group commit (leadstore_group_begin / _commit, and the
 * server's committer that uses it on SQLite):
 *   - a group's calls keep their own answers: a failing call rolls back only
 *     its savepoint, the others commit; a request id repeated inside one
 *     group is answered as a replay;
 *   - a fault injected at every step (and every allocation) of a call in the
 *     middle of a group fails that call alone and changes nothing of it;
 *   - a group whose COMMIT fails answers every call with a retryable failure
 *     and leaves the database byte-for-byte unchanged;
 *   - the write lock is held for the group; readers go on (WAL); a server
 *     whose committer cannot have it answers the waiting write 55P03;
 *   - on PostgreSQL the group API is a bracket around calls that commit alone;
 *   - 64 concurrent writers over HTTP, with group commit on and off, all get
 *     answers that match the database afterwards: every success stored once,
 *     every failure absent, replays paired, the invariants exact.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <curl/curl.h>

#include "support.h"

static const char *SECRET = "group-commit-test-secret-0123456789abcdef0123";

/* A campaign; its id into out. */
static void new_campaign(leadstore *db, const char *name, char out[37]) {
  json_t *r = ts_call(db, &ts_service, "create_campaign_with_coverage_tx",
                      "{\"p_campaign_data\":{\"name\":\"%s\"},\"p_coverage_data\":[{\"zip\":\"90001\"}]}", name);
  snprintf(out, 37, "%s", ts_str(r, "campaign_id"));
  json_decref(r);
}

static long long rows(leadstore *db, const char *table) {
  long long n = -1;
  if (leadstore_test_count_rows(db, table, &n) != LEADSTORE_OK) return -1;
  return n;
}

/* A call whose parsed answer and status are kept. */
typedef struct answer {
  int rc;
  json_t *json;
} answer;

static answer call(leadstore *db, const char *op, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static answer call(leadstore *db, const char *op, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *params = NULL;
  if (vasprintf(&params, fmt, ap) < 0) exit(2);
  va_end(ap);
  char *text = NULL;
  answer a = {leadstore_call(db, &ts_service, op, params, &text), NULL};
  a.json = text ? json_loads(text, 0, NULL) : NULL;
  leadstore_free(text);
  free(params);
  return a;
}

static const char *str(const answer *a, const char *key) { return json_string_value(json_object_get(a->json, key)); }

/*--- The library -------------------------------------------------------------*/

/* A group of mixed calls: successes, failures, a repeated request id. */
static void mixed_group(leadstore *db, const char *path, const char *cid) {
  long long costs = rows(db, "gmaps_api_costs"), campaigns = rows(db, "gmaps_campaigns");
  OK(leadstore_group_begin(db, NULL) == LEADSTORE_OK, "a group opens");
  answer a = call(db, "track_api_cost_tx",
                  "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.5},\"p_request_id\":\"mix-a\"}", cid);
  answer b = call(db, "update_campaign_status_tx",
                  "{\"p_campaign_id\":\"00000000-0000-4000-8000-00000000dead\",\"p_new_status\":\"running\"}");
  answer v = call(db, "create_campaign_with_coverage_tx", "{\"p_campaign_data\":{\"name\":\"\"}}");
  answer c = call(db, "track_api_cost_tx",
                  "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.5},\"p_request_id\":\"mix-a\"}", cid);
  answer x = call(db, "track_api_cost_tx",
                  "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.9},\"p_request_id\":\"mix-a\"}", cid);
  answer d = call(db, "create_campaign_with_coverage_tx", "{\"p_campaign_data\":{\"name\":\"in a group\"}}");
  /* a rule refused after the call had written: the campaign it made is rolled back with it */
  answer e = call(db, "update_campaign_status_tx", "{\"p_campaign_id\":\"%s\",\"p_new_status\":\"completed\"}", cid);
  char *failure = NULL;
  int rc = leadstore_group_commit(db, &failure);
  OK(rc == LEADSTORE_OK && !failure, "the group commits");
  OK(a.rc == LEADSTORE_OK && !json_is_true(json_object_get(a.json, "replayed")) && str(&a, "cost_id"),
     "a keyed cost in the group succeeds");
  OK(b.rc == LEADSTORE_ENOTFOUND && !strcmp(str(&b, "error_code"), "P0002"), "a call on a missing campaign fails alone (P0002)");
  OK(v.rc == LEADSTORE_EINVAL && !strcmp(str(&v, "error_code"), "22023"), "an invalid call fails alone (22023)");
  OK(c.rc == LEADSTORE_OK && json_is_true(json_object_get(c.json, "replayed")) && str(&c, "cost_id") && str(&a, "cost_id") &&
         !strcmp(str(&c, "cost_id"), str(&a, "cost_id")),
     "the same request id again in the same group is answered as a replay of the first");
  OK(x.rc == LEADSTORE_EINVAL, "the same request id with other parameters in the same group is refused");
  OK(d.rc == LEADSTORE_OK, "a campaign made in the group");
  OK(e.rc != LEADSTORE_OK, "a refused status change fails alone (%s)", str(&e, "error_code") ? str(&e, "error_code") : "?");
  OK(rows(db, "gmaps_api_costs") == costs + 1 && rows(db, "gmaps_campaigns") == campaigns + 1,
     "after the commit: one cost row and one campaign more, nothing of the failed calls");
  OK(str(&d, "campaign_id") && ts_row_exists(path, "gmaps_campaigns", str(&d, "campaign_id")) &&
         ts_row_exists(path, "gmaps_api_costs", str(&a, "cost_id")),
     "the group's successes are stored");
  answer r = call(db, "track_api_cost_tx",
                  "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.5},\"p_request_id\":\"mix-a\"}", cid);
  OK(r.rc == LEADSTORE_OK && json_is_true(json_object_get(r.json, "replayed")) && !strcmp(str(&r, "cost_id"), str(&a, "cost_id")),
     "after the commit the request id replays the committed result");
  OK(ts_check(db) == 0, "the invariants hold after the group");
  answer *all[] = {&a, &b, &v, &c, &x, &d, &e, &r};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) json_decref(all[i]->json);
}

/*
 * A fault at every step (or allocation) of a batch in the middle of a group:
 * the calls before and after it commit, the batch fails with XX000 and none
 * of its businesses is stored; the sweep ends when the fault lies past the
 * batch's last event and it succeeds.
 */
static void sweep_middle(leadstore *db, const char *cid, leadstore_fault kind) {
  const char *kind_name = kind == LEADSTORE_FAULT_STEP ? "step" : "allocation";
  bool ok = true, completed = false;
  char why[300] = "";
  long n;
  for (n = 1; ok && !completed && n < 1000; n++) {
    long long costs = rows(db, "gmaps_api_costs"), businesses = rows(db, "gmaps_businesses");
    ok = leadstore_group_begin(db, NULL) == LEADSTORE_OK;
    answer a = call(db, "track_api_cost_tx",
                    "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.001},\"p_request_id\":\"%s-a-%ld\"}",
                    cid, kind_name, n);
    leadstore_test_fault(db, kind, n);
    answer b = call(db, "batch_upsert_businesses_tx",
                    "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_businesses\":[{\"place_id\":\"%s-%ld-1\",\"name\":\"One\","
                    "\"email\":\"one@x.example\"},{\"place_id\":\"%s-%ld-2\",\"name\":\"Two\"}]}",
                    cid, kind_name, n, kind_name, n);
    long made = leadstore_test_fault(db, kind, 0);
    leadstore_test_fault(db, LEADSTORE_FAULT_NONE, 0);
    answer c = call(db, "track_api_cost_tx",
                    "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.001}}", cid);
    int rc = leadstore_group_commit(db, NULL);
    completed = b.rc == LEADSTORE_OK;
    if (ok && (rc != LEADSTORE_OK || a.rc != LEADSTORE_OK || c.rc != LEADSTORE_OK)) {
      ok = false;
      snprintf(why, sizeof why, "%s %ld: the others or the commit failed (%d %d %d)", kind_name, n, a.rc, c.rc, rc);
    } else if (completed && made >= n) {
      ok = false;
      snprintf(why, sizeof why, "%s %ld failed inside the batch, yet it succeeded", kind_name, n);
    } else if (!completed && b.rc != LEADSTORE_EINTERNAL) {
      ok = false;
      snprintf(why, sizeof why, "%s %ld: expected XX000, got %d", kind_name, n, b.rc);
    } else if (rows(db, "gmaps_api_costs") != costs + 2 || rows(db, "gmaps_businesses") != businesses + (completed ? 2 : 0)) {
      ok = false;
      snprintf(why, sizeof why, "%s %ld: rows after the commit do not match the answers", kind_name, n);
    } else if (ts_check(db) != 0) {
      ok = false;
      snprintf(why, sizeof why, "%s %ld: check is not clean", kind_name, n);
    }
    json_decref(a.json);
    json_decref(b.json);
    json_decref(c.json);
  }
  if (!OK(ok && completed && n > 3, "a batch in the middle of a group fails at each of its %ld %ss alone; the others commit",
          n - 2, kind_name))
    tap_diag("%s", why[0] ? why : "the sweep did not complete");
}

/* The group's COMMIT fails: every call is answered as failed, retryably, and nothing changed. */
static void commit_fails(leadstore *db, const char *path, const char *cid) {
  char *before = ts_dump(path);
  OK(leadstore_group_begin(db, NULL) == LEADSTORE_OK, "a group opens");
  answer a = call(db, "track_api_cost_tx",
                  "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.25},\"p_request_id\":\"cf-a\"}", cid);
  answer b = call(db, "create_campaign_with_coverage_tx", "{\"p_campaign_data\":{\"name\":\"never\"}}");
  OK(a.rc == LEADSTORE_OK && b.rc == LEADSTORE_OK, "two calls succeed inside the group, provisionally");
  leadstore_test_fault(db, LEADSTORE_FAULT_STEP, 1); /* the commit's first step: COMMIT itself */
  char *failure = NULL;
  int rc = leadstore_group_commit(db, &failure);
  leadstore_test_fault(db, LEADSTORE_FAULT_NONE, 0);
  json_t *f = failure ? json_loads(failure, 0, NULL) : NULL;
  OK(rc == LEADSTORE_EINTERNAL && json_is_false(json_object_get(f, "success")) &&
         json_is_true(json_object_get(f, "retry_recommended")) &&
         !strcmp(json_string_value(json_object_get(f, "error_code")) ? json_string_value(json_object_get(f, "error_code")) : "", "XX000"),
     "a failed COMMIT gives the group's answer: failure, retry recommended (%s)", failure ? failure : "none");
  char *after = ts_dump(path);
  OK(before && after && !strcmp(before, after), "a failed COMMIT changes nothing");
  OK(ts_check(db) == 0, "the invariants hold after the failed commit");
  answer again = call(db, "track_api_cost_tx",
                      "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.25},\"p_request_id\":\"cf-a\"}", cid);
  OK(again.rc == LEADSTORE_OK && !json_is_true(json_object_get(again.json, "replayed")),
     "the request id of the failed group is new: the retry is not a replay");
  char *misuse = NULL;
  OK(leadstore_group_commit(db, &misuse) == LEADSTORE_EINVAL && misuse && strstr(misuse, "22023"),
     "a commit without a group is refused with EINVAL and a failure object");
  leadstore_free(misuse);
  OK(leadstore_group_begin(db, NULL) == LEADSTORE_OK && leadstore_group_begin(db, &misuse) == LEADSTORE_EINVAL && misuse,
     "a group inside a group is refused");
  leadstore_free(misuse);
  OK(leadstore_group_commit(db, NULL) == LEADSTORE_OK, "the empty group commits");
  json_decref(f);
  leadstore_free(failure);
  free(before);
  free(after);
  json_decref(a.json);
  json_decref(b.json);
  json_decref(again.json);
}

/* The group holds the write lock until it ends; readers on other handles go on. */
static void locking(leadstore *db, const char *path) {
  leadstore_options quick = {.busy_timeout_ms = 50};
  leadstore *other = NULL;
  OK(leadstore_open(path, &quick, &other, NULL) == LEADSTORE_OK, "a second handle");
  long long campaigns = rows(db, "gmaps_campaigns");
  OK(leadstore_group_begin(db, NULL) == LEADSTORE_OK, "a group opens");
  answer made = call(db, "create_campaign_with_coverage_tx", "{\"p_campaign_data\":{\"name\":\"locked\"}}");
  char *failure = NULL;
  int rc = leadstore_group_begin(other, &failure);
  OK(rc == LEADSTORE_ELOCKTIMEOUT && failure && strstr(failure, "55P03"), "another group waits for the lock, then fails with 55P03");
  leadstore_free(failure);
  answer w = call(other, "create_campaign_with_coverage_tx", "{\"p_campaign_data\":{\"name\":\"blocked\"}}");
  OK(w.rc == LEADSTORE_ELOCKTIMEOUT, "a lone write on another handle waits for the group, then fails with 55P03");
  answer r = call(other, "list_campaigns", "{\"p_limit\":1000}");
  OK(r.rc == LEADSTORE_OK && (long long)json_array_size(json_object_get(r.json, "campaigns")) == campaigns,
     "a read on another handle goes on and does not see the group's uncommitted work");
  OK(leadstore_group_commit(db, NULL) == LEADSTORE_OK && rows(other, "gmaps_campaigns") == campaigns + 1,
     "after the commit the other handle sees it");
  json_decref(made.json);
  json_decref(w.json);
  json_decref(r.json);
  leadstore_close(other);
}

/* PostgreSQL: the calls of a group commit one by one; the group API still answers right. */
static void on_postgresql(const char *argv0) {
  char *url = ts_pg_database(argv0);
  if (!url) return;
  leadstore *db = ts_open(url);
  char *report = NULL;
  OK(leadstore_migrate(db, &report) == LEADSTORE_OK, "PostgreSQL migrated");
  leadstore_free(report);
  ts_pg_reset(url);
  char cid[37];
  new_campaign(db, "pg group", cid);
  long long costs = rows(db, "gmaps_api_costs");
  OK(leadstore_group_begin(db, NULL) == LEADSTORE_OK, "PostgreSQL: a group opens");
  answer a = call(db, "track_api_cost_tx",
                  "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.5},\"p_request_id\":\"pg-a\"}", cid);
  answer b = call(db, "update_campaign_status_tx",
                  "{\"p_campaign_id\":\"00000000-0000-4000-8000-00000000dead\",\"p_new_status\":\"running\"}");
  answer c = call(db, "track_api_cost_tx",
                  "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.5},\"p_request_id\":\"pg-a\"}", cid);
  OK(leadstore_group_begin(db, NULL) == LEADSTORE_EINVAL, "PostgreSQL: a group inside a group is refused");
  OK(leadstore_group_commit(db, NULL) == LEADSTORE_OK, "PostgreSQL: the group commits");
  OK(a.rc == LEADSTORE_OK && b.rc == LEADSTORE_ENOTFOUND && c.rc == LEADSTORE_OK &&
         json_is_true(json_object_get(c.json, "replayed")),
     "PostgreSQL: each call answered as alone (success, P0002, replay)");
  OK(rows(db, "gmaps_api_costs") == costs + 1 && ts_check(db) == 0, "PostgreSQL: one cost stored, invariants hold");
  json_decref(a.json);
  json_decref(b.json);
  json_decref(c.json);
  leadstore_close(db);
  free(url);
}

/*--- Concurrent writers over HTTP ------------------------------------------------*/

enum { THREADS = 64, PER_THREAD = 8, SHARED = 32 };

typedef struct http_run {
  const char *url;
  const char *cid;   /* the campaign the costs go to */
  char *auth;        /* "Authorization: Bearer …" */
  /* per thread and call: the answer */
  long status[THREADS][PER_THREAD];
  int success[THREADS][PER_THREAD], replayed[THREADS][PER_THREAD];
  char id[THREADS][PER_THREAD][37];   /* campaign_id or cost_id */
  char code[THREADS][PER_THREAD][8];  /* error_code of a failure */
} http_run;

typedef struct body {
  char *text;
  size_t len;
} body;

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
  body *b = ud;
  char *bigger = realloc(b->text, b->len + size * n + 1);
  if (!bigger) return 0;
  b->text = bigger;
  memcpy(b->text + b->len, p, size * n);
  b->len += size * n;
  b->text[b->len] = '\0';
  return size * n;
}

/* GET or POST (when json is not NULL) on the server; the body (malloc'd, NULL on a transport error) and status. */
static char *http(CURL *h, const http_run *run, const char *path, const char *json, long *status) {
  char url[256];
  snprintf(url, sizeof url, "%s%s", run->url, path);
  body b = {0};
  struct curl_slist *hs = curl_slist_append(NULL, run->auth);
  hs = curl_slist_append(hs, "Content-Type: application/json");
  curl_easy_reset(h);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
  if (json) curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
  *status = 0;
  if (curl_easy_perform(h) == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
  curl_slist_free_all(hs);
  return b.text;
}

typedef struct worker_arg {
  http_run *run;
  int t;
} worker_arg;

/*
 * Thread t's calls, by i % 4: 0 and 2 a new campaign; 1 a keyed cost whose
 * request id thread t + 32 (mod 64) sends too, the same, at about the same
 * time; 3 a status change of a campaign that does not exist (P0002).
 */
static void *writer(void *arg) {
  worker_arg *w = arg;
  http_run *run = w->run;
  CURL *h = curl_easy_init();
  for (int i = 0; i < PER_THREAD; i++) {
    char json[512];
    const char *op;
    if (i % 4 == 1) {
      op = "track_api_cost_tx";
      snprintf(json, sizeof json,
               "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.01},"
               "\"p_request_id\":\"http-%d-%d\"}",
               run->cid, w->t % SHARED, i);
    } else if (i % 4 == 3) {
      op = "update_campaign_status_tx";
      snprintf(json, sizeof json, "{\"p_campaign_id\":\"00000000-0000-4000-8000-%012d\",\"p_new_status\":\"running\"}", w->t);
    } else {
      op = "create_campaign_with_coverage_tx";
      snprintf(json, sizeof json, "{\"p_campaign_data\":{\"name\":\"writer %d call %d\"},\"p_coverage_data\":[{\"zip\":\"10001\"}]}",
               w->t, i);
    }
    char path[96];
    snprintf(path, sizeof path, "/rest/v1/rpc/%s", op);
    char *text = http(h, run, path, json, &run->status[w->t][i]);
    json_t *r = text ? json_loads(text, 0, NULL) : NULL;
    run->success[w->t][i] = json_is_true(json_object_get(r, "success"));
    run->replayed[w->t][i] = json_is_true(json_object_get(r, "replayed"));
    const char *id = json_string_value(json_object_get(r, i % 4 == 1 ? "cost_id" : "campaign_id"));
    const char *code = json_string_value(json_object_get(r, "error_code"));
    snprintf(run->id[w->t][i], 37, "%s", id ? id : "");
    snprintf(run->code[w->t][i], 8, "%s", code ? code : "");
    json_decref(r);
    free(text);
  }
  curl_easy_cleanup(h);
  return NULL;
}

/* A sample's value in a Prometheus text exposition (-1 when absent). */
static double sample(const char *text, const char *name) {
  size_t n = strlen(name);
  for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
    if (!strncmp(p, name, n) && p[n] == ' ') return atof(p + n + 1);
  return -1;
}

static void http_writers(const char *cli, bool grouped) {
  const char *mode = grouped ? "group commit on" : "group commit off";
  char *path = ts_db_path(grouped ? "http-on" : "http-off");
  leadstore *db = ts_open(path);
  char cid[37];
  new_campaign(db, "http costs", cid);
  leadstore_close(db);
  const char *extra[] = {"--group-commit", grouped ? "on" : "off", "--threads", "4", NULL};
  pid_t pid;
  char *url = ts_serve_with(cli, path, extra, &pid);
  if (!OK(url != NULL, "%s: the server starts", mode)) return;
  static http_run run;
  memset(&run, 0, sizeof run);
  run.url = url;
  run.cid = cid;
  char *token = NULL;
  leadstore_token_mint(SECRET, &ts_service, 600, &token);
  if (asprintf(&run.auth, "Authorization: Bearer %s", token) < 0) exit(2);
  pthread_t th[THREADS];
  worker_arg args[THREADS];
  for (int t = 0; t < THREADS; t++) {
    args[t] = (worker_arg){&run, t};
    pthread_create(&th[t], NULL, writer, &args[t]);
  }
  for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
  CURL *h = curl_easy_init();
  long status = 0;
  char *metrics = http(h, &run, "/metrics", NULL, &status);
  curl_easy_cleanup(h);
  OK(ts_serve_stop(pid) == 0, "%s: the server stops cleanly", mode);

  /* every answer as expected */
  int bad = 0, created = 0;
  for (int t = 0; t < THREADS; t++)
    for (int i = 0; i < PER_THREAD; i++) {
      bool expect_success = i % 4 != 3;
      bool right = run.status[t][i] == 200 && run.success[t][i] == expect_success &&
                   (expect_success ? run.id[t][i][0] != '\0' : !strcmp(run.code[t][i], "P0002"));
      if (!right && bad++ < 5)
        tap_diag("%s: thread %d call %d: status %ld success %d code %s", mode, t, i, run.status[t][i], run.success[t][i],
                 run.code[t][i]);
      if (i % 4 != 1 && i % 4 != 3 && run.success[t][i]) created++;
    }
  OK(bad == 0, "%s: all %d calls of %d writers answered as expected (%d not)", mode, THREADS * PER_THREAD, THREADS, bad);

  db = ts_open(path);
  int missing = 0;
  for (int t = 0; t < THREADS; t++)
    for (int i = 0; i < PER_THREAD; i += 2)
      if (run.success[t][i] && !ts_row_exists(path, "gmaps_campaigns", run.id[t][i])) missing++;
  OK(missing == 0 && rows(db, "gmaps_campaigns") == 1 + created,
     "%s: every acknowledged campaign is stored exactly once, and nothing else (%d missing, %lld rows, %d acknowledged)", mode,
     missing, rows(db, "gmaps_campaigns"), created);
  /* the shared request ids: one original and one replay each, with the same cost id */
  int pairs_right = 0, pairs = 0;
  for (int t = 0; t < SHARED; t++)
    for (int i = 1; i < PER_THREAD; i += 4) {
      int u = t + SHARED;
      pairs++;
      pairs_right += run.success[t][i] && run.success[u][i] && run.replayed[t][i] + run.replayed[u][i] == 1 &&
                     !strcmp(run.id[t][i], run.id[u][i]) && ts_row_exists(path, "gmaps_api_costs", run.id[t][i]);
    }
  OK(pairs_right == pairs && rows(db, "gmaps_api_costs") == pairs,
     "%s: each request id sent twice at once: one original, one replay, one stored cost (%d of %d pairs right, %lld rows)",
     mode, pairs_right, pairs, rows(db, "gmaps_api_costs"));
  json_t *r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", cid);
  double total = json_number_value(json_object_get(json_object_get(r, "campaign"), "actual_cost"));
  OK((long long)(total * 100 + 0.5) == pairs, "%s: the campaign's cost is exactly the stored costs (%.2f)", mode, total);
  json_decref(r);
  OK(ts_check(db) == 0, "%s: the invariants hold", mode);
  leadstore_close(db);

  double groups = metrics ? sample(metrics, "leadstore_group_commit_calls_count") : -1;
  double calls = metrics ? sample(metrics, "leadstore_group_commit_calls_sum") : -1;
  double failed = metrics ? sample(metrics, "leadstore_group_commits_total{result=\"failed\"}") : -1;
  if (grouped)
    OK(calls == THREADS * PER_THREAD && groups >= 1 && groups < calls && failed == 0,
       "%s: every write went through a group; %.0f calls in %.0f commits", mode, calls, groups);
  else
    OK(calls == 0 && groups == 0, "%s: no group commits (%.0f)", mode, groups);
  free(metrics);
  free(run.auth);
  leadstore_free(token);
  free(url);
  free(path);
}

/*
 * The server's committer cannot have the write lock (another process holds it
 * past the busy timeout): the waiting write is answered 55P03, retryable,
 * the group counted as failed; once the lock is free, writes go through.
 */
static void lock_held_elsewhere(const char *cli) {
  char *path = ts_db_path("http-locked");
  leadstore *db = ts_open(path);
  char cid[37];
  new_campaign(db, "locked", cid);
  pid_t pid;
  char *url = ts_serve(cli, path, &pid);
  if (!OK(url != NULL, "the server starts")) return;
  static http_run run;
  memset(&run, 0, sizeof run);
  run.url = url;
  char *token = NULL;
  leadstore_token_mint(SECRET, &ts_service, 600, &token);
  if (asprintf(&run.auth, "Authorization: Bearer %s", token) < 0) exit(2);
  long long campaigns = rows(db, "gmaps_campaigns");
  OK(leadstore_group_begin(db, NULL) == LEADSTORE_OK, "another process holds the write lock");
  CURL *h = curl_easy_init();
  long status = 0;
  const char *json = "{\"p_campaign_data\":{\"name\":\"waits\"}}";
  char *text = http(h, &run, "/rest/v1/rpc/create_campaign_with_coverage_tx", json, &status);
  json_t *r = text ? json_loads(text, 0, NULL) : NULL;
  OK(status == 200 && json_is_false(json_object_get(r, "success")) &&
         !strcmp(json_string_value(json_object_get(r, "error_code")) ? json_string_value(json_object_get(r, "error_code")) : "", "55P03") &&
         json_is_true(json_object_get(r, "retry_recommended")),
     "a write the committer cannot take the lock for is answered 55P03, retryable: %.200s", text ? text : "");
  json_decref(r);
  free(text);
  OK(leadstore_group_commit(db, NULL) == LEADSTORE_OK && rows(db, "gmaps_campaigns") == campaigns,
     "the lock is released; the refused write changed nothing");
  text = http(h, &run, "/rest/v1/rpc/create_campaign_with_coverage_tx", json, &status);
  r = text ? json_loads(text, 0, NULL) : NULL;
  OK(status == 200 && json_is_true(json_object_get(r, "success")) && rows(db, "gmaps_campaigns") == campaigns + 1,
     "then the same write goes through");
  json_decref(r);
  free(text);
  char *metrics = http(h, &run, "/metrics", NULL, &status);
  OK(metrics && sample(metrics, "leadstore_group_commits_total{result=\"failed\"}") == 1 &&
         sample(metrics, "leadstore_group_commits_total{result=\"committed\"}") == 1,
     "/metrics counts one failed group and one committed");
  free(metrics);
  curl_easy_cleanup(h);
  OK(ts_serve_stop(pid) == 0, "the server stops cleanly");
  leadstore_close(db);
  free(run.auth);
  leadstore_free(token);
  free(url);
  free(path);
}

int main(int argc, char **argv) {
  (void)argc;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  setenv("LEADSTORE_JWT_SECRET", SECRET, 1);
  const char *env = getenv("LEADSTORE_CLI");
  char *cli = env && *env ? strdup(env) : ts_build_path(argv[0], "leadstore");

  char *path = ts_db_path("group");
  leadstore *db = ts_open(path);
  char cid[37];
  new_campaign(db, "group", cid);
  mixed_group(db, path, cid);
  sweep_middle(db, cid, LEADSTORE_FAULT_STEP);
  sweep_middle(db, cid, LEADSTORE_FAULT_ALLOC);
  commit_fails(db, path, cid);
  locking(db, path);
  leadstore_close(db);
  free(path);

  http_writers(cli, true);
  http_writers(cli, false);
  lock_held_elsewhere(cli);
  on_postgresql(argv[0]);
  free(cli);
  curl_global_cleanup();
  return tap_done();
}
