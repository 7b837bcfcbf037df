/*
 * coverage.c — the coverage of a campaign on the embedded engine: marking a
 * ZIP scraped with what the scrape found (update_coverage_status_tx).
 */
#include "sq.h"

int ls__sq_update_coverage_status_tx(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  const char *id = ls__jstr(c->params, "p_campaign_id");
  const char *zip = ls__jstr(c->params, "p_zip_code");
  const json_t *results = json_object_get(c->params, "p_results");
  int64_t found = ls__jint(results, "businesses_found", 0), emails = ls__jint(results, "emails_found", 0);
  int rc = ls__sq_campaign_scrapable(s, c, id, err);
  if (rc) return rc;
  /* the campaign's coverage counters first: they need the row's values before the overwrite */
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_coverage_counters_move, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, id);
  ls__sq_text(s, st, 2, zip);
  ls__sq_int(s, st, 3, found);
  ls__sq_int(s, st, 4, emails);
  ls__sq_text(s, st, 5, c->now);
  if ((rc = ls__sq_exec(s, st, err))) return rc;
  if (!(st = ls__sq_stmt(s, SQ_coverage_mark_scraped, err))) return err->code;
  ls__sq_text(s, st, 1, id);
  ls__sq_text(s, st, 2, zip);
  ls__sq_int(s, st, 3, found);
  ls__sq_int(s, st, 4, emails);
  ls__sq_int(s, st, 5, ls__jmoney(results, "actual_cost", 0));
  ls__sq_text(s, st, 6, c->now);
  if ((rc = ls__sq_exec(s, st, err))) return rc;
  if (sqlite3_changes(s->conn) == 0)
    return ls__fail(err, LEADSTORE_ENOTFOUND, "Coverage record for campaign %s ZIP %s not found", id, zip);
  json_object_set_new(res, "campaign_id", json_string(id));
  json_object_set_new(res, "zip_code", json_string(zip));
  json_object_set_new(res, "scraped_at", json_string(c->now));
  return LEADSTORE_OK;
}
