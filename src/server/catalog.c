/*
 * catalog.c — the operations as the HTTP router sees them, read once from
 * leadstore_describe() (the operations table): their names, whether they
 * write, their parameters' types.  From it come the routes, the conversion
 * of GET query strings to typed parameters and the OpenAPI description at
 * GET /rest/v1/.  Read-only after srv_catalog_init(), so shared by every
 * worker thread without locks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"

static json_t *described; /* the whole leadstore_describe(NULL) array */
static srv_op *ops;
static size_t nops;

bool srv_catalog_init(void) {
  char *text = NULL;
  if (leadstore_describe(NULL, &text) != LEADSTORE_OK) return false;
  described = json_loads(text, 0, NULL);
  leadstore_free(text);
  nops = leadstore_op_count();
  ops = calloc(nops ? nops : 1, sizeof *ops);
  if (!described || !ops) return false;
  for (size_t i = 0; i < nops; i++) {
    ops[i].name = leadstore_op_name(i);
    size_t k;
    json_t *d;
    json_array_foreach(described, k, d) {
      if (strcmp(json_string_value(json_object_get(d, "name")), ops[i].name)) continue;
      ops[i].write = !strcmp(json_string_value(json_object_get(d, "kind")), "write");
      ops[i].params = json_object_get(d, "params");
    }
    if (!ops[i].params) return false;
  }
  return true;
}

void srv_catalog_free(void) {
  json_decref(described);
  free(ops);
  described = NULL;
  ops = NULL;
  nops = 0;
}

size_t srv_op_count(void) { return nops; }
const srv_op *srv_op_at(size_t i) { return i < nops ? &ops[i] : NULL; }

const srv_op *srv_op_find(const char *name, size_t *index) {
  for (size_t i = 0; i < nops; i++)
    if (!strcmp(ops[i].name, name)) {
      if (index) *index = i;
      return &ops[i];
    }
  return NULL;
}

/* The type name of parameter `param` of op ("" when it has none). */
static const char *param_type(const srv_op *op, const char *param) {
  size_t i;
  json_t *p;
  json_array_foreach(op->params, i, p) {
    if (!strcmp(json_string_value(json_object_get(p, "name")), param))
      return json_string_value(json_object_get(p, "type"));
  }
  return "";
}

/*
 * A PostgreSQL array literal `{a,b,"c d"}` (as supabase-js writes a JS
 * array on GET) as a JSON array of strings; NULL when it is not one.
 */
static json_t *array_literal(const char *s) {
  size_t n = strlen(s);
  if (n < 2 || s[0] != '{' || s[n - 1] != '}') return NULL;
  json_t *out = json_array();
  char *item = malloc(n);
  if (!out || !item) goto fail;
  const char *p = s + 1, *end = s + n - 1;
  while (p < end) {
    size_t len = 0;
    if (*p == '"') {
      for (p++; p < end && *p != '"'; p++) {
        if (*p == '\\' && p + 1 < end) p++;
        item[len++] = *p;
      }
      if (p >= end) goto fail;
      p++;
    } else {
      while (p < end && *p != ',') item[len++] = *p++;
    }
    item[len] = '\0';
    json_array_append_new(out, json_string(item));
    if (p < end && *p != ',') goto fail;
    if (p < end) p++;
  }
  free(item);
  return out;
fail:
  free(item);
  json_decref(out);
  return NULL;
}

json_t *srv_param_from_text(const srv_op *op, const char *param, const char *text) {
  const char *type = param_type(op, param);
  char *end = NULL;
  json_t *v = NULL;
  errno = 0;
  if (!strcmp(type, "integer")) {
    long long n = strtoll(text, &end, 10);
    if (*text && !*end && !errno) v = json_integer((json_int_t)n);
  } else if (!strcmp(type, "number") || !strcmp(type, "money")) {
    double d = strtod(text, &end);
    if (*text && !*end && !errno) v = json_real(d);
  } else if (!strcmp(type, "boolean") || !strcmp(type, "flag")) {
    if (!strcmp(text, "true")) v = json_true();
    else if (!strcmp(text, "false")) v = json_false();
  } else if (!strcmp(type, "text[]")) {
    v = array_literal(text);
  } else if (!strcmp(type, "object") || !strcmp(type, "object[]") || !strncmp(type, "json", 4)) {
    v = json_loads(text, JSON_DECODE_ANY, NULL);
  } else if (!strcmp(text, "null") && *type) {
    v = json_null();
  }
  /* Anything that does not convert stays text: the validator then names the parameter (22023). */
  return v ? v : json_string(text);
}

/*--- OpenAPI ----------------------------------------------------------------*/

/* A JSON schema for a parameter of the description. */
static json_t *schema_of(const json_t *p) {
  const char *type = json_string_value(json_object_get(p, "type"));
  json_t *s = json_object();
  const char *doc = json_string_value(json_object_get(p, "doc"));
  if (doc) json_object_set_new(s, "description", json_string(doc));
  if (!strcmp(type, "integer")) json_object_set_new(s, "type", json_string("integer"));
  else if (!strcmp(type, "number") || !strcmp(type, "money")) json_object_set_new(s, "type", json_string("number"));
  else if (!strcmp(type, "boolean") || !strcmp(type, "flag")) json_object_set_new(s, "type", json_string("boolean"));
  else if (!strcmp(type, "text[]")) json_object_set_new(s, "type", json_string("array")),
      json_object_set_new(s, "items", json_pack("{s:s}", "type", "string"));
  else if (!strcmp(type, "object") || !strcmp(type, "object[]")) {
    json_t *obj = json_pack("{s:s, s:o}", "type", "object", "properties", json_object());
    json_t *required = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(p, "fields"), i, f) {
      const char *name = json_string_value(json_object_get(f, "name"));
      json_object_set_new(json_object_get(obj, "properties"), name, schema_of(f));
      if (json_is_true(json_object_get(f, "required"))) json_array_append_new(required, json_string(name));
    }
    if (json_array_size(required)) json_object_set(obj, "required", required);
    json_decref(required);
    if (!strcmp(type, "object")) {
      json_object_update(s, obj);
    } else {
      json_object_set_new(s, "type", json_string("array"));
      json_object_set(s, "items", obj);
    }
    json_decref(obj);
  } else if (strncmp(type, "json", 4)) {
    json_object_set_new(s, "type", json_string("string"));
    if (!strcmp(type, "uuid")) json_object_set_new(s, "format", json_string("uuid"));
    if (!strcmp(type, "timestamp")) json_object_set_new(s, "format", json_string("date-time"));
  }
  json_t *values = json_object_get(p, "values");
  if (values) json_object_set(s, "enum", values);
  return s;
}

char *srv_openapi(const char *host) {
  json_t *paths = json_object();
  for (size_t i = 0; i < nops; i++) {
    const srv_op *op = &ops[i];
    json_t *d = NULL;
    size_t k;
    json_t *it;
    json_array_foreach(described, k, it) if (!strcmp(json_string_value(json_object_get(it, "name")), op->name)) d = it;
    json_t *body = json_pack("{s:s, s:o}", "type", "object", "properties", json_object());
    json_t *required = json_array();
    json_t *query = json_array();
    json_array_foreach(op->params, k, it) {
      const char *name = json_string_value(json_object_get(it, "name"));
      json_object_set_new(json_object_get(body, "properties"), name, schema_of(it));
      if (json_is_true(json_object_get(it, "required"))) json_array_append_new(required, json_string(name));
      json_t *q = schema_of(it);
      json_object_set_new(q, "name", json_string(name));
      json_object_set_new(q, "in", json_string("query"));
      json_object_set_new(q, "required", json_boolean(json_is_true(json_object_get(it, "required"))));
      if (json_is_object(json_object_get(q, "properties")) || json_object_get(q, "items")) {
        json_object_del(q, "properties");
        json_object_del(q, "items");
        json_object_del(q, "required");
        json_object_set_new(q, "type", json_string("string"));
        json_object_set_new(q, "required", json_boolean(json_is_true(json_object_get(it, "required"))));
      }
      json_array_append_new(query, q);
    }
    if (json_array_size(required)) json_object_set(body, "required", required);
    json_t *responses = json_pack("{s:{s:s, s:{s:s}}}", "200", "description",
                                  json_string_value(json_object_get(d, "returns")), "schema", "type", "object");
    json_t *post = json_pack("{s:s, s:[s], s:[s], s:[{s:s, s:s, s:b, s:O}], s:O}", "summary",
                             json_string_value(json_object_get(d, "summary")), "tags", "(rpc) leadstore", "produces",
                             "application/json", "parameters", "in", "body", "name", "args", "required", 1, "schema",
                             body, "responses", responses);
    json_t *path = json_pack("{s:o}", "post", post);
    if (!op->write)
      json_object_set_new(path, "get",
                          json_pack("{s:s, s:[s], s:O, s:O}", "summary", json_string_value(json_object_get(d, "summary")),
                                    "tags", "(rpc) leadstore", "parameters", query, "responses", responses));
    char key[160];
    snprintf(key, sizeof key, "/rpc/%s", op->name);
    json_object_set_new(paths, key, path);
    json_decref(body);
    json_decref(required);
    json_decref(query);
    json_decref(responses);
  }
  json_t *doc = json_pack(
      "{s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:[s], s:[s], s:[s], s:o, s:{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}}}",
      "swagger", "2.0", "info", "title", "leadstore", "version", leadstore_version(), "description",
      "The operations of leadstore, called as PostgREST RPC functions", "host", host ? host : "", "basePath",
      "/rest/v1", "schemes", "http", "consumes", "application/json", "produces", "application/json", "paths", paths,
      "securityDefinitions", "apikey", "type", "apiKey", "in", "header", "name", "apikey", "bearer", "type", "apiKey",
      "in", "header", "name", "Authorization");
  char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
  json_decref(doc);
  return text;
}
