/*
 * statistics.c — the campaign counters of SPEC §6 on the embedded engine.
 *
 * The counters are maintained by every operation that changes what they
 * count, so they are exact at every commit; update_campaign_statistics_tx
 * recounts them from the rows, stores the recount and reports whether the
 * stored values had drifted (which, by construction, they should not).
 * The lead and coverage totals of get_campaign (schema_3.sql) and the work
 * queues' totals (schema_4.sql) are counters of the same kind and are
 * recounted here too.
 */
#include "sq.h"

/*
 * Recounts the counters of campaign `id` from its rows into actual[] and
 * stores the recount when it differs from the row (*drift); the one recount
 * of update_campaign_statistics_tx and of `check --repair` (repair.c).
 */
int ls__sq_recount_campaign(ls__sq *s, const ls__call *c, const char *id, int64_t actual[LS__SQ_COUNTERS], bool *drift,
                            ls__error *err) {
  int64_t stored[LS__SQ_COUNTERS];
  sqlite3_stmt *st;
  int rc = ls__sq_campaign_row(s, c, SQ_campaign_counters, id, &st, err);
  if (rc) return rc;
  for (int i = 0; i < LS__SQ_COUNTERS; i++) stored[i] = sqlite3_column_int64(st, i);
  sqlite3_reset(st);

  if (!(st = ls__sq_stmt(s, SQ_campaign_recount, err))) return err->code;
  ls__sq_text(s, st, 1, id);
  if ((rc = ls__sq_must_row(s, st, err))) return rc;
  for (int i = 0; i < LS__SQ_COUNTERS; i++) actual[i] = sqlite3_column_int64(st, i);
  sqlite3_reset(st);

  *drift = false;
  for (int i = 0; i < LS__SQ_COUNTERS; i++) *drift |= stored[i] != actual[i];
  if (!*drift) return LEADSTORE_OK;
  if (!(st = ls__sq_stmt(s, SQ_campaign_counters_set, err))) return err->code;
  ls__sq_text(s, st, 1, id);
  for (int i = 0; i < LS__SQ_COUNTERS; i++) ls__sq_int(s, st, 2 + i, actual[i]);
  ls__sq_text(s, st, 2 + LS__SQ_COUNTERS, c->now);
  return ls__sq_exec(s, st, err);
}

int ls__sq_update_campaign_statistics_tx(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  const char *id = ls__jstr(c->params, "p_campaign_id");
  int64_t actual[LS__SQ_COUNTERS];
  bool drift;
  int rc = ls__sq_recount_campaign(s, c, id, actual, &drift, err);
  if (rc) return rc;
  json_object_set_new(res, "campaign_id", json_string(id));
  json_object_set_new(res, "statistics",
                      json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "total_businesses", (json_int_t)actual[0],
                                "total_emails", (json_int_t)actual[1], "total_facebook", (json_int_t)actual[2],
                                "total_linkedin", (json_int_t)actual[3], "total_verified", (json_int_t)actual[4],
                                "zips_total", (json_int_t)actual[5], "zips_scraped", (json_int_t)actual[6]));
  json_object_set_new(res, "drift_corrected", json_boolean(drift));
  return LEADSTORE_OK;
}
