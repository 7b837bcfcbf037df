/*
 * bind.c — binding values to the embedded engine's statements.
 *
 * Statements name their inputs: `:key` for a key of the operation's data
 * object, bound by that key's type in the operations table (so one
 * statement and one loop bind any number of columns, and a new column is
 * one line of SQL), and `@name` for a value the handler computed.
 */
#include <stdio.h>
#include <string.h>

#include "sq.h"

/* The field called `name` in a {0}-terminated list; NULL when absent. */
static const ls__field *find_field(const ls__field *fields, const char *name) {
  for (const ls__field *f = fields; f && f->name; f++)
    if (strcmp(f->name, name) == 0) return f;
  return NULL;
}

/* Binds obj[f->name] to parameter i by f's type. */
static void bind_field(ls__sq *s, sqlite3_stmt *st, int i, const ls__field *f, const json_t *obj) {
  json_t *v = json_object_get(obj, f->name);
  if (!v || json_is_null(v)) {
    ls__sq_null(s, st, i);
    return;
  }
  switch (f->type) {
  case LS_T_LABEL:
    if (json_is_integer(v)) {
      char buf[32];
      snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
      ls__sq_text(s, st, i, buf);
      return;
    }
    /* a string label is text */
    /* fall through */
  case LS_T_TEXT:
  case LS_T_ZIP:
  case LS_T_ENUM:
  case LS_T_UUID:
  case LS_T_TIMESTAMP: {
    size_t len = 0;
    const char *t = ls__jtrim(obj, f->name, &len);
    if (!t) ls__sq_null(s, st, i);
    else if (sqlite3_bind_text(st, i, t, (int)len, SQLITE_TRANSIENT) != SQLITE_OK) s->bind_failed = SQLITE_NOMEM;
    return;
  }
  case LS_T_INT:
    ls__sq_int(s, st, i, ls__jint(obj, f->name, 0));
    return;
  case LS_T_NUMBER:
    ls__sq_real(s, st, i, json_number_value(v));
    return;
  case LS_T_MONEY:
    ls__sq_int(s, st, i, ls__money_from_number(json_number_value(v)));
    return;
  case LS_T_BOOL:
    ls__sq_int(s, st, i, json_is_true(v));
    return;
  case LS_T_FLAG:
    ls__sq_flag(s, st, i, ls__jflag(obj, f->name));
    return;
  default: /* lists, objects, JSON */
    ls__sq_json(s, st, i, v);
    return;
  }
}

void ls__sq_bind_fields(ls__sq *s, sqlite3_stmt *st, const ls__field *fields, const json_t *obj) {
  int n = sqlite3_bind_parameter_count(st);
  for (int i = 1; i <= n; i++) {
    const char *name = sqlite3_bind_parameter_name(st, i);
    if (!name || name[0] != ':') continue;
    const ls__field *f = find_field(fields, name + 1);
    if (f) bind_field(s, st, i, f, obj);
    else s->bind_failed = SQLITE_MISUSE; /* a statement naming a key the table lacks */
  }
}

void ls__sq_at_text(ls__sq *s, sqlite3_stmt *st, const char *name, const char *v) {
  int i = sqlite3_bind_parameter_index(st, name);
  if (i) ls__sq_text(s, st, i, v);
}

void ls__sq_at_int(ls__sq *s, sqlite3_stmt *st, const char *name, int64_t v) {
  int i = sqlite3_bind_parameter_index(st, name);
  if (i) ls__sq_int(s, st, i, v);
}

void ls__sq_at_flag(ls__sq *s, sqlite3_stmt *st, const char *name, int flag) {
  int i = sqlite3_bind_parameter_index(st, name);
  if (i) ls__sq_flag(s, st, i, flag);
}

void ls__sq_at_json(ls__sq *s, sqlite3_stmt *st, const char *name, const json_t *v) {
  int i = sqlite3_bind_parameter_index(st, name);
  if (i) ls__sq_json(s, st, i, v);
}

void ls__sq_at_trimmed(ls__sq *s, sqlite3_stmt *st, const char *name, const char *v) {
  int i = sqlite3_bind_parameter_index(st, name);
  if (!i) return;
  size_t n = 0;
  v = ls__trim(v, &n);
  if (!v) ls__sq_null(s, st, i);
  else if (sqlite3_bind_text(st, i, v, (int)n, SQLITE_TRANSIENT) != SQLITE_OK) s->bind_failed = SQLITE_NOMEM;
}

void ls__sq_verif_status(ls__verif *v, const json_t *obj, const char *key) {
  size_t len = 0;
  const char *t = ls__jtrim(obj, key, &len);
  v->status = NULL;
  if (!t || len >= sizeof v->status_buf) return; /* validated: at most 64 characters */
  memcpy(v->status_buf, t, len);
  v->status_buf[len] = '\0';
  v->status = v->status_buf;
}

void ls__sq_bind_verif(ls__sq *s, sqlite3_stmt *st, const ls__verif *v) {
  ls__sq_at_int(s, st, "@verified", v->verified);
  ls__sq_at_text(s, st, "@status", v->status);
  int i = sqlite3_bind_parameter_index(st, "@score");
  if (i && v->score) ls__sq_real(s, st, i, json_number_value(v->score));
  ls__sq_at_trimmed(s, st, "@reason", v->reason);
  ls__sq_at_flag(s, st, "@is_safe", v->is_safe);
  ls__sq_at_flag(s, st, "@is_disposable", v->is_disposable);
  ls__sq_at_flag(s, st, "@is_role_based", v->is_role_based);
  ls__sq_at_flag(s, st, "@is_free_email", v->is_free_email);
  ls__sq_at_text(s, st, "@verified_at", v->verified_at);
  ls__sq_at_json(s, st, "@raw_response", v->raw);
}
