/*
 * uuid.c — ids and time: UUID generation (time-ordered UUIDv7, or the
 * handle's injected generator), UUID syntax, the call clock (the system clock
 * or the handle's injected one) and ISO-8601 timestamps, always UTC with `Z`.
 */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <uuid/uuid.h>

#include "internal.h"

bool ls__uuid_valid(const char *s) {
  if (!s || strlen(s) != 36) return false;
  for (int i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!isxdigit((unsigned char)s[i])) {
      return false;
    }
  }
  return true;
}

/*
 * A UUIDv7 (RFC 9562 §5.7): the Unix time in milliseconds in the first 48
 * bits, the version, then 12 bits of sub-millisecond time (§6.2, method 3),
 * the variant and 62 random bits (libuuid's).  Ids made later sort after
 * (to the 1/4096 ms, on one machine's clock), so new rows append to the
 * B-tree indexes of the ids instead of landing on a random page of each.
 */
static void uuid_v7(unsigned char raw[16]) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
  unsigned sub = (unsigned)((uint64_t)(ts.tv_nsec % 1000000) * 4096 / 1000000);
  uuid_generate_random(raw); /* the random bits, the variant already RFC's */
  for (int i = 0; i < 6; i++) raw[i] = (unsigned char)(ms >> (40 - 8 * i));
  raw[6] = (unsigned char)(0x70 | (sub >> 8));
  raw[7] = (unsigned char)(sub & 0xff);
}

void ls__uuid_new(leadstore *db, char out[37]) {
  unsigned char raw[16];
  if (db && db->opts.new_uuid) db->opts.new_uuid(db->opts.ctx, raw);
  else uuid_v7(raw);
  uuid_unparse_lower(raw, out);
}

/* Formats microseconds since the epoch as canonical UTC text. */
static void format_us(int64_t us, char out[32]) {
  time_t secs = (time_t)(us / 1000000);
  long frac = (long)(us % 1000000);
  if (frac < 0) {
    frac += 1000000;
    secs--;
  }
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[96];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  snprintf(out, 32, "%.31s", buf);
}

void ls__now(leadstore *db, char out[32]) {
  int64_t us;
  if (db && db->opts.clock_us) {
    us = db->opts.clock_us(db->opts.ctx);
  } else {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
  }
  format_us(us, out);
}

/* Reads exactly n digits at *p into *v; advances *p. */
static bool digits(const char **p, int n, int *v) {
  *v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i])) return false;
    *v = *v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  return true;
}

bool ls__timestamp_parse(const char *s, char out[32]) {
  int Y, M, D, h = 0, m = 0, sec = 0, off = 0;
  long frac = 0;
  const char *p = s;
  if (!s || !digits(&p, 4, &Y) || *p++ != '-' || !digits(&p, 2, &M) || *p++ != '-' ||
      !digits(&p, 2, &D))
    return false;
  if (*p == 'T' || *p == 't' || *p == ' ') {
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &m)) return false;
    if (*p == ':') {
      p++;
      if (!digits(&p, 2, &sec)) return false;
      if (*p == '.') {
        p++;
        int n = 0;
        while (isdigit((unsigned char)*p)) {
          if (n < 6) frac = frac * 10 + (*p - '0'), n++;
          p++;
        }
        if (n == 0) return false;
        while (n++ < 6) frac *= 10;
      }
    }
    if (*p == 'Z' || *p == 'z') {
      p++;
    } else if (*p == '+' || *p == '-') {
      int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
      if (!digits(&p, 2, &oh)) return false;
      if (*p == ':') {
        p++;
        if (!digits(&p, 2, &om)) return false;
      } else if (isdigit((unsigned char)*p) && !digits(&p, 2, &om)) {
        return false;
      }
      if (oh > 15 || om > 59) return false;
      off = sign * (oh * 60 + om);
    }
  }
  if (*p) return false;
  if (Y < 1 || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60) return false;
  struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D};
  time_t t = timegm(&tm);
  if (tm.tm_mday != D) return false; /* 31 February */
  /* the time is added to the date, so a leap second 23:59:60 is the next midnight (as PostgreSQL reads it) */
  int64_t utc = (int64_t)t + h * 3600 + m * 60 + sec - off * 60;
  if (utc < INT64_C(-62135596800) || utc > INT64_C(253402300799)) return false; /* 0001-01-01 … 9999-12-31 UTC */
  format_us(utc * 1000000 + frac, out);
  return true;
}
