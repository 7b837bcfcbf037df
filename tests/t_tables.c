/*
 * t_tables.c — the tables keep everything else honest: every operation of
 * the table has conformance cases (a success and a refusal), the generated
 * reference docs/operations.md and the PostgreSQL operations table
 * (sql/postgres/0003_operations.sql) are up to date, describe() covers every
 * operation, and the library exports nothing but leadstore_* symbols.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* All case files concatenated. */
static char *all_cases(const char *dir) {
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (n < 6 || strcmp(e->d_name + n - 5, ".case")) continue;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    FILE *f = fopen(path, "r");
    char chunk[4096];
    size_t r;
    while (f && (r = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, r, out);
    if (f) fclose(f);
  }
  if (d) closedir(d);
  fclose(out);
  return buf;
}

/* True when some `call OP` step of the cases is followed (before the next call) by `error`. */
static bool has_step(const char *cases, const char *op, bool refusal) {
  char needle[128];
  snprintf(needle, sizeof needle, "\ncall %s", op);
  for (const char *p = strstr(cases, needle); p; p = strstr(p + 1, needle)) {
    char after = p[strlen(needle)];
    if (after != '\n' && after != ' ') continue;
    const char *next = strstr(p + 1, "\ncall ");
    const char *err = strstr(p, "\nerror ");
    bool refused = err && (!next || err < next);
    if (refused == refusal) return true;
  }
  return false;
}

static char *run(const char *cmd) {
  FILE *p = popen(cmd, "r");
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  char chunk[4096];
  size_t n;
  while (p && (n = fread(chunk, 1, sizeof chunk, p)) > 0) fwrite(chunk, 1, n, m);
  fclose(m);
  if (p) pclose(p);
  return buf;
}

int main(int argc, char **argv) {
  (void)argc;
  char *cases = all_cases("tests/cases");
  for (size_t i = 0; i < leadstore_op_count(); i++) {
    const char *op = leadstore_op_name(i);
    OK(has_step(cases, op, false) && has_step(cases, op, true), "%s has conformance cases for success and refusal", op);
  }
  free(cases);

  char *desc = NULL;
  OK(leadstore_describe(NULL, &desc) == LEADSTORE_OK, "describe() lists the table");
  json_t *all = json_loads(desc, 0, NULL);
  OK(json_array_size(all) == leadstore_op_count(), "one description per operation");
  json_decref(all);
  leadstore_free(desc);
  OK(leadstore_describe("no_such_op", &desc) == LEADSTORE_ENOOP && !desc, "describe of an unknown operation");

  char *cli = ts_build_path(argv[0], "leadstore"), *cmd = NULL;
  if (asprintf(&cmd, "%s docs | diff -u docs/operations.md - && echo SAME", cli) < 0) return 2;
  char *diff = run(cmd);
  if (!OK(strstr(diff, "SAME") != NULL, "docs/operations.md is what `leadstore docs` generates (run make docs)"))
    tap_diag("%.2000s", diff);
  free(diff);
  free(cmd);
  if (asprintf(&cmd, "%s docs sql | diff -u sql/postgres/0003_operations.sql - && echo SAME", cli) < 0) return 2;
  diff = run(cmd);
  if (!OK(strstr(diff, "SAME") != NULL, "sql/postgres/0003_operations.sql is what `leadstore docs sql` generates"))
    tap_diag("%.2000s", diff);
  free(diff);
  free(cmd);

  char *so = ts_build_path(argv[0], "libleadstore.so"), *lib = ts_build_path(argv[0], "libleadstore.a");
  if (asprintf(&cmd, "nm -D --defined-only %s | awk '$2 ~ /^[TDBR]$/ {print $3}'", so) < 0) return 2;
  char *syms = run(cmd);
  free(cmd);
  int exported = 0, foreign = 0;
  for (char *save = NULL, *s = strtok_r(syms, "\n", &save); s; s = strtok_r(NULL, "\n", &save)) {
    exported++;
    if (strncmp(s, "leadstore_", 10)) {
      foreign++;
      tap_diag("exported: %s", s);
    }
  }
  OK(exported > 10 && foreign == 0, "the shared library exports only leadstore_* (%d symbols)", exported);
  free(syms);
  if (asprintf(&cmd, "nm -g --defined-only %s | awk 'NF == 3 {print $3}'", lib) < 0) return 2;
  syms = run(cmd);
  free(cmd);
  foreign = 0;
  for (char *save = NULL, *s = strtok_r(syms, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
    if (strncmp(s, "leadstore_", 10) && strncmp(s, "ls__", 4) && strncmp(s, "__odr_asan.", 11)) { /* ASan markers */
      foreign++;
      tap_diag("global without prefix: %s", s);
    }
  OK(foreign == 0, "every global symbol of the library carries leadstore_ or ls__");
  free(syms);
  free(so), free(lib), free(cli);
  return tap_done();
}
