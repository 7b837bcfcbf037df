/*
 * check.c — `leadstore check` on the embedded engine: the invariants of
 * SPEC §8, each one query of queries.sql that returns one row per
 * violation, run in one read snapshot.
 */
#include <string.h>

#include "sq.h"

static const struct {
  int invariant;
  sq_query query;
} checks[] = {
    {1, SQ_check_orphans}, {2, SQ_check_counters}, {3, SQ_check_costs},
    {4, SQ_check_email_source}, {5, SQ_check_status}, {6, SQ_check_unique},
};

static const char *const totals[] = {"campaigns", "coverage", "businesses", "facebook_enrichments",
                                     "linkedin_enrichments", "costs", "verifications", "status_history"};

/* Runs one check query, adding a violation per row. */
static int run_check(ls__sq *s, int invariant, sq_query q, json_t *report, ls__error *err) {
  sqlite3_stmt *st = ls__sq_stmt(s, q, err);
  if (!st) return err->code;
  int rc;
  while ((rc = ls__sq_step(s, st, err)) == SQLITE_ROW)
    if (ls__check_violation(report, invariant, ls__sq_col_text(st, 0), "%s", ls__sq_col_text(st, 1)))
      return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  if (rc < 0) return err->code;
  sqlite3_reset(st);
  return LEADSTORE_OK;
}

int ls__sq_check_campaign(ls__sq *s, const char *campaign_id, ls__error *err) {
  for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
    sqlite3_stmt *st = ls__sq_stmt(s, checks[i].query, err);
    if (!st) return err->code;
    int rc;
    while ((rc = ls__sq_step(s, st, err)) == SQLITE_ROW) {
      const char *cid = ls__sq_col_text(st, 0);
      if (cid && !strcmp(cid, campaign_id)) {
        ls__fail(err, LEADSTORE_EINVAL, "the restored campaign breaks invariant %d: %s", checks[i].invariant,
                 ls__sq_col_text(st, 1));
        sqlite3_reset(st);
        return LEADSTORE_EINVAL;
      }
    }
    if (rc < 0) return err->code;
    sqlite3_reset(st);
  }
  return LEADSTORE_OK;
}

int ls__sq_check(leadstore *db, json_t *report, ls__error *err) {
  ls__sq *s = db->impl;
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_tx_begin_read, err);
  int rc = st ? ls__sq_exec(s, st, err) : err->code;
  if (rc) return rc;
  for (size_t i = 0; rc == LEADSTORE_OK && i < sizeof checks / sizeof checks[0]; i++)
    rc = run_check(s, checks[i].invariant, checks[i].query, report, err);
  if (rc == LEADSTORE_OK && (st = ls__sq_stmt(s, SQ_check_totals, err)) &&
      (rc = ls__sq_must_row(s, st, err)) == LEADSTORE_OK) {
    json_t *checked = json_object_get(report, "checked");
    for (int i = 0; i < (int)(sizeof totals / sizeof totals[0]); i++)
      json_object_set_new(checked, totals[i], json_integer(sqlite3_column_int64(st, i)));
    sqlite3_reset(st);
  } else if (rc == LEADSTORE_OK) {
    rc = err->code;
  }
  sqlite3_exec(s->conn, "COMMIT", NULL, NULL, NULL);
  return rc;
}
