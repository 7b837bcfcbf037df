/*
 * support.c — shared test machinery (see support.h), including the runner
 * of the conformance cases.
 *
 * A case file (tests/cases/NAME.case) is a list of cases; each starts with
 * `=== title` on a fresh database and is a list of steps:
 *
 *   call OP [as service|anon|org:UUID]   one call (service_role by default)
 *   params {JSON}                        its parameters ($name = a saved value, $^name
 *                                        the same in upper case;
 *                                        "@zips:N" / "@businesses:N" = N generated elements,
 *                                        "@strings:N" = an array of N strings,
 *                                        "@nest:N" = N nested arrays [[…]],
 *                                        "@repeat:TEXT:N" = a string of TEXT N times,
 *                                        TEXT as written: "@repeat:\u00e9:256")
 *   params-raw TEXT                      parameters as bytes, not JSON: as params,
 *                                        then \xNN is the byte NN (invalid UTF-8)
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

#include "internal.h" /* ls__result_text, ls__op_find: the library's own canonical form and table */
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
  leadstore_options create = {.create = 1}; /* a scratch database: made on first use */
  if (leadstore_open(path, &create, &db, &msg) != LEADSTORE_OK) {
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
  bool raw; /* params-raw: \xNN escapes are bytes */
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

/* "@zips:N" → N coverage elements; "@businesses:N" → N businesses;
 * "@strings:N" → N strings; "@nest:N" → N nested arrays (replacing the quotes). */
static void generate(FILE *out, const char *what, long n) {
  if (!strcmp(what, "nest")) {
    for (long i = 0; i < n; i++) fputc('[', out);
    for (long i = 0; i < n; i++) fputc(']', out);
    return;
  }
  fputc('[', out);
  for (long i = 0; i < n; i++) {
    if (i) fputc(',', out);
    if (!strcmp(what, "zips")) fprintf(out, "{\"zip_code\":\"%05ld\"}", 10000 + i);
    else if (!strcmp(what, "strings")) fprintf(out, "\"s%ld\"", i);
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
    bool upper = p[0] == '$' && p[1] == '^'; /* $^name: the value in upper case */
    if (*p == '$' && (isalpha((unsigned char)p[1 + upper]) || p[1 + upper] == '_')) {
      size_t n = 1 + upper;
      while (isalnum((unsigned char)p[n]) || p[n] == '_') n++;
      int found = -1;
      size_t skip = 1 + upper;
      for (int i = 0; i < v->n; i++)
        if (strlen(v->name[i]) == n - skip && !strncmp(v->name[i], p + skip, n - skip)) found = i;
      if (found >= 0) {
        for (const char *c = v->value[found]; *c; c++) fputc(upper ? toupper((unsigned char)*c) : *c, f);
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
      char unit[64];
      if (sscanf(p + 2, "repeat:%63[^:\"]:%ld\"%n", unit, &n, &used) == 2 && used > 0) {
        fputc('"', f);
        for (long i = 0; i < n; i++) fputs(unit, f);
        fputc('"', f);
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
    argv[n++] = "--create"; /* the case's scratch database */
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
    char tmp[sizeof r->why];
    memcpy(tmp, r->why, sizeof tmp); /* a diagnostic: its end may be cut */
    snprintf(r->why, sizeof r->why, "line %d: %.*s", s->line, (int)sizeof tmp - 32, tmp);
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

/* Replaces each \xNN of text (in place) by the byte NN. */
static void unescape_bytes(char *text) {
  char *out = text;
  for (const char *p = text; *p;) {
    if (p[0] == '\\' && p[1] == 'x' && isxdigit((unsigned char)p[2]) && isxdigit((unsigned char)p[3])) {
      char hex[3] = {p[2], p[3], '\0'};
      *out++ = (char)strtoul(hex, NULL, 16);
      p += 4;
    } else {
      *out++ = *p++;
    }
  }
  *out = '\0';
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
  if (s->raw) unescape_bytes(params);
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

char *ts_read_file(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, n, m);
  fclose(f);
  fclose(m);
  return buf;
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
    } else if (!strncmp(line, "params-raw ", 11) && s && s->kind == S_CALL) {
      append(&s->params, line + 11);
      s->raw = true;
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

/*--- Canonical table contents -----------------------------------------------------------*/

/* Sorts rows by their "id". */
static int by_id(const void *a, const void *b) {
  const char *x = json_string_value(json_object_get(*(json_t *const *)a, "id"));
  const char *y = json_string_value(json_object_get(*(json_t *const *)b, "id"));
  return strcmp(x ? x : "", y ? y : "");
}

/* The rows (objects) of `rows` sorted by id, each in the library's canonical text, as one array. */
static json_t *canonical_rows(json_t *rows) {
  size_t n = json_array_size(rows);
  json_t **v = calloc(n ? n : 1, sizeof *v);
  for (size_t i = 0; i < n; i++) {
    v[i] = json_array_get(rows, i);
    json_object_del(v[i], "params_hash");
  }
  qsort(v, n, sizeof *v, by_id);
  json_t *out = json_array();
  for (size_t i = 0; i < n; i++) {
    char *text = ls__result_text(v[i]);
    json_array_append_new(out, json_loads(text, 0, NULL));
    ls__free(text);
  }
  free(v);
  return out;
}

static json_t *sqlite_rows(const char *path, const char *table) {
  sqlite3 *conn = NULL;
  sqlite3_stmt *st = NULL;
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT * FROM %s", table); /* table: from ls__tables */
  if (sqlite3_open_v2(path, &conn, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(conn, sql, -1, &st, NULL) != SQLITE_OK) {
    sqlite3_close(conn);
    return NULL;
  }
  json_t *rows = json_array();
  while (sqlite3_step(st) == SQLITE_ROW) {
    json_t *row = json_object();
    for (int i = 0; i < sqlite3_column_count(st); i++) {
      const char *decl = sqlite3_column_decltype(st, i);
      const char *text = (const char *)sqlite3_column_text(st, i);
      json_t *v;
      if (sqlite3_column_type(st, i) == SQLITE_NULL) v = json_null();
      else if (decl && !strcmp(decl, "BOOL_INT")) v = json_boolean(sqlite3_column_int(st, i));
      else if (decl && !strcmp(decl, "JSON_TEXT")) v = json_loads(text, JSON_DECODE_ANY, NULL);
      else if (sqlite3_column_type(st, i) == SQLITE_INTEGER) v = json_integer(sqlite3_column_int64(st, i));
      else if (sqlite3_column_type(st, i) == SQLITE_FLOAT) v = json_real(sqlite3_column_double(st, i));
      else v = json_string(text);
      json_object_set_new(row, sqlite3_column_name(st, i), v ? v : json_string("(unreadable JSON)"));
    }
    json_array_append_new(rows, row);
  }
  sqlite3_finalize(st);
  sqlite3_close(conn);
  return rows;
}

/* One connection for every table read of a program, closed at exit. */
static PGconn *rows_conn;
static char *rows_url;

static void rows_close(void) {
  PQfinish(rows_conn);
  free(rows_url);
}

static PGconn *rows_connection(const char *url) {
  if (rows_conn && !strcmp(rows_url, url) && PQstatus(rows_conn) == CONNECTION_OK) return rows_conn;
  if (!rows_url) atexit(rows_close);
  PQfinish(rows_conn);
  free(rows_url);
  rows_url = strdup(url);
  rows_conn = PQconnectdb(url);
  return rows_conn;
}

static json_t *pg_rows(const char *url, const char *table) {
  PGconn *conn = rows_connection(url);
  /* money (numeric) as micro-dollars and timestamps as the API prints them,
   * built from the catalog; everything else as to_jsonb spells it */
  const char *values[1] = {table};
  PGresult *res = PQexecParams(conn,
                               "SELECT format('SELECT (to_jsonb(t) || jsonb_build_object(%s))::text FROM %I t', "
                               "  coalesce(string_agg(CASE WHEN atttypid = 'numeric'::regtype "
                               "    THEN format('%L, (t.%I * 1000000)::bigint', attname, attname) "
                               "    ELSE format('%L, to_char(t.%I AT TIME ZONE ''UTC'', "
                               "                ''YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'')', attname, attname) END, ', '), ''), $1::text) "
                               "  FROM pg_attribute "
                               " WHERE attrelid = ('public.' || quote_ident($1::text))::regclass AND attnum > 0 "
                               "   AND NOT attisdropped AND atttypid IN ('numeric'::regtype, 'timestamptz'::regtype)",
                               1, NULL, values, NULL, NULL, 0);
  json_t *rows = NULL;
  if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
    PGresult *r2 = PQexec(conn, PQgetvalue(res, 0, 0));
    if (PQresultStatus(r2) == PGRES_TUPLES_OK) {
      rows = json_array();
      for (int i = 0; i < PQntuples(r2); i++) json_array_append_new(rows, json_loads(PQgetvalue(r2, i, 0), 0, NULL));
    } else {
      tap_diag("%s: %s", table, PQerrorMessage(conn));
    }
    PQclear(r2);
  } else {
    tap_diag("%s: %s", table, PQerrorMessage(conn));
  }
  PQclear(res);
  return rows;
}

json_t *ts_table_rows(const char *target, const char *table) {
  bool pg = !strncmp(target, "postgres", 8) || strchr(target, '=');
  json_t *rows = pg ? pg_rows(target, table) : sqlite_rows(target, table);
  json_t *out = rows ? canonical_rows(rows) : NULL;
  json_decref(rows);
  return out;
}

/*--- Random sequences ---------------------------------------------------------------------*/

static const leadstore_caller member_a = {LEADSTORE_ROLE_AUTHENTICATED, "11111111-1111-4111-8111-111111111111"};
static const leadstore_caller member_b = {LEADSTORE_ROLE_AUTHENTICATED, "22222222-2222-4222-8222-222222222222"};
static const leadstore_caller member_c = {LEADSTORE_ROLE_AUTHENTICATED, "33333333-3333-4333-8333-333333333333"};
static const char *const no_such_id = "00000000-0000-4000-8000-000000000000";

static const char *const gen_statuses[] = {"draft", "running", "paused", "completed", "failed"};
static const char *const gen_services[] = {"google_maps", "facebook", "linkedin", "bouncer"};
static const char *const gen_vstatuses[] = {"deliverable", "undeliverable", "risky", "unknown", "accept_all", "error"};
static const char *const gen_enrichment_types[] = {"facebook", "linkedin", "verification"};
/* money at and around its limits, and sums that floats get wrong */
static const char *const gen_amounts[] = {"0", "0.1", "0.2", "0.000001", "0.0000005", "1.5", "7", "12.345678",
                                          "99999999.999999", "100000000", "-0.01", "1e-7"};

int ts_steps_of(unsigned long long seed) { return 10 + (int)(seed % 5) * 15; }

unsigned ts_rnd(ts_world *w, unsigned n) {
  w->rng = w->rng * 6364136223846793005ULL + 1442695040888963407ULL;
  return (unsigned)((w->rng >> 33) % n);
}

/* An email: well-formed, blank, malformed, with spaces, or at the length limits. */
static char *gen_email(ts_world *w) {
  static const char *const fixed[] = {"info@shop.example", "sales@shop.example", "  owner@shop.example ", "",
                                      "not-an-email", "INFO@shop.example", "a@b@c.example", "\\u00c9lan@shop.example",
                                      "\\u00e9lan@shop.example", "\\fowner0@shop.example\\u000b"};
  static const int lengths[] = {3, 253, 254, 255, 320, 321, 330, 400};
  unsigned k = ts_rnd(w, 19);
  if (k < 10) return strdup(fixed[k]);
  if (k < 16) {
    char *e = NULL;
    if (asprintf(&e, "%s%u@shop.example", k % 2 ? "owner" : "Owner", ts_rnd(w, 3)) < 0) exit(2);
    return e;
  }
  int n = lengths[ts_rnd(w, 8)];
  char *e = malloc((size_t)n + 1);
  memset(e, 'a', (size_t)n);
  e[n] = '\0';
  if (n >= 3) memcpy(e + n - (n > 12 ? 12 : 2), n > 12 ? "@shop.example" : "@b", n > 12 ? 12 : 2);
  e[n] = '\0';
  return e;
}

/* A text of n characters (names at their limits). */
static char *gen_text(int n, char fill) {
  char *t = malloc((size_t)n + 1);
  memset(t, fill, (size_t)n);
  t[n] = '\0';
  return t;
}

/* A text value for a scraped or enrichment field: plain, padded, blank,
 * with the white space JSON can carry, non-ASCII, or at its length limits
 * (counted in characters). */
static char *gen_field(ts_world *w) {
  static const char *const fixed[] = {"Main St 1", "  Main St 1  ", "", "   ", "\\fMain\\u000b", "\\tMain\\r\\n",
                                      "Caf\\u00e9 \\u2603", "\\u00a0Main\\u00a0", "Ma\\\"in"};
  unsigned k = ts_rnd(w, 12);
  if (k < 9) return strdup(fixed[k]);
  /* 255 or 256 characters, some of them two bytes long */
  int n = 255 + (int)ts_rnd(w, 2);
  char *t = malloc((size_t)n * 6 + 1), *o = t;
  for (int i = 0; i < n; i++) o += sprintf(o, "%s", k == 9 ? "n" : "\\u00e9");
  return t;
}

/* The caller of a call on campaign c: mostly service_role, else a member of its organization or of another. */
static const leadstore_caller *gen_who(ts_world *w, int c) {
  unsigned k = ts_rnd(w, 8);
  if (k < 5) return &ts_service;
  if (k < 7) return c == 1 ? &member_a : c == 2 ? &member_b : &ts_service;
  return c == 1 ? &member_b : c == 2 ? &member_c : &member_a;
}

/* Remembers what a result tells: ids to reuse, costs that were charged. */
static void gen_learn(ts_world *w, const char *op, const char *params, json_t *r) {
  if (!ts_success(r)) return;
  bool replayed = json_is_true(json_object_get(r, "replayed"));
  if (!strcmp(op, "batch_upsert_businesses_tx")) {
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r, "results"), i, e) {
      const char *id = json_string_value(json_object_get(e, "business_id"));
      if (id && json_is_true(json_object_get(e, "created")) && !replayed && w->nbusiness < TS_KEPT)
        snprintf(w->business[w->nbusiness++], 37, "%s", id);
    }
  } else if (!strcmp(op, "save_facebook_enrichment_tx") && w->nfb < TS_KEPT && !replayed) {
    snprintf(w->fb[w->nfb++], 37, "%s", ts_str(r, "enrichment_id"));
  } else if (!strcmp(op, "save_linkedin_enrichment_tx") && w->nli < TS_KEPT && !replayed) {
    snprintf(w->li[w->nli++], 37, "%s", ts_str(r, "enrichment_id"));
  } else if (!strncmp(op, "list_", 5) && strcmp(op, "list_campaigns") != 0) {
    const char *next = ts_str(r, "next_after");
    w->after[0] = '\0';
    if (next) snprintf(w->after, sizeof w->after, "%s", next);
    w->after_list = !strcmp(op, "list_businesses") ? 0 : !strcmp(op, "list_coverage") ? 1 : 2;
  } else if (!strcmp(op, "track_api_cost_tx") && !replayed) {
    json_t *p = json_loads(params, 0, NULL);
    const char *cid = json_string_value(json_object_get(p, "p_campaign_id"));
    double usd = json_number_value(json_object_get(json_object_get(p, "p_cost_data"), "cost_usd"));
    for (int c = 0; cid && c < w->ncampaigns; c++)
      if (!strcmp(cid, w->campaign[c])) w->cost_micros[c] += ls__money_from_number(usd);
    json_decref(p);
  }
}

/* Calls op with printf-formatted parameters; a write sometimes carries a request id. */
static json_t *gen_call(ts_world *w, const leadstore_caller *who, const char *op, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static json_t *gen_call(ts_world *w, const leadstore_caller *who, const char *op, const char *fmt, ...) {
  char *body = NULL, *params = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&body, fmt, ap) < 0) exit(2);
  va_end(ap);
  const ls__op *o = ls__op_find(op);
  bool keyed = o && o->kind == LS_OP_WRITE && ts_rnd(w, 4) == 0 && body[0] == '{';
  if (keyed) {
    if (asprintf(&params, "{\"p_request_id\":\"r%llu-%u\"%s%s", w->seed, ts_rnd(w, 6), body[1] == '}' ? "" : ",",
                 body + 1) < 0)
      exit(2);
    free(body);
  } else {
    params = body;
  }
  json_t *r = w->call(w->ctx, who, op, params);
  gen_learn(w, op, params, r);
  if (keyed) {
    free(w->last_op);
    free(w->last_params);
    w->last_op = strdup(op);
    w->last_params = params;
    w->last_who = who;
  } else {
    free(params);
  }
  return r;
}

/* The same JSON text with every number spelled differently but equal in
 * value (7 → 7.0, 0.5 → 0.50): a replay must not tell them apart. */
static char *respelled(const char *json) {
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  bool in_string = false;
  for (const char *c = json; *c; c++) {
    fputc(*c, f);
    if (in_string) {
      if (*c == '\\' && c[1]) fputc(*++c, f);
      else if (*c == '"') in_string = false;
      continue;
    }
    if (*c == '"') {
      in_string = true;
      continue;
    }
    bool starts = (*c >= '0' && *c <= '9') || (*c == '-' && c[1] >= '0' && c[1] <= '9');
    if (!starts) continue;
    bool frac = false, expo = false;
    while ((c[1] >= '0' && c[1] <= '9') || c[1] == '.' || c[1] == 'e' || c[1] == 'E' || c[1] == '+' || c[1] == '-') {
      frac |= c[1] == '.';
      expo |= c[1] == 'e' || c[1] == 'E';
      fputc(*++c, f);
    }
    if (!expo) fputs(frac ? "0" : ".0", f);
  }
  fclose(f);
  return out;
}

/* A business seen so far, or an id that does not exist. */
static const char *gen_business(ts_world *w) {
  return w->nbusiness && ts_rnd(w, 12) ? w->business[ts_rnd(w, (unsigned)w->nbusiness)] : no_such_id;
}

static json_t *gen_batch(ts_world *w, int c) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  fprintf(f, "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"9000%u\",\"p_businesses\":[", w->campaign[c], ts_rnd(w, 4));
  unsigned count = ts_rnd(w, 7);
  for (unsigned i = 0; i < count; i++) {
    unsigned place = ts_rnd(w, TS_PLACES);
    char *em = gen_email(w);
    fprintf(f, "%s{\"place_id\":\"p%u\",\"name\":\"Shop %u\"", i ? "," : "", place, place);
    if (ts_rnd(w, 4)) fprintf(f, ",\"email\":\"%s\"", em);
    if (ts_rnd(w, 3) == 0) fprintf(f, ",\"facebook_url\":\"https://facebook.com/p%u\"", place);
    if (ts_rnd(w, 4) == 0) fprintf(f, ",\"rating\":%s,\"latitude\":%s,\"reviews_count\":%u", ts_rnd(w, 2) ? "4.5" : "5.0",
                                   ts_rnd(w, 2) ? "-90" : "30.2672", ts_rnd(w, 1000));
    if (ts_rnd(w, 6) == 0) fprintf(f, ",\"phone\":\"  +1 512 555 01%02u \",\"totalScore\":4.0", place);
    if (ts_rnd(w, 3) == 0) {
      static const char *const keys[] = {"city", "address", "name", "website", "category", "price_level", "description"};
      char *text = gen_field(w);
      fprintf(f, ",\"%s\":\"%s\"", keys[ts_rnd(w, 7)], text);
      free(text);
    }
    if (ts_rnd(w, 8) == 0)
      fprintf(f, ",\"hours\":{\"mon\":\"9-5\",\"n\":1.50},\"categories\":[\"cafe\",\"Caf\\u00e9\"],\"longitude\":-180,"
                 "\"reviews_count\":1000000000");
    fprintf(f, "}");
    free(em);
  }
  fprintf(f, "]}");
  fclose(f);
  if (ts_rnd(w, 20) == 0 && len > 3) buf[len - 3] = ' '; /* now and then, malformed JSON */
  json_t *r = gen_call(w, gen_who(w, c), "batch_upsert_businesses_tx", "%s", buf);
  free(buf);
  return r;
}

static json_t *gen_coverage(ts_world *w, const leadstore_caller *who, const char *cid) {
  return gen_call(w, who, "update_coverage_status_tx",
                  "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"9000%u\",\"p_results\":{\"businesses_found\":%u,"
                  "\"emails_found\":%u,\"actual_cost\":%s}}",
                  cid, ts_rnd(w, 6), ts_rnd(w, 50), ts_rnd(w, 3), gen_amounts[ts_rnd(w, 12)]);
}

/* Campaign c driven to its end (running, then completed or failed) and then
 * scraped into: a terminal campaign must refuse it alike everywhere (SPEC §4).
 * The result of the scrape; the status changes are calls like any other. */
static json_t *gen_finish(ts_world *w, int c) {
  const char *cid = w->campaign[c];
  json_decref(gen_call(w, &ts_service, "update_campaign_status_tx",
                       "{\"p_campaign_id\":\"%s\",\"p_new_status\":\"running\"}", cid));
  json_decref(gen_call(w, &ts_service, "update_campaign_status_tx", "{\"p_campaign_id\":\"%s\",\"p_new_status\":\"%s\"}",
                       cid, ts_rnd(w, 2) ? "completed" : "failed"));
  return ts_rnd(w, 2) ? gen_batch(w, c) : gen_coverage(w, gen_who(w, c), cid);
}

/*
 * A page of list_businesses, list_coverage or list_costs with random filters
 * and limits (at and past their limits); mostly the next page of the last
 * list read (p_after = its next_after), else from the start, now and then
 * after a row of another list or a malformed id.
 */
static json_t *gen_list(ts_world *w, const leadstore_caller *who, int c) {
  static const char *const lists[] = {"list_businesses", "list_coverage", "list_costs"};
  static const char *const limits[] = {"", ",\"p_limit\":1", ",\"p_limit\":2", ",\"p_limit\":3", ",\"p_limit\":1000",
                                       ",\"p_limit\":0", ",\"p_limit\":1001"};
  static const char *const searches[] = {"shop", "SHOP 1", "@Shop.Example", "%", "_", " 512 ", "Caf\\u00e9", "CAF\\u00c9",
                                         "", "   ", "owner", "p1", "\\u00e9"};
  static const char *const sources[] = {"linkedin", "facebook", "google_maps", "not_found", "email"};
  static const char *const estatuses[] = {"pending", "enriched", "no_facebook", "failed", "done"};
  unsigned list = ts_rnd(w, 3);
  char after[64] = "";
  unsigned a = ts_rnd(w, 8);
  if (w->after[0] && a < 5) { /* the next page of the last list (of this list, mostly) */
    if (a < 4) list = (unsigned)w->after_list;
    snprintf(after, sizeof after, ",\"p_after\":\"%s\"", w->after);
  } else if (a == 5) {
    snprintf(after, sizeof after, ",\"p_after\":\"%s\"", gen_business(w));
  } else if (a == 6 && ts_rnd(w, 4) == 0) {
    snprintf(after, sizeof after, ",\"p_after\":\"nope\"");
  }
  char filters[256] = "";
  size_t n = 0;
#define ADD(...) (n += (size_t)snprintf(filters + n, sizeof filters - n, __VA_ARGS__))
  if (list == 0) {
    if (ts_rnd(w, 3) == 0) ADD(",\"p_zip_code\":\"9000%u\"", ts_rnd(w, 5));
    if (ts_rnd(w, 4) == 0) ADD(",\"p_email_source\":\"%s\"", sources[ts_rnd(w, ts_rnd(w, 10) ? 4 : 5)]);
    if (ts_rnd(w, 4) == 0) ADD(",\"p_verified\":%s", ts_rnd(w, 2) ? "true" : "false");
    if (ts_rnd(w, 4) == 0) ADD(",\"p_safe\":%s", ts_rnd(w, 10) ? (ts_rnd(w, 2) ? "true" : "false") : "\"yes\"");
    if (ts_rnd(w, 4) == 0) ADD(",\"p_enrichment_status\":\"%s\"", estatuses[ts_rnd(w, ts_rnd(w, 10) ? 4 : 5)]);
    if (ts_rnd(w, 3) == 0) ADD(",\"p_search\":\"%s\"", searches[ts_rnd(w, 13)]);
  } else if (list == 1) {
    if (ts_rnd(w, 2)) ADD(",\"p_scraped\":%s", ts_rnd(w, 2) ? "true" : "false");
  } else {
    if (ts_rnd(w, 2)) ADD(",\"p_service\":\"%s\"", ts_rnd(w, 10) ? gen_services[ts_rnd(w, 4)] : "stripe");
  }
#undef ADD
  return gen_call(w, who, lists[list], "{\"p_campaign_id\":\"%s\"%s%s%s}", w->campaign[c], filters,
                  limits[ts_rnd(w, 7)], after);
}

json_t *ts_world_step(ts_world *w) {
  int c = (int)ts_rnd(w, (unsigned)w->ncampaigns);
  const char *cid = w->campaign[c];
  const leadstore_caller *who = gen_who(w, c);
  unsigned kind = ts_rnd(w, 20);
  if (kind >= 5 && kind <= 7 && w->nbusiness == 0) kind = 3; /* nothing to enrich yet: scrape first */
  switch (kind) {
  case 0: {
    if (ts_rnd(w, 3) == 0) return gen_finish(w, c);
    static const char *const toward[] = {"running", "running", "running", "paused", "completed", "failed", "draft"};
    unsigned k = ts_rnd(w, 8);
    return gen_call(w, who, "update_campaign_status_tx", "{\"p_campaign_id\":\"%s\",\"p_new_status\":\"%s\"%s}", cid,
                    k < 7 ? toward[k] : gen_statuses[ts_rnd(w, 5)], ts_rnd(w, 3) ? "" : ",\"p_metadata\":{\"by\":\"test\",\"n\":1.0}");
  }
  case 1:
    return gen_coverage(w, who, cid);
  case 2: {
    const char *amount = ts_rnd(w, 3) ? "0.021" : gen_amounts[ts_rnd(w, 12)];
    return gen_call(w, who, "track_api_cost_tx",
                    "{\"p_campaign_id\":\"%s\",\"p_service\":\"%s\",\"p_cost_data\":{\"cost_usd\":%s,\"items_processed\":%u%s}}",
                    cid, gen_services[ts_rnd(w, 4)], amount, ts_rnd(w, 3), ts_rnd(w, 2) ? "" : ",\"metadata\":{\"q\":2.50}");
  }
  case 3:
  case 4:
    return gen_batch(w, c);
  case 5: {
    char *em = gen_email(w);
    char *em2 = gen_email(w);
    bool named = ts_rnd(w, 4) == 0; /* p_campaign_id given: the business's campaign, or not */
    json_t *r = gen_call(w, who, "save_facebook_enrichment_tx",
                         "{\"p_business_id\":\"%s\"%s%s%s,\"p_enrichment_data\":{\"success\":%s,\"primary_email\":\"%s\","
                         "\"emails\":[\"%s\",\"x@fb.example\"]}}",
                         gen_business(w), named ? ",\"p_campaign_id\":\"" : "", named ? cid : "", named ? "\"" : "",
                         ts_rnd(w, 2) ? "true" : "false", em, em2);
    free(em);
    free(em2);
    return r;
  }
  case 6: {
    char *em = gen_email(w);
    bool listed = ts_rnd(w, 3) == 0; /* the email in emails_found rather than primary_email */
    char *field = gen_field(w);
    json_t *r = gen_call(w, who, "save_linkedin_enrichment_tx", "{\"p_business_id\":\"%s\",\"p_enrichment_data\":{%s,%s%s%s%s%s,\"company_name\":\"%s\"}}",
                         gen_business(w),
                         ts_rnd(w, 2) ? "\"linkedin_url\":\"https://linkedin.com/in/x\"" : "\"profile_type\":\"unknown\"", listed ? "\"emails_found\":[\"" : "\"primary_email\":\"", em, listed ? "\"]" : "\"",
                         ts_rnd(w, 2) ? ",\"bouncer_status\":\"deliverable\",\"bouncer_verified\":\"yes\",\"bouncer_score\":91.0" : "",
                         ts_rnd(w, 3) ? "" : ",\"bouncer_verified_at\":\"2025-06-01T12:00:00.5+02:00\",\"email_quality_tier\":2,"
                                             "\"bouncer_is_safe\":\"unknown\",\"connections\":0,\"emails_generated\":[]",
                         field);
    free(em);
    free(field);
    return r;
  }
  case 7: {
    unsigned src = ts_rnd(w, 3);
    const char *target = src == 0 ? gen_business(w)
                         : src == 1 ? (w->nfb ? w->fb[ts_rnd(w, (unsigned)w->nfb)] : no_such_id)
                                    : (w->nli ? w->li[ts_rnd(w, (unsigned)w->nli)] : no_such_id);
    static const char *const scores[] = {"0", "69.5", "70", "91", "100", "100.5", "-1"};
    char *em = gen_email(w);
    json_t *r = gen_call(w, who, "update_email_verification_tx",
                         "{\"p_source\":\"%s\",\"p_target_id\":\"%s\",\"p_verification_data\":{\"email\":\"%s\",\"status\":\"%s\","
                         "\"score\":%s%s}}",
                         src == 0 ? "google_maps" : src == 1 ? "facebook" : "linkedin", target, em, gen_vstatuses[ts_rnd(w, 6)],
                         scores[ts_rnd(w, 7)],
                         ts_rnd(w, 2) ? "" : ts_rnd(w, 2) ? ",\"is_disposable\":\"no\",\"is_free_email\":\"unknown\""
                                                          : ",\"is_safe\":\"yes\",\"reason\":\" accepted \",\"raw_response\":{\"s\":1.0}");
    free(em);
    return r;
  }
  case 8:
    return gen_call(w, who, "update_campaign_statistics_tx", "{\"p_campaign_id\":\"%s\"}", cid);
  case 9:
    return gen_call(w, who, "get_campaign", "{\"p_campaign_id\":\"%s\"}", cid);
  case 10: {
    static const char *const limits[] = {"", ",\"p_limit\":1", ",\"p_limit\":1000", ",\"p_limit\":1001", ",\"p_limit\":0",
                                         ",\"p_offset\":1", ",\"p_limit\":2,\"p_offset\":1"};
    unsigned s = ts_rnd(w, 6);
    return gen_call(w, who, "list_campaigns", "{%s%s%s%s}", s < 5 ? "\"p_status\":\"" : "\"p_status\":null",
                    s < 5 ? gen_statuses[s] : "", s < 5 ? "\"" : "", limits[ts_rnd(w, 7)]);
  }
  case 11:
    return gen_call(w, who, "get_businesses_for_enrichment", "{\"p_campaign_id\":\"%s\",\"p_enrichment_type\":\"%s\",\"p_limit\":%u,\"p_offset\":%u}",
                    cid, gen_enrichment_types[ts_rnd(w, 3)], 1 + ts_rnd(w, 30), ts_rnd(w, 3));
  case 12:
    return gen_call(w, who, "is_valid_status_transition", "{\"p_current\":\"%s\",\"p_new\":\"%s\"}", gen_statuses[ts_rnd(w, 5)],
                    ts_rnd(w, 8) ? gen_statuses[ts_rnd(w, 5)] : "archived");
  case 13: {
    static const char *const zips[] = {"90000", "90001", "SW1A 1AA", "1234567890", "12345678901", "90000"};
    static const char *const maxes[] = {"1", "1000", "1001", "200", "0"};
    char *name = ts_rnd(w, 2) ? gen_text(ts_rnd(w, 4) ? 8 : 255 + (int)ts_rnd(w, 2), 'c') : gen_field(w);
    if (ts_rnd(w, 20) == 0) { /* a coverage list one past its limit of 5000 (the limit itself: campaigns.case) */
      int n = 5001;
      char *buf = NULL;
      size_t len = 0;
      FILE *f = open_memstream(&buf, &len);
      fprintf(f, "{\"p_campaign_data\":{\"name\":\"%s\"},\"p_coverage_data\":[", name);
      for (int i = 0; i < n; i++) fprintf(f, "%s{\"zip\":\"%05d\"}", i ? "," : "", i);
      fprintf(f, "]}");
      fclose(f);
      json_t *r = gen_call(w, who, "create_campaign_with_coverage_tx", "%s", buf);
      free(buf);
      free(name);
      return r;
    }
    json_t *r = gen_call(w, who, "create_campaign_with_coverage_tx",
                         "{\"p_campaign_data\":{\"name\":\"%s\",\"keywords\":[\"coffee\"],\"estimated_cost\":%s%s%s},"
                         "\"p_coverage_data\":[{\"zip\":\"%s\",\"max_results\":%s},{\"zip_code\":\"%s\",\"estimated_cost\":0.5}]}",
                         name, gen_amounts[ts_rnd(w, 12)],
                         ts_rnd(w, 2) ? "" : ts_rnd(w, 2) ? ",\"coverage_percentage\":100.0,\"target_zip_count\":7,\"location\":\" Austin \""
                                                          : ",\"coverage_percentage\":33.3,\"description\":\"\\fd\",\"coverage_profile\":\"custom\"",
                         c == 2 ? ",\"organization_id\":\"22222222-2222-4222-8222-222222222222\"" : "",
                         zips[ts_rnd(w, 6)], maxes[ts_rnd(w, 5)], zips[ts_rnd(w, 6)]);
    free(name);
    return r;
  }
  case 14:
  case 15:
    if (w->last_op) { /* the same call again (its numbers respelled, now and then): replayed, or run when it had failed */
      char *op = strdup(w->last_op), *params = kind == 15 ? respelled(w->last_params) : strdup(w->last_params);
      json_t *r = w->call(w->ctx, w->last_who, op, params);
      gen_learn(w, op, params, r);
      free(op);
      free(params);
      return r;
    }
    return gen_batch(w, c);
  case 17:
  case 18:
    return gen_list(w, who, c);
  case 19:
    if (ts_rnd(w, 2))
      return gen_call(w, who, "get_business", "{\"p_business_id\":\"%s\"}", ts_rnd(w, 10) ? gen_business(w) : cid);
    return gen_call(w, who, "get_status_history", "{\"p_campaign_id\":\"%s\"}", cid);
  default: /* another organization's caller must never reach these campaigns */
    return gen_call(w, &member_c, "track_api_cost_tx",
                    "{\"p_campaign_id\":\"%s\",\"p_service\":\"bouncer\",\"p_cost_data\":{\"cost_usd\":5}}", w->campaign[c == 2 ? 0 : c]);
  }
}

bool ts_world_start(ts_world *w, unsigned long long seed, ts_call_fn call, void *ctx) {
  memset(w, 0, sizeof *w);
  w->rng = w->seed = seed;
  w->call = call;
  w->ctx = ctx;
  for (int c = 0; c < TS_CAMPAIGNS; c++) {
    char params[256];
    snprintf(params, sizeof params,
             "{\"p_campaign_data\":{\"name\":\"Property %d\"%s},\"p_coverage_data\":[{\"zip\":\"90000\"},"
             "{\"zip\":\"90001\"},{\"zip\":\"90002\"},{\"zip\":\"90003\"}]}",
             c, c == 2 ? ",\"organization_id\":\"22222222-2222-4222-8222-222222222222\"" : "");
    json_t *r = w->call(w->ctx, c == 1 ? &member_a : &ts_service, "create_campaign_with_coverage_tx", params);
    bool ok = ts_success(r);
    if (!ok) tap_diag("creating campaign %d failed: %s", c, ts_str(r, "error"));
    if (ok) snprintf(w->campaign[w->ncampaigns++], 37, "%s", ts_str(r, "campaign_id"));
    json_decref(r);
    if (!ok) return false;
  }
  return true;
}

void ts_world_free(ts_world *w) {
  free(w->last_op);
  free(w->last_params);
  w->last_op = w->last_params = NULL;
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

/* The server of ts_serve still running, stopped at exit (a test that bails
 * out must not leave it behind). */
static pid_t serving, serving_owner;

static void stop_serving(void) {
  if (serving > 0 && getpid() == serving_owner) ts_serve_stop(serving); /* not from a forked child */
}

char *ts_serve(const char *cli, const char *db, pid_t *pid) { return ts_serve_with(cli, db, NULL, pid); }

char *ts_serve_with(const char *cli, const char *db, const char *const *extra, pid_t *pid) {
  static bool registered;
  if (!registered) registered = atexit(stop_serving) == 0;
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
    const char *argv[32] = {cli, "serve", "--db", db, "--create", "--listen", "127.0.0.1:0", "--check-interval", "0"};
    int argc = 9;
    for (size_t i = 0; extra && extra[i] && argc < 31; i++) argv[argc++] = extra[i];
    argv[argc] = NULL;
    execv(cli, (char *const *)argv);
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
    serving = *pid;
    serving_owner = getpid();
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
  if (pid == serving) serving = 0;
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

const char *ts_header(const char *block, const char *name, char *out, size_t outsz) {
  out[0] = '\0';
  size_t k = strlen(name);
  for (const char *p = block; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) { /* line by line */
    if (strncasecmp(p, name, k) || p[k] != ':') continue;
    p += k + 1;
    while (*p == ' ') p++;
    size_t len = strcspn(p, "\r\n");
    if (len >= outsz) len = outsz - 1; /* the tests read short headers */
    memcpy(out, p, len);
    out[len] = '\0';
    break;
  }
  return out;
}

/* A restore_campaign_tx parameter object: a campaign with one ZIP, one
 * business (Google Maps email, not verified), three costs and its history,
 * every counter its recount (t_differential, t_rollback). */
const char ts_restore_sample[] =
      "{\"p_campaign\":{\"id\":\"0a000000-0000-4000-8000-000000000001\",\"name\":\"Restored\",\"description\":null,\"key"
      "words\":[\"dentist\"],\"location\":\"Portland, ME\",\"coverage_profile\":\"balanced\",\"custom_zip_codes\":[],\"st"
      "atus\":\"draft\",\"target_zip_count\":1,\"actual_zip_count\":1,\"coverage_percentage\":null,\"estimated_cost\":"
      "1.5,\"google_maps_cost\":0.3,\"facebook_cost\":0,\"linkedin_enrichment_cost\":0,\"bouncer_verification_cost"
      "\":1e-06,\"actual_cost\":0.300001,\"total_businesses_found\":1,\"total_emails_found\":1,\"total_facebook_pag"
      "es_found\":0,\"total_linkedin_profiles_found\":0,\"total_verified_emails\":0,\"organization_id\":null,\"crea"
      "ted_by\":\"system\",\"started_at\":null,\"completed_at\":null,\"created_at\":\"2026-01-02T03:04:05.123456Z\",\"u"
      "pdated_at\":\"2026-01-02T03:04:05.123456Z\",\"linkedin_emails\":0,\"facebook_emails\":0,\"google_maps_emails"
      "\":1,\"total_safe_emails\":0,\"zips_scraped\":0,\"zip_businesses_found\":0,\"zip_emails_found\":0,\"facebook_queue\":0,\"linkedin_queue\":1,\"verification_queue\":1},\"p_coverag"
      "e\":[{\"id\":\"0a000000-0000-4000-8000-000000000002\",\"campaign_id\":\"0a000000-0000-4000-8000-000000000001"
      "\",\"zip_code\":\"04101\",\"keywords\":[\"dentist\"],\"max_results\":200,\"scraped\":false,\"scraped_at\":null,\"bus"
      "inesses_found\":0,\"emails_found\":0,\"estimated_cost\":1.5,\"actual_cost\":0,\"created_at\":\"2026-01-02T03:0"
      "4:05.123456Z\",\"updated_at\":\"2026-01-02T03:04:05.123456Z\"}],\"p_businesses\":[{\"id\":\"0a000000-0000-4000"
      "-8000-000000000003\",\"campaign_id\":\"0a000000-0000-4000-8000-000000000001\",\"zip_code\":\"04101\",\"place_i"
      "d\":\"p1\",\"name\":\"Harbor Dental\",\"email\":\"desk@harbor.example\",\"email_source\":\"google_maps\",\"email_ver"
      "ified\":false,\"categories\":[],\"needs_enrichment\":false,\"enrichment_status\":\"no_facebook\",\"enrichment_"
      "attempts\":0,\"linkedin_enriched\":false,\"latitude\":43.6541,\"created_at\":\"2026-01-02T03:04:05.123456Z\","
      "\"updated_at\":\"2026-01-02T03:04:05.123456Z\"}],\"p_costs\":[{\"id\":\"0a000000-0000-4000-8000-000000000004\""
      ",\"campaign_id\":\"0a000000-0000-4000-8000-000000000001\",\"service\":\"google_maps\",\"items_processed\":3,\"c"
      "ost_usd\":0.1,\"metadata\":null,\"incurred_at\":\"2026-01-02T03:04:05.123456Z\",\"created_at\":\"2026-01-02T03"
      ":04:05.123456Z\"},{\"id\":\"0a000000-0000-4000-8000-000000000005\",\"campaign_id\":\"0a000000-0000-4000-8000"
      "-000000000001\",\"service\":\"google_maps\",\"items_processed\":0,\"cost_usd\":0.2,\"metadata\":{\"run\":2},\"incu"
      "rred_at\":\"2026-01-02T03:04:05.123456Z\",\"created_at\":\"2026-01-02T03:04:05.123456Z\"},{\"id\":\"0a000000-0"
      "000-4000-8000-000000000006\",\"campaign_id\":\"0a000000-0000-4000-8000-000000000001\",\"service\":\"bouncer\""
      ",\"items_processed\":1,\"cost_usd\":1e-06,\"incurred_at\":\"2026-01-02T03:04:05.123456Z\",\"created_at\":\"2026"
      "-01-02T03:04:05.123456Z\"}],\"p_status_history\":[{\"old_status\":null,\"new_status\":\"draft\",\"metadata\":nu"
      "ll,\"changed_at\":\"2026-01-02T03:04:05.123456Z\"}]}";
