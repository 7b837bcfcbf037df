/*
 * validate.c — table-driven parameter validation.
 *
 * Every call is checked against its row of the operations table before an
 * engine sees it: required keys, JSON types, ranges, text lengths, enum
 * values, list sizes, nested objects and the elements of lists.  The first
 * problem found is reported with the path of the value
 * (`p_businesses[17].place_id is required`): 22P02 for a malformed UUID,
 * 22023 for everything else.  Unknown keys are refused at the top level
 * (they are parameters) and ignored inside data objects (they are data).
 * Handlers may therefore read parameters without re-checking their types.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Where a value is, for messages: `p_businesses[17].place_id` — a chain of the
 * keys and indexes from the parameters object, spelled only when a message
 * needs it (a valid call spells none).  Only ever shown in an error message
 * (itself at most 511 bytes), so a longer path is cut with "…"
 * (ls__format_cut), step by step as it is spelled. */
typedef struct path {
  const struct path *up; /* NULL: the parameters object itself */
  const char *key;        /* the key in up, or NULL for an element of it */
  size_t index;           /* the element's index when key is NULL */
} path;

typedef struct path_text {
  char buf[256];
} path_text;

static path_text text_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static path_text text_add(const char *fmt, ...) {
  path_text t;
  va_list ap;
  va_start(ap, fmt);
  ls__format_cut(t.buf, sizeof t.buf, fmt, ap);
  va_end(ap);
  return t;
}

/* The path spelled: ".key" (or "key" at the root) and "[i]" appended to its parent's. */
static path_text text_of(const path *p) {
  if (!p->up) return (path_text){{0}};
  path_text base = text_of(p->up);
  if (p->key) return text_add("%s%s%s", base.buf, base.buf[0] ? "." : "", p->key);
  return text_add("%s[%zu]", base.buf, p->index);
}

/* The path of a message's "%s" (the text lives until the end of the call's statement). */
#define AT(p) (text_of(p).buf)

static path path_key(const path *base, const char *key) { return (path){base, key, 0}; }
static path path_index(const path *base, size_t i) { return (path){base, NULL, i}; }

/* Number of UTF-8 characters (jansson guarantees valid UTF-8). */
static size_t utf8_len(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xC0) != 0x80) n++;
  return n;
}

/* The bytes of the first `chars` characters of s (what PostgreSQL's left(s, chars) keeps). */
static int utf8_prefix(const char *s, size_t chars) {
  const char *p = s;
  for (size_t n = 0; *p; p++)
    if (((unsigned char)*p & 0xC0) != 0x80 && n++ == chars) break;
  return (int)(p - s);
}

static bool blank(const char *s) {
  for (; *s; s++)
    if (!isspace((unsigned char)*s)) return false;
  return true;
}

/* "a, b or c" from an enum list (free with ls__free); NULL when memory ran out. */
static char *join_values(const char *const *values) {
  ls__sb sb = LS__SB_INIT;
  for (size_t i = 0; values[i]; i++)
    ls__sb_printf(&sb, "%s%s", i == 0 ? "" : values[i + 1] ? ", " : " or ", values[i]);
  return ls__sb_take(&sb);
}

static int check_object(const ls__field *fields, json_t *obj, const path *at, bool top,
                        ls__error *err);

/* Validates a text's length and blankness. */
static int check_text(const ls__field *f, const char *s, const path *at, ls__error *err) {
  size_t n = utf8_len(s);
  if (f->max > 0 && (n < (size_t)f->min || n > (size_t)f->max))
    return ls__fail(err, LEADSTORE_EINVAL, "%s must be %g to %g characters long (got %zu)",
                    AT(at), f->min, f->max, n);
  if (n < (size_t)f->min)
    return ls__fail(err, LEADSTORE_EINVAL, "%s must be at least %g characters long", AT(at), f->min);
  if ((f->flags & LS_F_NONBLANK) && blank(s))
    return ls__fail(err, LEADSTORE_EINVAL, "%s must not be blank", AT(at));
  return LEADSTORE_OK;
}

static int check_range(const ls__field *f, double v, const path *at, ls__error *err) {
  if (f->max > f->min && (v < f->min || v > f->max))
    return ls__fail(err, LEADSTORE_EINVAL, "%s must be between %g and %g (got %g)", AT(at),
                    f->min, f->max, v);
  if (v < f->min)
    return ls__fail(err, LEADSTORE_EINVAL, "%s must be at least %g (got %g)", AT(at), f->min, v);
  return LEADSTORE_OK;
}

/* Validates one present, non-null value against its field. */
static int check_value(const ls__field *f, json_t *v, const path *at, ls__error *err) {
  const char *s = json_string_value(v);
  switch (f->type) {
  case LS_T_UUID:
    if (!s) return ls__fail(err, LEADSTORE_EINVAL, "%s must be a UUID string", AT(at));
    if (!ls__uuid_valid(s))
      return ls__fail(err, LEADSTORE_EUUID, "%s is not a valid UUID: \"%.64s\"", AT(at), s);
    {
      char lower[37];
      for (int i = 0; i < 37; i++) lower[i] = (char)tolower((unsigned char)s[i]);
      if (strcmp(lower, s) != 0 && json_string_set(v, lower) != 0)
        return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
    }
    return LEADSTORE_OK;
  case LS_T_TEXT:
    if (!s) return ls__fail(err, LEADSTORE_EINVAL, "%s must be a string", AT(at));
    return check_text(f, s, at, err);
  case LS_T_LABEL:
    if (json_is_integer(v)) return LEADSTORE_OK;
    if (!s) return ls__fail(err, LEADSTORE_EINVAL, "%s must be a string or an integer", AT(at));
    return check_text(f, s, at, err);
  case LS_T_ZIP:
    if (!s) return ls__fail(err, LEADSTORE_EINVAL, "%s must be a string", AT(at));
    {
      size_t n = strlen(s);
      bool ok = n >= 1 && n <= 10;
      for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)s[i]) || s[i] == ' ' || s[i] == '-';
      if (!ok)
        return ls__fail(err, LEADSTORE_EINVAL,
                        "%s must be 1 to 10 characters of 0-9, A-Z, a-z, space or '-' (got \"%.32s\")",
                        AT(at), s);
    }
    return LEADSTORE_OK;
  case LS_T_ENUM:
    if (s)
      for (size_t i = 0; f->values[i]; i++)
        if (strcmp(f->values[i], s) == 0) return LEADSTORE_OK;
    {
      char *list = join_values(f->values);
      if (!list) return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
      ls__fail(err, LEADSTORE_EINVAL, "%s must be one of %s", AT(at), list);
      ls__free(list);
      return LEADSTORE_EINVAL;
    }
  case LS_T_INT:
    if (json_is_integer(v)) return check_range(f, (double)json_integer_value(v), at, err);
    if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
        fabs(json_real_value(v)) < 9e15)
      return check_range(f, json_real_value(v), at, err);
    return ls__fail(err, LEADSTORE_EINVAL, "%s must be an integer", AT(at));
  case LS_T_NUMBER:
    if (!json_is_number(v)) return ls__fail(err, LEADSTORE_EINVAL, "%s must be a number", AT(at));
    return check_range(f, json_number_value(v), at, err);
  case LS_T_MONEY:
    if (!json_is_number(v))
      return ls__fail(err, LEADSTORE_EINVAL, "%s must be a number of USD", AT(at));
    if (json_number_value(v) < f->min)
      return ls__fail(err, LEADSTORE_EINVAL, "%s must not be negative (got %g)", AT(at),
                      json_number_value(v));
    if (json_number_value(v) > 99999999.999999)
      return ls__fail(err, LEADSTORE_EINVAL, "%s must be at most 99999999.999999 USD", AT(at));
    return LEADSTORE_OK;
  case LS_T_BOOL:
    if (!json_is_boolean(v)) return ls__fail(err, LEADSTORE_EINVAL, "%s must be true or false", AT(at));
    return LEADSTORE_OK;
  case LS_T_FLAG:
    if (json_is_boolean(v)) return LEADSTORE_OK;
    if (s && (!strcmp(s, "yes") || !strcmp(s, "no") || !strcmp(s, "unknown"))) return LEADSTORE_OK;
    return ls__fail(err, LEADSTORE_EINVAL, "%s must be true, false, \"yes\", \"no\" or \"unknown\"",
                    AT(at));
  case LS_T_TIMESTAMP: {
    char canon[32];
    if (!s || !ls__timestamp_parse(s, canon))
      return ls__fail(err, LEADSTORE_EINVAL, "%s must be an ISO-8601 timestamp", AT(at));
    if (json_string_set(v, canon) != 0) return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
    return LEADSTORE_OK;
  }
  case LS_T_TEXT_LIST: {
    if (!json_is_array(v)) return ls__fail(err, LEADSTORE_EINVAL, "%s must be an array of strings", AT(at));
    if (f->max > 0 && json_array_size(v) > (size_t)f->max)
      return ls__fail(err, LEADSTORE_EINVAL, "%s has %zu elements; at most %g are allowed", AT(at),
                      json_array_size(v), f->max);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) if (!json_is_string(e)) {
      path p = path_index(at, i);
      return ls__fail(err, LEADSTORE_EINVAL, "%s must be a string", AT(&p));
    }
    return LEADSTORE_OK;
  }
  case LS_T_OBJECT:
    if (!json_is_object(v)) return ls__fail(err, LEADSTORE_EINVAL, "%s must be an object", AT(at));
    return check_object(f->fields, v, at, false, err);
  case LS_T_OBJECT_LIST: {
    if (!json_is_array(v)) return ls__fail(err, LEADSTORE_EINVAL, "%s must be an array of objects", AT(at));
    if (f->max > 0 && json_array_size(v) > (size_t)f->max)
      return ls__fail(err, LEADSTORE_EINVAL, "%s has %zu elements; at most %g are allowed", AT(at),
                      json_array_size(v), f->max);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
      path p = path_index(at, i);
      if (!json_is_object(e)) return ls__fail(err, LEADSTORE_EINVAL, "%s must be an object", AT(&p));
      int rc = check_object(f->fields, e, &p, false, err);
      if (rc) return rc;
    }
    return LEADSTORE_OK;
  }
  case LS_T_JSON:
    return LEADSTORE_OK;
  case LS_T_JSON_OBJECT:
    if (!json_is_object(v)) return ls__fail(err, LEADSTORE_EINVAL, "%s must be an object", AT(at));
    return LEADSTORE_OK;
  }
  return ls__fail(err, LEADSTORE_EINTERNAL, "%s has an unknown type in the table", AT(at));
}

/* Finds the field for `key` (by name or alias); NULL when the table has none. */
static const ls__field *field_for(const ls__field *fields, const char *key) {
  for (const ls__field *f = fields; f->name; f++)
    if (strcmp(f->name, key) == 0 || (f->alias && strcmp(f->alias, key) == 0)) return f;
  return NULL;
}

static int check_object(const ls__field *fields, json_t *obj, const path *at, bool top,
                        ls__error *err) {
  if (top) {
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) if (!field_for(fields, key)) {
      ls__suggestion like = {.word = key};
      for (const ls__field *f = fields; f->name; f++) ls__suggest_offer(&like, f->name);
      return ls__fail(err, LEADSTORE_EINVAL, "unknown parameter %.*s%s%s%s", utf8_prefix(key, 64), key,
                      like.best ? " (did you mean " : "", like.best ? like.best : "", like.best ? "?)" : "");
    }
  }
  for (const ls__field *f = fields; f->name; f++) {
    json_t *v = json_object_get(obj, f->name);
    const char *key = f->name;
    if ((!v || json_is_null(v)) && f->alias && json_object_get(obj, f->alias)) {
      v = json_object_get(obj, f->alias);
      key = f->alias;
    }
    path p = path_key(at, key);
    if (!v || json_is_null(v)) {
      if (f->flags & LS_F_REQUIRED) return ls__fail(err, LEADSTORE_EINVAL, "%s is required", AT(&p));
      continue;
    }
    int rc = check_value(f, v, &p, err);
    if (rc) return rc;
  }
  return LEADSTORE_OK;
}

/* Whether v, at nesting level `level`, holds an object or array deeper than LS_MAX_NESTING. */
static bool too_deep(json_t *v, int level) {
  if (!json_is_object(v) && !json_is_array(v)) return false;
  if (level > LS_MAX_NESTING) return true;
  size_t i;
  const char *key;
  json_t *child;
  if (json_is_array(v)) {
    json_array_foreach(v, i, child) if (too_deep(child, level + 1)) return true;
  } else {
    json_object_foreach(v, key, child) if (too_deep(child, level + 1)) return true;
  }
  return false;
}

static int by_bytes(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* The nesting limit, parameter by parameter in byte order of their names (as
 * ls_run does on PostgreSQL, so both name the same one). */
static int check_nesting(json_t *params, ls__error *err) {
  size_t n = json_object_size(params), i = 0;
  const char **keys = ls__malloc((n ? n : 1) * sizeof *keys);
  if (!keys) return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  const char *key;
  json_t *v;
  json_object_foreach(params, key, v) keys[i++] = key;
  qsort(keys, n, sizeof *keys, by_bytes);
  int rc = LEADSTORE_OK;
  for (i = 0; i < n && !rc; i++)
    if (too_deep(json_object_get(params, keys[i]), 2))
      rc = ls__fail(err, LEADSTORE_EINVAL, "%.*s nests deeper than %d levels of objects and arrays",
                    utf8_prefix(keys[i], 64), keys[i], LS_MAX_NESTING);
  ls__free(keys);
  return rc;
}

int ls__validate(const ls__op *op, json_t *params, ls__error *err) {
  if (!json_is_object(params))
    return ls__fail(err, LEADSTORE_EINVAL, "the parameters must be a JSON object");
  int rc = check_nesting(params, err);
  if (rc) return rc;
  path root = {NULL, NULL, 0};
  return check_object(op->params, params, &root, true, err);
}
