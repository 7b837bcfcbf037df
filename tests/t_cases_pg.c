/*
 * t_cases_pg.c — the conformance cases of tests/cases/, through the library
 * on PostgreSQL: the same data, the same expected results as on SQLite.
 * The database is $LEADSTORE_TEST_PG (the test server of tests/pg.sh, with
 * the migrations applied); it is emptied before each case.
 */
#include <stdlib.h>

#include "support.h"

int main(void) {
  const char *url = getenv("LEADSTORE_TEST_PG");
  if (!url || !*url) {
    printf("Bail out! LEADSTORE_TEST_PG is not set (make test starts the server and sets it)\n");
    return 2;
  }
  leadstore *db = ts_open(url);
  char *report = NULL;
  int rc = leadstore_migrate(db, &report);
  if (!tap_ok(rc == LEADSTORE_OK, "the migrations apply: %s", report ? report : "?")) return tap_done();
  leadstore_free(report);
  leadstore_close(db);
  const char *dir = getenv("LEADSTORE_CASES");
  ts_run_cases(dir ? dir : "tests/cases", TS_PG, NULL);
  return tap_done();
}
