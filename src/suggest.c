/*
 * suggest.c — "did you mean …?": the one rule by which leadstore suggests a
 * name for a mistyped one — an operation, a parameter, a command of the CLI.
 *
 * The distance is the optimal string alignment distance (Levenshtein plus
 * the swap of two neighbours, each edit costing 1), counted in characters
 * (code points), so `get_campain` is 1 from `get_campaign` and `sumary` 1
 * from `summary`.  A candidate is suggested when it is the closest one
 * (the first offered among equals) and close: at most
 * ls__suggest_max_distance(n) edits for a word of n characters, and fewer
 * than n.  A word longer than LS_SUGGEST_MAX_WORD characters gets no
 * suggestion.  PostgreSQL's functions apply the same rule (ls_suggest in
 * sql/postgres/0002_support.sql, its limits generated into 0002_rules.sql
 * from here), so both engines answer the same message byte for byte.
 */
#include <string.h>

#include "internal.h"

int ls__suggest_max_distance(size_t n) {
  if (n < 1 || n > LS_SUGGEST_MAX_WORD) return 0;
  int max = 1;
  for (size_t i = 0; ls__suggest_steps[i]; i++) max += n >= ls__suggest_steps[i];
  return max;
}

/* The code points of UTF-8 text s into cp (at most cap); their number, or cap + 1 when longer. */
static size_t code_points(const char *s, uint32_t *cp, size_t cap) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    uint32_t c = *p++;
    int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (more) c &= 0x3Fu >> more;
    for (; more > 0 && (*p & 0xC0) == 0x80; more--) c = (c << 6) | (*p++ & 0x3Fu);
    if (n == cap) return cap + 1;
    cp[n++] = c;
  }
  return n;
}

static size_t min3(size_t a, size_t b, size_t c) { return a < b ? (a < c ? a : c) : (b < c ? b : c); }

size_t ls__edit_distance(const char *a, const char *b) {
  enum { CAP = LS_SUGGEST_MAX_WORD };
  uint32_t x[CAP], y[CAP];
  size_t n = code_points(a, x, CAP), m = code_points(b, y, CAP);
  if (n > CAP || m > CAP) return (size_t)-1;
  size_t rows[3][CAP + 1], *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
  for (size_t j = 0; j <= m; j++) prev[j] = j;
  for (size_t i = 1; i <= n; i++) {
    cur[0] = i;
    for (size_t j = 1; j <= m; j++) {
      size_t cost = x[i - 1] != y[j - 1];
      cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] && prev2[j - 2] + 1 < cur[j])
        cur[j] = prev2[j - 2] + 1;
    }
    size_t *t = prev2;
    prev2 = prev, prev = cur, cur = t;
  }
  return prev[m];
}

void ls__suggest_offer(ls__suggestion *s, const char *candidate) {
  if (!s->word || !candidate) return;
  uint32_t scratch[LS_SUGGEST_MAX_WORD];
  size_t n = code_points(s->word, scratch, LS_SUGGEST_MAX_WORD);
  size_t d = ls__edit_distance(s->word, candidate);
  if (d == 0 || d >= n || d > (size_t)ls__suggest_max_distance(n)) return;
  if (!s->best || d < s->distance) {
    s->best = candidate;
    s->distance = d;
  }
}
