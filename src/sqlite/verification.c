/*
 * verification.c — email verification on the embedded engine (SPEC §7.8).
 *
 * A verification lands on its target (a business for google_maps, an
 * enrichment for facebook/linkedin), appends exactly one audit row, and
 * reaches the business too when the verified address is the business's
 * current email (case-insensitively) — never otherwise, since the
 * business's verification columns describe its current email only.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sq.h"

/* The verification data as columns: email_verified unless status is error;
 * is_safe defaults to status = deliverable and score ≥ 70. */
static void verif_from(const ls__call *c, const json_t *data, ls__verif *v) {
  const json_t *score = json_object_get(data, "score");
  if (score && json_is_null(score)) score = NULL;
  memset(v, 0, sizeof *v);
  ls__sq_verif_status(v, data, "status"); /* an enum value: never blank */
  int is_safe = ls__jflag(data, "is_safe");
  v->verified = strcmp(v->status, "error") != 0;
  v->score = score;
  v->reason = ls__jstr(data, "reason");
  v->is_safe = is_safe >= 0 ? is_safe : ls__is_safe_default(v->status, score);
  v->is_disposable = ls__jflag(data, "is_disposable");
  v->is_role_based = ls__jflag(data, "is_role_based");
  v->is_free_email = ls__jflag(data, "is_free_email");
  v->verified_at = c->now;
  v->raw = json_object_get(data, "raw_response");
}

/* Finds the enrichment `id` of `q` the caller may see; copies its business id. */
static int load_enrichment(ls__sq *s, const ls__call *c, sq_query q, const char *id, const char *what,
                           char business_id[37], ls__error *err) {
  sqlite3_stmt *st = ls__sq_stmt(s, q, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, id);
  ls__sq_text(s, st, 2, c->org);
  int rc = ls__sq_row(s, st, err);
  if (rc == LEADSTORE_ENOTFOUND) return ls__fail(err, rc, "%s enrichment %s not found", what, id);
  if (rc == LEADSTORE_OK) snprintf(business_id, 37, "%s", ls__sq_col_text(st, 1));
  sqlite3_reset(st);
  return rc;
}

/* Runs one of the *_set_verification statements on row `id`. */
static int apply(ls__sq *s, const ls__call *c, sq_query q, const char *id, const ls__verif *v, ls__error *err) {
  sqlite3_stmt *st = ls__sq_stmt(s, q, err);
  if (!st) return err->code;
  ls__sq_bind_verif(s, st, v);
  ls__sq_at_text(s, st, "@id", id);
  ls__sq_at_text(s, st, "@now", c->now);
  return ls__sq_exec(s, st, err);
}

int ls__sq_update_email_verification_tx(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  const char *source = ls__jstr(c->params, "p_source");
  const char *target = ls__jstr(c->params, "p_target_id");
  const json_t *data = json_object_get(c->params, "p_verification_data");
  ls__verif v;
  verif_from(c, data, &v);
  char business_id[37];
  const char *fb_id = NULL, *li_id = NULL;
  int rc;
  if (strcmp(source, "facebook") == 0) {
    fb_id = target;
    rc = load_enrichment(s, c, SQ_facebook_for_call, target, "Facebook", business_id, err);
    if (!rc) rc = apply(s, c, SQ_facebook_set_verification, target, &v, err);
  } else if (strcmp(source, "linkedin") == 0) {
    li_id = target;
    rc = load_enrichment(s, c, SQ_linkedin_for_call, target, "LinkedIn", business_id, err);
    if (!rc) rc = apply(s, c, SQ_linkedin_set_verification, target, &v, err);
  } else {
    snprintf(business_id, sizeof business_id, "%s", target);
    rc = LEADSTORE_OK;
  }
  if (rc) return rc;
  ls__biz b;
  if ((rc = ls__sq_biz_load(s, c, business_id, &b, err))) return rc;

  size_t len = 0;
  const char *email = ls__jtrim(data, "email", &len); /* required and not blank: validated */
  /* a stored email is never longer than LS_EMAIL_MAX, so a longer one never matches */
  bool matches = b.has_email && len <= LS_EMAIL_MAX && strlen(b.email) == len &&
                 strncasecmp(b.email, email, len) == 0;
  ls__counts d = {0};
  ls__sq_biz_count(&b, -1, &d);
  if (matches) {
    if ((rc = apply(s, c, SQ_business_set_verification, b.id, &v, err))) return rc;
    b.verified = v.verified && strcmp(v.status, ls__verified_status) == 0;
    b.safe = v.verified && v.is_safe == 1;
    b.email_verified = v.verified;
  }
  ls__sq_biz_count(&b, 1, &d);

  char vid[37];
  ls__uuid_new(s->db, vid);
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_verification_insert, err);
  if (!st) return err->code;
  ls__sq_bind_fields(s, st, ls__param_fields(c->op, "p_verification_data"), data);
  ls__sq_at_text(s, st, "@id", vid);
  ls__sq_at_text(s, st, "@business_id", b.id);
  ls__sq_at_text(s, st, "@campaign_id", b.campaign_id);
  ls__sq_at_text(s, st, "@facebook_enrichment_id", fb_id);
  ls__sq_at_text(s, st, "@linkedin_enrichment_id", li_id);
  ls__sq_at_text(s, st, "@source", source);
  ls__sq_at_int(s, st, "@is_safe", v.is_safe);
  ls__sq_at_text(s, st, "@now", c->now);
  if ((rc = ls__sq_exec(s, st, err))) return rc;
  if ((rc = ls__sq_counters_add(s, c, b.campaign_id, &d, err))) return rc;

  json_object_set_new(res, "business_id", json_string(b.id));
  json_object_set_new(res, "source", json_string(source));
  json_object_set_new(res, "verification_id", json_string(vid));
  json_object_set_new(res, "business_updated", json_boolean(matches));
  return LEADSTORE_OK;
}
