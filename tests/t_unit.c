/*
 * t_unit.c — unit tests of the engine-independent modules: exact money,
 * UUIDs, timestamps, the email rule, the state machine, table-driven
 * validation and the error table.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "support.h"

static void money(void) {
  OK(ls__money_from_number(0.1) == 100000, "0.1 USD is 100000 micros");
  OK(ls__money_from_number(0.1) + ls__money_from_number(0.2) == ls__money_from_number(0.3), "0.1 + 0.2 == 0.3");
  OK(ls__money_from_number(7.5) == 7500000, "7.50");
  OK(ls__money_from_number(0.000001) == 1, "one micro-dollar");
  OK(ls__money_from_number(0.0000005) == 1, "half a micro rounds away from zero");
  OK(ls__money_from_number(0.0000004) == 0, "less than half a micro rounds to zero");
  OK(ls__money_from_number(1.0000005) == 1000001, "1.0000005 rounds up");
  OK(ls__money_from_number(99999999.999999) == INT64_C(99999999999999), "the largest amount");
  OK(ls__money_from_number(123456.789012) == INT64_C(123456789012), "12 significant digits");
  OK(ls__money_from_number(1e-9) == 0, "tiny amounts are zero");
  int64_t sum = 0;
  for (int i = 0; i < 1000; i++) sum += ls__money_from_number(0.001);
  OK(sum == 1000000, "a thousand tenths of a cent are exactly one dollar");
  json_t *printed = ls__money_json(sum + ls__money_from_number(0.2));
  char *s = json_dumps(printed, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
  OK(s && !strcmp(s, "1.2"), "printed exactly (%s)", s ? s : "?");
  free(s);
  json_decref(printed);
  json_t *big = ls__money_json(INT64_C(99999999999999));
  s = json_dumps(big, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
  OK(s && !strcmp(s, "99999999.999999"), "the largest amount prints exactly (%s)", s ? s : "?");
  free(s);
  json_decref(big);
  char buf[32];
  ls__money_format(7500000, buf, sizeof buf);
  OK(!strcmp(buf, "7.50"), "format 7.50 (%s)", buf);
  ls__money_format(1234, buf, sizeof buf);
  OK(!strcmp(buf, "0.001234"), "format 0.001234 (%s)", buf);
}

static void ids_and_time(void) {
  OK(ls__uuid_valid("123e4567-e89b-12d3-a456-426614174000"), "a UUID");
  OK(ls__uuid_valid("123E4567-E89B-12D3-A456-426614174000"), "upper case UUID");
  OK(!ls__uuid_valid("123e4567e89b12d3a456426614174000"), "no dashes");
  OK(!ls__uuid_valid("123e4567-e89b-12d3-a456-42661417400g"), "a non-hex digit");
  OK(!ls__uuid_valid(""), "empty");
  char a[37], b[37];
  struct timespec t0, t1;
  clock_gettime(CLOCK_REALTIME, &t0);
  ls__uuid_new(NULL, a);
  ls__uuid_new(NULL, b);
  clock_gettime(CLOCK_REALTIME, &t1);
  OK(ls__uuid_valid(a) && strcmp(a, b) != 0, "new UUIDs are valid and distinct");
  /* UUIDv7 (RFC 9562): version 7, variant 10, the Unix milliseconds of its making first */
  char hex[13];
  snprintf(hex, sizeof hex, "%.8s%.4s", a, a + 9);
  long long ms = strtoll(hex, NULL, 16);
  long long lo = (long long)t0.tv_sec * 1000 + t0.tv_nsec / 1000000, hi = (long long)t1.tv_sec * 1000 + t1.tv_nsec / 1000000;
  OK(a[14] == '7' && strchr("89ab", a[19]) && b[14] == '7' && ms >= lo && ms <= hi,
     "new UUIDs are version 7 with the time of their making first (%s, %lld ms in [%lld, %lld])", a, ms, lo, hi);
  OK(strncmp(a, b, 13) <= 0, "a later UUID does not sort before an earlier one (%s, %s)", a, b);
  char ts[32];
  OK(ls__timestamp_parse("2026-11-29T18:42:12Z", ts) && !strcmp(ts, "2026-11-29T18:42:12.000000Z"), "UTC (%s)", ts);
  OK(ls__timestamp_parse("2026-11-29T20:42:12.5+02:00", ts) && !strcmp(ts, "2026-11-29T18:42:12.500000Z"),
     "offset converted to UTC (%s)", ts);
  OK(ls__timestamp_parse("2026-11-29", ts) && !strcmp(ts, "2026-11-29T00:00:00.000000Z"), "a date");
  OK(!ls__timestamp_parse("2026-02-31T00:00:00Z", ts), "31 February");
  OK(!ls__timestamp_parse("yesterday", ts), "words");
  OK(!ls__timestamp_parse("2026-11-29T18:42:12Zjunk", ts), "trailing junk");
}

static void rules(void) {
  char out[64];
  OK(ls__email_wellformed("  info@acme.com ", out, sizeof out) && !strcmp(out, "info@acme.com"), "trimmed email");
  OK(!ls__email_wellformed("", out, sizeof out), "empty email");
  OK(!ls__email_wellformed("   ", out, sizeof out), "blank email");
  OK(!ls__email_wellformed("no-at.example.com", out, sizeof out), "no @");
  OK(!ls__email_wellformed("a@b@c.com", out, sizeof out), "two @");
  OK(!ls__email_wellformed("@acme.com", out, sizeof out), "nothing before @");
  OK(!ls__email_wellformed("info@", out, sizeof out), "nothing after @");
  OK(!ls__email_wellformed("in fo@acme.com", out, sizeof out), "a space inside");
  OK(!ls__email_wellformed("in\vfo@acme.com", out, sizeof out), "a vertical tab inside");
  char longer[LS_EMAIL_MAX + 3], clean[LS_EMAIL_MAX + 1];
  for (size_t n = LS_EMAIL_MAX - 1; n <= LS_EMAIL_MAX + 1; n++) { /* 253, 254, 255 bytes */
    memset(longer, 'x', n - 12);
    memcpy(longer + n - 12, "@example.com", 13);
    OK(ls__email_wellformed(longer, clean, sizeof clean) == (n <= LS_EMAIL_MAX), "an email of %zu bytes is %s", n,
       n <= LS_EMAIL_MAX ? "well-formed" : "too long");
  }
  OK(ls__email_source_rank("linkedin") > ls__email_source_rank("facebook") &&
         ls__email_source_rank("facebook") > ls__email_source_rank("google_maps") &&
         ls__email_source_rank("google_maps") > ls__email_source_rank("not_found"),
     "linkedin > facebook > google_maps > not_found");
  const char *st[] = {"draft", "running", "paused", "completed", "failed"};
  int valid = 0;
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 5; j++) valid += ls__status_transition_valid(st[i], st[j]);
  OK(valid == 5, "exactly five transitions are valid (%d)", valid);
  OK(ls__status_transition_valid("paused", "running") && !ls__status_transition_valid("paused", "completed"),
     "paused resumes but does not complete");
  OK(!ls__status_transition_valid(NULL, "running"), "no current status");
}

/* Validates params for op and returns the status; message into msg. */
static int validate(const char *op, const char *params, char *msg, size_t n) {
  json_t *p = json_loads(params, 0, NULL);
  ls__error err = {0};
  int rc = p ? ls__validate(ls__op_find(op), p, &err) : -1;
  snprintf(msg, n, "%s", err.msg);
  json_decref(p);
  return rc;
}

static void validation(void) {
  char msg[512];
  OK(validate("batch_upsert_businesses_tx",
              "{\"p_campaign_id\":\"123e4567-e89b-12d3-a456-426614174000\",\"p_zip_code\":\"90001\","
              "\"p_businesses\":[{\"place_id\":\"a\",\"name\":\"A\"},{\"name\":\"B\"}]}",
              msg, sizeof msg) == LEADSTORE_EINVAL &&
         !strcmp(msg, "p_businesses[1].place_id is required"),
     "an element's missing key is named with its index (%s)", msg);
  OK(validate("get_campaign", "{\"p_campaign_id\":\"nope\"}", msg, sizeof msg) == LEADSTORE_EUUID,
     "malformed UUID is 22P02");
  OK(validate("get_campaign", "{\"p_campaign_id\":42}", msg, sizeof msg) == LEADSTORE_EINVAL,
     "a UUID of the wrong JSON type is 22023");
  OK(validate("get_campaign", "{\"p_campaign_id\":\"123e4567-e89b-12d3-a456-426614174000\",\"x\":1}", msg,
              sizeof msg) == LEADSTORE_EINVAL && strstr(msg, "unknown parameter x"),
     "unknown top-level parameter (%s)", msg);
  OK(validate("list_campaigns", "{\"p_limit\":1001}", msg, sizeof msg) == LEADSTORE_EINVAL &&
         strstr(msg, "p_limit"),
     "range names the parameter (%s)", msg);
  OK(validate("list_campaigns", "{\"p_limit\":10.0}", msg, sizeof msg) == LEADSTORE_OK, "10.0 is an integer");
  OK(validate("list_campaigns", "{\"p_limit\":10.5}", msg, sizeof msg) == LEADSTORE_EINVAL, "10.5 is not");
  OK(validate("list_campaigns", "{\"p_status\":\"archived\"}", msg, sizeof msg) == LEADSTORE_EINVAL &&
         strstr(msg, "draft, running, paused, completed or failed"),
     "enum lists its values (%s)", msg);
  OK(validate("track_api_cost_tx",
              "{\"p_campaign_id\":\"123e4567-e89b-12d3-a456-426614174000\",\"p_service\":\"bouncer\","
              "\"p_cost_data\":{\"cost_usd\":100000000}}",
              msg, sizeof msg) == LEADSTORE_EINVAL,
     "money above the maximum");
  OK(validate("update_email_verification_tx",
              "{\"p_source\":\"google_maps\",\"p_target_id\":\"123e4567-e89b-12d3-a456-426614174000\","
              "\"p_verification_data\":{\"email\":\"a@b.c\",\"status\":\"risky\",\"is_safe\":\"maybe\"}}",
              msg, sizeof msg) == LEADSTORE_EINVAL && strstr(msg, "p_verification_data.is_safe"),
     "a flag is boolean or yes/no/unknown (%s)", msg);
  json_t *p = json_loads("{\"p_campaign_id\":\"123E4567-E89B-12D3-A456-426614174000\"}", 0, NULL);
  ls__error err = {0};
  ls__validate(ls__op_find("get_campaign"), p, &err);
  OK(!strcmp(ls__jstr(p, "p_campaign_id"), "123e4567-e89b-12d3-a456-426614174000"), "UUIDs are lower-cased");
  json_decref(p);
}

static void errors(void) {
  OK(!strcmp(leadstore_status_sqlstate(LEADSTORE_EINVAL), "22023"), "EINVAL is 22023");
  OK(leadstore_status_from_sqlstate("08001") == LEADSTORE_ECONNECTION, "08xxx is a lost connection");
  OK(leadstore_status_from_sqlstate("40P01") == LEADSTORE_EDEADLOCK && leadstore_status_retry(LEADSTORE_EDEADLOCK),
     "deadlocks are retried");
  OK(!leadstore_status_retry(LEADSTORE_ERULE), "rule refusals are not");
  OK(leadstore_status_from_sqlstate("99999") == LEADSTORE_EINTERNAL, "unknown SQLSTATE is internal");
  OK(leadstore_status_from_sqlstate("23514") == LEADSTORE_EINVAL &&
         leadstore_status_from_sqlstate("23503") == LEADSTORE_ENOTFOUND,
     "a check violation is EINVAL, a foreign key violation ENOTFOUND (the aliases of rules.c)");
  int distinct = 1;
  for (int a = 0; a < LEADSTORE__STATUS_COUNT; a++)
    for (int b = a + 1; b < LEADSTORE__STATUS_COUNT; b++)
      distinct &= strcmp(leadstore_status_sqlstate(a), leadstore_status_sqlstate(b)) != 0;
  OK(distinct, "every status has its own SQLSTATE");
}

/* The injectable clock and id generator reach what the engine writes. */
static int64_t fixed_clock(void *ctx) { return *(int64_t *)ctx; }
static void counting_uuid(void *ctx, unsigned char out[16]) {
  (void)ctx;
  static unsigned char n;
  memset(out, 0, 16);
  out[6] = 0x40, out[8] = 0x80, out[15] = ++n;
}

static void injection(void) {
  int64_t t = INT64_C(1764441732) * 1000000 + 250000; /* 2025-11-29T18:42:12.25Z */
  leadstore_options o = {.clock_us = fixed_clock, .new_uuid = counting_uuid, .ctx = &t, .create = 1};
  leadstore *db = NULL;
  char *path = ts_db_path("inject");
  OK(leadstore_open(path, &o, &db, NULL) == LEADSTORE_OK, "open with an injected clock and ids");
  json_t *r = ts_call(db, &ts_service, "create_campaign_with_coverage_tx", "{\"p_campaign_data\":{\"name\":\"t\"}}");
  OK(!strcmp(ts_str(r, "campaign_id"), "00000000-0000-4000-8000-000000000001"), "the id comes from the generator (%s)",
     ts_str(r, "campaign_id"));
  json_decref(r);
  r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_id\":\"00000000-0000-4000-8000-000000000001\"}");
  OK(!strcmp(json_string_value(json_object_get(json_object_get(r, "campaign"), "created_at")), "2025-11-29T18:42:12.250000Z"),
     "the timestamp comes from the clock");
  json_decref(r);
  leadstore_close(db);
  free(path);
}

/* The string builder: grows without limit, fails as a whole when memory runs out. */
static void strbuf(void) {
  ls__sb sb = LS__SB_INIT;
  OK(!strcmp(ls__sb_text(&sb), ""), "an empty builder reads as \"\"");
  for (int i = 0; i < 5000; i++) ls__sb_printf(&sb, "%s%d", i ? "," : "", i);
  ls__sb_append(&sb, "!", 1);
  char *text = ls__sb_take(&sb);
  size_t want = 0;
  for (int i = 0; i < 5000; i++) want += (size_t)snprintf(NULL, 0, "%s%d", i ? "," : "", i);
  OK(text && strlen(text) == want + 1 && !strncmp(text, "0,1,2,", 6) && !strcmp(text + want - 5, ",4999!"),
     "5000 appends keep every byte (%zu)", text ? strlen(text) : 0);
  OK(sb.buf == NULL && sb.len == 0, "take empties the builder");
  leadstore_free(text);

  /* the Nth allocation fails: the builder fails as a whole, never truncates */
  bool whole = true;
  long failed_at = 0;
  for (long n = 1; n <= 12 && whole; n++) {
    ls__faults f = {.kind = LEADSTORE_FAULT_ALLOC, .n = n};
    ls__active_faults = &f;
    ls__sb b = LS__SB_INIT;
    for (int i = 0; i < 1000; i++) ls__sb_printf(&b, "%04d", i);
    ls__active_faults = NULL;
    char *t = ls__sb_take(&b);
    if (f.n == 0) failed_at = n, whole = t == NULL; /* the fault fired */
    else whole = t && strlen(t) == 4000;
    leadstore_free(t);
  }
  OK(whole && failed_at > 1, "an allocation failure fails the text as a whole (through the %ldth)", failed_at);

  char longer[600];
  memset(longer, 'x', 507);
  snprintf(longer + 507, sizeof longer - 507, "é and more");  /* é straddles the cut */
  ls__error e;
  ls__fail(&e, LEADSTORE_EINVAL, "%s", longer);
  size_t len = strlen(e.msg);
  OK(len < sizeof e.msg && !strcmp(e.msg + len - 3, "…"), "a message that does not fit ends in … (%zu bytes)", len);
  json_t *str = json_string(e.msg);
  OK(str != NULL, "and is still valid UTF-8");
  json_decref(str);
}

/* Which engine a target opens. */
static void targets(void) {
  OK(ls__pg_target_is_conninfo("host=/tmp dbname=x"), "a libpq keyword string is PostgreSQL");
  OK(ls__pg_target_is_conninfo("dbname=x"), "one keyword is enough");
  OK(!ls__pg_target_is_conninfo("a=b.db"), "an unknown keyword is not");
  OK(!ls__pg_target_is_conninfo("/tmp/dir=1/leads.db"), "nor a path with '='");
  OK(!ls__pg_target_is_conninfo("leads.db"), "nor a plain path");
  OK(!ls__pg_target_is_conninfo(""), "nor an empty string");
  const char *dir = ts_dir();
  char *paths[3] = {NULL, NULL, NULL};
  if (asprintf(&paths[0], "%s/a=b.db", dir) < 0 || asprintf(&paths[1], "sqlite:%s/dbname=x.db", dir) < 0 ||
      asprintf(&paths[2], "file:%s/plain.db", dir) < 0)
    exit(2);
  for (int i = 0; i < 3; i++) {
    leadstore *db = NULL;
    char *msg = NULL;
    leadstore_options create = {.create = 1};
    int rc = leadstore_open(paths[i], &create, &db, &msg);
    const char *file = strchr(paths[i], ':') && paths[i][0] != '/' ? strchr(paths[i], ':') + 1 : paths[i];
    OK(rc == LEADSTORE_OK && !strcmp(leadstore_engine(db), "sqlite") && access(file, F_OK) == 0,
       "%s opens the SQLite file %s (%s)", paths[i], file, msg ? msg : "ok");
    json_t *r = db ? ts_call(db, &ts_service, "list_campaigns", "{}") : NULL;
    OK(r && ts_success(r), "and works");
    json_decref(r);
    leadstore_free(msg);
    leadstore_close(db);
    free(paths[i]);
  }
  leadstore *db = NULL;
  OK(leadstore_open("sqlite:", NULL, &db, NULL) == LEADSTORE_EINVAL && !db, "sqlite: with no path is refused");

  /* leadstore_target_engine: the same choice, without opening */
  static const struct {
    const char *target, *engine, *rest;
  } kinds[] = {
      {"leads.db", "sqlite", "leads.db"},
      {"/data/a=b.db", "sqlite", "/data/a=b.db"},
      {"sqlite:dbname=x.db", "sqlite", "dbname=x.db"},
      {"file:/tmp/x.db", "sqlite", "/tmp/x.db"},
      {"postgresql://u@h/db", "postgresql", "postgresql://u@h/db"},
      {"postgres://h/db", "postgresql", "postgres://h/db"},
      {"host=/tmp dbname=x", "postgresql", "host=/tmp dbname=x"},
      {"http://127.0.0.1:8080", "http", "http://127.0.0.1:8080"},
      {"https://leads.example", "http", "https://leads.example"},
  };
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    const char *rest = NULL;
    const char *engine = leadstore_target_engine(kinds[i].target, &rest);
    OK(engine && !strcmp(engine, kinds[i].engine) && rest && !strcmp(rest, kinds[i].rest), "%s is %s, opening %s (got %s, %s)",
       kinds[i].target, kinds[i].engine, kinds[i].rest, engine ? engine : "NULL", rest ? rest : "NULL");
  }
  OK(leadstore_target_engine(NULL, NULL) == NULL, "no target, no engine");
}

/* leadstore_target_masked: every password masked, in URLs and keyword strings, nothing else touched. */
static void masking(void) {
  static const struct {
    const char *target, *shown;
  } cases[] = {
      {"postgresql://alice:s3cret@db.example:5432/leads", "postgresql://alice:****@db.example:5432/leads"},
      {"postgres://alice:p%40ss%3Aw0rd@db.example/leads", "postgres://alice:****@db.example/leads"},
      {"postgresql://alice@db.example/leads", "postgresql://alice@db.example/leads"},
      {"postgresql://db.example/leads?sslmode=require&password=s3cret&user=bob",
       "postgresql://db.example/leads?sslmode=require&password=****&user=bob"},
      {"postgresql://al%40ice:s3cret@[::1]:5432/leads?sslpassword=k3y", "postgresql://al%40ice:****@[::1]:5432/leads?sslpassword=****"},
      {"postgresql://alice:@db.example/leads", "postgresql://alice:****@db.example/leads"},
      {"host=db.example dbname=leads user=alice password=s3cret", "host=db.example dbname=leads user=alice password=****"},
      {"host=db.example password = 's3 cr\\'et' dbname=leads", "host=db.example password = **** dbname=leads"},
      {"password=s3cret", "password=****"},
      {"host=/tmp port=5432 user=postgres", "host=/tmp port=5432 user=postgres"},
      {"http://user:s3cret@127.0.0.1:8080", "http://user:****@127.0.0.1:8080"},
      {"leads.db", "leads.db"},
      {"/data/password=x.db", "/data/password=x.db"},
      {"sqlite:password=x.db", "sqlite:password=x.db"},
      {"", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *shown = NULL;
    OK(leadstore_target_masked(cases[i].target, &shown) == LEADSTORE_OK && shown && !strcmp(shown, cases[i].shown),
       "masked: %s → %s (got %s)", cases[i].target, cases[i].shown, shown ? shown : "NULL");
    leadstore_free(shown);
  }
  char *shown = NULL;
  OK(leadstore_target_masked(NULL, &shown) == LEADSTORE_OK && shown && !*shown, "a NULL target is shown as \"\"");
  leadstore_free(shown);
}

/* "Did you mean": the distance, the limits, the tie-break; unknown operations and parameters. */
static void suggestions(void) {
  OK(ls__edit_distance("get_campain", "get_campaign") == 1, "a missing letter is one edit");
  OK(ls__edit_distance("p_campaing_id", "p_campaign_id") == 1, "two swapped neighbours are one edit");
  OK(ls__edit_distance("kitten", "sitting") == 3, "kitten → sitting is three edits");
  OK(ls__edit_distance("cämpaign", "campaign") == 1, "distances count characters, not bytes");
  OK(ls__suggest_max_distance(3) == 1 && ls__suggest_max_distance(6) == 2 && ls__suggest_max_distance(12) == 3 &&
         ls__suggest_max_distance(65) == 0,
     "1 edit for short words, 2 from 6 characters, 3 from 12, none past 64");
  ls__suggestion s = {.word = "sumary"};
  ls__suggest_offer(&s, "summary");
  ls__suggest_offer(&s, "serve");
  OK(s.best && !strcmp(s.best, "summary"), "sumary → summary");
  s = (ls__suggestion){.word = "xyz"};
  ls__suggest_offer(&s, "keys");
  OK(!s.best, "nothing close: no suggestion");
  s = (ls__suggestion){.word = "ab"};
  ls__suggest_offer(&s, "abc");
  ls__suggest_offer(&s, "abd");
  OK(s.best && !strcmp(s.best, "abc"), "among equals the first offered");
  char *path = ts_db_path("suggest");
  leadstore *db = ts_open(path);
  free(path);
  json_t *r = ts_call(db, &ts_service, "get_campain", "{}");
  OK(!strcmp(ts_code(r), "42883") && !strcmp(ts_str(r, "error"), "unknown operation get_campain (did you mean get_campaign?)"),
     "an unknown operation suggests the closest one (%s)", ts_str(r, "error"));
  json_decref(r);
  r = ts_call(db, &ts_service, "get_campaign", "{\"p_campaign_idd\": \"x\"}");
  OK(!strcmp(ts_code(r), "22023") &&
         !strcmp(ts_str(r, "error"), "unknown parameter p_campaign_idd (did you mean p_campaign_id?)"),
     "an unknown parameter suggests the closest one (%s)", ts_str(r, "error"));
  json_decref(r);
  r = ts_call(db, &ts_service, "get_campaign", "{\"p_bogus\": 1}");
  OK(!strcmp(ts_str(r, "error"), "unknown parameter p_bogus"), "and none when nothing is close (%s)", ts_str(r, "error"));
  json_decref(r);
  leadstore_close(db);
}

/* A missing SQLite file is not created unless asked: ECONFIG, and nothing on disk. */
static void creation(void) {
  char *path = ts_db_path("absent"), *msg = NULL;
  leadstore *db = NULL;
  int rc = leadstore_open(path, NULL, &db, &msg);
  OK(rc == LEADSTORE_ECONFIG && !db && msg && strstr(msg, "no database at") && access(path, F_OK) != 0,
     "a missing file is a configuration error and is not created (%s)", msg ? msg : "");
  OK(leadstore_status_exit(rc) == 78 && !leadstore_status_retry(rc) && !strcmp(leadstore_status_sqlstate(rc), "F0000"),
     "ECONFIG: exit 78, no retry, F0000");
  leadstore_free(msg);
  leadstore_options create = {.create = 1};
  OK(leadstore_open(path, &create, &db, NULL) == LEADSTORE_OK && access(path, F_OK) == 0, "with create it is created");
  leadstore_close(db);
  db = NULL;
  OK(leadstore_open(path, NULL, &db, NULL) == LEADSTORE_OK, "and then opens without create");
  leadstore_close(db);
  free(path);
  OK(leadstore_status_from_sqlstate("3D000") == LEADSTORE_ECONFIG &&
         leadstore_status_from_sqlstate("28P01") == LEADSTORE_ECONFIG &&
         leadstore_status_from_sqlstate("28000") == LEADSTORE_ECONFIG &&
         leadstore_status_from_sqlstate("08006") == LEADSTORE_ECONNECTION,
     "no such database, bad password, unknown role: ECONFIG; a lost connection stays ECONNECTION");
}

/* A random JSON value, twice: `v` as an answer may hold it (keys in any order, integral
 * reals), `want` its canonical form as jansson spells it with sorted keys. */
static void random_value(unsigned *seed, int depth, json_t **v, json_t **want) {
  static const char *const strings[] = {"", "a", "plain text", "quote \" and \\ back", "tab\tnew\nline\r",
                                        "\x01\x1f\x7f ctl", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "/slash/",
                                        "\xe2\x80\xa8 sep"};
  static const double reals[] = {0.5, -1.25, 1e-7, 123456.789012, 1e300, -2.5e-300, 3.0, -0.0, 1e15, 9007199254740993.0,
                                 0.1, 99999999.999999};
  int kind = depth > 3 ? rand_r(seed) % 5 : rand_r(seed) % 7;
  switch (kind) {
  case 0: *v = json_null(); break;
  case 1: *v = json_boolean(rand_r(seed) % 2); break;
  case 2: {
    json_int_t i = rand_r(seed) % 3 == 0 ? (json_int_t)INT64_MIN + rand_r(seed) % 2 : (json_int_t)rand_r(seed) - RAND_MAX / 2;
    *v = json_integer(i);
    break;
  }
  case 3: {
    double d = reals[rand_r(seed) % (sizeof reals / sizeof reals[0])];
    *v = json_real(d);
    *want = d == trunc(d) && fabs(d) <= 9007199254740992.0 ? json_integer((json_int_t)d) : json_real(d);
    return;
  }
  case 4: *v = json_string(strings[rand_r(seed) % (sizeof strings / sizeof strings[0])]); break;
  case 5: {
    *v = json_array(), *want = json_array();
    for (int n = rand_r(seed) % 4; n > 0; n--) {
      json_t *a, *b = NULL;
      random_value(seed, depth + 1, &a, &b);
      json_array_append_new(*v, a), json_array_append_new(*want, b ? b : json_incref(a));
    }
    return;
  }
  default: {
    static const char *const keys[] = {"id", "b", "a", "zeta", "Z", "a b", "\xc3\xa9t\xc3\xa9", "k\"q", "aa", "_"};
    *v = json_object(), *want = json_object();
    for (int n = rand_r(seed) % 7; n > 0; n--) {
      const char *key = keys[rand_r(seed) % (sizeof keys / sizeof keys[0])];
      json_t *a, *b = NULL;
      random_value(seed, depth + 1, &a, &b);
      json_object_set_new(*v, key, a), json_object_set_new(*want, key, b ? b : json_incref(a));
    }
    return;
  }
  }
  *want = json_incref(*v);
}

/* ls__result_text spells an answer as jansson spells its canonical form, byte for byte. */
static void result_text(void) {
  unsigned seed = 20261130;
  int same = 0, runs = 3000;
  for (int i = 0; i < runs; i++) {
    json_t *v, *want = NULL;
    random_value(&seed, 0, &v, &want);
    json_t *top = json_pack("{s:O, s:b}", "value", v, "success", i % 2); /* "success" first */
    char *got = ls__result_text(top);
    char *inner = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    char expected[65536];
    snprintf(expected, sizeof expected, "{\"success\":%s,\"value\":%s}", i % 2 ? "true" : "false", inner ? inner : "?");
    if (got && strcmp(got, expected) == 0) same++;
    else if (same == i) tap_diag("differs: %s\n     vs: %s", got ? got : "(null)", expected);
    free(got);
    free(inner);
    json_decref(top), json_decref(v), json_decref(want);
  }
  OK(same == runs, "%d of %d random answers spelled as jansson spells their canonical form", same, runs);
  json_t *deep = json_loads("{\"z\": [{\"b\": {\"a\": [1.0, 2.5, -7.0]}}], \"x\": \"\\\\\\\"\\u0001/\"}", 0, NULL);
  json_object_set_new(deep, "nul", json_stringn("a\0b", 3));
  char *text = ls__result_text(deep);
  OK(text && !strcmp(text, "{\"nul\":\"a\\u0000b\",\"x\":\"\\\\\\\"\\u0001/\",\"z\":[{\"b\":{\"a\":[1,2.5,-7]}}]}"),
     "nested keys ordered, integral reals as integers, escapes, NUL (%s)", text ? text : "(null)");
  free(text);
  json_decref(deep);
  OK(ls__result_text(json_null()) == NULL, "only an object or array is an answer");
}

int main(void) {
  ls__alloc_init();
  masking();
  suggestions();
  creation();
  strbuf();
  targets();
  injection();
  money();
  ids_and_time();
  rules();
  validation();
  errors();
  result_text();
  return tap_done();
}
