/*
 * adopt.c — the operator's whole-database commands on PostgreSQL:
 *
 *   leadstore adopt       an upstream database (its gmaps_* tables) becomes
 *                         leadstore's, in place (leadstore_adopt)
 *   leadstore uninstall   leadstore's functions go, the data stay
 *   leadstore check --repair
 *                         the invariants restored after direct writes
 *
 * Each is a list of steps (the files of sql/postgres/adopt/, one statement per
 * `-- name:` block, embedded by tools/pgsteps.sh) run in ONE transaction
 * under the migration lock of `leadstore migrate`; the report lists every
 * statement with the rows it touched (null for DDL).  Adopt's dry run is
 * the same transaction rolled back, so what it prints is what would happen.
 *
 * What the database is, decided under the lock before anything is changed:
 *   leadstore    leadstore_migrations records 0001 and ls_operations exists
 *   uninstalled  0001 recorded, the functions gone (leadstore uninstall ran)
 *   empty        no gmaps_* table at all
 *   upstream     every table and column of `upstream_columns` below
 *   partial      anything else: refused, the message lists what is missing
 *
 * Adopting "upstream": privileges.sql, upstream.sql (the tables turned into
 * 0001's, rows that cannot fit quarantined), 0001 recorded as applied, every
 * other migration applied as migrate applies it, repair.sql, late.sql; then
 * ls_check() must find nothing, or the whole transaction is rolled back.
 * Adopting "uninstalled": privileges.sql, the migrations, repair.sql, the
 * check.  "leadstore": nothing to do.
 *
 * Repairing "leadstore": repair.sql.  Repairing "uninstalled" (the legacy
 * application writes the tables again): the migrations, repair.sql, the
 * check, uninstall.sql — the functions exist only inside the transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "../strbuf.h"

typedef struct ls__pg_step {
  const char *name; /* the `-- name:` of the block */
  const char *sql;  /* one statement */
} ls__pg_step;

#define LS_SQ_QUERY(name, sql) {#name, sql},
#include "pg_adopt.h"
#undef LS_SQ_QUERY

typedef struct step_file {
  const char *name;
  const ls__pg_step *steps;
  size_t count;
} step_file;

#define STEP_FILE(f) {#f, ls__pg_steps_##f, sizeof ls__pg_steps_##f / sizeof ls__pg_steps_##f[0]}
static const step_file privileges = STEP_FILE(privileges), upstream = STEP_FILE(upstream),
                       repair = STEP_FILE(repair), late = STEP_FILE(late), uninstall = STEP_FILE(uninstall);

/*--- Detection ---------------------------------------------------------------------------*/

/* The upstream schema as the upstream documents describe it: these tables
 * with at least these columns (what adoption reads; the columns added after
 * the plan, and those some deployments lacked, are added when missing). */
static const struct {
  const char *table;
  const char *columns; /* space-separated */
  bool optional;       /* the table may be missing altogether (created) */
} upstream_columns[] = {
    {"gmaps_campaigns",
     "id name description keywords location coverage_profile status target_zip_count actual_zip_count "
     "estimated_cost actual_cost google_maps_cost facebook_cost total_businesses_found total_emails_found "
     "total_facebook_pages_found total_linkedin_profiles_found total_verified_emails organization_id "
     "started_at completed_at created_at updated_at",
     false},
    {"gmaps_campaign_coverage", "id campaign_id zip_code keywords max_results scraped scraped_at businesses_found "
     "emails_found", false},
    {"gmaps_businesses",
     "id campaign_id zip_code place_id name address phone website email email_source email_verified "
     "bouncer_status facebook_url linkedin_url needs_enrichment enrichment_status enrichment_attempts "
     "linkedin_enriched raw_data created_at",
     false},
    {"gmaps_facebook_enrichments", "id business_id campaign_id facebook_url emails primary_email success", false},
    {"gmaps_linkedin_enrichments", "id business_id campaign_id linkedin_url emails_found primary_email", false},
    {"gmaps_api_costs", "id campaign_id service cost_usd", false},
    {"gmaps_email_verifications", "id business_id email status", true},
};

typedef enum db_state { ST_EMPTY, ST_UPSTREAM, ST_LEADSTORE, ST_UNINSTALLED, ST_PARTIAL } db_state;

static const char *const state_names[] = {"empty", "upstream", "leadstore", "uninstalled", "partial"};

/* Whether the catalog rows (relname, attname) have `table` (and `column`, when not NULL). */
static bool has(PGresult *cat, const char *table, const char *column) {
  for (int r = 0; r < PQntuples(cat); r++)
    if (!strcmp(PQgetvalue(cat, r, 0), table) && (!column || !strcmp(PQgetvalue(cat, r, 1), column))) return true;
  return false;
}

/* Adds to `missing` every documented upstream table or column the catalog lacks. */
static void list_missing(PGresult *cat, ls__sb *missing) {
  for (size_t t = 0; t < sizeof upstream_columns / sizeof upstream_columns[0]; t++) {
    const char *table = upstream_columns[t].table;
    if (!has(cat, table, NULL)) {
      if (!upstream_columns[t].optional) ls__sb_printf(missing, "%stable %s", ls__sb_text(missing)[0] ? ", " : "", table);
      continue;
    }
    for (const char *c = upstream_columns[t].columns; *c;) {
      size_t n = strcspn(c, " ");
      char column[64] = "";
      if (n < sizeof column) memcpy(column, c, n), column[n] = '\0';
      if (!has(cat, table, column))
        ls__sb_printf(missing, "%s%s.%s", ls__sb_text(missing)[0] ? ", " : "", table, column);
      c += n + (c[n] == ' ');
    }
  }
}

/*
 * Decides what the database is (the header comment); for ST_PARTIAL,
 * *missing says what is missing.  Runs inside the caller's transaction.
 */
static int detect(leadstore *db, PGconn *c, db_state *state, ls__sb *missing, ls__error *err) {
  PGresult *cat = PQexec(c, "SELECT c.relname::text, a.attname::text FROM pg_class c "
                            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
                            "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') "
                            "AND (c.relname LIKE 'gmaps\\_%' OR c.relname IN ('leadstore_migrations', 'ls_operations'))");
  if (PQresultStatus(cat) != PGRES_TUPLES_OK) {
    int rc = ls__pg_fail(db, cat, "reading the catalog", err);
    PQclear(cat);
    return rc;
  }
  bool recorded = false;
  if (has(cat, "leadstore_migrations", NULL)) {
    const char *first = ls__pg_migration(0, NULL, NULL, NULL);
    PGresult *res = PQexecParams(c, "SELECT 1 FROM leadstore_migrations WHERE name = $1", 1, NULL, &first, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      int rc = ls__pg_fail(db, res, "reading leadstore_migrations", err);
      PQclear(res);
      PQclear(cat);
      return rc;
    }
    recorded = PQntuples(res) == 1;
    PQclear(res);
  }
  bool any = false;
  for (int r = 0; r < PQntuples(cat); r++) any = any || !strncmp(PQgetvalue(cat, r, 0), "gmaps_", 6);
  if (recorded) {
    *state = has(cat, "ls_operations", NULL) ? ST_LEADSTORE : ST_UNINSTALLED;
  } else if (!any) {
    *state = ST_EMPTY;
  } else {
    list_missing(cat, missing);
    *state = ls__sb_text(missing)[0] ? ST_PARTIAL : ST_UPSTREAM;
  }
  PQclear(cat);
  return LEADSTORE_OK;
}

/*--- Running steps ---------------------------------------------------------------------------*/

/* Runs one statement (a `$1`, when the text has one, is `param`). */
static int run_sql(leadstore *db, PGconn *c, const char *what, const char *sql, const char *param,
                   PGresult **out, ls__error *err) {
  PGresult *res = param && strstr(sql, "$1") ? PQexecParams(c, sql, 1, NULL, &param, NULL, NULL, 0) : PQexec(c, sql);
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    int rc = ls__pg_fail(db, res, what, err);
    PQclear(res);
    return rc;
  }
  if (out) *out = res;
  else PQclear(res);
  return LEADSTORE_OK;
}

/*
 * Runs the steps of `f` in order (those whose name starts with `prefix`,
 * when given), each added to report.steps with the rows it touched;
 * report.changed grows by the rows of the data-changing ones.
 */
static int run_steps(leadstore *db, PGconn *c, const step_file *f, const char *prefix, const char *param,
                     json_t *report, ls__error *err) {
  json_t *steps = json_object_get(report, "steps");
  for (size_t i = 0; i < f->count; i++) {
    const ls__pg_step *s = &f->steps[i];
    if (prefix && strncmp(s->name, prefix, strlen(prefix))) continue;
    char what[160];
    snprintf(what, sizeof what, "%s step %s", f->name, s->name);
    PGresult *res = NULL;
    int rc = run_sql(db, c, what, s->sql, param, &res, err);
    if (rc) return rc;
    const char *tuples = PQcmdTuples(res);
    json_t *rows = tuples[0] ? json_integer(atoll(tuples)) : json_null();
    if (tuples[0]) {
      json_int_t changed = json_integer_value(json_object_get(report, "changed"));
      json_object_set_new(report, "changed", json_integer(changed + atoll(tuples)));
    }
    PQclear(res);
    if (json_array_append_new(steps, json_pack("{s:s, s:s, s:s, s:o}", "file", f->name, "step", s->name, "sql", s->sql,
                                               "rows", rows)) != 0)
      return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  }
  return LEADSTORE_OK;
}

/* BEGIN and the migration lock of `leadstore migrate` (for the transaction). */
static int begin_locked(leadstore *db, PGconn *c, ls__error *err) {
  int rc = run_sql(db, c, "BEGIN", "BEGIN", NULL, NULL, err);
  if (rc == LEADSTORE_OK)
    rc = run_sql(db, c, "waiting for the migration lock", "SELECT pg_advisory_xact_lock(" LS__PG_MIGRATE_LOCK ")",
                 NULL, NULL, err);
  if (rc == LEADSTORE_OK) rc = run_sql(db, c, "creating leadstore_migrations", LS__PG_MIGRATIONS_TABLE, NULL, NULL, err);
  return rc;
}

/* COMMIT (or, with `keep` false, ROLLBACK); a failure rolls back. */
static int finish(leadstore *db, PGconn *c, int rc, bool keep, ls__error *err) {
  if (rc == LEADSTORE_OK && keep) return run_sql(db, c, "COMMIT", "COMMIT", NULL, NULL, err);
  PQclear(PQexec(c, "ROLLBACK"));
  return rc;
}

/* ls_check() inside the transaction: OK when it finds nothing; otherwise
 * the first violations in the error, so the caller rolls back. */
static int prove(leadstore *db, PGconn *c, const char *what, ls__error *err) {
  PGresult *res = NULL;
  int rc = run_sql(db, c, what,
                   "SELECT count(*) OVER (), invariant, coalesce(campaign_id::text, '-'), detail FROM ls_check() LIMIT 5",
                   NULL, &res, err);
  if (rc) return rc;
  if (PQntuples(res) > 0) {
    ls__sb msg = LS__SB_INIT;
    for (int r = 0; r < PQntuples(res); r++)
      ls__sb_printf(&msg, "%sinvariant %s, campaign %s: %s", r ? "; " : "", PQgetvalue(res, r, 1),
                    PQgetvalue(res, r, 2), PQgetvalue(res, r, 3));
    rc = ls__fail(err, LEADSTORE_EINTERNAL, "%s would leave %s violation(s) of the invariants (%s); nothing was changed",
                  what, PQgetvalue(res, 0, 0), ls__sb_text(&msg));
    ls__sb_free(&msg);
  }
  PQclear(res);
  return rc;
}

/* report.quarantined: the rows this transaction moved to leadstore_quarantine, by table. */
static int count_quarantined(leadstore *db, PGconn *c, json_t *report, ls__error *err) {
  PGresult *res = NULL;
  int rc = run_sql(db, c, "counting the quarantine",
                   "SELECT table_name, count(*) FROM leadstore_quarantine WHERE quarantined_at = now() "
                   "GROUP BY table_name ORDER BY table_name",
                   NULL, &res, err);
  if (rc) return rc;
  json_t *q = json_object();
  for (int r = 0; q && r < PQntuples(res); r++)
    json_object_set_new(q, PQgetvalue(res, r, 0), json_integer(atoll(PQgetvalue(res, r, 1))));
  PQclear(res);
  if (!q || json_object_set_new(report, "quarantined", q) != 0) return ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  return LEADSTORE_OK;
}

/* The names of the repeatable migrations (the functions) as a text[] literal. */
static char *repeatable_names(void) {
  ls__sb sb = LS__SB_INIT;
  ls__sb_printf(&sb, "{");
  const char *name;
  bool repeatable, first = true;
  for (size_t i = 0; (name = ls__pg_migration(i, NULL, &repeatable, NULL)); i++)
    if (repeatable) {
      ls__sb_printf(&sb, "%s%s", first ? "" : ",", name);
      first = false;
    }
  ls__sb_printf(&sb, "}");
  return ls__sb_take(&sb);
}

/* Refuses a database that is not what the command works on, naming what it is. */
static int refuse(db_state state, const ls__sb *missing, const char *command, ls__error *err) {
  switch (state) {
  case ST_EMPTY:
    return ls__fail(err, LEADSTORE_ECONFIG,
                    "%s: the database has no gmaps_* table, nothing to adopt (`leadstore migrate` installs leadstore "
                    "in an empty database)",
                    command);
  case ST_PARTIAL:
    return ls__fail(err, LEADSTORE_ECONFIG,
                    "%s: the gmaps_* tables are not the upstream schema leadstore knows (docs/adopting.md); missing: "
                    "%s; nothing was changed",
                    command, ls__sb_text(missing));
  case ST_UNINSTALLED:
    return ls__fail(err, LEADSTORE_ECONFIG,
                    "%s: leadstore's functions are not installed (`leadstore uninstall` ran); `leadstore adopt` "
                    "installs them again and repairs the data",
                    command);
  case ST_UPSTREAM:
    return ls__fail(err, LEADSTORE_ECONFIG,
                    "%s: the database is the upstream application's, not adopted yet (`leadstore adopt --dry-run`, "
                    "docs/adopting.md); nothing was changed",
                    command);
  default:
    return ls__fail(err, LEADSTORE_ECONFIG, "%s: the database is not a leadstore database", command);
  }
}

/*--- The commands ---------------------------------------------------------------------------*/

/* leadstore_adopt in its transaction (the header comment); committed unless dry_run or failed. */
static int adopt_in(leadstore *db, PGconn *c, bool dry_run, json_t *report, ls__error *err) {
  db_state state = ST_EMPTY;
  ls__sb missing = LS__SB_INIT;
  int rc = begin_locked(db, c, err);
  if (rc == LEADSTORE_OK) rc = detect(db, c, &state, &missing, err);
  if (rc == LEADSTORE_OK) json_object_set_new(report, "state", json_string(state_names[state]));
  if (rc == LEADSTORE_OK && state == ST_LEADSTORE) {
    json_object_set_new(report, "message", json_string("already leadstore, nothing to do"));
    ls__sb_free(&missing);
    return finish(db, c, rc, false, err);
  }
  if (rc == LEADSTORE_OK && state != ST_UPSTREAM && state != ST_UNINSTALLED) rc = refuse(state, &missing, "adopt", err);
  ls__sb_free(&missing);
  json_t *applied = json_array();
  if (!applied || json_object_set_new(report, "applied", applied) != 0)
    rc = rc ? rc : ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  if (rc == LEADSTORE_OK) rc = run_steps(db, c, &privileges, NULL, NULL, report, err);
  if (rc == LEADSTORE_OK && state == ST_UPSTREAM) {
    rc = run_steps(db, c, &upstream, NULL, NULL, report, err);
    /* the tables are now 0001's: recorded as applied, as migrate records it */
    const char *sql = NULL;
    char sum[65];
    const char *name = ls__pg_migration(0, &sql, NULL, sum);
    const char *values[2] = {name, sum};
    PGresult *res = rc ? NULL
                       : PQexecParams(c, "INSERT INTO leadstore_migrations (name, checksum) VALUES ($1, $2)", 2, NULL,
                                      values, NULL, NULL, 0);
    if (res && PQresultStatus(res) != PGRES_COMMAND_OK) rc = ls__pg_fail(db, res, "recording 0001", err);
    PQclear(res);
  }
  if (rc == LEADSTORE_OK) rc = ls__pg_apply_pending(db, applied, err);
  if (rc == LEADSTORE_OK) rc = run_steps(db, c, &repair, NULL, NULL, report, err);
  if (rc == LEADSTORE_OK && state == ST_UPSTREAM) rc = run_steps(db, c, &late, NULL, NULL, report, err);
  if (rc == LEADSTORE_OK) rc = count_quarantined(db, c, report, err);
  if (rc == LEADSTORE_OK) rc = prove(db, c, "adopt", err);
  if (rc == LEADSTORE_OK)
    json_object_set_new(report, "message",
                        json_string(dry_run ? "dry run: every step ran and was rolled back, nothing changed"
                                    : state == ST_UPSTREAM ? "adopted: the database is leadstore's"
                                                           : "leadstore's functions installed again, the data repaired"));
  return finish(db, c, rc, !dry_run, err);
}

int ls__pg_adopt(leadstore *db, bool dry_run, json_t *report, ls__error *err) {
  PGconn *c = ls__pg_admin_begin(db, err);
  if (!c) return err->code;
  json_object_set_new(report, "dry_run", json_boolean(dry_run));
  json_object_set_new(report, "changed", json_integer(0));
  return ls__pg_admin_end(db, adopt_in(db, c, dry_run, report, err));
}

/* leadstore_uninstall in its transaction: leadstore's own tables ensured, then uninstall.sql. */
static int uninstall_in(leadstore *db, PGconn *c, json_t *report, ls__error *err) {
  db_state state = ST_EMPTY;
  ls__sb missing = LS__SB_INIT;
  int rc = begin_locked(db, c, err);
  if (rc == LEADSTORE_OK) rc = detect(db, c, &state, &missing, err);
  if (rc == LEADSTORE_OK) json_object_set_new(report, "state", json_string(state_names[state]));
  if (rc == LEADSTORE_OK && state == ST_UNINSTALLED) {
    json_object_set_new(report, "message", json_string("leadstore's functions are not installed, nothing to do"));
    ls__sb_free(&missing);
    return finish(db, c, rc, false, err);
  }
  if (rc == LEADSTORE_OK && state != ST_LEADSTORE) rc = refuse(state, &missing, "uninstall", err);
  ls__sb_free(&missing);
  char *names = rc ? NULL : repeatable_names();
  if (rc == LEADSTORE_OK && !names) rc = ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
  /* leadstore's own tables exist on a database installed by migrate too */
  if (rc == LEADSTORE_OK) rc = run_steps(db, c, &privileges, "create_", NULL, report, err);
  if (rc == LEADSTORE_OK) rc = run_steps(db, c, &privileges, "protect_", NULL, report, err);
  if (rc == LEADSTORE_OK) rc = run_steps(db, c, &uninstall, NULL, names, report, err);
  ls__free(names);
  if (rc == LEADSTORE_OK)
    json_object_set_new(report, "message",
                        json_string("leadstore's functions removed; the tables and their data stay "
                                    "(`leadstore adopt` installs the functions again)"));
  return finish(db, c, rc, true, err);
}

int ls__pg_uninstall(leadstore *db, json_t *report, ls__error *err) {
  PGconn *c = ls__pg_admin_begin(db, err);
  if (!c) return err->code;
  json_object_set_new(report, "changed", json_integer(0));
  return ls__pg_admin_end(db, uninstall_in(db, c, report, err));
}

/* leadstore_repair in its transaction (the header comment). */
static int repair_in(leadstore *db, PGconn *c, json_t *report, ls__error *err) {
  db_state state = ST_EMPTY;
  ls__sb missing = LS__SB_INIT;
  int rc = begin_locked(db, c, err);
  if (rc == LEADSTORE_OK) rc = detect(db, c, &state, &missing, err);
  if (rc == LEADSTORE_OK && state != ST_LEADSTORE && state != ST_UNINSTALLED)
    rc = refuse(state, &missing, "check --repair", err);
  ls__sb_free(&missing);
  if (rc == LEADSTORE_OK) json_object_set_new(report, "state", json_string(state_names[state]));
  /* uninstalled: the functions the repair uses are installed for this
   * transaction only, and uninstalled again (the legacy privileges back) */
  json_t *applied = json_array();
  if (rc == LEADSTORE_OK && state == ST_UNINSTALLED) rc = ls__pg_apply_pending(db, applied, err);
  json_decref(applied);
  if (rc == LEADSTORE_OK) rc = run_steps(db, c, &repair, NULL, NULL, report, err);
  if (rc == LEADSTORE_OK && state == ST_UNINSTALLED) {
    char *names = repeatable_names();
    rc = prove(db, c, "check --repair", err);
    if (rc == LEADSTORE_OK) rc = names ? run_steps(db, c, &uninstall, NULL, names, report, err)
                                       : ls__fail(err, LEADSTORE_EINTERNAL, "out of memory");
    ls__free(names);
  }
  return finish(db, c, rc, true, err);
}

int ls__pg_repair(leadstore *db, json_t *report, ls__error *err) {
  PGconn *c = ls__pg_admin_begin(db, err);
  if (!c) return err->code;
  json_object_set_new(report, "changed", json_integer(0));
  return ls__pg_admin_end(db, repair_in(db, c, report, err));
}
