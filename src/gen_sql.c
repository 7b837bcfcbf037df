/*
 * gen_sql.c — the PostgreSQL migrations generated from the library's C
 * tables (`leadstore docs rules|sql`, run by `make docs`; tests/t_tables.c
 * checks the committed files are what this prints):
 *
 *   sql/postgres/0002_rules.sql       the rules of src/rules.c and the value
 *                                     lists of src/ops.c as SQL functions:
 *                                     ls_values, ls_status_transition_valid,
 *                                     ls_status_initial/started/terminal,
 *                                     ls_email_clean, ls_source_rank,
 *                                     ls_verified_status, ls_is_safe_default,
 *                                     ls_max_nesting,
 *                                     ls_error_code, ls_failure;
 *   sql/postgres/0003_operations.sql  the operations table (ls_operations),
 *                                     the public function of every operation
 *                                     (older signatures of the same name are
 *                                     dropped first, with their grants),
 *                                     ls_dispatch, the operation → body chain,
 *                                     and ls_leads_known_keys.
 *
 * Both are repeatable migrations: `leadstore migrate` applies one again, in
 * one transaction, whenever its text changes.
 *
 * Also `leadstore docs sql-install` (also written to build/leadstore.sql by
 * `make`): every migration embedded in the binary in one SQL file for
 * `psql -f` or an SQL editor, which installs and records them in
 * leadstore_migrations exactly as migrate does (same names, checksums, table,
 * advisory lock, the same refusal of a changed schema migration), so either
 * may run after the other.
 *
 * Part of the command, not of the library: it reads the library's internal
 * tables.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "internal.h"

/*--- Helpers ----------------------------------------------------------------*/

/* A list of SQL string literals: 'a', 'b', 'c' (the values are plain words). */
static void literals(FILE *out, const char *const *values) {
  for (size_t i = 0; values[i]; i++) fprintf(out, "%s'%s'", i ? ", " : "", values[i]);
}

/* The bytes of ls__email_space as octal escapes of an E'' string. */
static void email_space(FILE *out) {
  for (const char *c = ls__email_space; *c; c++) fprintf(out, "\\%03o", (unsigned char)*c);
}

/*--- 0002_rules.sql ------------------------------------------------------------*/

static void rules_values(FILE *out) {
  fprintf(out, "\n-- Every value list of the operations table by name; NULL for an unknown name.\n"
               "CREATE OR REPLACE FUNCTION ls_values(p_name text) RETURNS text[]\n"
               "LANGUAGE sql IMMUTABLE PARALLEL SAFE\nAS $$\n  SELECT CASE p_name");
  for (const ls__value_set *v = ls__value_sets; v->name; v++) {
    fprintf(out, "\n    WHEN '%s' THEN ARRAY[", v->name);
    literals(out, v->values);
    fprintf(out, "]");
  }
  fprintf(out, "\n  END\n$$;\n");
}

static void rules_status(FILE *out) {
  fprintf(out, "\n-- The state machine of SPEC §4; false for anything else, NULLs included.\n"
               "CREATE OR REPLACE FUNCTION ls_status_transition_valid(p_current text, p_new text) RETURNS boolean\n"
               "LANGUAGE sql IMMUTABLE PARALLEL SAFE\nAS $$\n  SELECT coalesce((p_current, p_new) IN (");
  for (const ls__transition *t = ls__status_transitions; t->from; t++)
    fprintf(out, "%s('%s', '%s')", t == ls__status_transitions ? "" : ", ", t->from, t->to);
  fprintf(out, "), false)\n$$;\n");
}

/* The roles of statuses in the state machine. */
static void rules_status_roles(FILE *out) {
  fprintf(out, "\n-- A campaign starts in this status.\n"
               "CREATE OR REPLACE FUNCTION ls_status_initial() RETURNS text\n"
               "LANGUAGE sql IMMUTABLE PARALLEL SAFE\nAS $$ SELECT '%s'::text $$;\n",
          ls__status_initial);
  fprintf(out, "\n-- Entering this status sets started_at (the first time).\n"
               "CREATE OR REPLACE FUNCTION ls_status_started(p_status text) RETURNS boolean\n"
               "LANGUAGE sql IMMUTABLE PARALLEL SAFE\nAS $$ SELECT coalesce(p_status = '%s', false) $$;\n",
          ls__status_started);
  fprintf(out, "\n-- Entering one of these statuses sets completed_at.\n"
               "CREATE OR REPLACE FUNCTION ls_status_terminal(p_status text) RETURNS boolean\n"
               "LANGUAGE sql IMMUTABLE PARALLEL SAFE\nAS $$ SELECT coalesce(p_status IN (");
  literals(out, ls__status_terminal);
  fprintf(out, "), false) $$;\n");
}

static void rules_email(FILE *out) {
  fprintf(out, "\n-- The email rule of SPEC §5: the trimmed address when it has 3 to %d bytes\n"
               "-- (RFC 5321's limit of a path), exactly one '@' with text on both sides and\n"
               "-- no white space (the bytes of C's isspace); else NULL.\n"
               "CREATE OR REPLACE FUNCTION ls_email_clean(p_email text) RETURNS text\n"
               "LANGUAGE sql IMMUTABLE PARALLEL SAFE\nAS $$\n"
               "  SELECT CASE WHEN octet_length(e) BETWEEN 3 AND %d AND e ~ E'^[^@",
          LS_EMAIL_MAX, LS_EMAIL_MAX);
  email_space(out);
  fprintf(out, "]+@[^@");
  email_space(out);
  fprintf(out, "]+$' THEN e END\n    FROM (SELECT btrim(p_email, E'");
  email_space(out);
  fprintf(out, "') AS e) t\n$$;\n");
}

static void rules_rank(FILE *out) {
  size_t n = 0;
  while (ls__email_sources[n]) n++;
  fprintf(out, "\n-- The priority of an email source, highest first: ");
  for (size_t i = 0; i < n; i++) fprintf(out, "%s%s %zu", i ? " > " : "", ls__email_sources[i], n - 1 - i);
  fprintf(out, "; 0 for anything else.\n"
               "CREATE OR REPLACE FUNCTION ls_source_rank(p_source text) RETURNS integer\n"
               "LANGUAGE sql IMMUTABLE PARALLEL SAFE\nAS $$\n  SELECT CASE p_source");
  for (size_t i = 0; i < n; i++) fprintf(out, " WHEN '%s' THEN %zu", ls__email_sources[i], n - 1 - i);
  fprintf(out, " ELSE 0 END\n$$;\n");
}

static void rules_verified(FILE *out) {
  fprintf(out, "\n-- The verifier status with which a verified email counts in total_verified_emails.\n"
               "CREATE OR REPLACE FUNCTION ls_verified_status() RETURNS text\n"
               "LANGUAGE sql IMMUTABLE PARALLEL SAFE\nAS $$ SELECT '%s'::text $$;\n",
          ls__verified_status);
}

static void rules_nesting(FILE *out) {
  fprintf(out, "\n-- The deepest the parameters may nest (the parameters object is level 1; LS_MAX_NESTING).\n"
               "CREATE OR REPLACE FUNCTION ls_max_nesting() RETURNS integer\n"
               "LANGUAGE sql IMMUTABLE PARALLEL SAFE\nAS $$ SELECT %d $$;\n",
          LS_MAX_NESTING);
}

static void rules_safe(FILE *out) {
  fprintf(out, "\n-- is_safe when the verifier did not say (SPEC §7.8): %s and score ≥ %d.\n"
               "CREATE OR REPLACE FUNCTION ls_is_safe_default(p_status text, p_score jsonb) RETURNS boolean\n"
               "LANGUAGE sql IMMUTABLE PARALLEL SAFE\nAS $$\n"
               "  SELECT coalesce(p_status = '%s' AND jsonb_typeof(p_score) = 'number' AND p_score::numeric >= %d, "
               "false)\n$$;\n",
          ls__safe_status, LS_SAFE_MIN_SCORE, ls__safe_status, LS_SAFE_MIN_SCORE);
}

/* "Did you mean": how far a suggestion may be from a mistyped word (suggest.c). */
static void rules_suggest(FILE *out) {
  fprintf(out, "\n-- \"Did you mean\": the most edits a word of p_len characters may be from the\n"
               "-- name suggested for it (0: no suggestion), as suggest.c counts them.\n"
               "CREATE OR REPLACE FUNCTION ls_suggest_max_distance(p_len integer) RETURNS integer\n"
               "LANGUAGE sql IMMUTABLE PARALLEL SAFE\nAS $$\n"
               "  SELECT CASE WHEN p_len < 1 OR p_len > %d THEN 0 ELSE 1", LS_SUGGEST_MAX_WORD);
  for (size_t i = 0; ls__suggest_steps[i]; i++) fprintf(out, " + (p_len >= %zu)::integer", ls__suggest_steps[i]);
  fprintf(out, " END\n$$;\n");
}

/* The error map of leadstore.h: which SQLSTATE a failure reports, and whether a retry helps. */
static void rules_errors(FILE *out) {
  fprintf(out, "\n-- The error_code of a failure (the error map of leadstore.h): a code of the map\n"
               "-- is itself, a connection failure (class 08) too; a constraint maps as the\n"
               "-- embedded engine maps it (a check or not-null is 22023, a foreign key P0002);\n"
               "-- anything else is XX000.\n"
               "CREATE OR REPLACE FUNCTION ls_error_code(p_state text) RETURNS text\n"
               "LANGUAGE sql IMMUTABLE PARALLEL SAFE\nAS $$\n"
               "  SELECT CASE WHEN p_state IN (");
  for (int s = 1; s < LEADSTORE__STATUS_COUNT; s++)
    fprintf(out, "%s'%s'", s > 1 ? ", " : "", leadstore_status_sqlstate(s));
  fprintf(out, ") OR p_state LIKE '08%%' THEN p_state");
  for (const ls__state_alias *a = ls__state_aliases; a->sqlstate; a++)
    fprintf(out, "\n              WHEN p_state = '%s' THEN '%s'", a->sqlstate, leadstore_status_sqlstate(a->status));
  fprintf(out, "\n              ELSE '%s' END\n$$;\n", leadstore_status_sqlstate(LEADSTORE_EINTERNAL));

  fprintf(out, "\n-- The failure object of SPEC §3.1; retry_recommended as the error map says.\n"
               "CREATE OR REPLACE FUNCTION ls_failure(p_state text, p_message text) RETURNS jsonb\n"
               "LANGUAGE sql IMMUTABLE\nAS $$\n"
               "  SELECT jsonb_build_object('success', false, 'error', p_message, 'error_code', code,\n"
               "                            'retry_recommended', code IN (");
  int first = 1;
  for (int s = 1; s < LEADSTORE__STATUS_COUNT; s++)
    if (leadstore_status_retry(s) && s != LEADSTORE_ECONNECTION) {
      fprintf(out, "%s'%s'", first ? "" : ", ", leadstore_status_sqlstate(s));
      first = 0;
    }
  fprintf(out, ")%s)\n    FROM (SELECT ls_error_code(p_state) AS code) c\n$$;\n",
          leadstore_status_retry(LEADSTORE_ECONNECTION) ? " OR code LIKE '08%'" : "");
}

static int docs_rules(void) {
  printf("-- leadstore:repeatable\n"
         "-- 0002_rules.sql — the rules that are data, as SQL functions: the value lists of the\n"
         "-- operations table, the campaign state machine, the email rule, the source ranks,\n"
         "-- the is_safe default, the reach of \"did you mean\" and the error map. The embedded engine reads the same C tables.\n"
         "-- Generated by `leadstore docs rules` (make docs) from src/rules.c, src/ops.c and\n"
         "-- include/leadstore.h. Do not edit.\n");
  rules_values(stdout);
  rules_status(stdout);
  rules_status_roles(stdout);
  rules_email(stdout);
  rules_rank(stdout);
  rules_verified(stdout);
  rules_safe(stdout);
  rules_suggest(stdout);
  rules_nesting(stdout);
  rules_errors(stdout);
  return 0;
}

/*--- 0003_operations.sql ----------------------------------------------------------*/

/*
 * The SQL type of a parameter of the public functions: text for ids, text,
 * ZIPs, enum values and timestamps, integer for integers, jsonb for objects,
 * lists and JSON.  is_valid_status_transition takes jsonb: its plain boolean
 * twin (text, text) of the same name, which the contract also requires,
 * holds the (text, text) signature.
 */
static const char *sql_type(const ls__op *op, ls__type type) {
  if (op->id == LS_OP_is_valid_status_transition) return "jsonb";
  switch (type) {
  case LS_T_INT: return "integer";
  case LS_T_UUID: case LS_T_TEXT: case LS_T_LABEL: case LS_T_ZIP: case LS_T_ENUM: case LS_T_TIMESTAMP: return "text";
  default: return "jsonb";
  }
}

/* Public functions written by hand beside the generated ones (name, identity arguments). */
static const struct { const char *name, *args; } handwritten[] = {
    {"is_valid_status_transition", "text, text"}, /* the boolean twin, 0004_campaigns.sql */
};

/* The identity arguments of an operation's public function, as pg_get_function_identity_arguments spells them. */
static void identity_args(FILE *out, const ls__op *op) {
  for (const ls__field *f = op->params; f->name; f++)
    fprintf(out, "%s%s %s", f == op->params ? "" : ", ", f->name, sql_type(op, f->type));
}

/* Drops every public function of an operation's name whose signature is not
 * the one generated below (an older release's), with its grants, before the
 * new ones are created: otherwise the old one stays beside the new one and
 * every call is ambiguous (`function … is not unique`). */
static void drop_old_signatures(FILE *out) {
  fprintf(out, "\n-- A changed parameter list leaves the old function beside the new one, and every\n"
               "-- call is then ambiguous: drop every other signature of these names (and with it\n"
               "-- its grants) in this transaction, before the functions are created.\n"
               "DO $$\nDECLARE\n  f regprocedure;\nBEGIN\n"
               "  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace\n"
               "            WHERE n.nspname = 'public'\n"
               "              AND (p.proname, pg_get_function_identity_arguments(p.oid)) IN (SELECT * FROM (VALUES");
  for (size_t i = 0; i < LS_OP__COUNT; i++) {
    fprintf(out, "%s\n                ('%s', '", i ? "," : "", ls__ops[i].name);
    identity_args(out, &ls__ops[i]);
    fprintf(out, "')");
  }
  for (size_t i = 0; i < sizeof handwritten / sizeof handwritten[0]; i++)
    fprintf(out, ",\n                ('%s', '%s')", handwritten[i].name, handwritten[i].args);
  fprintf(out, ") AS keep (name, args)) IS NOT TRUE\n              AND p.proname IN (");
  for (size_t i = 0; i < LS_OP__COUNT; i++) fprintf(out, "%s'%s'", i ? ", " : "", ls__ops[i].name);
  fprintf(out, ")\n  LOOP\n    EXECUTE format('DROP FUNCTION %%s', f);\n  END LOOP;\nEND\n$$;\n");
}

/* The public function of one operation: the contract's name and parameters, handed to ls_run. */
static void public_function(FILE *out, const ls__op *op) {
  fprintf(out, "\nCREATE OR REPLACE FUNCTION public.%s(", op->name);
  for (const ls__field *f = op->params; f->name; f++)
    fprintf(out, "%s\n  %s %s DEFAULT NULL", f == op->params ? "" : ",", f->name, sql_type(op, f->type));
  fprintf(out, ")\nRETURNS jsonb\nLANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp\n"
               "AS $$\nBEGIN\n  RETURN ls_run('%s', jsonb_build_object(", op->name);
  for (const ls__field *f = op->params; f->name; f++)
    fprintf(out, "%s'%s', %s", f == op->params ? "" : ", ", f->name, f->name);
  fprintf(out, "));\nEND\n$$;\n");
}

/* ls_dispatch: the body ls_op_<name> of each operation; an unknown name raises 42883. */
static void dispatch_function(FILE *out) {
  fprintf(out, "\n-- The body of each operation (0004, 0005), called by ls_run (0002) once the call\n"
               "-- is validated. One branch per operation: each is planned on its first use only.\n"
               "CREATE OR REPLACE FUNCTION ls_dispatch(p_op text, p_params jsonb, p_org uuid) RETURNS jsonb\n"
               "LANGUAGE plpgsql\nAS $$\nBEGIN\n");
  for (size_t i = 0; i < LS_OP__COUNT; i++)
    fprintf(out, "  %s p_op = '%s' THEN\n    RETURN ls_op_%s(p_params, p_org);\n", i ? "ELSIF" : "IF", ls__ops[i].name,
            ls__ops[i].name);
  fprintf(out, "  ELSE\n    RAISE EXCEPTION 'unknown operation %%', p_op USING ERRCODE = '%s';\n  END IF;\nEND\n$$;\n",
          leadstore_status_sqlstate(LEADSTORE_ENOOP));
}

/* ls_leads_known_keys: the keys (names and aliases) of each object parameter's fields, as
 * literals — what is not among them is an unknown key (raw_data).  Generated here from the
 * same table as ls_operations, so the lead operations (0005) read no table for them. */
static void known_keys_function(FILE *out) {
  fprintf(out, "\n-- The keys an operation's data parameter lists (names and aliases): what is not among\n"
               "-- them is an unknown key (0005: raw_data).  Literals of the operations table above.\n"
               "CREATE OR REPLACE FUNCTION ls_leads_known_keys(p_op text, p_param text) RETURNS text[]\n"
               "LANGUAGE sql IMMUTABLE PARALLEL SAFE\nAS $$\n  SELECT CASE p_op || '.' || p_param");
  for (size_t i = 0; i < LS_OP__COUNT; i++)
    for (const ls__field *p = ls__ops[i].params; p->name; p++) {
      if (!p->fields) continue;
      fprintf(out, "\n    WHEN '%s.%s' THEN ARRAY[", ls__ops[i].name, p->name);
      for (const ls__field *f = p->fields; f->name; f++) {
        fprintf(out, "%s'%s'", f == p->fields ? "" : ", ", f->name);
        if (f->alias) fprintf(out, ", '%s'", f->alias);
      }
      fprintf(out, "]::text[]");
    }
  fprintf(out, "\n    ELSE '{}'::text[] END\n$$;\n");
}

static int docs_operations(void) {
  char *text = NULL;
  if (leadstore_describe(NULL, &text)) return 70;
  printf("-- leadstore:repeatable\n"
         "-- 0003_operations.sql — the operations table of the C library, from which the stored\n"
         "-- functions validate their parameters exactly as the library does (ls_check_object),\n"
         "-- and one public function per operation: the contract's name and parameters, each\n"
         "-- handed to the dispatcher ls_run (0002), which runs the operation's body (0004, 0005)\n"
         "-- through ls_dispatch.\n"
         "-- Generated by `leadstore docs sql` (make docs) from src/ops.def and src/ops.c. Do not edit.\n\n"
         "CREATE TABLE IF NOT EXISTS ls_operations (name text PRIMARY KEY, spec jsonb NOT NULL);\n"
         "ALTER TABLE ls_operations ENABLE ROW LEVEL SECURITY;\n"
         "DELETE FROM ls_operations;\n"
         "INSERT INTO ls_operations (name, spec)\n"
         "SELECT op ->> 'name', op FROM jsonb_array_elements($operations$\n%s\n$operations$::jsonb) AS op;\n",
         text);
  leadstore_free(text);
  drop_old_signatures(stdout);
  for (size_t i = 0; i < LS_OP__COUNT; i++) public_function(stdout, &ls__ops[i]);
  dispatch_function(stdout);
  known_keys_function(stdout);
  printf("\n-- The grants of 0006 for the functions created here, in this transaction (on a new\n"
         "-- database 0006 comes later and applies them itself).\n"
         "DO $$\nBEGIN\n  IF to_regproc('ls_apply_grants') IS NOT NULL THEN\n    PERFORM ls_apply_grants();\n"
         "  END IF;\nEND\n$$;\n");
  return 0;
}

/*--- The install bundle ------------------------------------------------------------*/

/* The dollar-quote tags of the bundle; no migration may contain them. */
#define TAG_APPLY "$leadstore_apply$"
#define TAG_SQL "$leadstore_sql$"

/*
 * pg_temp.leadstore_apply: migrate's loop body in SQL, for one migration —
 * nothing when it is recorded with this checksum; refused when a schema
 * (non-repeatable) migration changed after it was applied; else its text run
 * and recorded, in the statement's transaction.  It also refuses to run when
 * the migration before it is not recorded as this bundle's (an earlier
 * statement failed and the script went on).  A temporary function: it goes
 * with the session and never lands in `public`.
 */
static void bundle_apply_function(FILE *out) {
  fprintf(out,
          "CREATE OR REPLACE FUNCTION pg_temp.leadstore_apply(p_name text, p_checksum text, p_repeatable boolean,\n"
          "                                                   p_after text, p_after_checksum text, p_sql text)\n"
          "RETURNS text LANGUAGE plpgsql AS " TAG_APPLY "\n"
          "DECLARE\n  had text;\nBEGIN\n"
          "  IF p_after IS NOT NULL AND NOT EXISTS (SELECT 1 FROM leadstore_migrations\n"
          "                                          WHERE name = p_after AND checksum = p_after_checksum) THEN\n"
          "    RAISE EXCEPTION 'leadstore: %% is not installed (an earlier statement failed), so %% is not applied',\n"
          "      p_after, p_name;\n"
          "  END IF;\n"
          "  SELECT checksum INTO had FROM leadstore_migrations WHERE name = p_name;\n"
          "  IF had = p_checksum THEN\n    RETURN 'unchanged';\n  END IF;\n"
          "  IF had IS NOT NULL AND NOT p_repeatable THEN\n"
          "    RAISE EXCEPTION 'migration %% changed after it was applied', p_name USING ERRCODE = '%s';\n"
          "  END IF;\n"
          "  EXECUTE p_sql;\n"
          "  INSERT INTO leadstore_migrations (name, checksum) VALUES (p_name, p_checksum)\n"
          "    ON CONFLICT (name) DO UPDATE SET checksum = p_checksum, applied_at = now();\n"
          "  PERFORM set_config('leadstore.install_applied', 'yes', false);\n"
          "  RETURN 'applied';\nEND\n" TAG_APPLY ";\n",
          leadstore_status_sqlstate(LEADSTORE_EINVAL));
}

/* The bundle: migrate's lock and table, the helper, one call per embedded
 * migration (each knowing the one before it), the grants, the unlock.  Fails
 * (70) when a migration holds one of the bundle's dollar-quote tags. */
static int docs_sql_install(void) {
  for (size_t i = 0; i < ls__pg_migration_count(); i++) {
    const char *sql;
    const char *name = ls__pg_migration(i, &sql, NULL, NULL);
    if (strstr(sql, TAG_APPLY) || strstr(sql, TAG_SQL)) {
      fprintf(stderr, "leadstore: migration %s contains a tag of the bundle (%s, %s)\n", name, TAG_APPLY, TAG_SQL);
      return 70;
    }
  }
  printf("-- leadstore %s — every PostgreSQL migration of leadstore in one file, for psql or an SQL\n"
         "-- editor (Supabase's included), as the database owner:\n"
         "--\n"
         "--   psql \"$DATABASE_URL\" -v ON_ERROR_STOP=1 -f leadstore.sql\n"
         "--\n"
         "-- It does what `leadstore migrate` does, and records it the same way in leadstore_migrations\n"
         "-- (same names, same checksums), under the same advisory lock: each migration not yet\n"
         "-- recorded with its checksum is applied in its own transaction and recorded; a changed\n"
         "-- repeatable migration (functions, reference data) is applied again; a changed schema\n"
         "-- migration is refused. So it is safe to run twice, and `leadstore migrate` after it (or\n"
         "-- this after `leadstore migrate`) finds nothing to do. It leaves nothing behind but what\n"
         "-- migrate leaves: its helper is a temporary function.\n"
         "-- Generated by `leadstore docs sql-install` from the migrations built into the binary\n"
         "-- (sql/postgres/, comment lines dropped). Do not edit.\n\n"
         "SET client_encoding = 'UTF8';\n"
         "SET client_min_messages = warning;\n"
         "SET statement_timeout = 0;\n"
         "SELECT pg_advisory_lock(" LS__PG_MIGRATE_LOCK ") AS \"leadstore: one migrator at a time\";\n"
         LS__PG_MIGRATIONS_TABLE ";\n"
         "SELECT set_config('leadstore.install_applied', '', false) AS \"leadstore: installing\";\n\n",
         leadstore_version());
  bundle_apply_function(stdout);
  const char *prev = NULL;
  char prev_sum[65] = "";
  for (size_t i = 0; i < ls__pg_migration_count(); i++) {
    const char *sql;
    bool repeatable;
    char sum[65];
    const char *name = ls__pg_migration(i, &sql, &repeatable, sum);
    printf("\n-- %s%s\nSELECT pg_temp.leadstore_apply('%s', '%s', %s, ", name, repeatable ? " (repeatable)" : "", name,
           sum, repeatable ? "true" : "false");
    if (prev) printf("'%s', '%s',\n", prev, prev_sum);
    else printf("NULL, NULL,\n");
    /* the text exactly as embedded: its checksum is the one recorded */
    printf(TAG_SQL "%s" TAG_SQL ") AS \"%s\";\n", sql, name);
    prev = name;
    memcpy(prev_sum, sum, sizeof sum);
  }
  printf("\n-- the grants, when anything was applied (as migrate does)\n"
         "DO " TAG_APPLY "\nBEGIN\n"
         "  IF current_setting('leadstore.install_applied', true) = 'yes' THEN\n"
         "    PERFORM ls_apply_grants();\n  END IF;\nEND\n" TAG_APPLY ";\n"
         "SELECT set_config('leadstore.install_applied', '', false) AS \"leadstore: installed\";\n"
         "SELECT pg_advisory_unlock(" LS__PG_MIGRATE_LOCK ") AS \"leadstore: unlocked\";\n"
         "RESET statement_timeout;\nRESET client_min_messages;\n");
  return 0;
}

int cli_docs_sql(const char *which) {
  if (!strcmp(which, "rules")) return docs_rules();
  if (!strcmp(which, "sql")) return docs_operations();
  if (!strcmp(which, "sql-install")) return docs_sql_install();
  return cli_docs_man(which); /* gen_man.c: man1, man7, bash-completion */
}
