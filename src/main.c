/*
 * main.c — the `leadstore` command: the table of its commands and options,
 * the command line read against it, and the help generated from it.
 *
 *   leadstore [GLOBAL OPTIONS] COMMAND [ARGS] [OPTIONS]
 *
 * One table (`commands`, like the operations table of the library) says
 * what every command takes — its arguments, its options and their values,
 * a description and examples — and drives the parsing (which options take a
 * value, so `--opt=VALUE` works for every one; which options a command
 * accepts), `leadstore help` (the list) and `leadstore help COMMAND` (one
 * command).  A mistyped command or help topic gets a suggestion (suggest.c).
 *
 * The database is --db, else $LEADSTORE_DB, else $DATABASE_URL, else
 * ./leadstore.db.  An SQLite file is created only by `init` or when --create
 * is given; otherwise a missing one is a configuration error (exit 78).  The
 * command acts as service_role; --org UUID makes it an `authenticated`
 * caller of that organization; --role names the role explicitly
 * (cli_caller).  Exit status: 0 on success, the error table's exit status
 * for a failure (docs/operations.md#error-codes), 64 for a usage error.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "suggest.h"

/*--- The table ------------------------------------------------------------------*/

#define END {NULL, NULL, NULL}

/* Options of every command. */
static const cli_option global_options[] = {
    {"--db", "TARGET",
     "the database: an SQLite file (sqlite:PATH for any path), a PostgreSQL URL\n"
     "(postgresql://…) or libpq keyword string (host=… dbname=…), or a leadstore\n"
     "server, http://HOST:PORT ($LEADSTORE_API_KEY); default $LEADSTORE_DB, else\n"
     "$DATABASE_URL, else ./leadstore.db"},
    {"--create", NULL,
     "create the SQLite file (with its schema) when it does not exist; without it\n"
     "a missing file is an error (exit 78), never a new empty database"},
    {"--org", "UUID", "act as an authenticated caller of this organization"},
    {"--role", "ROLE",
     "service_role (default), authenticated (needs --org) or anon; an unknown\n"
     "role, or --org with another role, is a usage error"},
    {"--durability", "MODE", "full (default: every success survives power loss) or normal"},
    {"--version", NULL, "print the version"},
    {"--help", NULL, "this help; after a command, that command's help"},
    END};

static const cli_option call_options[] = {
    {"--get", "PATH",
     "print only this field of the result, by a dotted path (results.0.business_id);\n"
     "on a failure nothing on standard output, the failure object on standard error"},
    {"--pretty", NULL, "print the result indented"},
    END};

static const cli_option json_option[] = {{"--json", NULL, "print the report as one JSON object"}, END};

static const cli_option check_options[] = {
    {"--json", NULL, "print the report as one JSON object"},
    {"--repair", NULL,
     "first repair what writes that bypassed the operations broke: email sources,\n"
     "status history, counters and cost totals; prints each step's changes"},
    END};

static const cli_option adopt_options[] = {
    {"--dry-run", NULL, "print every statement and the rows it would touch; change nothing"},
    {"--json", NULL, "print the report as one JSON object"},
    END};

static const cli_option summary_options[] = {
    {"--json", NULL, "print the same numbers as one JSON object (money as exact numbers of USD)"}, END};

static const cli_option serve_options[] = {
    {"--db", "TARGET", "the database (as the global --db)"},
    {"--create", NULL, "create the SQLite file when it does not exist"},
    {"--listen", "HOST:PORT", "the address (default 127.0.0.1:8080; port 0 picks a free one)"},
    {"--threads", "N", "worker threads (default 8)"},
    {"--max-connections", "N", "open connections beyond this get 503 (default 512)"},
    {"--max-body", "BYTES", "larger bodies get 413 (default 64 MiB)"},
    {"--timeout", "S", "idle connections close after S seconds; the longest wait at shutdown (default 30)"},
    {"--jwt-secret-file", "F", "the JWT secret (default: $LEADSTORE_JWT_SECRET, else a file beside the SQLite file)"},
    {"--switches", "FILE", "rollout switches, reloaded on SIGHUP"},
    {"--disable", "OP|writes|all", "switch an operation (all writes, everything) off; repeatable"},
    {"--read-only", NULL, "the same as --disable writes"},
    {"--check-interval", "S", "run the invariant check every S seconds for /metrics; 0 = never (default 60)"},
    {"--log-format", "text|json", "access-log format (default text)"},
    {"--durability", "MODE", "full (default) or normal, as the global option"},
    {"--group-commit", "on|off", "SQLite: waiting writes share one transaction and one fsync (default on)"},
    END};

static const cli_option businesses_options[] = {
    {"--zip", "ZIP", "only the businesses found in this ZIP"},
    {"--source", "SOURCE", "only this email source: linkedin, facebook, google_maps or not_found"},
    {"--verified", NULL, "only those whose email is verified"},
    {"--unverified", NULL, "only those whose email is not verified"},
    {"--safe", NULL, "only those whose email is safe to send to"},
    {"--unsafe", NULL, "only those whose email was verified not safe"},
    {"--enrichment", "STATUS", "only this enrichment status: pending, enriched, no_facebook or failed"},
    {"--search", "TEXT", "name, email, website or phone contains TEXT (ASCII case-insensitive)"},
    {"--limit", "N", "print at most N businesses (default 50)"},
    {"--all", NULL, "print every match, page after page"},
    {"--after", "ID", "start after this business (the next_after a previous listing printed)"},
    {"--json", NULL, "one JSON object {businesses, total, next_after} instead of the table"},
    END};

static const cli_option keys_options[] = {
    {"--role", "ROLE", "service_role, authenticated (needs --org) or anon (required)"},
    {"--org", "UUID", "the organization of an authenticated key"},
    {"--expires", "N[s|m|h|d|y]|never", "lifetime (default 30d)"},
    {"--db", "TARGET", "whose secret: the file beside this SQLite file (as the global --db)"},
    {"--jwt-secret-file", "F", "the secret's file (default: $LEADSTORE_JWT_SECRET, else beside the SQLite file)"},
    END};

static const cli_option stress_options[] = {
    {"--clients", "N", "concurrent clients, each a thread with its own handle (default 4, at most 64)"},
    {"--ops", "M", "operations in all, shared among the clients (default 10000)"},
    {"--seed", "S", "the seed of every client's choices (default 1)"},
    {"--json", NULL, "print the report as one JSON object"},
    {"--sabotage", "WHAT",
     "after the run, make one write the model does not record (cost, business,\n"
     "email or status), to see the model report it: proves the proof is not blind"},
    END};

static const cli_option import_options[] = {
    {"--campaign", "ID", "the campaign (required for businesses; for the others, to match by place id, URL or email)"},
    {"--zip", "ZIP", "businesses: the ZIP searched, for every row (default: the row's postal code in the coverage)"},
    {"--format", "FORMAT",
     "businesses: apify-json, apify-jsonl, apify-csv, gosom-csv, gosom-jsonl or csv\n"
     "(default: told from the file's first bytes)"},
    {"--chunk", "N", "businesses: rows per batch_upsert_businesses_tx call, 1–5000 (default 500)"},
    {"--strict", NULL, "read the whole file first; any record that cannot be imported fails it, nothing applied"},
    END};

static const cli_option export_options[] = {
    {"--campaign", "ID", "leads: the campaign (required)"},
    {"--format", "FORMAT", "leads: csv (RFC 4180, the default) or jsonl"},
    {"--columns", "A,B,...", "leads: these columns, in this order (default: name, email, source, verification, …)"},
    {"--verified-only", NULL, "leads: only businesses whose email is verified"},
    {"--safe-only", NULL, "leads: only businesses whose email is verified safe to send to"},
    {"--bom", NULL, "leads, csv: start with a UTF-8 byte order mark (for spreadsheets)"},
    END};

static const cli_command commands[] = {
    {"init", cli_init, "", "create the database, or bring its schema and functions up to date",
     "Creates the SQLite file with its schema when it does not exist (the one command that\n"
     "creates without --create), or applies the pending migrations of a PostgreSQL\n"
     "database (which must exist). Safe to repeat.",
     NULL, "leadstore init --db leads.db\nleadstore --db postgresql://user@db.example/leads init", 0},
    {"migrate", cli_migrate, "", "apply pending PostgreSQL migrations (safe to repeat)",
     "Applies the pending migrations of sql/postgres/ in order, each in its own transaction,\n"
     "under an advisory lock. On SQLite the schema comes with the file: nothing to do.",
     NULL, "leadstore migrate --db postgresql://user@db.example/leads", 0},
    {"call", cli_call, "OP [JSON|-]", "run one operation and print its result object",
     "Runs operation OP with the JSON object of its parameters (from the argument, or\n"
     "standard input when it is omitted or -) and prints the result object. Exit status 0\n"
     "on success, else the error's (docs/operations.md#error-codes). A database that does\n"
     "not exist is not created (exit 78) unless --create is given. leadstore help OP lists\n"
     "OP's parameters.",
     call_options,
     "leadstore call list_campaigns '{\"p_limit\": 5}' --pretty\n"
     "leadstore call get_campaign \"{\\\"p_campaign_id\\\": \\\"$CID\\\"}\" --get campaign.status\n"
     "leadstore --create call create_campaign_with_coverage_tx - < campaign.json",
     0},
    {"check", cli_check, "", "prove every invariant of the data; exit 1 on any violation",
     "Proves the invariants of the data model (counters, cost sums, email sources, status\n"
     "history, uniqueness) over the whole database and lists every violation.",
     check_options, "leadstore check\nleadstore check --json\nleadstore check --repair --db postgresql://user@db.example/leads", 0},
    {"summary", cli_summary, "CAMPAIGN_ID", "a campaign as a person reads it",
     "Prints a campaign's status, coverage, leads, enrichment and costs.",
     summary_options, "leadstore summary \"$CID\"\nleadstore summary \"$CID\" --json", 0},
    {"businesses", cli_businesses, "CAMPAIGN_ID", "a campaign's businesses (leads) as a table, filtered",
     "Lists a campaign's businesses, oldest first, with their email, its source and\n"
     "verification, and their enrichment state (list_businesses, page by page). The\n"
     "filters combine. The last line says how many match and how to see the next\n"
     "page.",
     businesses_options,
     "leadstore businesses \"$CID\"\n"
     "leadstore businesses \"$CID\" --verified --safe --all\n"
     "leadstore businesses \"$CID\" --source linkedin --search dental --json",
     0},
    {"import", cli_import, "businesses|facebook|linkedin|verifications|campaign FILE|-",
     "apply scraper output, enrichment results or Bouncer answers, resumably",
     "Reads FILE (- for standard input) record by record in constant memory and applies it\n"
     "through the operations: businesses (Apify JSON/JSONL/CSV, gosom CSV/JSON lines, or\n"
     "leadstore's CSV) in chunks through batch_upsert_businesses_tx; Facebook pages, LinkedIn\n"
     "profiles and Bouncer answers one by one, matched to businesses by business_id, place\n"
     "id, normalised URL or email. Every call carries a request id derived from the content\n"
     "so far, so running an interrupted import again applies every chunk exactly once. A\n"
     "record that cannot be imported is reported with its line and reason and skipped (or,\n"
     "with --strict, fails the import before anything is applied). The summary (inserted,\n"
     "updated, skipped by reason, replayed) goes to standard error (docs/import-export.md).\n"
     "import campaign restores a file of export campaign whole, with its ids and times, in one\n"
     "restore_campaign_tx call: a file cut short or a campaign already there changes nothing.",
     import_options,
     "leadstore import businesses dataset.json --campaign \"$CID\"\n"
     "leadstore import businesses results.csv --campaign \"$CID\" --zip 04101 --format gosom-csv\n"
     "leadstore import facebook pages.json --campaign \"$CID\"\n"
     "leadstore import verifications bouncer.json --campaign \"$CID\"\n"
     "leadstore --db postgresql:///leads import campaign campaign.jsonl",
     0},
    {"export", cli_export, "leads | campaign ID",
     "a campaign's leads as CSV or JSON lines, from one consistent snapshot",
     "Writes one row per business of the campaign with its email, the email's source and\n"
     "its verification, on standard output: RFC 4180 CSV (UTF-8; --bom for spreadsheets)\n"
     "or JSON lines. Every row comes from one consistent snapshot of the database\n"
     "(docs/import-export.md). export campaign ID writes the whole campaign (its row,\n"
     "coverage, businesses, enrichments, verifications, costs, status history) as JSON\n"
     "lines, from one consistent snapshot too.",
     export_options,
     "leadstore export leads --campaign \"$CID\" --safe-only > leads.csv\n"
     "leadstore export leads --campaign \"$CID\" --format jsonl --columns name,email,phone\n"
     "leadstore export campaign \"$CID\" > campaign.jsonl",
     0},
    {"stress", cli_stress, "", "concurrent clients, a seeded mix of every operation, proved against a model",
     "Runs N clients at once (threads, one connection each) that issue a seeded mix of every\n"
     "operation: as service_role, as members of the campaign's organization and of another\n"
     "one; repeats with the same p_request_id; deliberate failures (bad parameters, unknown\n"
     "ids, invalid transitions). It makes its own campaigns, records every answer, and at\n"
     "the end proves the database against that model: every acknowledged cost in the\n"
     "totals to the micro-dollar, every acknowledged business exactly once with the email\n"
     "the priority rule gives, exactly the acknowledged enrichments, verifications, cost\n"
     "rows and status changes, counters equal to recounts, replays equal to the stored\n"
     "result, failures that wrote nothing; then check. Prints a report (operations, per\n"
     "operation, failures by code, throughput, violations); exit 1 on any violation.\n"
     "Over HTTP, members are possible with $LEADSTORE_JWT_SECRET (the server's secret)\n"
     "and no $LEADSTORE_API_KEY; with an API key every client is that key's caller.\n"
     "Run it on a database nobody else changes during the run (docs/reliability.md).",
     stress_options,
     "leadstore --create stress --db stress.db --clients 8 --ops 100000 --seed 1\n"
     "leadstore stress --db postgresql://user@db.example/scratch --clients 8 --ops 20000\n"
     "LEADSTORE_JWT_SECRET=… leadstore stress --db http://127.0.0.1:8080 --clients 8 --json",
     0},
    {"adopt", cli_adopt, "", "turn the upstream application's PostgreSQL database into leadstore's, in place",
     "Adopts a database of the upstream application (its gmaps_* tables, recognised by\n"
     "their tables and columns) in one transaction under the migration lock: the tables\n"
     "take leadstore's schema, rows that cannot fit move to leadstore_quarantine with the\n"
     "reason, the migrations are applied, the data repaired and checked. Prints every\n"
     "step with the rows it touched. A second adopt does nothing. docs/adopting.md.",
     adopt_options,
     "leadstore adopt --db postgresql://user@db.example/leads --dry-run\n"
     "leadstore adopt --db postgresql://user@db.example/leads",
     0},
    {"uninstall", cli_uninstall, "", "remove leadstore's functions from PostgreSQL; the data stay",
     "Drops leadstore's functions, their aliases and policies, and gives back the\n"
     "privileges adoption saved, so the legacy application can write the tables again.\n"
     "Every table, row and column stays. leadstore adopt installs the functions again.",
     json_option, "leadstore uninstall --db postgresql://user@db.example/leads", 0},
    {"help", NULL, "[COMMAND|OP]", "this list, one command's usage, or one operation's parameters", NULL, NULL,
     "leadstore help call\nleadstore help batch_upsert_businesses_tx", 0},
    {"docs", cli_docs, "[KIND]", "the operations reference in Markdown, or another generated document",
     "Prints docs/operations.md; with a KIND, another document generated from the\n"
     "tables: sql or rules (the migrations 0003_operations.sql and 0002_rules.sql,\n"
     "make docs), sql-install (every PostgreSQL migration in one file for psql -f,\n"
     "recorded as migrate records them), man1 or man7 (the manual pages leadstore(1)\n"
     "and leadstore-operations(7)), bash-completion.",
     NULL, "leadstore docs > docs/operations.md\nleadstore docs sql-install > leadstore.sql", 0},
    {"serve", cli_serve, "", "serve the operations over HTTP (PostgREST RPC; docs/http.md)",
     "Serves every operation as POST /rest/v1/rpc/OP, as Supabase's PostgREST does, with\n"
     "keys (leadstore keys), metrics, rollout switches, a dashboard at / (docs/dashboard.md)\n"
     "and a graceful stop on SIGTERM.\n"
     "It prints one line when it listens: leadstore: listening on http://HOST:PORT",
     serve_options, "leadstore serve --db leads.db --listen 127.0.0.1:8080\nleadstore serve --db leads.db --read-only",
     1},
    {"keys", cli_keys, "", "mint an API key (JWT) the server accepts",
     "Mints a Supabase-style HS256 JSON Web Token with the server's secret.", keys_options,
     "leadstore keys --db leads.db --role service_role --expires 30d\n"
     "leadstore keys --db leads.db --role authenticated --org \"$ORG\" --expires 12h",
     1},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

const cli_command *const cli_commands = commands; /* for gen_man.c */
const size_t cli_command_count = sizeof commands / sizeof commands[0];
const cli_option *const cli_global_options = global_options;

/* The command whose name is `word`, or NULL. */
static const cli_command *command_named(const char *word) {
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (!strcmp(commands[i].name, word)) return &commands[i];
  return NULL;
}

/* The option named `name` in a {NULL}-terminated list, or NULL. */
static const cli_option *option_in(const cli_option *list, const char *name, size_t len) {
  for (const cli_option *o = list; o && o->name; o++)
    if (strlen(o->name) == len && !strncmp(o->name, name, len)) return o;
  return NULL;
}

/* The option called by the first len bytes of a, among the global ones and every command's. */
static const cli_option *any_option(const char *a, size_t len) {
  const cli_option *o = option_in(global_options, a, len);
  for (size_t i = 0; !o && i < NCOMMANDS; i++) o = option_in(commands[i].options, a, len);
  return o;
}

/* Whether a is an option that takes a value. */
static bool is_valued(const char *a) {
  const cli_option *o = any_option(a, strlen(a));
  return o && o->arg;
}

/*--- Help -------------------------------------------------------------------------*/

/* Prints a text of '\n'-separated lines, each indented by `indent` (the first by `first`). */
static void lines(FILE *out, const char *text, int first, int indent) {
  for (int n = 0; text && *text; n++) {
    size_t len = strcspn(text, "\n");
    fprintf(out, "%*s%.*s\n", n ? indent : first, "", (int)len, text);
    text += len + (text[len] == '\n');
  }
}

/* An options list as aligned lines: "  --name ARG   doc". */
static void options_help(FILE *out, const cli_option *list) {
  int width = 0;
  for (const cli_option *o = list; o && o->name; o++) {
    int w = (int)strlen(o->name) + (o->arg ? 1 + (int)strlen(o->arg) : 0);
    if (w > width) width = w;
  }
  for (const cli_option *o = list; o && o->name; o++) {
    char head[96];
    snprintf(head, sizeof head, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    fprintf(out, "  %-*s", width + 2, head);
    lines(out, o->doc, 0, width + 4);
  }
}

/* `leadstore help`: the commands, the global options and the operations. */
static void usage(FILE *out) {
  fprintf(out,
          "leadstore %s — the system of record for lead-generation campaigns\n\n"
          "usage: leadstore [GLOBAL OPTIONS] COMMAND [ARGS] [OPTIONS]\n"
          "       leadstore help COMMAND   (a command's options and examples)\n"
          "       leadstore help OP        (an operation's parameters)\n\n"
          "commands:\n",
          leadstore_version());
  for (size_t i = 0; i < NCOMMANDS; i++) {
    char head[64];
    snprintf(head, sizeof head, "%s%s%s", commands[i].name, *commands[i].args ? " " : "", commands[i].args);
    fprintf(out, "  %-22s %s\n", head, commands[i].summary);
  }
  fprintf(out, "\nglobal options (before or after the command; --opt=VALUE works too):\n");
  options_help(out, global_options);
  fprintf(out, "\noperations (leadstore call OP JSON; leadstore help OP):\n");
  for (size_t i = 0; i < leadstore_op_count(); i++) fprintf(out, "  %s\n", leadstore_op_name(i));
}

/* `leadstore help COMMAND`: its usage line, description, options and examples. */
static void command_help(FILE *out, const cli_command *c) {
  fprintf(out, "usage: leadstore [GLOBAL OPTIONS] %s%s%s", c->name, *c->args ? " " : "", c->args);
  for (const cli_option *o = c->options; o && o->name; o++)
    fprintf(out, " [%s%s%s]", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
  fprintf(out, "\n\n  %s\n", c->summary);
  if (c->about) {
    fprintf(out, "\n");
    lines(out, c->about, 2, 2);
  }
  if (c->options) {
    fprintf(out, "\noptions (--opt=VALUE works too):\n");
    options_help(out, c->options);
  }
  fprintf(out, "\nglobal options: --db TARGET, --create, --org UUID, --role ROLE, --durability MODE (leadstore help)\n");
  if (c->examples) {
    fprintf(out, "\nexamples:\n");
    lines(out, c->examples, 2, 2);
  }
}

/* The command or operation a mistyped word probably meant, or NULL. */
static const char *suggestion(const char *word, bool operations) {
  ls__suggestion s = {.word = word};
  for (size_t i = 0; i < NCOMMANDS; i++) ls__suggest_offer(&s, commands[i].name);
  for (size_t i = 0; operations && i < leadstore_op_count(); i++) ls__suggest_offer(&s, leadstore_op_name(i));
  return s.best;
}

/* `leadstore help [COMMAND|OP]`. */
static int help(const cli_options *o, int argc, char **argv) {
  if (argc == 0) {
    usage(stdout);
    return 0;
  }
  if (argc > 1) {
    fprintf(stderr, "usage: leadstore help [COMMAND|OP]\n");
    return CLI_USAGE;
  }
  const cli_command *c = command_named(argv[0]);
  if (c) {
    command_help(stdout, c);
    return 0;
  }
  for (size_t i = 0; i < leadstore_op_count(); i++)
    if (!strcmp(leadstore_op_name(i), argv[0])) return cli_help(o, argc, argv);
  const char *like = suggestion(argv[0], true);
  if (like) fprintf(stderr, "leadstore: no command or operation is named %s (did you mean %s?)\n", argv[0], like);
  else fprintf(stderr, "leadstore: no command or operation is named %s (see leadstore help)\n", argv[0]);
  return CLI_USAGE;
}

/*--- The command line --------------------------------------------------------------*/

/* argv with every `--opt=VALUE` of an option that takes a value split into `--opt`
 * `VALUE` (into out, 2 * argc + 1 slots; the words point into argv or at the table). */
static int split_equals(int argc, char **argv, char **out) {
  int n = 0;
  for (int i = 0; i < argc; i++) {
    const char *eq = strchr(argv[i], '=');
    const cli_option *o = eq && !strncmp(argv[i], "--", 2) ? any_option(argv[i], (size_t)(eq - argv[i])) : NULL;
    if (o && o->arg) {
      out[n++] = (char *)o->name;
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

/* Applies a global option or one of command c's (at argv[*i], its value next); 0, or
 * CLI_USAGE after saying why.  *stop is set when the option answered (--version). */
static int option(cli_options *o, const cli_command *c, int argc, char **argv, int *i, bool *stop) {
  const char *a = argv[*i];
  const cli_option *known = option_in(global_options, a, strlen(a));
  /* serve's and keys' own options go after their name, where they read them */
  if (!known && c && !c->own_options) known = option_in(c->options, a, strlen(a));
  if (!known) {
    const cli_option *elsewhere = any_option(a, strlen(a));
    if (elsewhere && c && c->own_options)
      fprintf(stderr, "leadstore: %s goes after %s (leadstore %s %s …)\n", a, c->name, c->name, a);
    else if (elsewhere && c)
      fprintf(stderr, "leadstore: %s is not an option of %s (see leadstore help %s)\n", a, c->name, c->name);
    else fprintf(stderr, "leadstore: unknown option %s (see leadstore help)\n", a);
    return CLI_USAGE;
  }
  if (known->arg && *i + 1 >= argc) {
    fprintf(stderr, "leadstore: %s needs a value (%s %s)\n", a, a, known->arg);
    return CLI_USAGE;
  }
  const char *v = known->arg ? argv[++*i] : NULL;
  if (!strcmp(a, "--db")) o->db = v;
  else if (!strcmp(a, "--org")) o->org = v;
  else if (!strcmp(a, "--get")) o->get = v;
  else if (!strcmp(a, "--role")) o->role = v;
  else if (!strcmp(a, "--durability")) o->durability = v;
  else if (!strcmp(a, "--create")) o->create = 1;
  else if (!strcmp(a, "--pretty")) o->pretty = 1;
  else if (!strcmp(a, "--json")) o->json = 1;
  else if (!strcmp(a, "--help")) o->help = 1;
  else if (!strcmp(a, "--version")) {
    printf("leadstore %s\n", leadstore_version());
    *stop = true;
  } else if (o->ngiven < (int)(sizeof o->given / sizeof o->given[0])) {
    o->given[o->ngiven++] = (struct cli_given){known->name, v}; /* the command reads it */
  } else {
    fprintf(stderr, "leadstore: too many options\n");
    return CLI_USAGE;
  }
  return 0;
}

/* The command line after --opt=VALUE is split. */
static int run(int argc, char **argv) {
  cli_options o = {.db = getenv("LEADSTORE_DB")};
  if (!o.db || !*o.db) o.db = getenv("DATABASE_URL");
  if (!o.db || !*o.db) o.db = "leadstore.db";
  /* the command: the first word that is neither an option nor an option's value */
  int at = 0;
  for (int i = 1; i < argc && !at; i++) {
    if (!strcmp(argv[i], "-h")) argv[i] = "--help";
    else if (!strcmp(argv[i], "-V")) argv[i] = "--version";
    if (argv[i][0] != '-') at = i;
    else if (is_valued(argv[i])) i++;
  }
  const cli_command *c = at ? command_named(argv[at]) : NULL;
  if (at && !c) {
    bool op = false;
    for (size_t i = 0; i < leadstore_op_count(); i++) op = op || !strcmp(leadstore_op_name(i), argv[at]);
    const char *like = op ? NULL : suggestion(argv[at], false);
    if (!strcmp(argv[at], "version")) return printf("leadstore %s\n", leadstore_version()), 0;
    if (op) fprintf(stderr, "leadstore: %s is an operation: leadstore call %s JSON\n", argv[at], argv[at]);
    else if (like) fprintf(stderr, "leadstore: unknown command %s (did you mean %s?)\n", argv[at], like);
    else fprintf(stderr, "leadstore: unknown command %s (see leadstore help)\n", argv[at]);
    return CLI_USAGE;
  }
  char **words = calloc((size_t)argc + 1, sizeof *words);
  if (!words) return 70;
  int n = 0, rc = 0;
  bool stop = false;
  for (int i = 1; i < argc && !rc && !stop; i++) {
    if (c && c->own_options && i > at) {
      /* serve and keys read the words after their name themselves (the table lists them) */
      for (int k = i; k < argc; k++) o.help = o.help || !strcmp(argv[k], "--help");
      if (!o.help) rc = c->run(&o, argc - i, argv + i), stop = true;
      break;
    }
    if (i == at) continue;
    if (argv[i][0] == '-' && argv[i][1] == '-') rc = option(&o, c, argc, argv, &i, &stop);
    else words[n++] = argv[i];
  }
  if (!rc && !stop) {
    if (o.help || !c) {
      if (c) command_help(stdout, c);
      else usage(o.help ? stdout : stderr);
      rc = o.help ? 0 : CLI_USAGE;
    } else if (c->own_options) {
      rc = c->run(&o, 0, words);
    } else if (!(rc = cli_caller(o.role, o.org, &o.caller))) {
      rc = c->run ? c->run(&o, n, words) : help(&o, n, words);
    }
  }
  free(words);
  return rc;
}
