/*
 * import_read.c — cutting an input file into records, in constant memory
 * whatever the file's size.
 *
 * Three syntaxes:
 *   CSV         libcsv (strict, RFC 4180), fed one physical line at a time so
 *               that every record knows the line it starts on; the first row
 *               is the header; each later row becomes an object of its
 *               non-empty cells keyed by header name.  CR LF and LF both end
 *               a row.  A quoted field may span lines; one that never closes
 *               is fatal (a record over IMP_MAX_RECORD bytes is taken for
 *               one, so memory stays bounded).
 *   JSON lines  one object per line (blank lines skipped, a trailing CR
 *               removed), each parsed by jansson on its own.
 *   JSON array  a small scanner tracks depth, strings and escapes to cut the
 *               top-level array into its elements; each element's bytes (and
 *               only those) are held and parsed with json_loadb.  An array
 *               cut short is fatal; a broken element is reported and skipped.
 * Invalid UTF-8 anywhere in a record makes it a bad record (jansson refuses
 * it in JSON; the CSV reader checks every cell), reported with its line.
 * A UTF-8 byte order mark at the start is skipped; a UTF-16 one is fatal.
 */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "import.h"

enum { IMP_MAX_RECORD = 16 << 20 }; /* the longest record read: 16 MiB */

struct imp_reader {
  FILE *f;
  imp_syntax syntax;
  long line;         /* physical lines read so far */
  long long bytes;   /* bytes read so far */
  bool fatal;        /* a fatal error was answered: only IMP_FATAL from now on */
  char fatal_why[256];
  long fatal_line;
  char *buf;         /* getline's buffer */
  size_t cap;
  /* CSV */
  struct csv_parser csv;
  bool csv_ready;
  json_t *header;    /* the column names (array of strings), NULL until read */
  bool header_bad;   /* the header is not UTF-8 */
  json_t *row;       /* the row being read (object; the header row: array) */
  size_t field;      /* its next field's index */
  size_t row_bytes;  /* its bytes so far */
  long row_line;     /* the line it started on */
  char row_bad[256]; /* why the row is bad, "" when it is not */
  json_t *queue;     /* finished rows: [[line, object or why-string], …] */
  size_t next;       /* the queue's next row */
  /* JSON array */
  int array_state;   /* 0 before '[', 1 inside (expecting an element or ']'), 2 after ']' */
  char *elem;        /* the element's bytes */
  size_t elen, ecap;
  long elements;     /* elements read */
};

imp_reader *imp_reader_new(FILE *f, imp_syntax syntax) {
  imp_reader *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->f = f;
  r->syntax = syntax;
  if (!(r->queue = json_array())) {
    free(r);
    return NULL;
  }
  if (syntax == IMP_CSV) {
    if (csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
      imp_reader_free(r);
      return NULL;
    }
    r->csv_ready = true;
  }
  return r;
}

void imp_reader_free(imp_reader *r) {
  if (!r) return;
  if (r->csv_ready) csv_free(&r->csv);
  json_decref(r->header);
  json_decref(r->row);
  json_decref(r->queue);
  free(r->buf);
  free(r->elem);
  free(r);
}

long long imp_bytes(const imp_reader *r) { return r->bytes; }

/* Whether s (n bytes) is valid UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    unsigned c = s[i];
    size_t k = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (!k || i + k > n || (k == 2 && c < 0xc2) || (k == 4 && c > 0xf4)) return false;
    for (size_t j = 1; j < k; j++)
      if ((s[i + j] & 0xc0) != 0x80) return false;
    if (k == 3 && ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0))) return false;
    if (k == 4 && ((c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90))) return false;
    i += k;
  }
  return true;
}

/* The answer once a fatal error was found: always the same one. */
static int fatal(imp_reader *r, long line, char why[256], const char *text) {
  if (!r->fatal) {
    r->fatal = true;
    r->fatal_line = line;
    snprintf(r->fatal_why, sizeof r->fatal_why, "%s", text);
  }
  snprintf(why, 256, "%s", r->fatal_why);
  return IMP_FATAL;
}

/* Reads one physical line into r->buf; its length, 0 at the end, -1 (why filled) for a
 * byte order mark that is not UTF-8's.  The UTF-8 mark of line 1 is removed. */
static long read_line(imp_reader *r, char why[256]) {
  ssize_t n = getline(&r->buf, &r->cap, r->f);
  if (n <= 0) return 0;
  r->line++;
  r->bytes += n;
  unsigned char *b = (unsigned char *)r->buf;
  if (r->line == 1 && n >= 2 && ((b[0] == 0xff && b[1] == 0xfe) || (b[0] == 0xfe && b[1] == 0xff))) {
    snprintf(why, 256, "the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8");
    return -1;
  }
  if (r->line == 1 && n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) {
    memmove(r->buf, r->buf + 3, (size_t)n - 2);
    n -= 3;
  }
  return (long)n;
}

/*--- CSV ---------------------------------------------------------------------------*/

/* libcsv's field callback: one cell of the current row. */
static void csv_cell(void *data, size_t len, void *ctx) {
  imp_reader *r = ctx;
  size_t i = r->field++;
  if (!r->row) r->row = r->header ? json_object() : json_array();
  if (!r->row || r->row_bad[0]) return;
  if (!utf8_valid(data, len)) {
    const char *col = r->header ? json_string_value(json_array_get(r->header, i)) : NULL;
    snprintf(r->row_bad, 256, "%s%s is not UTF-8 (Latin-1 or another encoding?); the file must be UTF-8",
             col ? "column " : "the header", col ? col : "");
    return;
  }
  if (!r->header) {
    json_array_append_new(r->row, json_stringn(data, len));
    return;
  }
  if (i >= json_array_size(r->header)) {
    snprintf(r->row_bad, 256, "more fields than the header's %zu (a quote or a comma astray?)",
             json_array_size(r->header));
    return;
  }
  if (len > 0) json_object_set_new(r->row, json_string_value(json_array_get(r->header, i)), json_stringn(data, len));
}

/* libcsv's row callback: the row is finished. */
static void csv_row(int c, void *ctx) {
  imp_reader *r = ctx;
  (void)c;
  if (!r->row) r->row = r->header ? json_object() : json_array();
  if (!r->header) {
    if (r->row_bad[0]) {
      r->header_bad = true;
    } else {
      r->header = r->row;
      r->row = NULL;
    }
  } else if (r->row_bad[0]) {
    json_array_append_new(r->queue, json_pack("[Is]", (json_int_t)r->row_line, r->row_bad));
  } else {
    json_array_append_new(r->queue, json_pack("[IO]", (json_int_t)r->row_line, r->row));
  }
  json_decref(r->row);
  r->row = NULL;
  r->field = 0;
  r->row_bytes = 0;
  r->row_bad[0] = '\0';
}

/* The next CSV row: from the queue, else parsed from the next lines. */
static int csv_next(imp_reader *r, json_t **rec, long *line, char why[256]) {
  while (r->next >= json_array_size(r->queue)) {
    json_array_clear(r->queue);
    r->next = 0;
    if (r->csv.pstate == 0 && r->field == 0) r->row_line = r->line + 1; /* a row starts on the next line */
    long n = read_line(r, why);
    if (n < 0) return fatal(r, 1, why, why);
    if (n == 0) {
      if (csv_fini(&r->csv, csv_cell, csv_row, r) != 0) {
        *line = r->row_line;
        return fatal(r, r->row_line, why, "a quoted field opened on this line is never closed");
      }
      if (json_array_size(r->queue) == 0) {
        if (!r->header) {
          *line = 1;
          return fatal(r, 1, why, "the file is empty: no header row");
        }
        return IMP_END;
      }
      break;
    }
    if (r->header_bad) return *line = 1, fatal(r, 1, why, "the header row is not UTF-8; the file must be UTF-8");
    r->row_bytes += (size_t)n;
    if (r->row_bytes > IMP_MAX_RECORD) {
      *line = r->row_line;
      return fatal(r, r->row_line, why, "a record longer than 16 MiB (a quoted field never closed?)");
    }
    if (csv_parse(&r->csv, r->buf, (size_t)n, csv_cell, csv_row, r) != (size_t)n) {
      *line = r->line;
      char text[256];
      snprintf(text, sizeof text, "malformed CSV: %s (a quote inside an unquoted field, or text after a closing quote)",
               csv_strerror(csv_error(&r->csv)));
      return fatal(r, r->line, why, text);
    }
  }
  json_t *item = json_array_get(r->queue, r->next++);
  *line = (long)json_integer_value(json_array_get(item, 0));
  json_t *v = json_array_get(item, 1);
  if (json_is_string(v)) {
    snprintf(why, 256, "%s", json_string_value(v));
    return IMP_BAD;
  }
  *rec = json_incref(v);
  return IMP_RECORD;
}

static bool elem_put(imp_reader *r, int c);

/*--- JSON lines ------------------------------------------------------------------------*/

/*
 * A pretty-printed object (a line that is only "{"): its lines are gathered up to the
 * one that starts with "}" (how pretty printers close the top level), then parsed.  So
 * a single Bouncer answer saved as printed, or several one after another, read too.
 */
static int pretty_next(imp_reader *r, json_t **rec, long *line, char why[256]) {
  r->elen = 0;
  bool closed = false;
  if (!elem_put(r, '{')) return fatal(r, *line, why, "out of memory");
  while (!closed) {
    long n = read_line(r, why);
    if (n <= 0) return fatal(r, *line, why, "the JSON object is cut short (no closing }): a truncated file?");
    if (r->elen + (size_t)n > IMP_MAX_RECORD) return fatal(r, *line, why, "an object longer than 16 MiB");
    closed = r->buf[0] == '}';
    for (long i = 0; i < n; i++)
      if (!elem_put(r, (unsigned char)r->buf[i])) return fatal(r, *line, why, "out of memory");
  }
  json_error_t jerr;
  json_t *v = json_loadb(r->elem, r->elen, 0, &jerr);
  if (!v) {
    if (!utf8_valid((unsigned char *)r->elem, r->elen))
      snprintf(why, 256, "not UTF-8 (Latin-1 or another encoding?); the file must be UTF-8");
    else snprintf(why, 256, "broken JSON at line %d: %s", jerr.line + (int)*line - 1, jerr.text);
    return IMP_BAD;
  }
  *rec = v;
  return IMP_RECORD;
}

static int jsonl_next(imp_reader *r, json_t **rec, long *line, char why[256]) {
  for (;;) {
    long n = read_line(r, why);
    if (n < 0) return fatal(r, 1, why, why);
    if (n == 0) return IMP_END;
    *line = r->line;
    while (n > 0 && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r' || r->buf[n - 1] == ' ' || r->buf[n - 1] == '\t'))
      n--;
    long s = 0;
    while (s < n && (r->buf[s] == ' ' || r->buf[s] == '\t')) s++;
    if (s == n) continue; /* a blank line */
    if (n - s == 1 && r->buf[s] == '{') return pretty_next(r, rec, line, why);
    json_error_t jerr;
    json_t *v = json_loadb(r->buf + s, (size_t)(n - s), 0, &jerr);
    if (!v) {
      if (!utf8_valid((unsigned char *)r->buf + s, (size_t)(n - s)))
        snprintf(why, 256, "not UTF-8 (Latin-1 or another encoding?); the file must be UTF-8");
      else snprintf(why, 256, "broken JSON at column %d: %s", jerr.column, jerr.text);
      return IMP_BAD;
    }
    if (!json_is_object(v)) {
      json_decref(v);
      snprintf(why, 256, "not a JSON object");
      return IMP_BAD;
    }
    *rec = v;
    return IMP_RECORD;
  }
}

/*--- JSON array -------------------------------------------------------------------------*/

/* The next byte of the file (counting lines and bytes), EOF at the end. */
static int byte(imp_reader *r) {
  int c = getc(r->f);
  if (c == EOF) return EOF;
  r->bytes++;
  if (c == '\n') r->line++;
  return c;
}

static bool space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static bool elem_put(imp_reader *r, int c) {
  if (r->elen + 1 >= r->ecap) {
    if (r->ecap >= IMP_MAX_RECORD) return false;
    size_t cap = r->ecap ? r->ecap * 2 : 4096;
    char *bigger = realloc(r->elem, cap);
    if (!bigger) return false;
    r->elem = bigger;
    r->ecap = cap;
  }
  r->elem[r->elen++] = (char)c;
  return true;
}

static int array_next(imp_reader *r, json_t **rec, long *line, char why[256]) {
  int c;
  if (r->array_state == 0) {
    r->line = 1;
    c = byte(r);
    if (c == 0xff || c == 0xfe)
      return *line = 1, fatal(r, 1, why, "the file is UTF-16 (a UTF-16 byte order mark); save it as UTF-8");
    if (c == 0xef) {
      if (byte(r) != 0xbb || byte(r) != 0xbf) return *line = 1, fatal(r, 1, why, "a broken byte order mark");
      c = byte(r);
    }
    while (space(c)) c = byte(r);
    if (c != '[') return *line = r->line, fatal(r, r->line, why, "not a JSON array: the file must start with [");
    r->array_state = 1;
  }
  if (r->array_state == 2) return IMP_END;
  do c = byte(r);
  while (space(c));
  if (c == ']' && r->elements == 0) {
    r->array_state = 2;
    goto after_end;
  }
  if (c == EOF || c == ']') {
    *line = r->line;
    return fatal(r, r->line, why, c == EOF ? "the JSON array is cut short (no closing ]): a truncated file?"
                                           : "malformed JSON array: a comma before ]");
  }
  *line = r->line;
  r->elen = 0;
  int depth = 0, terminator = 0;
  bool in_string = false, escaped = false;
  for (;;) {
    if (!in_string && depth == 0 && r->elen > 0 && (c == ',' || c == ']' || space(c))) {
      terminator = c; /* the end of a scalar element */
      break;
    }
    if (!elem_put(r, c)) return fatal(r, *line, why, "an element longer than 16 MiB, or out of memory");
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      depth++;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) break;
    }
    c = byte(r);
    if (c == EOF) return fatal(r, *line, why, "the JSON array is cut short inside an element: a truncated file?");
  }
  r->elements++;
  c = terminator && !space(terminator) ? terminator : byte(r);
  while (space(c)) c = byte(r);
  if (c == ']') {
    r->array_state = 2;
  } else if (c == EOF) {
    return fatal(r, r->line, why, "the JSON array is cut short (no closing ]): a truncated file?");
  } else if (c != ',') {
    return fatal(r, r->line, why, "malformed JSON array: expected , or ] after an element");
  }
  if (r->array_state == 2) {
  after_end:
    while (space(c = byte(r))) {
    }
    if (c != EOF) return *line = r->line, fatal(r, r->line, why, "text after the end of the JSON array");
    if (r->elen == 0 || r->elements == 0) return IMP_END;
  }
  json_error_t jerr;
  json_t *v = json_loadb(r->elem, r->elen, 0, &jerr);
  if (!v) {
    if (!utf8_valid((unsigned char *)r->elem, r->elen))
      snprintf(why, 256, "not UTF-8 (Latin-1 or another encoding?); the file must be UTF-8");
    else snprintf(why, 256, "broken JSON at line %d: %s", jerr.line + (int)*line - 1, jerr.text);
    r->elen = 0;
    return IMP_BAD;
  }
  r->elen = 0;
  if (!json_is_object(v)) {
    json_decref(v);
    snprintf(why, 256, "an element that is not a JSON object");
    return IMP_BAD;
  }
  *rec = v;
  return IMP_RECORD;
}

int imp_next(imp_reader *r, json_t **rec, long *line, char why[256]) {
  *rec = NULL;
  why[0] = '\0';
  if (r->fatal) {
    *line = r->fatal_line;
    snprintf(why, 256, "%s", r->fatal_why);
    return IMP_FATAL;
  }
  int rc = r->syntax == IMP_CSV ? csv_next(r, rec, line, why)
           : r->syntax == IMP_JSONL ? jsonl_next(r, rec, line, why)
                                    : array_next(r, rec, line, why);
  if (rc == IMP_FATAL) *line = r->fatal_line ? r->fatal_line : *line, r->fatal_line = *line;
  return rc;
}
