/*
 * bench.h — what the files of `make bench` share (the C files of bench/;
 * not part of the library).
 *
 * A measurement is a series of timed calls (bench_run) summarised as a
 * bench_result: calls, calls per second, p50/p95/p99 in microseconds.  Every
 * measurement is appended to one list of rows (bench_add), from which
 * report.c prints the Markdown of docs/benchmarks.md, writes build/bench.json
 * and the data files of the plots.  A row may name its floor: the same work
 * written directly against the engine (floor.c), measured in the same run;
 * its calls are interleaved with the operation's (bench_pair); its ratio is
 * the row's p50 over the floor's p50 (for throughput rows, the floor's
 * calls/s over the row's), so "× floor" reads "times slower".
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdarg.h>
#include <stdio.h>

/*--- Measuring ---*/

typedef struct bench_result {
  int n;               /* calls made (0 = not measured) */
  double per_s;        /* calls per second */
  double p50, p95, p99; /* latency percentiles, µs */
} bench_result;

/* Call number i: prepares what it needs untimed, makes the call and returns
 * its latency in µs (bench_now_us() around the call only); < 0 = it failed. */
typedef double (*bench_call_fn)(void *ctx, int i);

/* Calls fn(ctx, 0…) until max_calls calls or budget_s seconds (at least 3
 * calls); exits the process when a call fails.  Calls per second is calls over
 * the summed latencies. */
bench_result bench_run(int max_calls, double budget_s, bench_call_fn fn, void *ctx);
/* The same for two kinds of call interleaved — a(i) and b(i) in turn, which
 * first alternating — so both see the same moments of a noisy machine; the
 * budget covers both. */
void bench_pair(int max_calls, double budget_s, bench_call_fn a, void *actx, bench_call_fn b, void *bctx,
                bench_result *ra, bench_result *rb);
/* Sorts the n latencies t (µs) and summarises them; wall_s > 0 gives the
 * calls per second of concurrent callers (n over the wall time). */
bench_result bench_summarise(double *t, int n, double wall_s);
double bench_now_us(void);
/* asprintf that exits on failure; the caller frees. */
char *bench_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void bench_die(const char *f, ...) __attribute__((format(printf, 1, 2)));

/*--- The business rows of the batches, the same for leadstore and the floor ---*/

typedef struct bench_business {
  char place_id[48], name[32], address[32], city[16], email[48], facebook_url[64];
  double rating;
} bench_business;
/* Row k of batch i of series base. */
void bench_business_row(int base, int i, int k, bench_business *b);
/* The JSON array of rows 0…n-1 of batch i of series base; the caller frees. */
char *bench_businesses_json(int base, int i, int n);

/*--- Floors: the same work straight on the engine (floor.c) ---*/

typedef struct bench_floor bench_floor;
/* Opens a floor connection: an SQLite file (the leadstore file itself, its
 * floor tables beside leadstore's, the same journal and synchronous setting)
 * or a PostgreSQL keyword string (schema bench_floor).  setup != 0 creates
 * the floor's tables and functions.  Exits on failure. */
bench_floor *floor_open(int pg, const char *target, int durable, int setup);
void floor_close(bench_floor *f);
/* Makes the floor's campaign row for campaign_id (before timing floor_write). */
void floor_campaign(bench_floor *f, const char *campaign_id);
/* Upserts rows 0…n-1 of batch i of series base for campaign_id, one commit;
 * json is bench_businesses_json() of the same rows (what the PostgreSQL floor
 * function reads; SQLite binds the rows of bench_business_row()). */
int floor_batch(bench_floor *f, const char *campaign_id, int base, int i, int n, const char *json);
/* A point read of leadstore's row of campaign_id (every column). */
int floor_read(bench_floor *f, const char *campaign_id);
/* One durable commit: lock the floor's campaign row, insert one row, update
 * the campaign row. */
int floor_write(bench_floor *f, const char *campaign_id, int i);

/*--- Rows of the report (report.c) ---*/

typedef struct bench_row {
  const char *table;   /* "ops", "scale", "writers", "http", "group"; "plot" = a point only */
  char engine[32];     /* "sqlite-durable", "sqlite-normal", "postgresql" */
  char label[96];      /* the operation and its variant */
  long size;           /* campaign size (scale), writers (writers), else 0 */
  bench_result r;
  char floor[96];      /* the floor's label, "" = none */
  bench_result f;      /* the floor's measurement */
  double ratio;        /* see the top of this file; 0 = no floor */
  const char *plot;    /* the plot it is a point of, or NULL */
  double x;            /* its x on that plot (y: p50 in ms; calls/s for "writers") */
  char series[64];     /* its line on that plot */
  const char *tag;     /* what the goals look for ("single-write"), or NULL */
  char note[32];       /* "group": the writes per commit with group commit on */
} bench_row;

/* Appends a copy of row (ratio computed from r and f when a floor is named). */
bench_row *bench_add(const bench_row *row);
/* The first row of table/engine/label (size < 0: any size), or NULL. */
const bench_row *bench_find(const char *table, const char *engine, const char *label, long size);
/* Reads the rows of bench/http.sh's TSV file (table "http"). */
void bench_read_http(const char *path);
/* Reads the rows of bench/group_commit.sh's TSV file (table "group": group
 * commit on, beside it off as the floor; the ratio is on ÷ off). */
void bench_read_group(const char *path);
/* The Markdown of docs/benchmarks.md on out; JSON to json_path; the plot
 * data files (DIR/bench-PLOT.dat) into dir.  Returns the number of rows with
 * a measurement that is not positive (the short mode's check). */
int bench_report(FILE *out, const char *json_path, const char *dir, const char *heading);

#endif
