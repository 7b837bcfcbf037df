/*
 * t_cases_cli.c — the conformance cases of tests/cases/, through the
 * `leadstore` binary of the same build (exit statuses checked too).
 */
#include <stdlib.h>

#include "support.h"

int main(int argc, char **argv) {
  (void)argc;
  const char *dir = getenv("LEADSTORE_CASES");
  char *cli = ts_build_path(argv[0], "leadstore");
  ts_run_cases(dir ? dir : "tests/cases", TS_CLI, cli);
  free(cli);
  return tap_done();
}
