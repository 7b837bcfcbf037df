/*
 * cli_adopt.c — `leadstore adopt [--dry-run]`, `leadstore uninstall` and the
 * repair of `leadstore check --repair`: front ends of leadstore_adopt,
 * leadstore_uninstall and leadstore_repair (src/pg/adopt.c), which print the
 * report: every step with the rows it touched (with --dry-run, each
 * statement too), the migrations applied, the rows quarantined, and a last
 * line saying what happened.  --json prints the report object instead.
 * Exit status 0 on success, else the error's (a database that is not what
 * the command works on is 78, and nothing was changed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

/* Whether the command's flag `name` was given. */
static int flag(const cli_options *o, const char *name) {
  for (int i = 0; i < o->ngiven; i++)
    if (!strcmp(o->given[i].name, name)) return 1;
  return 0;
}

/* Prints a report's steps (with their SQL when `statements`) and what else it holds. */
static void print_report(FILE *out, json_t *r, int statements) {
  size_t i;
  json_t *s;
  json_array_foreach(json_object_get(r, "steps"), i, s) {
    json_t *rows = json_object_get(s, "rows");
    if (statements) fprintf(out, "-- %s/%s\n%s;\n", json_string_value(json_object_get(s, "file")),
                           json_string_value(json_object_get(s, "step")), json_string_value(json_object_get(s, "sql")));
    if (json_is_integer(rows))
      fprintf(out, "%s%s/%s: %lld row%s\n", statements ? "-- " : "", json_string_value(json_object_get(s, "file")),
             json_string_value(json_object_get(s, "step")), (long long)json_integer_value(rows),
             json_integer_value(rows) == 1 ? "" : "s");
    else
      fprintf(out, "%s%s/%s: done\n", statements ? "-- " : "", json_string_value(json_object_get(s, "file")),
             json_string_value(json_object_get(s, "step")));
  }
  json_t *name;
  json_array_foreach(json_object_get(r, "applied"), i, name) fprintf(out, "applied %s\n", json_string_value(name));
  const char *table;
  json_t *n;
  json_object_foreach(json_object_get(r, "quarantined"), table, n)
    fprintf(out, "quarantined %lld row%s of %s (leadstore_quarantine, with the reason)\n", (long long)json_integer_value(n),
           json_integer_value(n) == 1 ? "" : "s", table);
}

/* Runs one of the three commands on the database of the options and prints its report. */
static int admin(const cli_options *o, FILE *out, const char *what, int (*fn)(leadstore *, int, char **), int dry_run) {
  int rc;
  leadstore *db = cli_open_db(o, 0, &rc);
  if (!db) return rc;
  char *report = NULL;
  rc = fn(db, dry_run, &report);
  leadstore_close(db);
  json_t *r = report ? json_loads(report, 0, NULL) : NULL;
  if (rc || !r) {
    fprintf(stderr, "leadstore: %s\n", r ? json_string_value(json_object_get(r, "error")) : "out of memory");
    json_decref(r);
    leadstore_free(report);
    return rc ? leadstore_status_exit(rc) : 70;
  }
  if (o->json) {
    fprintf(out, "%s\n", report);
  } else {
    print_report(out, r, dry_run);
    const char *message = json_string_value(json_object_get(r, "message"));
    if (message) fprintf(out, "leadstore: %s\n", message);
    else fprintf(out, "leadstore: %s changed %lld row%s\n", what, (long long)json_integer_value(json_object_get(r, "changed")),
                json_integer_value(json_object_get(r, "changed")) == 1 ? "" : "s");
  }
  json_decref(r);
  leadstore_free(report);
  return 0;
}

static int adopt(leadstore *db, int dry_run, char **report) { return leadstore_adopt(db, dry_run, report); }
static int uninstall(leadstore *db, int dry_run, char **report) {
  (void)dry_run;
  return leadstore_uninstall(db, report);
}
static int repair(leadstore *db, int dry_run, char **report) {
  (void)dry_run;
  return leadstore_repair(db, report);
}

int cli_adopt(const cli_options *o, int argc, char **argv) {
  (void)argv;
  if (argc != 0) {
    fprintf(stderr, "usage: leadstore adopt --db postgresql://… [--dry-run] [--json]\n");
    return CLI_USAGE;
  }
  return admin(o, stdout, "adopt", adopt, flag(o, "--dry-run"));
}

int cli_uninstall(const cli_options *o, int argc, char **argv) {
  (void)argv;
  if (argc != 0) {
    fprintf(stderr, "usage: leadstore uninstall --db postgresql://… [--json]\n");
    return CLI_USAGE;
  }
  return admin(o, stdout, "uninstall", uninstall, 0);
}

int cli_repair_requested(const cli_options *o) { return flag(o, "--repair"); }

int cli_repair(const cli_options *o) {
  cli_options text = *o;
  text.json = 0; /* the repair's steps as text, before the check's report: on standard error with --json */
  return admin(&text, o->json ? stderr : stdout, "repair", repair, 0);
}
