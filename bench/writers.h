/*
 * writers.h — the concurrency series of `make bench` (writers.c).
 */
#ifndef BENCH_WRITERS_H
#define BENCH_WRITERS_H

typedef struct writers_config {
  const char *target; /* an SQLite path or a PostgreSQL keyword string (migrated, floor set up) */
  int pg;             /* target is PostgreSQL */
  const char *engine; /* its name in the report */
  double seconds;     /* each writer writes this long… */
  int calls;          /* …or, when > 0, this many times */
} writers_config;

/* n writers, each a thread with its own handle, each calling the durable
 * write track_api_cost_tx on its own campaign, all at once; then the same
 * with n floor connections doing the one-row floor commit.  Adds one row of
 * table "writers" (throughput, p50/p99 and the floor's); exits on failure. */
void writers_measure(const writers_config *c, int n);

#endif
