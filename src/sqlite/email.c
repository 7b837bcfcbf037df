/*
 * email.c — a business's email on the embedded engine: loading what the
 * priority rule needs, offering an email from a source (SPEC §5), and the
 * counter deltas that follow (SPEC §6).  Every operation that can change a
 * business's email goes through ls__sq_offer_email(), so the rule lives in
 * one place.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sq.h"

void ls__sq_biz_read(sqlite3_stmt *st, ls__biz *b) {
  snprintf(b->id, sizeof b->id, "%s", ls__sq_col_text(st, 0));
  snprintf(b->campaign_id, sizeof b->campaign_id, "%s", ls__sq_col_text(st, 1));
  b->has_email = sqlite3_column_type(st, 2) != SQLITE_NULL;
  snprintf(b->email, sizeof b->email, "%s", b->has_email ? ls__sq_col_text(st, 2) : "");
  snprintf(b->source, sizeof b->source, "%s", ls__sq_col_text(st, 3));
  b->verified = sqlite3_column_int(st, 4) != 0;
  b->safe = sqlite3_column_int(st, 5) != 0;
  b->needs_enrichment = sqlite3_column_int(st, 6) != 0;
  snprintf(b->enrichment_status, sizeof b->enrichment_status, "%s", ls__sq_col_text(st, 7));
  b->linkedin_enriched = sqlite3_column_int(st, 8) != 0;
  b->email_verified = sqlite3_column_int(st, 9) != 0;
}

int ls__sq_biz_load(ls__sq *s, const ls__call *c, const char *business_id, ls__biz *b, ls__error *err) {
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_business_for_call, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, business_id);
  ls__sq_text(s, st, 2, c->org);
  int rc = ls__sq_row(s, st, err);
  if (rc == LEADSTORE_ENOTFOUND) return ls__fail(err, rc, "Business %s not found", business_id);
  if (rc == LEADSTORE_OK) ls__sq_biz_read(st, b);
  sqlite3_reset(st);
  return rc;
}

int ls__sq_offer_decide(const ls__biz *b, const char *email, const char *source, char clean[LS_EMAIL_MAX + 1]) {
  if (!ls__email_wellformed(email, clean, LS_EMAIL_MAX + 1)) return LS_OFFER_NONE;
  if (ls__email_source_rank(source) < ls__email_source_rank(b->source)) return LS_OFFER_NONE;
  bool same = b->has_email && strcasecmp(b->email, clean) == 0;
  if (same && strcmp(source, b->source) == 0) return LS_OFFER_NONE;
  return same ? LS_OFFER_SOURCE : LS_OFFER_EMAIL;
}

void ls__sq_offer_took(ls__biz *b, int offer, const char *clean, const char *source) {
  if (offer == LS_OFFER_NONE) return;
  if (offer == LS_OFFER_EMAIL) {
    snprintf(b->email, sizeof b->email, "%s", clean);
    b->has_email = true;
    b->verified = false;
    b->safe = false;
    b->email_verified = false;
  }
  snprintf(b->source, sizeof b->source, "%s", source);
}

int ls__sq_offer_email(ls__sq *s, const ls__call *c, ls__biz *b, const char *email, const char *source,
                       bool *changed, ls__error *err) {
  char clean[LS_EMAIL_MAX + 1];
  int offer = ls__sq_offer_decide(b, email, source, clean);
  *changed = false;
  if (offer == LS_OFFER_NONE) return LEADSTORE_OK;
  bool same = offer == LS_OFFER_SOURCE;
  sqlite3_stmt *st = ls__sq_stmt(s, same ? SQ_business_set_source : SQ_business_set_email, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, b->id);
  if (same) {
    ls__sq_text(s, st, 2, source);
    ls__sq_text(s, st, 3, c->now);
  } else {
    ls__sq_text(s, st, 2, clean);
    ls__sq_text(s, st, 3, source);
    ls__sq_text(s, st, 4, c->now);
  }
  int rc = ls__sq_exec(s, st, err);
  if (rc) return rc;
  ls__sq_offer_took(b, offer, clean, source);
  *changed = true;
  return LEADSTORE_OK;
}

void ls__sq_biz_count(const ls__biz *b, int sign, ls__counts *d) {
  d->emails += sign * b->has_email;
  d->verified += sign * b->verified;
  d->safe += sign * b->safe;
  d->linkedin_emails += sign * (strcmp(b->source, "linkedin") == 0);
  d->facebook_emails += sign * (strcmp(b->source, "facebook") == 0);
  d->google_maps_emails += sign * (strcmp(b->source, "google_maps") == 0);
  d->facebook_queue += sign * (b->needs_enrichment && strcmp(b->enrichment_status, "pending") == 0);
  d->linkedin_queue += sign * !b->linkedin_enriched;
  d->verification_queue += sign * (b->has_email && !b->email_verified);
}

int ls__sq_counters_add(ls__sq *s, const ls__call *c, const char *campaign_id, const ls__counts *d,
                        ls__error *err) {
  const int64_t v[] = {d->businesses,      d->emails,          d->facebook,           d->linkedin,
                       d->verified,        d->linkedin_emails, d->facebook_emails,    d->google_maps_emails,
                       d->safe,            d->facebook_queue,  d->linkedin_queue,     d->verification_queue};
  enum { N = sizeof v / sizeof v[0] };
  int i = 0;
  while (i < N && v[i] == 0) i++;
  if (i == N) return LEADSTORE_OK;
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_campaign_counters_add, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, campaign_id);
  for (i = 0; i < N; i++) ls__sq_int(s, st, 2 + i, v[i]);
  ls__sq_text(s, st, 2 + N, c->now);
  return ls__sq_exec(s, st, err);
}
