/*
 * cli.h — shared by the files of the `leadstore` command (main.c, cli.c).
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
  int json;               /* check --json */
} cli_options;

typedef struct cli_command {
  const char *name;
  int (*run)(const cli_options *o, int argc, char **argv);
  const char *args, *help;
  int own_options; /* the words after the command, options included, are the command's own */
} cli_command;

int cli_init(const cli_options *o, int argc, char **argv);
int cli_call(const cli_options *o, int argc, char **argv);
int cli_check(const cli_options *o, int argc, char **argv);
int cli_summary(const cli_options *o, int argc, char **argv);
int cli_help(const cli_options *o, int argc, char **argv);
int cli_docs(const cli_options *o, int argc, char **argv);
/* src/server/: the HTTP server and the keys it accepts. */
int cli_serve(const cli_options *o, int argc, char **argv);
int cli_keys(const cli_options *o, int argc, char **argv);

#endif
