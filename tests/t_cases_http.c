/*
 * t_cases_http.c — the conformance cases of tests/cases/, over HTTP: a
 * `leadstore serve` of the same build on an SQLite file, then on a
 * PostgreSQL database, called through the library's HTTP engine (a token
 * minted per call for the case's caller, so cases act as several
 * organizations), with row counts read from the database itself.  The same
 * data, the same expected results as through the library.  Each server must
 * then stop cleanly on SIGTERM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* Serves `db`, runs every case through the server, stops it. */
static void over_http(const char *cli, const char *db, const char *engine, const char *dir) {
  pid_t pid;
  char *url = ts_serve(cli, db, &pid);
  if (!tap_ok(url != NULL, "%s: the server starts", engine)) return;
  tap_diag("%s: %s", engine, url);
  ts_run_cases_http(dir, url, db);
  tap_ok(ts_serve_stop(pid) == 0, "%s: the server stops cleanly on SIGTERM", engine);
  free(url);
}

int main(int argc, char **argv) {
  (void)argc;
  const char *dir = getenv("LEADSTORE_CASES");
  if (!dir) dir = "tests/cases";
  /* the server verifies and the client mints with the same secret */
  setenv("LEADSTORE_JWT_SECRET", "conformance-cases-over-http-secret-0123456789", 1);
  unsetenv("LEADSTORE_API_KEY");
  char *cli = ts_build_path(argv[0], "leadstore");

  char *file = ts_db_path("http");
  leadstore_close(ts_open(file)); /* created with its schema, as `leadstore init` would */
  over_http(cli, file, "sqlite", dir);
  free(file);

  char *url = ts_pg_database(argv[0]);
  if (url) {
    leadstore *db = ts_open(url);
    char *report = NULL;
    tap_ok(leadstore_migrate(db, &report) == LEADSTORE_OK, "postgresql: the migrations apply");
    leadstore_free(report);
    leadstore_close(db);
    over_http(cli, url, "postgresql", dir);
    free(url);
  }
  free(cli);
  return tap_done();
}
