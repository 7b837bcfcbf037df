/*
 * t_crash.c — a writer killed at an arbitrary point (SIGKILL, in the middle
 * of whatever call it was making) loses nothing it was told had succeeded,
 * leaves no half-done call behind, and leaves every invariant true: on an
 * SQLite file and on PostgreSQL.
 *
 * The child writes costs and batches as fast as it can and reports each
 * acknowledged cost id on a pipe; the parent kills it after a number of
 * acknowledgements, then checks every acknowledged id against the database.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

enum { ACKS_BEFORE_KILL = 150, ROUNDS = 3 };

/* The writer: alternating costs and small batches, forever. */
static void writer(const char *target, const char *cid, int out) {
  leadstore *db = ts_open(target);
  for (long i = 0;; i++) {
    json_t *r = i % 5 == 4
                    ? ts_call(db, &ts_service, "batch_upsert_businesses_tx",
                              "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_businesses\":["
                              "{\"place_id\":\"k%ld\",\"name\":\"K\",\"email\":\"k%ld@x.example\"},"
                              "{\"place_id\":\"k%ld\",\"name\":\"K2\"}]}",
                              cid, i % 40, i, (i + 1) % 40)
                    : ts_call(db, &ts_service, "track_api_cost_tx",
                              "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.001}}",
                              cid);
    if (ts_success(r) && json_object_get(r, "cost_id")) {
      char line[40];
      snprintf(line, sizeof line, "%s\n", ts_str(r, "cost_id"));
      if (write(out, line, strlen(line)) < 0) _exit(1);
    }
    json_decref(r);
  }
}

static void crash_on(const char *engine, const char *target) {
  leadstore *db = ts_open(target);
  char *report = NULL;
  leadstore_migrate(db, &report);
  leadstore_free(report);
  json_t *r = ts_call(db, &ts_service, "create_campaign_with_coverage_tx",
                      "{\"p_campaign_data\":{\"name\":\"crash\"},\"p_coverage_data\":[{\"zip\":\"90001\"}]}");
  char cid[37];
  snprintf(cid, sizeof cid, "%s", ts_str(r, "campaign_id"));
  json_decref(r);
  leadstore_close(db);

  char (*acked)[37] = calloc(ROUNDS * (ACKS_BEFORE_KILL + 64), 37);
  int nacked = 0;
  for (int round = 0; round < ROUNDS; round++) {
    int fds[2];
    if (pipe(fds)) exit(2);
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      writer(target, cid, fds[1]);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    char line[64];
    int got = 0;
    while (got < ACKS_BEFORE_KILL && fgets(line, sizeof line, in)) {
      snprintf(acked[nacked++], 37, "%.36s", line);
      got++;
    }
    kill(pid, SIGKILL); /* wherever it is */
    while (fgets(line, sizeof line, in)) snprintf(acked[nacked++], 37, "%.36s", line); /* acks already written */
    fclose(in);
    waitpid(pid, NULL, 0);
  }

  db = ts_open(target);
  long long rows = -1;
  leadstore_test_count_rows(db, "gmaps_api_costs", &rows);
  int missing = 0;
  for (int i = 0; i < nacked; i++) missing += !ts_row_exists(target, "gmaps_api_costs", acked[i]);
  OK(missing == 0 && rows >= nacked, "%s: every one of the %d acknowledged costs is stored (%d missing, %lld rows)",
     engine, nacked, missing, rows);
  r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"%s\"}", cid);
  double total = json_number_value(json_object_get(json_object_get(r, "campaign"), "actual_cost"));
  OK((long long)(total * 1000 + 0.5) == rows, "%s: the campaign total is exactly the rows stored (%.3f)", engine, total);
  json_decref(r);
  int distinct = 1;
  for (int i = 0; i < nacked && distinct; i++)
    for (int j = i + 1; j < nacked; j++)
      if (!strcmp(acked[i], acked[j])) distinct = 0;
  OK(distinct && nacked >= ROUNDS * ACKS_BEFORE_KILL, "%s: %d writers were killed mid-flight", engine, ROUNDS);
  OK(ts_check(db) == 0, "%s: after the crashes every invariant holds", engine);
  r = ts_call(db, &ts_service, "update_campaign_statistics_tx", "{\"p_campaign_id\":\"%s\"}", cid);
  OK(json_is_false(json_object_get(r, "drift_corrected")), "%s: no counter drifted", engine);
  json_decref(r);
  leadstore_close(db);
  free(acked);
}

int main(int argc, char **argv) {
  (void)argc;
  char *path = ts_db_path("crash");
  crash_on("sqlite", path);
  free(path);
  char *url = ts_pg_database(argv[0]);
  if (!url) return tap_done() | 1;
  crash_on("postgresql", url);
  free(url);
  return tap_done();
}
