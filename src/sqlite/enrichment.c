/*
 * enrichment.c — Facebook and LinkedIn enrichment on the embedded engine
 * (SPEC §7.6, §7.7).
 *
 * Each save inserts the enrichment row, updates the business (attempts and
 * status for Facebook; linkedin_enriched and the URL for LinkedIn) and
 * offers the enrichment's email to the business under the priority rule of
 * SPEC §5 — all in the caller's one transaction, with the counters moved by
 * exactly what changed.  The email offered is `primary_email` when it is
 * well-formed, else the first well-formed address of the page's `emails`
 * (LinkedIn: `emails_found`).
 */
#include <string.h>
#include <strings.h>

#include "sq.h"

/* The address an enrichment offers: primary, else the first well-formed of `list_key`. */
static const char *offered_email(const json_t *data, const char *list_key) {
  char buf[LS_EMAIL_MAX + 1];
  const char *primary = ls__jstr(data, "primary_email");
  if (ls__email_wellformed(primary, buf, sizeof buf)) return primary;
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(data, list_key), i, e) {
    if (ls__email_wellformed(json_string_value(e), buf, sizeof buf)) return json_string_value(e);
  }
  return NULL;
}

/* Loads the business and checks p_campaign_id against it. */
static int load_target(ls__sq *s, const ls__call *c, ls__biz *b, ls__error *err) {
  const char *business_id = ls__jstr(c->params, "p_business_id");
  const char *campaign_id = ls__jstr(c->params, "p_campaign_id");
  int rc = ls__sq_biz_load(s, c, business_id, b, err);
  if (rc) return rc;
  if (campaign_id && strcmp(campaign_id, b->campaign_id) != 0)
    return ls__fail(err, LEADSTORE_EINVAL, "p_campaign_id %s is not the campaign of business %s", campaign_id,
                    business_id);
  return LEADSTORE_OK;
}

/* Inserts an enrichment row with `q`, binding the data object, the ids and
 * (LinkedIn) the verification it arrived with. */
static int insert_enrichment(ls__sq *s, const ls__call *c, sq_query q, const ls__biz *b, const char *id,
                             json_t *raw, const ls__verif *v, ls__error *err) {
  const json_t *data = json_object_get(c->params, "p_enrichment_data");
  sqlite3_stmt *st = ls__sq_stmt(s, q, err);
  if (!st) return err->code;
  ls__sq_bind_fields(s, st, ls__param_fields(c->op, "p_enrichment_data"), data);
  ls__sq_at_text(s, st, "@id", id);
  ls__sq_at_text(s, st, "@business_id", b->id);
  ls__sq_at_text(s, st, "@campaign_id", b->campaign_id);
  ls__sq_at_json(s, st, "@raw_data", raw);
  ls__sq_at_text(s, st, "@now", c->now);
  ls__sq_at_int(s, st, "@verified", v ? v->verified : 0);
  ls__sq_at_flag(s, st, "@is_safe", v ? v->is_safe : -1);
  return ls__sq_exec(s, st, err);
}

/* The success object shared by both saves. */
static void enrichment_result(json_t *res, const char *id, const ls__biz *b, bool changed) {
  json_object_set_new(res, "enrichment_id", json_string(id));
  json_object_set_new(res, "business_id", json_string(b->id));
  json_object_set_new(res, "email_updated", json_boolean(changed));
  json_object_set_new(res, "email", b->has_email ? json_string(b->email) : json_null());
  json_object_set_new(res, "email_source", json_string(b->source));
}

int ls__sq_save_facebook_enrichment_tx(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  const json_t *data = json_object_get(c->params, "p_enrichment_data");
  ls__biz b;
  int rc = load_target(s, c, &b, err);
  if (rc) return rc;
  bool changed = false;
  bool success = json_is_true(json_object_get(data, "success"));
  ls__counts d = {.facebook = success};
  ls__sq_biz_count(&b, -1, &d);
  char id[37];
  ls__uuid_new(s->db, id);
  json_t *raw = json_object_get(data, "raw_data");
  json_t *own = raw && !json_is_null(raw) ? NULL : ls__unknown_keys(ls__param_fields(c->op, "p_enrichment_data"), data);
  rc = insert_enrichment(s, c, SQ_facebook_insert, &b, id, own ? own : raw, NULL, err);
  json_decref(own);
  if (rc) return rc;

  /* the attempt and the offered email (SPEC §5) in one UPDATE of the business */
  char clean[LS_EMAIL_MAX + 1];
  int offer = ls__sq_offer_decide(&b, offered_email(data, "emails"), "facebook", clean);
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_business_facebook_attempt, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, b.id);
  ls__sq_text(s, st, 2, c->now);
  ls__sq_text(s, st, 3, success ? "enriched" : "failed");
  ls__sq_int(s, st, 4, offer);
  ls__sq_text(s, st, 5, offer == LS_OFFER_EMAIL ? clean : NULL);
  ls__sq_text(s, st, 6, "facebook");
  if ((rc = ls__sq_exec(s, st, err))) return rc;
  b.needs_enrichment = false;
  snprintf(b.enrichment_status, sizeof b.enrichment_status, "%s", success ? "enriched" : "failed");
  ls__sq_offer_took(&b, offer, clean, "facebook");
  changed = offer != LS_OFFER_NONE;
  ls__sq_biz_count(&b, 1, &d);
  if ((rc = ls__sq_counters_add(s, c, b.campaign_id, &d, err))) return rc;
  enrichment_result(res, id, &b, changed);
  return LEADSTORE_OK;
}

/*
 * The verification a LinkedIn enrichment arrived with (upstream `bouncer_*`
 * keys), if it carries a status or the verified flag.  The enrichment row
 * and, when its email becomes the business's, the business store the same
 * values: verified unless the status is error when the flag is absent, and
 * is_safe by the rule of SPEC §7.8 when the verifier did not say.
 */
static bool linkedin_verification(const ls__call *c, const json_t *data, ls__verif *v) {
  int verified = ls__jflag(data, "bouncer_verified");
  const json_t *score = json_object_get(data, "bouncer_score");
  if (score && json_is_null(score)) score = NULL;
  int is_safe = ls__jflag(data, "bouncer_is_safe");
  memset(v, 0, sizeof *v);
  ls__sq_verif_status(v, data, "bouncer_status");
  v->verified = verified >= 0 ? verified : v->status && strcmp(v->status, "error") != 0;
  v->score = score;
  v->reason = ls__jstr(data, "bouncer_reason");
  v->is_safe = is_safe >= 0 ? is_safe : v->status ? ls__is_safe_default(v->status, score) : -1;
  v->is_disposable = ls__jflag(data, "bouncer_is_disposable");
  v->is_role_based = ls__jflag(data, "bouncer_is_role_based");
  v->is_free_email = ls__jflag(data, "bouncer_is_free_email");
  v->verified_at = ls__jstr(data, "bouncer_verified_at") ? ls__jstr(data, "bouncer_verified_at") : c->now;
  return verified >= 0 || v->status;
}

int ls__sq_save_linkedin_enrichment_tx(ls__sq *s, const ls__call *c, json_t *res, ls__error *err) {
  const json_t *data = json_object_get(c->params, "p_enrichment_data");
  ls__biz b;
  int rc = load_target(s, c, &b, err);
  if (rc) return rc;
  bool changed = false;
  size_t url_len = 0;
  const char *url = ls__jtrim(data, "linkedin_url", &url_len);
  ls__counts d = {.linkedin = url != NULL};
  ls__sq_biz_count(&b, -1, &d);
  ls__verif v;
  bool verif = linkedin_verification(c, data, &v);
  char id[37];
  ls__uuid_new(s->db, id);
  if ((rc = insert_enrichment(s, c, SQ_linkedin_insert, &b, id, NULL, verif ? &v : NULL, err))) return rc;

  sqlite3_stmt *st = ls__sq_stmt(s, SQ_business_linkedin_done, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, b.id);
  if (url && sqlite3_bind_text(st, 2, url, (int)url_len, SQLITE_TRANSIENT) != SQLITE_OK) s->bind_failed = SQLITE_NOMEM;
  ls__sq_text(s, st, 3, c->now);
  if ((rc = ls__sq_exec(s, st, err))) return rc;
  b.linkedin_enriched = true;

  const char *email = offered_email(data, "emails_found");
  if ((rc = ls__sq_offer_email(s, c, &b, email, "linkedin", &changed, err))) return rc;
  char clean[LS_EMAIL_MAX + 1];
  bool ours = email && ls__email_wellformed(email, clean, sizeof clean) && strcmp(b.source, "linkedin") == 0 &&
              strcasecmp(b.email, clean) == 0;
  if (ours && verif) {
    if (!(st = ls__sq_stmt(s, SQ_business_set_verification, err))) return err->code;
    ls__sq_bind_verif(s, st, &v);
    ls__sq_at_text(s, st, "@id", b.id);
    ls__sq_at_text(s, st, "@now", c->now);
    if ((rc = ls__sq_exec(s, st, err))) return rc;
    b.verified = v.verified && v.status && strcmp(v.status, ls__verified_status) == 0;
    b.safe = v.verified && v.is_safe == 1;
    b.email_verified = v.verified;
  }
  ls__sq_biz_count(&b, 1, &d);
  if ((rc = ls__sq_counters_add(s, c, b.campaign_id, &d, err))) return rc;
  enrichment_result(res, id, &b, changed);
  return LEADSTORE_OK;
}
