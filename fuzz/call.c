/*
 * call.c — libFuzzer harness: any bytes as the parameters of any operation,
 * through leadstore_call() on an SQLite database.
 *
 * An input is up to MAX_CALLS records separated by the byte 0xFF (which no
 * UTF-8 text contains).  A record is
 *   byte 0     the operation, modulo leadstore_op_count();
 *   byte 1     the caller, modulo 4: service_role, a member of organization
 *              A, a member of organization B, anon;
 *   the rest   the parameter text (cut at a NUL byte), in which the harness
 *              replaces the placeholders
 *     $C $D $E $O   the seeded campaigns: running (with businesses,
 *                   enrichments and costs), draft, completed, and a draft of
 *                   organization A;
 *     $B $G         a business of $C with an email and Facebook page, a
 *                   business of $O;
 *     $F $L         a Facebook and a LinkedIn enrichment of $B;
 *     $c $b $f      the last campaign / business / enrichment id that an
 *                   earlier call of the same input returned ($C $B $F when
 *                   none);
 *     "@businesses:N" "@zips:N"   N generated elements (N at most 300).
 *
 * The database is a file in a fresh directory, opened once, with a seeded
 * world made with an injected clock and UUID generator, so that the seeded
 * ids are the same in every run (fuzz/leadstore.dict and the corpus use the
 * placeholders, not the ids).  The inputs' writes accumulate (later inputs
 * see campaigns paused, businesses enriched…), and after every RESTORE_EVERY
 * inputs that committed something the seeded state (an in-memory snapshot
 * taken with SQLite's backup API) is copied back, which bounds the database's
 * size.  Restoring after every input would make every input start from the
 * same state, but costs about three times the call itself (the copy, and
 * every prepared statement of the library's connection re-prepared); a
 * finding that depends on earlier inputs is reproduced by running the
 * corpus in order (libFuzzer's -runs over a directory).
 *
 * After every call the harness asserts (abort() = a finding):
 *   - the result is a JSON object whose `success` agrees with the status, and
 *     a failure carries that status's error_code and retry flag;
 *   - no call answers XX000: any input is either accepted or refused with a
 *     precise code;
 *   - a failure committed nothing: the file's PRAGMA data_version (read on a
 *     second connection, it changes on every commit by another connection)
 *     is unchanged, and so are the row counts of every table;
 *   - after a call that committed, leadstore_check() finds no violation.
 *     The invariants can only change when something is committed, and a
 *     failure is proven to commit nothing, so checking after every commit
 *     (and never after failures or reads) checks every state the fuzzer
 *     reaches.
 */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "internal.h" /* ls__tables: the data model's tables */
#include "leadstore.h"

enum { MAX_CALLS = 8, MAX_GENERATED = 300, NTABLES = 16, RESTORE_EVERY = 64 };

#define ORG_A "11111111-1111-4111-8111-111111111111"
#define ORG_B "22222222-2222-4222-8222-222222222222"

static char dir[64], path[128];
static leadstore *db;
static sqlite3 *watch;    /* the harness's own connection: data_version, row counts, snapshots */
static sqlite3 *snapshot; /* the seeded state, in memory */
static unsigned long long uuid_counter;
static long long clock_now;

static const char *names[] = {"C", "D", "E", "O", "B", "G", "F", "L"};
static char seeded[8][37];
static char last_campaign[37], last_business[37], last_enrichment[37];

static const leadstore_caller callers[4] = {
    {LEADSTORE_ROLE_SERVICE, NULL},
    {LEADSTORE_ROLE_AUTHENTICATED, ORG_A},
    {LEADSTORE_ROLE_AUTHENTICATED, ORG_B},
    {LEADSTORE_ROLE_ANON, NULL},
};

/* Deterministic ids: a counter in the last bytes of a version-4 UUID. */
static void next_uuid(void *ctx, unsigned char out[16]) {
  (void)ctx;
  memset(out, 0, 16);
  unsigned long long n = ++uuid_counter;
  for (int i = 15; i >= 8 && n; i--, n >>= 8) out[i] = (unsigned char)n;
  out[0] = 0xf0;
  out[6] = 0x40;
  out[8] = (unsigned char)(0x80 | (out[8] & 0x3f));
}

/* A clock that moves one millisecond per reading, from 2026-01-01. */
static int64_t next_time(void *ctx) {
  (void)ctx;
  return clock_now += 1000;
}

static void die(const char *what, const char *detail) {
  fprintf(stderr, "fuzz/call: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  abort();
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(p);
}

static void cleanup(void) {
  leadstore_close(db);
  sqlite3_close(watch);
  sqlite3_close(snapshot);
  if (dir[0]) nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* A service_role call that must succeed; its parsed result. */
static json_t *seed_call(const char *op, const char *params) {
  char *text = NULL;
  leadstore_caller service = {LEADSTORE_ROLE_SERVICE, NULL};
  int rc = leadstore_call(db, &service, op, params, &text);
  json_t *r = text ? json_loads(text, 0, NULL) : NULL;
  if (rc || !r) die("seeding failed", text);
  leadstore_free(text);
  return r;
}

static void seed_id(int slot, json_t *r, const char *key) {
  snprintf(seeded[slot], sizeof seeded[slot], "%s", json_string_value(json_object_get(r, key)));
}

/* The seeded world (see the header comment). */
static void seed(void) {
  char p[1024];
  json_t *r = seed_call("create_campaign_with_coverage_tx",
                        "{\"p_campaign_data\":{\"name\":\"Fuzz running\",\"keywords\":[\"plumber\"]},"
                        "\"p_coverage_data\":[{\"zip_code\":\"90001\"},{\"zip_code\":\"90002\"},{\"zip\":\"10001\"}]}");
  seed_id(0, r, "campaign_id");
  json_decref(r);
  r = seed_call("create_campaign_with_coverage_tx",
                "{\"p_campaign_data\":{\"name\":\"Fuzz draft\"},\"p_coverage_data\":[{\"zip_code\":\"90001\"}]}");
  seed_id(1, r, "campaign_id");
  json_decref(r);
  r = seed_call("create_campaign_with_coverage_tx",
                "{\"p_campaign_data\":{\"name\":\"Fuzz completed\"},\"p_coverage_data\":[{\"zip_code\":\"90001\"}]}");
  seed_id(2, r, "campaign_id");
  json_decref(r);
  r = seed_call("create_campaign_with_coverage_tx",
                "{\"p_campaign_data\":{\"name\":\"Fuzz org A\",\"organization_id\":\"" ORG_A "\"},"
                "\"p_coverage_data\":[{\"zip_code\":\"90001\"}]}");
  seed_id(3, r, "campaign_id");
  json_decref(r);
  snprintf(p, sizeof p, "{\"p_campaign_id\":\"%s\",\"p_new_status\":\"running\"}", seeded[0]);
  json_decref(seed_call("update_campaign_status_tx", p));
  snprintf(p, sizeof p, "{\"p_campaign_id\":\"%s\",\"p_new_status\":\"running\"}", seeded[2]);
  json_decref(seed_call("update_campaign_status_tx", p));
  snprintf(p, sizeof p, "{\"p_campaign_id\":\"%s\",\"p_new_status\":\"completed\"}", seeded[2]);
  json_decref(seed_call("update_campaign_status_tx", p));
  snprintf(p, sizeof p,
           "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_businesses\":["
           "{\"place_id\":\"gen-0\",\"name\":\"Business 0\",\"email\":\"owner@example.com\","
           "\"facebook_url\":\"https://facebook.com/b0\"},"
           "{\"place_id\":\"gen-1\",\"name\":\"Business 1\",\"facebook_url\":\"https://facebook.com/b1\"},"
           "{\"place_id\":\"gen-2\",\"name\":\"Business 2\",\"website\":\"https://b2.example\"}]}",
           seeded[0]);
  r = seed_call("batch_upsert_businesses_tx", p);
  snprintf(seeded[4], sizeof seeded[4], "%s",
           json_string_value(json_object_get(json_array_get(json_object_get(r, "results"), 0), "business_id")));
  json_decref(r);
  snprintf(p, sizeof p,
           "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_businesses\":["
           "{\"place_id\":\"org-0\",\"name\":\"Org business\",\"email\":\"hello@org.example\"}]}",
           seeded[3]);
  r = seed_call("batch_upsert_businesses_tx", p);
  snprintf(seeded[5], sizeof seeded[5], "%s",
           json_string_value(json_object_get(json_array_get(json_object_get(r, "results"), 0), "business_id")));
  json_decref(r);
  snprintf(p, sizeof p,
           "{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"facebook_url\":\"https://facebook.com/b0\","
           "\"emails\":[\"fb@example.com\"],\"success\":true}}",
           seeded[4]);
  r = seed_call("save_facebook_enrichment_tx", p);
  seed_id(6, r, "enrichment_id");
  json_decref(r);
  snprintf(p, sizeof p,
           "{\"p_business_id\":\"%s\",\"p_enrichment_data\":{\"linkedin_url\":\"https://linkedin.com/in/x\","
           "\"profile_type\":\"personal\",\"emails_found\":[\"li@example.com\"]}}",
           seeded[4]);
  r = seed_call("save_linkedin_enrichment_tx", p);
  seed_id(7, r, "enrichment_id");
  json_decref(r);
  snprintf(p, sizeof p, "{\"p_campaign_id\":\"%s\",\"p_service\":\"google_maps\",\"p_cost_data\":{\"cost_usd\":0.25}}",
           seeded[0]);
  json_decref(seed_call("track_api_cost_tx", p));
  snprintf(p, sizeof p, "{\"p_campaign_id\":\"%s\",\"p_zip_code\":\"90001\",\"p_results\":{\"businesses_found\":3}}",
           seeded[0]);
  json_decref(seed_call("update_coverage_status_tx", p));
}

static void backup(sqlite3 *to, sqlite3 *from) {
  sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
  if (!b) die("backup", sqlite3_errmsg(to));
  int rc = sqlite3_backup_step(b, -1);
  if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE) die("backup", sqlite3_errmsg(to));
}

static long long pragma(const char *sql) {
  sqlite3_stmt *st = NULL;
  long long v = -1;
  if (sqlite3_prepare_v2(watch, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (v < 0) die("cannot read", sql);
  return v;
}

/* Row counts of every table, through the library's own test hook. */
static void count_rows(long long counts[NTABLES]) {
  for (int i = 0; ls__tables[i] && i < NTABLES; i++)
    if (leadstore_test_count_rows(db, ls__tables[i], &counts[i])) die("cannot count", ls__tables[i]);
}

static void check_clean(const char *after) {
  char *report = NULL;
  int rc = leadstore_check(db, &report);
  json_t *r = report ? json_loads(report, 0, NULL) : NULL;
  if (rc || !r || !json_is_true(json_object_get(r, "ok"))) {
    fprintf(stderr, "after %s\n", after);
    die("the invariant check is not clean", report);
  }
  json_decref(r);
  leadstore_free(report);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  /* in memory when the machine has a tmpfs: the harness needs no durability */
  snprintf(dir, sizeof dir, "%s/leadstore-fuzz-XXXXXX", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
  if (!mkdtemp(dir)) die("mkdtemp", NULL);
  atexit(cleanup);
  snprintf(path, sizeof path, "%s/fuzz.db", dir);
  leadstore_options o = {.durability = LEADSTORE_DURABLE_NORMAL, .clock_us = next_time, .new_uuid = next_uuid,
                         .create = 1};
  clock_now = 1767225600LL * 1000000;
  char *msg = NULL;
  if (leadstore_open(path, &o, &db, &msg)) die("cannot open the database", msg);
  seed();
  check_clean("seeding");
  if (sqlite3_open(path, &watch) != SQLITE_OK || sqlite3_open(":memory:", &snapshot) != SQLITE_OK)
    die("cannot open the database", path);
  sqlite3_busy_timeout(watch, 10000);
  sqlite3_exec(watch, "PRAGMA synchronous=OFF", NULL, NULL, NULL); /* restoring a scratch file needs no fsync */
  backup(snapshot, watch);
  return 0;
}

/*--- One input ------------------------------------------------------------*/

/* The id a placeholder letter stands for; NULL when the letter is none. */
static const char *placeholder(char c) {
  for (int i = 0; i < 8; i++)
    if (c == names[i][0]) return seeded[i];
  if (c == 'c') return last_campaign[0] ? last_campaign : seeded[0];
  if (c == 'b') return last_business[0] ? last_business : seeded[4];
  if (c == 'f') return last_enrichment[0] ? last_enrichment : seeded[6];
  return NULL;
}

/* The parameter text of a record with its placeholders replaced; a new string. */
static char *expand(const char *text, size_t n) {
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  if (!f) die("out of memory", NULL);
  for (size_t i = 0; i < n && text[i];) {
    const char *id = text[i] == '$' && i + 1 < n ? placeholder(text[i + 1]) : NULL;
    if (id) {
      fputs(id, f);
      i += 2;
      continue;
    }
    char what[16];
    long count;
    int used = 0;
    if (text[i] == '"' && i + 1 < n && text[i + 1] == '@') {
      char tail[48];
      size_t k = n - i - 2 < sizeof tail - 1 ? n - i - 2 : sizeof tail - 1;
      memcpy(tail, text + i + 2, k);
      tail[k] = '\0';
      if (sscanf(tail, "%15[a-z]:%ld\"%n", what, &count, &used) == 2 && used > 0 && count >= 0 &&
          count <= MAX_GENERATED && (!strcmp(what, "zips") || !strcmp(what, "businesses"))) {
        fputc('[', f);
        for (long j = 0; j < count; j++) {
          if (j) fputc(',', f);
          if (what[0] == 'z') fprintf(f, "{\"zip_code\":\"%05ld\"}", 10000 + j);
          else fprintf(f, "{\"place_id\":\"gen-%ld\",\"name\":\"Business %ld\"%s}", j, j,
                       j % 3 == 0 ? ",\"email\":\"owner@example.com\"" : "");
        }
        fputc(']', f);
        i += 2 + (size_t)used;
        continue;
      }
    }
    fputc(text[i++], f);
  }
  if (fclose(f)) die("out of memory", NULL);
  return out;
}

/* Remembers the ids a successful result names, for $c $b $f. */
static void learn(json_t *r) {
  const char *s;
  if ((s = json_string_value(json_object_get(r, "campaign_id")))) snprintf(last_campaign, 37, "%s", s);
  if ((s = json_string_value(json_object_get(r, "business_id")))) snprintf(last_business, 37, "%s", s);
  if ((s = json_string_value(json_object_get(r, "enrichment_id")))) snprintf(last_enrichment, 37, "%s", s);
  json_t *first = json_array_get(json_object_get(r, "results"), 0);
  if ((s = json_string_value(json_object_get(first, "business_id")))) snprintf(last_business, 37, "%s", s);
}

/* One call and its assertions; true when it committed. */
static bool one_call(const uint8_t *rec, size_t n) {
  if (n < 2) return false;
  const char *op = leadstore_op_name(rec[0] % leadstore_op_count());
  const leadstore_caller *who = &callers[rec[1] % 4];
  char *params = expand((const char *)rec + 2, n - 2);
  long long before[NTABLES] = {0}, after[NTABLES] = {0};
  count_rows(before);
  long long version = pragma("PRAGMA data_version");
  char *text = NULL;
  int rc = leadstore_call(db, who, op, params, &text);
  bool committed = pragma("PRAGMA data_version") != version;
  json_t *r = text ? json_loads(text, 0, NULL) : NULL;
  if (!json_is_object(r)) die("the result is not a JSON object", text);
  bool success = json_is_true(json_object_get(r, "success"));
  if (success != (rc == LEADSTORE_OK) || !json_is_boolean(json_object_get(r, "success")))
    die("success disagrees with the status", text);
  if (!success) {
    const char *code = json_string_value(json_object_get(r, "error_code"));
    if (!code || strcmp(code, leadstore_status_sqlstate(rc)) ||
        json_is_true(json_object_get(r, "retry_recommended")) != (leadstore_status_retry(rc) != 0) ||
        !json_is_string(json_object_get(r, "error")))
      die("a failure result is malformed", text);
    if (rc == LEADSTORE_EINTERNAL) {
      fprintf(stderr, "%s %s\n", op, params);
      die("an internal error", text);
    }
    if (committed) die("a failure committed something", text);
    count_rows(after);
    if (memcmp(before, after, sizeof before)) die("a failure changed row counts", text);
  } else {
    learn(r);
  }
  if (committed) check_clean(op);
  json_decref(r);
  leadstore_free(text);
  free(params);
  return committed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static unsigned long dirty_inputs;
  last_campaign[0] = last_business[0] = last_enrichment[0] = '\0';
  bool dirty = false;
  size_t start = 0;
  for (int calls = 0; calls < MAX_CALLS && start < size; calls++) {
    const uint8_t *end = memchr(data + start, 0xFF, size - start);
    size_t n = end ? (size_t)(end - (data + start)) : size - start;
    dirty |= one_call(data + start, n);
    start += n + 1;
  }
  if (dirty && ++dirty_inputs % RESTORE_EVERY == 0) backup(watch, snapshot); /* back to the seeded state */
  return 0;
}
