/*
 * businesses.c — scraped businesses on the embedded engine: the batch
 * upsert with the smart re-scrape rules (SPEC §7.5) and the enrichment
 * work queues (get_businesses_for_enrichment: a page of the queue's partial
 * index; its total, a counter of the campaign row, schema_4.sql).
 *
 * A batch is one transaction: each element is looked up by (campaign,
 * place_id) and inserted or updated with two prepared statements reused for
 * every row, in input order, so a place repeated inside the batch is an
 * update the second time.  Counters change once, at the end, by the deltas
 * the rows produced.  Any bad element was refused by the validator before
 * the transaction began, naming its index.
 */
#include <string.h>

#include "sq.h"

/* Per-batch counter deltas and the result's counts. */
typedef struct deltas {
  ls__counts n;
  int64_t inserted, updated;
} deltas;

/* raw_data for an element: its own raw_data, else its unknown keys (new reference or NULL). */
static json_t *raw_data_of(const ls__field *fields, const json_t *e) {
  json_t *raw = json_object_get(e, "raw_data");
  if (raw && !json_is_null(raw)) return json_incref(raw);
  return ls__unknown_keys(fields, e);
}

static int insert_business(ls__sq *s, const ls__call *c, const ls__field *fields, const json_t *e,
                           const char *id, deltas *d, ls__error *err) {
  char email[LS_EMAIL_MAX + 1];
  bool has_email = ls__email_wellformed(ls__jstr(e, "email"), email, sizeof email);
  json_t *raw = raw_data_of(fields, e);
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_business_insert, err);
  if (!st) {
    json_decref(raw);
    return err->code;
  }
  ls__sq_bind_fields(s, st, fields, e);
  ls__sq_at_text(s, st, "@id", id);
  ls__sq_at_text(s, st, "@campaign_id", ls__jstr(c->params, "p_campaign_id"));
  ls__sq_at_text(s, st, "@zip_code", ls__jstr(c->params, "p_zip_code"));
  ls__sq_at_text(s, st, "@email", has_email ? email : NULL);
  ls__sq_at_text(s, st, "@email_source", has_email ? "google_maps" : "not_found");
  ls__sq_at_json(s, st, "@raw_data", raw);
  ls__sq_at_text(s, st, "@now", c->now);
  json_decref(raw);
  int rc = ls__sq_exec(s, st, err);
  if (rc) return rc;
  size_t len = 0;
  bool facebook = ls__jtrim(e, "facebook_url", &len) != NULL; /* bound as business_insert binds it */
  ls__biz b = {.has_email = has_email, .needs_enrichment = facebook};
  snprintf(b.source, sizeof b.source, "%s", has_email ? "google_maps" : "not_found");
  snprintf(b.enrichment_status, sizeof b.enrichment_status, "%s", facebook ? "pending" : "no_facebook");
  d->inserted++;
  d->n.businesses++;
  ls__sq_biz_count(&b, 1, &d->n);
  return LEADSTORE_OK;
}

static int update_business(ls__sq *s, const ls__call *c, const ls__field *fields, const json_t *e, ls__biz *b,
                           deltas *d, ls__error *err) {
  json_t *raw = raw_data_of(fields, e);
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_business_update_scraped, err);
  if (!st) {
    json_decref(raw);
    return err->code;
  }
  ls__sq_bind_fields(s, st, fields, e);
  ls__sq_at_text(s, st, "@id", b->id);
  ls__sq_at_json(s, st, "@raw_data", raw);
  ls__sq_at_text(s, st, "@now", c->now);
  json_decref(raw);
  int rc = ls__sq_exec(s, st, err);
  if (rc) return rc;
  bool changed;
  ls__sq_biz_count(b, -1, &d->n);
  size_t len = 0;
  if (strcmp(b->enrichment_status, "no_facebook") == 0 && ls__jtrim(e, "facebook_url", &len)) {
    b->needs_enrichment = true; /* as business_update_scraped sets it */
    snprintf(b->enrichment_status, sizeof b->enrichment_status, "pending");
  }
  if ((rc = ls__sq_offer_email(s, c, b, ls__jstr(e, "email"), "google_maps", &changed, err))) return rc;
  ls__sq_biz_count(b, 1, &d->n);
  d->updated++;
  return LEADSTORE_OK;
}

int ls__sq_batch_upsert_businesses_tx(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  const char *campaign_id = ls__jstr(c->params, "p_campaign_id");
  const json_t *list = json_object_get(c->params, "p_businesses");
  const ls__field *fields = ls__param_fields(c->op, "p_businesses");
  int rc = ls__sq_campaign_scrapable(s, c, campaign_id, err);
  if (rc) return rc;
  deltas d = {0};
  json_t *results = json_array();
  json_object_set_new(res, "campaign_id", json_string(campaign_id));
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) {
    sqlite3_stmt *st = ls__sq_stmt(s, SQ_business_by_place, err);
    if (!st) {
      json_decref(results);
      return err->code;
    }
    ls__sq_bind_fields(s, st, fields, e);
    ls__sq_at_text(s, st, "@campaign_id", campaign_id);
    ls__biz b;
    rc = ls__sq_row(s, st, err);
    if (rc == LEADSTORE_OK) ls__sq_biz_read(st, &b);
    sqlite3_reset(st);
    bool created = rc == LEADSTORE_ENOTFOUND;
    if (created) {
      ls__uuid_new(s->db, b.id);
      rc = insert_business(s, c, fields, e, b.id, &d, err);
    } else if (rc == LEADSTORE_OK) {
      rc = update_business(s, c, fields, e, &b, &d, err);
    }
    if (rc) {
      size_t len = strlen(err->msg);
      snprintf(err->msg + len, sizeof err->msg - len, " (p_businesses[%zu])", i);
      json_decref(results);
      return rc;
    }
    size_t plen = 0;
    const char *place = ls__jtrim(e, "place_id", &plen);
    json_array_append_new(results, json_pack("{s:s%, s:s, s:b}", "place_id", place, plen, "business_id", b.id,
                                             "created", created));
  }
  json_object_set_new(res, "inserted", json_integer(d.inserted));
  json_object_set_new(res, "updated", json_integer(d.updated));
  json_object_set_new(res, "total", json_integer((json_int_t)json_array_size(list)));
  json_object_set_new(res, "results", results);
  return ls__sq_counters_add(s, c, campaign_id, &d.n, err);
}

int ls__sq_get_businesses_for_enrichment(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  const char *campaign_id = ls__jstr(c->params, "p_campaign_id");
  const char *type = ls__jstr(c->params, "p_enrichment_type");
  sq_query list_q = SQ_businesses_verification_queue;
  int column = 2; /* of campaign_queues */
  if (strcmp(type, "facebook") == 0) list_q = SQ_businesses_facebook_queue, column = 0;
  if (strcmp(type, "linkedin") == 0) list_q = SQ_businesses_linkedin_queue, column = 1;
  sqlite3_stmt *st;
  int rc = ls__sq_campaign_row(s, c, SQ_campaign_queues, campaign_id, &st, err);
  if (rc) return rc;
  json_int_t total = sqlite3_column_int64(st, column);
  sqlite3_reset(st);

  if (!(st = ls__sq_stmt(s, list_q, err))) return err->code;
  if (!st) return err->code;
  ls__sq_text(s, st, 1, campaign_id);
  ls__sq_int(s, st, 2, ls__jint(c->params, "p_limit", 100));
  ls__sq_int(s, st, 3, ls__jint(c->params, "p_offset", 0));
  json_t *list = json_array();
  json_object_set_new(res, "businesses", list);
  ls__sq_shape shape = {0}; /* worked out at the first row */
  while ((rc = ls__sq_step(s, st, err)) == SQLITE_ROW) json_array_append_new(list, ls__sq_row_json_shaped(st, &shape));
  if (rc < 0) return err->code;
  sqlite3_reset(st);
  json_object_set_new(res, "total", json_integer(total));
  return LEADSTORE_OK;
}
