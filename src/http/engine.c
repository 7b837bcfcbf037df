/*
 * engine.c — the HTTP engine: a handle opened on "http://host:port" (or
 * https://) is a client of a `leadstore serve` server, so every program
 * written against the library (the CLI, the tests, the tools) can run
 * against a server unchanged.
 *
 * The model: a call is `POST <base>/rest/v1/rpc/<op>` with the parameter
 * object as the body, exactly what supabase-js sends.  The server validates
 * and runs it, and answers the result object with status 200 (failures
 * included); any other status is a protocol error with PostgREST's body
 * {"code","message","details","hint"}, mapped here to the error table by
 * its status (table `protocol_errors`).  Because the server validates, this
 * engine takes the call unvalidated (ls__engine.forward): the dispatcher
 * does not check parameters twice, and the server's checks are the ones
 * that run.
 *
 * Identity: a fixed key (leadstore_options.api_key or $LEADSTORE_API_KEY),
 * sent as `apikey` and `Authorization: Bearer`, speaks for the handle; or,
 * with a JWT secret (leadstore_options.jwt_secret or $LEADSTORE_JWT_SECRET),
 * a token valid for 5 minutes is minted for each call's caller, so one
 * handle can act as several organizations.  With a fixed key, only a
 * service_role caller (the default) is accepted: the key cannot act as a
 * narrower caller, and the call fails rather than run with more rights.
 *
 * The retry rule (the same in clients/js and clients/python): a call is
 * tried again only when it is known to be safe —
 *   - the result says retry_recommended (the failure wrote nothing);
 *   - the server answered 503 (it did not run the call), after Retry-After
 *     when the server gave one;
 *   - the connection could not be made (nothing was sent);
 *   - the connection was lost after the request was sent, only when the
 *     call is a read or carries a p_request_id: then a repeat is replayed
 *     by the server instead of running twice.  A write without one is not
 *     retried (the client never invents an id: the caller's parameters are
 *     exactly what runs); its failure is 08006 with retry_recommended, so
 *     the caller decides.
 * Waits grow exponentially from 50 ms with full jitter, up to 2 s each,
 * bounded by retry_attempts (default 5 tries) and retry_max_ms (default
 * 10 s, waits included).  Every try sends the same body, hence the same
 * p_request_id.
 *
 * check() is `GET <base>/check` (service_role); migrate() and count_rows()
 * are not available over HTTP (they need the database itself).  Only this
 * file includes curl.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "../internal.h"

enum {
  TOKEN_TTL_S = 300,      /* a minted token's lifetime */
  BACKOFF_FIRST_MS = 50,  /* the first wait; doubles on each retry */
  BACKOFF_CAP_MS = 2000,  /* the longest single wait */
  CONNECT_TIMEOUT_MS = 5000,
  REQUEST_TIMEOUT_MS = 300000 /* one request, a 5000-business batch included */
};

typedef struct ls__http {
  CURL *curl;           /* one easy handle: its connection is kept alive between calls */
  char *base;           /* "http://host:port", no trailing slash */
  char *api_key;        /* a fixed key, or NULL */
  char *jwt_secret;     /* a secret to mint per-call tokens, or NULL */
  int attempts;         /* tries of one call, the first included */
  long long budget_ms;  /* total time of one call's tries and waits */
} ls__http;

/* A response body, grown with the library's allocator. */
typedef struct buffer {
  char *data;
  size_t len, cap;
  bool failed; /* an allocation failed: the body is incomplete */
} buffer;

/*--- Plumbing --------------------------------------------------------------*/

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

/* libcurl's write callback: appends to the buffer. */
static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata) {
  buffer *b = userdata;
  size_t n = size * nmemb;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = ls__malloc(cap);
    if (!p) {
      b->failed = true;
      return 0; /* aborts the transfer */
    }
    if (b->len) memcpy(p, b->data, b->len);
    ls__free(b->data);
    b->data = p, b->cap = cap;
  }
  memcpy(b->data + b->len, ptr, n);
  b->len += n;
  b->data[b->len] = '\0';
  return n;
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long long ms) {
  if (ms <= 0) return;
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

/* The wait before retry number `retry` (1-based): full jitter over [d/2, d]. */
static long long backoff_ms(int retry) {
  long long d = BACKOFF_FIRST_MS;
  for (int i = 1; i < retry && d < BACKOFF_CAP_MS; i++) d *= 2;
  if (d > BACKOFF_CAP_MS) d = BACKOFF_CAP_MS;
  unsigned int r = 0;
  if (RAND_bytes((unsigned char *)&r, sizeof r) != 1) r = (unsigned int)now_ms();
  return d / 2 + (long long)(r % (unsigned int)(d / 2 + 1));
}

/*--- Identity --------------------------------------------------------------*/

/* The token for one try of a call as `caller`: minted, or the fixed key (a copy). */
static int token_for(ls__http *h, const leadstore_caller *caller, char **token, ls__error *err) {
  *token = NULL;
  leadstore_caller service = {LEADSTORE_ROLE_SERVICE, NULL};
  if (!caller) caller = &service;
  if (h->jwt_secret) {
    int rc = leadstore_token_mint(h->jwt_secret, caller, TOKEN_TTL_S, token);
    if (rc) return ls__fail(err, rc == LEADSTORE_EUUID ? LEADSTORE_EFORBIDDEN : rc,
                            "cannot mint a token for this caller (%s)", leadstore_status_name(rc));
    return LEADSTORE_OK;
  }
  if (caller->role != LEADSTORE_ROLE_SERVICE)
    return ls__fail(err, LEADSTORE_EFORBIDDEN,
                    "this handle speaks with one fixed API key; it cannot call as another role or "
                    "organization (open it with a JWT secret to do so)");
  *token = ls__strdup(h->api_key);
  return *token ? LEADSTORE_OK : ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
}

/*--- One request -----------------------------------------------------------*/

/* What one try gave. */
typedef struct reply {
  CURLcode net;        /* CURLE_OK when an HTTP answer came */
  long status;         /* its HTTP status */
  long retry_after_s;  /* its Retry-After, or -1 */
  buffer body;
} reply;

/*
 * Sends one request (POST when body is not NULL, else GET) and reads the
 * reply.  `fresh`: on a new connection, for a call that must not run twice —
 * libcurl resends a request on its own when a kept-alive connection turns
 * out closed before any answer, which is only safe for a repeatable call.
 */
static void request(ls__http *h, const char *url, const char *token, const char *body, bool fresh, reply *out) {
  memset(out, 0, sizeof *out);
  out->retry_after_s = -1;
  CURL *c = h->curl;
  curl_easy_reset(c);
  struct curl_slist *hdr = NULL, *more;
  char *apikey = NULL, *bearer = NULL;
  size_t tlen = strlen(token);
  if (!(apikey = ls__malloc(tlen + 16)) || !(bearer = ls__malloc(tlen + 32))) {
    out->net = CURLE_OUT_OF_MEMORY;
    goto done;
  }
  snprintf(apikey, tlen + 16, "apikey: %s", token);
  snprintf(bearer, tlen + 32, "Authorization: Bearer %s", token);
  const char *lines[] = {apikey, bearer, "Accept: application/json",
                         body ? "Content-Type: application/json" : NULL, "Expect:"};
  for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
    if (!lines[i]) continue;
    if (!(more = curl_slist_append(hdr, lines[i]))) {
      out->net = CURLE_OUT_OF_MEMORY;
      goto done;
    }
    hdr = more;
  }
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)REQUEST_TIMEOUT_MS);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "leadstore/" LEADSTORE_VERSION);
  if (fresh) curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
  }
  out->net = curl_easy_perform(c);
  if (out->net == CURLE_OK) {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_off_t ra = -1;
    if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0) out->retry_after_s = (long)ra;
  }
done:
  curl_slist_free_all(hdr);
  ls__free(apikey);
  ls__free(bearer);
}

/* A transport failure after which the request may have reached the server. */
static bool maybe_sent(CURLcode net) {
  return net != CURLE_COULDNT_CONNECT && net != CURLE_COULDNT_RESOLVE_HOST &&
         net != CURLE_COULDNT_RESOLVE_PROXY && net != CURLE_OUT_OF_MEMORY;
}

/*--- Protocol errors --------------------------------------------------------*/

/* HTTP status → the error table, for answers other than 200. */
static const struct {
  long status;
  int code;
} protocol_errors[] = {
    {400, LEADSTORE_EINVAL},     /* malformed JSON, wrong content type */
    {401, LEADSTORE_EFORBIDDEN}, /* no key, or a key that does not verify */
    {403, LEADSTORE_EFORBIDDEN}, /* the role may not call this */
    {404, LEADSTORE_ENOOP},      /* unknown operation (or route) */
    {405, LEADSTORE_EINVAL},     /* wrong method */
    {413, LEADSTORE_EINVAL},     /* body over the server's limit */
    {502, LEADSTORE_ECONNECTION},
    {503, LEADSTORE_ECONNECTION}, /* database unreachable, saturated, or switched off */
    {504, LEADSTORE_ECONNECTION},
};

/* Maps a protocol error reply to the error table, with the server's message. */
static int protocol_error(const reply *r, ls__error *err) {
  int code = LEADSTORE_EINTERNAL;
  for (size_t i = 0; i < sizeof protocol_errors / sizeof *protocol_errors; i++)
    if (protocol_errors[i].status == r->status) code = protocol_errors[i].code;
  json_t *body = r->body.data ? json_loads(r->body.data, 0, NULL) : NULL;
  const char *pcode = ls__jstr(body, "code"), *msg = ls__jstr(body, "message"), *hint = ls__jstr(body, "hint");
  bool suggests = hint && !strncmp(hint, "Perhaps you meant", 17); /* a mistyped function: say which */
  ls__fail(err, code, "HTTP %ld%s%s: %s%s%s%s", r->status, pcode ? " " : "", pcode ? pcode : "",
           msg ? msg : (r->body.data ? r->body.data : ""), suggests ? " (" : "", suggests ? hint : "", suggests ? ")" : "");
  json_decref(body);
  return code;
}

/*--- The engine entries -----------------------------------------------------*/

/* True when `op` names a route segment as it is (letters, digits, '_'). */
static bool op_name_ok(const char *op) {
  if (!op || !*op || strlen(op) > 64) return false;
  for (const char *p = op; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
      return false;
  return true;
}

/* A write without p_request_id cannot be repeated safely once it may have run. */
static bool repeat_is_safe(const char *op, const char *params) {
  const ls__op *known = ls__op_find(op);
  if (known && known->kind == LS_OP_READ) return true;
  if (!strstr(params, "\"p_request_id\"")) return false; /* spares parsing a big batch */
  json_t *p = json_loads(params, 0, NULL);
  bool has_id = ls__jstr(p, "p_request_id") != NULL;
  json_decref(p);
  return has_id;
}

/*
 * One call: POST to the operation's route with the retry rule (file header).
 * On a 200 answer *result is the server's object as it came; on anything
 * else *result is NULL and err says why.  Returns the result's status.
 */
static int http_forward(leadstore *db, const leadstore_caller *caller, const char *op, const char *params,
                        char **result, ls__error *err) {
  ls__http *h = db->impl;
  *result = NULL;
  if (!op_name_ok(op)) return ls__fail(err, LEADSTORE_ENOOP, "unknown operation %.64s", op ? op : "(null)");
  if (!params || !*params) params = "{}";
  char url[1024];
  snprintf(url, sizeof url, "%s/rest/v1/rpc/%s", h->base, op);
  long long start = now_ms();
  int rc = LEADSTORE_OK;
  bool repeatable = repeat_is_safe(op, params);
  char *last = NULL; /* the last result object the server answered */
  for (int attempt = 1;; attempt++) {
    char *token = NULL;
    ls__free(last);
    last = NULL;
    if ((rc = token_for(h, caller, &token, err))) return rc;
    reply r;
    request(h, url, token, params, !repeatable, &r);
    ls__free(token);
    bool again = false;
    long long wait = backoff_ms(attempt);
    if (r.net == CURLE_OUT_OF_MEMORY || r.body.failed) {
      rc = ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
    } else if (r.net != CURLE_OK) {
      rc = ls__fail(err, LEADSTORE_ECONNECTION, "cannot reach %s: %s", h->base, curl_easy_strerror(r.net));
      again = !maybe_sent(r.net) || repeatable;
    } else if (r.status == 200) {
      json_t *res = r.body.data ? json_loads(r.body.data, 0, NULL) : NULL;
      json_t *ok = json_object_get(res, "success");
      if (!json_is_boolean(ok)) {
        rc = ls__fail(err, LEADSTORE_EINTERNAL, "the server's answer is not a result object");
      } else if (json_is_true(ok)) {
        rc = LEADSTORE_OK;
      } else {
        const char *code = ls__jstr(res, "error_code");
        rc = leadstore_status_from_sqlstate(code ? code : "XX000");
        if (rc == LEADSTORE_OK) rc = LEADSTORE_EINTERNAL;
        ls__fail(err, rc, "%s", ls__jstr(res, "error") ? ls__jstr(res, "error") : "");
        again = json_is_true(json_object_get(res, "retry_recommended"));
      }
      json_decref(res);
      if (json_is_boolean(ok)) {
        last = r.body.data; /* the server's object, as it came */
        r.body.data = NULL;
      }
    } else {
      rc = protocol_error(&r, err);
      again = r.status == 503;
      if (again && r.retry_after_s >= 0) wait = r.retry_after_s * 1000;
    }
    ls__free(r.body.data);
    if (again && (attempt >= h->attempts || now_ms() - start + wait > h->budget_ms)) {
      again = false;
      if (!last) {
        char prev[sizeof err->msg];
        memcpy(prev, err->msg, sizeof prev);
        ls__fail(err, err->code, "%s (after %d tries)", prev, attempt); /* cut at a character, if long */
      }
    }
    if (!again) {
      *result = last;
      return rc;
    }
    sleep_ms(wait);
  }
}

/* The validated-call entry is never used: this engine forwards. */
static int http_call(leadstore *db, const ls__call *call, char **result, ls__error *err) {
  (void)db, (void)call, (void)result;
  return ls__fail(err, LEADSTORE_EINTERNAL, "the HTTP engine forwards calls unvalidated");
}

/* GET /check as service_role: the server's leadstore_check() report. */
static int http_check(leadstore *db, json_t *report, ls__error *err) {
  ls__http *h = db->impl;
  char url[1024], *token = NULL;
  snprintf(url, sizeof url, "%s/check", h->base);
  int rc = token_for(h, NULL, &token, err);
  if (rc) return rc;
  reply r;
  request(h, url, token, NULL, false, &r);
  ls__free(token);
  json_t *got = NULL;
  if (r.net != CURLE_OK)
    rc = ls__fail(err, LEADSTORE_ECONNECTION, "cannot reach %s: %s", h->base, curl_easy_strerror(r.net));
  else if (r.status != 200)
    rc = protocol_error(&r, err);
  else if (!(got = json_loads(r.body.data ? r.body.data : "", 0, NULL)) ||
           !json_is_array(json_object_get(got, "violations")))
    rc = ls__fail(err, LEADSTORE_EINTERNAL, "the server's check report is not a report");
  else if (json_object_set(report, "violations", json_object_get(got, "violations")) ||
           (json_object_get(got, "checked") && json_object_set(report, "checked", json_object_get(got, "checked"))))
    rc = ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  json_decref(got);
  ls__free(r.body.data);
  return rc;
}

static int http_count_rows(leadstore *db, const char *table, long long *out, ls__error *err) {
  (void)db, (void)table, (void)out;
  return ls__fail(err, LEADSTORE_EINVAL, "row counts need the database itself, not its HTTP server");
}

static int http_migrate(leadstore *db, json_t *report, ls__error *err) {
  (void)db, (void)report;
  return ls__fail(err, LEADSTORE_EINVAL,
                  "migrate the server's database directly (leadstore migrate --db <its database>)");
}

static void http_close(leadstore *db) {
  ls__http *h = db->impl;
  if (!h) return;
  if (h->curl) curl_easy_cleanup(h->curl);
  ls__free(h->base);
  ls__free(h->api_key);
  ls__free(h->jwt_secret);
  ls__free(h);
  db->impl = NULL;
}

/* The first non-empty of an option and an environment variable, copied. */
static char *setting(const char *option, const char *env) {
  const char *v = option && *option ? option : getenv(env);
  return v && *v ? ls__strdup(v) : NULL;
}

static int http_open(leadstore *db, const char *target, ls__error *err) {
  pthread_once(&curl_once, curl_init);
  ls__http *h = ls__malloc(sizeof *h);
  if (!h) return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  memset(h, 0, sizeof *h);
  db->impl = h;
  size_t n = strlen(target);
  while (n > 0 && target[n - 1] == '/') n--;
  h->base = ls__strndup(target, n);
  /* an explicit option first, then the environment; a key before a secret */
  const leadstore_options *o = &db->opts;
  if (o->api_key && *o->api_key) h->api_key = ls__strdup(o->api_key);
  else if (o->jwt_secret && *o->jwt_secret) h->jwt_secret = ls__strdup(o->jwt_secret);
  else if (!(h->api_key = setting(NULL, "LEADSTORE_API_KEY")))
    h->jwt_secret = setting(NULL, "LEADSTORE_JWT_SECRET");
  h->attempts = o->retry_attempts > 0 ? o->retry_attempts : 5;
  h->budget_ms = o->retry_max_ms > 0 ? o->retry_max_ms : 10000;
  h->curl = curl_easy_init();
  int rc = LEADSTORE_OK;
  if (!h->base || !h->curl) rc = ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  else if (strchr(h->base + (strncmp(h->base, "https", 5) ? 7 : 8), '/'))
    rc = ls__fail(err, LEADSTORE_EINVAL, "give the server as http(s)://host:port, without a path");
  else if (!h->api_key && !h->jwt_secret)
    rc = ls__fail(err, LEADSTORE_EINVAL,
                  "no key for %s: set LEADSTORE_API_KEY (leadstore keys mints one) or LEADSTORE_JWT_SECRET",
                  h->base);
  if (rc) http_close(db);
  return rc;
}

const ls__engine ls__http_engine = {
    .name = "http",
    .open = http_open,
    .close = http_close,
    .call = http_call,
    .forward = http_forward,
    .check = http_check,
    .count_rows = http_count_rows,
    .migrate = http_migrate,
};
