/*
 * http.c — one HTTP request, as PostgREST (behind Supabase's gateway)
 * answers it.
 *
 * Life of a request (libmicrohttpd calls srv_handle() first with the
 * headers, then with body pieces, then once with none left):
 *   1. headers: route, method, saturation, schema profile, key, operation,
 *      role, switches, content type and length — any refusal is answered at
 *      once with a PostgREST error body {"code","message","details","hint"};
 *   2. body: gathered up to --max-body (a chunked body that grows past it
 *      closes the connection);
 *   3. the call: parameters from the JSON body (POST) or the query string
 *      (GET/HEAD of a read operation), leadstore_call() on this worker's
 *      handle, the result object with 200 (also for success:false);
 *   4. srv_completed(): the access-log line, the in-flight gauge.
 *
 * The dashboard's files (`/`, `/app.js`, `/app.css`, web.c) are answered
 * from the headers, with no key: they hold no data.
 *
 * Each worker thread owns one database handle, opened on first use and
 * dropped after a lost connection (the next request reopens it).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server/server.h"
#include "suggest.h"

typedef enum route { R_RPC, R_HEALTH, R_METRICS, R_VERSION, R_CHECK, R_OPENAPI, R_WEB, R_NONE } route;

typedef struct request {
  struct timespec start;
  route route;
  const srv_op *op;
  size_t op_index;
  const srv_web_file *file; /* R_WEB: the dashboard's file */
  leadstore_caller caller;
  char org[37];
  bool authed;          /* a key was verified */
  bool early;           /* answered from the headers; the body is discarded */
  char *body;
  size_t len, cap;
  unsigned status;      /* of the answer, for the log */
  char code[16];        /* error_code / PostgREST code of the answer, for the log */
  char method[8];
  char path[256];
  srv_job job;          /* a write call queued for group commit (job.c set) */
  char *params;         /* its parameters, held while it is queued */
  struct timespec queued_at;
} request;

static atomic_long open_connections;
static atomic_bool draining;

/*--- Worker handles ---------------------------------------------------------*/

static _Thread_local leadstore *tl_db;
static pthread_mutex_t handles_lock = PTHREAD_MUTEX_INITIALIZER;
static leadstore **handles;
static size_t nhandles, caphandles;

/* This worker's handle, opened on first use; NULL (and *why, free()) when the database is unreachable. */
static leadstore *worker_db(char **why) {
  *why = NULL;
  if (tl_db) return tl_db;
  leadstore *db = NULL;
  int rc = leadstore_open(srv_cfg.db, &srv_cfg.opts, &db, why);
  if (rc) {
    srv_metrics_connection_lost();
    return NULL;
  }
  pthread_mutex_lock(&handles_lock);
  if (nhandles == caphandles) {
    size_t cap = caphandles ? 2 * caphandles : 16;
    leadstore **bigger = realloc(handles, cap * sizeof *bigger);
    if (bigger) handles = bigger, caphandles = cap;
  }
  bool kept = nhandles < caphandles;
  if (kept) handles[nhandles++] = db;
  pthread_mutex_unlock(&handles_lock);
  if (!kept) {
    leadstore_close(db);
    return NULL;
  }
  return tl_db = db;
}

/* Drops this worker's handle (its connection was lost). */
static void worker_db_drop(void) {
  pthread_mutex_lock(&handles_lock);
  for (size_t i = 0; i < nhandles; i++)
    if (handles[i] == tl_db) handles[i] = handles[--nhandles];
  pthread_mutex_unlock(&handles_lock);
  leadstore_close(tl_db);
  tl_db = NULL;
}

void srv_close_handles(void) {
  pthread_mutex_lock(&handles_lock);
  for (size_t i = 0; i < nhandles; i++) leadstore_close(handles[i]);
  free(handles);
  handles = NULL;
  nhandles = caphandles = 0;
  pthread_mutex_unlock(&handles_lock);
}

void srv_set_draining(void) { atomic_store(&draining, true); }

/*--- Answers ----------------------------------------------------------------*/

static const char *header(struct MHD_Connection *c, const char *name) {
  return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The CORS headers of every answer (PostgREST allows any origin). */
static void cors(struct MHD_Connection *c, struct MHD_Response *resp) {
  const char *origin = header(c, "Origin");
  MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin ? origin : "*");
  if (origin) MHD_add_response_header(resp, "Access-Control-Allow-Credentials", "true");
  MHD_add_response_header(resp, "Access-Control-Expose-Headers",
                          "Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, "
                          "Transfer-Encoding, Range-Unit, Retry-After");
}

/*
 * Queues `body` (len bytes, released with `release`) with this status and
 * content type, plus one optional extra header; records the status.
 */
static enum MHD_Result answer(struct MHD_Connection *c, request *r, unsigned status, const char *type, char *body,
                            size_t len, void (*release)(void *), const char *hname, const char *hvalue) {
  struct MHD_Response *resp =
      body ? MHD_create_response_from_buffer_with_free_callback(len, body, release)
           : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  if (!resp) {
    if (release) release(body);
    return MHD_NO;
  }
  if (type) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  if (hname) MHD_add_response_header(resp, hname, hvalue);
  cors(c, resp);
  if (atomic_load(&draining)) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
  enum MHD_Result ok = MHD_queue_response(c, status, resp);
  MHD_destroy_response(resp);
  r->status = status;
  srv_metrics_response(status);
  return ok;
}

static const char *JSON_TYPE = "application/json; charset=utf-8";

/* A PostgREST error answer: {"code","message","details","hint"} (details/hint null when NULL). */
static enum MHD_Result fail(struct MHD_Connection *c, request *r, unsigned status, const char *code, const char *message,
                            const char *details, const char *hint, const char *hname, const char *hvalue) {
  json_t *o = json_pack("{s:s, s:s, s:s?, s:s?}", "code", code, "message", message, "details", details, "hint", hint);
  char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  snprintf(r->code, sizeof r->code, "%s", code);
  if (!text) return MHD_NO;
  return answer(c, r, status, JSON_TYPE, text, strlen(text), free, hname, hvalue);
}

/* 503 with Retry-After. */
static enum MHD_Result unavailable(struct MHD_Connection *c, request *r, const char *code, const char *message,
                                   const char *details, const char *retry_after) {
  return fail(c, r, 503, code, message, details, "retry later; the request changed nothing", "Retry-After", retry_after);
}

/* A JSON text we own (free()) with 200. */
static enum MHD_Result ok_json(struct MHD_Connection *c, request *r, char *text, void (*release)(void *)) {
  if (!text) return fail(c, r, 500, "XX000", "out of memory", NULL, NULL, NULL, NULL);
  return answer(c, r, 200, JSON_TYPE, text, strlen(text), release, NULL, NULL);
}

/*
 * The dashboard's Content-Security-Policy: this origin's script, style and
 * fetches only — no inline script or style, no eval, no frames, no forms
 * posted elsewhere.  The page renders data with DOM text nodes only.
 */
static const char *WEB_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                             "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/* One of the dashboard's files (GET/HEAD): 200, or 304 when If-None-Match names its ETag. */
static enum MHD_Result web_file(struct MHD_Connection *c, request *r) {
  const srv_web_file *f = r->file;
  bool fresh = srv_web_not_modified(f, header(c, MHD_HTTP_HEADER_IF_NONE_MATCH));
  struct MHD_Response *resp =
      fresh ? MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT)
            : MHD_create_response_from_buffer(f->len, (void *)f->body, MHD_RESPMEM_PERSISTENT);
  if (!resp) return MHD_NO;
  if (!fresh) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, f->type);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, f->etag);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
  MHD_add_response_header(resp, "Content-Security-Policy", WEB_CSP);
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
  if (atomic_load(&draining)) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
  unsigned status = fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK;
  enum MHD_Result ok = MHD_queue_response(c, status, resp);
  MHD_destroy_response(resp);
  r->status = status;
  srv_metrics_response(status);
  return ok;
}

/*--- Headers ----------------------------------------------------------------*/

/* The key of the request: Authorization: Bearer wins over apikey (header, then query). */
static const char *key_of(struct MHD_Connection *c, const char **other) {
  const char *auth = header(c, MHD_HTTP_HEADER_AUTHORIZATION);
  const char *apikey = header(c, "apikey");
  if (!apikey || !*apikey) apikey = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "apikey");
  *other = NULL;
  if (auth && !strncasecmp(auth, "Bearer ", 7)) {
    auth += 7;
    while (*auth == ' ') auth++;
    if (apikey && *apikey && strcmp(apikey, auth)) *other = apikey;
    return auth;
  }
  return apikey && *apikey ? apikey : NULL;
}

/*
 * Verifies the request's key(s) into r->caller; answers 401 and returns
 * false when there is none or one does not verify.  When both an apikey and
 * a different Bearer token come, both must verify (the gateway checks the
 * apikey, PostgREST the Bearer) and the Bearer's claims win.
 */
static bool authenticateOrReply(struct MHD_Connection *c, request *r, enum MHD_Result *ret) {
  const char *other = NULL, *key = key_of(c, &other);
  if (!key) {
    *ret = fail(c, r, 401, "PGRST302", "No API key found in request", NULL,
                "send a key in the apikey header or as Authorization: Bearer (leadstore keys mints one)",
                MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    return false;
  }
  char *why = NULL;
  leadstore_caller ignored;
  char ignored_org[37];
  int rc = other ? leadstore_token_verify(srv_cfg.secret, other, 0, &ignored, ignored_org, &why) : LEADSTORE_OK;
  if (rc == LEADSTORE_OK) rc = leadstore_token_verify(srv_cfg.secret, key, 0, &r->caller, r->org, &why);
  if (rc != LEADSTORE_OK) {
    char www[200];
    snprintf(www, sizeof www, "Bearer error=\"invalid_token\", error_description=\"%s\"", why ? why : "invalid");
    *ret = fail(c, r, 401, strstr(why ? why : "", "expired") ? "PGRST303" : "PGRST301", why ? why : "invalid JWT",
                NULL, NULL, MHD_HTTP_HEADER_WWW_AUTHENTICATE, www);
    leadstore_free(why);
    return false;
  }
  r->authed = true;
  return true;
}

static const char *role_name(const request *r) {
  if (!r->authed) return "-";
  return r->caller.role == LEADSTORE_ROLE_SERVICE ? "service_role"
         : r->caller.role == LEADSTORE_ROLE_AUTHENTICATED ? "authenticated"
                                                          : "anon";
}

/* The route of a path; for RPC, *op_name points at the operation's name. */
static route route_of(const char *url, const char **op_name) {
  if (!strncmp(url, "/rest/v1/rpc/", 13)) return *op_name = url + 13, R_RPC;
  if (!strncmp(url, "/rpc/", 5)) return *op_name = url + 5, R_RPC;
  if (!strcmp(url, "/healthz")) return R_HEALTH;
  if (!strcmp(url, "/metrics")) return R_METRICS;
  if (!strcmp(url, "/version")) return R_VERSION;
  if (!strcmp(url, "/check")) return R_CHECK;
  if (!strcmp(url, "/rest/v1") || !strcmp(url, "/rest/v1/")) return R_OPENAPI;
  if (srv_web_find(url)) return R_WEB;
  return R_NONE;
}

/* The answer to a CORS preflight. */
static enum MHD_Result preflight(struct MHD_Connection *c, request *r) {
  struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  if (!resp) return MHD_NO;
  const char *asked = header(c, "Access-Control-Request-Headers");
  cors(c, resp);
  MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE, OPTIONS, HEAD");
  MHD_add_response_header(resp, "Access-Control-Allow-Headers",
                          asked ? asked
                                : "Authorization, Content-Type, Accept, Accept-Language, Content-Language, apikey, "
                                  "x-client-info, content-profile, accept-profile, prefer, x-retry-count");
  MHD_add_response_header(resp, "Access-Control-Max-Age", "86400");
  enum MHD_Result ok = MHD_queue_response(c, 200, resp);
  MHD_destroy_response(resp);
  r->status = 200;
  srv_metrics_response(200);
  return ok;
}

/* Whether a media type is JSON (application/json with any parameters). */
static bool is_json_type(const char *type) {
  size_t n = strlen("application/json");
  return type && !strncasecmp(type, "application/json", n) && (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

/*
 * Everything decided from the request line and headers.  Answers (and
 * returns the queue result) when the request is refused; else returns
 * MHD_YES with r->early false so the body is read.
 */
static enum MHD_Result begin(struct MHD_Connection *c, request *r, const char *url, const char *method) {
  const char *op_name = NULL;
  r->route = route_of(url, &op_name);
  if (r->route == R_WEB) r->file = srv_web_find(url);
  enum MHD_Result ret = MHD_YES;
  r->early = true;
  if (!strcmp(method, "OPTIONS")) return preflight(c, r);
  bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
  if (r->route == R_NONE)
    return fail(c, r, 404, "PGRST125", "Invalid path specified in request URL", url[0] ? NULL : "empty path",
                "operations are at /rest/v1/rpc/OP or /rpc/OP", NULL, NULL);
  if (r->route != R_RPC && !get) {
    char msg[64];
    snprintf(msg, sizeof msg, "Cannot use the %s method on %s", method, url);
    return fail(c, r, 405, "PGRST101", msg, NULL, "use GET", "Allow", "GET, HEAD, OPTIONS");
  }
  if (r->route == R_RPC && !get && !post) {
    char msg[64];
    snprintf(msg, sizeof msg, "Cannot use the %s method on RPC", method);
    return fail(c, r, 405, "PGRST101", msg, NULL, NULL, "Allow", "GET, HEAD, POST, OPTIONS");
  }
  if (r->route != R_RPC && r->route != R_CHECK) return r->early = false, MHD_YES;
  if ((unsigned long)atomic_load(&open_connections) > srv_cfg.max_connections)
    return unavailable(c, r, "PGRST003", "The server is saturated: too many open connections", NULL, "1");
  const char *profile = header(c, post ? "Content-Profile" : "Accept-Profile");
  if (profile && strcmp(profile, "public")) {
    char msg[96];
    snprintf(msg, sizeof msg, "Invalid schema: %.64s", profile);
    return fail(c, r, 406, "PGRST106", msg, NULL, "Only the following schemas are exposed: public", NULL, NULL);
  }
  if (!authenticateOrReply(c, r, &ret)) return ret;
  if (r->route == R_CHECK) {
    if (r->caller.role != LEADSTORE_ROLE_SERVICE)
      return fail(c, r, 403, "42501", "permission denied: the check needs the service_role key", NULL, NULL, NULL, NULL);
    return r->early = false, MHD_YES;
  }
  r->op = srv_op_find(op_name, &r->op_index);
  if (!r->op) {
    char msg[200], details[260], hint[200];
    snprintf(msg, sizeof msg, "Could not find the function public.%.120s in the schema cache", op_name);
    snprintf(details, sizeof details, "Searched for the function public.%.120s, but no matches were found", op_name);
    /* PostgREST's hint names the closest function; ours follows suggest.c's rule */
    ls__suggestion like = {.word = op_name};
    for (size_t i = 0; i < leadstore_op_count(); i++) ls__suggest_offer(&like, leadstore_op_name(i));
    if (like.best) snprintf(hint, sizeof hint, "Perhaps you meant to call the function public.%s", like.best);
    return fail(c, r, 404, "PGRST202", msg, details, like.best ? hint : "the operations are listed at GET /rest/v1/",
                NULL, NULL);
  }
  if (r->caller.role == LEADSTORE_ROLE_ANON) {
    char msg[200];
    snprintf(msg, sizeof msg, "permission denied for function %s", r->op->name);
    return fail(c, r, 403, "42501", msg, "the anon role may call no operation", "use a service_role or authenticated key",
                NULL, NULL);
  }
  if (get && r->op->write) {
    char msg[200];
    snprintf(msg, sizeof msg, "cannot execute %s in a read-only transaction", r->op->name);
    return fail(c, r, 405, "25006", msg, "GET and HEAD call read operations only", "call it with POST", "Allow",
                "POST, OPTIONS");
  }
  char *why = NULL;
  if (srv_switch_off(r->op, &why)) {
    char msg[200];
    snprintf(msg, sizeof msg, "The operation %s is switched off", r->op->name);
    ret = unavailable(c, r, "LS503", msg, why, "30");
    free(why);
    return ret;
  }
  if (post) {
    const char *type = header(c, MHD_HTTP_HEADER_CONTENT_TYPE);
    const char *length = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
    bool has_body = (length && strcmp(length, "0")) || header(c, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (has_body && !is_json_type(type))
      return fail(c, r, 400, "PGRST102", "Content-Type must be application/json", type, NULL, NULL, NULL);
    if (length && strtoull(length, NULL, 10) > srv_cfg.max_body) {
      char details[96];
      snprintf(details, sizeof details, "the body has %.20s bytes; the limit is %zu", length, srv_cfg.max_body);
      return fail(c, r, 413, "PGRST413", "Payload Too Large", details, "split the batch, or raise --max-body", NULL,
                  NULL);
    }
  }
  r->early = false;
  return MHD_YES;
}

/*--- The call ---------------------------------------------------------------*/

typedef struct query_ctx {
  const srv_op *op;
  json_t *params;
} query_ctx;

static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  query_ctx *q = cls;
  if (strcmp(key, "apikey")) json_object_set_new(q->params, key, srv_param_from_text(q->op, key, value ? value : ""));
  return MHD_YES;
}

/* The parameters' JSON text (free()); NULL after answering 400. */
static char *params_of(struct MHD_Connection *c, request *r, enum MHD_Result *ret) {
  if (!strcmp(r->method, "POST")) {
    if (r->len == 0) return strdup("{}");
    json_error_t err;
    json_t *v = json_loadb(r->body, r->len, 0, &err);
    bool object = json_is_object(v);
    json_decref(v);
    if (object) {
      char *text = r->body;
      r->body = NULL;
      return text; /* NUL-terminated when gathered */
    }
    *ret = fail(c, r, 400, "PGRST102", "Empty or invalid json", v ? "the body must be a JSON object" : err.text, NULL,
                NULL, NULL);
    return NULL;
  }
  query_ctx q = {r->op, json_object()};
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_arg, &q);
  char *text = q.params ? json_dumps(q.params, JSON_COMPACT) : NULL;
  json_decref(q.params);
  if (!text) *ret = fail(c, r, 500, "XX000", "out of memory", NULL, NULL, NULL, NULL);
  return text;
}

static double since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* 503 for an unreachable database. */
static enum MHD_Result no_database(struct MHD_Connection *c, request *r, char *why) {
  enum MHD_Result ret = unavailable(c, r, "PGRST000", "Could not connect to the database", why, "2");
  leadstore_free(why);
  return ret;
}

/* The answer to a call that ran (here or in a group): its result object with 200; a lost connection 503. */
static enum MHD_Result call_answer(struct MHD_Connection *c, request *r, int rc, char *result, double dt) {
  enum MHD_Result ret;
  /* the library writes compact JSON: "replayed":true can only be the flag itself */
  srv_metrics_call(r->op_index, r->op->write, rc, result && strstr(result, "\"replayed\":true"), dt);
  snprintf(r->code, sizeof r->code, "%s", rc ? leadstore_status_sqlstate(rc) : "-");
  if (rc == LEADSTORE_ECONNECTION) {
    worker_db_drop();
    json_t *o = result ? json_loads(result, 0, NULL) : NULL;
    ret = unavailable(c, r, "08006", "connection to the database lost", json_string_value(json_object_get(o, "error")),
                      "1");
    snprintf(r->code, sizeof r->code, "08006");
    json_decref(o);
    leadstore_free(result);
    return ret;
  }
  return ok_json(c, r, result, leadstore_free);
}

/* The operation: a write on SQLite goes to the committer (group.c) and is answered when resumed; else it runs here. */
static enum MHD_Result call(struct MHD_Connection *c, request *r) {
  enum MHD_Result ret = MHD_NO;
  char *params = params_of(c, r, &ret);
  if (!params) return ret;
  if (r->op->write) {
    r->params = params;
    r->job = (srv_job){.c = c, .caller = &r->caller, .op = r->op->name, .params = params};
    clock_gettime(CLOCK_MONOTONIC, &r->queued_at);
    if (srv_group_submit(&r->job)) return MHD_YES;
    r->job.c = NULL; /* no committer: run it here */
    r->params = NULL;
  }
  char *why = NULL;
  leadstore *db = worker_db(&why);
  if (!db) {
    free(params);
    return no_database(c, r, why);
  }
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  char *result = NULL;
  int rc = leadstore_call(db, &r->caller, r->op->name, params, &result);
  double dt = since(&t0);
  free(params);
  return call_answer(c, r, rc, result, dt);
}

/* A queued call, resumed by the committer: its answer (the time includes the wait for the group's commit). */
static enum MHD_Result call_resumed(struct MHD_Connection *c, request *r) {
  if (!r->job.done) return MHD_YES; /* not answered yet (libmicrohttpd does not run suspended connections) */
  free(r->params);
  r->params = NULL;
  r->job.c = NULL;
  char *result = r->job.result;
  r->job.result = NULL;
  return call_answer(c, r, r->job.rc, result, since(&r->queued_at));
}

/*
 * GET /healthz (the database answers a cheap read) and GET /check (the
 * invariant check's report, for service_role), on this worker's handle.
 */
static enum MHD_Result service_read(struct MHD_Connection *c, request *r, bool full_check) {
  char *why = NULL;
  leadstore *db = worker_db(&why);
  if (!db) return no_database(c, r, why);
  char *out = NULL;
  leadstore_caller service = {LEADSTORE_ROLE_SERVICE, NULL};
  int rc = full_check ? leadstore_check(db, &out)
                      : leadstore_call(db, &service, "list_campaigns", "{\"p_limit\":1}", &out);
  if (rc == LEADSTORE_ECONNECTION) worker_db_drop();
  if (rc) {
    leadstore_free(out);
    return unavailable(c, r, leadstore_status_sqlstate(rc),
                       full_check ? "the check could not run" : "the database does not answer", NULL, "2");
  }
  if (full_check) return ok_json(c, r, out, leadstore_free);
  leadstore_free(out);
  char *text = NULL;
  if (asprintf(&text, "{\"status\":\"ok\",\"engine\":\"%s\"}", leadstore_engine(db)) < 0) text = NULL;
  return ok_json(c, r, text, free);
}

/* Everything once the body is in. */
static enum MHD_Result finish(struct MHD_Connection *c, request *r) {
  switch (r->route) {
  case R_RPC: return call(c, r);
  case R_HEALTH: return service_read(c, r, false);
  case R_CHECK: return service_read(c, r, true);
  case R_METRICS: {
    char *text = srv_metrics_render();
    if (!text) return fail(c, r, 500, "XX000", "out of memory", NULL, NULL, NULL, NULL);
    return answer(c, r, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text), free, NULL, NULL);
  }
  case R_VERSION: {
    char *text = NULL;
    if (asprintf(&text, "{\"name\":\"leadstore\",\"version\":\"%s\"}", leadstore_version()) < 0) text = NULL;
    return ok_json(c, r, text, free);
  }
  case R_OPENAPI: return ok_json(c, r, srv_openapi(header(c, MHD_HTTP_HEADER_HOST)), free);
  case R_WEB: return web_file(c, r);
  case R_NONE: break;
  }
  return MHD_NO;
}

/*--- libmicrohttpd callbacks ----------------------------------------------*/

enum MHD_Result srv_handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                           const char *version, const char *upload, size_t *upload_size, void **con_cls) {
  (void)cls;
  (void)version;
  request *r = *con_cls;
  if (r && r->job.c) return call_resumed(c, r);
  if (!r) {
    r = calloc(1, sizeof *r);
    if (!r) return MHD_NO;
    *con_cls = r;
    clock_gettime(CLOCK_MONOTONIC, &r->start);
    snprintf(r->method, sizeof r->method, "%s", method);
    snprintf(r->path, sizeof r->path, "%s", url);
    snprintf(r->code, sizeof r->code, "-");
    srv_metrics_inflight(+1);
    return begin(c, r, url, method);
  }
  if (*upload_size) {
    size_t n = *upload_size;
    *upload_size = 0;
    if (r->early) return MHD_YES; /* answered already: the body is discarded */
    if (r->len + n > srv_cfg.max_body) {
      r->status = 413; /* a chunked body past the limit: the connection is closed */
      snprintf(r->code, sizeof r->code, "PGRST413");
      srv_metrics_response(413);
      return MHD_NO;
    }
    if (r->len + n + 1 > r->cap) {
      size_t cap = r->cap ? r->cap : 4096;
      while (cap < r->len + n + 1) cap *= 2;
      char *bigger = realloc(r->body, cap);
      if (!bigger) return MHD_NO;
      r->body = bigger;
      r->cap = cap;
    }
    memcpy(r->body + r->len, upload, n);
    r->len += n;
    r->body[r->len] = '\0';
    return MHD_YES;
  }
  if (r->early) return MHD_YES;
  r->early = true; /* one answer per request */
  return finish(c, r);
}

/* Copies s into out (n bytes) with anything but printable ASCII replaced, for the log. */
static void clean(char *out, size_t n, const char *s) {
  size_t i = 0;
  for (; s[i] && i + 1 < n; i++) out[i] = (s[i] > 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\') ? s[i] : '?';
  out[i] = '\0';
}

/* One access-log line on stderr, in one write. */
static void access_log(const request *r) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct tm tm;
  gmtime_r(&now.tv_sec, &tm);
  char when[64], method[sizeof r->method], path[256], line[768];
  size_t k = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(when + k, sizeof when - k, ".%03dZ", (int)(now.tv_nsec / 1000000));
  clean(path, sizeof path, r->path);
  clean(method, sizeof method, r->method);
  double ms = since(&r->start) * 1e3;
  const char *op = r->op ? r->op->name : "-";
  int n;
  if (srv_cfg.log_json)
    n = snprintf(line, sizeof line,
                 "{\"time\":\"%s\",\"method\":\"%s\",\"path\":\"%s\",\"operation\":\"%s\",\"status\":%u,"
                 "\"error_code\":\"%s\",\"duration_ms\":%.3f,\"role\":\"%s\"}\n",
                 when, method, path, op, r->status, r->code, ms, role_name(r));
  else
    n = snprintf(line, sizeof line, "%s %s %s operation=%s status=%u error_code=%s duration_ms=%.3f role=%s\n", when,
                 method, path, op, r->status, r->code, ms, role_name(r));
  if (n > 0) fwrite(line, 1, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, stderr);
}

void srv_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)c;
  (void)toe;
  request *r = *con_cls;
  if (!r) return;
  access_log(r);
  srv_metrics_inflight(-1);
  leadstore_free(r->job.result);
  free(r->params);
  free(r->body);
  free(r);
  *con_cls = NULL;
}

void srv_connection(void *cls, struct MHD_Connection *c, void **socket_context, enum MHD_ConnectionNotificationCode code) {
  (void)cls;
  (void)c;
  (void)socket_context;
  atomic_fetch_add(&open_connections, code == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}
