/*
 * campaigns.c — the campaign lifecycle on the embedded engine: creation
 * with coverage, the status state machine with its history (SPEC §4), and
 * the campaign reads (get_campaign, list_campaigns).
 */
#include <string.h>

#include "sq.h"

/* Appends a status history row (seq = the campaign's next). */
static int history_append(ls__sq *s, const ls__call *c, const char *campaign_id, const char *old_status,
                          const char *new_status, const json_t *metadata, ls__error *err) {
  char id[37];
  ls__uuid_new(s->db, id);
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_history_insert, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, id);
  ls__sq_text(s, st, 2, campaign_id);
  ls__sq_text(s, st, 3, old_status);
  ls__sq_text(s, st, 4, new_status);
  ls__sq_json(s, st, 5, metadata);
  ls__sq_text(s, st, 6, c->now);
  return ls__sq_exec(s, st, err);
}

/* Inserts one coverage row per element; a repeated ZIP is 23505 naming it. */
static int insert_coverage(ls__sq *s, const ls__call *c, const char *campaign_id, const json_t *items,
                           const json_t *campaign_keywords, ls__error *err) {
  size_t i;
  json_t *item;
  json_array_foreach(items, i, item) {
    const char *zip = ls__jstr(item, "zip_code");
    if (!zip) zip = ls__jstr(item, "zip");
    const json_t *keywords = json_object_get(item, "keywords");
    char id[37];
    ls__uuid_new(s->db, id);
    sqlite3_stmt *st = ls__sq_stmt(s, SQ_coverage_insert, err);
    if (!st) return err->code;
    ls__sq_text(s, st, 1, id);
    ls__sq_text(s, st, 2, campaign_id);
    ls__sq_text(s, st, 3, zip);
    ls__sq_json(s, st, 4, json_is_array(keywords) ? keywords : campaign_keywords);
    ls__sq_int(s, st, 5, ls__jint(item, "max_results", 200));
    ls__sq_int(s, st, 6, ls__jmoney(item, "estimated_cost", 0));
    ls__sq_text(s, st, 7, c->now);
    int rc = ls__sq_exec(s, st, err);
    if (rc == LEADSTORE_EDUPLICATE)
      return ls__fail(err, rc, "p_coverage_data[%zu]: ZIP %s appears more than once", i, zip);
    if (rc) return rc;
  }
  return LEADSTORE_OK;
}

int ls__sq_create_campaign_with_coverage_tx(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  const json_t *data = json_object_get(c->params, "p_campaign_data");
  const json_t *items = json_object_get(c->params, "p_coverage_data");
  size_t n = json_is_array(items) ? json_array_size(items) : 0;
  const char *org = ls__jstr(data, "organization_id");
  if (c->org && org && strcmp(org, c->org) != 0)
    return ls__fail(err, LEADSTORE_EINVAL,
                    "p_campaign_data.organization_id must be the caller's own organization");
  if (c->org) org = c->org;
  json_t *empty = json_array();
  const json_t *keywords = json_object_get(data, "keywords");
  if (!json_is_array(keywords)) keywords = empty;

  char id[37];
  ls__uuid_new(s->db, id);
  int rc;
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_campaign_insert, err);
  if (!st) {
    rc = err->code;
    goto out;
  }
  const json_t *custom = json_object_get(data, "custom_zip_codes");
  const char *profile = ls__jstr(data, "coverage_profile");
  const char *created_by = ls__jstr(data, "created_by");
  ls__sq_text(s, st, 1, id);
  ls__sq_text(s, st, 2, ls__jstr(data, "name"));
  ls__sq_text(s, st, 3, ls__jstr(data, "description"));
  ls__sq_json(s, st, 4, keywords);
  ls__sq_text(s, st, 5, ls__jstr(data, "location"));
  ls__sq_text(s, st, 6, profile ? profile : "balanced");
  ls__sq_json(s, st, 7, json_is_array(custom) ? custom : empty);
  ls__sq_int(s, st, 8, ls__jint(data, "target_zip_count", (int64_t)n));
  ls__sq_int(s, st, 9, (int64_t)n);
  ls__sq_param(s, st, 10, data, "coverage_percentage");
  ls__sq_int(s, st, 11, ls__jmoney(data, "estimated_cost", 0));
  ls__sq_text(s, st, 12, org);
  ls__sq_text(s, st, 13, created_by ? created_by : "system");
  ls__sq_text(s, st, 14, c->now);
  if ((rc = ls__sq_exec(s, st, err))) goto out;
  if ((rc = history_append(s, c, id, NULL, "draft", NULL, err))) goto out;
  if (n > 0 && (rc = insert_coverage(s, c, id, items, keywords, err))) goto out;

  json_object_set_new(res, "campaign_id", json_string(id));
  json_object_set_new(res, "coverage_count", json_integer((json_int_t)n));
  json_object_set_new(res, "status", json_string("draft"));
out:
  json_decref(empty);
  return rc;
}

int ls__sq_update_campaign_status_tx(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  const char *id = ls__jstr(c->params, "p_campaign_id");
  const char *to = ls__jstr(c->params, "p_new_status");
  sqlite3_stmt *st;
  int rc = ls__sq_campaign_row(s, c, SQ_campaign_status_get, id, &st, err);
  if (rc) return rc;
  char from[16];
  snprintf(from, sizeof from, "%s", ls__sq_col_text(st, 0));
  sqlite3_reset(st);
  if (!ls__status_transition_valid(from, to))
    return ls__fail(err, LEADSTORE_ERULE, "Invalid status transition: %s -> %s", from, to);

  if (!(st = ls__sq_stmt(s, SQ_campaign_status_set, err))) return err->code;
  ls__sq_text(s, st, 1, id);
  ls__sq_text(s, st, 2, to);
  ls__sq_text(s, st, 3, c->now);
  if ((rc = ls__sq_must_row(s, st, err))) return rc;
  json_object_set_new(res, "campaign_id", json_string(id));
  json_object_set_new(res, "old_status", json_string(from));
  json_object_set_new(res, "new_status", json_string(to));
  json_t *started = sqlite3_column_type(st, 0) == SQLITE_NULL ? json_null() : json_string(ls__sq_col_text(st, 0));
  json_t *completed = sqlite3_column_type(st, 1) == SQLITE_NULL ? json_null() : json_string(ls__sq_col_text(st, 1));
  json_object_set_new(res, "started_at", started);
  json_object_set_new(res, "completed_at", completed);
  sqlite3_reset(st);
  return history_append(s, c, id, from, to, json_object_get(c->params, "p_metadata"), err);
}

int ls__sq_is_valid_status_transition(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  (void)s, (void)err;
  bool valid = ls__status_transition_valid(ls__jstr(c->params, "p_current"), ls__jstr(c->params, "p_new"));
  json_object_set_new(res, "valid", json_boolean(valid));
  return LEADSTORE_OK;
}

/* A new object of the row's columns under other names (each pair: name, column; a column the
 * row lacks is null), the pairs in the order of the result text; NULL when memory ran out. */
static json_t *row_pick(const json_t *row, const char *const (*pairs)[2], size_t n) {
  json_t *o = json_object();
  for (size_t i = 0; o && i < n; i++) {
    json_t *v = json_object_get(row, pairs[i][1]);
    if (json_object_set_new(o, pairs[i][0], v ? json_incref(v) : json_null()) != 0) {
      json_decref(o);
      o = NULL;
    }
  }
  return o;
}

int ls__sq_get_campaign(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  static const char *const coverage[][2] = {{"businesses_found", "zip_businesses_found"},
                                            {"emails_found", "zip_emails_found"},
                                            {"zips_scraped", "zips_scraped"},
                                            {"zips_total", "actual_zip_count"}};
  static const char *const by_source[][2] = {
      {"facebook", "facebook_emails"}, {"google_maps", "google_maps_emails"}, {"linkedin", "linkedin_emails"}};
  const char *id = ls__jstr(c->params, "p_campaign_id");
  sqlite3_stmt *st;
  int rc = ls__sq_campaign_row(s, c, SQ_campaign_get, id, &st, err);
  if (rc) return rc;
  json_t *row = ls__sq_row_json(s, SQ_campaign_get, st);
  sqlite3_reset(st);
  json_object_set_new(res, "campaign", row);
  /* the totals are counters of the row (schema_3.sql): one point read, whatever the campaign's size */
  json_object_set_new(res, "coverage", row_pick(row, coverage, 4));
  json_t *leads = json_object();
  json_object_set_new(leads, "by_source", row_pick(row, by_source, 3));
  json_t *safe = json_object_get(row, "total_safe_emails");
  json_object_set_new(leads, "safe", safe ? json_incref(safe) : json_null());
  json_object_set_new(res, "leads", leads);
  return LEADSTORE_OK;
}

int ls__sq_list_campaigns(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  const char *status = ls__jstr(c->params, "p_status");
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_campaign_list, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, status);
  ls__sq_text(s, st, 2, c->org);
  ls__sq_int(s, st, 3, ls__jint(c->params, "p_limit", 100));
  ls__sq_int(s, st, 4, ls__jint(c->params, "p_offset", 0));
  json_t *list = json_array();
  json_object_set_new(res, "campaigns", list);
  int rc;
  ls__sq_shape shape = {0}; /* worked out at the first row */
  while ((rc = ls__sq_step(s, st, err)) == SQLITE_ROW) json_array_append_new(list, ls__sq_row_json_shaped(st, &shape));
  if (rc < 0) return err->code;
  sqlite3_reset(st);

  if (!(st = ls__sq_stmt(s, SQ_campaign_count, err))) return err->code;
  ls__sq_text(s, st, 1, status);
  ls__sq_text(s, st, 2, c->org);
  if ((rc = ls__sq_must_row(s, st, err))) return rc;
  json_object_set_new(res, "total", json_integer(sqlite3_column_int64(st, 0)));
  sqlite3_reset(st);
  return LEADSTORE_OK;
}
