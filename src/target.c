/*
 * target.c — a target as it may be shown to people (leadstore_target_masked):
 * the one function every message, banner and log line that names a target
 * goes through, so that a password never reaches a terminal or a log.
 *
 * The forms, read the way libpq reads them:
 *   scheme://user:PASSWORD@host/db?password=PASSWORD&…   (postgres[ql]://,
 *        also http(s)://): the user information ends at the first '@' before
 *        any '/'; its part after the first ':' is the password; a query
 *        parameter named password or sslpassword is one too;
 *   key=value key='quoted \' value' … (a libpq keyword string): the values
 *        of password and sslpassword;
 *   anything else (an SQLite path) is shown as it is.
 * Each password becomes "****", whatever its length or encoding (a
 * percent-encoded password is masked whole); a target without one is
 * unchanged.
 */
#include <string.h>

#include "internal.h"

static const char mask[] = "****";

/* Whether the `len` bytes at key name a password of libpq. */
static bool password_key(const char *key, size_t len) {
  return (len == 8 && !strncmp(key, "password", 8)) || (len == 11 && !strncmp(key, "sslpassword", 11));
}

/* A URL: copies it into sb with the password of its user information and of its query masked. */
static void mask_url(ls__sb *sb, const char *t, const char *authority) {
  const char *p = authority;
  while (*p && *p != '@' && *p != '/') p++;
  const char *rest = authority;
  if (*p == '@') {
    const char *colon = memchr(authority, ':', (size_t)(p - authority));
    if (colon) {
      ls__sb_printf(sb, "%.*s%s", (int)(colon + 1 - t), t, mask);
      t = p;
    }
    rest = p;
  }
  const char *q = strchr(rest, '?');
  if (!q) {
    ls__sb_printf(sb, "%s", t);
    return;
  }
  ls__sb_printf(sb, "%.*s", (int)(q + 1 - t), t);
  for (const char *param = q + 1; *param;) {
    size_t len = strcspn(param, "&"), key = strcspn(param, "=&");
    if (key < len && password_key(param, key)) ls__sb_printf(sb, "%.*s=%s", (int)key, param, mask);
    else ls__sb_printf(sb, "%.*s", (int)len, param);
    param += len;
    if (*param == '&') ls__sb_printf(sb, "&"), param++;
  }
}

/* A libpq keyword string: copies it into sb with the password values masked. */
static void mask_keywords(ls__sb *sb, const char *t) {
  static const char space[] = " \t\n\r\f\v";
  const char *p = t;
  while (*p) {
    const char *key = p + strspn(p, space);
    size_t klen = strcspn(key, "= \t\n\r\f\v");
    const char *v = key + klen;
    v += strspn(v, space);
    if (*v != '=') { /* not a keyword string after all: the rest as it is */
      ls__sb_printf(sb, "%s", p);
      return;
    }
    v++;
    v += strspn(v, space);
    const char *end = v;
    if (*end == '\'') {
      for (end++; *end && *end != '\''; end++)
        if (*end == '\\' && end[1]) end++;
      if (*end) end++;
    } else {
      for (; *end && !strchr(space, *end); end++)
        if (*end == '\\' && end[1]) end++;
    }
    if (password_key(key, klen)) ls__sb_printf(sb, "%.*s%s", (int)(v - p), p, mask);
    else ls__sb_printf(sb, "%.*s", (int)(end - p), p);
    p = end;
  }
}

int leadstore_target_masked(const char *target, char **out) {
  ls__alloc_init();
  ls__sb sb = LS__SB_INIT;
  const char *t = target ? target : "", *scheme = strstr(t, "://");
  const char *engine = leadstore_target_engine(t, NULL);
  if (scheme && strcmp(engine, "sqlite") != 0) mask_url(&sb, t, scheme + 3);
  else if (!strcmp(engine, "postgresql")) mask_keywords(&sb, t);
  else ls__sb_printf(&sb, "%s", t);
  *out = ls__sb_take(&sb);
  return *out ? LEADSTORE_OK : LEADSTORE_EINTERNAL;
}
