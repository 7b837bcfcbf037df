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

int ls__sq_offer_email(ls__sq *s, const ls__call *c, ls__biz *b, const char *email, const char *source,
                       bool *changed, ls__error *err) {
  *changed = false;
  char clean[LS_EMAIL_BUF];
  if (!ls__email_wellformed(email, clean, sizeof clean)) return LEADSTORE_OK;
  if (ls__email_source_rank(source) < ls__email_source_rank(b->source)) return LEADSTORE_OK;
  bool same = b->has_email && strcasecmp(b->email, clean) == 0;
  if (same && strcmp(source, b->source) == 0) return LEADSTORE_OK;
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
  if (!same) {
    snprintf(b->email, sizeof b->email, "%s", clean);
    b->has_email = true;
    b->verified = false;
  }
  snprintf(b->source, sizeof b->source, "%s", source);
  *changed = true;
  return LEADSTORE_OK;
}

int ls__sq_counters_add(ls__sq *s, const ls__call *c, const char *campaign_id, int64_t businesses,
                        int64_t emails, int64_t facebook, int64_t linkedin, int64_t verified,
                        ls__error *err) {
  if (!businesses && !emails && !facebook && !linkedin && !verified) return LEADSTORE_OK;
  sqlite3_stmt *st = ls__sq_stmt(s, SQ_campaign_counters_add, err);
  if (!st) return err->code;
  ls__sq_text(s, st, 1, campaign_id);
  ls__sq_int(s, st, 2, businesses);
  ls__sq_int(s, st, 3, emails);
  ls__sq_int(s, st, 4, facebook);
  ls__sq_int(s, st, 5, linkedin);
  ls__sq_int(s, st, 6, verified);
  ls__sq_text(s, st, 7, c->now);
  return ls__sq_exec(s, st, err);
}
