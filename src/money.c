/*
 * money.c — exact money (SPEC §2).
 *
 * Amounts are integers of micro-dollars (1e-6 USD) from the moment they are
 * read until they are printed; sums are integer sums.  A JSON number becomes
 * micro-dollars through its shortest decimal form (15 significant digits, as
 * the caller wrote it), rounded half away from zero at the sixth decimal —
 * as PostgreSQL's NUMERIC(14,6) does — so 0.1 is exactly 100000 micros and
 * 0.1 + 0.2 is exactly 0.3.  Printing divides once, which gives the double
 * nearest to the decimal, and jansson prints it with 15 significant digits:
 * every amount up to 99,999,999.999999 round-trips exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int64_t ls__money_from_number(double v) {
  bool neg = v < 0;
  if (neg) v = -v;
  char buf[40];
  snprintf(buf, sizeof buf, "%.14e", v); /* d.dddddddddddddde±XX: 15 digits */
  char digits[16];
  int nd = 0;
  const char *p = buf;
  for (; *p && *p != 'e'; p++)
    if (*p >= '0' && *p <= '9' && nd < 15) digits[nd++] = *p;
  digits[nd] = '\0';
  int exp10 = *p == 'e' ? atoi(p + 1) : 0;
  int64_t mant = strtoll(digits, NULL, 10); /* value = mant * 10^(exp10-14) */
  int shift = exp10 - 8;                    /* micros = mant * 10^shift */
  int64_t micros;
  if (shift >= 0) {
    micros = mant;
    for (int i = 0; i < shift && micros <= LS_MONEY_MAX; i++) micros *= 10;
  } else if (shift < -18) {
    micros = 0;
  } else {
    int64_t div = 1;
    for (int i = 0; i < -shift; i++) div *= 10;
    micros = mant / div;
    if ((mant % div) * 2 >= div) micros++; /* half away from zero */
  }
  return neg ? -micros : micros;
}

json_t *ls__money_json(int64_t micros) { return json_real((double)micros / 1e6); }

void ls__money_format(int64_t micros, char *out, size_t outsz) {
  const char *sign = micros < 0 ? "-" : "";
  uint64_t m = micros < 0 ? (uint64_t)(-micros) : (uint64_t)micros;
  char frac[8];
  snprintf(frac, sizeof frac, "%06llu", (unsigned long long)(m % 1000000));
  int len = 6;
  while (len > 2 && frac[len - 1] == '0') len--; /* at least cents: 7.50 */
  frac[len] = '\0';
  snprintf(out, outsz, "%s%llu.%s", sign, (unsigned long long)(m / 1000000), frac);
}
