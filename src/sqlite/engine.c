/*
 * engine.c — the embedded engine: an SQLite file, opened in WAL mode with
 * foreign keys on and a busy timeout so several processes can share it.
 *
 * Durability: synchronous=FULL by default, so with WAL every commit is
 * fsync'ed before the call answers success and survives power loss;
 * LEADSTORE_DURABLE_NORMAL (`--durability normal`) trades the last commits
 * on power loss for speed (a crash of the process still loses nothing).
 *
 * Every call is one transaction: BEGIN IMMEDIATE (writes take the write lock
 * up front, so two writers never both read and then fight) or BEGIN (reads:
 * one consistent snapshot); the idempotency lookup, the handler and the
 * idempotency record run inside it; any failure, including an allocation
 * that failed anywhere during the call, rolls it all back.
 *
 * Statements come from sql/sqlite/queries.sql and are prepared once per
 * connection, on first use, with SQLITE_PREPARE_PERSISTENT.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sq.h"
#include "strbuf.h"

#include "sqlite_schema.h"

static const char *const query_sql[SQ__COUNT] = {
#define LS_SQ_QUERY(name, sql) [SQ_##name] = sql,
#include "sqlite_queries.h"
#undef LS_SQ_QUERY
};

static const char *const query_name[SQ__COUNT] = {
#define LS_SQ_QUERY(name, sql) [SQ_##name] = #name,
#include "sqlite_queries.h"
#undef LS_SQ_QUERY
};

static const ls__sq_handler handlers[LS_OP__COUNT] = {
#define LS_OP(name, kind, summary, returns) [LS_OP_##name] = ls__sq_##name,
#include "../ops.def"
#undef LS_OP
};

/*--- Errors -----------------------------------------------------------------*/

int ls__sq_error(ls__sq *s, int rc, ls__error *err) {
  const char *msg = s && s->conn ? sqlite3_errmsg(s->conn) : sqlite3_errstr(rc);
  switch (rc) {
  case SQLITE_BUSY:
  case SQLITE_BUSY_SNAPSHOT:
  case SQLITE_BUSY_RECOVERY:
  case SQLITE_LOCKED:
  case SQLITE_LOCKED_SHAREDCACHE:
    return ls__fail(err, LEADSTORE_ELOCKTIMEOUT, "the database is busy: %s", msg);
  case SQLITE_INTERRUPT:
    return ls__fail(err, LEADSTORE_ESTMTTIMEOUT, "the statement was interrupted: %s", msg);
  case SQLITE_CONSTRAINT_UNIQUE:
  case SQLITE_CONSTRAINT_PRIMARYKEY:
    return ls__fail(err, leadstore_status_from_sqlstate("23505"), "duplicate: %s", msg);
  case SQLITE_CONSTRAINT_FOREIGNKEY: /* the constraints as the SQLSTATEs PostgreSQL raises (rules.c) */
    return ls__fail(err, leadstore_status_from_sqlstate("23503"), "a referenced row does not exist: %s", msg);
  case SQLITE_CONSTRAINT_CHECK:
    return ls__fail(err, leadstore_status_from_sqlstate("23514"), "a value is out of range: %s", msg);
  case SQLITE_CONSTRAINT_NOTNULL:
    return ls__fail(err, leadstore_status_from_sqlstate("23502"), "a value is out of range: %s", msg);
  case SQLITE_NOMEM:
    return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  default:
    return ls__fail(err, LEADSTORE_EINTERNAL, "database error %d: %s", rc, msg);
  }
}

/*--- Statements ---------------------------------------------------------------*/

sqlite3_stmt *ls__sq_stmt(ls__sq *s, sq_query q, ls__error *err) {
  sqlite3_stmt *st = s->stmts[q];
  s->bind_failed = SQLITE_OK;
  if (st) {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
  }
  int rc = sqlite3_prepare_v3(s->conn, query_sql[q], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
  if (rc != SQLITE_OK) {
    ls__sq_error(s, rc, err);
    size_t len = strlen(err->msg);
    snprintf(err->msg + len, sizeof err->msg - len, " (preparing %s)", query_name[q]);
    sqlite3_finalize(st);
    return NULL;
  }
  s->stmts[q] = st;
  return st;
}

static void bound(ls__sq *s, int rc) {
  if (rc != SQLITE_OK && s->bind_failed == SQLITE_OK) s->bind_failed = rc;
}

void ls__sq_text(ls__sq *s, sqlite3_stmt *st, int i, const char *v) {
  bound(s, v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i));
}

void ls__sq_int(ls__sq *s, sqlite3_stmt *st, int i, int64_t v) { bound(s, sqlite3_bind_int64(st, i, v)); }

void ls__sq_real(ls__sq *s, sqlite3_stmt *st, int i, double v) { bound(s, sqlite3_bind_double(st, i, v)); }

void ls__sq_null(ls__sq *s, sqlite3_stmt *st, int i) { bound(s, sqlite3_bind_null(st, i)); }

void ls__sq_flag(ls__sq *s, sqlite3_stmt *st, int i, int flag) {
  bound(s, flag < 0 ? sqlite3_bind_null(st, i) : sqlite3_bind_int(st, i, flag));
}

void ls__sq_json(ls__sq *s, sqlite3_stmt *st, int i, const json_t *v) {
  if (!v || json_is_null(v)) {
    bound(s, sqlite3_bind_null(st, i));
    return;
  }
  char *text = ls__json_dump(v);
  if (!text) {
    bound(s, SQLITE_NOMEM);
    return;
  }
  bound(s, sqlite3_bind_text(st, i, text, -1, ls__free));
}

void ls__sq_param(ls__sq *s, sqlite3_stmt *st, int i, const json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v)) ls__sq_null(s, st, i);
  else if (json_is_string(v)) ls__sq_text(s, st, i, json_string_value(v));
  else if (json_is_integer(v)) ls__sq_int(s, st, i, json_integer_value(v));
  else if (json_is_real(v)) ls__sq_real(s, st, i, json_real_value(v));
  else if (json_is_boolean(v)) ls__sq_int(s, st, i, json_is_true(v));
  else ls__sq_json(s, st, i, v);
}

int ls__sq_step(ls__sq *s, sqlite3_stmt *st, ls__error *err) {
  if (s->bind_failed != SQLITE_OK) {
    ls__sq_error(s, s->bind_failed, err);
    return -1;
  }
  if (ls__fault_step()) {
    ls__fail(err, LEADSTORE_EINTERNAL, "injected fault at statement step %ld",
             ls__active_faults ? ls__active_faults->steps : 0L);
    return -1;
  }
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW || rc == SQLITE_DONE) return rc;
  rc = sqlite3_extended_errcode(s->conn);
  sqlite3_reset(st);
  ls__sq_error(s, rc, err);
  return -1;
}

int ls__sq_exec(ls__sq *s, sqlite3_stmt *st, ls__error *err) {
  int rc = ls__sq_step(s, st, err);
  if (rc < 0) return err->code;
  sqlite3_reset(st);
  return LEADSTORE_OK;
}

int ls__sq_row(ls__sq *s, sqlite3_stmt *st, ls__error *err) {
  int rc = ls__sq_step(s, st, err);
  if (rc < 0) return err->code;
  return rc == SQLITE_ROW ? LEADSTORE_OK : LEADSTORE_ENOTFOUND;
}

int ls__sq_must_row(ls__sq *s, sqlite3_stmt *st, ls__error *err) {
  int rc = ls__sq_row(s, st, err);
  if (rc == LEADSTORE_ENOTFOUND) return ls__fail(err, LEADSTORE_EINTERNAL, "a statement returned no row");
  return rc;
}

const char *ls__sq_col_text(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

/* How column i is read: 'm' MONEY_INT, 'b' BOOL_INT, 'j' JSON_TEXT, else 0 (by its value's type). */
static char column_kind(sqlite3_stmt *st, int i) {
  const char *type = sqlite3_column_decltype(st, i);
  return !type                            ? 0
         : strcmp(type, "MONEY_INT") == 0 ? 'm'
         : strcmp(type, "BOOL_INT") == 0  ? 'b'
         : strcmp(type, "JSON_TEXT") == 0 ? 'j'
                                          : 0;
}

static json_t *column_json(sqlite3_stmt *st, int i, char kind) {
  int t = sqlite3_column_type(st, i);
  if (t == SQLITE_NULL) return json_null();
  if (kind == 'm') return ls__money_json(sqlite3_column_int64(st, i));
  if (kind == 'b') return json_boolean(sqlite3_column_int(st, i));
  if (kind == 'j') {
    json_t *v = json_loads(ls__sq_col_text(st, i), JSON_DECODE_ANY, NULL);
    return v ? v : json_string(ls__sq_col_text(st, i));
  }
  if (t == SQLITE_INTEGER) return json_integer(sqlite3_column_int64(st, i));
  if (t == SQLITE_FLOAT) return json_real(sqlite3_column_double(st, i));
  return json_string(ls__sq_col_text(st, i));
}

void ls__sq_shape_of(sqlite3_stmt *st, ls__sq_shape *sh) {
  int n = sqlite3_column_count(st);
  sh->ready = true;
  sh->reprepared = sqlite3_stmt_status(st, SQLITE_STMTSTATUS_REPREPARE, 0);
  sh->n = n <= LS_SQ_MAX_COLUMNS ? n : 0; /* 0: wider than any table, read column by column */
  for (int i = 0; i < sh->n; i++) {
    sh->name[i] = sqlite3_column_name(st, i);
    sh->kind[i] = column_kind(st, i);
    /* the columns in the order of the result text (ls__key_order), so that a row is spelled
     * as it is built, without a sorted copy: insertion sort, once per statement */
    int j = i;
    while (j > 0 && ls__key_order(sh->name[sh->order[j - 1]], sh->name[i]) > 0) {
      sh->order[j] = sh->order[j - 1];
      j--;
    }
    sh->order[j] = i;
  }
}

json_t *ls__sq_row_json_shaped(sqlite3_stmt *st, ls__sq_shape *sh) {
  if (!sh->ready) ls__sq_shape_of(st, sh);
  json_t *row = json_object();
  if (sh->n == 0) { /* in column order (ls__result_text sorts it when spelled) */
    for (int i = 0; row && i < sqlite3_column_count(st); i++)
      json_object_set_new(row, sqlite3_column_name(st, i), column_json(st, i, column_kind(st, i)));
    return row;
  }
  for (int k = 0; row && k < sh->n; k++) {
    int i = sh->order[k];
    json_object_set_new_nocheck(row, sh->name[i], column_json(st, i, sh->kind[i])); /* our columns: ASCII names */
  }
  return row;
}

json_t *ls__sq_row_json(ls__sq *s, sq_query q, sqlite3_stmt *st) {
  ls__sq_shape *sh = s->shapes[q];
  if (!sh && (sh = s->shapes[q] = ls__malloc(sizeof *sh))) sh->ready = false;
  if (!sh) { /* out of memory: worked out for this row only */
    ls__sq_shape here = {0};
    return ls__sq_row_json_shaped(st, &here);
  }
  /* a re-prepared statement (a schema change) has new column names, maybe new columns */
  if (sh->ready && sh->reprepared != sqlite3_stmt_status(st, SQLITE_STMTSTATUS_REPREPARE, 0)) sh->ready = false;
  return ls__sq_row_json_shaped(st, sh);
}

int ls__sq_campaign_row(ls__sq *s, const ls__call *c, sq_query q, const char *campaign_id, sqlite3_stmt **out,
                        ls__error *err) {
  sqlite3_stmt *st = *out = ls__sq_stmt(s, q, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, campaign_id);
  ls__sq_text(s, st, 2, c->org);
  int rc = ls__sq_row(s, st, err);
  if (rc == LEADSTORE_ENOTFOUND) return ls__fail(err, rc, "Campaign %s not found", campaign_id);
  return rc;
}

int ls__sq_campaign_visible(ls__sq *s, const ls__call *c, const char *campaign_id, ls__error *err) {
  sqlite3_stmt *st;
  int rc = ls__sq_campaign_row(s, c, SQ_campaign_find, campaign_id, &st, err);
  if (st) sqlite3_reset(st);
  return rc;
}

int ls__sq_campaign_scrapable(ls__sq *s, const ls__call *c, const char *campaign_id, ls__error *err) {
  sqlite3_stmt *st;
  int rc = ls__sq_campaign_row(s, c, SQ_campaign_status_get, campaign_id, &st, err);
  if (rc == LEADSTORE_OK && ls__status_is_terminal(ls__sq_col_text(st, 0)))
    rc = ls__fail(err, LEADSTORE_ERULE, "Campaign %s is %s", campaign_id, ls__sq_col_text(st, 0));
  if (st) sqlite3_reset(st);
  return rc;
}

/*--- Transactions and idempotency ---------------------------------------------------*/

static int run(ls__sq *s, sq_query q, ls__error *err) {
  sqlite3_stmt *st = ls__sq_stmt(s, q, err);
  return st ? ls__sq_exec(s, st, err) : err->code;
}

/* Rolls back whatever is open; never fails the call a second time. */
static void rollback(ls__sq *s) {
  if (sqlite3_get_autocommit(s->conn)) return;
  sqlite3_stmt *st = s->stmts[SQ_tx_rollback];
  if (!st || sqlite3_reset(st) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
    sqlite3_exec(s->conn, "ROLLBACK", NULL, NULL, NULL);
  if (st) sqlite3_reset(st);
}

/* The organization key of the idempotency record ('' for service_role). */
static const char *org_key(const ls__call *c) { return c->org ? c->org : ""; }

/*
 * Looks up the call's request id.  OK with *replay set to the stored result
 * (plus "replayed": true) when it was seen with the same parameters; EINVAL
 * when it was seen with other parameters; OK with *replay NULL when new.
 */
static int replay_lookup(ls__sq *s, const ls__call *c, const char *hash, char **replay,
                         ls__error *err) {
  *replay = NULL;
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_rpc_get, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, org_key(c));
  ls__sq_text(s, st, 2, c->op->name);
  ls__sq_text(s, st, 3, c->request_id);
  int rc = ls__sq_row(s, st, err);
  if (rc == LEADSTORE_ENOTFOUND) rc = LEADSTORE_OK;
  else if (rc == LEADSTORE_OK && strcmp(ls__sq_col_text(st, 0), hash) != 0)
    rc = ls__fail(err, LEADSTORE_EINVAL,
                  "p_request_id %.128s was already used for %s with different parameters",
                  c->request_id, c->op->name);
  else if (rc == LEADSTORE_OK) {
    json_t *stored = json_loads(ls__sq_col_text(st, 1), 0, NULL);
    if (stored) json_object_set_new(stored, "replayed", json_true());
    *replay = stored ? ls__result_text(stored) : NULL;
    json_decref(stored);
    if (!*replay) rc = ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  }
  sqlite3_reset(st);
  return rc;
}

static int replay_store(ls__sq *s, const ls__call *c, const char *hash, const char *result,
                        ls__error *err) {
  char id[37];
  ls__uuid_new(s->db, id);
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_rpc_put, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, id);
  ls__sq_text(s, st, 2, org_key(c));
  ls__sq_text(s, st, 3, c->op->name);
  ls__sq_text(s, st, 4, c->request_id);
  ls__sq_text(s, st, 5, hash);
  ls__sq_text(s, st, 6, result);
  ls__sq_text(s, st, 7, c->now);
  return ls__sq_exec(s, st, err);
}

/*
 * Inside a group the call's transaction is a savepoint: rolls back to it and
 * removes it.  When that fails, or SQLite abandoned the whole transaction
 * (after SQLITE_FULL, an I/O error …), the work of the group's earlier calls
 * is gone: the group is marked lost, so its later calls and its commit fail.
 */
static void rollback_call(ls__sq *s, const ls__error *why) {
  bool lost = sqlite3_get_autocommit(s->conn);
  if (!lost) {
    sqlite3_stmt *to = s->stmts[SQ_tx_rollback_to], *rel = s->stmts[SQ_tx_release];
    lost = !to || !rel || sqlite3_reset(to) != SQLITE_OK || sqlite3_step(to) != SQLITE_DONE ||
           sqlite3_reset(rel) != SQLITE_OK || sqlite3_step(rel) != SQLITE_DONE;
    if (to) sqlite3_reset(to);
    if (rel) sqlite3_reset(rel);
  }
  if (lost && s->group_lost == LEADSTORE_OK) {
    s->group_lost = why->code ? why->code : LEADSTORE_EINTERNAL;
    snprintf(s->group_lost_msg, sizeof s->group_lost_msg, "%.200s", why->msg);
  }
}

static int sq_call(leadstore *db, const ls__call *c, char **result, ls__error *err) {
  ls__sq *s = db->impl;
  bool write = c->op->kind == LS_OP_WRITE;
  bool keyed = write && c->request_id;
  char hash[65];
  json_t *res = NULL;
  *result = NULL;
  unsigned long failures = ls__alloc_failures();
  int rc = keyed ? ls__params_hash(c->params, hash) : LEADSTORE_OK;
  if (rc) return ls__fail(err, rc, "out of memory");
  if (s->group && s->group_lost)
    return ls__fail(err, s->group_lost, "the group's transaction was abandoned: %s", s->group_lost_msg);
  /* the statements the savepoint's rollback needs are prepared before it opens */
  if (s->group && (!ls__sq_stmt(s, SQ_tx_rollback_to, err) || !ls__sq_stmt(s, SQ_tx_release, err))) return err->code;

  bool opened = false;
  bool own_tx = !db->snapshot; /* inside a read snapshot, the snapshot's transaction */
  if (own_tx) {
    if ((rc = run(s, s->group ? SQ_tx_savepoint : write ? SQ_tx_begin_immediate : SQ_tx_begin_read, err))) goto done;
    opened = true;
  }
  if (keyed) {
    if ((rc = replay_lookup(s, c, hash, result, err)) || *result) goto done;
  }
  if (!(res = json_object()) || json_object_set_new(res, "success", json_true()) != 0) {
    rc = ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
    goto done;
  }
  if ((rc = handlers[c->op->id](s, c, res, err))) goto done;
  if (!(*result = ls__result_text(res))) {
    rc = ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
    goto done;
  }
  if (keyed && (rc = replay_store(s, c, hash, *result, err))) goto done;

done:
  /* an allocation that failed anywhere in the call (jansson may truncate a
   * string and carry on) voids it: nothing half-built is ever committed */
  if (rc == LEADSTORE_OK && ls__alloc_failures() != failures)
    rc = ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  if (rc == LEADSTORE_OK && own_tx) rc = run(s, s->group ? SQ_tx_release : SQ_tx_commit, err);
  if (rc != LEADSTORE_OK) {
    if (own_tx && !s->group) rollback(s);
    else if (opened) rollback_call(s, err);
    ls__free(*result);
    *result = NULL;
  }
  json_decref(res);
  return rc;
}

/* A group: one transaction, its calls in savepoints (leadstore_group_begin). */
static int sq_group_begin(leadstore *db, ls__error *err) {
  ls__sq *s = db->impl;
  int rc = run(s, SQ_tx_begin_immediate, err);
  if (rc != LEADSTORE_OK) {
    rollback(s);
    return rc;
  }
  s->group = true;
  s->group_lost = LEADSTORE_OK;
  s->group_lost_msg[0] = '\0';
  return LEADSTORE_OK;
}

static int sq_group_commit(leadstore *db, ls__error *err) {
  ls__sq *s = db->impl;
  int rc = s->group_lost ? ls__fail(err, s->group_lost, "%s", s->group_lost_msg) : run(s, SQ_tx_commit, err);
  s->group = false;
  if (rc != LEADSTORE_OK) rollback(s);
  return rc;
}

/*--- Opening and closing ---------------------------------------------------------------*/

static int exec(ls__sq *s, const char *sql, ls__error *err) {
  int rc = sqlite3_exec(s->conn, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? LEADSTORE_OK : ls__sq_error(s, sqlite3_extended_errcode(s->conn), err);
}

static int pragma_int(ls__sq *s, const char *sql, int *out, ls__error *err) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(s->conn, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *out = sqlite3_column_int(st, 0);
    rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  return rc == SQLITE_OK || rc == SQLITE_DONE ? LEADSTORE_OK
                                               : ls__sq_error(s, sqlite3_extended_errcode(s->conn), err);
}

/*
 * Schema version 5: every `CHECK (column IN ('a', 'b', …))` of the tables
 * rewritten as `CHECK (column = 'a' OR column = 'b' OR …)`.  The same
 * constraint (NULL passes both, as every CHECK lets NULL pass), but SQLite
 * builds an ephemeral table for an IN list of more than two values each time
 * it evaluates the CHECK, once per row written: a fifth of a batch upsert's
 * instructions (docs/benchmarks.md).  A CHECK is not part of the file's
 * format, so the text of the tables' definitions is changed in place, the way
 * SQLite's documentation describes for changing a CHECK constraint
 * (writable_schema, then a new schema_version so that every connection
 * reads it again).  schema.sql keeps the IN form, the one tests/t_tables.c
 * verifies against the C value lists; a new file takes this step too.
 */

/* The end of `'a', 'b', … ))` at v (just past the "))"), or NULL when v is not such
 * a list (our value lists hold no quotes). */
static const char *in_list_end(const char *v) {
  for (;;) {
    const char *end = *v == '\'' ? strchr(v + 1, '\'') : NULL;
    if (!end || end[1] == '\'') return NULL;
    v = end + 1;
    if (!strncmp(v, "))", 2)) return v + 2;
    if (strncmp(v, ", ", 2)) return NULL;
    v += 2;
  }
}

/* The text of a table with its IN-list CHECKs rewritten (free with ls__free);
 * NULL when it has none or when memory ran out (*oom set). */
static char *checks_without_in_lists(const char *sql, bool *oom) {
  ls__sb out = LS__SB_INIT;
  bool changed = false;
  const char *p = sql;
  for (const char *c; (c = strstr(p, "CHECK (")); ) {
    const char *col = c + 7, *q = col;
    while (*q == '_' || (*q >= 'a' && *q <= 'z')) q++;
    int col_len = (int)(q - col);
    const char *end = col_len && !strncmp(q, " IN (", 5) ? in_list_end(q + 5) : NULL;
    ls__sb_append(&out, p, (size_t)(col - p));
    if (!end) {
      p = col;
      continue;
    }
    int n = 0;
    for (const char *v = q + 5; v < end - 2; n++) {
      const char *close = strchr(v + 1, '\'');
      ls__sb_printf(&out, "%s%.*s = %.*s", n ? " OR " : "", col_len, col, (int)(close + 1 - v), v);
      v = close + 1 + (close[1] == ',' ? 2 : 0);
    }
    ls__sb_append(&out, ")", 1);
    p = end;
    changed = true;
  }
  ls__sb_append(&out, p, strlen(p));
  *oom = out.failed;
  if (!changed) {
    ls__sb_free(&out);
    return NULL;
  }
  return ls__sb_take(&out);
}

static int schema_5(ls__sq *s, ls__error *err) {
  sqlite3_stmt *tables = NULL, *set = NULL;
  int rc = sqlite3_prepare_v2(s->conn, "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%CHECK (% IN (%'",
                              -1, &tables, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_exec(s->conn, "PRAGMA writable_schema = ON", NULL, NULL, NULL);
  if (rc == SQLITE_OK) /* prepared once the schema table is writable */
    rc = sqlite3_prepare_v2(s->conn, "UPDATE sqlite_schema SET sql = ?2 WHERE type = 'table' AND name = ?1", -1, &set, NULL);
  int changed = 0;
  bool oom = false;
  while (rc == SQLITE_OK && (rc = sqlite3_step(tables)) == SQLITE_ROW) {
    char *sql = checks_without_in_lists((const char *)sqlite3_column_text(tables, 1), &oom);
    rc = oom ? SQLITE_NOMEM : SQLITE_OK;
    if (!sql) continue;
    sqlite3_bind_text(set, 1, (const char *)sqlite3_column_text(tables, 0), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(set, 2, sql, -1, ls__free);
    rc = sqlite3_step(set);
    rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    sqlite3_reset(set);
    changed++;
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  int failed = oom ? SQLITE_NOMEM : rc != SQLITE_OK ? sqlite3_extended_errcode(s->conn) : SQLITE_OK;
  sqlite3_finalize(tables);
  sqlite3_finalize(set);
  int off = sqlite3_exec(s->conn, "PRAGMA writable_schema = OFF", NULL, NULL, NULL);
  if (!failed && off != SQLITE_OK) failed = sqlite3_extended_errcode(s->conn);
  if (failed) return ls__sq_error(s, failed, err);
  if (changed) { /* every connection (this one too) reads the tables' definitions again */
    int version = 0;
    if ((rc = pragma_int(s, "PRAGMA schema_version", &version, err))) return rc;
    char bump[64];
    snprintf(bump, sizeof bump, "PRAGMA schema_version = %d", version + 1);
    if ((rc = exec(s, bump, err))) return rc;
  }
  return exec(s, "PRAGMA user_version = 5", err);
}

/*
 * The schema, version by version: [0] makes a new file version 1
 * (schema.sql), [v-1] takes a file of version v-1 to v (schema_<v>.sql, or
 * a step in C).
 */
static const struct schema_step {
  const char *sql;
  int (*fn)(ls__sq *s, ls__error *err);
} schema_steps[] = {{ls__sqlite_schema_sql, NULL},   {ls__sqlite_schema_2_sql, NULL}, {ls__sqlite_schema_3_sql, NULL},
                    {ls__sqlite_schema_4_sql, NULL}, {NULL, schema_5}};
enum { SCHEMA_VERSION = sizeof schema_steps / sizeof schema_steps[0] };

/*
 * Creates the schema when the file is new and brings a file of an older
 * version up to date, in one transaction; refuses a file that is not ours
 * or is newer than this leadstore.
 */
static int ensure_schema(ls__sq *s, ls__error *err) {
  int version = 0, tables = 0, rc;
  if ((rc = pragma_int(s, "PRAGMA user_version", &version, err))) return rc;
  if (version == SCHEMA_VERSION) return LEADSTORE_OK;
  if (version > SCHEMA_VERSION)
    return ls__fail(err, LEADSTORE_ECONFIG,
                    "the database was written by a newer leadstore (schema version %d; this leadstore %s knows "
                    "versions up to %d): upgrade leadstore to open it; the file was not changed",
                    version, LEADSTORE_VERSION, SCHEMA_VERSION);
  if ((rc = exec(s, "BEGIN IMMEDIATE", err))) return rc;
  if ((rc = pragma_int(s, "PRAGMA user_version", &version, err))) goto out;
  if (version == SCHEMA_VERSION) goto out; /* another process did it meanwhile */
  if (version == 0) {
    if ((rc = pragma_int(s, "SELECT count(*) FROM sqlite_master", &tables, err))) goto out;
    if (tables > 0) {
      rc = ls__fail(err, LEADSTORE_ECONFIG, "the file holds another application's tables");
      goto out;
    }
  }
  for (int v = version; rc == LEADSTORE_OK && v < SCHEMA_VERSION; v++)
    rc = schema_steps[v].sql ? exec(s, schema_steps[v].sql, err) : schema_steps[v].fn(s, err);
out:
  if (rc == LEADSTORE_OK) rc = exec(s, "COMMIT", err);
  if (rc != LEADSTORE_OK) sqlite3_exec(s->conn, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

static void sq_close(leadstore *db) {
  ls__sq *s = db->impl;
  if (!s) return;
  for (int i = 0; i < SQ__COUNT; i++) {
    sqlite3_finalize(s->stmts[i]);
    ls__free(s->shapes[i]);
  }
  sqlite3_close_v2(s->conn);
  ls__free(s);
  db->impl = NULL;
}

static int sq_open(leadstore *db, const char *path, ls__error *err) {
  ls__sq *s = ls__malloc(sizeof *s);
  if (!s) return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  memset(s, 0, sizeof *s);
  s->db = db;
  db->impl = s;
  /* without the create option a missing file stays missing: a mistyped path is an error */
  bool create = db->opts.create != 0;
  int rc = sqlite3_open_v2(path, &s->conn,
                           SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    struct stat st;
    if (!create && stat(path, &st) != 0 && errno == ENOENT)
      rc = ls__fail(err, LEADSTORE_ECONFIG, "no database at %s", path);
    else
      rc = ls__fail(err, LEADSTORE_ECONFIG, "cannot open %s: %s", path,
                    s->conn ? sqlite3_errmsg(s->conn) : sqlite3_errstr(rc));
    goto fail;
  }
  sqlite3_extended_result_codes(s->conn, 1);
  sqlite3_busy_timeout(s->conn, db->opts.busy_timeout_ms);
  int sync_full = db->opts.durability != LEADSTORE_DURABLE_NORMAL;
  /* a page cache sized for a campaign's working set (docs/benchmarks.md): SQLite's
   * 2 MiB holds the index pages of a few thousand businesses, not of 100 000; mmap
   * only when asked (it slowed durable single-row writes) */
  long long cache_kib = db->opts.sqlite_cache_mib > 0 ? 1024LL * db->opts.sqlite_cache_mib
                        : db->opts.sqlite_cache_mib < 0 ? 2000 : 64 * 1024;
  long long mmap_bytes = db->opts.sqlite_mmap_mib > 0 ? 1048576LL * db->opts.sqlite_mmap_mib : 0;
  char pragmas[256];
  snprintf(pragmas, sizeof pragmas,
           "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA foreign_keys=ON; "
           "PRAGMA cache_size=-%lld; PRAGMA mmap_size=%lld;",
           sync_full ? "FULL" : "NORMAL", cache_kib, mmap_bytes);
  if ((rc = exec(s, pragmas, err))) {
    if (err->code == LEADSTORE_EINTERNAL)
      rc = ls__fail(err, LEADSTORE_ECONFIG, "%s is not a leadstore database: %s", path, sqlite3_errmsg(s->conn));
    goto fail;
  }
  rc = ls__sq_create_functions(s->conn);
  if (rc != SQLITE_OK) {
    rc = ls__sq_error(s, rc, err);
    goto fail;
  }
  if ((rc = ensure_schema(s, err))) goto fail;
  return LEADSTORE_OK;
fail:
  sq_close(db);
  return rc;
}

static int sq_count_rows(leadstore *db, const char *table, long long *out, ls__error *err) {
  ls__sq *s = db->impl;
  char sql[128]; /* `table` comes from the fixed list ls__tables, never from input */
  snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
  int n = 0, rc = pragma_int(s, sql, &n, err);
  *out = n;
  return rc;
}

/* The schema was created or checked when the file was opened: nothing is pending. */
static int sq_migrate(leadstore *db, json_t *report, ls__error *err) {
  (void)db, (void)report, (void)err;
  return LEADSTORE_OK;
}

/* A read snapshot: one read transaction held open (a read makes SQLite take its snapshot
 * now, not at the first call); ended with a rollback (it wrote nothing). */
static int sq_snapshot(leadstore *db, bool begin, ls__error *err) {
  ls__sq *s = db->impl;
  if (!begin) return rollback(s), LEADSTORE_OK;
  int rc = exec(s, "BEGIN; SELECT count(*) FROM gmaps_campaigns", err);
  if (rc) rollback(s);
  return rc;
}

const ls__engine ls__sqlite_engine = {
    .snapshot = sq_snapshot,
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .call = sq_call,
    .check = ls__sq_check,
    .count_rows = sq_count_rows,
    .migrate = sq_migrate,
    .group_begin = sq_group_begin,
    .group_commit = sq_group_commit,
    .repair = ls__sq_repair,
};
