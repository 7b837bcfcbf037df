/*
 * json.c — reading validated parameters, canonical serialisation and the
 * request hash used by idempotent replay (SPEC §3.3).
 *
 * The readers treat a missing key and JSON null alike ("not given"); they
 * trust the validator for types, so they never fail.
 */
#include <locale.h>
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

static int key_order(const void *a, const void *b) {
  return ls__key_order(*(const char *const *)a, *(const char *const *)b);
}

/* An integral real is spelled as an integer (1, not 1.0), exactly up to 2^53. */
static bool integral_real(const json_t *v) {
  if (!json_is_real(v)) return false;
  double d = json_real_value(v);
  return d == trunc(d) && fabs(d) <= 9007199254740992.0;
}

/*
 * The result text is spelled here, in one pass over the answer, byte for byte
 * as jansson's json_dumps(JSON_COMPACT | JSON_REAL_PRECISION(15)) spells the
 * answer's canonical form (keys in ls__key_order, an integral real as an
 * integer) — without building that form: an object whose keys are out of
 * order is spelled through a sorted list of its keys.  Like json_dumps it
 * refuses a string that is not UTF-8 (jansson never makes one).
 */
/* ls__sb_append, the common case (it fits) inline: an answer is spelled in many small pieces. */
static inline void put(ls__sb *sb, const char *text, size_t n) {
  if (sb->len + n < sb->cap) {
    memcpy(sb->buf + sb->len, text, n);
    sb->buf[sb->len += n] = '\0';
  } else
    ls__sb_append(sb, text, n);
}

static void spell_int(ls__sb *sb, json_int_t i) {
  char buf[24], *p = buf + sizeof buf;
  unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;
  do *--p = (char)('0' + u % 10); while (u /= 10);
  if (i < 0) *--p = '-';
  put(sb, p, (size_t)(buf + sizeof buf - p));
}

/* jansson's jsonp_dtostr at precision 15: "%.15g", the locale's decimal point as '.', ".0" when
 * neither '.' nor 'e' is in it, no '+' and no leading zeros in the exponent. */
static bool spell_real(ls__sb *sb, double d) {
  char buf[64];
  int n = snprintf(buf, sizeof buf, "%.15g", d);
  if (n < 0 || (size_t)n >= sizeof buf - 3) return false;
  const char *point = localeconv()->decimal_point;
  char *at;
  if (*point != '.' && (at = strchr(buf, *point))) *at = '.';
  if (!strchr(buf, '.') && !strchr(buf, 'e')) {
    memcpy(buf + n, ".0", 3);
    n += 2;
  }
  char *start = strchr(buf, 'e');
  if (start) {
    start++;
    char *end = start + 1;
    if (*start == '-') start++;
    while (*end == '0') end++;
    if (end != start) {
      memmove(start, end, (size_t)n - (size_t)(end - buf) + 1);
      n -= (int)(end - start);
    }
  }
  put(sb, buf, (size_t)n);
  return true;
}

/* The length of the UTF-8 sequence at s (n bytes left), as jansson checks it; 0 when invalid. */
static size_t utf8_length(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
  if (len <= 1) return len;
  if (len > n) return 0;
  uint32_t v = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    v = (v << 6) | (s[i] & 0x3F);
  }
  if ((len == 3 && v < 0x800) || (v >= 0xD800 && v <= 0xDFFF) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)))
    return 0;
  return len;
}

/* A string: '"' and '\' escaped, control characters as \b \f \n \r \t or \u00XX. */
static bool spell_string(ls__sb *sb, const char *str, size_t len) {
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *s = (const unsigned char *)str, *end = s + len, *run = s;
  put(sb, "\"", 1);
  while (s < end) {
    unsigned c = *s;
    if (c >= 0x80) {
      size_t n = utf8_length(s, (size_t)(end - s));
      if (!n) return false;
      s += n;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      s++;
      continue;
    }
    put(sb, (const char *)run, (size_t)(s - run));
    char esc[6] = {'\\', 0};
    size_t n = 2;
    switch (c) {
    case '"': esc[1] = '"'; break;
    case '\\': esc[1] = '\\'; break;
    case '\b': esc[1] = 'b'; break;
    case '\f': esc[1] = 'f'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '\t': esc[1] = 't'; break;
    default: memcpy(esc + 1, "u00", 3), esc[4] = hex[c >> 4], esc[5] = hex[c & 15], n = 6;
    }
    put(sb, esc, n);
    run = ++s;
  }
  put(sb, (const char *)run, (size_t)(s - run));
  put(sb, "\"", 1);
  return true;
}

static bool spell(ls__sb *sb, const json_t *v);

static bool spell_object(ls__sb *sb, const json_t *v) {
  size_t n = json_object_size(v), i = 0;
  const char *stack[64], **keys = n <= 64 ? stack : ls__malloc(n * sizeof *keys);
  if (!keys) return false;
  bool sorted = true, ok = true;
  const char *key;
  json_t *child;
  json_object_foreach((json_t *)v, key, child) {
    if (i > 0 && ls__key_order(keys[i - 1], key) >= 0) sorted = false;
    keys[i++] = key;
  }
  if (!sorted) qsort(keys, n, sizeof *keys, key_order);
  put(sb, "{", 1);
  for (i = 0; ok && i < n; i++) {
    if (i) put(sb, ",", 1);
    ok = spell_string(sb, keys[i], strlen(keys[i]));
    put(sb, ":", 1);
    ok = ok && spell(sb, sorted ? json_object_iter_value(json_object_key_to_iter(keys[i])) : json_object_get(v, keys[i]));
  }
  put(sb, "}", 1);
  if (keys != stack) ls__free(keys);
  return ok;
}

static bool spell(ls__sb *sb, const json_t *v) {
  if (!v) return false;
  switch (json_typeof(v)) {
  case JSON_OBJECT: return spell_object(sb, v);
  case JSON_ARRAY:
    put(sb, "[", 1);
    for (size_t i = 0; i < json_array_size(v); i++) {
      if (i) put(sb, ",", 1);
      if (!spell(sb, json_array_get(v, i))) return false;
    }
    put(sb, "]", 1);
    return true;
  case JSON_STRING: return spell_string(sb, json_string_value(v), json_string_length(v));
  case JSON_INTEGER: spell_int(sb, json_integer_value(v)); return true;
  case JSON_REAL:
    if (integral_real(v)) spell_int(sb, (json_int_t)json_real_value(v));
    else if (!spell_real(sb, json_real_value(v))) return false;
    return true;
  case JSON_TRUE: put(sb, "true", 4); return true;
  case JSON_FALSE: put(sb, "false", 5); return true;
  case JSON_NULL: put(sb, "null", 4); return true;
  }
  return false;
}

char *ls__result_text(const json_t *result) {
  ls__sb sb = LS__SB_INIT;
  if (!json_is_object(result) && !json_is_array(result)) return NULL; /* as json_dumps */
  ls__sb_append(&sb, "", 0); /* the first 64 bytes */
  if (!spell(&sb, result)) {
    ls__sb_free(&sb);
    return NULL;
  }
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
