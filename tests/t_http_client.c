/*
 * t_http_client.c — the library's HTTP engine against a scripted server: a
 * thread on a loopback socket that reads each request and answers what the
 * test's script says (a status and a body, or a connection dropped after the
 * request arrived), recording every request.  Proves the retry rule (what is
 * retried, with the same body, how many times), the mapping of protocol
 * errors into the error map, that a result object passes through as the
 * server wrote it, the identity sent (a minted token per caller, or a fixed
 * key that refuses to stand for another caller), check over GET /check, and
 * that migrate and row counts say they are not available.  The real server
 * is exercised by t_cases_http and tests/t_clients.sh.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support.h"

enum { MAX_SEEN = 16, MAX_STEPS = 8 };

#define SHOW(s) ((s) ? (s) : "(none)")

typedef struct step {
  int status;       /* 0 = drop the connection without answering */
  const char *body; /* the answer's body */
} step;

static struct {
  pthread_mutex_t lock;
  int listen_fd;
  step script[MAX_STEPS];
  int nsteps;
  int seen;                       /* requests received */
  char method[MAX_SEEN][8];
  char path[MAX_SEEN][128];
  char auth[MAX_SEEN][1024];      /* the Authorization header's value */
  char apikey[MAX_SEEN][1024];
  char *body[MAX_SEEN];
} fake = {.lock = PTHREAD_MUTEX_INITIALIZER};


/* Serves one connection: request after request, each answered per the script. */
static void serve_connection(int fd) {
  char buf[65536];
  size_t have = 0;
  for (;;) {
    char *end;
    while (!(buf[have] = '\0', end = strstr(buf, "\r\n\r\n"))) {
      ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
      if (r <= 0) return;
      have += (size_t)r;
    }
    char len_text[32];
    ts_header(buf, "Content-Length", len_text, sizeof len_text);
    size_t head_len = (size_t)(end + 4 - buf), body_len = (size_t)atol(len_text);
    while (have < head_len + body_len) {
      ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
      if (r <= 0) return;
      have += (size_t)r;
    }
    pthread_mutex_lock(&fake.lock);
    int i = fake.seen < MAX_SEEN ? fake.seen : MAX_SEEN - 1;
    sscanf(buf, "%7s %127s", fake.method[i], fake.path[i]);
    ts_header(buf, "Authorization", fake.auth[i], sizeof fake.auth[i]);
    ts_header(buf, "apikey", fake.apikey[i], sizeof fake.apikey[i]);
    free(fake.body[i]);
    fake.body[i] = strndup(buf + head_len, body_len);
    step s = fake.script[fake.seen < fake.nsteps ? fake.seen : fake.nsteps - 1];
    fake.seen++;
    pthread_mutex_unlock(&fake.lock);
    if (s.status == 0) return; /* dropped: the request arrived, no answer */
    char out[4096];
    int n = snprintf(out, sizeof out,
                     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s\r\n%s",
                     s.status, strlen(s.body), s.status == 503 ? "Retry-After: 0\r\n" : "", s.body);
    if (write(fd, out, (size_t)n) != n) return;
    memmove(buf, buf + head_len + body_len, have - head_len - body_len);
    have -= head_len + body_len;
  }
}

static void *connection_main(void *arg) {
  int fd = (int)(intptr_t)arg;
  serve_connection(fd);
  close(fd);
  return NULL;
}

/* Accepts connections, one thread each (a client may open a fresh one beside a kept-alive one). */
static void *fake_main(void *arg) {
  (void)arg;
  for (;;) {
    int fd = accept(fake.listen_fd, NULL, NULL);
    if (fd < 0) return NULL;
    pthread_t t;
    pthread_create(&t, NULL, connection_main, (void *)(intptr_t)fd);
    pthread_detach(t);
  }
}

/* Starts the fake server; its URL. */
static char *fake_start(void) {
  fake.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof a;
  if (bind(fake.listen_fd, (struct sockaddr *)&a, sizeof a) || listen(fake.listen_fd, 8) ||
      getsockname(fake.listen_fd, (struct sockaddr *)&a, &alen))
    exit(2);
  pthread_t t;
  pthread_create(&t, NULL, fake_main, NULL);
  pthread_detach(t);
  char *url = NULL;
  if (asprintf(&url, "http://127.0.0.1:%d", ntohs(a.sin_port)) < 0) exit(2);
  return url;
}

/* Sets the script for the next calls and forgets what was seen. */
static void script(int n, const step *steps) {
  pthread_mutex_lock(&fake.lock);
  memcpy(fake.script, steps, sizeof *steps * (size_t)n);
  fake.nsteps = n;
  fake.seen = 0;
  pthread_mutex_unlock(&fake.lock);
}

static const char *OK_RESULT = "{\"success\":true,\"campaign_id\":\"c\",\"extra\":[1,2]}";
static const char *BUSY = "{\"success\":false,\"error\":\"deadlock detected\",\"error_code\":\"40P01\",\"retry_recommended\":true}";
static const char *REFUSED = "{\"success\":false,\"error\":\"Invalid status transition: draft -> completed\","
                             "\"error_code\":\"P0001\",\"retry_recommended\":false,\"kept\":true}";
static const char *PGRST = "{\"code\":\"PGRST301\",\"message\":\"No suitable key or wrong key type\",\"details\":null,\"hint\":null}";

static leadstore *open_with(const char *url, const char *key, const char *secret, int attempts) {
  leadstore_options o = {.api_key = key, .jwt_secret = secret, .retry_attempts = attempts, .retry_max_ms = 5000};
  leadstore *db = NULL;
  char *msg = NULL;
  if (leadstore_open(url, &o, &db, &msg) != LEADSTORE_OK) {
    printf("Bail out! cannot open %s: %s\n", url, msg ? msg : "?");
    exit(2);
  }
  return db;
}

/* One call; the result's error_code ("" on success) into code, its text kept in *text. */
static int call(leadstore *db, const leadstore_caller *who, const char *op, const char *params, char **text) {
  *text = NULL;
  return leadstore_call(db, who, op, params, text);
}

static bool same_bodies(void) {
  for (int i = 1; i < fake.seen && i < MAX_SEEN; i++)
    if (strcmp(fake.body[i], fake.body[0])) return false;
  return true;
}

int main(void) {
  char *url = fake_start();
  const char *secret = "t-http-client-secret-0123456789abcdef";
  leadstore *db = open_with(url, NULL, secret, 4);
  tap_ok(!strcmp(leadstore_engine(db), "http"), "an http:// target opens the HTTP engine");
  char *text = NULL;
  const char *write = "{\"p_campaign_data\":{\"name\":\"X\"}}";
  const char *write_id = "{\"p_campaign_data\":{\"name\":\"X\"},\"p_request_id\":\"r-1\"}";

  /* retried: 503 twice, then retry_recommended, then the answer; the same body every time */
  script(4, (step[]){{503, PGRST}, {503, PGRST}, {200, BUSY}, {200, OK_RESULT}});
  int rc = call(db, &ts_service, "create_campaign_with_coverage_tx", write_id, &text);
  tap_ok(rc == LEADSTORE_OK && fake.seen == 4 && same_bodies(),
         "503, 503, retry_recommended, success: 4 tries of the same body (%d)", fake.seen);
  tap_ok(text && !strcmp(text, OK_RESULT), "the result is the server's object as it came: %s", SHOW(text));
  tap_ok(!strcmp(fake.method[0], "POST") && !strcmp(fake.path[0], "/rest/v1/rpc/create_campaign_with_coverage_tx"),
         "a call is POST /rest/v1/rpc/<op>: %s %s", fake.method[0], fake.path[0]);
  tap_ok(!strcmp(fake.body[0], write_id), "the body is the caller's parameters, unchanged");
  leadstore_free(text);

  /* bounded: always busy, 4 tries, then the last failure result */
  script(1, (step[]){{200, BUSY}});
  rc = call(db, &ts_service, "update_campaign_statistics_tx", "{\"p_campaign_id\":\"x\"}", &text);
  tap_ok(rc == LEADSTORE_EDEADLOCK && fake.seen == 4 && strstr(text, "40P01"),
         "always retry_recommended: 4 tries, then the failure (%d tries): %s", fake.seen, SHOW(text));
  leadstore_free(text);

  /* a lost connection: a write without p_request_id is not repeated */
  script(2, (step[]){{0, NULL}, {200, OK_RESULT}});
  rc = call(db, &ts_service, "create_campaign_with_coverage_tx", write, &text);
  json_t *r = text ? json_loads(text, 0, NULL) : NULL;
  tap_ok(rc == LEADSTORE_ECONNECTION && fake.seen == 1 && !strcmp(ts_code(r), "08006") &&
             json_is_true(json_object_get(r, "retry_recommended")),
         "lost after sending, a write without p_request_id: 1 try, 08006 retry_recommended: %s", SHOW(text));
  json_decref(r);
  leadstore_free(text);
  script(2, (step[]){{0, NULL}, {200, OK_RESULT}});
  rc = call(db, &ts_service, "create_campaign_with_coverage_tx", write_id, &text);
  tap_ok(rc == LEADSTORE_OK && fake.seen == 2 && same_bodies(), "the same with p_request_id: retried with the same id");
  leadstore_free(text);
  script(2, (step[]){{0, NULL}, {200, OK_RESULT}});
  rc = call(db, &ts_service, "list_campaigns", "{}", &text);
  tap_ok(rc == LEADSTORE_OK && fake.seen == 2, "the same for a read: retried");
  leadstore_free(text);

  /* not retried: a failure result, and protocol errors, mapped into the error map */
  script(1, (step[]){{200, REFUSED}});
  rc = call(db, &ts_service, "update_campaign_status_tx", "{}", &text);
  tap_ok(rc == LEADSTORE_ERULE && fake.seen == 1 && !strcmp(text, REFUSED),
         "a failure result: not retried, passed through as it came: %s", SHOW(text));
  leadstore_free(text);
  const struct {
    int status;
    int rc;
    const char *code;
  } proto[] = {{401, LEADSTORE_EFORBIDDEN, "42501"}, {403, LEADSTORE_EFORBIDDEN, "42501"},
               {404, LEADSTORE_ENOOP, "42883"},      {400, LEADSTORE_EINVAL, "22023"},
               {413, LEADSTORE_EINVAL, "22023"},     {500, LEADSTORE_EINTERNAL, "XX000"}};
  for (size_t i = 0; i < sizeof proto / sizeof *proto; i++) {
    script(1, (step[]){{proto[i].status, PGRST}});
    rc = call(db, &ts_service, "list_campaigns", "{}", &text);
    r = text ? json_loads(text, 0, NULL) : NULL;
    tap_ok(rc == proto[i].rc && fake.seen == 1 && !strcmp(ts_code(r), proto[i].code) &&
               strstr(ts_str(r, "error"), "PGRST301"),
           "HTTP %d: not retried, %s: %s", proto[i].status, proto[i].code, SHOW(text));
    json_decref(r);
    leadstore_free(text);
  }
  /* a mistyped function: the server's hint (PostgREST's "Perhaps you meant") is in the message */
  script(1, (step[]){{404, "{\"code\":\"PGRST202\",\"message\":\"Could not find the function public.get_campain\","
                           "\"details\":null,\"hint\":\"Perhaps you meant to call the function public.get_campaign\"}"}});
  rc = call(db, &ts_service, "get_campain", "{}", &text);
  tap_ok(rc == LEADSTORE_ENOOP && text && strstr(text, "(Perhaps you meant to call the function public.get_campaign)"),
         "a 404 with a suggestion passes it on: %s", SHOW(text));
  leadstore_free(text);

  /* identity: a token minted per call for the caller */
  const char *org = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  leadstore_caller member = ts_member(org), who;
  char org_out[37];
  script(1, (step[]){{200, OK_RESULT}});
  call(db, &member, "list_campaigns", "{}", &text);
  leadstore_free(text);
  const char *bearer = fake.auth[0];
  bool verified = !strncmp(bearer, "Bearer ", 7) && !strcmp(bearer + 7, fake.apikey[0]) &&
                  leadstore_token_verify(secret, bearer + 7, 0, &who, org_out, NULL) == LEADSTORE_OK;
  tap_ok(verified && who.role == LEADSTORE_ROLE_AUTHENTICATED && !strcmp(who.organization_id, org),
         "with the secret, apikey and Bearer carry a token minted for the call's caller");
  leadstore_close(db);

  /* identity: a fixed key is sent as it is, and cannot stand for a narrower caller */
  db = open_with(url, "fixed-key", NULL, 2);
  script(1, (step[]){{200, OK_RESULT}});
  rc = call(db, NULL, "list_campaigns", "{}", &text);
  tap_ok(rc == LEADSTORE_OK && !strcmp(fake.apikey[0], "fixed-key") && !strcmp(fake.auth[0], "Bearer fixed-key"),
         "a fixed key is sent as apikey and Bearer");
  leadstore_free(text);
  script(1, (step[]){{200, OK_RESULT}});
  rc = call(db, &member, "list_campaigns", "{}", &text);
  tap_ok(rc == LEADSTORE_EFORBIDDEN && fake.seen == 0, "a fixed key does not call as another organization: %s", SHOW(text));
  leadstore_free(text);

  /* check over GET /check; migrate and row counts are not available */
  script(1, (step[]){{200, "{\"ok\":false,\"violations\":[{\"invariant\":2,\"campaign_id\":null,\"detail\":\"d\"}],"
                            "\"checked\":{\"campaigns\":3}}"}});
  char *report = NULL;
  rc = leadstore_check(db, &report);
  r = report ? json_loads(report, 0, NULL) : NULL;
  tap_ok(rc == LEADSTORE_OK && !strcmp(fake.method[0], "GET") && !strcmp(fake.path[0], "/check") &&
             json_is_false(json_object_get(r, "ok")) && json_array_size(json_object_get(r, "violations")) == 1,
         "check is GET /check, the server's report: %s", SHOW(report));
  json_decref(r);
  leadstore_free(report);
  tap_ok(leadstore_migrate(db, &report) == LEADSTORE_EINVAL, "migrate over HTTP says to migrate the database itself");
  leadstore_free(report);
  long long rows = 0;
  tap_ok(leadstore_test_count_rows(db, "gmaps_campaigns", &rows) == LEADSTORE_EINVAL, "no row counts over HTTP");
  leadstore_close(db);

  /* no server at all: tried as many times as allowed, then 08006 */
  int gone = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof a;
  char *gone_url = NULL;
  if (bind(gone, (struct sockaddr *)&a, sizeof a) || getsockname(gone, (struct sockaddr *)&a, &alen) ||
      asprintf(&gone_url, "http://127.0.0.1:%d", ntohs(a.sin_port)) < 0)
    exit(2);
  close(gone); /* bound, never listening: connections to it are refused */
  db = open_with(gone_url, "k", NULL, 3);
  free(gone_url);
  rc = call(db, NULL, "create_campaign_with_coverage_tx", write, &text);
  tap_ok(rc == LEADSTORE_ECONNECTION && strstr(text, "after 3 tries"),
         "connection refused (nothing sent), even a write: 3 tries, then 08006: %s", SHOW(text));
  leadstore_free(text);
  leadstore_close(db);

  /* opening: a path, or no identity, is refused */
  leadstore_options none = {0};
  char *msg = NULL;
  unsetenv("LEADSTORE_API_KEY");
  unsetenv("LEADSTORE_JWT_SECRET");
  db = NULL;
  rc = leadstore_open("http://127.0.0.1:1/rest", &none, &db, &msg);
  tap_ok(rc == LEADSTORE_EINVAL && !db, "a URL with a path is refused: %s", SHOW(msg));
  leadstore_free(msg);
  rc = leadstore_open("http://127.0.0.1:1", &none, &db, &msg);
  tap_ok(rc == LEADSTORE_EINVAL && !db, "no key and no secret is refused: %s", SHOW(msg));
  leadstore_free(msg);
  for (int i = 0; i < MAX_SEEN; i++) free(fake.body[i]);
  free(url);
  return tap_done();
}
