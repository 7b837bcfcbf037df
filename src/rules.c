/*
 * rules.c — the business rules that every engine shares: the campaign state
 * machine (SPEC §4) and the email rules of the source priority (SPEC §5).
 * The PostgreSQL functions carry the same rules in SQL; the conformance
 * cases prove the two agree.
 */
#include <ctype.h>
#include <string.h>

#include "internal.h"

bool ls__status_transition_valid(const char *from, const char *to) {
  static const struct { const char *from, *to; } allowed[] = {
      {"draft", "running"},    {"running", "paused"}, {"running", "completed"},
      {"running", "failed"},   {"paused", "running"},
  };
  if (!from || !to) return false;
  for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
    if (strcmp(allowed[i].from, from) == 0 && strcmp(allowed[i].to, to) == 0) return true;
  return false;
}

bool ls__email_wellformed(const char *email, char *out, size_t outsz) {
  if (!email) return false;
  while (isspace((unsigned char)*email)) email++;
  size_t n = strlen(email);
  while (n > 0 && isspace((unsigned char)email[n - 1])) n--;
  if (n < 3 || n >= outsz) return false;
  size_t at = 0, ats = 0, chars = 0;
  for (size_t i = 0; i < n; i++) {
    if (isspace((unsigned char)email[i])) return false;
    if (email[i] == '@') at = i, ats++;
    chars += ((unsigned char)email[i] & 0xC0) != 0x80; /* UTF-8: count lead bytes only */
  }
  if (ats != 1 || at == 0 || at == n - 1 || chars > LS_EMAIL_MAX) return false;
  memcpy(out, email, n);
  out[n] = '\0';
  return true;
}

int ls__email_source_rank(const char *source) {
  if (!source) return 0;
  if (strcmp(source, "linkedin") == 0) return 3;
  if (strcmp(source, "facebook") == 0) return 2;
  if (strcmp(source, "google_maps") == 0) return 1;
  return 0;
}

bool ls__is_safe_default(const char *status, const json_t *score) {
  return status && strcmp(status, "deliverable") == 0 && json_is_number(score) && json_number_value(score) >= 70;
}
