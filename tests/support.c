/*
 * support.c — shared test machinery (see support.h), including the runner
 * of the conformance cases.
 *
 * A case file (tests/cases/NAME.case) is a list of cases; each starts with
 * `=== title` on a fresh database and is a list of steps:
 *
 *   call OP [as service|anon|org:UUID]   one call (service_role by default)
 *   params {JSON}                        its parameters ($name = a saved value;
 *                                        "@zips:N" / "@businesses:N" = N generated elements)
 *   expect {JSON}                        subset of the result that must match
 *   error CODE                           the call must fail with this error_code
 *   save NAME = PATH                     keep result.PATH (dotted) as $NAME
 *   repeat N                             make the call N times, each must match
 *   rows TABLE N                         TABLE has N rows now
 *   check clean                          every invariant of SPEC §8 holds
 *
 * Lines starting with white space continue the previous line; `#` starts a
 * comment line.  A call with neither `expect` nor `error` must succeed.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "support.h"

/*--- TAP ---------------------------------------------------------------------*/

static int tap_n, tap_failed;

int tap_ok(int cond, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  if (!cond) tap_failed++;
  fflush(stdout);
  return cond;
}

void tap_diag(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("# ");
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  fflush(stdout);
}

int tap_done(void) {
  printf("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}

/*--- Scratch space ------------------------------------------------------------*/

static char scratch[64];

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(p);
}

static void rm_scratch(void) {
  if (scratch[0] && !getenv("LEADSTORE_KEEP_TEST_FILES")) nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *ts_dir(void) {
  if (!scratch[0]) {
    snprintf(scratch, sizeof scratch, "/tmp/leadstore-test-XXXXXX");
    if (!mkdtemp(scratch)) {
      perror("mkdtemp");
      exit(2);
    }
    atexit(rm_scratch);
  }
  return scratch;
}

char *ts_db_path(const char *name) {
  static int n;
  char *p = NULL;
  if (asprintf(&p, "%s/%s-%d.db", ts_dir(), name, ++n) < 0) exit(2);
  return p;
}

leadstore *ts_open(const char *path) {
  leadstore *db = NULL;
  char *msg = NULL;
  if (leadstore_open(path, NULL, &db, &msg) != LEADSTORE_OK) {
    printf("Bail out! cannot open %s: %s\n", path, msg ? msg : "?");
    exit(2);
  }
  return db;
}

const leadstore_caller ts_service = {LEADSTORE_ROLE_SERVICE, NULL};

leadstore_caller ts_member(const char *org) { return (leadstore_caller){LEADSTORE_ROLE_AUTHENTICATED, org}; }

/*--- Calls ------------------------------------------------------------------------*/

json_t *ts_call(leadstore *db, const leadstore_caller *who, const char *op, const char *fmt, ...) {
  char *params = NULL, *result = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&params, fmt, ap) < 0) exit(2);
  va_end(ap);
  leadstore_call(db, who, op, params, &result);
  json_error_t e;
  json_t *r = result ? json_loads(result, 0, &e) : NULL;
  if (!r) r = json_pack("{s:b, s:s, s:s}", "success", 0, "error_code", "none", "error", "unparseable result");
  free(params);
  leadstore_free(result);
  return r;
}

const char *ts_str(json_t *result, const char *key) {
  const char *s = json_string_value(json_object_get(result, key));
  return s ? s : "";
}

bool ts_success(json_t *result) { return json_is_true(json_object_get(result, "success")); }

const char *ts_code(json_t *result) { return ts_success(result) ? "" : ts_str(result, "error_code"); }

int ts_check(leadstore *db) {
  char *report = NULL;
  int rc = leadstore_check(db, &report);
  json_t *r = report ? json_loads(report, 0, NULL) : NULL;
  int n = -1;
  if (rc == LEADSTORE_OK && r) {
    json_t *v = json_object_get(r, "violations");
    n = (int)json_array_size(v);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) tap_diag("violation %lld: %s", (long long)json_integer_value(json_object_get(e, "invariant")),
                                         json_string_value(json_object_get(e, "detail")));
  } else {
    tap_diag("check could not run: %s", report ? report : "?");
  }
  json_decref(r);
  leadstore_free(report);
  return n;
}

char *ts_copy(const char *src) {
  char *dst = ts_db_path("copy");
  sqlite3 *from = NULL, *to = NULL;
  int rc = sqlite3_open(src, &from);
  if (rc == SQLITE_OK) rc = sqlite3_open(dst, &to);
  sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(to, "main", from, "main") : NULL;
  if (b) {
    sqlite3_backup_step(b, -1);
    rc = sqlite3_backup_finish(b);
  }
  sqlite3_close(from);
  sqlite3_close(to);
  if (rc != SQLITE_OK || !b) {
    printf("Bail out! cannot copy %s\n", src);
    exit(2);
  }
  return dst;
}

bool ts_row_exists(const char *target, const char *table, const char *id) {
  char sql[160];
  bool pg = strchr(target, '=') || !strncmp(target, "postgres", 8);
  snprintf(sql, sizeof sql, "SELECT 1 FROM %s WHERE id = %s", table, pg ? "$1::uuid" : "?1");
  bool found = false;
  if (pg) {
    PGconn *c = PQconnectdb(target);
    const char *values[1] = {id};
    PGresult *r = PQexecParams(c, sql, 1, NULL, values, NULL, NULL, 0);
    found = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    PQfinish(c);
  } else {
    sqlite3 *conn = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(target, &conn, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(conn, sql, -1, &st, NULL) == SQLITE_OK) {
      sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
      found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    sqlite3_close(conn);
  }
  return found;
}

/*--- Dumps --------------------------------------------------------------------------*/

static const char *const dump_tables[] = {
    "gmaps_campaigns",           "gmaps_campaign_coverage",    "gmaps_businesses",
    "gmaps_facebook_enrichments", "gmaps_linkedin_enrichments", "gmaps_api_costs",
    "gmaps_email_verifications", "gmaps_campaign_status_history", "gmaps_rpc_requests"};

char *ts_dump(const char *path) {
  sqlite3 *conn = NULL;
  if (sqlite3_open_v2(path, &conn, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    sqlite3_close(conn);
    return strdup("(cannot open)");
  }
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  for (size_t t = 0; t < sizeof dump_tables / sizeof dump_tables[0]; t++) {
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY id", dump_tables[t]);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(conn, sql, -1, &st, NULL) != SQLITE_OK) {
      fprintf(f, "%s: %s\n", dump_tables[t], sqlite3_errmsg(conn));
      continue;
    }
    fprintf(f, "[%s]\n", dump_tables[t]);
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); i++) {
        const unsigned char *v = sqlite3_column_text(st, i);
        fprintf(f, "%s|", v ? (const char *)v : "NULL");
      }
      fputc('\n', f);
    }
    sqlite3_finalize(st);
  }
  fclose(f);
  sqlite3_close(conn);
  return out;
}

/*--- Matching ------------------------------------------------------------------------*/

static bool uuid_like(const char *s) {
  if (!s || strlen(s) != 36) return false;
  for (int i = 0; i < 36; i++)
    if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !isxdigit((unsigned char)s[i])) return false;
  return true;
}

static bool match_at(const json_t *e, const json_t *a, char *path, size_t pathsz, char *why, size_t whysz) {
  const char *es = json_string_value(e);
  if (es && !strcmp(es, "$any")) {
    if (a && !json_is_null(a)) return true;
  } else if (es && !strcmp(es, "$uuid")) {
    if (uuid_like(json_string_value(a))) return true;
  } else if (es && !strcmp(es, "$ts")) {
    const char *as = json_string_value(a);
    if (as && strlen(as) >= 20 && as[4] == '-' && as[10] == 'T' && as[strlen(as) - 1] == 'Z') return true;
  } else if (json_is_number(e) && json_is_number(a)) {
    if (json_number_value(e) == json_number_value(a)) return true;
  } else if (json_is_object(e) && json_is_object(a)) {
    const char *k;
    json_t *v;
    size_t base = strlen(path);
    json_object_foreach((json_t *)e, k, v) {
      snprintf(path + base, pathsz - base, ".%s", k);
      json_t *av = json_object_get(a, k);
      if (!av) {
        snprintf(why, whysz, "%s is missing", path);
        return false;
      }
      if (!match_at(v, av, path, pathsz, why, whysz)) return false;
    }
    path[base] = '\0';
    return true;
  } else if (json_is_array(e) && json_is_array(a)) {
    if (json_array_size(e) != json_array_size(a)) {
      snprintf(why, whysz, "%s has %zu elements, expected %zu", path[0] ? path : "result", json_array_size(a),
               json_array_size(e));
      return false;
    }
    size_t base = strlen(path);
    for (size_t i = 0; i < json_array_size(e); i++) {
      snprintf(path + base, pathsz - base, "[%zu]", i);
      if (!match_at(json_array_get(e, i), json_array_get(a, i), path, pathsz, why, whysz)) return false;
    }
    path[base] = '\0';
    return true;
  } else if (json_equal((json_t *)e, (json_t *)a)) {
    return true;
  }
  char *et = json_dumps(e, JSON_ENCODE_ANY | JSON_COMPACT), *at = a ? json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
  snprintf(why, whysz, "%s is %.200s, expected %.200s", path[0] ? path : "result", at ? at : "(missing)", et ? et : "?");
  free(et);
  free(at);
  return false;
}

bool ts_match(const json_t *expect, const json_t *actual, char *why, size_t whysz) {
  char path[512] = "";
  return match_at(expect, actual, path, sizeof path, why, whysz);
}

char *ts_build_path(const char *argv0, const char *name) {
  /* argv0 is <build>/t/<test>.t */
  char *copy = strdup(argv0), *p = NULL;
  char *slash = strrchr(copy, '/');
  if (slash) *slash = '\0';
  slash = strrchr(copy, '/');
  if (slash) *slash = '\0';
  else strcpy(copy, ".");
  if (asprintf(&p, "%s/%s", slash ? copy : ".", name) < 0) exit(2);
  free(copy);
  return p;
}

/*--- Cases ------------------------------------------------------------------------------*/

enum { MAX_SAVES = 8, MAX_VARS = 64 };

typedef struct step {
  enum { S_CALL, S_ROWS, S_CHECK } kind;
  int line;
  char op[96], as[128];
  char *params, *expect;
  char error[16];
  long repeat;
  int nsaves;
  char save_name[MAX_SAVES][32], save_path[MAX_SAVES][128];
  char table[64];
  long long rows;
} step;

typedef struct vars {
  int n;
  char name[MAX_VARS][32];
  char *value[MAX_VARS];
} vars;

static void vars_set(vars *v, const char *name, const char *value) {
  for (int i = 0; i < v->n; i++)
    if (!strcmp(v->name[i], name)) {
      free(v->value[i]);
      v->value[i] = strdup(value);
      return;
    }
  if (v->n == MAX_VARS) return;
  snprintf(v->name[v->n], sizeof v->name[0], "%s", name);
  v->value[v->n++] = strdup(value);
}

static void vars_free(vars *v) {
  for (int i = 0; i < v->n; i++) free(v->value[i]);
  v->n = 0;
}

/* "@zips:N" → N coverage elements; "@businesses:N" → N businesses (with quotes). */
static void generate(FILE *out, const char *what, long n) {
  fputc('[', out);
  for (long i = 0; i < n; i++) {
    if (i) fputc(',', out);
    if (!strcmp(what, "zips")) fprintf(out, "{\"zip_code\":\"%05ld\"}", 10000 + i);
    else fprintf(out, "{\"place_id\":\"gen-%ld\",\"name\":\"Business %ld\"%s}", i, i,
                 i % 3 == 0 ? ",\"email\":\"owner@example.com\"" : "");
  }
  fputc(']', out);
}

/* Replaces $name (saved values) and "@what:N" generators in text; a new string. */
static char *expand(const char *text, const vars *v) {
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  for (const char *p = text; *p;) {
    if (*p == '$' && (isalpha((unsigned char)p[1]) || p[1] == '_')) {
      size_t n = 1;
      while (isalnum((unsigned char)p[n]) || p[n] == '_') n++;
      int found = -1;
      for (int i = 0; i < v->n; i++)
        if (strlen(v->name[i]) == n - 1 && !strncmp(v->name[i], p + 1, n - 1)) found = i;
      if (found >= 0) {
        fputs(v->value[found], f);
        p += n;
        continue;
      }
    }
    if (*p == '"' && p[1] == '@') {
      char what[32];
      long n;
      int used = 0;
      if (sscanf(p + 2, "%31[a-z]:%ld\"%n", what, &n, &used) == 2 && used > 0) {
        generate(f, what, n);
        p += 2 + used;
        continue;
      }
    }
    fputc(*p++, f);
  }
  fclose(f);
  return out;
}

/* Appends continuation text to a directive's buffer. */
static void append(char **buf, const char *more) {
  size_t a = *buf ? strlen(*buf) : 0, b = strlen(more);
  char *n = realloc(*buf, a + b + 2);
  if (!n) exit(2);
  if (a) n[a++] = ' ';
  memcpy(n + a, more, b + 1);
  *buf = n;
}

/* Runs the CLI with params on stdin; returns its exit status, output in *out. */
static int run_cli(const char *cli, const char *db, const char *as, const char *op, const char *params, char **out) {
  int in[2], outp[2];
  if (pipe(in) || pipe(outp)) exit(2);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(outp[1], 1);
    close(in[1]);
    close(outp[0]);
    const char *argv[12];
    int n = 0;
    argv[n++] = cli;
    argv[n++] = "--db";
    argv[n++] = db;
    if (!strncmp(as, "org:", 4)) argv[n++] = "--org", argv[n++] = as + 4;
    else if (!strcmp(as, "anon")) argv[n++] = "--role", argv[n++] = "anon";
    argv[n++] = "call";
    argv[n++] = op;
    argv[n++] = "-";
    argv[n] = NULL;
    execv(cli, (char **)argv);
    _exit(127);
  }
  close(in[0]);
  close(outp[1]);
  size_t left = strlen(params);
  const char *p = params;
  while (left > 0) {
    ssize_t w = write(in[1], p, left);
    if (w <= 0) break;
    p += w, left -= (size_t)w;
  }
  close(in[1]);
  size_t len = 0;
  FILE *f = open_memstream(out, &len);
  char buf[4096];
  ssize_t r;
  while ((r = read(outp[0], buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)r, f);
  fclose(f);
  close(outp[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

typedef struct runner {
  ts_mode mode;
  const char *cli;     /* TS_CLI: the binary; TS_PG: the database; TS_HTTP: the server's URL */
  const char *target;  /* TS_HTTP: the server's database */
  char *path;          /* the database of the case */
  leadstore *db;       /* the handle calls go through (NULL for TS_CLI) */
  vars v;
  char why[1024];
} runner;

static leadstore_caller caller_for(const char *as) {
  if (!strcmp(as, "anon")) return (leadstore_caller){LEADSTORE_ROLE_ANON, NULL};
  if (!strncmp(as, "org:", 4)) return ts_member(as + 4);
  return ts_service;
}

/* One call of a step: result parsed, compared; false with r->why on mismatch. */
static bool call_once(runner *r, const step *s, const char *params, json_t *expect) {
  json_t *res = NULL;
  int exit_status = -1;
  if (r->mode != TS_CLI) {
    leadstore_caller who = caller_for(s->as);
    char *text = NULL;
    leadstore_call(r->db, &who, s->op, params, &text);
    res = text ? json_loads(text, 0, NULL) : NULL;
    leadstore_free(text);
  } else {
    char *text = NULL;
    exit_status = run_cli(r->cli, r->path, s->as, s->op, params, &text);
    res = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
  }
  bool ok = res != NULL;
  if (!ok) snprintf(r->why, sizeof r->why, "line %d: no JSON result", s->line);
  const char *code = res ? ts_code(res) : "";
  if (ok && s->error[0]) {
    ok = !ts_success(res) && !strcmp(code, s->error);
    if (!ok)
      snprintf(r->why, sizeof r->why, "line %d: expected error %s, got %s: %s", s->line, s->error,
               ts_success(res) ? "success" : code, ts_str(res, "error"));
  } else if (ok && !expect && !ts_success(res)) {
    ok = false;
    snprintf(r->why, sizeof r->why, "line %d: expected success, got %s: %s", s->line, code, ts_str(res, "error"));
  }
  if (ok && expect && !ts_match(expect, res, r->why, sizeof r->why)) {
    ok = false;
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "line %d: %s", s->line, r->why);
    snprintf(r->why, sizeof r->why, "%s", tmp);
  }
  if (ok && exit_status >= 0) {
    int want = ts_success(res) ? 0 : leadstore_status_exit(leadstore_status_from_sqlstate(code));
    if (exit_status != want) {
      ok = false;
      snprintf(r->why, sizeof r->why, "line %d: the CLI exited %d, expected %d", s->line, exit_status, want);
    }
  }
  for (int i = 0; ok && i < s->nsaves; i++) {
    json_t *v = res;
    char path[128];
    snprintf(path, sizeof path, "%s", s->save_path[i]);
    for (char *save = NULL, *part = strtok_r(path, ".", &save); v && part; part = strtok_r(NULL, ".", &save))
      v = json_is_array(v) ? json_array_get(v, strtoul(part, NULL, 10)) : json_object_get(v, part);
    char *text = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    if (!text) {
      ok = false;
      snprintf(r->why, sizeof r->why, "line %d: nothing at %s to save", s->line, s->save_path[i]);
      break;
    }
    /* strings are saved without their quotes, to be used inside "…" */
    vars_set(&r->v, s->save_name[i], json_is_string(v) ? json_string_value(v) : text);
    free(text);
  }
  json_decref(res);
  return ok;
}

static bool run_step(runner *r, const step *s) {
  if (s->kind == S_ROWS) { /* over HTTP too, counted in the database itself */
    long long n = -1;
    bool own = !r->db || r->mode == TS_HTTP;
    leadstore *db = own ? ts_open(r->path) : r->db;
    int rc = leadstore_test_count_rows(db, s->table, &n);
    if (own) leadstore_close(db);
    if (rc || n != s->rows) {
      snprintf(r->why, sizeof r->why, "line %d: %s has %lld rows, expected %lld", s->line, s->table, n, s->rows);
      return false;
    }
    return true;
  }
  if (s->kind == S_CHECK) {
    leadstore *db = r->db ? r->db : ts_open(r->path);
    int n = ts_check(db);
    if (!r->db) leadstore_close(db);
    if (n != 0) snprintf(r->why, sizeof r->why, "line %d: check found %d violations", s->line, n);
    return n == 0;
  }
  char *params = expand(s->params ? s->params : "{}", &r->v);
  char *expect_text = s->expect ? expand(s->expect, &r->v) : NULL;
  json_error_t je;
  json_t *expect = expect_text ? json_loads(expect_text, 0, &je) : NULL;
  bool ok = true;
  if (expect_text && !expect) {
    snprintf(r->why, sizeof r->why, "line %d: bad expect JSON: %s", s->line, je.text);
    ok = false;
  }
  for (long i = 0; ok && i < (s->repeat > 0 ? s->repeat : 1); i++) ok = call_once(r, s, params, expect);
  json_decref(expect);
  free(expect_text);
  free(params);
  return ok;
}

static void free_steps(step *steps, int n) {
  for (int i = 0; i < n; i++) free(steps[i].params), free(steps[i].expect);
}

void ts_pg_reset(const char *url) {
  PGconn *conn = PQconnectdb(url);
  PGresult *res = PQexec(conn,
                         "SET client_min_messages = warning; "
                         "TRUNCATE gmaps_campaigns, gmaps_campaign_coverage, gmaps_businesses, "
                         "gmaps_facebook_enrichments, gmaps_linkedin_enrichments, gmaps_api_costs, "
                         "gmaps_email_verifications, gmaps_campaign_status_history, gmaps_rpc_requests CASCADE");
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    printf("Bail out! cannot empty %s: %s\n", url, PQerrorMessage(conn));
    exit(2);
  }
  PQclear(res);
  PQfinish(conn);
}

char *ts_pg_database(const char *argv0) {
  const char *server = getenv("LEADSTORE_TEST_PG");
  if (!server || !*server) {
    printf("Bail out! LEADSTORE_TEST_PG is not set (make test starts a server and sets it)\n");
    return NULL;
  }
  if (!strncmp(server, "postgres", 8)) return strdup(server);
  char name[64] = "lstest_";
  size_t n = strlen(name);
  for (const char *p = argv0; *p && n < sizeof name - 1; p++)
    if (isalnum((unsigned char)*p)) name[n++] = (char)tolower((unsigned char)*p);
  name[n] = '\0';
  char *admin = NULL, *url = NULL;
  if (asprintf(&admin, "%s dbname=postgres", server) < 0 || asprintf(&url, "%s dbname=%s", server, name) < 0) exit(2);
  PGconn *conn = PQconnectdb(admin);
  PQclear(PQexec(conn, "SET client_min_messages = warning"));
  char sql[256];
  snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
  PQclear(PQexec(conn, sql));
  snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
  PGresult *res = PQexec(conn, sql);
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    printf("Bail out! cannot create %s: %s\n", name, PQerrorMessage(conn));
    exit(2);
  }
  PQclear(res);
  PQfinish(conn);
  free(admin);
  return url;
}

/* Empties every leadstore table of the SQLite file at path (children go by cascade). */
static void sqlite_reset(const char *path) {
  sqlite3 *db = NULL;
  char *msg = NULL;
  if (sqlite3_open(path, &db) != SQLITE_OK || sqlite3_busy_timeout(db, 10000) != SQLITE_OK ||
      sqlite3_exec(db,
                   "PRAGMA foreign_keys = ON; BEGIN IMMEDIATE; DELETE FROM gmaps_campaigns; "
                   "DELETE FROM gmaps_rpc_requests; COMMIT",
                   NULL, NULL, &msg) != SQLITE_OK) {
    printf("Bail out! cannot empty %s: %s\n", path, msg ? msg : sqlite3_errmsg(db));
    exit(2);
  }
  sqlite3_close(db);
}

/* Runs one case: a fresh database, every step in order. */
static void run_case(runner *r, const char *file, const char *title, step *steps, int n) {
  if (r->mode == TS_PG) {
    r->path = strdup(r->cli); /* the database URL */
    ts_pg_reset(r->path);
  } else if (r->mode == TS_HTTP) { /* one server: its database is emptied */
    r->path = strdup(r->target);
    if (strncmp(r->path, "postgres", 8) && !strchr(r->path, '=')) sqlite_reset(r->path);
    else ts_pg_reset(r->path);
  } else {
    r->path = ts_db_path("case");
  }
  r->db = r->mode == TS_HTTP ? ts_open(r->cli) : r->mode != TS_CLI ? ts_open(r->path) : NULL;
  if (r->mode == TS_CLI) { /* create the file, as a user would with `leadstore init` */
    leadstore *db = ts_open(r->path);
    leadstore_close(db);
  }
  bool ok = true;
  for (int i = 0; ok && i < n; i++) ok = run_step(r, &steps[i]);
  if (!tap_ok(ok, "%s: %s", file, title)) tap_diag("%s", r->why);
  leadstore_close(r->db);
  r->db = NULL;
  free(r->path);
  vars_free(&r->v);
}

/* Parses and runs one case file. */
static void run_file(runner *r, const char *dir, const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  if (!f) {
    tap_ok(0, "%s: cannot open", name);
    return;
  }
  step steps[256];
  int n = 0, lineno = 0;
  char title[256] = "";
  char *line = NULL, **cont = NULL;
  size_t cap = 0;
  ssize_t len;
  while ((len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    if (len == 0 || line[0] == '#') continue;
    if (isspace((unsigned char)line[0])) {
      if (cont) append(cont, line);
      continue;
    }
    cont = NULL;
    step *s = n > 0 ? &steps[n - 1] : NULL;
    if (!strncmp(line, "=== ", 4)) {
      if (title[0]) run_case(r, name, title, steps, n);
      free_steps(steps, n);
      n = 0;
      snprintf(title, sizeof title, "%s", line + 4);
    } else if (!strncmp(line, "call ", 5) && n < 256) {
      s = &steps[n++];
      memset(s, 0, sizeof *s);
      s->kind = S_CALL;
      s->line = lineno;
      snprintf(s->as, sizeof s->as, "service");
      sscanf(line + 5, "%95s as %127s", s->op, s->as);
    } else if (!strncmp(line, "params ", 7) && s && s->kind == S_CALL) {
      append(&s->params, line + 7);
      cont = &s->params;
    } else if (!strncmp(line, "expect ", 7) && s && s->kind == S_CALL) {
      append(&s->expect, line + 7);
      cont = &s->expect;
    } else if (!strncmp(line, "error ", 6) && s && s->kind == S_CALL) {
      snprintf(s->error, sizeof s->error, "%s", line + 6);
    } else if (!strncmp(line, "repeat ", 7) && s && s->kind == S_CALL) {
      s->repeat = atol(line + 7);
    } else if (!strncmp(line, "save ", 5) && s && s->kind == S_CALL && s->nsaves < MAX_SAVES) {
      sscanf(line + 5, "%31s = %127s", s->save_name[s->nsaves], s->save_path[s->nsaves]);
      s->nsaves++;
    } else if (!strncmp(line, "rows ", 5) && n < 256) {
      s = &steps[n++];
      memset(s, 0, sizeof *s);
      s->kind = S_ROWS;
      s->line = lineno;
      sscanf(line + 5, "%63s %lld", s->table, &s->rows);
    } else if (!strcmp(line, "check clean") && n < 256) {
      s = &steps[n++];
      memset(s, 0, sizeof *s);
      s->kind = S_CHECK;
      s->line = lineno;
    } else {
      tap_ok(0, "%s:%d: cannot read: %s", name, lineno, line);
    }
  }
  if (title[0]) run_case(r, name, title, steps, n);
  free_steps(steps, n);
  free(line);
  fclose(f);
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static int is_case(const struct dirent *d) {
  size_t n = strlen(d->d_name);
  return n > 5 && !strcmp(d->d_name + n - 5, ".case");
}

/* Runs every case file of dir with the runner r. */
static void run_dir(runner *r, const char *dir) {
  struct dirent **list = NULL;
  int n = scandir(dir, &list, is_case, by_name);
  if (n <= 0) {
    tap_ok(0, "no case files in %s", dir);
    return;
  }
  for (int i = 0; i < n; i++) {
    run_file(r, dir, list[i]->d_name);
    free(list[i]);
  }
  free(list);
}

void ts_run_cases(const char *dir, ts_mode mode, const char *cli) {
  runner r = {.mode = mode, .cli = cli};
  run_dir(&r, dir);
}

void ts_run_cases_http(const char *dir, const char *url, const char *db) {
  runner r = {.mode = TS_HTTP, .cli = url, .target = db};
  run_dir(&r, dir);
}

/*--- A server -----------------------------------------------------------------------*/

char *ts_serve(const char *cli, const char *db, pid_t *pid) {
  int out[2];
  if (pipe(out)) exit(2);
  char log[512];
  snprintf(log, sizeof log, "%s/serve-%d.log", ts_dir(), (int)getpid());
  *pid = fork();
  if (*pid < 0) exit(2);
  if (*pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) dup2(fd, 2);
    execl(cli, cli, "serve", "--db", db, "--listen", "127.0.0.1:0", (char *)NULL);
    _exit(127);
  }
  close(out[1]);
  FILE *f = fdopen(out[0], "r");
  char *line = NULL, *url = NULL;
  size_t cap = 0;
  const char *ready = "leadstore: listening on ";
  if (getline(&line, &cap, f) > 0 && !strncmp(line, ready, strlen(ready))) {
    url = strdup(line + strlen(ready));
    url[strcspn(url, "\r\n")] = '\0';
  } else {
    tap_diag("the server did not start (see %s): %s", log, line ? line : "no output");
    kill(*pid, SIGKILL);
    waitpid(*pid, NULL, 0);
  }
  free(line);
  fclose(f); /* the server prints nothing more on stdout */
  return url;
}

int ts_serve_stop(pid_t pid) {
  int status = 0;
  kill(pid, SIGTERM);
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* base64url without padding of n bytes, into a new string. */
static char *b64url(const void *in, size_t n) {
  char *out = malloc(4 * ((n + 2) / 3) + 1);
  if (!out) exit(2);
  int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
  while (len > 0 && out[len - 1] == '=') len--;
  out[len] = '\0';
  for (char *p = out; *p; p++) *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  return out;
}

char *ts_jwt(const char *header, const char *claims, const char *digest, const char *secret, const char *sig) {
  char *h = b64url(header, strlen(header)), *c = b64url(claims, strlen(claims));
  char *signing = NULL, *tok = NULL, *s = NULL;
  if (asprintf(&signing, "%s.%s", h, c) < 0) exit(2);
  if (sig) {
    s = strdup(sig);
  } else {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    HMAC(EVP_get_digestbyname(digest), secret, (int)strlen(secret), (unsigned char *)signing, strlen(signing), mac,
         &maclen);
    s = b64url(mac, maclen);
  }
  if (asprintf(&tok, "%s.%s", signing, s) < 0) exit(2);
  free(h);
  free(c);
  free(signing);
  free(s);
  return tok;
}
