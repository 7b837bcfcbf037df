/*
 * describe.c — the operations table as JSON (leadstore_describe), from
 * which `leadstore help`, `leadstore docs` (docs/operations.md) and the
 * HTTP server's function list are generated.
 */
#include <string.h>

#include "internal.h"

static const char *type_name(ls__type t) {
  switch (t) {
  case LS_T_UUID: return "uuid";
  case LS_T_TEXT: return "text";
  case LS_T_LABEL: return "text or integer";
  case LS_T_ZIP: return "zip";
  case LS_T_ENUM: return "enum";
  case LS_T_INT: return "integer";
  case LS_T_NUMBER: return "number";
  case LS_T_MONEY: return "money";
  case LS_T_BOOL: return "boolean";
  case LS_T_FLAG: return "flag";
  case LS_T_TIMESTAMP: return "timestamp";
  case LS_T_TEXT_LIST: return "text[]";
  case LS_T_OBJECT: return "object";
  case LS_T_OBJECT_LIST: return "object[]";
  case LS_T_JSON: return "json";
  case LS_T_JSON_OBJECT: return "json object";
  }
  return "?";
}

static json_t *describe_fields(const ls__field *fields) {
  json_t *list = json_array();
  for (const ls__field *f = fields; f && f->name; f++) {
    json_t *o = json_pack("{s:s, s:s, s:b}", "name", f->name, "type", type_name(f->type), "required",
                          (f->flags & LS_F_REQUIRED) != 0);
    if (!o) continue;
    if (f->type == LS_T_INT || f->type == LS_T_NUMBER) {
      json_object_set_new(o, "min", json_real(f->min));
      if (f->max > f->min) json_object_set_new(o, "max", json_real(f->max));
    }
    if ((f->type == LS_T_TEXT || f->type == LS_T_LABEL) && f->max > 0) {
      json_object_set_new(o, "min_length", json_integer((json_int_t)f->min));
      json_object_set_new(o, "max_length", json_integer((json_int_t)f->max));
    }
    if ((f->type == LS_T_TEXT_LIST || f->type == LS_T_OBJECT_LIST) && f->max > 0)
      json_object_set_new(o, "max_items", json_integer((json_int_t)f->max));
    if (f->values) {
      json_t *vals = json_array();
      for (size_t i = 0; f->values[i]; i++) json_array_append_new(vals, json_string(f->values[i]));
      json_object_set_new(o, "values", vals);
    }
    if (f->flags & LS_F_NONBLANK) json_object_set_new(o, "nonblank", json_true());
    if (f->alias) json_object_set_new(o, "alias", json_string(f->alias));
    if (f->doc) json_object_set_new(o, "doc", json_string(f->doc));
    if (f->fields) json_object_set_new(o, "fields", describe_fields(f->fields));
    json_array_append_new(list, o);
  }
  return list;
}

static json_t *describe_op(const ls__op *op) {
  return json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", op->name, "kind",
                   op->kind == LS_OP_WRITE ? "write" : "read", "summary", op->summary, "returns", op->returns,
                   "params", describe_fields(op->params));
}

int leadstore_describe(const char *name, char **json_out) {
  ls__alloc_init();
  *json_out = NULL;
  json_t *out;
  if (name) {
    const ls__op *op = ls__op_find(name);
    if (!op) return LEADSTORE_ENOOP;
    out = describe_op(op);
  } else {
    out = json_array();
    for (size_t i = 0; out && i < LS_OP__COUNT; i++) json_array_append_new(out, describe_op(&ls__ops[i]));
  }
  if (out) *json_out = json_dumps(out, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
  json_decref(out);
  return *json_out ? LEADSTORE_OK : LEADSTORE_EINTERNAL;
}
