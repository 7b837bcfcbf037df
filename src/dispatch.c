/*
 * dispatch.c — the front of the library: opening a handle on the right
 * engine, and leadstore_call(), which every front end (CLI, HTTP, tests)
 * goes through.
 *
 * A call is: find the operation in the table → check the caller's role →
 * parse the parameters → validate them against the table → hand the
 * validated call to the engine, which runs it atomically → on failure, shape
 * the failure object of SPEC §3.1.  Nothing below this file validates
 * parameters again, and nothing above it touches a database.
 */
#include <ctype.h>
#include <string.h>

#include "internal.h"

/*
 * The engine a target names, and in *rest the part of it that engine opens —
 * the one place targets are told apart:
 *   postgres://… postgresql://…      PostgreSQL (the URL as it is)
 *   host=… dbname=… (libpq keywords)  PostgreSQL, when libpq parses the string
 *                                     and it sets at least one known keyword
 *   sqlite:PATH  file:PATH           SQLite, the prefix removed (for any path,
 *                                     e.g. one with '=' that libpq would take)
 *   anything else                     an SQLite file path
 */
static const ls__engine *engine_for(const char *target, const char **rest) {
  static const struct {
    const char *prefix;
    bool strip;                /* the engine opens what follows the prefix */
    const ls__engine *engine;
  } schemes[] = {
      {"postgres://", false, &ls__pg_engine},
      {"postgresql://", false, &ls__pg_engine},
      {"sqlite:", true, &ls__sqlite_engine},
      {"file:", true, &ls__sqlite_engine},
      {"http://", false, &ls__http_engine},
      {"https://", false, &ls__http_engine},
  };
  *rest = target;
  for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
    size_t n = strlen(schemes[i].prefix);
    if (strncmp(target, schemes[i].prefix, n) == 0) {
      if (schemes[i].strip) *rest = target + n;
      return schemes[i].engine;
    }
  }
  return ls__pg_target_is_conninfo(target) ? &ls__pg_engine : &ls__sqlite_engine;
}

const char *leadstore_target_engine(const char *target, const char **rest) {
  const char *r = target;
  const ls__engine *engine = target ? engine_for(target, &r) : NULL;
  if (rest) *rest = r;
  return engine ? engine->name : NULL;
}

int leadstore_open(const char *target, const leadstore_options *opts, leadstore **out,
                   char **errmsg) {
  ls__alloc_init();
  *out = NULL;
  if (errmsg) *errmsg = NULL;
  ls__error err = {0};
  int rc;
  leadstore *db = NULL;
  const ls__engine *engine = target ? engine_for(target, &target) : NULL;
  if (!target || !*target) {
    rc = ls__fail(&err, LEADSTORE_EINVAL, "no database given");
    goto fail;
  }
  db = ls__malloc(sizeof *db);
  if (!db) {
    rc = ls__fail(&err, LEADSTORE_EINTERNAL, "out of memory");
    goto fail;
  }
  memset(db, 0, sizeof *db);
  if (opts) db->opts = *opts;
  db->busy_timeout_set = db->opts.busy_timeout_ms > 0;
  if (!db->busy_timeout_set) db->opts.busy_timeout_ms = 10000;
  db->engine = engine;
  rc = db->engine->open(db, target, &err);
  if (rc) goto fail;
  *out = db;
  return LEADSTORE_OK;
fail:
  ls__free(db);
  if (errmsg) *errmsg = ls__strdup(err.msg);
  return rc;
}

void leadstore_close(leadstore *db) {
  if (!db) return;
  db->engine->close(db);
  ls__free(db);
}

const char *leadstore_engine(const leadstore *db) { return db ? db->engine->name : NULL; }

const char *leadstore_version(void) { return LEADSTORE_VERSION; }

/* The failure object of SPEC §3.1 as text; NULL only when memory ran out. */
static char *failure_text(const ls__error *err) {
  json_t *o = json_pack("{s:b, s:s, s:s, s:b}", "success", 0, "error",
                        err->msg[0] ? err->msg : leadstore_status_message(err->code), "error_code",
                        leadstore_status_sqlstate(err->code), "retry_recommended",
                        leadstore_status_retry(err->code));
  char *text = o ? ls__result_text(o) : NULL;
  json_decref(o);
  return text;
}

/* Resolves the caller into the call: role and organization. */
static int resolve_caller(const leadstore_caller *caller, ls__call *call, ls__error *err) {
  leadstore_role role = caller ? caller->role : LEADSTORE_ROLE_SERVICE;
  call->role = role;
  call->org = NULL;
  switch (role) {
  case LEADSTORE_ROLE_SERVICE:
    return LEADSTORE_OK;
  case LEADSTORE_ROLE_AUTHENTICATED:
    if (!ls__uuid_valid(caller->organization_id))
      return ls__fail(err, LEADSTORE_EFORBIDDEN,
                      "an authenticated caller needs the UUID of its organization");
    /* in lower case, as ids are stored: an upper-case claim names the same organization */
    for (int i = 0; i < 37; i++) call->org_buf[i] = (char)tolower((unsigned char)caller->organization_id[i]);
    call->org = call->org_buf;
    return LEADSTORE_OK;
  default:
    return ls__fail(err, LEADSTORE_EFORBIDDEN, "the anon role may not call operations");
  }
}

/* Parses the parameter text; an allocation failure is reported as such. */
static json_t *parse_params(const char *text, ls__error *err) {
  unsigned long before = ls__alloc_failures();
  if (!text || !*text) text = "{}";
  json_error_t jerr;
  json_t *params = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
  /* jansson may drop part of a string when an allocation fails and still
   * return a document: any failure during the parse voids it */
  if (params && ls__alloc_failures() == before) return params;
  if (ls__alloc_failures() != before) {
    json_decref(params);
    ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
    return NULL;
  }
  else
    ls__fail(err, LEADSTORE_EINVAL, "the parameters are not valid JSON: %s (line %d, column %d)",
             jerr.text, jerr.line, jerr.column);
  return NULL;
}

int leadstore_call(leadstore *db, const leadstore_caller *caller, const char *op_name,
                   const char *params_json, char **result_json) {
  ls__alloc_init();
  *result_json = NULL;
  ls__error err = {0};
  json_t *params = NULL;
  int rc;
  unsigned long failures = ls__alloc_failures();
  db->faults.steps = db->faults.allocs = 0;
  if (db->engine->forward) { /* a server validates and answers */
    rc = db->engine->forward(db, caller, op_name, params_json, result_json, &err);
    if (rc && !*result_json) *result_json = failure_text(&err);
    return rc;
  }
  ls__active_faults = &db->faults;

  const ls__op *op = ls__op_find(op_name);
  if (!op) {
    const char *like = ls__op_suggest(op_name);
    rc = ls__fail(&err, LEADSTORE_ENOOP, "unknown operation %.64s%s%s%s", op_name ? op_name : "(null)",
                  like ? " (did you mean " : "", like ? like : "", like ? "?)" : "");
    goto done;
  }
  if (db->snapshot && op->kind == LS_OP_WRITE) {
    rc = ls__fail(&err, LEADSTORE_EINVAL, "%s is a write: not inside a read snapshot", op->name);
    goto done;
  }
  ls__call call = {.op = op};
  if ((rc = resolve_caller(caller, &call, &err))) goto done;
  if (!(params = parse_params(params_json, &err))) {
    rc = err.code;
    goto done;
  }
  if ((rc = ls__validate(op, params, &err))) goto done;
  call.params = params;
  call.request_id = ls__jstr(params, "p_request_id");
  ls__now(db, call.now);
  rc = db->engine->call(db, &call, result_json, &err);

done:
  /* whatever a failed call reports after an allocation failed, the cause is memory */
  if (rc != LEADSTORE_OK && ls__alloc_failures() != failures)
    rc = ls__fail(&err, LEADSTORE_EINTERNAL, "out of memory");
  json_decref(params);
  if (rc) {
    ls__free(*result_json);
    *result_json = failure_text(&err);
  }
  ls__active_faults = NULL;
  return rc;
}

/*
 * Group commit (leadstore.h).  The engine's hooks run with the handle's
 * fault state active, like a call's steps, so a test can make the group's
 * COMMIT fail (leadstore_test_fault STEP 1 just before the commit).
 */
int leadstore_group_begin(leadstore *db, char **failure_json) {
  ls__alloc_init();
  if (failure_json) *failure_json = NULL;
  ls__error err = {0};
  int rc = LEADSTORE_OK;
  db->faults.steps = db->faults.allocs = 0;
  if (db->group) rc = ls__fail(&err, LEADSTORE_EINVAL, "a group is open already on this handle");
  else if (db->snapshot) rc = ls__fail(&err, LEADSTORE_EINVAL, "a read snapshot is open on this handle: end it first");
  else if (db->engine->group_begin) {
    ls__active_faults = &db->faults;
    rc = db->engine->group_begin(db, &err);
    ls__active_faults = NULL;
  }
  if (rc == LEADSTORE_OK) db->group = true;
  else if (failure_json) *failure_json = failure_text(&err);
  return rc;
}

int leadstore_group_commit(leadstore *db, char **failure_json) {
  ls__alloc_init();
  if (failure_json) *failure_json = NULL;
  ls__error err = {0};
  int rc = LEADSTORE_OK;
  db->faults.steps = db->faults.allocs = 0;
  if (!db->group) {
    rc = ls__fail(&err, LEADSTORE_EINVAL, "no group is open on this handle");
    if (failure_json) *failure_json = failure_text(&err);
    return rc;
  }
  db->group = false;
  if (db->engine->group_commit) {
    ls__active_faults = &db->faults;
    rc = db->engine->group_commit(db, &err);
    ls__active_faults = NULL;
  }
  if (rc != LEADSTORE_OK && failure_json) {
    /* the calls were not at fault: each may be made again */
    json_t *o = json_pack("{s:b, s:s+, s:s, s:b}", "success", 0, "error",
                          "the group's transaction was not committed, nothing of it was written: ",
                          err.msg[0] ? err.msg : leadstore_status_message(err.code), "error_code",
                          leadstore_status_sqlstate(err.code), "retry_recommended", 1);
    *failure_json = o ? ls__result_text(o) : NULL;
    json_decref(o);
  }
  return rc;
}

int leadstore_check(leadstore *db, char **report_json) {
  ls__alloc_init();
  *report_json = NULL;
  ls__error err = {0};
  json_t *report = json_pack("{s:b, s:[], s:{}}", "ok", 1, "violations", "checked");
  if (!report) return LEADSTORE_EINTERNAL;
  int rc = db->engine->check(db, report, &err);
  if (rc == LEADSTORE_OK) {
    json_object_set_new(report, "ok",
                        json_boolean(json_array_size(json_object_get(report, "violations")) == 0));
    *report_json = ls__json_dump(report);
    if (!*report_json) rc = LEADSTORE_EINTERNAL;
  } else {
    *report_json = failure_text(&err);
  }
  json_decref(report);
  return rc;
}

int leadstore_migrate(leadstore *db, char **report_json) {
  ls__alloc_init();
  *report_json = NULL;
  ls__error err = {0};
  json_t *report = json_pack("{s:s, s:[]}", "engine", db->engine->name, "applied");
  if (!report) return LEADSTORE_EINTERNAL;
  int rc = db->engine->migrate(db, report, &err);
  *report_json = rc == LEADSTORE_OK ? json_dumps(report, JSON_COMPACT) : failure_text(&err);
  json_decref(report);
  return rc;
}

/* leadstore_adopt, leadstore_uninstall and leadstore_repair: an engine
 * entry that fills a report object (action 0, 1, 2). */
static int admin(leadstore *db, int action, int dry_run, char **report_json) {
  ls__alloc_init();
  *report_json = NULL;
  ls__error err = {0};
  json_t *report = json_pack("{s:s, s:[]}", "engine", db->engine->name, "steps");
  if (!report) return LEADSTORE_EINTERNAL;
  int rc;
  if (action == 0 ? !db->engine->adopt : action == 1 ? !db->engine->uninstall : !db->engine->repair)
    rc = ls__fail(&err, LEADSTORE_ECONFIG, "%s works on a PostgreSQL database, not on %s",
                  action == 0 ? "adopt" : action == 1 ? "uninstall" : "repair", db->engine->name);
  else if (action == 0)
    rc = db->engine->adopt(db, dry_run != 0, report, &err);
  else if (action == 1)
    rc = db->engine->uninstall(db, report, &err);
  else
    rc = db->engine->repair(db, report, &err);
  *report_json = rc == LEADSTORE_OK ? json_dumps(report, JSON_COMPACT) : failure_text(&err);
  json_decref(report);
  return rc == LEADSTORE_OK && !*report_json ? LEADSTORE_EINTERNAL : rc;
}

int leadstore_adopt(leadstore *db, int dry_run, char **report_json) { return admin(db, 0, dry_run, report_json); }
int leadstore_uninstall(leadstore *db, char **report_json) { return admin(db, 1, 0, report_json); }
int leadstore_repair(leadstore *db, char **report_json) { return admin(db, 2, 0, report_json); }

int ls__check_violation(json_t *report, int invariant, const char *campaign_id, const char *fmt,
                        ...) {
  ls__sb detail = LS__SB_INIT;
  va_list ap;
  va_start(ap, fmt);
  ls__sb_vprintf(&detail, fmt, ap);
  va_end(ap);
  char *text = ls__sb_take(&detail);
  json_t *v = text ? json_pack("{s:i, s:s?, s:s}", "invariant", invariant, "campaign_id", campaign_id,
                               "detail", text)
                   : NULL;
  ls__free(text);
  if (!v || json_array_append_new(json_object_get(report, "violations"), v) != 0)
    return LEADSTORE_EINTERNAL;
  return LEADSTORE_OK;
}

long leadstore_test_fault(leadstore *db, leadstore_fault kind, long n) {
  long made = kind == LEADSTORE_FAULT_ALLOC ? db->faults.allocs : db->faults.steps;
  db->faults.kind = kind;
  db->faults.n = kind == LEADSTORE_FAULT_NONE || n < 0 ? 0 : n;
  return made;
}

int leadstore_test_count_rows(leadstore *db, const char *table, long long *out) {
  ls__error err = {0};
  for (size_t i = 0; ls__tables[i]; i++)
    if (strcmp(ls__tables[i], table) == 0) return db->engine->count_rows(db, table, out, &err);
  return LEADSTORE_EINVAL;
}

int leadstore_snapshot_begin(leadstore *db, char **errmsg) {
  ls__alloc_init();
  ls__error err = {0};
  int rc;
  if (errmsg) *errmsg = NULL;
  if (db->snapshot) rc = ls__fail(&err, LEADSTORE_EINVAL, "a read snapshot is already open");
  else if (db->group) rc = ls__fail(&err, LEADSTORE_EINVAL, "a group is open on this handle: commit it first");
  else if (!db->engine->snapshot) rc = ls__fail(&err, LEADSTORE_EINVAL, "the %s engine has no read snapshot", db->engine->name);
  else rc = db->engine->snapshot(db, true, &err);
  if (rc == LEADSTORE_OK) db->snapshot = true;
  else if (errmsg) *errmsg = ls__strdup(err.msg);
  return rc;
}

int leadstore_snapshot_end(leadstore *db) {
  if (!db->snapshot) return LEADSTORE_OK;
  db->snapshot = false;
  return db->engine->snapshot(db, false, NULL);
}
