/*
 * functions.c — the rules of rules.c (and the value lists of ops.c) as SQL
 * functions of the embedded engine's connection, so the statements of
 * queries.sql apply the same C tables as the handlers; PostgreSQL has the
 * same functions, generated from the same tables (sql/postgres/0002_rules.sql).
 */
#include <string.h>

#include "sq.h"

/* ls_email_ok(text): the email rule of SPEC §5 as an SQL function, for the check. */
static void email_ok_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  const char *v = (const char *)sqlite3_value_text(argv[0]);
  char buf[LS_EMAIL_MAX + 1];
  sqlite3_result_int(ctx, v && ls__email_wellformed(v, buf, sizeof buf));
}

/* ls_email_clean(text): the address the email rule keeps (trimmed), or NULL, for check --repair. */
static void email_clean_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  const char *v = (const char *)sqlite3_value_text(argv[0]);
  char buf[LS_EMAIL_MAX + 1];
  if (v && ls__email_wellformed(v, buf, sizeof buf)) sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
  else sqlite3_result_null(ctx);
}

/* ls_source_rank(text): the priority of an email source (rules.c), for the check. */
static void source_rank_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  sqlite3_result_int(ctx, ls__email_source_rank((const char *)sqlite3_value_text(argv[0])));
}

/* ls_value_ok(list, text): whether text is a value of the named value list (ops.c), for the check. */
static void value_ok_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  const char *set = (const char *)sqlite3_value_text(argv[0]), *v = (const char *)sqlite3_value_text(argv[1]);
  int ok = 0;
  for (const ls__value_set *vs = ls__value_sets; set && v && vs->name && !ok; vs++)
    for (size_t i = 0; !strcmp(vs->name, set) && vs->values[i] && !ok; i++) ok = !strcmp(vs->values[i], v);
  sqlite3_result_int(ctx, ok);
}

/* ls_status_started(text), ls_status_terminal(text): the roles of statuses (rules.c). */
static void status_started_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  const char *v = (const char *)sqlite3_value_text(argv[0]);
  sqlite3_result_int(ctx, v && !strcmp(v, ls__status_started));
}

static void status_terminal_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  sqlite3_result_int(ctx, ls__status_is_terminal((const char *)sqlite3_value_text(argv[0])));
}

/* ls_status_initial(), ls_verified_status(): a constant of rules.c (its address is the user data). */
static void constant_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc, (void)argv;
  sqlite3_result_text(ctx, sqlite3_user_data(ctx), -1, SQLITE_STATIC);
}

static unsigned char ascii_lower(unsigned char ch) { return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch; }

/*
 * ls_contains_ci(text, needle): whether needle is a substring of text with
 * ASCII letters folded (bytes ≥ 0x80 compared as they are; % and _ are
 * plain characters) — the search of list_businesses, independent of any
 * locale; PostgreSQL's ls_contains_ci (0007_reads.sql) folds the same way.
 * NULL text contains nothing.
 */
static void contains_ci_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  const unsigned char *h = sqlite3_value_text(argv[0]), *n = sqlite3_value_text(argv[1]);
  if (!n) {
    sqlite3_result_null(ctx);
    return;
  }
  int found = 0;
  size_t hn = h ? (size_t)sqlite3_value_bytes(argv[0]) : 0, nn = (size_t)sqlite3_value_bytes(argv[1]);
  for (size_t i = 0; h && !found && i + nn <= hn; i++) {
    size_t j = 0;
    while (j < nn && ascii_lower(h[i + j]) == ascii_lower(n[j])) j++;
    found = j == nn;
  }
  sqlite3_result_int(ctx, found);
}

/* The SQL functions of the rules (rules.c) that the statements of queries.sql use. */
int ls__sq_create_functions(sqlite3 *conn) {
  static const struct {
    const char *name;
    int args;
    void (*fn)(sqlite3_context *, int, sqlite3_value **);
    const char *data;
  } fns[] = {
      {"ls_email_ok", 1, email_ok_fn, NULL},
      {"ls_email_clean", 1, email_clean_fn, NULL},
      {"ls_source_rank", 1, source_rank_fn, NULL},
      {"ls_value_ok", 2, value_ok_fn, NULL},
      {"ls_contains_ci", 2, contains_ci_fn, NULL},
      {"ls_status_started", 1, status_started_fn, NULL},
      {"ls_status_terminal", 1, status_terminal_fn, NULL},
      {"ls_status_initial", 0, constant_fn, ls__status_initial},
      {"ls_verified_status", 0, constant_fn, ls__verified_status},
  };
  int rc = SQLITE_OK;
  for (size_t i = 0; rc == SQLITE_OK && i < sizeof fns / sizeof fns[0]; i++)
    rc = sqlite3_create_function_v2(conn, fns[i].name, fns[i].args,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, (void *)fns[i].data,
                                    fns[i].fn, NULL, NULL, NULL);
  return rc;
}
