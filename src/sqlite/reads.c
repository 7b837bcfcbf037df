/*
 * reads.c — the lead reads on the embedded engine (SPEC §7.14–7.18):
 * list_businesses, get_business, list_coverage, list_costs and
 * get_status_history.  Each runs inside the engine's read transaction (one
 * snapshot) and sees only the caller's organization: another
 * organization's campaign or business is P0002, as if it did not exist.
 *
 * The lists are keyset pages.  `p_after` names the last row of the previous
 * page (its `next_after`); the row's sort key is looked up — it must be a
 * row of the same campaign's list, else 22023 — and the page reads on from
 * there in the list's order on an index, so a page costs the same at any
 * depth and rows inserted meanwhile never shift a page.  A page fetches one
 * row more than it returns: `next_after` is null exactly when nothing
 * follows.  `total` counts every row the filters match (not only the page).
 */
#include <string.h>

#include "sq.h"

/* Binds the filters of list_businesses (named parameters the statement lacks are skipped). */
static void bind_business_filters(ls__sq *s, sqlite3_stmt *st, const ls__call *c) {
  const json_t *p = c->params;
  ls__sq_at_text(s, st, "@campaign_id", ls__jstr(p, "p_campaign_id"));
  ls__sq_at_text(s, st, "@zip_code", ls__jstr(p, "p_zip_code"));
  ls__sq_at_text(s, st, "@email_source", ls__jstr(p, "p_email_source"));
  const json_t *verified = json_object_get(p, "p_verified"), *safe = json_object_get(p, "p_safe");
  ls__sq_at_flag(s, st, "@verified", json_is_boolean(verified) ? json_is_true(verified) : -1);
  ls__sq_at_flag(s, st, "@safe", json_is_boolean(safe) ? json_is_true(safe) : -1);
  ls__sq_at_text(s, st, "@enrichment_status", ls__jstr(p, "p_enrichment_status"));
  /* trimmed; blank = no filter; the match folds ASCII case (ls_contains_ci, functions.c) */
  ls__sq_at_trimmed(s, st, "@search", ls__jstr(p, "p_search"));
}

static void bind_coverage_filters(ls__sq *s, sqlite3_stmt *st, const ls__call *c) {
  const json_t *scraped = json_object_get(c->params, "p_scraped");
  ls__sq_at_text(s, st, "@campaign_id", ls__jstr(c->params, "p_campaign_id"));
  ls__sq_at_flag(s, st, "@scraped", json_is_boolean(scraped) ? json_is_true(scraped) : -1);
}

static void bind_cost_filters(ls__sq *s, sqlite3_stmt *st, const ls__call *c) {
  ls__sq_at_text(s, st, "@campaign_id", ls__jstr(c->params, "p_campaign_id"));
  ls__sq_at_text(s, st, "@service", ls__jstr(c->params, "p_service"));
}

/* One keyset list: its statements, the name of its sort key's parameter, its filters. */
typedef struct page_spec {
  sq_query key_q;      /* @after, @campaign_id → the sort key of that row */
  sq_query page_q;     /* the filters, @after_key, @after, @limit → the rows in order */
  const char *key_param; /* @after_at / @after_zip */
  const char *list;    /* the result's key for the rows */
  void (*bind)(ls__sq *, sqlite3_stmt *, const ls__call *);
} page_spec;

/*
 * Fills res[spec->list] with one page and res.next_after; the caller has
 * checked the campaign.  OK or a status.
 */
static int read_page(ls__sq *s, const ls__call *c, const page_spec *spec, json_t *res, ls__error *err) {
  const char *after = ls__jstr(c->params, "p_after");
  char key[64] = "";
  sqlite3_stmt *st;
  int rc;
  if (after) {
    if (!(st = ls__sq_stmt(s, spec->key_q, err))) return err->code;
    ls__sq_at_text(s, st, "@after", after);
    ls__sq_at_text(s, st, "@campaign_id", ls__jstr(c->params, "p_campaign_id"));
    rc = ls__sq_row(s, st, err);
    if (rc == LEADSTORE_OK) snprintf(key, sizeof key, "%s", ls__sq_col_text(st, 0));
    sqlite3_reset(st);
    if (rc == LEADSTORE_ENOTFOUND)
      return ls__fail(err, LEADSTORE_EINVAL, "p_after is not a row of this list: %s", after);
    if (rc) return rc;
  }
  int64_t limit = ls__jint(c->params, "p_limit", 100);
  if (!(st = ls__sq_stmt(s, spec->page_q, err))) return err->code;
  spec->bind(s, st, c);
  ls__sq_at_text(s, st, spec->key_param, after ? key : NULL);
  ls__sq_at_text(s, st, "@after", after);
  ls__sq_at_int(s, st, "@limit", limit + 1); /* one more: is there a next page? */
  json_t *list = json_array();
  json_object_set_new(res, spec->list, list);
  int64_t n = 0;
  bool more = false;
  ls__sq_shape shape = {0}; /* worked out at the first row */
  while ((rc = ls__sq_step(s, st, err)) == SQLITE_ROW) {
    if (n++ == limit) { /* the row past the page: next_after is the page's last row */
      more = true;
      break;
    }
    json_array_append_new(list, ls__sq_row_json_shaped(st, &shape));
  }
  sqlite3_reset(st);
  json_t *last = json_array_get(list, json_array_size(list) - 1);
  json_t *next = more ? json_object_get(last, "id") : NULL;
  json_object_set(res, "next_after", next ? next : json_null());
  return rc < 0 ? err->code : LEADSTORE_OK;
}

/* Runs a total statement (the filters bound) and steps to its row. */
static int read_total(ls__sq *s, const ls__call *c, sq_query q, void (*bind)(ls__sq *, sqlite3_stmt *, const ls__call *),
                      sqlite3_stmt **out, ls__error *err) {
  sqlite3_stmt *st = *out = ls__sq_stmt(s, q, err);
  if (!st) return err->code;
  bind(s, st, c);
  return ls__sq_must_row(s, st, err);
}

int ls__sq_list_businesses(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  static const page_spec spec = {SQ_business_page_key, SQ_businesses_page, "@after_at", "businesses",
                                 bind_business_filters};
  int rc = ls__sq_campaign_visible(s, c, ls__jstr(c->params, "p_campaign_id"), err);
  if (rc || (rc = read_page(s, c, &spec, res, err))) return rc;
  sqlite3_stmt *st;
  if ((rc = read_total(s, c, SQ_businesses_total, bind_business_filters, &st, err))) return rc;
  json_object_set_new(res, "total", json_integer(sqlite3_column_int64(st, 0)));
  sqlite3_reset(st);
  return LEADSTORE_OK;
}

int ls__sq_list_coverage(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  static const page_spec spec = {SQ_coverage_page_key, SQ_coverage_page, "@after_zip", "coverage",
                                 bind_coverage_filters};
  int rc = ls__sq_campaign_visible(s, c, ls__jstr(c->params, "p_campaign_id"), err);
  if (rc || (rc = read_page(s, c, &spec, res, err))) return rc;
  sqlite3_stmt *st;
  if ((rc = read_total(s, c, SQ_coverage_total, bind_coverage_filters, &st, err))) return rc;
  json_object_set_new(res, "total", json_integer(sqlite3_column_int64(st, 0)));
  sqlite3_reset(st);
  return LEADSTORE_OK;
}

int ls__sq_list_costs(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  static const page_spec spec = {SQ_cost_page_key, SQ_costs_page, "@after_at", "costs", bind_cost_filters};
  int rc = ls__sq_campaign_visible(s, c, ls__jstr(c->params, "p_campaign_id"), err);
  if (rc || (rc = read_page(s, c, &spec, res, err))) return rc;
  sqlite3_stmt *st;
  if ((rc = read_total(s, c, SQ_costs_total, bind_cost_filters, &st, err))) return rc;
  json_object_set_new(res, "total", json_integer(sqlite3_column_int64(st, 0)));
  json_object_set_new(res, "total_usd", ls__money_json(sqlite3_column_int64(st, 1))); /* an integer sum */
  sqlite3_reset(st);
  return LEADSTORE_OK;
}

/* Appends every row of `q` (?1 = id) to a new array res[key]. */
static int read_rows(ls__sq *s, sq_query q, const char *id, json_t *res, const char *key, ls__error *err) {
  sqlite3_stmt *st = ls__sq_stmt(s, q, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, id);
  json_t *list = json_array();
  json_object_set_new(res, key, list);
  int rc;
  ls__sq_shape shape = {0}; /* worked out at the first row */
  while ((rc = ls__sq_step(s, st, err)) == SQLITE_ROW) json_array_append_new(list, ls__sq_row_json_shaped(st, &shape));
  if (rc < 0) return err->code;
  sqlite3_reset(st);
  return LEADSTORE_OK;
}

int ls__sq_get_business(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  const char *id = ls__jstr(c->params, "p_business_id");
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_business_get, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, id);
  ls__sq_text(s, st, 2, c->org);
  int rc = ls__sq_row(s, st, err);
  if (rc == LEADSTORE_ENOTFOUND) return ls__fail(err, rc, "Business %s not found", id);
  if (rc) return rc;
  json_object_set_new(res, "business", ls__sq_row_json(s, SQ_business_get, st));
  sqlite3_reset(st);
  if ((rc = read_rows(s, SQ_business_facebook_enrichments, id, res, "facebook_enrichments", err)) ||
      (rc = read_rows(s, SQ_business_linkedin_enrichments, id, res, "linkedin_enrichments", err)))
    return rc;
  return read_rows(s, SQ_business_verifications, id, res, "verifications", err);
}

int ls__sq_get_status_history(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  const char *id = ls__jstr(c->params, "p_campaign_id");
  int rc = ls__sq_campaign_visible(s, c, id, err);
  return rc ? rc : read_rows(s, SQ_status_history, id, res, "history", err);
}
