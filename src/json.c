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

/* v in canonical form (see ls__result_text): a new reference to v itself when
 * it already is (keys in order, no integral real, likewise every value inside),
 * else a copy in which only what was not canonical is rebuilt; NULL on OOM. */
static json_t *canonical(const json_t *v);

/* Orders keys: "success" first, then byte order. */
int ls__key_order(const char *x, const char *y) {
  bool xs = strcmp(x, "success") == 0, ys = strcmp(y, "success") == 0;
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

/* Whether v is canonical already: what canonical() would rebuild is absent. */
static bool is_canonical(const json_t *v) {
  if (json_is_object(v)) {
    const char *key, *prev = NULL;
    json_t *child;
    json_object_foreach((json_t *)v, key, child) {
      if ((prev && ls__key_order(prev, key) >= 0) || !is_canonical(child)) return false;
      prev = key;
    }
    return true;
  }
  if (json_is_array(v)) {
    for (size_t i = 0; i < json_array_size(v); i++)
      if (!is_canonical(json_array_get(v, i))) return false;
    return true;
  }
  return !integral_real(v);
}

static json_t *canonical_object(const json_t *v) {
  size_t n = json_object_size(v), i = 0;
  const char **keys = n ? ls__malloc(n * sizeof *keys) : NULL;
  json_t *out = json_object();
  if ((n && !keys) || !out) goto fail;
  const char *key;
  json_t *child;
  json_object_foreach((json_t *)v, key, child) keys[i++] = key;
  qsort(keys, n, sizeof *keys, key_order);
  for (i = 0; i < n; i++)
    if (json_object_set_new(out, keys[i], canonical(json_object_get(v, keys[i]))) != 0) goto fail;
  ls__free(keys);
  return out;
fail:
  ls__free(keys);
  json_decref(out);
  return NULL;
}

static json_t *canonical(const json_t *v) {
  if (is_canonical(v)) return json_incref((json_t *)v); /* shared, never changed: only dumped */
  if (json_is_object(v)) return canonical_object(v);
  if (json_is_array(v)) {
    json_t *out = json_array();
    for (size_t i = 0; out && i < json_array_size(v); i++)
      if (json_array_append_new(out, canonical(json_array_get(v, i))) != 0) {
        json_decref(out);
        out = NULL;
      }
    return out;
  }
  return json_integer((json_int_t)json_real_value(v)); /* an integral real: the only other case */
}

char *ls__result_text(const json_t *result) {
  json_t *c = canonical(result);
  /* the keys were inserted in canonical order, which jansson keeps */
  char *text = c ? json_dumps(c, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
  json_decref(c);
  return text;
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
