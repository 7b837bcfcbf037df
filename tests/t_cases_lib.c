/*
 * t_cases_lib.c — the conformance cases of tests/cases/, through the library.
 */
#include <stdlib.h>

#include "support.h"

int main(void) {
  const char *dir = getenv("LEADSTORE_CASES");
  ts_run_cases(dir ? dir : "tests/cases", TS_LIB, NULL);
  return tap_done();
}
