/*
 * cli.h — shared by the files of the `leadstore` command (main.c, cli.c,
 * gen_sql.c, gen_man.c).
 */
#ifndef LS_CLI_H
#define LS_CLI_H

#include "leadstore.h"

enum { CLI_USAGE = 64 };

typedef struct cli_options {
  const char *db;         /* --db */
  const char *org;        /* --org: act as authenticated */
  const char *role;       /* --role service_role|authenticated|anon */
  const char *durability; /* --durability full|normal */
  const char *get;        /* call --get PATH */
  int pretty;             /* call --pretty */
  int json;               /* check --json, summary --json */
  int create;             /* --create: an SQLite file that does not exist is created */
  int help;               /* --help */
  /* a command's other options, as given, in order (value NULL for a flag) */
  struct cli_given {
    const char *name, *value;
  } given[16];
  int ngiven;
  leadstore_caller caller; /* from --role and --org (cli_caller) */
} cli_options;

/* An option of the command line (main.c's table). */
typedef struct cli_option {
  const char *name; /* "--db" */
  const char *arg;  /* the placeholder of its value ("TARGET"); NULL for a flag */
  const char *doc;  /* what it does; '\n' separates lines */
} cli_option;

/* A command (main.c's table): what drives the parsing, the usage and `leadstore help COMMAND`. */
typedef struct cli_command {
  const char *name;
  int (*run)(const cli_options *o, int argc, char **argv); /* NULL: help, main.c's own */
  const char *args;            /* its arguments, for the usage line ("OP [JSON|-]") */
  const char *summary;         /* one line for the list of commands */
  const char *about;           /* more, for its help; NULL for none */
  const cli_option *options;   /* its own options ({NULL}-terminated), NULL for none */
  const char *examples;        /* '\n'-separated command lines; NULL for none */
  int own_options; /* the words after the command, options included, are the command's own */
} cli_command;

/*
 * The caller of --role ROLE and --org UUID: no --role is service_role, or
 * authenticated with --org; --role is service_role, authenticated or anon,
 * and --org goes with authenticated only.  0, or CLI_USAGE with a message on
 * standard error.
 */
int cli_caller(const char *role, const char *org, leadstore_caller *out);

/*
 * Opens the database of the options, or prints why not (the target's password
 * masked) and sets *rc to the exit status.  `create`: an SQLite file that does
 * not exist is created; otherwise that is a configuration error saying how to
 * create it.
 */
leadstore *cli_open_db(const cli_options *o, int create, int *rc);
/* leadstore_call with params as JSON (borrowed; NULL: out of memory): *answer is
 * the parsed answer (the result, or the failure object), NULL when there is none.
 * Returns the call's status, LEADSTORE_EINTERNAL when there is no answer. */
struct json_t;
int cli_call_json(leadstore *db, const leadstore_caller *caller, const char *op, struct json_t *params,
                  struct json_t **answer);
/* A failed call's message from its answer ("out of memory" when there is none). */
const char *cli_error_of(struct json_t *answer);

/* The value of the command's option `name` (its last one; NULL for a flag), and in
 * *present whether it was given at all. */
const char *cli_given(const cli_options *o, const char *name, int *present);

int cli_init(const cli_options *o, int argc, char **argv);    /* creates the database when missing */
int cli_migrate(const cli_options *o, int argc, char **argv); /* creates it only with --create */
int cli_call(const cli_options *o, int argc, char **argv);
int cli_check(const cli_options *o, int argc, char **argv);
int cli_summary(const cli_options *o, int argc, char **argv);
/* cli_leads.c: a campaign's businesses as a table (or JSON), page by page. */
int cli_businesses(const cli_options *o, int argc, char **argv);
int cli_help(const cli_options *o, int argc, char **argv);
/* cli_stress.c: concurrent clients, a seeded mix of every operation, checked against a model. */
int cli_stress(const cli_options *o, int argc, char **argv);
int cli_docs(const cli_options *o, int argc, char **argv);
/* cli_adopt.c: adopt an upstream PostgreSQL database, uninstall leadstore's
 * functions, and check --repair's repair (its exit status, 0 when it ran). */
int cli_adopt(const cli_options *o, int argc, char **argv);
int cli_uninstall(const cli_options *o, int argc, char **argv);
int cli_repair_requested(const cli_options *o);
int cli_repair(const cli_options *o);
/* cli_import.c, cli_export.c: scraper files, enrichments and verifications in; leads out. */
int cli_import(const cli_options *o, int argc, char **argv);
int cli_export(const cli_options *o, int argc, char **argv);
/* `leadstore docs rules|sql`: the generated PostgreSQL migrations 0002_rules.sql and
 * 0003_operations.sql on standard output (gen_sql.c). */
int cli_docs_sql(const char *which);
/* `leadstore docs man1|man7|bash-completion`: the manual pages leadstore(1) and
 * leadstore-operations(7), and the bash completion, on standard output (gen_man.c). */
int cli_docs_man(const char *which);
/* The tables of main.c, for gen_man.c: the commands, and the global options ({NULL}-terminated). */
extern const cli_command *const cli_commands;
extern const size_t cli_command_count;
extern const cli_option *const cli_global_options;
/* src/server/: the HTTP server and the keys it accepts. */
int cli_serve(const cli_options *o, int argc, char **argv);
int cli_keys(const cli_options *o, int argc, char **argv);

#endif
