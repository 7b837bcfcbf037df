/*
 * measure.c — timing and percentiles for `make bench`, and the business
 * rows that leadstore and the floors both write (see bench.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

double bench_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

_Noreturn void bench_die(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  fputs("bench: ", stderr);
  vfprintf(stderr, f, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

char *bench_fmt(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  char *s = NULL;
  if (vasprintf(&s, f, ap) < 0) bench_die("out of memory");
  va_end(ap);
  return s;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The p-th percentile of the n sorted values t (nearest rank). */
static double pct(const double *t, int n, double p) {
  int k = (int)(p / 100 * n + 0.999999) - 1;
  return t[k < 0 ? 0 : k >= n ? n - 1 : k];
}

bench_result bench_summarise(double *t, int n, double wall_s) {
  bench_result r = {.n = n};
  if (n <= 0) return r;
  double total = 0;
  for (int i = 0; i < n; i++) total += t[i];
  qsort(t, (size_t)n, sizeof *t, cmp);
  r.per_s = wall_s > 0 ? n / wall_s : n / (total / 1e6);
  r.p50 = pct(t, n, 50), r.p95 = pct(t, n, 95), r.p99 = pct(t, n, 99);
  return r;
}

bench_result bench_run(int max_calls, double budget_s, bench_call_fn fn, void *ctx) {
  double *t = malloc(sizeof *t * (size_t)max_calls), deadline = bench_now_us() + budget_s * 1e6;
  if (!t) bench_die("out of memory");
  int n = 0;
  while (n < max_calls && (n < 3 || bench_now_us() < deadline)) {
    double us = fn(ctx, n);
    if (us < 0) bench_die("call %d failed", n);
    t[n++] = us;
  }
  bench_result r = bench_summarise(t, n, 0);
  free(t);
  return r;
}

void bench_pair(int max_calls, double budget_s, bench_call_fn a, void *actx, bench_call_fn b, void *bctx,
                bench_result *ra, bench_result *rb) {
  double *ta = malloc(sizeof *ta * (size_t)max_calls), *tb = malloc(sizeof *tb * (size_t)max_calls);
  double deadline = bench_now_us() + budget_s * 1e6;
  if (!ta || !tb) bench_die("out of memory");
  int n = 0;
  while (n < max_calls && (n < 3 || bench_now_us() < deadline)) {
    int a_first = n % 2 == 0;
    double first = a_first ? a(actx, n) : b(bctx, n), second = a_first ? b(bctx, n) : a(actx, n);
    if (first < 0 || second < 0) bench_die("call %d failed", n);
    ta[n] = a_first ? first : second, tb[n] = a_first ? second : first;
    n++;
  }
  *ra = bench_summarise(ta, n, 0), *rb = bench_summarise(tb, n, 0);
  free(ta), free(tb);
}

void bench_business_row(int base, int i, int k, bench_business *b) {
  snprintf(b->place_id, sizeof b->place_id, "b%d-%d-%d", base, i, k);
  snprintf(b->name, sizeof b->name, "Business %d", k);
  snprintf(b->address, sizeof b->address, "%d Main St", k);
  snprintf(b->city, sizeof b->city, "Austin");
  snprintf(b->email, sizeof b->email, "info%d@example.com", k);
  snprintf(b->facebook_url, sizeof b->facebook_url, "https://facebook.com/b%d", k);
  b->rating = 4.5;
}

char *bench_businesses_json(int base, int i, int n) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (!m) bench_die("out of memory");
  fputc('[', m);
  for (int k = 0; k < n; k++) {
    bench_business b;
    bench_business_row(base, i, k, &b);
    fprintf(m,
            "%s{\"place_id\":\"%s\",\"name\":\"%s\",\"address\":\"%s\",\"city\":\"%s\",\"rating\":%.1f,"
            "\"email\":\"%s\",\"facebook_url\":\"%s\"}",
            k ? "," : "", b.place_id, b.name, b.address, b.city, b.rating, b.email, b.facebook_url);
  }
  fputc(']', m);
  if (fclose(m) != 0) bench_die("out of memory");
  return buf;
}
