/*
 * strbuf.c — the growable string of strbuf.h: appends never truncate; an
 * allocation failure makes the builder fail as a whole (sticky), so a
 * half-built text can never be used.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Makes room for `more` bytes plus the NUL; false (and the builder failed) on OOM. */
static bool reserve(ls__sb *sb, size_t more) {
  if (sb->failed) return false;
  if (more >= (size_t)-1 / 2 - sb->len) goto oom;
  if (sb->len + more + 1 <= sb->cap) return true;
  size_t cap = sb->cap ? sb->cap : 64;
  while (cap < sb->len + more + 1) cap *= 2;
  char *bigger = ls__malloc(cap);
  if (!bigger) goto oom;
  if (sb->buf) memcpy(bigger, sb->buf, sb->len + 1);
  else bigger[0] = '\0';
  ls__free(sb->buf);
  sb->buf = bigger;
  sb->cap = cap;
  return true;
oom:
  ls__sb_free(sb);
  sb->failed = true;
  return false;
}

void ls__sb_vprintf(ls__sb *sb, const char *fmt, va_list ap) {
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, again);
  va_end(again);
  if (n < 0) {            /* an encoding error: the text would be wrong */
    reserve(sb, (size_t)-1);
    return;
  }
  if (!reserve(sb, (size_t)n)) return;
  vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
  sb->len += (size_t)n;
}

void ls__sb_printf(ls__sb *sb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ls__sb_vprintf(sb, fmt, ap);
  va_end(ap);
}

void ls__sb_append(ls__sb *sb, const char *s, size_t n) {
  if (!reserve(sb, n)) return;
  memcpy(sb->buf + sb->len, s, n);
  sb->len += n;
  sb->buf[sb->len] = '\0';
}

const char *ls__sb_text(const ls__sb *sb) { return sb->buf && !sb->failed ? sb->buf : ""; }

char *ls__sb_take(ls__sb *sb) {
  if (sb->failed) {
    ls__sb_free(sb);
    return NULL;
  }
  char *text = sb->buf ? sb->buf : ls__strdup("");
  *sb = (ls__sb)LS__SB_INIT;
  return text;
}

void ls__sb_free(ls__sb *sb) {
  ls__free(sb->buf);
  *sb = (ls__sb)LS__SB_INIT;
}
