/*
 * t_tables.c — the tables keep everything else honest: every operation of
 * the table has conformance cases (a success and a refusal), every file
 * generated from the C tables (docs/operations.md, sql/postgres/0002_rules.sql,
 * sql/postgres/0003_operations.sql) is up to date, the CHECK constraints the
 * schemas write by hand (value lists, lengths, ranges) agree with the C
 * tables, describe() covers every operation, and the library exports nothing
 * but leadstore_* symbols.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "support.h"

/* The files generated from the C tables, and the `leadstore` arguments that print them. */
static const struct { const char *args, *file; } generated[] = {
    {"docs", "docs/operations.md"},
    {"docs rules", "sql/postgres/0002_rules.sql"},
    {"docs sql", "sql/postgres/0003_operations.sql"},
};

/* The schemas: written by hand (their CHECKs are verified below, not generated,
 * because a schema migration never changes once applied). */
static const char *const schemas[] = {"sql/sqlite/schema.sql", "sql/postgres/0001_schema.sql"};

/* Which value list each `CHECK (column IN (…))` of the schemas must equal. */
static const struct { const char *column, *set; } enum_columns[] = {
    {"status", "campaign_status"},        {"coverage_profile", "coverage_profile"},
    {"email_source", "email_source"},     {"enrichment_status", "enrichment_status"},
    {"profile_type", "profile_type"},     {"service", "cost_service"},
    {"source", "verification_source"},
};

/* Which parameter each `CHECK ([char_]length(column) BETWEEN a AND b)` / `CHECK (column BETWEEN a AND b)`
 * must agree with (operation, object parameter, field). */
static const struct { const char *column, *op, *param, *field; } range_columns[] = {
    {"name", "create_campaign_with_coverage_tx", "p_campaign_data", "name"},
    {"zip_code", "create_campaign_with_coverage_tx", "p_coverage_data", "zip_code"},
    {"max_results", "create_campaign_with_coverage_tx", "p_coverage_data", "max_results"},
};

/* Whether the quoted list "'a', 'b'" holds exactly the values of `values`, in any order. */
static bool same_values(const char *list, size_t len, const char *const *values) {
  size_t count = 0, found = 0;
  for (size_t i = 0; values[i]; i++) {
    count++;
    char quoted[64];
    snprintf(quoted, sizeof quoted, "'%s'", values[i]);
    size_t q = strlen(quoted);
    for (const char *p = list; p + q <= list + len; p++)
      if (!strncmp(p, quoted, q)) {
        found++;
        break;
      }
  }
  size_t quotes = 0;
  for (size_t i = 0; i < len; i++) quotes += list[i] == '\'';
  return found == count && quotes == 2 * count;
}

static const char *const *value_set(const char *name) {
  for (const ls__value_set *v = ls__value_sets; v->name; v++)
    if (!strcmp(v->name, name)) return v->values;
  return NULL;
}

/* Every `CHECK (col IN (…))` of a schema names a known column and lists exactly its C values. */
static void check_enums(const char *file, const char *sql) {
  int seen = 0;
  for (const char *p = strstr(sql, "CHECK ("); p; p = strstr(p + 1, "CHECK (")) {
    char col[64];
    int n = 0;
    if (sscanf(p, "CHECK (%63[a-z_] IN (%n", col, &n) != 1 || n == 0) continue;
    const char *list = p + n, *end = strchr(list, ')');
    const char *set = NULL;
    for (size_t i = 0; i < sizeof enum_columns / sizeof enum_columns[0]; i++)
      if (!strcmp(enum_columns[i].column, col)) set = enum_columns[i].set;
    const char *const *values = set ? value_set(set) : NULL;
    OK(values && end && same_values(list, (size_t)(end - list), values), "%s: CHECK (%s IN …) lists the values of %s",
       file, col, set ? set : "(no value list of the C tables)");
    seen++;
  }
  OK(seen == (int)(sizeof enum_columns / sizeof enum_columns[0]), "%s: %d value-list CHECKs found", file, seen);
}

/* Every length/range CHECK of the mapped columns agrees with the field's limits in ops.c. */
static void check_ranges(const char *file, const char *sql) {
  for (size_t i = 0; i < sizeof range_columns / sizeof range_columns[0]; i++) {
    const ls__field *f = ls__param_fields(ls__op_find(range_columns[i].op), range_columns[i].param);
    while (f && f->name && strcmp(f->name, range_columns[i].field)) f++;
    char forms[3][256];
    long long lo = f ? (long long)f->min : -1, hi = f ? (long long)f->max : -1; /* whole numbers */
    snprintf(forms[0], sizeof forms[0], "CHECK (length(%s) BETWEEN %lld AND %lld)", range_columns[i].column, lo, hi);
    snprintf(forms[1], sizeof forms[1], "CHECK (char_length(%s) BETWEEN %lld AND %lld)", range_columns[i].column, lo, hi);
    snprintf(forms[2], sizeof forms[2], "CHECK (%s BETWEEN %lld AND %lld)", range_columns[i].column, lo, hi);
    bool found = f && f->name && (strstr(sql, forms[0]) || strstr(sql, forms[1]) || strstr(sql, forms[2]));
    OK(found, "%s: the CHECK of %s has the limits of %s.%s", file, range_columns[i].column, range_columns[i].param,
       range_columns[i].field);
  }
}

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
  for (size_t i = 0; i < sizeof generated / sizeof generated[0]; i++) {
    if (asprintf(&cmd, "%s %s | diff -u %s - && echo SAME", cli, generated[i].args, generated[i].file) < 0) return 2;
    char *diff = run(cmd);
    if (!OK(strstr(diff, "SAME") != NULL, "%s is what `leadstore %s` generates (run make docs)", generated[i].file,
            generated[i].args))
      tap_diag("%.2000s", diff);
    free(diff);
    free(cmd);
  }
  for (size_t i = 0; i < sizeof schemas / sizeof schemas[0]; i++) {
    char *sql = ts_read_file(schemas[i]);
    if (!OK(sql != NULL, "%s is readable", schemas[i])) continue;
    check_enums(schemas[i], sql);
    check_ranges(schemas[i], sql);
    free(sql);
  }

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
