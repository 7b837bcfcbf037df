/*
 * t_server.c — `leadstore serve` over HTTP (libcurl), on a scratch SQLite
 * file and on the throwaway PostgreSQL database: every protocol error with
 * its status and PostgREST body, CORS, GET/HEAD of read operations, the
 * keys (missing, forged, alg none/HS512, expired, not yet valid, anon,
 * another organization), the OpenAPI description, /healthz /version /check,
 * metrics equal to the requests sent, the access log without tokens,
 * saturation, a slow client that holds no worker, rollout switches reloaded
 * by SIGHUP on a kept-alive connection, a lost PostgreSQL connection, and a
 * graceful shutdown under concurrent writes that loses no acknowledged write.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>

#include "support.h"

static const char *SECRET = "server-test-secret-0123456789abcdef-0123456789";
static const char *ORG_A = "aaaaaaaa-1111-4111-8111-111111111111";
static const char *ORG_B = "bbbbbbbb-2222-4222-8222-222222222222";
static const char *HS256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

static char *cli;          /* the leadstore binary */
static char *service_key;  /* a service_role key */

/*--- The server process ------------------------------------------------------*/

typedef struct server {
  pid_t pid;
  int port;
  char base[64];
  char *log;              /* its standard error: the access log */
  long statuses[600];     /* answers this test received, by status */
} server;

/* Starts `leadstore serve --db db --listen 127.0.0.1:0 extra…` and reads its port. */
static void start(server *s, const char *db, const char *const *extra) {
  memset(s, 0, sizeof *s);
  static int n;
  if (asprintf(&s->log, "%s/server-%d.log", ts_dir(), n++) < 0) exit(2);
  const char *argv[32] = {cli, "serve", "--db", db, "--create", "--listen", "127.0.0.1:0", "--check-interval", "0"};
  int argc = 9;
  for (size_t i = 0; extra && extra[i] && argc < 30; i++) argv[argc++] = extra[i];
  argv[argc] = NULL;
  int out[2];
  if (pipe(out)) exit(2);
  s->pid = fork();
  if (s->pid == 0) {
    dup2(out[1], 1);
    int err = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(err, 2);
    close(out[0]);
    execv(cli, (char *const *)argv);
    _exit(127);
  }
  close(out[1]);
  FILE *f = fdopen(out[0], "r");
  char line[200] = "";
  if (!fgets(line, sizeof line, f)) line[0] = '\0';
  fclose(f);
  int port = 0;
  OK(sscanf(line, "leadstore: listening on http://127.0.0.1:%d", &port) == 1 && port > 0,
     "the server says where it listens: %.60s", line);
  s->port = port;
  snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", port);
}

/* Signals the server and waits for it; its exit status (-1: killed by a signal). */
static int stop(server *s, int sig) {
  kill(s->pid, sig);
  int status = 0;
  waitpid(s->pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*--- HTTP ---------------------------------------------------------------------*/

typedef struct resp {
  long status;
  char *body;
  size_t len;
  char headers[4096];
  size_t hlen;
  json_t *json; /* the parsed body (NULL when not JSON) */
  long new_connections;
} resp;

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
  resp *r = ud;
  char *bigger = realloc(r->body, r->len + size * n + 1);
  if (!bigger) return 0;
  r->body = bigger;
  memcpy(r->body + r->len, p, size * n);
  r->len += size * n;
  r->body[r->len] = '\0';
  return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
  resp *r = ud;
  size_t k = size * n;
  if (r->hlen + k < sizeof r->headers) {
    memcpy(r->headers + r->hlen, p, k);
    r->hlen += k;
    r->headers[r->hlen] = '\0';
  }
  return k;
}

static void resp_free(resp *r) {
  free(r->body);
  json_decref(r->json);
  memset(r, 0, sizeof *r);
}

/* The value of response header `name` (case-insensitive) in buf, or "". */
static const char *hdr(const resp *r, const char *name, char *buf, size_t n) { return ts_header(r->headers, name, buf, n); }

/*
 * One request on handle h (NULL: a fresh one); headers is a NULL-terminated
 * list of "Name: value" lines; key (when not NULL) goes as apikey and Bearer.
 */
static resp request_on(CURL *h, server *s, const char *method, const char *path, const char *body, const char *key,
                       const char *const *headers) {
  resp r = {0};
  CURL *c = h ? h : curl_easy_init();
  char url[512];
  snprintf(url, sizeof url, "%s%s", s->base, path);
  struct curl_slist *list = NULL;
  char line[2048];
  if (key) {
    snprintf(line, sizeof line, "apikey: %s", key);
    list = curl_slist_append(list, line);
    snprintf(line, sizeof line, "Authorization: Bearer %s", key);
    list = curl_slist_append(list, line);
  }
  bool typed = false;
  for (size_t i = 0; headers && headers[i]; i++) {
    list = curl_slist_append(list, headers[i]);
    typed |= !strncasecmp(headers[i], "Content-Type:", 13);
  }
  if (body && !typed) list = curl_slist_append(list, "Content-Type: application/json");
  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  if (!strcmp(method, "HEAD")) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  else if (strcmp(method, "GET")) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
  }
  if (curl_easy_perform(c) == CURLE_OK) {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &r.new_connections);
    if (r.status > 0 && r.status < 600) s->statuses[r.status]++;
  }
  if (r.body) r.json = json_loads(r.body, JSON_DECODE_ANY, NULL);
  curl_slist_free_all(list);
  if (!h) curl_easy_cleanup(c);
  return r;
}

static resp request(server *s, const char *method, const char *path, const char *body, const char *key) {
  return request_on(NULL, s, method, path, body, key, NULL);
}

/* POST /rest/v1/rpc/op with printf-formatted JSON, as `key`. */
static resp rpc(server *s, const char *key, const char *op, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static resp rpc(server *s, const char *key, const char *op, const char *fmt, ...) {
  char path[200], *body = NULL;
  snprintf(path, sizeof path, "/rest/v1/rpc/%s", op);
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&body, fmt, ap) < 0) exit(2);
  va_end(ap);
  resp r = request(s, "POST", path, body, key);
  free(body);
  return r;
}

/* r is a PostgREST error of this status and code, with the four keys. */
static void is_error(const resp *r, long status, const char *code, const char *what) {
  json_t *j = r->json;
  bool shape = json_is_object(j) && json_object_size(j) == 4 && json_is_string(json_object_get(j, "message")) &&
               json_object_get(j, "details") && json_object_get(j, "hint");
  const char *got = json_string_value(json_object_get(j, "code"));
  OK(r->status == status && shape && got && !strcmp(got, code), "%s: %ld %s (got %ld %s)", what, status, code,
     r->status, r->body ? r->body : "no body");
}

/* The result object of a 200 answer: success flag and error_code. */
static bool succeeded(const resp *r) { return r->status == 200 && json_is_true(json_object_get(r->json, "success")); }
static const char *result_code(const resp *r) {
  const char *c = json_string_value(json_object_get(r->json, "error_code"));
  return c ? c : "";
}

/* A key for `claims` signed with the test secret. */
static char *key_for(const char *claims) { return ts_jwt(HS256, claims, "sha256", SECRET, NULL); }

/* The value of the metric sample `sample` (exact name with labels) in a /metrics text; -1 when absent. */
static double metric(const char *text, const char *sample) {
  const char *p = text;
  size_t n = strlen(sample);
  while (p && (p = strstr(p, sample))) {
    if ((p == text || p[-1] == '\n') && p[n] == ' ') return strtod(p + n + 1, NULL);
    p += n;
  }
  return -1;
}

/* A raw request on a fresh TCP connection; the status of the answer (0 when none). */
static int raw_status(server *s, const char *text, int *fd_out) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a)) return close(fd), 0;
  if (write(fd, text, strlen(text)) < 0) return close(fd), 0;
  int status = 0;
  if (fd_out) {
    *fd_out = fd;
    if (!strstr(text, "\r\n\r\n")) return 0; /* an unfinished request: leave it hanging */
  }
  char buf[4096];
  ssize_t got = read(fd, buf, sizeof buf - 1);
  if (got > 0) {
    buf[got] = '\0';
    sscanf(buf, "HTTP/1.1 %d", &status);
    if (status > 0 && status < 600) s->statuses[status]++;
  }
  if (!fd_out) close(fd);
  return status;
}

/*--- The cases -----------------------------------------------------------------*/

static char *create_campaign(server *s, const char *key, const char *org) {
  resp r = org ? rpc(s, key, "create_campaign_with_coverage_tx",
                     "{\"p_campaign_data\":{\"name\":\"c\",\"organization_id\":\"%s\"},\"p_coverage_data\":[{\"zip\":\"78701\"}]}",
                     org)
               : rpc(s, key, "create_campaign_with_coverage_tx",
                     "{\"p_campaign_data\":{\"name\":\"c\"},\"p_coverage_data\":[{\"zip\":\"78701\"}]}");
  char *id = succeeded(&r) ? strdup(json_string_value(json_object_get(r.json, "campaign_id"))) : NULL;
  if (!id) tap_diag("create failed: %ld %s", r.status, r.body ? r.body : "");
  resp_free(&r);
  return id ? id : strdup("00000000-0000-4000-8000-000000000000");
}

static void protocol_errors(server *s) {
  resp r = rpc(s, NULL, "list_campaigns", "{}");
  is_error(&r, 401, "PGRST302", "no key");
  char buf[200];
  OK(!strncmp(hdr(&r, "WWW-Authenticate", buf, sizeof buf), "Bearer", 6), "401 carries WWW-Authenticate");
  resp_free(&r);
  r = rpc(s, service_key, "no_such_operation", "{}");
  is_error(&r, 404, "PGRST202", "unknown operation");
  resp_free(&r);
  r = rpc(s, service_key, "get_campain", "{}");
  is_error(&r, 404, "PGRST202", "a mistyped operation");
  OK(!strcmp(json_string_value(json_object_get(r.json, "hint")) ? json_string_value(json_object_get(r.json, "hint")) : "",
             "Perhaps you meant to call the function public.get_campaign"),
     "its hint names the closest function, as PostgREST's does");
  resp_free(&r);
  r = request(s, "PUT", "/rest/v1/rpc/list_campaigns", "{}", service_key);
  is_error(&r, 405, "PGRST101", "PUT on RPC");
  resp_free(&r);
  r = request(s, "GET", "/rest/v1/rpc/create_campaign_with_coverage_tx", NULL, service_key);
  is_error(&r, 405, "25006", "GET of a write operation");
  resp_free(&r);
  r = rpc(s, service_key, "list_campaigns", "{\"p_limit\": ");
  is_error(&r, 400, "PGRST102", "malformed JSON");
  resp_free(&r);
  r = rpc(s, service_key, "list_campaigns", "[1,2]");
  is_error(&r, 400, "PGRST102", "a body that is not an object");
  resp_free(&r);
  /* hostile bodies (docs/reliability.md): not JSON is 400; JSON the library refuses is a 200 failure */
  r = rpc(s, service_key, "list_campaigns", "{\"p_limit\": NaN}");
  is_error(&r, 400, "PGRST102", "NaN, which JSON does not have");
  resp_free(&r);
  r = rpc(s, service_key, "list_campaigns", "{\"p_status\": \"dr\xff\"}");
  is_error(&r, 400, "PGRST102", "a body that is not UTF-8");
  resp_free(&r);
  r = rpc(s, service_key, "list_campaigns", "{\"p_limit\": 1, \"p_limit\": 2}");
  OK(r.status == 200 && !strcmp(result_code(&r), "22023"), "duplicate keys: a 200 failure, 22023 (got %ld %s)", r.status,
     r.body ? r.body : "no body");
  resp_free(&r);
  const char *text_plain[] = {"Content-Type: text/plain", NULL};
  r = request_on(NULL, s, "POST", "/rest/v1/rpc/list_campaigns", "{}", service_key, text_plain);
  is_error(&r, 400, "PGRST102", "a body that is not application/json");
  resp_free(&r);
  const char *profile[] = {"Content-Profile: private", NULL};
  r = request_on(NULL, s, "POST", "/rest/v1/rpc/list_campaigns", "{}", service_key, profile);
  is_error(&r, 406, "PGRST106", "an unknown schema profile");
  resp_free(&r);
  r = request(s, "GET", "/nowhere", NULL, service_key);
  is_error(&r, 404, "PGRST125", "an unknown path");
  resp_free(&r);
  char *big = NULL;
  if (asprintf(&big,
               "POST /rest/v1/rpc/list_campaigns HTTP/1.1\r\nHost: x\r\napikey: %s\r\nContent-Type: application/json\r\n"
               "Content-Length: 99999999999\r\n\r\n{",
               service_key) < 0)
    exit(2);
  OK(raw_status(s, big, NULL) == 413, "a body announced over the limit: 413 before it is read");
  free(big);
  /* a success:false result is a 200 */
  r = rpc(s, service_key, "get_campaign", "{\"p_campaign_id\":\"00000000-0000-4000-8000-000000000000\"}");
  OK(r.status == 200 && !strcmp(result_code(&r), "P0002"), "success:false is a 200 with the result object (%s)",
     r.body ? r.body : "");
  resp_free(&r);
  r = rpc(s, service_key, "list_campaigns", "{\"p_limit\":0}");
  OK(r.status == 200 && !strcmp(result_code(&r), "22023"), "a parameter out of range: 200 with 22023");
  resp_free(&r);
}

static void auth(server *s) {
  long long now = (long long)time(NULL);
  char claims[300];
  struct {
    const char *what;
    char *key;
  } bad[6];
  bad[0].what = "a forged signature";
  bad[0].key = ts_jwt(HS256, "{\"role\":\"service_role\"}", "sha256", "another-secret-of-the-same-length-0123456789", NULL);
  bad[1].what = "alg none";
  bad[1].key = ts_jwt("{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"role\":\"service_role\"}", "sha256", SECRET, "");
  bad[2].what = "alg HS512";
  bad[2].key = ts_jwt("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", "{\"role\":\"service_role\"}", "sha512", SECRET, NULL);
  snprintf(claims, sizeof claims, "{\"role\":\"service_role\",\"exp\":%lld}", now - 3600);
  bad[3].what = "expired";
  bad[3].key = key_for(claims);
  snprintf(claims, sizeof claims, "{\"role\":\"service_role\",\"nbf\":%lld}", now + 3600);
  bad[4].what = "not yet valid (nbf)";
  bad[4].key = key_for(claims);
  bad[5].what = "alg RS256";
  bad[5].key = ts_jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "{\"role\":\"service_role\"}", "sha256", SECRET, NULL);
  for (int i = 0; i < 6; i++) {
    resp r = rpc(s, bad[i].key, "list_campaigns", "{}");
    is_error(&r, 401, i == 3 ? "PGRST303" : "PGRST301", bad[i].what);
    resp_free(&r);
    free(bad[i].key);
  }
  /* Bearer wins over apikey, and both must verify */
  char *anon = key_for("{\"role\":\"anon\"}");
  char line1[1024], line2[1024];
  snprintf(line1, sizeof line1, "apikey: %s", anon);
  snprintf(line2, sizeof line2, "Authorization: Bearer %s", service_key);
  const char *both[] = {line1, line2, NULL};
  resp r = request_on(NULL, s, "POST", "/rest/v1/rpc/list_campaigns", "{}", NULL, both);
  OK(succeeded(&r), "an anon apikey with a service_role Bearer acts as service_role (%ld)", r.status);
  resp_free(&r);
  snprintf(line1, sizeof line1, "apikey: %s", "not-a-jwt");
  r = request_on(NULL, s, "POST", "/rest/v1/rpc/list_campaigns", "{}", NULL, both);
  is_error(&r, 401, "PGRST301", "a good Bearer with a forged apikey");
  resp_free(&r);
  r = rpc(s, anon, "list_campaigns", "{}");
  is_error(&r, 403, "42501", "anon");
  resp_free(&r);
  free(anon);

  /* organizations: A cannot see or change B's campaign; A's campaigns are A's */
  snprintf(claims, sizeof claims, "{\"role\":\"authenticated\",\"organization_id\":\"%s\"}", ORG_A);
  char *key_a = key_for(claims);
  char *b_campaign = create_campaign(s, service_key, ORG_B);
  r = rpc(s, key_a, "get_campaign", "{\"p_campaign_id\":\"%s\"}", b_campaign);
  OK(r.status == 200 && !strcmp(result_code(&r), "P0002"), "A reading B's campaign: P0002 (%s)", result_code(&r));
  resp_free(&r);
  r = rpc(s, key_a, "update_campaign_status_tx", "{\"p_campaign_id\":\"%s\",\"p_new_status\":\"running\"}", b_campaign);
  OK(r.status == 200 && !strcmp(result_code(&r), "P0002"), "A changing B's campaign: P0002 (%s)", result_code(&r));
  resp_free(&r);
  r = rpc(s, service_key, "get_campaign", "{\"p_campaign_id\":\"%s\"}", b_campaign);
  json_t *c = json_object_get(r.json, "campaign");
  OK(succeeded(&r) && !strcmp(json_string_value(json_object_get(c, "status")), "draft"), "B's campaign is unchanged");
  resp_free(&r);
  char *a_campaign = create_campaign(s, key_a, NULL);
  r = rpc(s, service_key, "get_campaign", "{\"p_campaign_id\":\"%s\"}", a_campaign);
  c = json_object_get(r.json, "campaign");
  const char *owner = json_string_value(json_object_get(c, "organization_id"));
  OK(owner && !strcmp(owner, ORG_A), "A's new campaign belongs to A (%s)", owner ? owner : "none");
  resp_free(&r);
  r = rpc(s, key_a, "create_campaign_with_coverage_tx", "{\"p_campaign_data\":{\"name\":\"x\",\"organization_id\":\"%s\"}}",
          ORG_B);
  OK(r.status == 200 && !succeeded(&r), "A cannot create a campaign for B (%s)", result_code(&r));
  resp_free(&r);
  free(key_a);
  free(b_campaign);
  free(a_campaign);
}

static void reads_cors_and_routes(server *s) {
  char *id = create_campaign(s, service_key, NULL);
  char path[300], buf[300];
  snprintf(path, sizeof path, "/rest/v1/rpc/get_campaign?p_campaign_id=%s", id);
  resp r = request(s, "GET", path, NULL, service_key);
  json_t *c = json_object_get(r.json, "campaign");
  OK(succeeded(&r) && !strcmp(json_string_value(json_object_get(c, "id")), id), "GET a read operation");
  resp_free(&r);
  r = request(s, "GET", "/rpc/list_campaigns?p_limit=1&p_status=draft", NULL, service_key);
  OK(succeeded(&r) && json_array_size(json_object_get(r.json, "campaigns")) == 1,
     "GET /rpc/ with an integer and an enum from the query string (%.80s)", r.body ? r.body : "");
  resp_free(&r);
  r = request(s, "GET", "/rpc/list_campaigns?p_limit=many", NULL, service_key);
  OK(r.status == 200 && !strcmp(result_code(&r), "22023"), "GET with a parameter that is not a number: 22023");
  resp_free(&r);
  snprintf(path, sizeof path, "/rest/v1/rpc/get_campaign?p_campaign_id=%s&apikey=%s", id, service_key);
  r = request(s, "HEAD", path, NULL, NULL);
  OK(r.status == 200 && r.len == 0, "HEAD, with the key in the query string: 200 and no body");
  resp_free(&r);
  free(id);

  const char *pre[] = {"Origin: https://app.example", "Access-Control-Request-Method: POST",
                       "Access-Control-Request-Headers: apikey, authorization, content-type, x-client-info", NULL};
  r = request_on(NULL, s, "OPTIONS", "/rest/v1/rpc/list_campaigns", NULL, NULL, pre);
  OK(r.status == 200, "CORS preflight: 200 without a key");
  OK(!strcmp(hdr(&r, "Access-Control-Allow-Origin", buf, sizeof buf), "https://app.example"), "preflight allows the origin");
  OK(strstr(hdr(&r, "Access-Control-Allow-Methods", buf, sizeof buf), "POST") != NULL, "preflight allows POST");
  OK(strstr(hdr(&r, "Access-Control-Allow-Headers", buf, sizeof buf), "apikey") != NULL, "preflight allows apikey");
  OK(!strcmp(hdr(&r, "Access-Control-Max-Age", buf, sizeof buf), "86400"), "preflight max age");
  resp_free(&r);
  const char *origin[] = {"Origin: https://app.example", NULL};
  r = request_on(NULL, s, "POST", "/rest/v1/rpc/list_campaigns", "{}", service_key, origin);
  OK(!strcmp(hdr(&r, "Access-Control-Allow-Origin", buf, sizeof buf), "https://app.example"), "answers carry CORS");
  resp_free(&r);

  r = request(s, "GET", "/rest/v1/", NULL, NULL);
  json_t *paths = json_object_get(r.json, "paths");
  size_t found = 0;
  for (size_t i = 0; i < leadstore_op_count(); i++) {
    char key[160];
    snprintf(key, sizeof key, "/rpc/%s", leadstore_op_name(i));
    found += json_object_get(paths, key) != NULL;
  }
  OK(r.status == 200 && found == leadstore_op_count(), "the OpenAPI description lists every operation (%zu)", found);
  OK(json_object_get(json_object_get(paths, "/rpc/get_campaign"), "get") &&
         !json_object_get(json_object_get(paths, "/rpc/create_campaign_with_coverage_tx"), "get"),
     "GET is described for read operations only");
  resp_free(&r);
  r = request(s, "GET", "/healthz", NULL, NULL);
  OK(r.status == 200 && !strcmp(json_string_value(json_object_get(r.json, "status")), "ok"), "healthz");
  resp_free(&r);
  r = request(s, "GET", "/version", NULL, NULL);
  OK(r.status == 200 && !strcmp(json_string_value(json_object_get(r.json, "version")), leadstore_version()), "version");
  resp_free(&r);
  r = request(s, "GET", "/check", NULL, service_key);
  OK(r.status == 200 && json_is_true(json_object_get(r.json, "ok")), "check as service_role: clean (%.80s)",
     r.body ? r.body : "");
  resp_free(&r);
  char claims[200];
  snprintf(claims, sizeof claims, "{\"role\":\"authenticated\",\"organization_id\":\"%s\"}", ORG_A);
  char *key_a = key_for(claims);
  r = request(s, "GET", "/check", NULL, key_a);
  is_error(&r, 403, "42501", "check as authenticated");
  resp_free(&r);
  free(key_a);
}

/* The metrics agree with what this test sent. */
static void metrics_and_log(server *s) {
  long sent = 0, before[600];
  for (int i = 0; i < 600; i++) sent += before[i] = s->statuses[i];
  resp r = request(s, "GET", "/metrics", NULL, NULL); /* counted once rendered: not in what it shows */
  char buf[300];
  OK(r.status == 200 && !strncmp(hdr(&r, "Content-Type", buf, sizeof buf), "text/plain; version=0.0.4", 25),
     "metrics in the Prometheus text format");
  const char *m = r.body ? r.body : "";
  OK(r.len > 0 && m[r.len - 1] == '\n', "the exposition ends with a newline");
  double total = 0;
  bool each = true;
  for (int st = 100; st < 600; st++) {
    char sample[80];
    snprintf(sample, sizeof sample, "leadstore_http_responses_total{status=\"%d\"}", st);
    double v = metric(m, sample);
    if (v >= 0) total += v;
    if ((before[st] || v > 0) && v != (double)before[st]) {
      each = false;
      tap_diag("status %d: sent %ld, metrics %g", st, before[st], v);
    }
  }
  OK(each && total == (double)sent, "responses by status equal the requests sent (%ld, metrics %g)", sent, total);
  double calls = 0, ok = 0, failed = 0;
  for (size_t i = 0; i < leadstore_op_count(); i++) {
    char sample[200];
    snprintf(sample, sizeof sample, "leadstore_operation_calls_total{operation=\"%s\"}", leadstore_op_name(i));
    calls += metric(m, sample);
    snprintf(sample, sizeof sample, "leadstore_operation_successes_total{operation=\"%s\"}", leadstore_op_name(i));
    ok += metric(m, sample);
  }
  const char *p = m;
  while ((p = strstr(p, "\nleadstore_operation_failures_total{"))) {
    p = strchr(p, '}');
    failed += strtod(p + 2, NULL);
  }
  OK(calls > 0 && calls == ok + failed, "calls = successes + failures (%g = %g + %g)", calls, ok, failed);
  OK(metric(m, "leadstore_operation_failures_total{operation=\"get_campaign\",error_code=\"P0002\"}") >= 1,
     "failures are counted by error_code");
  OK(metric(m, "leadstore_operation_duration_seconds_bucket{operation=\"list_campaigns\",le=\"+Inf\"}") ==
         metric(m, "leadstore_operation_duration_seconds_count{operation=\"list_campaigns\"}"),
     "the histogram's +Inf bucket equals its count");
  resp_free(&r);
}

/* After the server stopped: its log has one line per request (n), and no token. */
static void access_log_checked(server *s, long n) {
  FILE *f = fopen(s->log, "r");
  char line[2048];
  long lines = 0;
  bool token = false;
  while (f && fgets(line, sizeof line, f)) {
    lines += strstr(line, " status=") != NULL;
    token |= strstr(line, service_key) != NULL || strstr(line, "eyJ") != NULL;
  }
  if (f) fclose(f);
  OK(lines == n, "one access-log line per request (%ld lines, %ld requests)", lines, n);
  OK(!token, "no token in the log");
}

/* Saturation and a slow client, on a server of one worker and two connections. */
static void limits(const char *db) {
  server s;
  const char *extra[] = {"--threads", "1", "--max-connections", "2", "--log-format", "json", NULL};
  start(&s, db, extra);
  int slow = -1;
  raw_status(&s, "POST /rest/v1/rpc/list_campaigns HTTP/1.1\r\nHost: x\r\nContent-Le", &slow);
  resp r = request(&s, "GET", "/version", NULL, NULL);
  OK(r.status == 200, "a slow client holds no worker: the only worker still answers");
  resp_free(&r);
  /* two connections held open (each served once, so surely counted), then a third is one too many */
  int held[2];
  for (int i = 0; i < 2; i++) {
    held[i] = -1;
    raw_status(&s, "GET /version HTTP/1.1\r\nHost: x\r\n\r\n", &held[i]);
  }
  r = rpc(&s, service_key, "list_campaigns", "{}");
  char buf[40];
  is_error(&r, 503, "PGRST003", "saturated: more open connections than --max-connections");
  OK(atoi(hdr(&r, "Retry-After", buf, sizeof buf)) > 0, "the 503 says when to retry");
  resp_free(&r);
  for (int i = 0; i < 2; i++) close(held[i]);
  close(slow);
  OK(stop(&s, SIGTERM) == 0, "the server stops cleanly");
  FILE *f = fopen(s.log, "r");
  char line[2048];
  int lines = 0, good = 0;
  while (f && fgets(line, sizeof line, f)) {
    if (line[0] != '{') continue;
    lines++;
    json_t *j = json_loads(line, 0, NULL);
    good += json_is_integer(json_object_get(j, "status")) && json_is_string(json_object_get(j, "path")) &&
            json_is_string(json_object_get(j, "role")) && json_is_real(json_object_get(j, "duration_ms"));
    json_decref(j);
  }
  if (f) fclose(f);
  OK(lines >= 4 && good == lines, "--log-format json: one JSON object per request (%d of %d)", good, lines);
  free(s.log);
}

/* Waits (bounded) until /metrics shows `sample` at `value`; false if it never does. */
static bool await_metric(server *s, const char *sample, double value) {
  struct timespec tick = {0, 5 * 1000 * 1000};
  for (int i = 0; i < 2000; i++) {
    resp r = request(s, "GET", "/metrics", NULL, NULL);
    double v = metric(r.body ? r.body : "", sample);
    resp_free(&r);
    if (v == value) return true;
    nanosleep(&tick, NULL);
  }
  return false;
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) exit(2);
  fputs(text, f);
  fclose(f);
}

/* Switches from flags and the file, reloaded by SIGHUP on a kept-alive connection. */
static void switches(const char *db) {
  char *file = NULL;
  if (asprintf(&file, "%s/switches", ts_dir()) < 0) exit(2);
  write_file(file, "# rollout switches\n");
  server s;
  const char *extra[] = {"--switches", file, "--disable", "track_api_cost_tx", "--check-interval", "1", NULL};
  start(&s, db, extra);
  OK(await_metric(&s, "leadstore_check_ok", 1) && await_metric(&s, "leadstore_check_violations", 0),
     "the periodic invariant check is exposed as a gauge");
  CURL *h = curl_easy_init();
  resp r = request_on(h, &s, "POST", "/rest/v1/rpc/list_campaigns", "{}", service_key, NULL);
  OK(succeeded(&r), "before the change: list_campaigns answers");
  resp_free(&r);
  r = rpc(&s, service_key, "track_api_cost_tx", "{}");
  is_error(&r, 503, "LS503", "--disable track_api_cost_tx");
  const char *details = json_string_value(json_object_get(r.json, "details"));
  OK(details && strstr(details, "track_api_cost_tx off"), "the 503 names the switch (%s)", details ? details : "");
  char buf[40];
  OK(atoi(hdr(&r, "Retry-After", buf, sizeof buf)) > 0, "with Retry-After");
  resp_free(&r);

  write_file(file, "list_campaigns off  # being migrated\n");
  kill(s.pid, SIGHUP);
  OK(await_metric(&s, "leadstore_switches_reloads_total", 1), "SIGHUP reloads the switches");
  r = request_on(h, &s, "POST", "/rest/v1/rpc/list_campaigns", "{}", service_key, NULL);
  is_error(&r, 503, "LS503", "after SIGHUP: list_campaigns is off");
  OK(r.new_connections == 0, "on the same kept-alive connection");
  resp_free(&r);
  r = request_on(h, &s, "POST", "/rest/v1/rpc/is_valid_status_transition",
                 "{\"p_current\":\"draft\",\"p_new\":\"running\"}", service_key, NULL);
  OK(succeeded(&r), "other operations still answer (%.80s)", r.body ? r.body : "");
  resp_free(&r);

  write_file(file, "writes off\n");
  kill(s.pid, SIGHUP);
  OK(await_metric(&s, "leadstore_switches_reloads_total", 2), "second reload");
  r = rpc(&s, service_key, "create_campaign_with_coverage_tx", "{\"p_campaign_data\":{\"name\":\"x\"}}");
  is_error(&r, 503, "LS503", "read-only: a write is off");
  resp_free(&r);
  r = request_on(h, &s, "POST", "/rest/v1/rpc/list_campaigns", "{}", service_key, NULL);
  OK(succeeded(&r) && r.new_connections == 0, "read-only: reads answer, on the same connection");
  resp_free(&r);

  write_file(file, "list_campaigns sideways\n");
  kill(s.pid, SIGHUP);
  /* a refused file keeps the switches in force: wait for the refusal in the log */
  bool refused = false;
  struct timespec tick = {0, 5 * 1000 * 1000};
  for (int i = 0; i < 2000 && !refused; i++) {
    FILE *f = fopen(s.log, "r");
    char line[1024];
    while (f && fgets(line, sizeof line, f)) refused |= strstr(line, "switches not reloaded") != NULL;
    if (f) fclose(f);
    if (!refused) nanosleep(&tick, NULL);
  }
  OK(refused, "a malformed switches file is refused");
  r = rpc(&s, service_key, "create_campaign_with_coverage_tx", "{\"p_campaign_data\":{\"name\":\"x\"}}");
  is_error(&r, 503, "LS503", "and the switches in force stay");
  resp_free(&r);
  curl_easy_cleanup(h);
  OK(stop(&s, SIGTERM) == 0, "the server stops cleanly");
  free(s.log);
  free(file);
}

/*--- Graceful shutdown under concurrent writes ----------------------------------*/

enum { WRITERS = 6, MAX_ACKED = 100000 };
typedef struct shutdown_run {
  server *s;
  atomic_int acked;
  char (*ids)[37]; /* acknowledged campaign ids */
  atomic_int transport_errors, other, running;
} shutdown_run;

static void *writer(void *arg) {
  shutdown_run *run = arg;
  CURL *h = curl_easy_init();
  for (int i = 0; i < 100000; i++) {
    resp r = request_on(h, run->s, "POST", "/rest/v1/rpc/create_campaign_with_coverage_tx",
                        "{\"p_campaign_data\":{\"name\":\"w\"},\"p_coverage_data\":[{\"zip\":\"10001\"}]}", service_key, NULL);
    bool acked = succeeded(&r);
    if (acked) {
      int k = atomic_fetch_add(&run->acked, 1);
      if (k < MAX_ACKED) snprintf(run->ids[k], 37, "%s", json_string_value(json_object_get(r.json, "campaign_id")));
    } else if (r.status == 0) {
      atomic_fetch_add(&run->transport_errors, 1);
    } else {
      atomic_fetch_add(&run->other, 1);
    }
    resp_free(&r);
    if (!acked) break; /* the server is going away */
  }
  curl_easy_cleanup(h);
  atomic_fetch_sub(&run->running, 1);
  return NULL;
}

static void graceful_shutdown(const char *db) {
  server s;
  start(&s, db, NULL);
  shutdown_run run = {.s = &s, .ids = calloc(MAX_ACKED, 37), .running = WRITERS};
  pthread_t t[WRITERS];
  for (int i = 0; i < WRITERS; i++) pthread_create(&t[i], NULL, writer, &run);
  struct timespec tick = {0, 1000 * 1000};
  /* wait until the writers are in full swing (or, if the server failed them, all gave up) */
  while (atomic_load(&run.acked) < 30 && atomic_load(&run.running) > 0) nanosleep(&tick, NULL);
  int status = stop(&s, SIGTERM);
  for (int i = 0; i < WRITERS; i++) pthread_join(t[i], NULL);
  int acked = atomic_load(&run.acked);
  OK(status == 0, "SIGTERM under concurrent writes: the server exits cleanly");
  int lost = 0;
  for (int i = 0; i < acked && i < MAX_ACKED; i++) lost += !ts_row_exists(db, "gmaps_campaigns", run.ids[i]);
  OK(acked >= 30 && lost == 0, "every acknowledged write is in the database (%d acknowledged, %d lost)", acked, lost);
  tap_diag("after SIGTERM: %d transport errors, %d other answers", atomic_load(&run.transport_errors),
           atomic_load(&run.other));
  leadstore *handle = ts_open(db);
  OK(ts_check(handle) == 0, "the invariants hold after the shutdown");
  leadstore_close(handle);
  free(run.ids);
  free(s.log);
}

/* PostgreSQL: the server's connections are cut; answers are 200 or 503 + Retry-After, then it recovers. */
static void lost_connection(server *s, const char *url) {
  PGconn *admin = PQconnectdb(url);
  PGresult *res = PQexec(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  OK(PQresultStatus(res) == PGRES_TUPLES_OK, "the server's connections are terminated");
  PQclear(res);
  PQfinish(admin);
  bool shapes = true, recovered = false;
  char buf[40];
  for (int i = 0; i < 20 && !recovered; i++) {
    resp r = rpc(s, service_key, "list_campaigns", "{}");
    recovered = succeeded(&r);
    if (!recovered && !(r.status == 503 && atoi(hdr(&r, "Retry-After", buf, sizeof buf)) > 0)) {
      shapes = false;
      tap_diag("unexpected answer %ld %s", r.status, r.body ? r.body : "");
    }
    resp_free(&r);
  }
  OK(shapes && recovered, "a lost connection answers 503 with Retry-After, and the next request reconnects");
}

static void suite(const char *label, const char *db) {
  tap_diag("--- %s", label);
  server s;
  start(&s, db, NULL);
  protocol_errors(&s);
  auth(&s);
  reads_cors_and_routes(&s);
  if (strstr(db, "://") || strchr(db, '=')) lost_connection(&s, db);
  metrics_and_log(&s);
  long sent = 0;
  for (int i = 0; i < 600; i++) sent += s.statuses[i];
  OK(stop(&s, SIGTERM) == 0, "%s: the server stops cleanly on SIGTERM", label);
  access_log_checked(&s, sent);
  free(s.log);
  limits(db);
  switches(db);
  graceful_shutdown(db);
}

/* Runs a shell command line; its exit status, its first output line in out. */
static int run(const char *cmd, char *out, size_t n) {
  FILE *p = popen(cmd, "r");
  out[0] = '\0';
  if (!p) return -1;
  if (!fgets(out, (int)n, p)) out[0] = '\0';
  out[strcspn(out, "\n")] = '\0';
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Without $LEADSTORE_JWT_SECRET: `keys` and `serve` share the secret generated beside the database. */
static void generated_secret(void) {
  unsetenv("LEADSTORE_JWT_SECRET");
  char *db = ts_db_path("keys"), *cmd = NULL, *secret = NULL;
  leadstore_close(ts_open(db));
  if (asprintf(&secret, "%s.jwt-secret", db) < 0) exit(2);
  char key[2048], line[256];
  if (asprintf(&cmd, "%s keys --db %s --role service_role --expires 1h 2>&1", cli, db) < 0) exit(2);
  OK(run(cmd, key, sizeof key) == 0 && !strncmp(key, "eyJ", 3), "keys mints a key on a fresh database");
  struct stat st;
  OK(stat(secret, &st) == 0 && (st.st_mode & 0777) == 0600, "the generated secret is beside it, mode 0600");
  server s;
  start(&s, db, NULL);
  resp r = rpc(&s, key, "list_campaigns", "{}");
  OK(succeeded(&r), "the server accepts the key: one secret for both");
  resp_free(&r);
  OK(stop(&s, SIGTERM) == 0, "the server stops cleanly");
  free(s.log);
  free(cmd);
  if (asprintf(&cmd, "%s keys --db %s --role authenticated 2>&1", cli, db) < 0) exit(2);
  OK(run(cmd, line, sizeof line) == 64, "keys: authenticated without --org is a usage error (%s)", line);
  free(cmd);
  chmod(secret, 0644);
  if (asprintf(&cmd, "%s keys --db %s --role service_role 2>&1", cli, db) < 0) exit(2);
  OK(run(cmd, line, sizeof line) != 0 && strstr(line, "chmod 600"), "a secret readable by others is refused (%s)", line);
  free(cmd);
  if (asprintf(&cmd, "%s serve --db %s --listen 127.0.0.1:0 2>&1", cli, db) < 0) exit(2);
  OK(run(cmd, line, sizeof line) != 0 && strstr(line, "chmod 600"), "and serve refuses it too (%s)", line);
  free(cmd);
  free(secret);
  /* a target with the sqlite: prefix keeps its secret beside the file itself */
  char *other = ts_db_path("keys-prefixed");
  if (asprintf(&cmd, "%s keys --db sqlite:%s --role service_role 2>&1", cli, other) < 0 ||
      asprintf(&secret, "%s.jwt-secret", other) < 0)
    exit(2);
  OK(run(cmd, key, sizeof key) == 0 && stat(secret, &st) == 0, "sqlite:PATH keeps its secret at PATH.jwt-secret");
  free(cmd);
  free(secret);
  free(other);
  free(db);
  setenv("LEADSTORE_JWT_SECRET", SECRET, 1);
}

/* The default body limit holds a 5000-business batch of full scrape records. */
static void big_batch(const char *db) {
  server s;
  start(&s, db, NULL);
  char *id = create_campaign(&s, service_key, NULL);
  size_t cap = 5000 * 2200 + 200, len = 0;
  char *body = malloc(cap);
  len += (size_t)snprintf(body, cap, "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"78701\",\"p_businesses\":[", id);
  char raw[1201];
  memset(raw, 'r', 1200);
  raw[1200] = '\0';
  for (int k = 0; k < 5000; k++)
    len += (size_t)snprintf(
        body + len, cap - len,
        "%s{\"place_id\":\"ChIJ%08d-place-id-of-google\",\"name\":\"Business number %d\",\"address\":\"%d Congress Ave, "
        "Austin, TX 78701\",\"city\":\"Austin\",\"state\":\"TX\",\"postal_code\":\"78701\",\"country\":\"US\","
        "\"latitude\":30.2672,\"longitude\":-97.7431,\"phone\":\"+1 512-555-%04d\",\"website\":\"https://b%d.example.com\","
        "\"email\":\"info%d@b.example.com\",\"category\":\"Coffee shop\",\"categories\":[\"Coffee shop\",\"Cafe\"],"
        "\"rating\":4.5,\"reviews_count\":120,\"facebook_url\":\"https://facebook.com/b%d\",\"raw_data\":{\"blob\":\"%s\"}}",
        k ? "," : "", k, k, k, k % 10000, k, k, k, raw);
  len += (size_t)snprintf(body + len, cap - len, "]}");
  char path[] = "/rest/v1/rpc/batch_upsert_businesses_tx";
  resp r = request(&s, "POST", path, body, service_key);
  OK(succeeded(&r), "a 5000-business batch of %.1f MB fits the default body limit (%ld %.100s)", len / 1e6, r.status,
     r.body ? r.body : "");
  resp_free(&r);
  free(body);
  free(id);
  OK(stop(&s, SIGTERM) == 0, "the server stops cleanly");
  free(s.log);
}

int main(int argc, char **argv) {
  (void)argc;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const char *env = getenv("LEADSTORE_CLI");
  cli = env && *env ? strdup(env) : ts_build_path(argv[0], "leadstore");
  setenv("LEADSTORE_JWT_SECRET", SECRET, 1);
  service_key = key_for("{\"role\":\"service_role\"}");

  char *file = ts_db_path("server");
  leadstore_close(ts_open(file));
  suite("SQLite", file);
  big_batch(file);
  generated_secret();

  char *url = ts_pg_database(argv[0]);
  if (url) {
    leadstore *db = ts_open(url);
    char *report = NULL;
    OK(leadstore_migrate(db, &report) == LEADSTORE_OK, "PostgreSQL migrated");
    leadstore_free(report);
    leadstore_close(db);
    ts_pg_reset(url);
    suite("PostgreSQL", url);
    free(url);
  }
  free(file);
  free(service_key);
  free(cli);
  curl_global_cleanup();
  return tap_done();
}
