/*
 * costs.c — the cost ledger on the embedded engine (track_api_cost_tx).
 *
 * Each call appends one row to the append-only cost log and adds its amount
 * to the service's column of the campaign, recomputing actual_cost as the
 * sum of the four, all in integer micro-dollars.  The write lock taken by
 * BEGIN IMMEDIATE serialises concurrent callers, so no update is lost.
 */
#include "sq.h"

int ls__sq_track_api_cost_tx(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  const char *id = ls__jstr(c->params, "p_campaign_id");
  const char *service = ls__jstr(c->params, "p_service");
  const json_t *data = json_object_get(c->params, "p_cost_data");
  int64_t cost = ls__jmoney(data, "cost_usd", 0);
  int rc = ls__sq_campaign_visible(s, c, id, err);
  if (rc) return rc;

  char cost_id[37];
  ls__uuid_new(s->db, cost_id);
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_cost_insert, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, cost_id);
  ls__sq_text(s, st, 2, id);
  ls__sq_text(s, st, 3, service);
  ls__sq_int(s, st, 4, ls__jint(data, "items_processed", 0));
  ls__sq_int(s, st, 5, cost);
  ls__sq_json(s, st, 6, json_object_get(data, "metadata"));
  ls__sq_text(s, st, 7, c->now);
  if ((rc = ls__sq_exec(s, st, err))) return rc;

  if (!(st = ls__sq_stmt(s, SQ_campaign_add_cost, err))) return err->code;
  ls__sq_text(s, st, 1, id);
  ls__sq_text(s, st, 2, service);
  ls__sq_int(s, st, 3, cost);
  ls__sq_text(s, st, 4, c->now);
  if ((rc = ls__sq_must_row(s, st, err))) return rc;
  int64_t service_cost = sqlite3_column_int64(st, 0), actual = sqlite3_column_int64(st, 1);
  sqlite3_reset(st);
  if (actual > LS_MONEY_MAX)
    return ls__fail(err, LEADSTORE_EINVAL, "p_cost_data.cost_usd would take the campaign's total past 99999999.999999 USD");
  json_object_set_new(res, "cost_id", json_string(cost_id));
  json_object_set_new(res, "campaign_id", json_string(id));
  json_object_set_new(res, "service", json_string(service));
  json_object_set_new(res, "service_cost", ls__money_json(service_cost));
  json_object_set_new(res, "actual_cost", ls__money_json(actual));
  return LEADSTORE_OK;
}
