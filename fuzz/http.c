/*
 * http.c — libFuzzer harness: the HTTP request path of `leadstore serve`
 * (src/server/http.c: routing, keys, headers, body, the call, the answers).
 *
 * The request handler is a libmicrohttpd callback that reads the request
 * through MHD's connection object, so it cannot run without MHD: the harness
 * runs an in-process daemon without a listening socket and without threads
 * (MHD_run() on this thread), hands it one end of a socketpair per input with
 * MHD_add_connection(), writes the request into the other end, closes its
 * writing half and pumps MHD_run() until MHD closes the connection.  The
 * server's files are linked as they are (not serve.c: its options and
 * daemon are replaced by the set-up below), on an SQLite database in a
 * fresh directory with one seeded campaign and business.
 *
 * Byte 0 of an input:
 *   bits 0-1  the key: 0 an `apikey` service_role token; 1 a Bearer token
 *             of a member of organization A; 2 none; 3 both (Bearer
 *             service_role, apikey the member's);
 *   bit 2     raw: the rest is sent as it is (MHD's parser, then ours);
 *             else the rest is "METHOD PATH\n" header lines "\n" (empty
 *             line) body, assembled into an HTTP/1.1 request with the key
 *             and a Content-Length (unless a header line gives one or a
 *             Transfer-Encoding); `$C` and `$B` in the path and body become
 *             the seeded campaign's and business's ids.
 * Assertions (abort() = a finding): an answer, when there is one, starts
 * with an HTTP/1.x status line, and no request of an assembled shape gets
 * 500 (every refusal has its own status).
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ftw.h>

#include "server/server.h"

srv_config srv_cfg; /* serve.c's, which this harness replaces */

#define SECRET "fuzz-secret-fuzz-secret-fuzz-secret-0123"
#define ORG_A "11111111-1111-4111-8111-111111111111"

static struct MHD_Daemon *daemon_;
static char dir[64], path[128];
static char campaign[37], business[37];
static char *service_key, *member_key;

static void die(const char *what, const char *detail) {
  fprintf(stderr, "fuzz/http: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  abort();
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(p);
}

static void cleanup(void) {
  if (daemon_) MHD_stop_daemon(daemon_);
  srv_close_handles();
  srv_switches_free();
  srv_metrics_free();
  srv_catalog_free();
  leadstore_free(service_key);
  leadstore_free(member_key);
  if (dir[0]) nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* Seeds one campaign (running) with one business. */
static void seed(void) {
  leadstore *db = NULL;
  char *msg = NULL, *out = NULL, p[512];
  leadstore_options create = srv_cfg.opts;
  create.create = 1; /* the harness's own scratch file; the server's handles never create */
  if (leadstore_open(path, &create, &db, &msg)) die("cannot open the database", msg);
  leadstore_caller service = {LEADSTORE_ROLE_SERVICE, NULL};
  if (leadstore_call(db, &service, "create_campaign_with_coverage_tx",
                     "{\"p_campaign_data\":{\"name\":\"Fuzz\",\"organization_id\":\"" ORG_A "\"},"
                     "\"p_coverage_data\":[{\"zip_code\":\"90001\"}]}",
                     &out))
    die("seeding failed", out);
  json_t *r = json_loads(out, 0, NULL);
  snprintf(campaign, sizeof campaign, "%s", json_string_value(json_object_get(r, "campaign_id")));
  json_decref(r);
  leadstore_free(out);
  snprintf(p, sizeof p,
           "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_businesses\":[{\"place_id\":\"p0\",\"name\":\"B\","
           "\"email\":\"a@example.com\"}]}",
           campaign);
  if (leadstore_call(db, &service, "batch_upsert_businesses_tx", p, &out)) die("seeding failed", out);
  r = json_loads(out, 0, NULL);
  snprintf(business, sizeof business, "%s",
           json_string_value(json_object_get(json_array_get(json_object_get(r, "results"), 0), "business_id")));
  json_decref(r);
  leadstore_free(out);
  leadstore_close(db);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  /* in memory when the machine has a tmpfs: the harness needs no durability */
  snprintf(dir, sizeof dir, "%s/leadstore-fuzz-XXXXXX", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
  if (!mkdtemp(dir)) die("mkdtemp", NULL);
  atexit(cleanup);
  snprintf(path, sizeof path, "%s/http.db", dir);
  srv_cfg = (srv_config){.db = path, .max_body = 1 << 20, .max_connections = 512};
  srv_cfg.opts.durability = LEADSTORE_DURABLE_NORMAL;
  srv_cfg.secret = strdup(SECRET);
  char *err = NULL;
  if (!srv_catalog_init() || !srv_metrics_init(srv_op_count()) || !srv_switches_init(NULL, NULL, 0, &err))
    die("cannot initialise the server", err);
  leadstore_caller service = {LEADSTORE_ROLE_SERVICE, NULL}, member = {LEADSTORE_ROLE_AUTHENTICATED, ORG_A};
  if (leadstore_token_mint(SECRET, &service, 0, &service_key) || leadstore_token_mint(SECRET, &member, 0, &member_key))
    die("cannot mint keys", NULL);
  seed();
  daemon_ = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, srv_handle, NULL,
                             MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_NOTIFY_COMPLETED,
                             srv_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, srv_connection, NULL, MHD_OPTION_END);
  if (!daemon_) die("cannot start the daemon", NULL);
  return 0;
}

/*--- One input ------------------------------------------------------------*/

/* Writes n bytes of text with $C/$B replaced into f. */
static void put_expanded(FILE *f, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '$' && i + 1 < n && (s[i + 1] == 'C' || s[i + 1] == 'B')) {
      fputs(s[i + 1] == 'C' ? campaign : business, f);
      i++;
    } else {
      fputc(s[i], f);
    }
  }
}

/* The request bytes of a structured input (see the header comment); a new buffer, length in *len. */
static char *assemble(uint8_t mode, const char *s, size_t n, size_t *len) {
  char *out = NULL;
  FILE *f = open_memstream(&out, len);
  if (!f) die("out of memory", NULL);
  const char *eol = memchr(s, '\n', n);
  size_t line = eol ? (size_t)(eol - s) : n;
  const char *sp = memchr(s, ' ', line);
  if (sp) {
    fwrite(s, 1, (size_t)(sp - s), f);
    fputc(' ', f);
    put_expanded(f, sp + 1, line - (size_t)(sp - s) - 1);
  } else {
    fputs("POST ", f);
    put_expanded(f, s, line);
  }
  fputs(" HTTP/1.1\r\nHost: fuzz\r\n", f);
  switch (mode & 3) {
  case 0: fprintf(f, "apikey: %s\r\n", service_key); break;
  case 1: fprintf(f, "Authorization: Bearer %s\r\n", member_key); break;
  case 2: break;
  case 3: fprintf(f, "Authorization: Bearer %s\r\napikey: %s\r\n", service_key, member_key); break;
  }
  size_t at = eol ? line + 1 : n;
  bool framed = false;
  while (at < n) { /* header lines up to an empty one */
    const char *e = memchr(s + at, '\n', n - at);
    size_t hl = e ? (size_t)(e - (s + at)) : n - at;
    if (hl == 0) {
      at++;
      break;
    }
    if ((hl >= 15 && !strncasecmp(s + at, "content-length:", 15)) ||
        (hl >= 18 && !strncasecmp(s + at, "transfer-encoding:", 18)))
      framed = true;
    fwrite(s + at, 1, hl, f);
    fputs("\r\n", f);
    at += hl + 1;
  }
  char *body = NULL;
  size_t blen = 0;
  FILE *b = open_memstream(&body, &blen);
  if (!b) die("out of memory", NULL);
  if (at < n) put_expanded(b, s + at, n - at);
  fclose(b);
  if (!framed) fprintf(f, "Content-Length: %zu\r\n", blen);
  fputs("\r\n", f);
  fwrite(body, 1, blen, f);
  free(body);
  if (fclose(f)) die("out of memory", NULL);
  return out;
}

/* Sends the request through a new connection of the daemon; the answer's bytes (malloc'd), length in *alen. */
static char *exchange(const char *req, size_t len, size_t *alen) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv)) die("socketpair", NULL);
  struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(40000), .sin_addr.s_addr = htonl(0x7f000001)};
  if (MHD_add_connection(daemon_, sv[1], (struct sockaddr *)&peer, sizeof peer) != MHD_YES) die("MHD_add_connection", NULL);
  char *ans = NULL;
  FILE *f = open_memstream(&ans, alen);
  size_t sent = 0;
  bool shut = false;
  for (int round = 0; round < 20000; round++) {
    if (sent < len) {
      ssize_t w = write(sv[0], req + sent, len - sent);
      if (w > 0) sent += (size_t)w;
    }
    if (sent == len && !shut) shut = !shutdown(sv[0], SHUT_WR);
    MHD_run(daemon_);
    char buf[4096];
    ssize_t r = read(sv[0], buf, sizeof buf);
    if (r > 0) fwrite(buf, 1, (size_t)r, f);
    else if (r == 0) break; /* MHD closed the connection */
  }
  close(sv[0]);
  MHD_run(daemon_); /* lets MHD notice a connection it still holds is gone */
  if (fclose(f)) die("out of memory", NULL);
  return ans;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  bool raw = data[0] & 4;
  size_t len = size - 1;
  char *req = raw ? NULL : assemble(data[0], (const char *)data + 1, size - 1, &len);
  size_t alen = 0;
  char *ans = exchange(raw ? (const char *)data + 1 : req, len, &alen);
  if (alen > 0) {
    unsigned status = 0;
    if (alen < 12 || strncmp(ans, "HTTP/1.", 7) || sscanf(ans + 9, "%3u", &status) != 1) die("not an HTTP answer", ans);
    if (!raw && status == 500) die("500 for a request", ans);
  }
  free(ans);
  free(req);
  return 0;
}
