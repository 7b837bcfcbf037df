/*
 * web.c — the dashboard's static files (web/), embedded at build time by
 * tools/web2c.awk into web_assets.h, served at `/`, `/app.js`, `/app.css`.
 *
 * The page is a client of the RPC endpoints like any other: it holds the
 * key the person signs in with and calls /rest/v1/rpc/OP; nothing here
 * reads the database.  Each file has a strong ETag (FNV-1a of its bytes,
 * computed once), `Cache-Control: no-cache` (revalidate, so a new binary's
 * page is never stale) and, for the HTML, a Content-Security-Policy that
 * allows only this origin's script, style and fetches.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "server/server.h"
#include "web_assets.h"

static srv_web_file files[] = {
    {"/", "text/html; charset=utf-8", web_index_html, sizeof web_index_html - 1, ""},
    {"/app.js", "text/javascript; charset=utf-8", web_app_js, sizeof web_app_js - 1, ""},
    {"/app.css", "text/css; charset=utf-8", web_app_css, sizeof web_app_css - 1, ""},
};

static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

/* Fills every file's ETag: "FNV-1a 64 of its bytes", quoted. */
static void etags_init(void) {
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t k = 0; k < files[i].len; k++) h = (h ^ (unsigned char)files[i].body[k]) * 0x100000001b3u;
    snprintf(files[i].etag, sizeof files[i].etag, "\"%016" PRIx64 "\"", h);
  }
}

const srv_web_file *srv_web_find(const char *path) {
  pthread_once(&etags_once, etags_init);
  if (!strcmp(path, "/index.html")) path = "/";
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    if (!strcmp(files[i].path, path)) return &files[i];
  return NULL;
}

/* Whether an If-None-Match header value names this ETag (a list, W/ prefixes, or *). */
bool srv_web_not_modified(const srv_web_file *f, const char *if_none_match) {
  if (!if_none_match) return false;
  size_t n = strlen(f->etag);
  for (const char *p = if_none_match; *p;) {
    while (*p == ' ' || *p == ',') p++;
    if (!strncmp(p, "W/", 2)) p += 2;
    if (*p == '*' || (!strncmp(p, f->etag, n) && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))) return true;
    while (*p && *p != ',') p++;
  }
  return false;
}
