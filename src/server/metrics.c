/*
 * metrics.c — the server's counters and their Prometheus text exposition
 * (GET /metrics, format 0.0.4).
 *
 * Every counter is a C11 atomic in arrays sized once at start (per
 * operation × error status, per operation × latency bucket, per HTTP
 * status), so recording a request is a handful of relaxed atomic adds: no
 * lock, no allocation.  Rendering reads them without stopping writers; a
 * scrape may see one request half counted, as Prometheus allows.
 *
 * Families (label `operation` is the operation's name):
 *   leadstore_operation_calls_total / _successes_total / _replays_total /
 *   _rollbacks_total{operation}, leadstore_operation_failures_total{operation,
 *   error_code}, leadstore_operation_duration_seconds{operation} (histogram),
 *   leadstore_lock_timeouts_total, leadstore_deadlocks_total,
 *   leadstore_serialization_failures_total, leadstore_lost_connections_total,
 *   leadstore_http_requests_in_flight, leadstore_http_responses_total{status},
 *   leadstore_check_ok, leadstore_check_violations,
 *   leadstore_check_last_run_timestamp_seconds, leadstore_switches_reloads_total,
 *   leadstore_group_commit_calls (histogram: calls per group commit),
 *   leadstore_group_commits_total{result="committed"|"failed"}.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"

typedef atomic_ullong counter;

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
enum { NBUCKETS = sizeof buckets / sizeof buckets[0] };

static const unsigned statuses[] = {200, 204, 304, 400, 401, 403, 404, 405, 406, 413, 431, 500, 503, 504};
enum { NSTATUSES = sizeof statuses / sizeof statuses[0] };

typedef struct op_metrics {
  counter calls, successes, replays, rollbacks;
  counter failures[LEADSTORE__STATUS_COUNT]; /* by status; [LEADSTORE_OK] unused */
  counter bucket[NBUCKETS + 1];              /* non-cumulative; last = above every bound */
  counter sum_us;                            /* total latency, microseconds */
} op_metrics;

static op_metrics *per_op;
static size_t nops;
static const unsigned group_buckets[] = {1, 2, 4, 8, 16, 32, 64, 128, 256};
enum { NGROUP_BUCKETS = sizeof group_buckets / sizeof group_buckets[0] };
static counter group_bucket[NGROUP_BUCKETS + 1], group_calls, groups_committed, groups_failed;

static counter lock_timeouts, deadlocks, serialization, lost_connections, reloads;
static counter responses[NSTATUSES + 1]; /* last = any other status */
static atomic_long inflight;
static atomic_long check_violations = -2; /* -2: never ran, -1: could not run */
static atomic_llong check_at;

bool srv_metrics_init(size_t op_count) {
  nops = op_count;
  per_op = calloc(op_count ? op_count : 1, sizeof *per_op);
  return per_op != NULL;
}

void srv_metrics_free(void) {
  free(per_op);
  per_op = NULL;
}

static void add(counter *c, unsigned long long n) { atomic_fetch_add_explicit(c, n, memory_order_relaxed); }
static unsigned long long get(counter *c) { return atomic_load_explicit(c, memory_order_relaxed); }

void srv_metrics_call(size_t i, bool write, int status, bool replayed, double seconds) {
  if (i >= nops) return;
  op_metrics *m = &per_op[i];
  add(&m->calls, 1);
  if (status == LEADSTORE_OK) add(&m->successes, 1);
  else if (status > 0 && status < LEADSTORE__STATUS_COUNT) add(&m->failures[status], 1);
  if (status != LEADSTORE_OK && write) add(&m->rollbacks, 1);
  if (replayed) add(&m->replays, 1);
  size_t b = 0;
  while (b < NBUCKETS && seconds > buckets[b]) b++;
  add(&m->bucket[b], 1);
  add(&m->sum_us, (unsigned long long)(seconds * 1e6 + 0.5));
  if (status == LEADSTORE_ELOCKTIMEOUT) add(&lock_timeouts, 1);
  if (status == LEADSTORE_EDEADLOCK) add(&deadlocks, 1);
  if (status == LEADSTORE_ESERIALIZATION) add(&serialization, 1);
  if (status == LEADSTORE_ECONNECTION) add(&lost_connections, 1);
}

void srv_metrics_group(size_t calls, bool committed) {
  size_t b = 0;
  while (b < NGROUP_BUCKETS && calls > group_buckets[b]) b++;
  add(&group_bucket[b], 1);
  add(&group_calls, calls);
  add(committed ? &groups_committed : &groups_failed, 1);
}

void srv_metrics_connection_lost(void) { add(&lost_connections, 1); }
void srv_metrics_switches_reloaded(void) { add(&reloads, 1); }

void srv_metrics_response(unsigned status) {
  size_t i = 0;
  while (i < NSTATUSES && statuses[i] != status) i++;
  add(&responses[i], 1);
}

void srv_metrics_inflight(int delta) { atomic_fetch_add_explicit(&inflight, delta, memory_order_relaxed); }
long srv_metrics_inflight_now(void) { return atomic_load(&inflight); }

void srv_metrics_check(long violations, int64_t at_unix) {
  atomic_store(&check_violations, violations);
  atomic_store(&check_at, (long long)at_unix);
}

/* One family's header. */
static void family(FILE *f, const char *name, const char *type, const char *help) {
  fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A per-operation counter family. */
static void per_op_counter(FILE *f, const char *name, const char *help, size_t offset) {
  family(f, name, "counter", help);
  for (size_t i = 0; i < nops; i++)
    fprintf(f, "%s{operation=\"%s\"} %llu\n", name, srv_op_at(i)->name, get((counter *)((char *)&per_op[i] + offset)));
}

char *srv_metrics_render(void) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f) return NULL;
  per_op_counter(f, "leadstore_operation_calls_total", "Operations called.", offsetof(op_metrics, calls));
  per_op_counter(f, "leadstore_operation_successes_total", "Operations that succeeded.", offsetof(op_metrics, successes));
  per_op_counter(f, "leadstore_operation_replays_total", "Idempotent repeats answered from the stored result.",
                 offsetof(op_metrics, replays));
  per_op_counter(f, "leadstore_operation_rollbacks_total", "Write operations that failed and wrote nothing.",
                 offsetof(op_metrics, rollbacks));
  family(f, "leadstore_operation_failures_total", "counter", "Operations that failed, by error_code.");
  for (size_t i = 0; i < nops; i++)
    for (int s = 1; s < LEADSTORE__STATUS_COUNT; s++)
      if (get(&per_op[i].failures[s]))
        fprintf(f, "leadstore_operation_failures_total{operation=\"%s\",error_code=\"%s\"} %llu\n", srv_op_at(i)->name,
                leadstore_status_sqlstate(s), get(&per_op[i].failures[s]));
  family(f, "leadstore_operation_duration_seconds", "histogram", "Time spent in the operation (database included).");
  for (size_t i = 0; i < nops; i++) {
    const char *name = srv_op_at(i)->name;
    unsigned long long cum = 0;
    for (size_t b = 0; b <= NBUCKETS; b++) {
      cum += get(&per_op[i].bucket[b]);
      if (b < NBUCKETS)
        fprintf(f, "leadstore_operation_duration_seconds_bucket{operation=\"%s\",le=\"%g\"} %llu\n", name, buckets[b], cum);
      else fprintf(f, "leadstore_operation_duration_seconds_bucket{operation=\"%s\",le=\"+Inf\"} %llu\n", name, cum);
    }
    fprintf(f, "leadstore_operation_duration_seconds_sum{operation=\"%s\"} %.6f\n", name, get(&per_op[i].sum_us) / 1e6);
    fprintf(f, "leadstore_operation_duration_seconds_count{operation=\"%s\"} %llu\n", name, cum);
  }
  family(f, "leadstore_lock_timeouts_total", "counter", "Operations that failed on a lock timeout (55P03).");
  fprintf(f, "leadstore_lock_timeouts_total %llu\n", get(&lock_timeouts));
  family(f, "leadstore_deadlocks_total", "counter", "Operations that failed on a deadlock (40P01).");
  fprintf(f, "leadstore_deadlocks_total %llu\n", get(&deadlocks));
  family(f, "leadstore_serialization_failures_total", "counter", "Operations that failed on serialization (40001).");
  fprintf(f, "leadstore_serialization_failures_total %llu\n", get(&serialization));
  family(f, "leadstore_lost_connections_total", "counter", "Database connections lost or not opened.");
  fprintf(f, "leadstore_lost_connections_total %llu\n", get(&lost_connections));
  family(f, "leadstore_http_requests_in_flight", "gauge", "HTTP requests being served.");
  fprintf(f, "leadstore_http_requests_in_flight %ld\n", srv_metrics_inflight_now());
  family(f, "leadstore_http_responses_total", "counter", "HTTP responses, by status.");
  for (size_t i = 0; i <= NSTATUSES; i++)
    if (i < NSTATUSES) fprintf(f, "leadstore_http_responses_total{status=\"%u\"} %llu\n", statuses[i], get(&responses[i]));
    else fprintf(f, "leadstore_http_responses_total{status=\"other\"} %llu\n", get(&responses[i]));
  long v = atomic_load(&check_violations);
  family(f, "leadstore_check_ok", "gauge", "1 when the last invariant check found nothing, 0 otherwise (NaN: not run).");
  fprintf(f, "leadstore_check_ok %s\n", v == -2 ? "NaN" : v == 0 ? "1" : "0");
  family(f, "leadstore_check_violations", "gauge", "Violations found by the last invariant check (-1: it could not run).");
  if (v == -2) fprintf(f, "leadstore_check_violations NaN\n");
  else fprintf(f, "leadstore_check_violations %ld\n", v);
  family(f, "leadstore_check_last_run_timestamp_seconds", "gauge", "When the last invariant check ran.");
  fprintf(f, "leadstore_check_last_run_timestamp_seconds %lld\n", (long long)atomic_load(&check_at));
  family(f, "leadstore_switches_reloads_total", "counter", "Rollout switch reloads (SIGHUP) that succeeded.");
  fprintf(f, "leadstore_switches_reloads_total %llu\n", get(&reloads));
  family(f, "leadstore_group_commit_calls", "histogram", "Write calls per group commit (one transaction, one fsync).");
  unsigned long long cum = 0;
  for (size_t b = 0; b <= NGROUP_BUCKETS; b++) {
    cum += get(&group_bucket[b]);
    if (b < NGROUP_BUCKETS) fprintf(f, "leadstore_group_commit_calls_bucket{le=\"%u\"} %llu\n", group_buckets[b], cum);
    else fprintf(f, "leadstore_group_commit_calls_bucket{le=\"+Inf\"} %llu\n", cum);
  }
  fprintf(f, "leadstore_group_commit_calls_sum %llu\n", get(&group_calls));
  fprintf(f, "leadstore_group_commit_calls_count %llu\n", cum);
  family(f, "leadstore_group_commits_total", "counter", "Group commits, by result (failed: nothing of the group was written).");
  fprintf(f, "leadstore_group_commits_total{result=\"committed\"} %llu\n", get(&groups_committed));
  fprintf(f, "leadstore_group_commits_total{result=\"failed\"} %llu\n", get(&groups_failed));
  if (fclose(f) != 0) {
    free(text);
    return NULL;
  }
  return text;
}
