/*
 * restore.c — restore_campaign_tx on the embedded engine: a whole campaign,
 * as `leadstore export campaign` writes it, inserted with its own ids,
 * timestamps, counters and totals, all or nothing.
 *
 * Every row is bound column by column from its object by the column's type
 * in the operations table (restore_*_fields in ops.c): text exactly as given
 * (an export's text was already trimmed where the operations trim it),
 * money in micro-dollars, booleans 0/1, lists and JSON as JSON text,
 * timestamps as the validation made them canonical.  Nothing is recounted:
 * the rows are proven instead — after the inserts every invariant of
 * `leadstore check` is run inside the same transaction and the first
 * violation of the restored campaign refuses the call (22023), so a
 * restored campaign is exactly the exported one or nothing at all.
 */
#include <string.h>

#include "sq.h"

/* Binds every `:column` of st from obj by its field's type, text as given. */
static void bind_row(ls__sq *s, sqlite3_stmt *st, const ls__field *fields, const json_t *obj) {
  int n = sqlite3_bind_parameter_count(st);
  for (int i = 1; i <= n; i++) {
    const char *name = sqlite3_bind_parameter_name(st, i);
    const ls__field *f = fields;
    while (f->name && strcmp(f->name, name + 1)) f++;
    json_t *v = f->name ? json_object_get(obj, f->name) : NULL;
    if (!f->name) s->bind_failed = SQLITE_MISUSE; /* a statement naming a column the table lacks */
    else if (!v || json_is_null(v)) ls__sq_null(s, st, i);
    else if (json_is_string(v)) ls__sq_text(s, st, i, json_string_value(v));
    else if (f->type == LS_T_MONEY) ls__sq_int(s, st, i, ls__money_from_number(json_number_value(v)));
    else if (f->type == LS_T_INT) ls__sq_int(s, st, i, ls__jint(obj, f->name, 0));
    else if (f->type == LS_T_NUMBER) ls__sq_real(s, st, i, json_number_value(v));
    else if (f->type == LS_T_BOOL) ls__sq_int(s, st, i, json_is_true(v));
    else ls__sq_json(s, st, i, v); /* lists and JSON */
  }
}

/* The rows of one list: each row's campaign_id must be the campaign's; then inserted. */
static int insert_rows(ls__sq *s, const ls__call *c, const char *param, sq_query q, const char *campaign_id,
                       ls__error *err) {
  const ls__field *fields = ls__param_fields(c->op, param);
  const json_t *rows = json_object_get(c->params, param);
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row) {
    const char *cid = ls__jstr(row, "campaign_id");
    if (cid && strcmp(cid, campaign_id))
      return ls__fail(err, LEADSTORE_EINVAL, "%s[%zu].campaign_id is not p_campaign.id: %s", param, i, cid);
    sqlite3_stmt *st = ls__sq_stmt(s, q, err);
    if (!st) return err->code;
    bind_row(s, st, fields, row);
    int rc = ls__sq_exec(s, st, err);
    if (rc) return rc;
  }
  return LEADSTORE_OK;
}

int ls__sq_restore_campaign_tx(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  const json_t *given = json_object_get(c->params, "p_campaign");
  const char *id = ls__jstr(given, "id"), *org = ls__jstr(given, "organization_id");
  if (c->org && org && strcmp(org, c->org) != 0)
    return ls__fail(err, LEADSTORE_EINVAL, "p_campaign.organization_id must be the caller's own organization");
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_restore_campaign_exists, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, id);
  int rc = ls__sq_row(s, st, err);
  sqlite3_reset(st);
  if (rc == LEADSTORE_OK) return ls__fail(err, LEADSTORE_EDUPLICATE, "Campaign %s already exists", id);
  if (rc != LEADSTORE_ENOTFOUND) return rc;

  /* an authenticated caller's campaign is its organization's */
  json_t *campaign = json_copy((json_t *)given);
  if (!campaign || (c->org && json_object_set_new(campaign, "organization_id", json_string(c->org))) ||
      !(st = ls__sq_stmt(s, SQ_restore_campaign, err))) {
    json_decref(campaign);
    return campaign ? err->code : ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  }
  bind_row(s, st, ls__param_fields(c->op, "p_campaign"), campaign);
  json_decref(campaign);
  if ((rc = ls__sq_exec(s, st, err))) return rc;

  static const struct {
    const char *param, *key;
    sq_query q;
  } lists[] = {
      {"p_coverage", "coverage", SQ_restore_coverage},
      {"p_businesses", "businesses", SQ_restore_business},
      {"p_facebook_enrichments", "facebook_enrichments", SQ_restore_facebook},
      {"p_linkedin_enrichments", "linkedin_enrichments", SQ_restore_linkedin},
      {"p_verifications", "verifications", SQ_restore_verification},
      {"p_costs", "costs", SQ_restore_cost},
  };
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
    if ((rc = insert_rows(s, c, lists[i].param, lists[i].q, id, err))) return rc;
    json_object_set_new(res, lists[i].key, json_integer((json_int_t)json_array_size(
                                                json_object_get(c->params, lists[i].param))));
  }
  const json_t *history = json_object_get(c->params, "p_status_history");
  size_t i;
  json_t *h;
  json_array_foreach(history, i, h) {
    char hid[37];
    ls__uuid_new(s->db, hid);
    if (!(st = ls__sq_stmt(s, SQ_history_insert, err))) return err->code;
    ls__sq_text(s, st, 1, hid);
    ls__sq_text(s, st, 2, id);
    ls__sq_text(s, st, 3, ls__jstr(h, "old_status"));
    ls__sq_text(s, st, 4, ls__jstr(h, "new_status"));
    ls__sq_json(s, st, 5, json_object_get(h, "metadata"));
    ls__sq_text(s, st, 6, ls__jstr(h, "changed_at"));
    if ((rc = ls__sq_exec(s, st, err))) return rc;
  }
  if ((rc = ls__sq_check_campaign(s, id, err))) return rc;
  json_object_set_new(res, "campaign_id", json_string(id));
  json_object_set_new(res, "status_history", json_integer((json_int_t)json_array_size(history)));
  return LEADSTORE_OK;
}
