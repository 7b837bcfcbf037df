/*
 * errors.c — the error table of leadstore.h (LEADSTORE_ERROR_MAP) as data,
 * and ls__fail(), the one way code in the library reports a failure.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

typedef struct status_row {
  const char *name, *sqlstate, *message;
  int http, exit_status, retry;
} status_row;

static const status_row rows[] = {
#define XX(name, sqlstate, http, exit_status, retry, msg) {#name, sqlstate, msg, http, exit_status, retry},
    LEADSTORE_ERROR_MAP(XX)
#undef XX
};

/* The row of a status; EINTERNAL's for anything out of range. */
static const status_row *row(int status) {
  if (status < 0 || status >= LEADSTORE__STATUS_COUNT) status = LEADSTORE_EINTERNAL;
  return &rows[status];
}

const char *leadstore_status_sqlstate(int s) { return row(s)->sqlstate; }
const char *leadstore_status_name(int s) { return row(s)->name; }
const char *leadstore_status_message(int s) { return row(s)->message; }
int leadstore_status_http(int s) { return row(s)->http; }
int leadstore_status_exit(int s) { return row(s)->exit_status; }
int leadstore_status_retry(int s) { return row(s)->retry; }

int leadstore_status_from_sqlstate(const char *sqlstate) {
  if (!sqlstate) return LEADSTORE_EINTERNAL;
  for (int i = 0; i < LEADSTORE__STATUS_COUNT; i++)
    if (strcmp(rows[i].sqlstate, sqlstate) == 0) return i;
  for (const ls__state_alias *a = ls__state_aliases; a->sqlstate; a++)
    if (strcmp(a->sqlstate, sqlstate) == 0) return a->status;
  if (strncmp(sqlstate, "08", 2) == 0) return LEADSTORE_ECONNECTION;
  return LEADSTORE_EINTERNAL;
}

int ls__fail(ls__error *err, int code, const char *fmt, ...) {
  if (!err) return code;
  err->code = code;
  va_list ap;
  va_start(ap, fmt);
  ls__format_cut(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  return code;
}

/* Length of the well-formed UTF-8 character at s (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF); 0 when the bytes there are not one. */
static size_t utf8_char(const unsigned char *s) {
  unsigned char c = s[0];
  if (c < 0x80) return 1;
  size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (n == 0) return 0;
  unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte */
  if (c == 0xE0) lo = 0xA0;
  else if (c == 0xED) hi = 0x9F;
  else if (c == 0xF0) lo = 0x90;
  else if (c == 0xF4) hi = 0x8F;
  if (s[1] < lo || s[1] > hi) return 0;
  for (size_t i = 2; i < n; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  return n;
}

/* Replaces every byte of text that is not part of a well-formed UTF-8 character by '?': a
 * precision in a format (%.64s) may cut a character of a caller's value in two, and a message
 * must stay valid UTF-8 to be a JSON string. */
static void mend_utf8(char *text) {
  unsigned char *p = (unsigned char *)text;
  while (*p) {
    size_t n = utf8_char(p);
    if (n == 0) *p++ = '?';
    else p += n;
  }
}

void ls__format_cut(char *buf, size_t size, const char *fmt, va_list ap) {
  int n = vsnprintf(buf, size, fmt, ap);
  if (n < 0 || (size_t)n >= size) {
    static const char more[] = "…"; /* 3 bytes of UTF-8 */
    size_t end = size - sizeof more;
    while (end > 0 && ((unsigned char)buf[end] & 0xC0) == 0x80) end--; /* a character boundary */
    memcpy(buf + end, more, sizeof more);
  }
  mend_utf8(buf);
}
