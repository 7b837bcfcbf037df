/*
 * cli_export.c — `leadstore export leads --campaign ID`: a campaign's leads
 * on standard output, one row per business with its email (the one SPEC §5's
 * priority chose), the email's source and its verification.
 *
 * Consistency: the rows come from list_businesses, page after page (keyset
 * pages, constant memory), all inside one read snapshot of the library
 * (leadstore_snapshot_begin: a read transaction on SQLite, REPEATABLE READ on
 * PostgreSQL), so the export is the campaign as it was at one instant even
 * while imports and enrichments write: no row twice, none missed, the total
 * equal to the rows written.  A leadstore server (http://) offers no
 * snapshot, so an export there is refused rather than inconsistent.
 *
 * CSV is RFC 4180: a header row, fields separated by commas, a field quoted
 * when it holds a comma, a quote, CR or LF (quotes doubled), every record
 * ended by CR LF, UTF-8 (--bom puts a byte order mark first for spreadsheet
 * programs).  JSON lines: one object per business with the chosen columns.
 * A null is an empty CSV field (null in JSON); lists and objects are their
 * compact JSON text in CSV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "internal.h" /* ls__result_text: values spelled as every result spells them */

/* Every column of a business, as list_businesses answers it. */
static const char *const all_columns[] = {
    "id", "campaign_id", "zip_code", "place_id", "name", "address", "city", "state", "postal_code", "country",
    "latitude", "longitude", "phone", "website", "email", "email_source", "email_verified", "bouncer_status",
    "bouncer_score", "bouncer_reason", "is_safe", "is_disposable", "is_role_based", "is_free_email",
    "bouncer_verified_at", "category", "categories", "description", "rating", "reviews_count", "price_level",
    "hours", "facebook_url", "instagram_url", "twitter_url", "linkedin_url", "needs_enrichment",
    "enrichment_status", "enrichment_attempts", "last_enrichment_attempt", "linkedin_enriched", "raw_data",
    "created_at", "updated_at", NULL};

/* The default columns: what an outreach tool wants first. */
static const char default_columns[] =
    "name,email,email_source,email_verified,bouncer_status,bouncer_score,is_safe,phone,website,address,city,"
    "state,postal_code,country,category,rating,reviews_count,facebook_url,linkedin_url,zip_code,place_id,id";

/* The columns of a --columns list, as a new array; NULL after saying which one is unknown. */
static json_t *columns_of(const char *list) {
  json_t *out = json_array();
  const char *s = list;
  while (out) {
    size_t n = strcspn(s, ",");
    size_t i = 0;
    while (all_columns[i] && (strlen(all_columns[i]) != n || strncmp(all_columns[i], s, n))) i++;
    if (!all_columns[i]) {
      fprintf(stderr, "leadstore: --columns: no column is named %.*s; the columns are:", (int)n, s);
      for (i = 0; all_columns[i]; i++) fprintf(stderr, "%s%s", i ? ", " : " ", all_columns[i]);
      fprintf(stderr, "\n");
      json_decref(out);
      return NULL;
    }
    json_array_append_new(out, json_string(all_columns[i]));
    if (!s[n]) break;
    s += n + 1;
  }
  return out;
}

/* One CSV field, quoted when it must be (RFC 4180). */
static void csv_field(FILE *out, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"') fputc('"', out);
    fputc(*s, out);
  }
  fputc('"', out);
}

/* A value as text for a CSV field: strings as they are, numbers and the rest as the library
 * spells them in JSON, null as nothing.  Free with ls__free (NULL for null). */
static char *cell_text(json_t *v) {
  if (!v || json_is_null(v)) return NULL;
  if (json_is_string(v)) return ls__strdup(json_string_value(v));
  json_t *wrap = json_pack("{s:O}", "v", v);
  char *text = wrap ? ls__result_text(wrap) : NULL; /* {"v":…} */
  json_decref(wrap);
  if (!text) return NULL;
  size_t len = strlen(text);
  memmove(text, text + 5, len - 5); /* drop {"v": and the closing } */
  text[len - 6] = '\0';
  return text;
}

/*--- export campaign ID ---------------------------------------------------------------*/

/*
 * `leadstore export campaign ID`: the whole campaign as JSON lines, from one
 * read snapshot — a header, the campaign row, its coverage rows (ZIP order),
 * each business (oldest first) followed by its Facebook enrichments, LinkedIn
 * enrichments and verifications (get_business's orders), the cost rows
 * (oldest first), the status history (in the order of the changes), and a
 * last line counting the records before it, so a file cut short is told
 * from a whole one.  Every line is {"record":KIND,"row":{…}} in the
 * library's one spelling of results (keys in byte order, money exact to the
 * micro-dollar, timestamps with microseconds), so two exports of the same
 * campaign are equal byte for byte whichever engine wrote them.
 */
typedef struct campaign_export {
  leadstore *db;
  const leadstore_caller *caller;
  long long records;
  int rc;
} campaign_export;

/* Calls a read operation; its answer, or NULL after printing the error (ex->rc set). */
static json_t *export_read(campaign_export *ex, const char *op, json_t *params) {
  json_t *r;
  int rc = cli_call_json(ex->db, ex->caller, op, params, &r);
  json_decref(params);
  if (rc) {
    fprintf(stderr, "leadstore: %s\n", cli_error_of(r));
    json_decref(r);
    ex->rc = rc;
    return NULL;
  }
  return r;
}

/* Writes one record line; 0, or -1 after setting ex->rc. */
static int export_record(campaign_export *ex, const char *kind, json_t *row) {
  json_t *rec = json_pack("{s:s, s:O}", "record", kind, "row", row ? row : json_null());
  char *line = rec ? ls__result_text(rec) : NULL;
  json_decref(rec);
  if (!line) {
    fprintf(stderr, "leadstore: out of memory\n");
    ex->rc = LEADSTORE_EINTERNAL;
    return -1;
  }
  printf("%s\n", line);
  ls__free(line);
  ex->records++;
  return 0;
}

/* Writes every row of r[key]; 0 or -1. */
static int export_rows(campaign_export *ex, const char *kind, json_t *r, const char *key) {
  size_t i;
  json_t *row;
  json_array_foreach(json_object_get(r, key), i, row) if (export_record(ex, kind, row)) return -1;
  return 0;
}

/* Walks the keyset pages of a list operation, each business with its children; 0 or -1. */
static int export_list(campaign_export *ex, const char *op, const char *campaign, const char *key,
                       const char *kind) {
  char next[64] = "";
  do {
    json_t *params = json_pack("{s:s, s:i}", "p_campaign_id", campaign, "p_limit", 1000);
    if (params && next[0]) json_object_set_new(params, "p_after", json_string(next));
    json_t *r = export_read(ex, op, params);
    if (!r) return -1;
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r, key), i, row) {
      if (strcmp(kind, "business")) {
        if (export_record(ex, kind, row)) break;
        continue;
      }
      json_t *b = export_read(ex, "get_business", json_pack("{s:O}", "p_business_id", json_object_get(row, "id")));
      if (!b || export_record(ex, "business", json_object_get(b, "business")) ||
          export_rows(ex, "facebook_enrichment", b, "facebook_enrichments") ||
          export_rows(ex, "linkedin_enrichment", b, "linkedin_enrichments") ||
          export_rows(ex, "verification", b, "verifications")) {
        json_decref(b);
        break;
      }
      json_decref(b);
    }
    const char *n = json_string_value(json_object_get(r, "next_after"));
    snprintf(next, sizeof next, "%s", n && !ex->rc ? n : "");
    json_decref(r);
  } while (next[0]);
  return ex->rc ? -1 : 0;
}

static int export_campaign(const cli_options *o, const char *campaign) {
  int rc;
  leadstore *db = cli_open_db(o, o->create, &rc);
  if (!db) return rc;
  char *why = NULL;
  if ((rc = leadstore_snapshot_begin(db, &why))) {
    fprintf(stderr, "leadstore: export needs one consistent snapshot: %s\n", why ? why : "out of memory");
    leadstore_free(why);
    leadstore_close(db);
    return leadstore_status_exit(rc);
  }
  campaign_export ex = {db, &o->caller, 0, 0};
  /* an unknown campaign is an error before anything is written */
  json_t *c = export_read(&ex, "get_campaign", json_pack("{s:s}", "p_campaign_id", campaign));
  if (c) {
    json_t *head = json_pack("{s:s, s:i}", "format", "leadstore-campaign", "version", 1);
    if (!export_record(&ex, "header", head) && !export_record(&ex, "campaign", json_object_get(c, "campaign")) &&
        !export_list(&ex, "list_coverage", campaign, "coverage", "coverage") &&
        !export_list(&ex, "list_businesses", campaign, "businesses", "business") &&
        !export_list(&ex, "list_costs", campaign, "costs", "cost")) {
      json_t *h = export_read(&ex, "get_status_history", json_pack("{s:s}", "p_campaign_id", campaign));
      if (h && !export_rows(&ex, "status_history", h, "history")) {
        json_t *end = json_pack("{s:I}", "records", (json_int_t)ex.records);
        export_record(&ex, "end", end);
        json_decref(end);
      }
      json_decref(h);
    }
    json_decref(head);
  }
  json_decref(c);
  leadstore_snapshot_end(db);
  leadstore_close(db);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "leadstore: cannot write the export: %m\n");
    return 74;
  }
  if (ex.rc) return leadstore_status_exit(ex.rc);
  fprintf(stderr, "leadstore: exported campaign %s: %lld records\n", campaign, ex.records);
  return 0;
}

int cli_export(const cli_options *o, int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[0], "campaign")) {
    if (o->ngiven) {
      fprintf(stderr, "leadstore: export campaign ID takes no option but the database's (%s)\n", o->given[0].name);
      return CLI_USAGE;
    }
    return export_campaign(o, argv[1]);
  }
  if (argc != 1 || strcmp(argv[0], "leads")) {
    fprintf(stderr, "usage: leadstore export leads --campaign ID [--format csv|jsonl] | export campaign ID "
                    "(see leadstore help export)\n");
    return CLI_USAGE;
  }
  int has_campaign, has_format, has_columns, verified, safe, bom;
  const char *campaign = cli_given(o, "--campaign", &has_campaign), *format = cli_given(o, "--format", &has_format),
             *columns_text = cli_given(o, "--columns", &has_columns);
  cli_given(o, "--verified-only", &verified);
  cli_given(o, "--safe-only", &safe);
  cli_given(o, "--bom", &bom);
  bool jsonl = has_format && !strcmp(format, "jsonl");
  if (!has_campaign) {
    fprintf(stderr, "leadstore: export leads needs --campaign ID\n");
    return CLI_USAGE;
  }
  if (has_format && !jsonl && strcmp(format, "csv")) {
    fprintf(stderr, "leadstore: --format is csv or jsonl, not %s\n", format);
    return CLI_USAGE;
  }
  if (bom && jsonl) {
    fprintf(stderr, "leadstore: --bom goes with CSV only\n");
    return CLI_USAGE;
  }
  json_t *columns = columns_of(has_columns ? columns_text : default_columns);
  if (!columns) return CLI_USAGE;
  int rc;
  leadstore *db = cli_open_db(o, o->create, &rc);
  if (!db) {
    json_decref(columns);
    return rc;
  }
  char *why = NULL;
  if ((rc = leadstore_snapshot_begin(db, &why))) {
    fprintf(stderr, "leadstore: export needs one consistent snapshot: %s\n", why ? why : "out of memory");
    leadstore_free(why);
    leadstore_close(db);
    json_decref(columns);
    return leadstore_status_exit(rc);
  }
  /* an unknown campaign is an error before anything is written */
  json_t *probe = json_pack("{s:s}", "p_campaign_id", campaign);
  json_t *a;
  rc = cli_call_json(db, &o->caller, "get_campaign", probe, &a);
  json_decref(probe);
  if (rc) {
    fprintf(stderr, "leadstore: %s\n", cli_error_of(a));
    json_decref(a);
    leadstore_snapshot_end(db);
    leadstore_close(db);
    json_decref(columns);
    return leadstore_status_exit(rc);
  }
  json_decref(a);
  json_t *params = json_pack("{s:s, s:i}", "p_campaign_id", campaign, "p_limit", 1000);
  if (verified) json_object_set_new(params, "p_verified", json_true());
  if (safe) json_object_set_new(params, "p_safe", json_true());
  if (bom) fputs("\xef\xbb\xbf", stdout);
  size_t c;
  json_t *col;
  if (!jsonl) {
    json_array_foreach(columns, c, col) {
      if (c) fputc(',', stdout);
      csv_field(stdout, json_string_value(col));
    }
    fputs("\r\n", stdout);
  }
  long long rows = 0, total = 0;
  char next[64] = "";
  bool progress = isatty(2) != 0;
  do {
    if (next[0]) json_object_set_new(params, "p_after", json_string(next));
    json_t *r;
    if ((rc = cli_call_json(db, &o->caller, "list_businesses", params, &r))) {
      fprintf(stderr, "leadstore: %s\n", cli_error_of(r));
      json_decref(r);
      break;
    }
    total = json_integer_value(json_object_get(r, "total"));
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(r, "businesses"), i, b) {
      if (jsonl) {
        json_t *row = json_object();
        json_array_foreach(columns, c, col) {
          json_t *v = json_object_get(b, json_string_value(col));
          json_object_set(row, json_string_value(col), v ? v : json_null());
        }
        char *line = ls__result_text(row);
        printf("%s\n", line ? line : "{}");
        ls__free(line);
        json_decref(row);
      } else {
        json_array_foreach(columns, c, col) {
          if (c) fputc(',', stdout);
          char *cell = cell_text(json_object_get(b, json_string_value(col)));
          if (cell) csv_field(stdout, cell);
          ls__free(cell);
        }
        fputs("\r\n", stdout);
      }
      rows++;
    }
    const char *n = json_string_value(json_object_get(r, "next_after"));
    snprintf(next, sizeof next, "%s", n ? n : "");
    json_decref(r);
    if (progress)
      fprintf(stderr, "\r\033[Kexport: %lld of %lld rows, %.0f%%", rows, total, total ? 100.0 * (double)rows / (double)total : 100.0);
  } while (next[0]);
  leadstore_snapshot_end(db);
  leadstore_close(db);
  json_decref(params);
  json_decref(columns);
  if (progress) fprintf(stderr, "\n");
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "leadstore: cannot write the export: %m\n");
    return 74;
  }
  if (rc) return leadstore_status_exit(rc);
  fprintf(stderr, "leadstore: exported %lld leads of campaign %s\n", rows, campaign);
  return 0;
}
