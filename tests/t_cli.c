/*
 * t_cli.c — the `leadstore` command as a user meets it: help generated from
 * the table, the version, exit statuses, JSON on standard input, --get,
 * --org isolation, and `check` finding (and statistics repairing) drift
 * planted behind the library's back.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "support.h"

static char *cli, *db;

/* Runs a shell command line with the CLI; its exit status, output in *out (may be NULL). */
static int sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sh(char **out, const char *fmt, ...) {
  char *cmd = NULL, *line = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&line, fmt, ap) < 0) exit(2);
  va_end(ap);
  if (asprintf(&cmd, "export LEADSTORE_DB='%s'; %s", db, line) < 0) exit(2);
  FILE *p = popen(cmd, "r");
  size_t len = 0;
  char *buf = NULL;
  FILE *m = open_memstream(&buf, &len);
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) fwrite(chunk, 1, n, m);
  fclose(m);
  int status = pclose(p);
  free(cmd);
  free(line);
  if (out) *out = buf;
  else free(buf);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int main(int argc, char **argv) {
  (void)argc;
  cli = ts_build_path(argv[0], "leadstore");
  db = ts_db_path("cli");
  char *out = NULL;

  OK(sh(&out, "%s --version", cli) == 0 && strstr(out, LEADSTORE_VERSION), "--version prints %s", LEADSTORE_VERSION);
  free(out);
  OK(sh(&out, "%s help", cli) == 0 && strstr(out, "usage: leadstore"), "help prints the usage");
  bool all = out != NULL;
  for (size_t i = 0; all && i < leadstore_op_count(); i++) all = strstr(out, leadstore_op_name(i)) != NULL;
  OK(all, "the usage lists every operation of the table");
  free(out);
  OK(sh(&out, "%s help batch_upsert_businesses_tx", cli) == 0 && strstr(out, "p_businesses") &&
         strstr(out, "place_id") && strstr(out, "at most 5000"),
     "help OP shows its parameters, nested fields and limits");
  free(out);
  OK(sh(NULL, "%s help no_such_op 2>/dev/null", cli) == 64, "help for an unknown operation is a usage error");
  OK(sh(NULL, "%s frobnicate 2>/dev/null", cli) == 64, "an unknown command is a usage error");
  OK(sh(NULL, "%s --bogus init 2>/dev/null", cli) == 64, "an unknown option is a usage error");
  OK(sh(&out, "%s init", cli) == 0 && strstr(out, "ready"), "init creates the database");
  free(out);

  OK(sh(&out, "echo '{\"p_campaign_data\":{\"name\":\"Stdin\"},\"p_coverage_data\":[{\"zip\":\"10001\"}]}' | %s call "
              "create_campaign_with_coverage_tx --get campaign_id",
        cli) == 0 && strlen(out) == 37,
     "call reads JSON from standard input; --get prints one field");
  char cid[37];
  snprintf(cid, sizeof cid, "%.36s", out);
  free(out);
  OK(sh(&out, "%s call get_campaign '{\"p_campaign_id\":\"%s\"}' --get campaign.name", cli, cid) == 0 &&
         !strcmp(out, "Stdin\n"),
     "--get follows a dotted path");
  free(out);
  OK(sh(&out, "%s call get_campaign '{\"p_campaign_id\":\"00000000-0000-4000-8000-000000000000\"}' --get campaign.name "
              "2>/dev/null",
        cli) == 3 &&
         !strcmp(out, ""),
     "--get on a failure prints nothing on standard output and exits non-zero");
  free(out);
  OK(sh(&out, "%s call get_campaign '{\"p_campaign_id\":\"00000000-0000-4000-8000-000000000000\"}' --get campaign.name "
              "2>&1 >/dev/null",
        cli) == 3 &&
         strstr(out, "P0002"),
     "and the failure object on standard error");
  free(out);
  OK(sh(&out, "%s --db='%s' call get_campaign '{\"p_campaign_id\":\"%s\"}' --get=campaign.name --role=service_role", cli, db,
        cid) == 0 &&
         !strcmp(out, "Stdin\n"),
     "--db=PATH, --get=PATH and --role=ROLE are the same as their two-word forms");
  free(out);
  OK(sh(NULL, "%s call get_campaign '{\"p_campaign_id\":\"nope\"}' >/dev/null", cli) == 2, "22P02 exits 2");
  OK(sh(NULL, "%s call get_campaign '{\"p_campaign_id\":\"00000000-0000-4000-8000-000000000000\"}' >/dev/null", cli) == 3,
     "P0002 exits 3");
  OK(sh(&out, "%s call update_campaign_status_tx '{\"p_campaign_id\":\"%s\",\"p_new_status\":\"completed\"}'", cli, cid) == 4 &&
         strstr(out, "Invalid status transition: draft -> completed"),
     "P0001 exits 4 with the SPEC's message");
  free(out);
  OK(sh(NULL, "%s call create_campaign_with_coverage_tx '{\"p_campaign_data\":{\"name\":\"D\"},\"p_coverage_data\":[{\"zip\":\"1\"},{\"zip\":\"1\"}]}' >/dev/null", cli) == 5,
     "23505 exits 5");
  OK(sh(NULL, "%s --role anon call get_campaign '{\"p_campaign_id\":\"%s\"}' >/dev/null", cli, cid) == 6, "anon exits 6");
  OK(sh(NULL, "%s call nope '{}' >/dev/null", cli) == 7, "an unknown operation exits 7");
  const char *org = "11111111-1111-4111-8111-111111111111";
  OK(sh(&out, "%s --role admin call list_campaigns 2>&1", cli) == 64 && strstr(out, "unknown role admin") &&
         strstr(out, "service_role, authenticated or anon"),
     "an unknown --role is a usage error that lists the roles");
  free(out);
  OK(sh(NULL, "%s --role service_role --org %s call list_campaigns 2>/dev/null", cli, org) == 64,
     "--role service_role with --org is a usage error");
  OK(sh(NULL, "%s --role anon --org %s call list_campaigns 2>/dev/null", cli, org) == 64,
     "--role anon with --org is a usage error");
  OK(sh(&out, "%s --role authenticated --org %s call list_campaigns --get total", cli, org) == 0 && !strcmp(out, "0\n"),
     "--role authenticated with --org is that organization");
  free(out);
  OK(sh(&out, "%s --org %s call get_campaign '{\"p_campaign_id\":\"%s\"}'", cli, org, cid) == 3,
     "--org alone is authenticated too");
  free(out);
  OK(sh(&out, "%s --role service_role call get_campaign '{\"p_campaign_id\":\"%s\"}' --get campaign.name", cli, cid) == 0 &&
         !strcmp(out, "Stdin\n"),
     "--role service_role sees every organization");
  free(out);

  /* targets: a path with '=' is an SQLite file; sqlite: and file: force SQLite */
  const char *odd[] = {"%s/a=b.db", "sqlite:%s/dbname=odd.db", "file:%s/file.db"};
  const char *made[] = {"%s/a=b.db", "%s/dbname=odd.db", "%s/file.db"};
  for (int i = 0; i < 3; i++) {
    char *target = NULL, *file = NULL;
    if (asprintf(&target, odd[i], ts_dir()) < 0 || asprintf(&file, made[i], ts_dir()) < 0) exit(2);
    int rc = sh(&out, "%s --db '%s' init && %s --db '%s' call list_campaigns --get total", cli, target, cli, target);
    OK(rc == 0 && strstr(out, "sqlite database ready") && strstr(out, "\n0\n") && access(file, F_OK) == 0,
       "--db %s creates and uses the SQLite file %s (exit %d)", target, file, rc);
    free(out), free(target), free(file);
  }
  OK(sh(NULL, "%s --org 11111111-1111-4111-8111-111111111111 call get_campaign '{\"p_campaign_id\":\"%s\"}' >/dev/null", cli, cid) == 3,
     "--org confines the caller: another organization's campaign is not found");
  OK(sh(&out, "%s call track_api_cost_tx '{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.1}}' "
              "&& %s call track_api_cost_tx '{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.2}}' --get actual_cost",
        cli, cid, cli, cid) == 0 && strstr(out, "\n0.3\n"),
     "money prints exactly: 0.1 + 0.2 = 0.3");
  free(out);
  OK(sh(&out, "%s summary %s", cli, cid) == 0 && strstr(out, "Stdin") && strstr(out, "$0.30"), "summary reads like a report");
  free(out);
  OK(sh(&out, "%s check", cli) == 0 && strstr(out, "0 violations"), "check is clean");
  free(out);

  /* plant drift and a wrong cost behind the library's back */
  sqlite3 *conn = NULL;
  sqlite3_open(db, &conn);
  char *sql = sqlite3_mprintf("UPDATE gmaps_campaigns SET total_businesses_found = 7, actual_cost = 1 WHERE id = %Q", cid);
  OK(sqlite3_exec(conn, sql, NULL, NULL, NULL) == SQLITE_OK, "drift planted");
  sqlite3_free(sql);
  sqlite3_close(conn);
  OK(sh(&out, "%s check", cli) == 1 && strstr(out, "invariant 2") && strstr(out, "invariant 3") &&
         strstr(out, "total_businesses_found is 7, recount 0"),
     "check reports each violation and exits non-zero");
  free(out);
  OK(sh(&out, "%s call update_campaign_statistics_tx '{\"p_campaign_id\":\"%s\"}' --get drift_corrected", cli, cid) == 0 &&
         !strcmp(out, "true\n"),
     "statistics repairs the counters and says so");
  free(out);
  OK(sh(&out, "%s check", cli) == 1 && !strstr(out, "invariant 2") && strstr(out, "invariant 3"),
     "only the cost violation is left");
  free(out);
  free(cli);
  free(db);
  return tap_done();
}
