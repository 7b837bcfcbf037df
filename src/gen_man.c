/*
 * gen_man.c — the installed documentation of the `leadstore` command,
 * generated from the same tables as `leadstore help` and docs/operations.md,
 * so it cannot go stale (`make` writes them into build/, `make install`
 * installs them):
 *
 *   leadstore docs man1             leadstore(1): commands (main.c's command
 *                                   table), options, environment, exit
 *                                   statuses (the error map of leadstore.h);
 *   leadstore docs man7             leadstore-operations(7): every operation,
 *                                   its parameters and result
 *                                   (leadstore_describe) and the error codes;
 *   leadstore docs bash-completion  the bash completion: commands, global
 *                                   options and their values, operation names
 *                                   after `call` and `help`, docs' kinds.
 *
 * The commands and options are main.c's tables (the same that drive the
 * parsing and `leadstore help`).  Text goes through roff() so any character
 * of a summary (UTF-8 included) is safe in a page.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

/*--- Tables ---------------------------------------------------------------------*/

/* The options whose values are a closed set, for the completion. */
static const struct {
  const char *name, *values;
} option_values[] = {
    {"--role", "service_role authenticated anon"},
    {"--durability", "full normal"},
    {"--log-format", "text json"},
};

/* What `leadstore docs KIND` prints. */
static const struct {
  const char *kind, *help;
} docs_kinds[] = {
    {"", "the operations reference in Markdown (docs/operations.md)"},
    {"sql", "the generated migration 0003_operations.sql"},
    {"rules", "the generated migration 0002_rules.sql"},
    {"sql-install", "every PostgreSQL migration in one SQL file for psql -f, recorded as migrate records them"},
    {"man1", "this page"},
    {"man7", "the page leadstore-operations(7)"},
    {"bash-completion", "the bash completion script"},
};

/* The environment the command reads. */
static const struct {
  const char *name, *help;
} environment[] = {
    {"LEADSTORE_DB", "the database when --db is absent"},
    {"DATABASE_URL", "the database when --db and LEADSTORE_DB are absent"},
    {"LEADSTORE_API_KEY", "the API key (JWT) sent to a leadstore server (--db http://...)"},
    {"LEADSTORE_JWT_SECRET", "the secret that signs and verifies API keys (serve, keys), when no "
                             "--jwt-secret-file is given; see docs/http.md"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*--- roff -----------------------------------------------------------------------*/

/* Writes text for a roff page: backslashes and minus signs escaped, a line
 * never starting with a control character, non-ASCII as \[uXXXX]. */
static void roff(FILE *out, const char *s) {
  int bol = 1;
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    if (bol && (*c == '.' || *c == '\'')) fputs("\\&", out);
    bol = *c == '\n';
    if (*c == '\\') fputs("\\e", out);
    else if (*c == '-') fputs("\\-", out);
    else if (*c < 0x80) fputc(*c, out);
    else {
      /* one UTF-8 sequence: its length from the lead byte */
      int n = *c >= 0xf0 ? 3 : *c >= 0xe0 ? 2 : *c >= 0xc0 ? 1 : 0;
      unsigned cp = *c & (0x3f >> n);
      for (int k = 0; k < n && (c[1] & 0xc0) == 0x80; k++) cp = (cp << 6) | (*++c & 0x3f);
      fprintf(out, "\\[u%04X]", cp);
    }
  }
}

/* The string member `key` of o, "" when absent (describe's JSON is the library's own). */
static const char *str(json_t *o, const char *key) {
  const char *v = json_string_value(json_object_get(o, key));
  return v ? v : "";
}

/*--- leadstore(1) ------------------------------------------------------------------*/

/* An option as a tagged paragraph: its name, its argument, its doc. */
static void option_item(FILE *out, const cli_option *o) {
  fputs(".TP\n.B ", out);
  roff(out, o->name);
  if (o->arg) fprintf(out, " \\fI%s\\fR", o->arg);
  fputs("\n", out);
  roff(out, o->doc);
  fputs(".\n", out);
}

/* COMMANDS: main.c's command table, with the options of each command and docs' kinds. */
static void man1_commands(FILE *out) {
  fprintf(out, ".SH COMMANDS\n");
  for (size_t i = 0; i < cli_command_count; i++) {
    const cli_command *c = &cli_commands[i];
    fprintf(out, ".TP\n.B %s", c->name);
    if (*c->args) {
      fputs(" ", out);
      roff(out, c->args);
    }
    fputs("\n", out);
    roff(out, c->about ? c->about : c->summary);
    fputs(".\n", out);
    if (c->options) {
      fputs(".RS\n", out);
      for (const cli_option *o = c->options; o->name; o++) option_item(out, o);
      fputs(".RE\n", out);
    }
    if (!strcmp(c->name, "docs")) {
      fputs(".RS\n", out);
      for (size_t k = 0; k < COUNT(docs_kinds); k++) {
        fprintf(out, ".TP\n.B docs%s%s\n", *docs_kinds[k].kind ? " " : "", docs_kinds[k].kind);
        roff(out, docs_kinds[k].help);
        fputs(".\n", out);
      }
      fputs(".RE\n", out);
    }
  }
}

/* OPTIONS: the global options of main.c. */
static void man1_options(FILE *out) {
  fprintf(out, ".SH OPTIONS\nGlobal options may stand anywhere on the line; "
               "\\fB\\-\\-opt\\fR=\\fIVALUE\\fR works too.\n");
  for (const cli_option *o = cli_global_options; o->name; o++) option_item(out, o);
}

/* The exit statuses in ascending order: 0, 1 (check), those of the error map
 * (the statuses that share one together), 64 (usage). */
static void man1_exit(FILE *out) {
  fprintf(out, ".SH EXIT STATUS\n.TP\n.B 0\nsuccess.\n.TP\n.B 1\n\\fBcheck\\fR found a violated invariant.\n");
  int printed = 1, usage = 0;
  for (;;) {
    int code = 256; /* the smallest exit status above `printed` */
    for (int s = 1; s < LEADSTORE__STATUS_COUNT; s++)
      if (leadstore_status_exit(s) > printed && leadstore_status_exit(s) < code) code = leadstore_status_exit(s);
    if (!usage && CLI_USAGE > printed && CLI_USAGE < code) {
      fprintf(out, ".TP\n.B %d\na usage error: an unknown command or option, an unknown role, a missing value, a malformed command line.\n",
              CLI_USAGE);
      usage = 1;
    }
    if (code == 256) break;
    fprintf(out, ".TP\n.B %d\n", code);
    int first = 1, retry = 0;
    for (int t = 1; t < LEADSTORE__STATUS_COUNT; t++) {
      if (leadstore_status_exit(t) != code) continue;
      fprintf(out, "%s%s (error_code %s)", first ? "" : "; ", leadstore_status_message(t), leadstore_status_sqlstate(t));
      first = 0;
      retry = leadstore_status_retry(t);
    }
    fprintf(out, "%s.\n", retry ? "; the call may be retried" : "");
    printed = code;
  }
}

/* leadstore(1). */
static int man1(FILE *out) {
  fprintf(out,
          ".\\\" Generated by `leadstore docs man1` from the command's tables. Do not edit.\n"
          ".TH LEADSTORE 1 \"\" \"leadstore %s\" \"leadstore manual\"\n"
          ".SH NAME\nleadstore \\- the system of record for lead\\-generation campaigns\n"
          ".SH SYNOPSIS\n.B leadstore\n[\\fB\\-\\-db\\fR \\fITARGET\\fR] [\\fB\\-\\-org\\fR \\fIUUID\\fR] "
          "[\\fB\\-\\-role\\fR \\fIROLE\\fR] [\\fB\\-\\-durability\\fR \\fBfull\\fR|\\fBnormal\\fR] "
          "\\fICOMMAND\\fR ...\n.br\n.B leadstore call\n\\fIOPERATION\\fR [\\fIJSON\\fR|\\fB\\-\\fR]\n"
          ".SH DESCRIPTION\n"
          "\\fBleadstore\\fR keeps Google\\-Maps lead\\-generation campaigns: their ZIP coverage, the businesses "
          "found, their Facebook and LinkedIn enrichments, email verifications and API costs. Every operation is "
          "atomic. The database is an SQLite file (the default) or PostgreSQL, where the operations are stored "
          "functions installed by \\fBleadstore migrate\\fR.\n.PP\n"
          "\\fBleadstore call\\fR runs one operation with a JSON object of named parameters (from the argument, "
          "or standard input when it is omitted or \\fB\\-\\fR) and prints the result object. The command acts "
          "as \\fBservice_role\\fR unless \\fB\\-\\-org\\fR or \\fB\\-\\-role\\fR says otherwise. The operations "
          "are listed in \\fBleadstore\\-operations\\fR(7) and by \\fBleadstore help\\fR.\n",
          leadstore_version());
  man1_commands(out);
  man1_options(out);
  fprintf(out, ".SH ENVIRONMENT\n");
  for (size_t i = 0; i < COUNT(environment); i++) {
    fprintf(out, ".TP\n.B %s\n", environment[i].name);
    roff(out, environment[i].help);
    fputs(".\n", out);
  }
  man1_exit(out);
  fprintf(out, ".SH EXAMPLES\n.nf\n"
               "leadstore \\-\\-db leads.db call list_campaigns '{}' \\-\\-pretty\n"
               "leadstore \\-\\-db postgresql://user@host/db migrate\n"
               "leadstore docs sql\\-install > leadstore.sql\n.fi\n"
               ".SH SEE ALSO\n\\fBleadstore\\-operations\\fR(7); the project's README.md, docs/postgres.md "
               "and docs/http.md.\n");
  return 0;
}

/*--- leadstore-operations(7) ---------------------------------------------------------*/

/* The limits of a parameter, in words ("one of a, b", "1 to 255 characters", "at most 5000
 * items"): what cli.c's help prints, spelled for a page. */
static void limits(FILE *out, json_t *f) {
  json_t *v;
  if ((v = json_object_get(f, "values"))) {
    fputs("; one of", out);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
      fputs(i ? ", " : " ", out);
      roff(out, json_string_value(e));
    }
  }
  if ((v = json_object_get(f, "max")))
    fprintf(out, "; %.15g to %.15g", json_number_value(json_object_get(f, "min")), json_number_value(v));
  else if ((v = json_object_get(f, "min")))
    fprintf(out, "; at least %.15g", json_number_value(v));
  if ((v = json_object_get(f, "max_length")))
    fprintf(out, "; %lld to %lld characters", (long long)json_integer_value(json_object_get(f, "min_length")),
            (long long)json_integer_value(v));
  if ((v = json_object_get(f, "max_items"))) fprintf(out, "; at most %lld items", (long long)json_integer_value(v));
  if ((v = json_object_get(f, "alias"))) {
    fputs("; also spelled \\fB", out);
    roff(out, json_string_value(v));
    fputs("\\fR", out);
  }
}

/* One parameter (and its fields, indented). */
static void param(FILE *out, json_t *f) {
  fputs(".TP\n.B ", out);
  roff(out, str(f, "name"));
  fputs("\n", out);
  roff(out, str(f, "type"));
  if (json_is_true(json_object_get(f, "required"))) fputs(", required", out);
  limits(out, f);
  if (json_object_get(f, "doc")) {
    fputs("; ", out);
    roff(out, str(f, "doc"));
  }
  fputs("\n", out);
  json_t *fields = json_object_get(f, "fields");
  if (json_array_size(fields) == 0) return;
  fputs(".RS\n", out);
  size_t i;
  json_t *sub;
  json_array_foreach(fields, i, sub) param(out, sub);
  fputs(".RE\n", out);
}

/* leadstore-operations(7): every operation of leadstore_describe(), then the error map. */
static int man7(FILE *out) {
  char *text = NULL;
  if (leadstore_describe(NULL, &text)) return 70;
  json_t *ops = json_loads(text, 0, NULL);
  leadstore_free(text);
  if (!ops) return 70;
  fprintf(out,
          ".\\\" Generated by `leadstore docs man7` from the operations table. Do not edit.\n"
          ".TH LEADSTORE\\-OPERATIONS 7 \"\" \"leadstore %s\" \"leadstore manual\"\n"
          ".SH NAME\nleadstore\\-operations \\- the operations of leadstore, their parameters and results\n"
          ".SH DESCRIPTION\n"
          "Every operation takes one JSON object of named parameters and returns one JSON object: "
          "{\"success\": true, ...}, or {\"success\": false, \"error\", \"error_code\", \"retry_recommended\"} "
          "after which nothing was written. Write operations are atomic and accept \\fBp_request_id\\fR for "
          "idempotent retries. Unknown top\\-level parameters are refused (22023); unknown keys inside data "
          "objects are ignored. The same operations are the library's \\fBleadstore_call\\fR(), "
          "\\fBleadstore call\\fR \\fIOPERATION\\fR, POST /rpc/\\fIOPERATION\\fR of \\fBleadstore serve\\fR, and "
          "the PostgreSQL functions of the same names.\n"
          ".SH OPERATIONS\n",
          leadstore_version());
  size_t i;
  json_t *op;
  json_array_foreach(ops, i, op) {
    fputs(".SS ", out);
    roff(out, str(op, "name"));
    fputs("\n", out);
    roff(out, str(op, "summary"));
    fprintf(out, "\n.PP\nA %s operation. Parameters:\n", str(op, "kind"));
    size_t j;
    json_t *f;
    json_array_foreach(json_object_get(op, "params"), j, f) param(out, f);
    fputs(".PP\nReturns {success: true, ", out);
    roff(out, str(op, "returns"));
    fputs("}.\n", out);
  }
  fprintf(out, ".SH ERROR CODES\n");
  for (int s = 1; s < LEADSTORE__STATUS_COUNT; s++) {
    fprintf(out, ".TP\n.B %s\n%s: ", leadstore_status_sqlstate(s), leadstore_status_name(s));
    roff(out, leadstore_status_message(s));
    fprintf(out, "; retry_recommended %s; HTTP %d; exit status %d.\n", leadstore_status_retry(s) ? "true" : "false",
            leadstore_status_http(s), leadstore_status_exit(s));
  }
  fprintf(out, ".SH SEE ALSO\n\\fBleadstore\\fR(1); the project's docs/operations.md.\n");
  json_decref(ops);
  return 0;
}

/*--- bash completion ------------------------------------------------------------------*/

/* Whether an option named `name` comes before `upto` among the global options and the
 * commands' options (each option is written once in the completion's lists). */
static int seen_before(const cli_option *upto, const char *name) {
  for (const cli_option *o = cli_global_options; o->name; o++) {
    if (o == upto) return 0;
    if (!strcmp(o->name, name)) return 1;
  }
  for (size_t i = 0; i < cli_command_count; i++)
    for (const cli_option *o = cli_commands[i].options; o && o->name; o++) {
      if (o == upto) return 0;
      if (!strcmp(o->name, name)) return 1;
    }
  return 0;
}

/* Calls fn on every option, global ones first, each name once. */
static void each_option(FILE *out, void (*fn)(FILE *, const cli_option *, int *), int *state) {
  for (const cli_option *o = cli_global_options; o->name; o++)
    if (!seen_before(o, o->name)) fn(out, o, state);
  for (size_t i = 0; i < cli_command_count; i++)
    for (const cli_option *o = cli_commands[i].options; o && o->name; o++)
      if (!seen_before(o, o->name)) fn(out, o, state);
}

/* `case $prev` arm of a valued option: its values, files for --db, else nothing to offer. */
static void value_arm(FILE *out, const cli_option *o, int *state) {
  (void)state;
  if (!o->arg) return;
  for (size_t k = 0; k < COUNT(option_values); k++)
    if (!strcmp(option_values[k].name, o->name)) {
      fprintf(out, "  %s) COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n", o->name, option_values[k].values);
      return;
    }
  if (!strcmp(o->name, "--db")) fprintf(out, "  %s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", o->name);
  else fprintf(out, "  %s) return ;;\n", o->name);
}

/* One alternative of the pattern of valued options: "--db|--org|…". */
static void valued_pattern(FILE *out, const cli_option *o, int *first) {
  if (!o->arg) return;
  fprintf(out, "%s%s", *first ? "" : "|", o->name);
  *first = 0;
}

/* The bash completion: one function, _leadstore, over word lists taken from the tables. */
static int completion(FILE *out) {
  fprintf(out, "# bash completion for leadstore %s. Generated by `leadstore docs bash-completion`\n"
               "# from the command's tables. Do not edit.\n\n_leadstore() {\n"
               "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n",
          leadstore_version());
  fputs("  local commands='", out);
  for (size_t i = 0; i < cli_command_count; i++) fprintf(out, "%s%s", i ? " " : "", cli_commands[i].name);
  fputs("'\n  local operations='", out);
  for (size_t i = 0; i < leadstore_op_count(); i++) fprintf(out, "%s%s", i ? " " : "", leadstore_op_name(i));
  fputs("'\n  local options='", out);
  for (const cli_option *o = cli_global_options; o->name; o++)
    fprintf(out, "%s%s", o == cli_global_options ? "" : " ", o->name);
  fputs("'\n  local docs_kinds='", out);
  for (size_t i = 1; i < COUNT(docs_kinds); i++) fprintf(out, "%s%s", i > 1 ? " " : "", docs_kinds[i].kind);
  fputs("'\n  case $prev in\n", out);
  each_option(out, value_arm, NULL);
  fputs("  esac\n"
        "  # the command: the first word that is neither an option nor an option's value\n"
        "  local i cmd='' nargs=0\n"
        "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
        "    case ${COMP_WORDS[i]} in\n    ",
        out);
  int first = 1;
  each_option(out, valued_pattern, &first);
  fputs(") i=$((i + 1)) ;;\n"
        "    -*) ;;\n"
        "    *) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; else nargs=$((nargs + 1)); fi ;;\n"
        "    esac\n"
        "  done\n"
        "  if [[ $cur == -* ]]; then\n"
        "    case $cmd in\n",
        out);
  for (size_t i = 0; i < cli_command_count; i++) {
    const cli_command *c = &cli_commands[i];
    if (!c->options) continue;
    fprintf(out, "    %s) options+='", c->name);
    for (const cli_option *o = c->options; o->name; o++) fprintf(out, " %s", o->name);
    fputs("' ;;\n", out);
  }
  fputs("    esac\n"
        "    COMPREPLY=($(compgen -W \"$options\" -- \"$cur\"))\n"
        "  elif [[ -z $cmd ]]; then\n"
        "    COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\"))\n"
        "  elif ((nargs == 0)); then\n"
        "    case $cmd in\n"
        "    call|help) COMPREPLY=($(compgen -W \"$operations\" -- \"$cur\")) ;;\n"
        "    docs) COMPREPLY=($(compgen -W \"$docs_kinds\" -- \"$cur\")) ;;\n"
        "    esac\n"
        "  fi\n",
        out);
  fputs("}\ncomplete -F _leadstore leadstore\n", out);
  return 0;
}

int cli_docs_man(const char *which) {
  if (!strcmp(which, "man1")) return man1(stdout);
  if (!strcmp(which, "man7")) return man7(stdout);
  if (!strcmp(which, "bash-completion")) return completion(stdout);
  fprintf(stderr, "leadstore: docs takes no argument or one of:");
  for (size_t k = 1; k < COUNT(docs_kinds); k++) fprintf(stderr, " %s", docs_kinds[k].kind);
  fprintf(stderr, "\n");
  return CLI_USAGE;
}
