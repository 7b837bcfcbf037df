/*
 * main.c — the `leadstore` command: global options and the command table.
 *
 *   leadstore [--db TARGET] [--org UUID] [--role ROLE] [--durability full|normal] COMMAND …
 *
 * The database is --db, else $LEADSTORE_DB, else $DATABASE_URL, else
 * ./leadstore.db (an SQLite file, created on first use; sqlite:PATH for a
 * path that would read as a libpq keyword string).  The command acts as
 * service_role; --org UUID makes it an `authenticated` caller of that
 * organization; --role names the role explicitly (cli_caller).  Exit status:
 * 0 on success, the error table's exit status for a failed operation, 64 for
 * a usage error (an unknown option or role, conflicting --role and --org).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_command commands[] = {
    {"init", cli_init, "", "create the database's schema (and PostgreSQL functions) if needed", 0},
    {"migrate", cli_init, "", "apply pending PostgreSQL migrations (safe to repeat; SQLite: nothing to do)", 0},
    {"call", cli_call, "OP [JSON|-] [--get PATH] [--pretty]",
     "run one operation; JSON from the argument or standard input", 0},
    {"check", cli_check, "[--json]", "prove every invariant of the data; non-zero exit on any violation", 0},
    {"summary", cli_summary, "CAMPAIGN_ID", "a campaign as a person reads it", 0},
    {"help", cli_help, "[OP]", "this help, or one operation's parameters", 0},
    {"docs", cli_docs, "[KIND]",
     "the operations reference in Markdown; KIND: sql, rules, sql-install, man1, man7, bash-completion", 0},
    {"serve", cli_serve, "[--listen HOST:PORT] [options]", "serve the operations over HTTP (PostgREST RPC; docs/http.md)", 1},
    {"keys", cli_keys, "--role ROLE [--org UUID] [--expires 30d]", "mint an API key (JWT) the server accepts", 1},
};

const cli_command *const cli_commands = commands; /* for gen_man.c */
const size_t cli_command_count = sizeof commands / sizeof commands[0];

/* The command whose name is `word`, or NULL. */
static const cli_command *command_named(const char *word) {
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(commands[i].name, word)) return &commands[i];
  return NULL;
}

static void usage(FILE *out) {
  fprintf(out,
          "leadstore %s — the system of record for lead-generation campaigns\n\n"
          "usage: leadstore [--db TARGET] [--org UUID] [--role ROLE] [--durability full|normal] COMMAND ...\n\n"
          "commands:\n",
          leadstore_version());
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-8s %-42s %s\n", commands[i].name, commands[i].args, commands[i].help);
  fprintf(out,
          "\noptions:\n"
          "  --db TARGET         SQLite file (sqlite:PATH for any path), or PostgreSQL URL\n"
          "                      (postgresql://…) or libpq keyword string (host=… dbname=…)\n"
          "                      (default $LEADSTORE_DB, else $DATABASE_URL, else ./leadstore.db)\n"
          "                      or a leadstore server, http://HOST:PORT ($LEADSTORE_API_KEY)\n"
          "  --org UUID          act as an authenticated caller of this organization\n"
          "  --role ROLE         service_role (default), authenticated (needs --org) or anon;\n"
          "                      an unknown role, or --org with another role, is a usage error\n"
          "  --durability MODE   full (default: every success survives power loss) or normal\n"
          "  --version           print the version\n"
          "  (--db=TARGET, --org=UUID, --role=ROLE, --durability=MODE, --get=PATH work too)\n\n"
          "operations (leadstore help OP):\n");
  for (size_t i = 0; i < leadstore_op_count(); i++) fprintf(out, "  %s\n", leadstore_op_name(i));
}

/* The global options that take a value, as `--opt VALUE` or `--opt=VALUE`. */
static const char *const valued[] = {"--db", "--org", "--role", "--durability", "--get"};

/* The valued option named by the first len bytes of a, or NULL. */
static const char *valued_prefix(const char *a, size_t len) {
  for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
    if (strlen(valued[k]) == len && !strncmp(a, valued[k], len)) return valued[k];
  return NULL;
}

/* Whether a is one of the valued options. */
static bool is_valued(const char *a) { return valued_prefix(a, strlen(a)) != NULL; }

/* argv with every `--opt=VALUE` of a valued option split into `--opt` `VALUE`
 * (into out, 2 * argc + 1 slots; the words point into argv or at `valued`). */
static int split_equals(int argc, char **argv, char **out) {
  int n = 0;
  for (int i = 0; i < argc; i++) {
    const char *eq = strchr(argv[i], '=');
    const char *name = eq && !strncmp(argv[i], "--", 2) ? valued_prefix(argv[i], (size_t)(eq - argv[i])) : NULL;
    if (name) {
      out[n++] = (char *)name;
      out[n++] = (char *)eq + 1;
    } else {
      out[n++] = argv[i];
    }
  }
  out[n] = NULL;
  return n;
}

static int run(int argc, char **argv);

int main(int argc0, char **argv0) {
  char **argv = calloc(2 * (size_t)argc0 + 1, sizeof *argv);
  if (!argv) return 70;
  int argc = split_equals(argc0, argv0, argv);
  int status = run(argc, argv);
  free(argv);
  return status;
}

/* The command line after --opt=VALUE is split. */
static int run(int argc, char **argv) {
  cli_options o = {.db = getenv("LEADSTORE_DB")};
  if (!o.db || !*o.db) o.db = getenv("DATABASE_URL");
  if (!o.db || !*o.db) o.db = "leadstore.db";
  /* Global options may stand anywhere; the rest are the command's words. */
  char **words = calloc((size_t)argc + 1, sizeof *words);
  if (!words) return 70;
  int n = 0;
  /* A command with options of its own (serve, keys) takes every word after its name. */
  int own = argc;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] != '-') {
      const cli_command *c = command_named(argv[i]);
      if (c && c->own_options) own = i;
      break;
    }
    if (is_valued(argv[i])) i++;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (i == own) {
      free(words);
      return command_named(a)->run(&o, argc - i - 1, argv + i + 1);
    }
    if (is_valued(a) && i + 1 >= argc) {
      fprintf(stderr, "leadstore: %s needs a value\n", a);
      free(words);
      return CLI_USAGE;
    }
    if (!strcmp(a, "--db")) o.db = argv[++i];
    else if (!strcmp(a, "--org")) o.org = argv[++i];
    else if (!strcmp(a, "--get")) o.get = argv[++i];
    else if (!strcmp(a, "--role")) o.role = argv[++i];
    else if (!strcmp(a, "--durability")) o.durability = argv[++i];
    else if (!strcmp(a, "--pretty")) o.pretty = 1;
    else if (!strcmp(a, "--json")) o.json = 1;
    else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
      printf("leadstore %s\n", leadstore_version());
      free(words);
      return 0;
    } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      free(words);
      return 0;
    } else if (a[0] == '-' && a[1] == '-') {
      fprintf(stderr, "leadstore: unknown option %s (see leadstore help)\n", a);
      free(words);
      return CLI_USAGE;
    } else {
      words[n++] = argv[i];
    }
  }
  int rc = cli_caller(o.role, o.org, &o.caller);
  if (rc) {
    free(words);
    return rc;
  }
  rc = CLI_USAGE;
  if (n == 0) {
    usage(stderr);
  } else if (!(n == 1 && !strcmp(words[0], "help"))) {
    size_t i = 0;
    while (i < sizeof commands / sizeof commands[0] && strcmp(commands[i].name, words[0])) i++;
    if (i < sizeof commands / sizeof commands[0]) rc = commands[i].run(&o, n - 1, words + 1);
    else if (!strcmp(words[0], "version")) rc = (printf("leadstore %s\n", leadstore_version()), 0);
    else fprintf(stderr, "leadstore: unknown command %s (see leadstore help)\n", words[0]);
  }
  if (n == 1 && !strcmp(words[0], "help")) {
    usage(stdout);
    rc = 0;
  }
  free(words);
  return rc;
}
