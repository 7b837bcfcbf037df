/*
 * rules.c — the business rules that every engine shares, as data: the
 * campaign state machine (SPEC §4), the email rule and the source priority
 * (SPEC §5), the default of is_safe (SPEC §7.8), and how a database's own
 * SQLSTATEs map onto the error map of leadstore.h.
 *
 * These tables are the one source of each rule: the embedded engine reads
 * them through the functions below, and `leadstore docs rules` generates
 * the PostgreSQL functions of sql/postgres/0002_rules.sql from them (a test
 * checks that file is current), so both engines apply the same rule.
 */
#include <string.h>

#include "internal.h"

/*--- Data ---------------------------------------------------------------------*/

const ls__transition ls__status_transitions[] = {
    {"draft", "running"},  {"running", "paused"}, {"running", "completed"},
    {"running", "failed"}, {"paused", "running"}, {NULL, NULL},
};

const char ls__status_initial[] = "draft";
const char ls__status_started[] = "running";
const char *const ls__status_terminal[] = {"completed", "failed", NULL};

/* C's isspace() in the "C" locale, spelled out so SQL can use the same set. */
const char ls__email_space[] = " \t\n\v\f\r";

const char ls__safe_status[] = "deliverable";
const char ls__verified_status[] = "deliverable";

const ls__state_alias ls__state_aliases[] = {
    {"23514", LEADSTORE_EINVAL},    /* check_violation: a value out of range */
    {"23502", LEADSTORE_EINVAL},    /* not_null_violation */
    {"22003", LEADSTORE_EINVAL},    /* numeric_value_out_of_range */
    {"22001", LEADSTORE_EINVAL},    /* string_data_right_truncation */
    {"22007", LEADSTORE_EINVAL},    /* invalid_datetime_format */
    {"22008", LEADSTORE_EINVAL},    /* datetime_field_overflow */
    {"23503", LEADSTORE_ENOTFOUND}, /* foreign_key_violation: a missing referenced row */
    {"3D000", LEADSTORE_ECONFIG},   /* invalid_catalog_name: no such database */
    {"28000", LEADSTORE_ECONFIG},   /* invalid_authorization_specification: no such role, pg_hba refused */
    {"28P01", LEADSTORE_ECONFIG},   /* invalid_password */
    {NULL, 0},
};

/* "Did you mean": one more edit allowed from 6 and from 12 characters on (suggest.c). */
const size_t ls__suggest_steps[] = {6, 12, 0};

/*--- Rules --------------------------------------------------------------------*/

bool ls__status_transition_valid(const char *from, const char *to) {
  if (!from || !to) return false;
  for (const ls__transition *t = ls__status_transitions; t->from; t++)
    if (strcmp(t->from, from) == 0 && strcmp(t->to, to) == 0) return true;
  return false;
}

bool ls__status_is_terminal(const char *status) {
  for (size_t i = 0; status && ls__status_terminal[i]; i++)
    if (strcmp(status, ls__status_terminal[i]) == 0) return true;
  return false;
}

/* True for a byte of ls__email_space (never for the terminating NUL). */
static bool email_space(char c) { return c != '\0' && strchr(ls__email_space, c) != NULL; }

bool ls__email_wellformed(const char *email, char *out, size_t outsz) {
  if (!email) return false;
  while (email_space(*email)) email++;
  size_t n = strlen(email);
  while (n > 0 && email_space(email[n - 1])) n--;
  if (n < 3 || n > LS_EMAIL_MAX || n >= outsz) return false;
  size_t at = 0, ats = 0;
  for (size_t i = 0; i < n; i++) {
    if (email_space(email[i])) return false;
    if (email[i] == '@') at = i, ats++;
  }
  if (ats != 1 || at == 0 || at == n - 1) return false;
  memcpy(out, email, n);
  out[n] = '\0';
  return true;
}

int ls__email_source_rank(const char *source) {
  size_t n = 0;
  while (ls__email_sources[n]) n++;
  for (size_t i = 0; source && i < n; i++)
    if (strcmp(source, ls__email_sources[i]) == 0) return (int)(n - 1 - i);
  return 0;
}

bool ls__is_safe_default(const char *status, const json_t *score) {
  return status && strcmp(status, ls__safe_status) == 0 && json_is_number(score) &&
         json_number_value(score) >= LS_SAFE_MIN_SCORE;
}
