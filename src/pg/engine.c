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
 * this file and adopt.c (through pg.h) include libpq-fe.h.
 *
 * Fail closed: every value of a call (the claims, each parameter) is built
 * before anything is sent, and an allocation that failed on the way — or a
 * parameter the database's function does not take — fails the call without
 * sending it: a caller is never sent as "no claims" (which the functions
 * read as service_role), and no parameter (p_request_id) is ever dropped.
 *
 * Timeouts: every connection gets a lock_timeout (the busy_timeout_ms
 * option) and a statement_timeout (statement_timeout_ms) — see
 * session_timeouts(); a call that hits one fails as 55P03 / 57014, retry
 * recommended.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "pg.h"

#include "pg_migrations.h"

enum { FIXED_PARAMS = 3 /* $1 claims, $2 leadstore.now, $3 leadstore.id_base; then the arguments */ };

typedef struct pg_fn {
  bool known;                  /* the catalog has the function */
  bool prepared;               /* prepared on this connection */
  int nargs;
  char **arg;                  /* nargs argument names, in order (ls__malloc'd) */
  char **type;                 /* their SQL types: text, integer, jsonb … */
} pg_fn;

typedef struct ls__pg {
  PGconn *conn;
  char *target;
  bool catalog_read;           /* the functions' signatures are known */
  char lock_timeout[24];       /* the session's settings for calls (milliseconds, or as */
  char statement_timeout[24];  /* the server set them), re-applied after a reconnect */
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
  if (!msg) msg = "";
  return ls__fail(err, code, "%s: %.*s", what, (int)strcspn(msg, "\n"), msg); /* its first line */
}

/* Sets the session's lock_timeout and statement_timeout (text in
 * milliseconds, "0" = none). */
static int set_timeouts(ls__pg *p, const char *lock, const char *statement, ls__error *err) {
  const char *values[2] = {lock, statement};
  PGresult *res = PQexecParams(p->conn,
                               "SELECT set_config('lock_timeout', $1, false), "
                               "       set_config('statement_timeout', $2, false)",
                               2, NULL, values, NULL, NULL, 0);
  int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? LEADSTORE_OK : pg_error(p, res, "setting the timeouts", err);
  PQclear(res);
  return rc;
}

/*
 * Decides the session's timeouts for calls, once per handle: an option the
 * caller set (busy_timeout_ms > 0 → lock_timeout; statement_timeout_ms ≠ 0 →
 * statement_timeout, < 0 = none) always applies; a default (10 s, 30 s)
 * applies only where the session has none of its own (from the connection
 * string's `options`, or ALTER ROLE / DATABASE … SET).
 */
static int session_timeouts(leadstore *db, ls__pg *p, ls__error *err) {
  PGresult *res = PQexec(p->conn, "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')");
  if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
    int rc = pg_error(p, res, "reading the timeouts", err);
    PQclear(res);
    return rc;
  }
  const char *lock = PQgetvalue(res, 0, 0), *statement = PQgetvalue(res, 0, 1);
  int stmt_ms = db->opts.statement_timeout_ms;
  if (db->busy_timeout_set || !strcmp(lock, "0"))
    snprintf(p->lock_timeout, sizeof p->lock_timeout, "%d", db->opts.busy_timeout_ms);
  else
    snprintf(p->lock_timeout, sizeof p->lock_timeout, "%.*s", (int)sizeof p->lock_timeout - 1, lock);
  if (stmt_ms != 0 || !strcmp(statement, "0"))
    snprintf(p->statement_timeout, sizeof p->statement_timeout, "%d", stmt_ms < 0 ? 0 : stmt_ms ? stmt_ms : 30000);
  else
    snprintf(p->statement_timeout, sizeof p->statement_timeout, "%.*s", (int)sizeof p->statement_timeout - 1,
             statement);
  PQclear(res);
  return set_timeouts(p, p->lock_timeout, p->statement_timeout, err);
}

/*
 * Maps a connection that failed to the error table: a server that answered
 * with the SQLSTATE of a configuration error (no such database, no such role,
 * a wrong password: the aliases of rules.c) is ECONFIG, which a retry cannot
 * fix; anything else (no answer, too many connections, starting up) is
 * ECONNECTION, retry recommended.  The SQLSTATE is read from the message of a
 * connection made with verbose errors ("FATAL:  3D000: database …"), since
 * libpq keeps no error fields for a failed connection; it is then removed
 * from the message.  The target in the message has its password masked.
 */
static int connect_failure(ls__pg *p, const char *what, ls__error *err) {
  const char *msg = p->conn ? PQerrorMessage(p->conn) : "out of memory";
  size_t line = strcspn(msg, "\n"), cut = 0, cut_len = 0;
  char state[6] = "";
  for (const char *q = strstr(msg, ":  "); q && (size_t)(q - msg) < line; q = strstr(q + 3, ":  ")) {
    size_t n = strspn(q + 3, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    if (n == 5 && q[8] == ':' && q[9] == ' ') {
      memcpy(state, q + 3, 5);
      cut = (size_t)(q + 3 - msg), cut_len = 7; /* "3D000: " */
      break;
    }
  }
  int code = state[0] && leadstore_status_from_sqlstate(state) == LEADSTORE_ECONFIG ? LEADSTORE_ECONFIG
                                                                                   : LEADSTORE_ECONNECTION;
  char *target = NULL;
  leadstore_target_masked(p->target, &target);
  if (!cut_len) cut = line;
  ls__fail(err, code, "%s %s: %.*s%.*s", what, target ? target : "", (int)cut, msg,
           (int)(line > cut + cut_len ? line - cut - cut_len : 0), msg + cut + cut_len);
  ls__free(target);
  return code;
}

/* Reconnects when the connection broke; prepared statements and session
 * settings go with it, and the timeouts are set again. */
static int ensure_connection(ls__pg *p, ls__error *err) {
  if (PQstatus(p->conn) == CONNECTION_OK) return LEADSTORE_OK;
  PQsetErrorVerbosity(p->conn, PQERRORS_VERBOSE); /* the SQLSTATE of a refusal, for connect_failure */
  PQreset(p->conn);
  PQsetErrorVerbosity(p->conn, PQERRORS_DEFAULT);
  for (int i = 0; i < LS_OP__COUNT; i++) p->fn[i].prepared = false;
  if (PQstatus(p->conn) != CONNECTION_OK) return connect_failure(p, "cannot reach PostgreSQL at", err);
  PQclear(PQexec(p->conn, "SET client_min_messages = warning"));
  return set_timeouts(p, p->lock_timeout, p->statement_timeout, err);
}

/*
 * Connects to the target like PQconnectdb, but with verbose errors so that a
 * refusal carries its SQLSTATE (connect_failure); connect_timeout (seconds,
 * at least 2, as libpq counts it) bounds the whole attempt.  OK, or the
 * failure's status with err filled.
 */
static int connect_verbose(ls__pg *p, ls__error *err) {
  p->conn = PQconnectStart(p->target);
  if (!p->conn) return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  if (PQstatus(p->conn) == CONNECTION_BAD) return connect_failure(p, "cannot connect to PostgreSQL at", err);
  PQsetErrorVerbosity(p->conn, PQERRORS_VERBOSE);
  int timeout_ms = -1;
  PQconninfoOption *info = PQconninfo(p->conn);
  for (PQconninfoOption *o = info; o && o->keyword; o++)
    if (!strcmp(o->keyword, "connect_timeout") && o->val && atoi(o->val) > 0)
      timeout_ms = (atoi(o->val) < 2 ? 2 : atoi(o->val)) * 1000;
  PQconninfoFree(info);
  PostgresPollingStatusType st = PGRES_POLLING_WRITING;
  while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
    struct pollfd fd = {PQsocket(p->conn), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, 0};
    int ready = poll(&fd, 1, timeout_ms);
    if (ready == 0) {
      char *target = NULL;
      leadstore_target_masked(p->target, &target);
      ls__fail(err, LEADSTORE_ECONNECTION, "cannot connect to PostgreSQL at %s: timeout expired", target ? target : "");
      ls__free(target);
      return LEADSTORE_ECONNECTION;
    }
    if (ready < 0 && errno != EINTR) break;
    st = PQconnectPoll(p->conn);
  }
  PQsetErrorVerbosity(p->conn, PQERRORS_DEFAULT);
  return PQstatus(p->conn) == CONNECTION_OK ? LEADSTORE_OK : connect_failure(p, "cannot connect to PostgreSQL at", err);
}

/*--- Catalog and statements ------------------------------------------------------*/

/* Forgets what the catalog said of one function. */
static void fn_clear(pg_fn *f) {
  for (int i = 0; i < f->nargs; i++) {
    ls__free(f->arg[i]);
    ls__free(f->type[i]);
  }
  ls__free(f->arg);
  ls__free(f->type);
  *f = (pg_fn){0};
}

/* Reads every operation function's argument names and types, once per connection:
 * one row per argument, in order (a function without arguments has one row of NULLs). */
static int read_catalog(ls__pg *p, ls__error *err) {
  if (p->catalog_read) return LEADSTORE_OK;
  for (int i = 0; i < LS_OP__COUNT; i++) fn_clear(&p->fn[i]);
  PGresult *res = PQexec(p->conn,
                         "SELECT p.proname, p.oid, a.name, format_type(a.type, NULL) "
                         "  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                         "  LEFT JOIN LATERAL unnest(p.proargnames, p.proargtypes::oid[]) WITH ORDINALITY "
                         "       AS a(name, type, ord) ON true "
                         " WHERE n.nspname = 'public' AND p.prorettype = 'jsonb'::regtype "
                         "   AND p.proname IN (SELECT name FROM ls_operations) "
                         " ORDER BY p.proname, p.oid, a.ord");
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    int rc = pg_error(p, res, "reading the leadstore functions (has `leadstore migrate` run?)", err);
    PQclear(res);
    return rc;
  }
  int rc = LEADSTORE_OK, rows = PQntuples(res);
  for (int r = 0; rc == LEADSTORE_OK && r < rows;) {
    /* the rows of one function: r .. end-1 */
    int end = r + 1;
    while (end < rows && !strcmp(PQgetvalue(res, end, 1), PQgetvalue(res, r, 1))) end++;
    const ls__op *op = ls__op_find(PQgetvalue(res, r, 0));
    if (op) {
      pg_fn *f = &p->fn[op->id];
      fn_clear(f); /* a second signature of one name: calls then fail as "not unique" */
      int n = PQgetisnull(res, r, 2) ? 0 : end - r;
      f->arg = ls__malloc(sizeof *f->arg * (size_t)n);
      f->type = ls__malloc(sizeof *f->type * (size_t)n);
      if (!f->arg || !f->type) rc = ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
      for (int i = 0; rc == LEADSTORE_OK && i < n; i++) {
        f->arg[i] = ls__strdup(PQgetvalue(res, r + i, 2));
        f->type[i] = ls__strdup(PQgetvalue(res, r + i, 3));
        f->nargs = i + 1;
        if (!f->arg[i] || !f->type[i]) rc = ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
      }
      f->known = rc == LEADSTORE_OK;
    }
    r = end;
  }
  PQclear(res);
  if (rc) {
    for (int i = 0; i < LS_OP__COUNT; i++) fn_clear(&p->fn[i]);
    return rc;
  }
  p->catalog_read = true;
  return LEADSTORE_OK;
}

/* Prepares the call statement of `op` (statement name = the operation's name). */
static int prepare(ls__pg *p, const ls__op *op, ls__error *err) {
  pg_fn *f = &p->fn[op->id];
  if (f->prepared) return LEADSTORE_OK;
  if (!f->known)
    return ls__fail(err, LEADSTORE_EINTERNAL, "the database has no function %s: run `leadstore migrate`", op->name);
  ls__sb sql = LS__SB_INIT;
  ls__sb_printf(&sql,
                "WITH c AS (SELECT set_config('request.jwt.claims', $1, true), "
                "set_config('leadstore.now', $2, true), set_config('leadstore.id_base', $3, true)) "
                "SELECT public.%s(",
                op->name);
  for (int i = 0; i < f->nargs; i++)
    ls__sb_printf(&sql, "%s%s => $%d::%s", i ? ", " : "", f->arg[i], i + FIXED_PARAMS + 1, f->type[i]);
  ls__sb_printf(&sql, ")::text FROM c");
  char *text = ls__sb_take(&sql);
  if (!text) return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  PGresult *res = PQprepare(p->conn, op->name, text, 0, NULL);
  ls__free(text);
  int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? LEADSTORE_OK : pg_error(p, res, "preparing the call", err);
  PQclear(res);
  if (rc == LEADSTORE_OK) f->prepared = true;
  return rc;
}

/* The text libpq sends for a parameter value of SQL type `type` into *out:
 * NULL for SQL NULL (absent or JSON null).  EINTERNAL when memory ran out. */
static int param_text(const json_t *v, const char *type, char **out, ls__error *err) {
  *out = NULL;
  if (!v || json_is_null(v)) return LEADSTORE_OK;
  if (strcmp(type, "jsonb") != 0 && strcmp(type, "json") != 0) {
    if (json_is_string(v)) *out = ls__strdup(json_string_value(v));
    else if (json_is_real(v) && (!strcmp(type, "integer") || !strcmp(type, "bigint"))) { /* 10.0, validated integral */
      char buf[32];
      snprintf(buf, sizeof buf, "%lld", (long long)json_real_value(v));
      *out = ls__strdup(buf);
    } else if (json_is_boolean(v)) *out = ls__strdup(json_is_true(v) ? "true" : "false");
  }
  /* 15 significant digits: the decimal the caller wrote, as the money code reads it */
  if (!*out) *out = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
  return *out ? LEADSTORE_OK : ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
}

/* The claims of the caller, as PostgREST would set them, into *out; never
 * NULL on success (no claims would act as service_role). */
static int claims_of(const ls__call *c, char **out, ls__error *err) {
  *out = NULL;
  if (c->role == LEADSTORE_ROLE_AUTHENTICATED && !c->org) /* resolve_caller forbids it; fail closed */
    return ls__fail(err, LEADSTORE_EFORBIDDEN, "an authenticated caller needs the UUID of its organization");
  if (c->role != LEADSTORE_ROLE_AUTHENTICATED && c->role != LEADSTORE_ROLE_SERVICE)
    return ls__fail(err, LEADSTORE_EFORBIDDEN, "the anon role may not call operations");
  json_t *claims = c->role == LEADSTORE_ROLE_AUTHENTICATED
                       ? json_pack("{s:s, s:s}", "role", "authenticated", "organization_id", c->org)
                       : json_pack("{s:s}", "role", "service_role");
  *out = claims ? json_dumps(claims, JSON_COMPACT) : NULL;
  json_decref(claims);
  return *out ? LEADSTORE_OK : ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
}

/* Fails when the call carries a parameter the database's function does not
 * take (a database older than the library): it would be dropped silently. */
static int check_params_known(const pg_fn *f, const ls__call *c, ls__error *err) {
  const char *key;
  json_t *v;
  json_object_foreach(c->params, key, v) {
    int i = 0;
    while (i < f->nargs && strcmp(f->arg[i], key)) i++;
    if (i == f->nargs)
      return ls__fail(err, LEADSTORE_EINTERNAL, "the database's function %s has no parameter %s: run `leadstore migrate`",
                      c->op->name, key);
  }
  return LEADSTORE_OK;
}

/*
 * The injected clock and id generator of the open options, for the call's
 * transaction (`leadstore.now`, `leadstore.id_base`, read by ls_now() and
 * ls_new_id() of 0002): the call's timestamp when clock_us is set, one
 * new_uuid() per call when it is set (the functions count on from it); ""
 * (the server's clock, random ids) otherwise.  Fails the call on OOM; the
 * caller frees out[0..1] whatever the outcome.
 */
static int injected(leadstore *db, const ls__call *c, char *out[2], ls__error *err) {
  char id[37] = "";
  if (db->opts.new_uuid) ls__uuid_new(db, id);
  out[0] = ls__strdup(db->opts.clock_us ? c->now : "");
  out[1] = ls__strdup(id);
  return out[0] && out[1] ? LEADSTORE_OK : ls__fail(err, LEADSTORE_EINTERNAL, "out of memory"); /* the caller frees */
}

/*--- Calls --------------------------------------------------------------------------*/

/* Builds values[0..FIXED_PARAMS + nargs) (claims, the injected clock and
 * ids, then each argument); on failure nothing may be sent.  The caller
 * frees every value whatever the outcome. */
static int call_values(leadstore *db, const pg_fn *f, const ls__call *c, char **values, ls__error *err) {
  unsigned long failures = ls__alloc_failures();
  int rc = check_params_known(f, c, err);
  if (rc == LEADSTORE_OK) rc = claims_of(c, &values[0], err);
  if (rc == LEADSTORE_OK) rc = injected(db, c, values + 1, err);
  for (int i = 0; rc == LEADSTORE_OK && i < f->nargs; i++)
    rc = param_text(json_object_get(c->params, f->arg[i]), f->type[i], &values[i + FIXED_PARAMS], err);
  /* a builder may swallow a failed allocation and still answer text */
  if (rc == LEADSTORE_OK && ls__alloc_failures() != failures) rc = ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  return rc;
}

static int pg_call(leadstore *db, const ls__call *c, char **result, ls__error *err) {
  ls__pg *p = db->impl;
  *result = NULL;
  int rc;
  unsigned long failures = ls__alloc_failures();
  if (db->snapshot && PQstatus(p->conn) != CONNECTION_OK)
    return ls__fail(err, LEADSTORE_ECONNECTION, "the connection was lost inside a read snapshot");
  if ((rc = ensure_connection(p, err)) || (rc = read_catalog(p, err)) || (rc = prepare(p, c->op, err))) return rc;
  pg_fn *f = &p->fn[c->op->id];
  int nvalues = f->nargs + FIXED_PARAMS;
  char **values = ls__malloc(sizeof *values * (size_t)nvalues);
  if (!values) return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  memset(values, 0, sizeof *values * (size_t)nvalues);
  rc = call_values(db, f, c, values, err);
  PGresult *res = rc ? NULL : PQexecPrepared(p->conn, c->op->name, nvalues, (const char *const *)values, NULL, NULL, 0);
  for (int i = 0; i < nvalues; i++) ls__free(values[i]);
  ls__free(values);
  if (rc) return rc;
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
    /* jansson may carry on past a failed allocation with a shortened string: a read
     * then answers nothing rather than a text that may have been cut (a write has
     * committed by now; its answer is what there is) */
    if (rc == LEADSTORE_OK && c->op->kind == LS_OP_READ && ls__alloc_failures() != failures) {
      ls__free(*result);
      *result = NULL;
      rc = ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
    }
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

/* check and migrate are an operator's long statements: no statement
 * timeout while they run (the lock timeout stays); the call's again after. */
static int lift_statement_timeout(ls__pg *p, ls__error *err) {
  int rc = ensure_connection(p, err);
  return rc ? rc : set_timeouts(p, p->lock_timeout, "0", err);
}

static int restore_timeouts(ls__pg *p, int rc) {
  ls__error ignored = {0};
  if (PQstatus(p->conn) == CONNECTION_OK) set_timeouts(p, p->lock_timeout, p->statement_timeout, &ignored);
  return rc;
}

static int run_check(ls__pg *p, json_t *report, ls__error *err);

static int apply_pending(ls__pg *p, bool inside, json_t *applied, ls__error *err);
static int exec(ls__pg *p, const char *sql, const char *what, ls__error *err);

/* Whether leadstore's schema is recorded but its functions are gone
 * (`leadstore uninstall` ran). */
static bool uninstalled(ls__pg *p) {
  PGresult *res = PQexec(p->conn, "SELECT to_regprocedure('public.ls_check()') IS NULL "
                                  "AND to_regclass('public.leadstore_migrations') IS NOT NULL");
  bool gone = PQresultStatus(res) == PGRES_TUPLES_OK && PQgetvalue(res, 0, 0)[0] == 't';
  PQclear(res);
  if (!gone) return false;
  const char *first = ls__pg_migrations[0].name;
  res = PQexecParams(p->conn, "SELECT 1 FROM leadstore_migrations WHERE name = $1", 1, NULL, &first, NULL, NULL, 0);
  gone = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
  PQclear(res);
  return gone;
}

/* After `leadstore uninstall` the check still runs: it installs the
 * functions in a transaction that it rolls back. */
static int check_uninstalled(ls__pg *p, json_t *report, ls__error *err) {
  json_t *applied = json_array();
  int rc = applied ? exec(p, "BEGIN", "check", err) : ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  if (rc == LEADSTORE_OK) rc = apply_pending(p, true, applied, err);
  if (rc == LEADSTORE_OK) rc = run_check(p, report, err);
  PQclear(PQexec(p->conn, "ROLLBACK"));
  json_decref(applied);
  return rc;
}

static int pg_check(leadstore *db, json_t *report, ls__error *err) {
  ls__pg *p = db->impl;
  int rc = lift_statement_timeout(p, err);
  if (rc) return rc;
  return restore_timeouts(p, uninstalled(p) ? check_uninstalled(p, report, err) : run_check(p, report, err));
}

static int run_check(ls__pg *p, json_t *report, ls__error *err) {
  int rc = LEADSTORE_OK;
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

/* The checksum migrate records for a migration: SHA-256 of its embedded text, in hex. */
static void sha256_hex(const char *text, char out[65]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL);
  for (unsigned i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
}

size_t ls__pg_migration_count(void) { return sizeof ls__pg_migrations / sizeof ls__pg_migrations[0]; }

const char *ls__pg_migration(size_t i, const char **sql, bool *repeatable, char checksum[65]) {
  if (i >= ls__pg_migration_count()) return NULL;
  if (sql) *sql = ls__pg_migrations[i].sql;
  if (repeatable) *repeatable = ls__pg_migrations[i].repeatable != 0;
  if (checksum) sha256_hex(ls__pg_migrations[i].sql, checksum);
  return ls__pg_migrations[i].name;
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

/* Applies one migration and records it, in its own transaction unless
 * `inside` (the caller's transaction: adopt.c). */
static int apply(ls__pg *p, const char *name, const char *sql, const char *sum, bool inside, ls__error *err) {
  int rc = inside ? LEADSTORE_OK : exec(p, "BEGIN", name, err);
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
  if (inside) return rc;
  if (rc == LEADSTORE_OK) rc = exec(p, "COMMIT", name, err);
  if (rc != LEADSTORE_OK) PQclear(PQexec(p->conn, "ROLLBACK"));
  return rc;
}

/* The pending migrations applied in order (see run_migrations), their names
 * added to `applied`; then the grants again when any was. */
static int apply_pending(ls__pg *p, bool inside, json_t *applied, ls__error *err) {
  int rc = LEADSTORE_OK;
  size_t before = json_array_size(applied);
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
    if ((rc = apply(p, name, sql, sum, inside, err))) break;
    json_array_append_new(applied, json_string(name));
  }
  if (rc == LEADSTORE_OK && json_array_size(applied) > before)
    rc = exec(p, "SELECT ls_apply_grants()", "granting", err);
  return rc;
}

int ls__pg_apply_pending(leadstore *db, json_t *applied, ls__error *err) {
  return apply_pending(db->impl, true, applied, err);
}

static int run_migrations(ls__pg *p, json_t *report, ls__error *err);

static int pg_migrate(leadstore *db, json_t *report, ls__error *err) {
  ls__pg *p = db->impl;
  int rc = lift_statement_timeout(p, err);
  return rc ? rc : restore_timeouts(p, run_migrations(p, report, err));
}

static int run_migrations(ls__pg *p, json_t *report, ls__error *err) {
  int rc;
  /* one migrator at a time, across processes and machines: the next one
   * waits for as long as the first takes (no lock timeout on that wait) */
  if ((rc = set_timeouts(p, "0", "0", err)) ||
      (rc = exec(p, "SELECT pg_advisory_lock(" LS__PG_MIGRATE_LOCK ")", "locking", err)))
    return rc;
  rc = set_timeouts(p, p->lock_timeout, "0", err);
  if (rc == LEADSTORE_OK)
    rc = exec(p,
              "SET client_min_messages = warning; " LS__PG_MIGRATIONS_TABLE,
              "creating leadstore_migrations", err);
  if (rc == LEADSTORE_OK) rc = apply_pending(p, false, json_object_get(report, "applied"), err);
  PQclear(PQexec(p->conn, "SELECT pg_advisory_unlock(" LS__PG_MIGRATE_LOCK ")"));
  p->catalog_read = false; /* functions may have changed */
  for (int i = 0; i < LS_OP__COUNT; i++) p->fn[i].prepared = false;
  PQclear(PQexec(p->conn, "DEALLOCATE ALL"));
  return rc;
}

/*--- the operator's whole-database commands (adopt.c) ----------------------------------*/

PGconn *ls__pg_admin_begin(leadstore *db, ls__error *err) {
  ls__pg *p = db->impl;
  return lift_statement_timeout(p, err) == LEADSTORE_OK ? p->conn : NULL;
}

int ls__pg_admin_end(leadstore *db, int rc) {
  ls__pg *p = db->impl;
  p->catalog_read = false;
  for (int i = 0; i < LS_OP__COUNT; i++) p->fn[i].prepared = false;
  PQclear(PQexec(p->conn, "DEALLOCATE ALL"));
  return restore_timeouts(p, rc);
}

int ls__pg_fail(leadstore *db, PGresult *res, const char *what, ls__error *err) {
  return pg_error(db->impl, res, what, err);
}

/*--- open and close -------------------------------------------------------------------------*/

static void pg_close(leadstore *db) {
  ls__pg *p = db->impl;
  if (!p) return;
  PQfinish(p->conn);
  for (int i = 0; i < LS_OP__COUNT; i++) fn_clear(&p->fn[i]);
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
  if (!p->target) {
    pg_close(db);
    return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  }
  int rc = connect_verbose(p, err);
  if (rc) {
    pg_close(db);
    return rc;
  }
  PQclear(PQexec(p->conn, "SET client_min_messages = warning"));
  rc = session_timeouts(db, p, err);
  if (rc) pg_close(db);
  return rc;
}

bool ls__pg_target_is_conninfo(const char *target) {
  char *why = NULL;
  PQconninfoOption *opts = PQconninfoParse(target, &why);
  PQfreemem(why);
  bool any = false;
  for (PQconninfoOption *o = opts; o && o->keyword; o++) any = any || (o->val && *o->val);
  PQconninfoFree(opts);
  return any;
}

/* A read snapshot: one REPEATABLE READ, READ ONLY transaction (its first statement takes
 * the snapshot); ended with a rollback.  Inside it a lost connection is a failure, never
 * a silent reconnect (pg_call). */
static int pg_snapshot(leadstore *db, bool begin, ls__error *err) {
  ls__pg *p = db->impl;
  if (!begin) {
    PQclear(PQexec(p->conn, "ROLLBACK"));
    return LEADSTORE_OK;
  }
  int rc = ensure_connection(p, err);
  if (!rc) rc = exec(p, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT 1", "a read snapshot", err);
  if (rc) PQclear(PQexec(p->conn, "ROLLBACK"));
  return rc;
}

const ls__engine ls__pg_engine = {
    .snapshot = pg_snapshot,
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .call = pg_call,
    .check = pg_check,
    .count_rows = pg_count_rows,
    .migrate = pg_migrate,
    .adopt = ls__pg_adopt,
    .uninstall = ls__pg_uninstall,
    .repair = ls__pg_repair,
};
