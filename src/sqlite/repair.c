/*
 * repair.c — `leadstore check --repair` on the embedded engine: the steps of
 * sql/postgres/adopt/repair.sql (the repair_* queries of queries.sql), in
 * one BEGIN IMMEDIATE transaction, each added to the report with the rows it
 * changed.  A file written only through the operations needs none of it; a
 * file changed behind their back (sqlite3, a script) gets its email sources
 * raised to the best enrichment's, its status history following the status,
 * its counters and cost totals recounted.  The history rows it appends get
 * their ids from the handle's generator, like every other row.
 *
 * (The schema's CHECKs already keep email_source one of the four and
 * not_found exactly without an email, so repair.sql's email_source_derived
 * has nothing to do here.)
 */
#include "sq.h"

/* Runs one repair statement and reports it with the rows it changed. */
static int step(ls__sq *s, sq_query q, const char *name, json_t *report, ls__error *err) {
  sqlite3_stmt *st = ls__sq_stmt(s, q, err);
  int rc = st ? ls__sq_exec(s, st, err) : err->code;
  if (rc) return rc;
  json_int_t rows = sqlite3_changes(s->conn);
  json_object_set_new(report, "changed",
                      json_integer(json_integer_value(json_object_get(report, "changed")) + rows));
  if (json_array_append_new(json_object_get(report, "steps"),
                            json_pack("{s:s, s:s, s:s, s:I}", "file", "repair", "step", name, "sql",
                                      sqlite3_sql(st), "rows", rows)) != 0)
    return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  return LEADSTORE_OK;
}

/*
 * Recounts every campaign's counters with update_campaign_statistics_tx's
 * own recount; the step's rows are the campaigns whose counters had drifted.
 */
static int counters(ls__sq *s, const char *now, json_t *report, ls__error *err) {
  ls__call call = {.role = LEADSTORE_ROLE_SERVICE};
  snprintf(call.now, sizeof call.now, "%s", now);
  json_t *ids = json_array();
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_repair_campaign_ids, err);
  int rc = !ids ? ls__fail(err, LEADSTORE_EINTERNAL, "out of memory") : !st ? err->code : LEADSTORE_OK;
  while (rc == LEADSTORE_OK && (rc = ls__sq_row(s, st, err)) == LEADSTORE_OK)
    if (json_array_append_new(ids, json_string(ls__sq_col_text(st, 0))) != 0)
      rc = ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  if (st) sqlite3_reset(st);
  if (rc == LEADSTORE_ENOTFOUND) rc = LEADSTORE_OK; /* no more rows */
  json_int_t drifted = 0;
  size_t i;
  json_t *id;
  json_array_foreach(ids, i, id) {
    int64_t actual[LS__SQ_COUNTERS];
    bool drift = false;
    if (rc == LEADSTORE_OK) rc = ls__sq_recount_campaign(s, &call, json_string_value(id), actual, &drift, err);
    drifted += drift;
  }
  json_decref(ids);
  if (rc) return rc;
  json_object_set_new(report, "changed",
                      json_integer(json_integer_value(json_object_get(report, "changed")) + drifted));
  if (json_array_append_new(json_object_get(report, "steps"),
                            json_pack("{s:s, s:s, s:s, s:I}", "file", "repair", "step", "counters_recounted", "sql",
                                      "update_campaign_statistics_tx's recount of every campaign", "rows", drifted)) != 0)
    return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  return LEADSTORE_OK;
}

/*
 * Appends the history rows of one kind (1 the first row, 2 the start a
 * started_at implies, 3 the current status) to every campaign that lacks
 * one, and reports them.
 */
static int history(ls__sq *s, int kind, const char *name, const char *now, json_t *report, ls__error *err) {
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_repair_history_needed, err);
  if (!st) return err->code;
  ls__sq_int(s, st, 1, kind);
  /* read the campaigns first: the inserts change what the query reads */
  json_t *rows = json_array();
  int rc;
  while (rows && (rc = ls__sq_step(s, st, err)) == SQLITE_ROW)
    json_array_append_new(rows, json_pack("[s, s?, s, s?]", ls__sq_col_text(st, 0), ls__sq_col_text(st, 1),
                                          ls__sq_col_text(st, 2), ls__sq_col_text(st, 3)));
  sqlite3_reset(st);
  if (!rows) return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  if (rc < 0) {
    json_decref(rows);
    return err->code;
  }
  json_t *metadata = json_pack("{s:b}", "reconstructed", 1);
  size_t i;
  json_t *r;
  rc = metadata ? LEADSTORE_OK : ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  json_array_foreach(rows, i, r) {
    if (rc) break;
    char id[37];
    ls__uuid_new(s->db, id);
    if (!(st = ls__sq_stmt(s, SQ_history_insert, err))) {
      rc = err->code;
      break;
    }
    const char *at = json_string_value(json_array_get(r, 3));
    ls__sq_text(s, st, 1, id);
    ls__sq_text(s, st, 2, json_string_value(json_array_get(r, 0)));
    ls__sq_text(s, st, 3, json_string_value(json_array_get(r, 1)));
    ls__sq_text(s, st, 4, json_string_value(json_array_get(r, 2)));
    ls__sq_json(s, st, 5, metadata);
    ls__sq_text(s, st, 6, at ? at : now);
    rc = ls__sq_exec(s, st, err);
  }
  json_decref(metadata);
  size_t n = json_array_size(rows);
  json_decref(rows);
  if (rc) return rc;
  json_object_set_new(report, "changed",
                      json_integer(json_integer_value(json_object_get(report, "changed")) + (json_int_t)n));
  if (json_array_append_new(json_object_get(report, "steps"),
                            json_pack("{s:s, s:s, s:s, s:I}", "file", "repair", "step", name, "sql",
                                      "INSERT INTO gmaps_campaign_status_history …", "rows", (json_int_t)n)) != 0)
    return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  return LEADSTORE_OK;
}

int ls__sq_repair(leadstore *db, json_t *report, ls__error *err) {
  ls__sq *s = db->impl;
  char now[32];
  ls__now(db, now);
  json_object_set_new(report, "changed", json_integer(0));
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_tx_begin_immediate, err);
  int rc = st ? ls__sq_exec(s, st, err) : err->code;
  if (rc) return rc;
  if (!rc) rc = step(s, SQ_repair_emails_not_well_formed, "emails_not_well_formed", report, err);
  if (!rc) rc = step(s, SQ_repair_email_from_enrichments, "email_from_enrichments", report, err);
  if (!rc) rc = history(s, 1, "history_first_row", now, report, err);
  if (!rc) rc = history(s, 2, "history_started", now, report, err);
  if (!rc) rc = history(s, 3, "history_status", now, report, err);
  if (!rc) rc = step(s, SQ_repair_started_at, "started_at_from_history", report, err);
  if (!rc) rc = step(s, SQ_repair_completed_at, "completed_at_from_status", report, err);
  if (!rc) rc = counters(s, now, report, err);
  if (!rc) rc = step(s, SQ_repair_costs, "costs_recomputed", report, err);
  st = ls__sq_stmt(s, rc ? SQ_tx_rollback : SQ_tx_commit, err);
  if (!rc) rc = st ? ls__sq_exec(s, st, err) : err->code;
  else if (st) sqlite3_step(st), sqlite3_reset(st);
  return rc;
}
