/*
 * strbuf.h — a growable string, the one way leadstore builds text whose
 * length it does not know in advance (SQL statements from the catalog,
 * messages, help lines).  It never truncates: an append either fits (the
 * buffer grows) or, when memory runs out, marks the builder failed; every
 * later append is then a no-op and ls__sb_take() answers NULL, so the caller
 * checks once, at the end, and fails its call.  Memory comes from
 * ls__malloc (counted, and failed on demand by leadstore_test_fault).
 */
#ifndef LS_STRBUF_H
#define LS_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ls__sb {
  char *buf;   /* NUL-terminated text, or NULL while empty */
  size_t len;  /* bytes in buf, without the NUL */
  size_t cap;  /* bytes allocated */
  bool failed; /* an allocation failed: the text is lost */
} ls__sb;

#define LS__SB_INIT {NULL, 0, 0, false}

/* Appends printf-style text. */
void ls__sb_printf(ls__sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ls__sb_vprintf(ls__sb *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends n bytes of s. */
void ls__sb_append(ls__sb *sb, const char *s, size_t n);
/* The text so far ("" while empty or failed); borrowed from the builder. */
const char *ls__sb_text(const ls__sb *sb);
/* Hands the text over (free with ls__free; "" when nothing was appended) and
 * empties the builder; NULL (and the builder emptied) when an append failed. */
char *ls__sb_take(ls__sb *sb);
/* Frees the text and empties the builder. */
void ls__sb_free(ls__sb *sb);

#endif
