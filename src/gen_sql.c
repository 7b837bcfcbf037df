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
 *                                     dropped first, with their grants), the
 *                                     validation of each (ls_validate_<op>,
 *                                     ls_validate, ls_operation_kind),
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "internal.h"

/*--- Helpers ----------------------------------------------------------------*/

/* The SQL string literal of s: its quotes doubled, each '$' and '\\' spelled chr(…) (so
 * that no text of the tables can end a $$ body or depend on standard_conforming_strings),
 * then in parentheses. */
static void quote(ls__sb *sb, const char *s) {
  bool spelled = strpbrk(s, "$\\") != NULL;
  ls__sb_printf(sb, "%s'", spelled ? "(" : "");
  for (; *s; s++) {
    if (*s == '\'') ls__sb_printf(sb, "''");
    else if (*s == '$' || *s == '\\') ls__sb_printf(sb, "' || chr(%d) || '", *s);
    else ls__sb_append(sb, s, 1);
  }
  ls__sb_printf(sb, "'%s", spelled ? ")" : "");
}

/* quote() to a file. */
static void quote_file(FILE *out, const char *s) {
  ls__sb sb = LS__SB_INIT;
  quote(&sb, s);
  fputs(ls__sb_text(&sb), out);
  ls__sb_free(&sb);
}

/* A list of SQL string literals: 'a', 'b', 'c'. */
static void literals(FILE *out, const char *const *values) {
  for (size_t i = 0; values[i]; i++) {
    if (i) fputs(", ", out);
    quote_file(out, values[i]);
  }
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
        if (f != p->fields) fputs(", ", out);
        quote_file(out, f->name);
        if (f->alias) fputs(", ", out), quote_file(out, f->alias);
      }
      fprintf(out, "]::text[]");
    }
  fprintf(out, "\n    ELSE '{}'::text[] END\n$$;\n");
}

/*--- 0003: validation generated per operation ---------------------------------------*/

/*
 * ls_validate_<operation>(p jsonb): validate.c's checks for one operation, as
 * straight-line plpgsql with the table's names, limits and values as literals — the
 * same checks in the same order, so a call with several faults is refused for the
 * same one, with the same message, as before:
 *   1. the first top-level key (in jsonb's order) that names no parameter, with the
 *      "did you mean" of ls_suggest;
 *   2. each parameter in the table's order: required, type, limits; an object's fields
 *      in their order; a list of objects element by element, each element's fields in
 *      order.
 * For speed, each run of fields that holds no list of objects (a flat run) is first
 * checked by one boolean expression (the fast check: true only when none of the run's
 * checks fails); only when it is false do the checks field by field run, which raise
 * the first failure with its message.  A timestamp's calendar check (a cast, which
 * may raise) is not part of the fast check: it follows it, field by field in order.
 */

/* A generated function's body, and which of its variables it uses (declared exactly:
 * plpgsql_check reports an unused one).  v is the value at hand, k an alias's key (or
 * the unknown key), y a timestamp's year, o<d> the object at nesting depth d (p at 0),
 * a<d> the list of objects whose elements are o<d>. */
typedef struct vgen {
  ls__sb sb;
  bool v, k, y;
  unsigned objects, lists; /* bit d: o<d>, a<d> */
} vgen;

/* Where a value is, for messages: the SQL text expression `expr` (or nothing)
 * followed by the text `lit`, e.g. 'p_businesses[' || i1 || ']' then "].place_id". */
typedef struct vpath {
  const char *expr, *lit;
} vpath;

#define RX_UUID "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
/* src/uuid.c's ls__timestamp_parse: years 0001-9999 (also in UTC, checked after the
 * cast), hours 00-23, minutes 00-59, seconds 00-60, zones up to +-15:59 */
#define RX_TIMESTAMP                                                                                        \
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:([0-5][0-9]|60)(\\.[0-9]+)?)?([Zz]|[+-]" \
  "(0[0-9]|1[0-5])(:?[0-5][0-9])?)?)?$"
#define RX_ZIP "^[0-9A-Za-z -]{1,10}$"
#define WHITE_SPACE "E' \\t\\n\\r\\f\\013'" /* C's isspace */

static void put(vgen *g, int ind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(vgen *g, int ind, const char *fmt, ...) {
  va_list ap;
  ls__sb_printf(&g->sb, "%*s", ind, "");
  va_start(ap, fmt);
  ls__sb_vprintf(&g->sb, fmt, ap);
  va_end(ap);
}

/* A number of the table as its JSON spells it (jansson, 15 digits: 0.0, -90.0): the
 * messages print the bounds so, as an SQL numeric literal. */
static void number(ls__sb *sb, double x) {
  json_t *j = json_real(x);
  char *s = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) : NULL;
  ls__sb_printf(sb, "%s", s ? s : "NaN");
  free(s);
  json_decref(j);
}

/* The path `at` followed by `suffix`, as an SQL text expression. */
static void path_sql(ls__sb *sb, const vpath *at, const char *suffix) {
  ls__sb text = LS__SB_INIT;
  ls__sb_printf(&text, "%s%s", at->lit, suffix);
  if (*at->expr) ls__sb_printf(sb, "%s%s", at->expr, text.len ? " || " : "");
  if (text.len || !*at->expr) quote(sb, ls__sb_text(&text));
  ls__sb_free(&text);
}

/* RAISE a refusal: status's SQLSTATE, the message the SQL text expression `msg`. */
static void raise_sql(vgen *g, int ind, int status, const char *msg) {
  put(g, ind, "RAISE EXCEPTION USING ERRCODE = '%s', MESSAGE = %s;\n", leadstore_status_sqlstate(status), msg);
}

/* RAISE a refusal whose message is the path followed by `suffix`. */
static void raise_at(vgen *g, int ind, const vpath *at, const char *suffix) {
  ls__sb msg = LS__SB_INIT;
  path_sql(&msg, at, suffix);
  raise_sql(g, ind, LEADSTORE_EINVAL, ls__sb_text(&msg));
  ls__sb_free(&msg);
}

/* Whether a field holds no list of objects (its checks fit one expression). */
static bool flat(const ls__field *f) {
  if (f->type == LS_T_OBJECT_LIST) return false;
  if (f->type == LS_T_OBJECT)
    for (const ls__field *n = f->fields; n->name; n++)
      if (!flat(n)) return false;
  return true;
}

static bool has_timestamp(const ls__field *f) {
  if (f->type == LS_T_TIMESTAMP) return true;
  if (f->type == LS_T_OBJECT)
    for (const ls__field *n = f->fields; n->name; n++)
      if (has_timestamp(n)) return true;
  return false;
}

/* Whether a field has nothing to check (optional, any JSON). */
static bool unchecked(const ls__field *f) { return f->type == LS_T_JSON && !(f->flags & LS_F_REQUIRED); }

/* The SQL expression of a field's value in the object `obj`: the alias's when the name's
 * is absent or null and the alias is there (validate.c's check_object). */
static void value_sql(ls__sb *sb, const ls__field *f, const char *obj) {
  if (!f->alias) {
    ls__sb_printf(sb, "(%s -> ", obj);
    quote(sb, f->name);
    ls__sb_printf(sb, ")");
    return;
  }
  ls__sb_printf(sb, "(CASE WHEN coalesce(%s -> ", obj);
  quote(sb, f->name);
  ls__sb_printf(sb, ", 'null') = 'null' AND %s ? ", obj);
  quote(sb, f->alias);
  ls__sb_printf(sb, " THEN %s -> ", obj);
  quote(sb, f->alias);
  ls__sb_printf(sb, " ELSE %s -> ", obj);
  quote(sb, f->name);
  ls__sb_printf(sb, " END)");
}

static void fast_field(ls__sb *e, int ind, const ls__field *f, const char *obj);

/* The fast check of a present, non-null value `val` (an SQL expression): true when
 * no check of the field fails (the timestamp's cast aside), never NULL.  A CASE on the
 * JSON type guards each cast that would raise on another type. */
static void fast_value(ls__sb *e, int ind, const ls__field *f, const char *val) {
  switch (f->type) {
  case LS_T_UUID:
    ls__sb_printf(e, "CASE jsonb_typeof(%s) WHEN 'string' THEN %s #>> '{}' ~* '" RX_UUID "' ELSE false END", val, val);
    return;
  case LS_T_TEXT: case LS_T_LABEL:
    ls__sb_printf(e, "CASE jsonb_typeof(%s) ", val);
    if (f->type == LS_T_LABEL) ls__sb_printf(e, "WHEN 'number' THEN %s::text ~ '^-?[0-9]+$' ", val);
    ls__sb_printf(e, "WHEN 'string' THEN true");
    if (f->max > 0)
      ls__sb_printf(e, " AND char_length(%s #>> '{}') BETWEEN %lld AND %lld", val, (long long)f->min, (long long)f->max);
    else if (f->min > 0)
      ls__sb_printf(e, " AND char_length(%s #>> '{}') >= %lld", val, (long long)f->min);
    if (f->flags & LS_F_NONBLANK) ls__sb_printf(e, " AND btrim(%s #>> '{}', " WHITE_SPACE ") <> ''", val);
    ls__sb_printf(e, " ELSE false END");
    return;
  case LS_T_ZIP:
    ls__sb_printf(e, "CASE jsonb_typeof(%s) WHEN 'string' THEN %s #>> '{}' ~ '" RX_ZIP "' ELSE false END", val, val);
    return;
  case LS_T_ENUM:
    ls__sb_printf(e, "CASE jsonb_typeof(%s) WHEN 'string' THEN %s #>> '{}' IN (", val, val);
    for (size_t i = 0; f->values[i]; i++) {
      if (i) ls__sb_printf(e, ", ");
      quote(e, f->values[i]);
    }
    ls__sb_printf(e, ") ELSE false END");
    return;
  case LS_T_INT: case LS_T_NUMBER:
    ls__sb_printf(e, "CASE jsonb_typeof(%s) WHEN 'number' THEN ", val);
    if (f->type == LS_T_INT) ls__sb_printf(e, "%s::numeric = trunc(%s::numeric) AND ", val, val);
    ls__sb_printf(e, "%s::numeric ", val);
    if (f->max > f->min) {
      ls__sb_printf(e, "BETWEEN ");
      number(e, f->min);
      ls__sb_printf(e, " AND ");
      number(e, f->max);
    } else {
      ls__sb_printf(e, ">= ");
      number(e, f->min);
    }
    ls__sb_printf(e, " ELSE false END");
    return;
  case LS_T_MONEY:
    ls__sb_printf(e, "CASE jsonb_typeof(%s) WHEN 'number' THEN %s::numeric BETWEEN 0 AND 99999999.999999 ELSE false END",
                  val, val);
    return;
  case LS_T_BOOL:
    ls__sb_printf(e, "jsonb_typeof(%s) = 'boolean'", val);
    return;
  case LS_T_FLAG:
    ls__sb_printf(e, "CASE jsonb_typeof(%s) WHEN 'boolean' THEN true WHEN 'string' THEN %s #>> '{}' IN ('yes', 'no', "
                     "'unknown') ELSE false END", val, val);
    return;
  case LS_T_TIMESTAMP:
    ls__sb_printf(e, "CASE jsonb_typeof(%s) WHEN 'string' THEN %s #>> '{}' ~ '" RX_TIMESTAMP "' ELSE false END", val, val);
    return;
  case LS_T_TEXT_LIST:
    ls__sb_printf(e, "CASE jsonb_typeof(%s) WHEN 'array' THEN ", val);
    if (f->max > 0) ls__sb_printf(e, "jsonb_array_length(%s) <= %lld AND ", val, (long long)f->max);
    ls__sb_printf(e, "NOT jsonb_path_exists(%s, 'strict $[*] ? (@.type() != \"string\")') ELSE false END", val);
    return;
  case LS_T_OBJECT:
    ls__sb_printf(e, "CASE jsonb_typeof(%s) WHEN 'object' THEN true", val);
    for (const ls__field *n = f->fields; n->name; n++)
      if (!unchecked(n)) {
        ls__sb_printf(e, "\n%*sAND ", ind + 2, "");
        fast_field(e, ind + 2, n, val);
      }
    ls__sb_printf(e, " ELSE false END");
    return;
  case LS_T_JSON_OBJECT:
    ls__sb_printf(e, "jsonb_typeof(%s) = 'object'", val);
    return;
  case LS_T_JSON: case LS_T_OBJECT_LIST:
    ls__sb_printf(e, "true"); /* a list of objects is never in a fast check (flat) */
    return;
  }
}

/* The fast check of a (flat, checked) field of the object `obj`. */
static void fast_field(ls__sb *e, int ind, const ls__field *f, const char *obj) {
  ls__sb val = LS__SB_INIT;
  value_sql(&val, f, obj);
  const char *v = ls__sb_text(&val);
  if (f->flags & LS_F_REQUIRED) ls__sb_printf(e, "(%s IS NOT NULL AND %s <> 'null' AND (", v, v);
  else ls__sb_printf(e, "(%s IS NULL OR %s = 'null' OR (", v, v);
  fast_value(e, ind, f, v);
  ls__sb_printf(e, "))");
  ls__sb_free(&val);
}

/* v := the field's value in `obj` (k := the key it was found under, when the field has an
 * alias); *key the path of the value (free key->lit and key->expr's text with ls__free). */
static void load(vgen *g, int ind, const ls__field *f, const char *obj, const vpath *at, char **expr, char **lit) {
  ls__sb e = LS__SB_INIT, l = LS__SB_INIT;
  const char *sep = *at->expr || *at->lit ? "." : "";
  g->v = true;
  ls__sb t = LS__SB_INIT;
  quote(&t, f->name);
  put(g, ind, "v := %s -> %s;\n", obj, ls__sb_text(&t));
  if (f->alias) {
    ls__sb a = LS__SB_INIT;
    quote(&a, f->alias);
    g->k = true;
    put(g, ind, "k := %s;\n", ls__sb_text(&t));
    put(g, ind, "IF (v IS NULL OR v = 'null') AND %s ? %s THEN\n", obj, ls__sb_text(&a));
    put(g, ind + 2, "v := %s -> %s;\n", obj, ls__sb_text(&a));
    put(g, ind + 2, "k := %s;\n", ls__sb_text(&a));
    put(g, ind, "END IF;\n");
    ls__sb_free(&a);
    path_sql(&e, at, sep);
    ls__sb_printf(&e, " || k");
  } else {
    ls__sb_printf(&e, "%s", at->expr);
    ls__sb_printf(&l, "%s%s%s", at->lit, sep, f->name);
  }
  ls__sb_free(&t);
  *expr = ls__sb_take(&e);
  *lit = ls__sb_take(&l);
}

/* The year check of a present timestamp in v, which passed the format check. */
static void cast_check(vgen *g, int ind, const vpath *at) {
  g->y = true;
  put(g, ind, "BEGIN\n");
  put(g, ind + 2, "y := extract(year FROM (v #>> '{}')::timestamptz AT TIME ZONE 'UTC');\n");
  put(g, ind, "EXCEPTION WHEN others THEN\n");
  raise_at(g, ind + 2, at, " must be an ISO-8601 timestamp");
  put(g, ind, "END;\n");
  put(g, ind, "IF y NOT BETWEEN 1 AND 9999 THEN\n");
  raise_at(g, ind + 2, at, " must be an ISO-8601 timestamp");
  put(g, ind, "END IF;\n");
}

static void fields(vgen *g, int ind, const ls__field *list, const char *obj, const vpath *at, int depth);
static void precise(vgen *g, int ind, const ls__field *f, const char *obj, const vpath *at, int depth);

/* ELSIF (or IF, first) cond THEN raise path || suffix. */
static void branch(vgen *g, int ind, bool *first, const char *cond, const vpath *at, const char *suffix) {
  put(g, ind, "%s %s THEN\n", *first ? "IF" : "ELSIF", cond);
  raise_at(g, ind + 2, at, suffix);
  *first = false;
}

/* ELSIF (or IF) cond THEN raise format(fmt, path, args). */
static void branch_format(vgen *g, int ind, bool *first, const char *cond, const vpath *at, const char *fmt,
                          const char *args) {
  ls__sb msg = LS__SB_INIT;
  ls__sb_printf(&msg, "format('%s', ", fmt);
  path_sql(&msg, at, "");
  ls__sb_printf(&msg, "%s)", args);
  put(g, ind, "%s %s THEN\n", *first ? "IF" : "ELSIF", cond);
  raise_sql(g, ind + 2, LEADSTORE_EINVAL, ls__sb_text(&msg));
  *first = false;
  ls__sb_free(&msg);
}

/* The checks of a present, non-null value in v at path `at`, one by one, raising the
 * first failure: validate.c's check_value, with the messages the PostgreSQL functions have
 * always given — which spell two things unlike validate.c's: an enum's values are joined
 * by ", " only ("a, b, c", not "a, b or c"), and a range's bounds print as the table's JSON
 * spells them (1.0, not 1). */
static void checks(vgen *g, int ind, const ls__field *f, const vpath *at, int depth) {
  bool first = true;
  ls__sb c = LS__SB_INIT;
  switch (f->type) {
  case LS_T_UUID: {
    branch(g, ind, &first, "jsonb_typeof(v) <> 'string'", at, " must be a UUID string");
    ls__sb msg = LS__SB_INIT;
    ls__sb_printf(&msg, "format('%%s is not a valid UUID: \"%%s\"', ");
    path_sql(&msg, at, "");
    ls__sb_printf(&msg, ", left(v #>> '{}', 64))");
    put(g, ind, "ELSIF v #>> '{}' !~* '" RX_UUID "' THEN\n");
    raise_sql(g, ind + 2, LEADSTORE_EUUID, ls__sb_text(&msg));
    ls__sb_free(&msg);
    break;
  }
  case LS_T_TEXT: case LS_T_LABEL:
    if (f->type == LS_T_LABEL) {
      put(g, ind, "IF jsonb_typeof(v) = 'number' AND v::text ~ '^-?[0-9]+$' THEN\n");
      put(g, ind + 2, "NULL; -- an integer\n");
      first = false;
    }
    branch(g, ind, &first, "jsonb_typeof(v) <> 'string'", at,
           f->type == LS_T_LABEL ? " must be a string or an integer" : " must be a string");
    if (f->max > 0) {
      char fmt[128];
      snprintf(fmt, sizeof fmt, "%%s must be %lld to %lld characters long (got %%s)", (long long)f->min,
               (long long)f->max);
      ls__sb_printf(&c, "char_length(v #>> '{}') NOT BETWEEN %lld AND %lld", (long long)f->min, (long long)f->max);
      branch_format(g, ind, &first, ls__sb_text(&c), at, fmt, ", char_length(v #>> '{}')");
    } else if (f->min > 0) {
      char fmt[128];
      snprintf(fmt, sizeof fmt, "%%s must be at least %lld characters long", (long long)f->min);
      ls__sb_printf(&c, "char_length(v #>> '{}') < %lld", (long long)f->min);
      branch_format(g, ind, &first, ls__sb_text(&c), at, fmt, "");
    }
    if (f->flags & LS_F_NONBLANK)
      branch(g, ind, &first, "btrim(v #>> '{}', " WHITE_SPACE ") = ''", at, " must not be blank");
    break;
  case LS_T_ZIP:
    branch(g, ind, &first, "jsonb_typeof(v) <> 'string'", at, " must be a string");
    branch_format(g, ind, &first, "v #>> '{}' !~ '" RX_ZIP "'", at,
                  "%s must be 1 to 10 characters of 0-9, A-Z, a-z, space or ''-'' (got \"%s\")",
                  ", left(v #>> '{}', 32)");
    break;
  case LS_T_ENUM: {
    ls__sb suffix = LS__SB_INIT;
    ls__sb_printf(&suffix, " must be one of ");
    ls__sb_printf(&c, "jsonb_typeof(v) <> 'string' OR v #>> '{}' NOT IN (");
    for (size_t i = 0; f->values[i]; i++) {
      ls__sb_printf(&suffix, "%s%s", i ? ", " : "", f->values[i]);
      if (i) ls__sb_printf(&c, ", ");
      quote(&c, f->values[i]);
    }
    ls__sb_printf(&c, ")");
    branch(g, ind, &first, ls__sb_text(&c), at, ls__sb_text(&suffix));
    ls__sb_free(&suffix);
    break;
  }
  case LS_T_INT: case LS_T_NUMBER: case LS_T_MONEY:
    branch(g, ind, &first, "jsonb_typeof(v) <> 'number'", at,
           f->type == LS_T_INT ? " must be an integer" : f->type == LS_T_MONEY ? " must be a number of USD"
                                                                              : " must be a number");
    if (f->type == LS_T_INT) branch(g, ind, &first, "v::numeric <> trunc(v::numeric)", at, " must be an integer");
    if (f->type == LS_T_MONEY) {
      branch_format(g, ind, &first, "v::numeric < 0", at, "%s must not be negative (got %s)", ", v::numeric");
      branch(g, ind, &first, "v::numeric > 99999999.999999", at, " must be at most 99999999.999999 USD");
    } else { /* a range [min, max], or only a minimum */
      bool between = f->max > f->min;
      ls__sb args = LS__SB_INIT;
      ls__sb_printf(&c, between ? "v::numeric NOT BETWEEN " : "v::numeric < ");
      number(&c, f->min);
      ls__sb_printf(&args, ", ");
      number(&args, f->min);
      if (between) {
        ls__sb_printf(&c, " AND ");
        number(&c, f->max);
        ls__sb_printf(&args, ", ");
        number(&args, f->max);
      }
      ls__sb_printf(&args, ", v::numeric");
      branch_format(g, ind, &first, ls__sb_text(&c), at,
                    between ? "%s must be between %s and %s (got %s)" : "%s must be at least %s (got %s)",
                    ls__sb_text(&args));
      ls__sb_free(&args);
    }
    break;
  case LS_T_BOOL:
    branch(g, ind, &first, "jsonb_typeof(v) <> 'boolean'", at, " must be true or false");
    break;
  case LS_T_FLAG:
    branch(g, ind, &first,
           "jsonb_typeof(v) <> 'boolean' AND NOT (jsonb_typeof(v) = 'string' AND v #>> '{}' IN ('yes', 'no', 'unknown'))",
           at, " must be true, false, \"yes\", \"no\" or \"unknown\"");
    break;
  case LS_T_TIMESTAMP:
    branch(g, ind, &first, "jsonb_typeof(v) <> 'string' OR v #>> '{}' !~ '" RX_TIMESTAMP "'", at,
           " must be an ISO-8601 timestamp");
    put(g, ind, "END IF;\n");
    cast_check(g, ind, at);
    first = true; /* closed */
    break;
  case LS_T_TEXT_LIST: {
    branch(g, ind, &first, "jsonb_typeof(v) <> 'array'", at, " must be an array of strings");
    if (f->max > 0) {
      char fmt[96];
      snprintf(fmt, sizeof fmt, "%%s has %%s elements; at most %lld are allowed", (long long)f->max);
      ls__sb_printf(&c, "jsonb_array_length(v) > %lld", (long long)f->max);
      branch_format(g, ind, &first, ls__sb_text(&c), at, fmt, ", jsonb_array_length(v)");
    }
    put(g, ind, "END IF;\n");
    put(g, ind, "FOR j IN 0 .. jsonb_array_length(v) - 1 LOOP\n");
    put(g, ind + 2, "IF jsonb_typeof(v -> j) <> 'string' THEN\n");
    ls__sb msg = LS__SB_INIT;
    ls__sb_printf(&msg, "format('%%s[%%s] must be a string', ");
    path_sql(&msg, at, "");
    ls__sb_printf(&msg, ", j)");
    raise_sql(g, ind + 4, LEADSTORE_EINVAL, ls__sb_text(&msg));
    ls__sb_free(&msg);
    put(g, ind + 2, "END IF;\n");
    put(g, ind, "END LOOP;\n");
    first = true;
    break;
  }
  case LS_T_OBJECT: {
    branch(g, ind, &first, "jsonb_typeof(v) <> 'object'", at, " must be an object");
    put(g, ind, "END IF;\n");
    first = true;
    g->objects |= 1u << (depth + 1);
    put(g, ind, "o%d := v;\n", depth + 1);
    char obj[16];
    snprintf(obj, sizeof obj, "o%d", depth + 1);
    if (!flat(f)) fields(g, ind, f->fields, obj, at, depth + 1);
    else /* its fast check has failed already */
      for (const ls__field *n = f->fields; n->name; n++) precise(g, ind, n, obj, at, depth + 1);
    break;
  }
  case LS_T_OBJECT_LIST: {
    branch(g, ind, &first, "jsonb_typeof(v) <> 'array'", at, " must be an array of objects");
    if (f->max > 0) {
      char fmt[96];
      snprintf(fmt, sizeof fmt, "%%s has %%s elements; at most %lld are allowed", (long long)f->max);
      ls__sb_printf(&c, "jsonb_array_length(v) > %lld", (long long)f->max);
      branch_format(g, ind, &first, ls__sb_text(&c), at, fmt, ", jsonb_array_length(v)");
    }
    put(g, ind, "END IF;\n");
    first = true;
    int d = depth + 1;
    g->lists |= 1u << d;
    g->objects |= 1u << d;
    put(g, ind, "a%d := v;\n", d);
    put(g, ind, "FOR i%d IN 0 .. jsonb_array_length(a%d) - 1 LOOP\n", d, d);
    put(g, ind + 2, "o%d := a%d -> i%d;\n", d, d, d);
    ls__sb e = LS__SB_INIT;
    path_sql(&e, at, "[");
    ls__sb_printf(&e, " || i%d", d);
    vpath el = {ls__sb_text(&e), "]"};
    char cond[64], obj[16];
    snprintf(cond, sizeof cond, "jsonb_typeof(o%d) <> 'object'", d);
    snprintf(obj, sizeof obj, "o%d", d);
    bool once = true;
    branch(g, ind + 2, &once, cond, &el, " must be an object");
    put(g, ind + 2, "END IF;\n");
    fields(g, ind + 2, f->fields, obj, &el, d);
    put(g, ind, "END LOOP;\n");
    ls__sb_free(&e);
    break;
  }
  case LS_T_JSON_OBJECT:
    branch(g, ind, &first, "jsonb_typeof(v) <> 'object'", at, " must be an object");
    break;
  case LS_T_JSON:
    break;
  }
  if (!first) put(g, ind, "END IF;\n");
  ls__sb_free(&c);
}

/* A field of `obj`, check by check: absent or null is refused when required, else its
 * checks.  An unchecked field (optional JSON) emits nothing. */
static void precise(vgen *g, int ind, const ls__field *f, const char *obj, const vpath *at, int depth) {
  if (unchecked(f)) return;
  char *expr, *lit;
  load(g, ind, f, obj, at, &expr, &lit);
  vpath p = {expr ? expr : "", lit ? lit : ""};
  bool any = f->type != LS_T_JSON;
  if (f->flags & LS_F_REQUIRED) {
    put(g, ind, "IF v IS NULL OR v = 'null' THEN\n");
    raise_at(g, ind + 2, &p, " is required");
    if (any) put(g, ind, "ELSE\n");
  } else {
    put(g, ind, "IF v IS NOT NULL AND v <> 'null' THEN\n");
  }
  if (any) checks(g, ind + 2, f, &p, depth);
  put(g, ind, "END IF;\n");
  ls__free(expr);
  ls__free(lit);
}

/* The calendar checks of the timestamps of a flat field whose fast check passed. */
static void casts(vgen *g, int ind, const ls__field *f, const char *obj, const vpath *at, int depth) {
  if (!has_timestamp(f)) return;
  char *expr, *lit;
  load(g, ind, f, obj, at, &expr, &lit);
  vpath p = {expr ? expr : "", lit ? lit : ""};
  put(g, ind, "IF v IS NOT NULL AND v <> 'null' THEN\n");
  if (f->type == LS_T_TIMESTAMP) {
    cast_check(g, ind + 2, &p);
  } else {
    char obj2[16];
    snprintf(obj2, sizeof obj2, "o%d", depth + 1);
    g->objects |= 1u << (depth + 1);
    put(g, ind + 2, "o%d := v;\n", depth + 1);
    for (const ls__field *n = f->fields; n->name; n++) casts(g, ind + 2, n, obj2, &p, depth + 1);
  }
  put(g, ind, "END IF;\n");
  ls__free(expr);
  ls__free(lit);
}

/* The fields of the object `obj` (at `at`, nesting depth `depth`), in order: each flat
 * run by its fast check, then check by check when that fails, then its timestamps'
 * calendar checks; each other field (a list of objects) check by check. */
static void fields(vgen *g, int ind, const ls__field *list, const char *obj, const vpath *at, int depth) {
  for (const ls__field *f = list; f->name;) {
    if (!flat(f)) {
      precise(g, ind, f, obj, at, depth);
      f++;
      continue;
    }
    const ls__field *end = f;
    ls__sb e = LS__SB_INIT;
    for (; end->name && flat(end); end++)
      if (!unchecked(end)) {
        if (e.len) ls__sb_printf(&e, "\n%*sAND ", ind + 2, "");
        fast_field(&e, ind + 2, end, obj);
      }
    if (e.len) {
      put(g, ind, "IF NOT coalesce(%s, false) THEN\n", ls__sb_text(&e));
      for (const ls__field *n = f; n < end; n++) precise(g, ind + 2, n, obj, at, depth);
      put(g, ind, "END IF;\n");
    }
    for (const ls__field *n = f; n < end; n++) casts(g, ind, n, obj, at, depth);
    ls__sb_free(&e);
    f = end;
  }
}

/* ls_validate_<op>(p jsonb). */
static void validate_function(FILE *out, const ls__op *op) {
  vgen g = {LS__SB_INIT, false, true, false, 0, 0};
  ls__sb names = LS__SB_INIT;
  for (const ls__field *f = op->params; f->name; f++) {
    if (f != op->params) ls__sb_printf(&names, ", ");
    quote(&names, f->name);
  }
  put(&g, 2, "IF p - ARRAY[%s]::text[] <> '{}' THEN\n", ls__sb_text(&names));
  put(&g, 4, "k := (SELECT jsonb_object_keys(p - ARRAY[%s]::text[]) LIMIT 1);\n", ls__sb_text(&names));
  {
    ls__sb msg = LS__SB_INIT;
    ls__sb_printf(&msg, "'unknown parameter ' || left(k, 64) || coalesce(' (did you mean ' || ls_suggest(k, ARRAY[%s]) "
                        "|| '?)', '')", ls__sb_text(&names));
    raise_sql(&g, 4, LEADSTORE_EINVAL, ls__sb_text(&msg));
    ls__sb_free(&msg);
  }
  put(&g, 2, "END IF;\n");
  vpath root = {"", ""};
  fields(&g, 2, op->params, "p", &root, 0);

  fprintf(out, "\nCREATE OR REPLACE FUNCTION ls_validate_%s(p jsonb) RETURNS void\nLANGUAGE plpgsql STABLE\nAS $$\n"
               "DECLARE\n", op->name);
  if (g.v) fprintf(out, "  v jsonb;\n");
  if (g.k) fprintf(out, "  k text;\n");
  if (g.y) fprintf(out, "  y integer;\n");
  for (int d = 1; d < 32; d++) {
    if (g.objects & (1u << d)) fprintf(out, "  o%d jsonb;\n", d);
    if (g.lists & (1u << d)) fprintf(out, "  a%d jsonb;\n", d);
  }
  fprintf(out, "BEGIN\n%sEND\n$$;\n", ls__sb_text(&g.sb));
  ls__sb_free(&g.sb);
  ls__sb_free(&names);
}

/* ls_validate: operation → its ls_validate_<op>; ls_operation_kind: write or read. */
static void validate_dispatch(FILE *out) {
  fprintf(out, "\n-- The validation of each operation's parameters (above), called by ls_run (0002).\n"
               "CREATE OR REPLACE FUNCTION ls_validate(p_op text, p_params jsonb) RETURNS void\n"
               "LANGUAGE plpgsql STABLE\nAS $$\nBEGIN\n");
  for (size_t i = 0; i < LS_OP__COUNT; i++)
    fprintf(out, "  %s p_op = '%s' THEN\n    PERFORM ls_validate_%s(p_params);\n", i ? "ELSIF" : "IF", ls__ops[i].name,
            ls__ops[i].name);
  fprintf(out, "  ELSE\n    RAISE EXCEPTION 'unknown operation %%', p_op USING ERRCODE = '%s';\n  END IF;\nEND\n$$;\n",
          leadstore_status_sqlstate(LEADSTORE_ENOOP));
  fprintf(out, "\n-- An operation's kind: write (atomic, idempotent with p_request_id) or read; NULL for an\n"
               "-- unknown name.  ls_run (0002) reads it instead of the table.\n"
               "CREATE OR REPLACE FUNCTION ls_operation_kind(p_op text) RETURNS text\n"
               "LANGUAGE sql IMMUTABLE PARALLEL SAFE\nAS $$\n  SELECT CASE p_op");
  for (size_t i = 0; i < LS_OP__COUNT; i++)
    fprintf(out, "\n    WHEN '%s' THEN '%s'", ls__ops[i].name, ls__ops[i].kind == LS_OP_WRITE ? "write" : "read");
  fprintf(out, " END\n$$;\n");
}

static int docs_operations(void) {
  char *text = NULL;
  if (leadstore_describe(NULL, &text)) return 70;
  printf("-- leadstore:repeatable\n"
         "-- 0003_operations.sql — the operations table of the C library (ls_operations), one public\n"
         "-- function per operation (the contract's name and parameters, each handed to the dispatcher\n"
         "-- ls_run of 0002), the validation of each operation's parameters generated from the same\n"
         "-- table (ls_validate_<operation>: the library's checks, in its order, with its messages),\n"
         "-- and ls_dispatch, which runs the operation's body (0004, 0005).\n"
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
  printf("\n-- The validation of each operation: src/validate.c's checks of its parameters, in the\n"
         "-- same order and with the same messages, as straight-line code with the operations table's\n"
         "-- names, limits and values as literals (each flat run of fields first by one expression).\n");
  for (size_t i = 0; i < LS_OP__COUNT; i++) validate_function(stdout, &ls__ops[i]);
  validate_dispatch(stdout);
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
