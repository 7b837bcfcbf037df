/*
 * json.c — reading validated parameters, canonical serialisation and the
 * request hash used by idempotent replay (SPEC §3.3).
 *
 * The readers treat a missing key and JSON null alike ("not given"); they
 * trust the validator for types, so they never fail.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "internal.h"

const char *ls__jstr(const json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

bool ls__jhas(const json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  return v && !json_is_null(v);
}

int64_t ls__jint(const json_t *obj, const char *key, int64_t dflt) {
  json_t *v = json_object_get(obj, key);
  if (json_is_integer(v)) return json_integer_value(v);
  if (json_is_real(v)) return (int64_t)json_real_value(v);
  return dflt;
}

double ls__jnum(const json_t *obj, const char *key, double dflt) {
  json_t *v = json_object_get(obj, key);
  return json_is_number(v) ? json_number_value(v) : dflt;
}

int64_t ls__jmoney(const json_t *obj, const char *key, int64_t dflt) {
  json_t *v = json_object_get(obj, key);
  return json_is_number(v) ? ls__money_from_number(json_number_value(v)) : dflt;
}

int ls__jflag(const json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  if (json_is_boolean(v)) return json_is_true(v);
  const char *s = json_string_value(v);
  if (s && strcmp(s, "yes") == 0) return 1;
  if (s && strcmp(s, "no") == 0) return 0;
  return -1;
}

/* The white space trimmed from text: the C locale's isspace(), PostgreSQL's E' \t\n\r\f\013'. */
static bool trimmed_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

const char *ls__jtrim(const json_t *obj, const char *key, size_t *len) {
  return ls__trim(ls__jstr(obj, key), len);
}

const char *ls__trim(const char *v, size_t *len) {
  if (!v) return NULL;
  while (trimmed_space(*v)) v++;
  size_t n = strlen(v);
  while (n > 0 && trimmed_space(v[n - 1])) n--;
  if (n == 0) return NULL;
  if (len) *len = n;
  return v;
}

json_t *ls__unknown_keys(const ls__field *fields, const json_t *obj) {
  json_t *out = NULL;
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    bool known = false;
    for (const ls__field *f = fields; f->name && !known; f++)
      known = strcmp(f->name, key) == 0 || (f->alias && strcmp(f->alias, key) == 0);
    if (known) continue;
    if (!out && !(out = json_object())) return NULL;
    json_object_set(out, key, v);
  }
  return out;
}

/*--- The canonical result text ---------------------------------------------*/

/* Orders keys: "success" first, then byte order. */
int ls__key_order(const char *x, const char *y) {
  bool xs = x[0] == 's' && strcmp(x, "success") == 0, ys = y[0] == 's' && strcmp(y, "success") == 0;
  if (xs != ys) return xs ? -1 : 1;
  return strcmp(x, y);
}

/* An integral real is spelled as an integer (1, not 1.0), exactly up to 2^53. */
static bool integral_real(const json_t *v) {
  if (!json_is_real(v)) return false;
  double d = json_real_value(v);
  return d == trunc(d) && fabs(d) <= 9007199254740992.0;
}

/*
 * The canonical text is written in one walk of the value, without a sorted
 * copy of it (PostgreSQL's rows, whose keys jsonb orders by length, would
 * otherwise be copied whole).  jansson stays the one speller of what needs
 * more than copying bytes: a non-integral real, and a string with a
 * character to escape.  A string without '"', '\\' or a control character is
 * spelled by jansson as its bytes between quotes (a json_t holds valid UTF-8,
 * written as it is without JSON_ENSURE_ASCII), so it is copied here.
 */
#define RESULT_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

typedef struct {
  const char *key;
  const json_t *value;
  bool success; /* key is "success" (ls__key_order, with the test made once) */
} member;

static int member_order(const void *a, const void *b) {
  const member *x = a, *y = b;
  if (x->success != y->success) return x->success ? -1 : 1;
  return strcmp(x->key, y->key);
}

/* ls__sb_append, the common case (it fits) inline: an answer is spelled in many small pieces. */
static inline void put(ls__sb *sb, const char *text, size_t n) {
  if (sb->len + n < sb->cap) {
    memcpy(sb->buf + sb->len, text, n);
    sb->buf[sb->len += n] = '\0';
  } else
    ls__sb_append(sb, text, n);
}

/* An integer as jansson spells it ("%" JSON_INTEGER_FORMAT), without the printf machinery. */
static void spell_int(ls__sb *sb, json_int_t i) {
  char buf[24], *p = buf + sizeof buf;
  unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;
  do *--p = (char)('0' + u % 10); while (u /= 10);
  if (i < 0) *--p = '-';
  put(sb, p, (size_t)(buf + sizeof buf - p));
}

static void sb_fail(ls__sb *sb) {
  ls__sb_free(sb);
  sb->failed = true;
}

static int to_sb(const char *buffer, size_t size, void *data) {
  ls__sb_append(data, buffer, size);
  return ((ls__sb *)data)->failed ? -1 : 0;
}

static void by_jansson(ls__sb *sb, const json_t *v) {
  if (json_dump_callback(v, to_sb, sb, RESULT_FLAGS | JSON_ENCODE_ANY) != 0) sb_fail(sb);
}

static bool plain_string(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] == '"' || s[i] == '\\' || (unsigned char)s[i] < 0x20) return false;
  return true;
}

static void spell_string(ls__sb *sb, const char *s, size_t n, const json_t *v) {
  if (plain_string(s, n)) {
    put(sb, "\"", 1);
    put(sb, s, n);
    put(sb, "\"", 1);
    return;
  }
  json_t *tmp = v ? NULL : json_stringn_nocheck(s, n); /* a key: spelled as a string is */
  if (!v && !tmp) {
    sb_fail(sb);
    return;
  }
  by_jansson(sb, v ? v : tmp);
  json_decref(tmp);
}

static void spell(ls__sb *sb, const json_t *v);

static void spell_object(ls__sb *sb, const json_t *v) {
  size_t n = json_object_size(v), i = 0;
  member *m = n ? ls__malloc(n * sizeof *m) : NULL;
  if (n && !m) {
    sb_fail(sb);
    return;
  }
  bool sorted = true;
  const char *key;
  json_t *child;
  json_object_foreach((json_t *)v, key, child) {
    m[i] = (member){key, child, strcmp(key, "success") == 0};
    if (i > 0 && member_order(&m[i - 1], &m[i]) > 0) sorted = false;
    i++;
  }
  if (!sorted) qsort(m, n, sizeof *m, member_order);
  put(sb, "{", 1);
  for (i = 0; i < n && !sb->failed; i++) {
    if (i) put(sb, ",", 1);
    spell_string(sb, m[i].key, strlen(m[i].key), NULL);
    put(sb, ":", 1);
    spell(sb, m[i].value);
  }
  put(sb, "}", 1);
  ls__free(m);
}

static void spell(ls__sb *sb, const json_t *v) {
  if (sb->failed) return;
  switch (json_typeof(v)) {
  case JSON_OBJECT: spell_object(sb, v); return;
  case JSON_ARRAY:
    put(sb, "[", 1);
    for (size_t i = 0; i < json_array_size(v) && !sb->failed; i++) {
      if (i) put(sb, ",", 1);
      spell(sb, json_array_get(v, i));
    }
    put(sb, "]", 1);
    return;
  case JSON_STRING: spell_string(sb, json_string_value(v), json_string_length(v), v); return;
  case JSON_INTEGER: spell_int(sb, json_integer_value(v)); return;
  case JSON_REAL:
    if (integral_real(v)) spell_int(sb, (json_int_t)json_real_value(v));
    else by_jansson(sb, v);
    return;
  case JSON_TRUE: put(sb, "true", 4); return;
  case JSON_FALSE: put(sb, "false", 5); return;
  case JSON_NULL: put(sb, "null", 4); return;
  }
}

char *ls__result_text(const json_t *result) {
  if (!json_is_object(result) && !json_is_array(result)) return NULL; /* as json_dumps */
  ls__sb sb = LS__SB_INIT;
  ls__sb_append(&sb, "", 0); /* a first buffer, so that put() copies inline */
  spell(&sb, result);
  return ls__sb_take(&sb);
}

char *ls__json_dump(const json_t *v) {
  return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
}

int ls__params_hash(const json_t *params, char out[65]) {
  json_t *copy = json_copy((json_t *)params); /* shallow: values shared, keys copied */
  if (!copy) return LEADSTORE_EINTERNAL;
  json_object_del(copy, "p_request_id");
  char *text = ls__json_dump(copy);
  json_decref(copy);
  if (!text) return LEADSTORE_EINTERNAL;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  int ok = EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL);
  ls__free(text);
  if (!ok) return LEADSTORE_EINTERNAL;
  static const char hex[] = "0123456789abcdef";
  for (unsigned i = 0; i < len && i < 32; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  out[64] = '\0';
  return LEADSTORE_OK;
}
