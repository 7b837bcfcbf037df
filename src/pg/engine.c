/*
 * engine.c — the PostgreSQL engine: the operations are stored functions
 * (sql/postgres/, installed by `leadstore migrate`), and a call is ONE
 * network round trip — one prepared statement that sets the caller's JWT
 * claims for its own transaction and calls the function of the same name:
 *
 *   WITH c AS (SELECT set_config('request.jwt.claims', $1, true),
 *                     set_config('leadstore.now', $2, true), set_config('leadstore.id_base', $3, true))
 *   SELECT public.<op>(p_a => $4::<type>, …)::text FROM c
 *
 * The functions' argument names and types are read from the catalog once per
 * connection, and each statement is prepared once per connection on first
 * use.  A function answers the SPEC's result object itself (failures
 * included, with everything it did rolled back); errors outside it (a lost
 * connection, a timeout) are mapped through the error table by their
 * SQLSTATE.  A connection that broke is reopened on the next call.  Only
 * this file includes libpq-fe.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <openssl/evp.h>

#include "../internal.h"

#include "pg_migrations.h"

enum {
  MAX_ARGS = 8,
  FIXED_PARAMS = 3 /* $1 claims, $2 leadstore.now, $3 leadstore.id_base; then the arguments */
};

typedef struct pg_fn {
  bool known;                  /* the catalog has the function */
  bool prepared;               /* prepared on this connection */
  int nargs;
  char arg[MAX_ARGS][48];      /* argument names, in order */
  char type[MAX_ARGS][24];     /* their SQL types: text, integer, jsonb … */
} pg_fn;

typedef struct ls__pg {
  PGconn *conn;
  char *target;
  bool catalog_read;           /* the functions' signatures are known */
  pg_fn fn[LS_OP__COUNT];
} ls__pg;

/*--- Errors ------------------------------------------------------------------*/

/* Maps a failed libpq result (or connection) to the error table. */
static int pg_error(ls__pg *p, PGresult *res, const char *what, ls__error *err) {
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *msg = res ? PQresultErrorMessage(res) : NULL;
  if (!msg || !*msg) msg = PQerrorMessage(p->conn);
  int code = state ? leadstore_status_from_sqlstate(state) : LEADSTORE_ECONNECTION;
  if (PQstatus(p->conn) != CONNECTION_OK) code = LEADSTORE_ECONNECTION;
  char clean[400];
  snprintf(clean, sizeof clean, "%s", msg ? msg : "");
  clean[strcspn(clean, "\n")] = '\0';
  return ls__fail(err, code, "%s: %s", what, clean);
}

/* Reconnects when the connection broke; prepared statements go with it. */
static int ensure_connection(ls__pg *p, ls__error *err) {
  if (PQstatus(p->conn) == CONNECTION_OK) return LEADSTORE_OK;
  PQreset(p->conn);
  for (int i = 0; i < LS_OP__COUNT; i++) p->fn[i].prepared = false;
  if (PQstatus(p->conn) != CONNECTION_OK)
    return ls__fail(err, LEADSTORE_ECONNECTION, "cannot reach PostgreSQL: %s", PQerrorMessage(p->conn));
  return LEADSTORE_OK;
}

/*--- Catalog and statements ------------------------------------------------------*/

/* Reads every operation function's argument names and types, once per connection. */
static int read_catalog(ls__pg *p, ls__error *err) {
  if (p->catalog_read) return LEADSTORE_OK;
  PGresult *res = PQexec(p->conn,
                         "SELECT p.proname, p.proargnames, "
                         "       array(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t) "
                         "  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                         " WHERE n.nspname = 'public' AND p.prorettype = 'jsonb'::regtype "
                         "   AND p.proargnames IS NOT NULL AND p.proname IN (SELECT name FROM ls_operations)");
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    int rc = pg_error(p, res, "reading the leadstore functions (has `leadstore migrate` run?)", err);
    PQclear(res);
    return rc;
  }
  for (int r = 0; r < PQntuples(res); r++) {
    const ls__op *op = ls__op_find(PQgetvalue(res, r, 0));
    if (!op) continue;
    pg_fn *f = &p->fn[op->id];
    /* text arrays in their text form: {a,b,c} */
    char names[512], types[512];
    snprintf(names, sizeof names, "%s", PQgetvalue(res, r, 1));
    snprintf(types, sizeof types, "%s", PQgetvalue(res, r, 2));
    f->nargs = 0;
    char *ns = NULL, *ts = NULL;
    char *n = strtok_r(names + 1, ",}", &ns), *t = strtok_r(types + 1, ",}", &ts);
    for (; n && t && f->nargs < MAX_ARGS; n = strtok_r(NULL, ",}", &ns), t = strtok_r(NULL, ",}", &ts)) {
      snprintf(f->arg[f->nargs], sizeof f->arg[0], "%s", n);
      snprintf(f->type[f->nargs], sizeof f->type[0], "%s", t[0] == '"' ? t + 1 : t);
      f->type[f->nargs][strcspn(f->type[f->nargs], "\"")] = '\0';
      f->nargs++;
    }
    f->known = true;
  }
  PQclear(res);
  p->catalog_read = true;
  return LEADSTORE_OK;
}

/* Prepares the call statement of `op` (statement name = the operation's name). */
static int prepare(ls__pg *p, const ls__op *op, ls__error *err) {
  pg_fn *f = &p->fn[op->id];
  if (f->prepared) return LEADSTORE_OK;
  if (!f->known)
    return ls__fail(err, LEADSTORE_EINTERNAL, "the database has no function %s: run `leadstore migrate`", op->name);
  char sql[2048];
  size_t n = (size_t)snprintf(sql, sizeof sql,
                              "WITH c AS (SELECT set_config('request.jwt.claims', $1, true), "
                              "set_config('leadstore.now', $2, true), set_config('leadstore.id_base', $3, true)) "
                              "SELECT public.%s(", op->name);
  for (int i = 0; i < f->nargs; i++)
    n += (size_t)snprintf(sql + n, sizeof sql - n, "%s%s => $%d::%s", i ? ", " : "", f->arg[i], i + FIXED_PARAMS + 1,
                          f->type[i]);
  snprintf(sql + n, sizeof sql - n, ")::text FROM c");
  PGresult *res = PQprepare(p->conn, op->name, sql, 0, NULL);
  int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? LEADSTORE_OK : pg_error(p, res, "preparing the call", err);
  PQclear(res);
  if (rc == LEADSTORE_OK) f->prepared = true;
  return rc;
}

/* The text libpq sends for a parameter value of SQL type `type`; NULL for SQL NULL. */
static char *param_text(const json_t *v, const char *type) {
  if (!v || json_is_null(v)) return NULL;
  if (strcmp(type, "jsonb") != 0 && strcmp(type, "json") != 0) {
    if (json_is_string(v)) return ls__strdup(json_string_value(v));
    if (json_is_real(v) && (!strcmp(type, "integer") || !strcmp(type, "bigint"))) { /* 10.0, validated integral */
      char buf[32];
      snprintf(buf, sizeof buf, "%lld", (long long)json_real_value(v));
      return ls__strdup(buf);
    }
    if (json_is_true(v)) return ls__strdup("true");
    if (json_is_false(v)) return ls__strdup("false");
  }
  /* 15 significant digits: the decimal the caller wrote, as the money code reads it */
  return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
}

/* The claims of the caller, as PostgREST would set them. */
static char *claims_of(const ls__call *c) {
  json_t *claims = c->org ? json_pack("{s:s, s:s}", "role", "authenticated", "organization_id", c->org)
                          : json_pack("{s:s}", "role", "service_role");
  char *text = claims ? json_dumps(claims, JSON_COMPACT) : NULL;
  json_decref(claims);
  return text;
}

/*
 * The injected clock and id generator of the open options, for the call's
 * transaction (`leadstore.now`, `leadstore.id_base`, read by ls_now() and
 * ls_new_id() of 0002): the call's timestamp when clock_us is set, one
 * new_uuid() per call when it is set (the functions count on from it); ""
 * (the server's clock, random ids) otherwise.  Fails the call on OOM.
 */
static int injected(leadstore *db, const ls__call *c, char *out[2], ls__error *err) {
  char id[37] = "";
  if (db->opts.new_uuid) ls__uuid_new(db, id);
  out[0] = ls__strdup(db->opts.clock_us ? c->now : "");
  out[1] = ls__strdup(id);
  if (out[0] && out[1]) return LEADSTORE_OK;
  ls__free(out[0]);
  ls__free(out[1]);
  return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
}

/*--- Calls --------------------------------------------------------------------------*/

static int pg_call(leadstore *db, const ls__call *c, char **result, ls__error *err) {
  ls__pg *p = db->impl;
  *result = NULL;
  int rc;
  if ((rc = ensure_connection(p, err)) || (rc = read_catalog(p, err)) || (rc = prepare(p, c->op, err))) return rc;
  pg_fn *f = &p->fn[c->op->id];
  char *values[FIXED_PARAMS + MAX_ARGS] = {0};
  values[0] = claims_of(c);
  if ((rc = injected(db, c, values + 1, err))) {
    ls__free(values[0]);
    return rc;
  }
  for (int i = 0; i < f->nargs; i++)
    values[i + FIXED_PARAMS] = param_text(json_object_get(c->params, f->arg[i]), f->type[i]);
  PGresult *res = PQexecPrepared(p->conn, c->op->name, f->nargs + FIXED_PARAMS, (const char *const *)values, NULL,
                                 NULL, 0);
  for (int i = 0; i < f->nargs + FIXED_PARAMS; i++) ls__free(values[i]);
  if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
    rc = pg_error(p, res, c->op->name, err);
    PQclear(res);
    return rc;
  }
  json_error_t jerr;
  json_t *r = json_loads(PQgetvalue(res, 0, 0), 0, &jerr);
  if (!r) {
    rc = ls__fail(err, LEADSTORE_EINTERNAL, "%s answered no JSON object: %s", c->op->name, jerr.text);
  } else if (json_is_true(json_object_get(r, "success"))) {
    *result = ls__result_text(r); /* the one spelling of both engines */
    rc = *result ? LEADSTORE_OK : ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  } else {
    const char *msg = json_string_value(json_object_get(r, "error"));
    rc = ls__fail(err, leadstore_status_from_sqlstate(json_string_value(json_object_get(r, "error_code"))), "%s",
                  msg ? msg : "the operation failed");
  }
  json_decref(r);
  PQclear(res);
  return rc;
}

/*--- check and count ------------------------------------------------------------------*/

static int pg_check(leadstore *db, json_t *report, ls__error *err) {
  ls__pg *p = db->impl;
  int rc = ensure_connection(p, err);
  if (rc) return rc;
  PGresult *res = PQexec(p->conn, "SELECT invariant, campaign_id::text, detail FROM ls_check()");
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    rc = pg_error(p, res, "check", err);
    PQclear(res);
    return rc;
  }
  for (int r = 0; rc == LEADSTORE_OK && r < PQntuples(res); r++)
    rc = ls__check_violation(report, atoi(PQgetvalue(res, r, 0)),
                             PQgetisnull(res, r, 1) ? NULL : PQgetvalue(res, r, 1), "%s", PQgetvalue(res, r, 2));
  PQclear(res);
  if (rc) return ls__fail(err, rc, "out of memory");
  res = PQexec(p->conn, "SELECT name, rows FROM ls_check_totals()");
  if (PQresultStatus(res) == PGRES_TUPLES_OK) {
    json_t *checked = json_object_get(report, "checked");
    for (int r = 0; r < PQntuples(res); r++)
      json_object_set_new(checked, PQgetvalue(res, r, 0), json_integer(atoll(PQgetvalue(res, r, 1))));
  } else {
    rc = pg_error(p, res, "check", err);
  }
  PQclear(res);
  return rc;
}

static int pg_count_rows(leadstore *db, const char *table, long long *out, ls__error *err) {
  ls__pg *p = db->impl;
  char sql[128]; /* `table` comes from the fixed list ls__tables, never from input */
  snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
  PGresult *res = PQexec(p->conn, sql);
  int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? LEADSTORE_OK : pg_error(p, res, "counting", err);
  if (rc == LEADSTORE_OK) *out = atoll(PQgetvalue(res, 0, 0));
  PQclear(res);
  return rc;
}

/*--- migrate -----------------------------------------------------------------------------*/

/* Runs one statement (or several, separated by ';') outside any result. */
static int exec(ls__pg *p, const char *sql, const char *what, ls__error *err) {
  PGresult *res = PQexec(p->conn, sql);
  ExecStatusType st = PQresultStatus(res);
  int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? LEADSTORE_OK : pg_error(p, res, what, err);
  PQclear(res);
  return rc;
}

static void sha256_hex(const char *text, char out[65]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL);
  for (unsigned i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The checksum recorded for a migration, "" when it never ran. */
static int applied_checksum(ls__pg *p, const char *name, char out[65], ls__error *err) {
  const char *values[1] = {name};
  PGresult *res = PQexecParams(p->conn, "SELECT checksum FROM leadstore_migrations WHERE name = $1", 1, NULL,
                               values, NULL, NULL, 0);
  int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? LEADSTORE_OK : pg_error(p, res, "reading migrations", err);
  out[0] = '\0';
  if (rc == LEADSTORE_OK && PQntuples(res) == 1) snprintf(out, 65, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  return rc;
}

/* Applies one migration in its own transaction and records it. */
static int apply(ls__pg *p, const char *name, const char *sql, const char *sum, ls__error *err) {
  int rc = exec(p, "BEGIN", name, err);
  if (rc == LEADSTORE_OK) rc = exec(p, sql, name, err);
  if (rc == LEADSTORE_OK) {
    const char *values[2] = {name, sum};
    PGresult *res = PQexecParams(p->conn,
                                 "INSERT INTO leadstore_migrations (name, checksum) VALUES ($1, $2) "
                                 "ON CONFLICT (name) DO UPDATE SET checksum = $2, applied_at = now()",
                                 2, NULL, values, NULL, NULL, 0);
    rc = PQresultStatus(res) == PGRES_COMMAND_OK ? LEADSTORE_OK : pg_error(p, res, name, err);
    PQclear(res);
  }
  if (rc == LEADSTORE_OK) rc = exec(p, "COMMIT", name, err);
  if (rc != LEADSTORE_OK) PQclear(PQexec(p->conn, "ROLLBACK"));
  return rc;
}

static int pg_migrate(leadstore *db, json_t *report, ls__error *err) {
  ls__pg *p = db->impl;
  int rc = ensure_connection(p, err);
  if (rc) return rc;
  /* one migrator at a time, across processes and machines */
  if ((rc = exec(p, "SELECT pg_advisory_lock(hashtextextended('leadstore migrate', 0))", "locking", err))) return rc;
  rc = exec(p,
            "SET client_min_messages = warning; "
            "CREATE TABLE IF NOT EXISTS leadstore_migrations (name text PRIMARY KEY, checksum text NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())",
            "creating leadstore_migrations", err);
  json_t *applied = json_object_get(report, "applied");
  for (size_t i = 0; rc == LEADSTORE_OK && i < sizeof ls__pg_migrations / sizeof ls__pg_migrations[0]; i++) {
    const char *name = ls__pg_migrations[i].name, *sql = ls__pg_migrations[i].sql;
    char sum[65], had[65];
    sha256_hex(sql, sum);
    if ((rc = applied_checksum(p, name, had, err))) break;
    if (!strcmp(had, sum)) continue;
    if (had[0] && !ls__pg_migrations[i].repeatable) {
      rc = ls__fail(err, LEADSTORE_EINVAL, "migration %s changed after it was applied", name);
      break;
    }
    if ((rc = apply(p, name, sql, sum, err))) break;
    json_array_append_new(applied, json_string(name));
  }
  if (rc == LEADSTORE_OK && json_array_size(applied) > 0)
    rc = exec(p, "SELECT ls_apply_grants()", "granting", err);
  PQclear(PQexec(p->conn, "SELECT pg_advisory_unlock(hashtextextended('leadstore migrate', 0))"));
  p->catalog_read = false; /* functions may have changed */
  for (int i = 0; i < LS_OP__COUNT; i++) p->fn[i].prepared = false;
  PQclear(PQexec(p->conn, "DEALLOCATE ALL"));
  return rc;
}

/*--- open and close -------------------------------------------------------------------------*/

static void pg_close(leadstore *db) {
  ls__pg *p = db->impl;
  if (!p) return;
  PQfinish(p->conn);
  ls__free(p->target);
  ls__free(p);
  db->impl = NULL;
}

static int pg_open(leadstore *db, const char *target, ls__error *err) {
  ls__pg *p = ls__malloc(sizeof *p);
  if (!p) return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  memset(p, 0, sizeof *p);
  db->impl = p;
  p->target = ls__strdup(target);
  p->conn = PQconnectdb(target);
  if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
    char msg[400];
    snprintf(msg, sizeof msg, "%s", p->conn ? PQerrorMessage(p->conn) : "out of memory");
    msg[strcspn(msg, "\n")] = '\0';
    pg_close(db);
    return ls__fail(err, LEADSTORE_ECONNECTION, "cannot connect to PostgreSQL: %s", msg);
  }
  PQclear(PQexec(p->conn, "SET client_min_messages = warning"));
  return LEADSTORE_OK;
}

const ls__engine ls__pg_engine = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .call = pg_call,
    .check = pg_check,
    .count_rows = pg_count_rows,
    .migrate = pg_migrate,
};
