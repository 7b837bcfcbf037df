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

/* `leadstore help COMMAND` for every command of the usage: its usage line, options and examples. */
static void help_for_commands(void) {
  char *list = NULL, *out = NULL;
  OK(sh(&list, "%s help", cli) == 0 && strstr(list, "commands:") && strstr(list, "global options") &&
         strstr(list, "operations"),
     "help lists the commands, the global options and the operations");
  static const struct {
    const char *name, *option, *example;
  } commands[] = {{"init", NULL, "leadstore init --db leads.db"},
                  {"migrate", NULL, "leadstore migrate --db"},
                  {"call", "--get PATH", "leadstore call list_campaigns"},
                  {"check", "--json", "leadstore check --json"},
                  {"summary", "--json", "leadstore summary"},
                  {"businesses", "--search TEXT", "leadstore businesses"},
                  {"stress", "--clients N", "leadstore --create stress --db"},
                  {"help", NULL, "leadstore help call"},
                  {"docs", NULL, "leadstore docs"},
                  {"serve", "--listen HOST:PORT", "leadstore serve --db"},
                  {"keys", "--expires", "leadstore keys --db"}};
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    char usage[64];
    snprintf(usage, sizeof usage, "usage: leadstore [GLOBAL OPTIONS] %s", commands[i].name);
    char *line = NULL;
    if (asprintf(&line, "\n  %s", commands[i].name) < 0) exit(2);
    int rc = sh(&out, "%s help %s", cli, commands[i].name);
    OK(rc == 0 && strstr(out, usage) && (!commands[i].option || strstr(out, commands[i].option)) &&
           strstr(out, "examples:") && strstr(out, commands[i].example) && strstr(list, line),
       "help %s: usage, options and examples; and the list names it", commands[i].name);
    free(out);
    free(line);
    rc = sh(&out, "%s %s --help", cli, commands[i].name);
    OK(rc == 0 && strstr(out, usage), "%s --help is the same help", commands[i].name);
    free(out);
  }
  free(list);
}

/* The help of every operation: the notation once, no limit said twice, aligned columns. */
static void help_reads_cleanly(void) {
  for (size_t i = 0; i < leadstore_op_count(); i++) {
    char *out = NULL;
    sh(&out, "%s help %s", cli, leadstore_op_name(i));
    const char *notation = strstr(out, "* required");
    bool once = notation && !strstr(notation + 1, "* required");
    /* the parameter lines: after the notation's closing ")\n", up to the blank line */
    const char *p = notation ? strstr(notation, ")\n") : NULL;
    int type_col = -1, lines = 0;
    bool aligned = p != NULL, repeated = false;
    for (p = p ? p + 2 : NULL; p && *p && *p != '\n'; lines++) {
      const char *end = strchr(p, '\n');
      size_t len = end ? (size_t)(end - p) : strlen(p);
      char line[512];
      snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
      /* the type starts after the first run of two spaces that follows the name */
      const char *name = line + strspn(line, " ");
      const char *gap = strstr(name, "  ");
      int col = gap ? (int)(gap + strspn(gap, " ") - line) : -1;
      if (type_col < 0) type_col = col;
      aligned = aligned && col == type_col;
      repeated = repeated || strstr(line, "at most") != NULL;
      for (const char *r = strstr(line, "≤ "); r && !repeated; r = strstr(r + 1, "≤ ")) {
        char limit[32] = "";
        size_t n = strcspn(r + 4, " ;");
        memcpy(limit, r + 4, n < sizeof limit - 1 ? n : sizeof limit - 1);
        const char *again = strstr(r + 4 + strlen(limit), limit);
        repeated = again && (again[-1] == ' ' || again[-1] == '-');
      }
      p = end ? end + 1 : p + len;
    }
    OK(once && aligned && !repeated && lines > 0,
       "help %s: the notation explained once, %d aligned lines, no limit said twice", leadstore_op_name(i), lines);
    free(out);
  }
}

/* "Did you mean": a mistyped command, help topic, operation or parameter. */
static void suggestions(const char *cid) {
  char *out = NULL;
  OK(sh(&out, "%s sumary %s 2>&1", cli, cid) == 64 && strstr(out, "unknown command sumary (did you mean summary?)"),
     "a mistyped command suggests the command");
  free(out);
  OK(sh(&out, "%s help get_campain 2>&1", cli) == 64 && strstr(out, "did you mean get_campaign?"),
     "help of a mistyped operation suggests it");
  free(out);
  OK(sh(&out, "%s call get_campain '{}'", cli) == 7 && strstr(out, "unknown operation get_campain (did you mean get_campaign?)"),
     "call of a mistyped operation exits 7 and suggests it");
  free(out);
  OK(sh(&out, "%s call get_campaign '{\"p_campaign_idd\": \"%s\"}'", cli, cid) == 2 &&
         strstr(out, "unknown parameter p_campaign_idd (did you mean p_campaign_id?)"),
     "a mistyped parameter exits 2 and suggests the parameter");
  free(out);
  OK(sh(&out, "%s call get_campaign '{\"p_whatever\": 1}'", cli) == 2 && strstr(out, "unknown parameter p_whatever\"") ,
     "nothing close: no suggestion");
  free(out);
  OK(sh(&out, "%s xyzzy 2>&1", cli) == 64 && !strstr(out, "did you mean"), "a command far from every name: none");
  free(out);
  OK(sh(&out, "%s get_campaign 2>&1", cli) == 64 && strstr(out, "leadstore call get_campaign"),
     "an operation given as a command points at call");
  free(out);
}

/* A database that does not exist is created by init and by --create only. */
static void missing_databases(void) {
  char *path = ts_db_path("missing"), *out = NULL;
  static const char *const reads[] = {"call list_campaigns '{}'", "check", "summary 00000000-0000-4000-8000-000000000000",
                                      "migrate", "call create_campaign_with_coverage_tx '{\"p_campaign_data\":{\"name\":\"x\"}}'"};
  for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
    int rc = sh(&out, "%s --db '%s' %s 2>&1", cli, path, reads[i]);
    OK(rc == 78 && strstr(out, "no database at") && strstr(out, "leadstore init --db") && strstr(out, "--create") &&
           access(path, F_OK) != 0,
       "%s on a missing database: exit 78, how to create it, nothing created (exit %d)", reads[i], rc);
    free(out);
  }
  OK(sh(&out, "LEADSTORE_JWT_SECRET=0123456789abcdef0123456789abcdef %s serve --db '%s' --listen 127.0.0.1:0 2>&1", cli,
        path) == 78 &&
         strstr(out, "no database at") && access(path, F_OK) != 0,
     "serve refuses a missing database too");
  free(out);
  OK(sh(&out, "%s --db '%s' --create call create_campaign_with_coverage_tx '{\"p_campaign_data\":{\"name\":\"x\"}}' "
              "--get status",
        cli, path) == 0 &&
         !strcmp(out, "draft\n") && access(path, F_OK) == 0,
     "a write with --create creates it");
  free(out);
  OK(sh(&out, "%s --db '%s' call list_campaigns --get total", cli, path) == 0 && !strcmp(out, "1\n"),
     "and then it opens without --create");
  free(out);
  free(path);
  path = ts_db_path("init");
  OK(sh(&out, "%s init --db='%s'", cli, path) == 0 && strstr(out, "ready") && access(path, F_OK) == 0,
     "init creates it");
  free(out);
  free(path);
}

/* PostgreSQL: a database or role that does not exist is a configuration error (78),
 * an unreachable server a retry (75); a password never shows. */
static void postgres_targets(void) {
  const char *server = getenv("LEADSTORE_TEST_PG");
  char *out = NULL;
  if (server && strncmp(server, "postgres", 8)) {
    OK(sh(&out, "%s --db '%s dbname=lstest_nowhere password=hunter2' call list_campaigns 2>&1", cli, server) == 78 &&
           strstr(out, "lstest_nowhere") && strstr(out, "does not exist") && strstr(out, "password=****") &&
           !strstr(out, "hunter2"),
       "a PostgreSQL database that does not exist: exit 78, the password masked");
    free(out);
    OK(sh(&out, "%s --db '%s dbname=postgres user=lstest_nobody' check 2>&1", cli, server) == 78 &&
           strstr(out, "lstest_nobody"),
       "an unknown role: exit 78");
    free(out);
    char *url = ts_pg_database("t_cli");
    OK(sh(&out, "%s --db '%s password=hunter2' init", cli, url) == 0 && strstr(out, "ready at") &&
           strstr(out, "password=****") && !strstr(out, "hunter2"),
       "init prints the target with its password masked");
    free(out);
    free(url);
  }
  OK(sh(&out, "%s --db 'postgresql://me:hunter2@127.0.0.1:1/x?connect_timeout=2' init 2>&1", cli) == 75 &&
         strstr(out, "postgresql://me:****@127.0.0.1:1/x") && !strstr(out, "hunter2"),
     "an unreachable server: exit 75 (retry), the password masked");
  free(out);
}

/* --opt=VALUE for every option of every command, and options checked against the command's. */
static void equals_forms(const char *cid) {
  char *out = NULL;
  OK(sh(&out, "%s call get_campaign --pretty '{\"p_campaign_id\":\"%s\"}' --db=%s", cli, cid, db) == 0 &&
         strstr(out, "\n  \"campaign\""),
     "--db=PATH and a flag after the JSON");
  free(out);
  OK(sh(&out, "LEADSTORE_JWT_SECRET=0123456789abcdef0123456789abcdef %s keys --role=authenticated "
              "--org=11111111-1111-4111-8111-111111111111 --expires=1h",
        cli) == 0 &&
         !strncmp(out, "eyJ", 3),
     "keys takes --role=, --org= and --expires=");
  free(out);
  OK(sh(&out, "%s check --pretty 2>&1", cli) == 64 && strstr(out, "--pretty is not an option of check"),
     "an option of another command is refused, naming the command");
  free(out);
  OK(sh(&out, "%s --listen=127.0.0.1:0 serve 2>&1", cli) == 64 && strstr(out, "--listen goes after serve"),
     "serve's own options go after its name");
  free(out);
  OK(sh(&out, "%s check --json=yes 2>&1", cli) == 64, "a flag takes no value");
  free(out);
  OK(sh(&out, "%s call list_campaigns --get 2>&1", cli) == 64 && strstr(out, "--get needs a value"),
     "a valued option without its value is a usage error");
  free(out);
}

/* summary: plurals, one money rule, and --json with the same numbers. */
static void summary_forms(void) {
  char *path = ts_db_path("summary"), *out = NULL, *cid = NULL;
  if (sh(&cid, "%s --db %s --create call create_campaign_with_coverage_tx "
               "'{\"p_campaign_data\":{\"name\":\"One\",\"estimated_cost\":2},\"p_coverage_data\":[{\"zip\":\"10001\"}]}' "
               "--get campaign_id",
         cli, path) != 0)
    exit(2);
  cid[strcspn(cid, "\n")] = '\0';
  sh(NULL, "%s --db %s call update_campaign_status_tx '{\"p_campaign_id\":\"%s\",\"p_new_status\":\"running\"}'", cli,
     path, cid);
  sh(NULL, "%s --db %s call batch_upsert_businesses_tx '{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"10001\","
           "\"p_businesses\":[{\"place_id\":\"a\",\"name\":\"A\",\"email\":\"a@a.example\"},{\"place_id\":\"b\",\"name\":\"B\"},"
           "{\"place_id\":\"c\",\"name\":\"C\"}]}'",
     cli, path, cid);
  sh(NULL, "%s --db %s call track_api_cost_tx '{\"p_campaign_id\":\"%s\",\"p_service\":\"bouncer\",\"p_cost_data\":{\"cost_usd\":0.1}}'",
     cli, path, cid);
  OK(sh(&out, "%s --db %s summary %s", cli, path, cid) == 0 && strstr(out, "0 of 1 ZIP scraped") &&
         strstr(out, "3 businesses, 1 with an email (33.3%)") && strstr(out, "Bouncer $0.10\n") &&
         strstr(out, "total $0.10 (estimated $2.00)") && strstr(out, "per business $0.033333") &&
         strstr(out, "per lead with an email $0.10"),
     "summary: plurals right, money as $0.10 with up to six exact decimals");
  free(out);
  OK(sh(&out, "%s --db %s summary %s --json", cli, path, cid) == 0, "summary --json");
  json_t *j = json_loads(out ? out : "", 0, NULL);
  json_t *leads = json_object_get(j, "leads"), *costs = json_object_get(j, "costs_usd");
  OK(j && !strcmp(ts_str(j, "campaign_id"), cid) && json_integer_value(json_object_get(leads, "businesses")) == 3 &&
         json_integer_value(json_object_get(leads, "with_email")) == 1 &&
         json_number_value(json_object_get(costs, "total")) == 0.1 &&
         json_number_value(json_object_get(costs, "bouncer")) == 0.1 &&
         json_number_value(json_object_get(costs, "per_business")) == 0.033333 &&
         json_number_value(json_object_get(costs, "estimated")) == 2 &&
         json_integer_value(json_object_get(json_object_get(j, "coverage"), "zips_total")) == 1,
     "it has the numbers of the text");
  if (!j) tap_diag("summary --json printed: %s", out ? out : "");
  json_decref(j);
  free(out);
  free(cid);
  free(path);
}

/* Counts the lines of text that contain `needle`. */
static int lines_with(const char *text, const char *needle) {
  int n = 0;
  for (const char *p = text; p && (p = strstr(p, needle)); p += strlen(needle)) n++;
  return n;
}

/* `leadstore businesses`: a table by default, filters, pages, --json, and its errors. */
static void businesses_table(void) {
  char *path = ts_db_path("businesses"), *out = NULL, *cid = NULL, *bid = NULL;
  if (sh(&cid, "%s --db %s --create call create_campaign_with_coverage_tx "
               "'{\"p_campaign_data\":{\"name\":\"Leads\"},\"p_coverage_data\":[{\"zip\":\"78701\"},{\"zip\":\"78702\"}]}' "
               "--get campaign_id",
         cli, path) != 0)
    exit(2);
  cid[strcspn(cid, "\n")] = '\0';
  /* seven businesses, one call each so that their order (oldest first) is the order of the calls */
  static const char *const rows[] = {
      "{\"place_id\":\"p1\",\"name\":\"Caf\\u00e9 \\u00dcnique de la tr\\u00e8s longue enseigne du centre-ville\","
      "\"email\":\"hi@cafe.example\",\"phone\":\"+1 512 555 0100\"}",
      "{\"place_id\":\"p2\",\"name\":\"Bean There\",\"facebook_url\":\"https://facebook.com/bean\",\"rating\":4.7}",
      "{\"place_id\":\"p3\",\"name\":\"Alpha Dental\",\"email\":\"desk@alpha.example\"}",
      "{\"place_id\":\"p4\",\"name\":\"Bravo Dental\"}",
      "{\"place_id\":\"p5\",\"name\":\"Charlie 100% Pizza\"}",
      "{\"place_id\":\"p6\",\"name\":\"Delta\"}",
      "{\"place_id\":\"p7\",\"name\":\"Echo\"}"};
  for (int i = 0; i < 7; i++)
    if (sh(NULL, "%s --db %s call batch_upsert_businesses_tx '{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"%s\",\"p_businesses\":[%s]}' >/dev/null",
           cli, path, cid, i < 5 ? "78701" : "78702", rows[i]) != 0)
      exit(2);
  if (sh(&bid, "%s --db %s call list_businesses '{\"p_campaign_id\":\"%s\",\"p_search\":\"hi@cafe\"}' --get businesses.0.id",
         cli, path, cid) != 0)
    exit(2);
  bid[strcspn(bid, "\n")] = '\0';
  sh(NULL, "%s --db %s call update_email_verification_tx '{\"p_source\":\"google_maps\",\"p_target_id\":\"%s\","
           "\"p_verification_data\":{\"email\":\"hi@cafe.example\",\"status\":\"deliverable\",\"score\":92}}' >/dev/null",
     cli, path, bid);

  if (!OK(sh(&out, "%s --db %s businesses %s", cli, path, cid) == 0 && !strncmp(out, "NAME ", 5) &&
         strstr(out, "EMAIL") && strstr(out, "VERIFIED") && lines_with(out, "  78701  ") == 5 &&
         lines_with(out, "  78702  ") == 2 && strstr(out, "\n7 of 7 businesses\n") &&
         strstr(out, "Caf\xc3\xa9 \xc3\x9cnique de la tr\xc3\xa8s longue e\xe2\x80\xa6  78701  hi@cafe.example     google_maps  deliverable 92  yes") &&
         strstr(out, "Alpha Dental") && strstr(out, "pending") && !strstr(out, "next ones"),
     "businesses prints every business as an aligned table, long names cut on a character, then the count"))
    tap_diag("%s", out ? out : "");
  free(out);
  /* the header's columns start where each row's do */
  OK(sh(&out, "%s --db %s businesses %s --search bean", cli, path, cid) == 0 && strstr(out, "1 of 1 business\n"),
     "one match says 1 business");
  char *second = out ? strchr(out, '\n') : NULL;
  OK(second && strstr(out, "ZIP") - out == strstr(second + 1, "78701") - (second + 1),
     "the table is aligned: the ZIP column starts at the same place in the header and the row");
  free(out);
  OK(sh(&out, "%s --db %s businesses %s --limit 3", cli, path, cid) == 0 && lines_with(out, "  7870") == 3 &&
         strstr(out, "3 of 7 businesses; the next ones: leadstore businesses") && strstr(out, "--after "),
     "--limit prints one page and says how to see the next");
  char *after = out ? strstr(out, "--after ") : NULL;
  char next[37] = "";
  if (after) snprintf(next, sizeof next, "%s", after + 8);
  free(out);
  OK(sh(&out, "%s --db %s businesses %s --limit 3 --after %s", cli, path, cid, next) == 0 &&
         strstr(out, "Bravo Dental") && strstr(out, "Charlie 100% Pizza") && strstr(out, "Delta") && !strstr(out, "Alpha"),
     "--after goes on from there, in order");
  free(out);
  OK(sh(&out, "%s --db %s businesses %s --zip 78702 --search E", cli, path, cid) == 0 && strstr(out, "Delta") &&
         strstr(out, "Echo") && strstr(out, "2 of 2 businesses"),
     "filters combine (--zip and --search, ASCII case-insensitive)");
  free(out);
  OK(sh(&out, "%s --db=%s businesses %s --verified --safe", cli, path, cid) == 0 && strstr(out, "1 of 1 business\n") &&
         strstr(out, "hi@cafe.example"),
     "--verified --safe: the verified, safe lead");
  free(out);
  OK(sh(&out, "%s --db %s businesses %s --unverified --enrichment pending", cli, path, cid) == 0 &&
         strstr(out, "Bean There") && strstr(out, "1 of 1 business\n"),
     "--unverified --enrichment pending");
  free(out);
  if (!OK(sh(&out, "%s --db %s businesses %s --source linkedin", cli, path, cid) == 0 &&
             !strcmp(out, "No business matches.\n"),
         "no match says so"))
    tap_diag("%s", out ? out : "");
  free(out);
  OK(sh(&out, "%s --db %s businesses %s --all --json", cli, path, cid) == 0, "--all --json");
  json_t *j = json_loads(out ? out : "", 0, NULL);
  OK(j && json_array_size(json_object_get(j, "businesses")) == 7 && json_integer_value(json_object_get(j, "total")) == 7 &&
         json_is_null(json_object_get(j, "next_after")) &&
         !strcmp(ts_str(json_array_get(json_object_get(j, "businesses"), 1), "name"), "Bean There") &&
         out && strstr(out, "\"rating\":4.7,"),
     "--json is one object: every business (full rows, in order, numbers spelled as the library does), "
     "the total, next_after null");
  json_decref(j);
  free(out);
  OK(sh(&out, "%s --db %s businesses %s --limit 2 --json", cli, path, cid) == 0, "--limit 2 --json");
  j = json_loads(out ? out : "", 0, NULL);
  OK(j && json_array_size(json_object_get(j, "businesses")) == 2 && json_integer_value(json_object_get(j, "total")) == 7 &&
         json_is_string(json_object_get(j, "next_after")),
     "a page of --json carries the next_after to go on from");
  json_decref(j);
  free(out);
  OK(sh(&out, "%s --db %s businesses %s --safe --unsafe 2>&1", cli, path, cid) == 64 && strstr(out, "exclude each other"),
     "--safe with --unsafe is a usage error");
  free(out);
  OK(sh(&out, "%s --db %s businesses %s --limit 0 2>&1", cli, path, cid) == 64 && strstr(out, "--limit"),
     "--limit 0 is a usage error");
  free(out);
  OK(sh(&out, "%s --db %s businesses %s --source linkdin 2>&1", cli, path, cid) == 2 &&
         strstr(out, "p_email_source must be one of"),
     "an unknown source is the operation's 22023 (exit 2), nothing on standard output but the message");
  free(out);
  OK(sh(&out, "%s --db %s --org 11111111-1111-4111-8111-111111111111 businesses %s 2>&1", cli, path, cid) == 3 &&
         strstr(out, "not found"),
     "another organization's campaign is not found (exit 3)");
  free(out);
  char *missing = NULL;
  if (asprintf(&missing, "%s.absent", path) < 0) exit(2);
  OK(sh(&out, "%s --db %s businesses %s 2>&1", cli, missing, cid) == 78 && strstr(out, "no database at") &&
         access(missing, F_OK) != 0,
     "a database that does not exist is not created by businesses");
  free(out);
  free(missing);
  free(bid);
  free(cid);
  free(path);
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
         strstr(out, "place_id") && strstr(out, "≤ 5000 items"),
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
  char *sql = sqlite3_mprintf("UPDATE gmaps_campaigns SET total_businesses_found = 7, linkedin_emails = 3, "
                              "zip_businesses_found = 9, facebook_queue = 4, actual_cost = 1 WHERE id = %Q", cid);
  OK(sqlite3_exec(conn, sql, NULL, NULL, NULL) == SQLITE_OK, "drift planted");
  sqlite3_free(sql);
  sqlite3_close(conn);
  OK(sh(&out, "%s check", cli) == 1 && strstr(out, "invariant 2") && strstr(out, "invariant 3") &&
         strstr(out, "total_businesses_found is 7, recount 0") && strstr(out, "linkedin_emails is 3, recount 0") &&
         strstr(out, "zip_businesses_found is 9, recount 0") && strstr(out, "facebook_queue is 4, recount 0"),
     "check reports each violation and exits non-zero");
  free(out);
  OK(sh(&out, "%s call update_campaign_statistics_tx '{\"p_campaign_id\":\"%s\"}' --get drift_corrected", cli, cid) == 0 &&
         !strcmp(out, "true\n"),
     "statistics repairs the counters and says so");
  free(out);
  OK(sh(&out, "%s check", cli) == 1 && !strstr(out, "invariant 2") && strstr(out, "invariant 3"),
     "only the cost violation is left");
  free(out);
  help_for_commands();
  help_reads_cleanly();
  suggestions(cid);
  missing_databases();
  postgres_targets();
  equals_forms(cid);
  summary_forms();
  businesses_table();
  free(cli);
  free(db);
  return tap_done();
}
