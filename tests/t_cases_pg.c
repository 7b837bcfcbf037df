/*
 * t_cases_pg.c — the conformance cases of tests/cases/, through the library
 * on PostgreSQL: the same data, the same expected results as on SQLite.
 * The database is the program's own on the server of $LEADSTORE_TEST_PG
 * (see ts_pg_database); it is migrated first and emptied before each case.
 */
#include <stdlib.h>

#include "support.h"

int main(int argc, char **argv) {
  (void)argc;
  char *url = ts_pg_database(argv[0]);
  if (!url) return 2;
  leadstore *db = ts_open(url);
  char *report = NULL;
  int rc = leadstore_migrate(db, &report);
  if (!tap_ok(rc == LEADSTORE_OK, "the migrations apply: %s", report ? report : "?")) return tap_done();
  leadstore_free(report);
  leadstore_close(db);
  const char *dir = getenv("LEADSTORE_CASES");
  ts_run_cases(dir ? dir : "tests/cases", TS_PG, url); /* for TS_PG the last argument is the database */
  free(url);
  return tap_done();
}
