/*
 * cli_import.c — `leadstore import businesses|facebook|linkedin|verifications
 * FILE|-`: scraper output, enrichment results and Bouncer answers applied
 * through the operations, resumably.
 *
 * The file is read record by record (import_read.c) and each record mapped
 * (import_map.c), so memory stays constant whatever the file's size.  Each
 * mapped record is validated on its own against the operation's parameters
 * (the library's validator, the one every call goes through); a record that
 * cannot be mapped or is refused is reported on standard error with its line
 * and the reason, and skipped — with --strict, a first pass reads the whole
 * file and fails before anything is applied.  A file that cannot be read to
 * its end (a CSV quote never closed, a JSON array cut short) stops the import
 * there: the chunks before it are applied, the one being gathered is not.
 *
 * Businesses go to batch_upsert_businesses_tx in chunks of --chunk rows of one
 * ZIP (a new chunk starts when the ZIP changes).  Every write carries a
 * p_request_id chained from the content: chunk k's id is a hash of chunk
 * k-1's id and chunk k's parameters, so it names the file's content up to and
 * including that chunk and its position.  Re-running an interrupted import
 * sends the same chunks with the same ids: those applied before are answered
 * from the idempotency record ("replayed") and change nothing, the rest are
 * applied — every chunk exactly once.  Enrichments and verifications are one
 * call per record, chained the same way.
 *
 * Standard input is copied to a temporary file first (so that the format can
 * be told from its first bytes and --strict can read it twice).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "import.h"
#include "internal.h" /* ls__validate, ls__params_hash: the library's own rules */

/*--- The run's state ---------------------------------------------------------------------*/

typedef struct run {
  const cli_options *o;
  leadstore *db;
  const char *kind;     /* businesses, facebook, linkedin, verifications */
  const char *campaign; /* --campaign */
  bool apply;           /* false: the --strict pass that only reads */
  /* counts */
  long records, inserted, updated, skipped, calls, replayed;
  json_t *reasons;      /* reason → count */
  char chain[65];       /* the last request id's hash ("" before the first) */
  long long size;       /* the file's size, for the progress line */
  imp_reader *reader;
  long long read;       /* bytes read by the last pass */
  time_t started, shown;
  bool progress;        /* standard error is a terminal */
  long exit_after;      /* test hook: exit after this many calls (0: never) */
} run;

/* Reports a skipped record: its line and the reason, counted under the reason's kind
 * (the text before ": "). */
static void skip(run *r, long line, const char *why) {
  r->skipped++;
  fprintf(stderr, "%sleadstore: line %ld (record %ld): skipped: %s\n", r->progress ? "\r\033[K" : "", line,
          r->records, why);
  char kind[128];
  size_t n = strcspn(why, ":");
  snprintf(kind, sizeof kind, "%.*s", (int)(n < sizeof kind - 1 ? n : sizeof kind - 1), why);
  json_t *c = json_object_get(r->reasons, kind);
  if (c) json_integer_set(c, json_integer_value(c) + 1);
  else if (json_object_size(r->reasons) < 64) json_object_set_new(r->reasons, kind, json_integer(1));
}

/* The progress line, at most once a second, only on a terminal. */
static void progress(run *r, bool last) {
  if (!r->progress) return;
  time_t now = time(NULL);
  if (!last && now == r->shown) return;
  r->shown = now;
  double secs = difftime(now, r->started);
  long long at = r->reader ? imp_bytes(r->reader) : r->read;
  fprintf(stderr, "\r\033[K%s: %ld records", r->kind, r->records);
  if (secs > 0) fprintf(stderr, ", %.0f/s", r->records / secs);
  if (r->size > 0 && at > 0) {
    double share = (double)at / (double)r->size;
    fprintf(stderr, ", %.0f%%", 100 * share);
    if (!last && share > 0 && secs > 0) fprintf(stderr, ", ETA %.0fs", secs / share - secs);
  }
  if (last) fprintf(stderr, "\n");
}

/*
 * Runs `op` with params (the request id added here, chained from the last one) unless
 * this is the read-only pass.  0, or the failure's exit status after saying why.  *res
 * (may be NULL) gets the parsed result.
 */
static int apply(run *r, const char *op, json_t *params, const char *what, json_t **res) {
  if (res) *res = NULL;
  if (!r->apply) return 0;
  char content[65], chain[65];
  json_t *link = NULL;
  if (ls__params_hash(params, content) ||
      !(link = json_pack("{s:s, s:s, s:I}", "previous", r->chain, "content", content, "position", (json_int_t)r->calls)) ||
      ls__params_hash(link, chain)) {
    json_decref(link);
    fprintf(stderr, "leadstore: out of memory\n");
    return 70;
  }
  json_decref(link);
  char id[80];
  snprintf(id, sizeof id, "import-%s-%.40s", r->kind, chain);
  json_object_set_new(params, "p_request_id", json_string(id));
  json_t *j;
  int rc = cli_call_json(r->db, &r->o->caller, op, params, &j);
  if (rc) {
    fprintf(stderr, "%sleadstore: %s: %s (%s)\n", r->progress ? "\r\033[K" : "", what, cli_error_of(j),
            j ? json_string_value(json_object_get(j, "error_code")) : "XX000");
    json_decref(j);
    return leadstore_status_exit(rc);
  }
  memcpy(r->chain, chain, sizeof chain);
  r->calls++;
  if (json_is_true(json_object_get(j, "replayed"))) r->replayed++;
  if (res) *res = j;
  else json_decref(j);
  if (r->exit_after > 0 && r->calls == r->exit_after) {
    fflush(stdout);
    _exit(99); /* the test hook: as if killed right after this call committed */
  }
  return 0;
}

/* Validates params for op as the library will; false (why filled, the parameter path
 * without the list index) when it refuses them. */
static bool valid(const char *op, json_t *params, char why[256]) {
  ls__error err = {0};
  if (ls__validate(ls__op_find(op), params, &err) == LEADSTORE_OK) return true;
  const char *m = err.msg, *dot = strstr(m, "].");
  snprintf(why, 256, "%.200s", !strncmp(m, "p_businesses[", 13) && dot ? dot + 2 : m);
  return false;
}

/* The final summary, always, on standard error. */
static void summary(run *r, const char *file, const char *format) {
  progress(r, true);
  bool businesses = !strcmp(r->kind, "businesses");
  fprintf(stderr, "leadstore: import %s from %s%s%s%s: %ld record%s; ", r->kind, file, format ? " (" : "",
          format ? format : "", format ? ")" : "", r->records, r->records == 1 ? "" : "s");
  if (businesses) fprintf(stderr, "%ld inserted, %ld updated", r->inserted, r->updated);
  else fprintf(stderr, "%ld applied", r->calls - r->replayed);
  fprintf(stderr, ", %ld skipped; %ld %s%s, %ld replayed\n", r->skipped, r->calls, businesses ? "chunk" : "call",
          r->calls == 1 ? "" : "s", r->replayed);
  const char *k;
  json_t *v;
  json_object_foreach(r->reasons, k, v) fprintf(stderr, "  skipped %lld: %s\n", (long long)json_integer_value(v), k);
}

/*--- Businesses --------------------------------------------------------------------------*/

/*
 * The chunks being gathered, one per ZIP (batch_upsert_businesses_tx takes the
 * businesses of one ZIP): pending = {ZIP: {"rows": [...], "first": line, "last": line}}.
 * A chunk goes when it is full; when more than PENDING_CHUNKS chunks' worth of rows wait
 * (a file whose ZIPs are interleaved), the oldest goes — so memory stays bounded and the
 * chunks depend on the file's content and order only.
 */
enum { PENDING_CHUNKS = 4 };

/* Sends ZIP's pending chunk and forgets it. */
static int flush_zip(run *r, json_t *pending, const char *zip_key, long *waiting) {
  char zip[16];
  snprintf(zip, sizeof zip, "%s", zip_key); /* the key goes with the chunk */
  json_t *c = json_object_get(pending, zip), *rows = json_object_get(c, "rows");
  json_t *params = json_pack("{s:s, s:s, s:O}", "p_campaign_id", r->campaign, "p_zip_code", zip, "p_businesses", rows);
  char what[160];
  snprintf(what, sizeof what, "chunk %ld (ZIP %s, lines %lld–%lld)", r->calls + 1, zip,
           (long long)json_integer_value(json_object_get(c, "first")), (long long)json_integer_value(json_object_get(c, "last")));
  json_t *res = NULL;
  int rc = params ? apply(r, "batch_upsert_businesses_tx", params, what, &res) : 70;
  json_decref(params);
  if (!rc && res && !json_is_true(json_object_get(res, "replayed"))) { /* a replay changed nothing */
    r->inserted += (long)json_integer_value(json_object_get(res, "inserted"));
    r->updated += (long)json_integer_value(json_object_get(res, "updated"));
  }
  json_decref(res);
  *waiting -= (long)json_array_size(rows);
  json_object_del(pending, zip);
  return rc;
}

/* Sends the pending chunk whose first row came first. */
static int flush_oldest(run *r, json_t *pending, long *waiting) {
  const char *zip, *oldest = NULL;
  json_t *c;
  json_int_t first = 0;
  json_object_foreach(pending, zip, c) {
    json_int_t f = json_integer_value(json_object_get(c, "first"));
    if (!oldest || f < first) oldest = zip, first = f;
  }
  return oldest ? flush_zip(r, pending, oldest, waiting) : 0;
}

/*
 * Walks the rows of the campaign's list `op` (its array `list`), page by
 * page (1000 rows, keyset p_after), into *out = a new object that each(row,
 * *out) fills.  Returns 0, or the exit status of a failed call.
 */
static int campaign_rows(run *r, const char *op, const char *list, void (*each)(json_t *row, json_t *out),
                         json_t **out) {
  *out = json_object();
  char after[64] = "";
  do {
    json_t *p = json_pack("{s:s, s:i}", "p_campaign_id", r->campaign, "p_limit", 1000);
    if (after[0]) json_object_set_new(p, "p_after", json_string(after));
    json_t *j;
    int rc = cli_call_json(r->db, &r->o->caller, op, p, &j);
    json_decref(p);
    if (rc) {
      fprintf(stderr, "leadstore: campaign %s: %s\n", r->campaign, cli_error_of(j));
      json_decref(j);
      return leadstore_status_exit(rc);
    }
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(j, list), i, row) each(row, *out);
    const char *n = json_string_value(json_object_get(j, "next_after"));
    snprintf(after, sizeof after, "%s", n ? n : "");
    json_decref(j);
  } while (after[0]);
  return 0;
}

/* The campaign's coverage ZIPs, as an object ZIP → true (list_coverage). */
static void coverage_zip(json_t *row, json_t *out) {
  const char *z = json_string_value(json_object_get(row, "zip_code"));
  if (z) json_object_set_new(out, z, json_true());
}
static int coverage_of(run *r, json_t **out) { return campaign_rows(r, "list_coverage", "coverage", coverage_zip, out); }

/* The ZIP of a row: --zip, else the row's own zip_code (leadstore's CSV), else its postal
 * code when the campaign covers it (a ZIP+4 by its first five characters).  NULL (why
 * filled) when none. */
static const char *zip_of(const char *fixed, const char *own, const char *postal, json_t *coverage, char buf[16],
                          char why[256]) {
  if (fixed) return fixed;
  if (own) return own;
  if (!postal) {
    snprintf(why, 256, "no postal code to choose the ZIP by (give --zip)");
    return NULL;
  }
  size_t len;
  const char *p = ls__trim(postal, &len);
  snprintf(buf, 16, "%.*s", (int)(len < 15 ? len : 15), p);
  if (json_object_get(coverage, buf)) return buf;
  if (len > 5) {
    buf[5] = '\0';
    if (json_object_get(coverage, buf)) return buf;
  }
  snprintf(why, 256, "postal code not in the campaign's coverage (give --zip): %.64s", postal);
  return NULL;
}

/* One pass over the file: reads, maps, validates, and (unless r->apply is false) sends. */
static int businesses_pass(run *r, FILE *f, imp_format fmt, const char *fixed_zip, long chunk_size, json_t *coverage) {
  r->reader = imp_reader_new(f, imp_format_syntax(fmt));
  json_t *pending = json_object();
  long waiting = 0;
  if (!r->reader || !pending) {
    json_decref(pending);
    imp_reader_free(r->reader);
    return 70;
  }
  int rc = 0, got;
  json_t *rec;
  long line;
  char why[256], zipbuf[16];
  while (!rc && (got = imp_next(r->reader, &rec, &line, why)) != IMP_END) {
    if (got == IMP_FATAL) {
      fprintf(stderr, "%sleadstore: line %ld: %s; stopped there%s\n", r->progress ? "\r\033[K" : "", line, why,
              r->apply ? " (the chunks before it are applied; the one it was in is not)" : ", nothing applied");
      rc = 65;
      break;
    }
    r->records++;
    if (got == IMP_BAD) {
      skip(r, line, why);
      continue;
    }
    const char *postal, *own;
    json_t *b = imp_map_business(fmt, rec, &postal, &own, why);
    const char *zip = b ? zip_of(fixed_zip, own, postal, coverage, zipbuf, why) : NULL;
    json_t *one = zip ? json_pack("{s:s, s:s, s:[O]}", "p_campaign_id", r->campaign, "p_zip_code", zip, "p_businesses", b) : NULL;
    if (!b || !zip || !one || !valid("batch_upsert_businesses_tx", one, why)) {
      skip(r, line, why);
    } else {
      json_t *c = json_object_get(pending, zip);
      if (!c) {
        json_object_set_new(pending, zip, json_pack("{s:[], s:I}", "rows", "first", (json_int_t)line));
        c = json_object_get(pending, zip);
      }
      json_object_set_new(c, "last", json_integer(line));
      json_array_append(json_object_get(c, "rows"), json_array_get(json_object_get(one, "p_businesses"), 0));
      waiting++;
      if ((long)json_array_size(json_object_get(c, "rows")) >= chunk_size) rc = flush_zip(r, pending, zip, &waiting);
      else if (waiting > PENDING_CHUNKS * chunk_size) rc = flush_oldest(r, pending, &waiting);
    }
    json_decref(one);
    json_decref(b);
    json_decref(rec);
    progress(r, false);
  }
  while (!rc && json_object_size(pending) > 0) rc = flush_oldest(r, pending, &waiting);
  json_decref(pending);
  r->read = imp_bytes(r->reader);
  imp_reader_free(r->reader);
  r->reader = NULL;
  return rc;
}

/*--- Enrichments and verifications -----------------------------------------------------------*/

/* The campaign's businesses indexed by place id, normalised Facebook and LinkedIn URL and
 * lower-case email: {"place:…": id, "fb:…": id, "li:…": id, "email:…": id}. */
static void business_keys(json_t *b, json_t *out) {
  const char *id = json_string_value(json_object_get(b, "id"));
  char key[600], url[512];
  snprintf(key, sizeof key, "place:%s", json_string_value(json_object_get(b, "place_id")));
  json_object_set_new(out, key, json_string(id));
  static const char *const urls[][2] = {{"facebook_url", "fb:"}, {"linkedin_url", "li:"}};
  for (int u = 0; u < 2; u++) {
    const char *v = json_string_value(json_object_get(b, urls[u][0]));
    if (!v) continue;
    imp_normal_url(v, url, sizeof url);
    snprintf(key, sizeof key, "%s%s", urls[u][1], url);
    json_object_set_new(out, key, json_string(id));
  }
  const char *email = json_string_value(json_object_get(b, "email"));
  if (email) {
    snprintf(key, sizeof key, "email:%s", email);
    for (char *k = key; *k; k++) *k = (char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k);
    json_object_set_new(out, key, json_string(id));
  }
}
static int index_of(run *r, json_t **out) { return campaign_rows(r, "list_businesses", "businesses", business_keys, out); }

/* The business a record names: business_id, else place id, URL or email through the index. */
static const char *business_of(json_t *rec, json_t *data, json_t *index, const char *url_key, const char *prefix) {
  const char *id = imp_text(rec, "business_id");
  if (id) return id;
  char key[600], url[512];
  const char *place = imp_text(rec, "place_id") ? imp_text(rec, "place_id") : imp_text(rec, "placeId");
  if (place) {
    snprintf(key, sizeof key, "place:%s", place);
    if ((id = json_string_value(json_object_get(index, key)))) return id;
  }
  const char *u = url_key ? json_string_value(json_object_get(data, url_key)) : NULL;
  if (u) {
    imp_normal_url(u, url, sizeof url);
    snprintf(key, sizeof key, "%s%s", prefix, url);
    if ((id = json_string_value(json_object_get(index, key)))) return id;
  }
  const char *email = imp_text(rec, "email");
  if (email) {
    snprintf(key, sizeof key, "email:%s", email);
    for (char *k = key; *k; k++) *k = (char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k);
    if ((id = json_string_value(json_object_get(index, key)))) return id;
  }
  return NULL;
}

/* One pass over an enrichment or verification file: each record read, mapped, matched to
 * its business, validated, and (unless r->apply is false) applied by one chained call. */
static int records_pass(run *r, FILE *f, imp_syntax syntax, json_t *index) {
  r->reader = imp_reader_new(f, syntax);
  if (!r->reader) return 70;
  bool fb = !strcmp(r->kind, "facebook"), li = !strcmp(r->kind, "linkedin");
  const char *op = fb ? "save_facebook_enrichment_tx" : li ? "save_linkedin_enrichment_tx" : "update_email_verification_tx";
  int rc = 0, got;
  json_t *rec;
  long line;
  char why[256];
  while (!rc && (got = imp_next(r->reader, &rec, &line, why)) != IMP_END) {
    if (got == IMP_FATAL) {
      fprintf(stderr, "%sleadstore: line %ld: %s; stopped there%s\n", r->progress ? "\r\033[K" : "", line, why,
              r->apply ? " (the records before it are applied)" : ", nothing applied");
      rc = 65;
      break;
    }
    r->records++;
    if (got == IMP_BAD) {
      skip(r, line, why);
      continue;
    }
    json_t *data = fb ? imp_map_facebook(rec, why) : li ? imp_map_linkedin(rec, why) : imp_map_verification(rec, why);
    const char *id = data ? business_of(rec, data, index, fb ? "facebook_url" : li ? "linkedin_url" : NULL, fb ? "fb:" : "li:")
                          : NULL;
    json_t *params = NULL;
    if (data && !id) snprintf(why, 256, "no business of the campaign matches it (business_id, place id, URL or email)");
    else if (data && (fb || li))
      params = json_pack("{s:s, s:s?, s:O}", "p_business_id", id, "p_campaign_id", r->campaign, "p_enrichment_data", data);
    else if (data)
      params = json_pack("{s:s, s:s, s:O}", "p_source", "google_maps", "p_target_id", id, "p_verification_data", data);
    if (!params || !valid(op, params, why)) {
      skip(r, line, why);
    } else {
      char what[64];
      snprintf(what, sizeof what, "line %ld", line);
      rc = apply(r, op, params, what, NULL);
    }
    json_decref(params);
    json_decref(data);
    json_decref(rec);
    progress(r, false);
  }
  r->read = imp_bytes(r->reader);
  imp_reader_free(r->reader);
  r->reader = NULL;
  return rc;
}

/*--- The command -----------------------------------------------------------------------------*/

/* The input as a seekable file: the named one, or standard input copied to a temporary file. */
static FILE *input(const char *path) {
  if (strcmp(path, "-")) return fopen(path, "rb");
  FILE *t = tmpfile();
  char buf[65536];
  size_t n;
  while (t && (n = fread(buf, 1, sizeof buf, stdin)) > 0)
    if (fwrite(buf, 1, n, t) != n) {
      fclose(t);
      return NULL;
    }
  if (t) rewind(t);
  return t;
}

/*--- import campaign FILE|- -------------------------------------------------------------*/

/*
 * `leadstore import campaign FILE|-`: an export of `leadstore export campaign`
 * read whole, checked line by line (a header first, known records, an end
 * record counting the records before it — so a file cut short is refused),
 * and restored in one restore_campaign_tx call: all of it or nothing.  No
 * request id: importing the same campaign twice is refused (23505), not
 * replayed.
 */
static int import_campaign(const cli_options *o, const char *path) {
  static const struct {
    const char *record, *param;
  } lists[] = {{"coverage", "p_coverage"},
               {"business", "p_businesses"},
               {"facebook_enrichment", "p_facebook_enrichments"},
               {"linkedin_enrichment", "p_linkedin_enrichments"},
               {"verification", "p_verifications"},
               {"cost", "p_costs"},
               {"status_history", "p_status_history"}};
  enum { NLISTS = sizeof lists / sizeof lists[0] };
  FILE *f = input(path);
  if (!f) {
    fprintf(stderr, "leadstore: cannot read %s: %m\n", path);
    return 66;
  }
  imp_reader *rd = imp_reader_new(f, IMP_JSONL);
  json_t *params = json_object();
  for (size_t i = 0; params && i < NLISTS; i++) json_object_set_new(params, lists[i].param, json_array());
  long long records = 0;
  long line = 0, last = 0;
  bool ended = false;
  json_t *format = json_string("leadstore-campaign");
  int rc = rd && params && format ? 0 : 70;
  char why[256] = "out of memory";
  while (!rc) {
    json_t *rec = NULL;
    int got = imp_next(rd, &rec, &line, why);
    if (got == IMP_END) break;
    if (got != IMP_RECORD) {
      rc = 65;
      break;
    }
    last = line;
    const char *kind = json_string_value(json_object_get(rec, "record"));
    json_t *row = json_object_get(rec, "row");
    size_t i = 0;
    while (kind && i < NLISTS && strcmp(kind, lists[i].record)) i++;
    rc = 65;
    if (ended)
      snprintf(why, sizeof why, "a record after the end record");
    else if (!kind || !json_is_object(row))
      snprintf(why, sizeof why, "not a record of leadstore export campaign ({\"record\":…,\"row\":{…}})");
    else if ((records == 0) != !strcmp(kind, "header"))
      snprintf(why, sizeof why, records ? "a second header" : "no header: not a file of leadstore export campaign");
    else if (!strcmp(kind, "header") && (!json_equal(json_object_get(row, "format"), format) ||
                                         json_integer_value(json_object_get(row, "version")) != 1))
      snprintf(why, sizeof why, "not a leadstore-campaign export of version 1");
    else if (!strcmp(kind, "campaign") && json_object_get(params, "p_campaign"))
      snprintf(why, sizeof why, "a second campaign record");
    else if (!strcmp(kind, "end") && json_integer_value(json_object_get(row, "records")) != records)
      snprintf(why, sizeof why, "the end record counts %lld records, the file has %lld",
               (long long)json_integer_value(json_object_get(row, "records")), records);
    else if (strcmp(kind, "header") && strcmp(kind, "campaign") && strcmp(kind, "end") && i == NLISTS)
      snprintf(why, sizeof why, "unknown record %.64s", kind);
    else
      rc = 0;
    if (!rc) {
      if (!strcmp(kind, "campaign")) json_object_set(params, "p_campaign", row);
      else if (!strcmp(kind, "end")) ended = true;
      else if (i < NLISTS) json_array_append(json_object_get(params, lists[i].param), row);
      records++;
    }
    json_decref(rec);
  }
  imp_reader_free(rd);
  json_decref(format);
  fclose(f);
  if (!rc && !ended) {
    rc = 65;
    line = last;
    snprintf(why, sizeof why, "the file ends without its end record: cut short?");
  }
  if (!rc && !json_object_get(params, "p_campaign")) {
    rc = 65;
    snprintf(why, sizeof why, "no campaign record");
  }
  if (rc) {
    fprintf(stderr, "leadstore: line %ld: %s; nothing imported\n", line, why);
    json_decref(params);
    return rc;
  }
  leadstore *db = cli_open_db(o, o->create, &rc);
  if (!db) {
    json_decref(params);
    return rc;
  }
  json_t *a;
  rc = cli_call_json(db, &o->caller, "restore_campaign_tx", params, &a);
  json_decref(params);
  leadstore_close(db);
  if (rc) {
    fprintf(stderr, "leadstore: %s; nothing imported\n", cli_error_of(a));
  } else {
    fprintf(stderr,
            "leadstore: restored campaign %s: %lld coverage rows, %lld businesses, %lld Facebook and %lld LinkedIn "
            "enrichments, %lld verifications, %lld costs, %lld status changes\n",
            json_string_value(json_object_get(a, "campaign_id")),
            (long long)json_integer_value(json_object_get(a, "coverage")),
            (long long)json_integer_value(json_object_get(a, "businesses")),
            (long long)json_integer_value(json_object_get(a, "facebook_enrichments")),
            (long long)json_integer_value(json_object_get(a, "linkedin_enrichments")),
            (long long)json_integer_value(json_object_get(a, "verifications")),
            (long long)json_integer_value(json_object_get(a, "costs")),
            (long long)json_integer_value(json_object_get(a, "status_history")));
  }
  json_decref(a);
  return rc ? leadstore_status_exit(rc) : 0;
}

int cli_import(const cli_options *o, int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[0], "campaign")) {
    if (o->ngiven) {
      fprintf(stderr, "leadstore: import campaign FILE takes no option but the database's (%s)\n", o->given[0].name);
      return CLI_USAGE;
    }
    return import_campaign(o, argv[1]);
  }
  static const char *const kinds[] = {"businesses", "facebook", "linkedin", "verifications"};
  size_t k = 0;
  while (argc == 2 && k < 4 && strcmp(kinds[k], argv[0])) k++;
  if (argc != 2 || k == 4) {
    fprintf(stderr, "usage: leadstore import businesses|facebook|linkedin|verifications FILE|- --campaign ID | "
                    "import campaign FILE|- (see leadstore help import)\n");
    return CLI_USAGE;
  }
  int has_campaign, has_zip, has_format, has_chunk, strict;
  run r = {.o = o, .kind = kinds[k], .started = time(NULL), .progress = isatty(2) != 0};
  r.campaign = cli_given(o, "--campaign", &has_campaign);
  const char *zip = cli_given(o, "--zip", &has_zip), *fmt_name = cli_given(o, "--format", &has_format),
             *chunk_text = cli_given(o, "--chunk", &has_chunk);
  cli_given(o, "--strict", &strict);
  const char *hook = getenv("LEADSTORE_TEST_IMPORT_EXIT_AFTER");
  r.exit_after = hook ? atol(hook) : 0;
  if (!has_campaign && k == 0) {
    fprintf(stderr, "leadstore: import businesses needs --campaign ID\n");
    return CLI_USAGE;
  }
  long chunk_size = 500;
  if (has_chunk) {
    char *end;
    chunk_size = strtol(chunk_text, &end, 10);
    if (*end || chunk_size < 1 || chunk_size > 5000) {
      fprintf(stderr, "leadstore: --chunk is a whole number from 1 to 5000, not %s\n", chunk_text);
      return CLI_USAGE;
    }
  }
  imp_format fmt = IMP_FMT_NONE;
  if (has_format && k == 0 && !(fmt = imp_format_named(fmt_name))) {
    fprintf(stderr, "leadstore: unknown --format %s: it is one of %s\n", fmt_name, imp_format_names());
    return CLI_USAGE;
  }
  if ((has_format || has_zip || has_chunk) && k != 0) {
    fprintf(stderr, "leadstore: --format, --zip and --chunk are options of import businesses\n");
    return CLI_USAGE;
  }
  FILE *f = input(argv[1]);
  if (!f) {
    fprintf(stderr, "leadstore: cannot read %s: %m\n", argv[1]);
    return 66;
  }
  fseek(f, 0, SEEK_END);
  r.size = ftell(f);
  rewind(f);
  char head[4096];
  size_t n = fread(head, 1, sizeof head, f);
  rewind(f);
  imp_syntax syntax = IMP_JSONL;
  if (n >= 2 && ((head[0] == '\xff' && head[1] == '\xfe') || (head[0] == '\xfe' && head[1] == '\xff'))) {
    fprintf(stderr, "leadstore: line 1: %s is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8\n",
            argv[1]);
    fclose(f);
    return 65;
  }
  if (k == 0 && fmt == IMP_FMT_NONE && !(fmt = imp_detect(head, n))) {
    fprintf(stderr, "leadstore: cannot tell the format of %s; give --format (%s)\n", argv[1], imp_format_names());
    fclose(f);
    return 65;
  }
  if (k != 0) {
    size_t i = n >= 3 && !memcmp(head, "\xef\xbb\xbf", 3) ? 3 : 0;
    while (i < n && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t')) i++;
    syntax = i < n && head[i] == '[' ? IMP_JSON_ARRAY : IMP_JSONL;
  }
  int rc;
  r.db = cli_open_db(o, o->create, &rc);
  r.reasons = json_object();
  json_t *lookup = NULL;
  if (!r.db) goto done;
  if (k == 0) rc = coverage_of(&r, &lookup);
  else if (has_campaign) rc = index_of(&r, &lookup);
  else lookup = json_object();
  if (rc) goto done;
  for (int pass = strict ? 0 : 1; pass < 2 && !rc; pass++) {
    r.apply = pass == 1;
    r.records = r.skipped = 0;
    json_object_clear(r.reasons);
    rewind(f);
    rc = k == 0 ? businesses_pass(&r, f, fmt, has_zip ? zip : NULL, chunk_size, lookup)
                : records_pass(&r, f, syntax, lookup);
    if (!rc && !r.apply && r.skipped) {
      fprintf(stderr, "leadstore: --strict: %ld of %ld records cannot be imported (listed above); nothing applied\n",
              r.skipped, r.records);
      rc = 65;
    }
  }
  summary(&r, argv[1], k == 0 ? imp_format_name(fmt) : NULL);
done:
  json_decref(lookup);
  json_decref(r.reasons);
  leadstore_close(r.db);
  fclose(f);
  return rc;
}
