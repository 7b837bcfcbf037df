/*
 * cli_leads.c — `leadstore businesses CAMPAIGN_ID [filters]`: a campaign's
 * leads as a person reads them, over the list_businesses operation.
 *
 * Page after page (p_after = the previous page's next_after), each row is
 * printed as soon as its page arrives, so `--all` over a large campaign runs
 * in constant memory.  The table's column widths come from the first page,
 * each capped; longer values are cut on a character boundary with "…".  With
 * --json the output is one object {businesses, total, next_after}: the rows
 * of every page read, the operation's total, and the next_after to go on from
 * (null when nothing follows), written as the pages arrive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "internal.h" /* ls__result_text: rows spelled as every result is */

/* The table's columns: heading, how a business shows in it, the widest it may be. */
typedef struct column {
  const char *heading;
  const char *(*cell)(json_t *b, char *buf, size_t n);
  int max;
} column;

static const char *field(json_t *b, const char *key) {
  const char *v = json_string_value(json_object_get(b, key));
  return v && *v ? v : "-";
}

static const char *cell_name(json_t *b, char *buf, size_t n) { return (void)buf, (void)n, field(b, "name"); }
static const char *cell_zip(json_t *b, char *buf, size_t n) { return (void)buf, (void)n, field(b, "zip_code"); }
static const char *cell_email(json_t *b, char *buf, size_t n) { return (void)buf, (void)n, field(b, "email"); }
static const char *cell_phone(json_t *b, char *buf, size_t n) { return (void)buf, (void)n, field(b, "phone"); }
static const char *cell_enrichment(json_t *b, char *buf, size_t n) {
  return (void)buf, (void)n, field(b, "enrichment_status");
}

/* The email's source, "-" when there is no email. */
static const char *cell_source(json_t *b, char *buf, size_t n) {
  (void)buf, (void)n;
  const char *s = field(b, "email_source");
  return strcmp(s, "not_found") ? s : "-";
}

/* "deliverable 92" when the email is verified (status and score), else "-". */
static const char *cell_verified(json_t *b, char *buf, size_t n) {
  if (!json_is_true(json_object_get(b, "email_verified"))) return "-";
  json_t *score = json_object_get(b, "bouncer_score");
  if (json_is_number(score)) snprintf(buf, n, "%s %.15g", field(b, "bouncer_status"), json_number_value(score));
  else snprintf(buf, n, "%s", field(b, "bouncer_status"));
  return buf;
}

/* yes / no / - (never verified). */
static const char *cell_safe(json_t *b, char *buf, size_t n) {
  (void)buf, (void)n;
  json_t *v = json_object_get(b, "is_safe");
  return json_is_boolean(v) ? (json_is_true(v) ? "yes" : "no") : "-";
}

static const column columns[] = {
    {"NAME", cell_name, 32},          {"ZIP", cell_zip, 10},        {"EMAIL", cell_email, 34},
    {"SOURCE", cell_source, 11},      {"VERIFIED", cell_verified, 16}, {"SAFE", cell_safe, 4},
    {"ENRICHMENT", cell_enrichment, 11}, {"PHONE", cell_phone, 18},
};
enum { NCOLUMNS = sizeof columns / sizeof columns[0] };

/* The characters of UTF-8 text (continuation bytes are not counted). */
static int chars(const char *s) {
  int n = 0;
  for (; *s; s++) n += ((unsigned char)*s & 0xc0) != 0x80;
  return n;
}

/* Prints s in a column `width` characters wide (cut with "…" when longer), then `gap` spaces. */
static void print_cell(const char *s, int width, int gap) {
  int len = chars(s);
  if (len > width) {
    int keep = width - 1, n = 0;
    const char *p = s;
    for (; *p; p++) {
      if (((unsigned char)*p & 0xc0) != 0x80 && n++ == keep) break;
    }
    printf("%.*s…%*s", (int)(p - s), s, gap, "");
    return;
  }
  printf("%s%*s", s, width - len + gap, "");
}

static void print_row(const char *cells[NCOLUMNS], const int width[NCOLUMNS]) {
  for (int c = 0; c < NCOLUMNS; c++) {
    if (c == NCOLUMNS - 1) printf("%s\n", cells[c]); /* the last column is not padded */
    else print_cell(cells[c], width[c], 2);
  }
}

/* The column widths for a page: each as wide as its heading and its widest cell, capped. */
static void widths_of(json_t *page, int width[NCOLUMNS]) {
  char buf[64];
  for (int c = 0; c < NCOLUMNS; c++) width[c] = (int)strlen(columns[c].heading);
  size_t i;
  json_t *b;
  json_array_foreach(page, i, b) {
    for (int c = 0; c < NCOLUMNS; c++) {
      int w = chars(columns[c].cell(b, buf, sizeof buf));
      if (w > width[c]) width[c] = w < columns[c].max ? w : columns[c].max;
    }
  }
}


/* The parameters of list_businesses from the options (without p_limit and p_after); NULL
 * after a usage message. */
static json_t *filters(const cli_options *o, const char *campaign) {
  json_t *p = json_pack("{s:s}", "p_campaign_id", campaign);
  static const struct {
    const char *option, *param;
  } texts[] = {{"--zip", "p_zip_code"}, {"--source", "p_email_source"},
               {"--enrichment", "p_enrichment_status"}, {"--search", "p_search"}};
  int set;
  for (size_t i = 0; p && i < sizeof texts / sizeof texts[0]; i++) {
    const char *v = cli_given(o, texts[i].option, &set);
    if (set) json_object_set_new(p, texts[i].param, json_string(v));
  }
  static const struct {
    const char *yes, *no, *param;
  } flags[] = {{"--verified", "--unverified", "p_verified"}, {"--safe", "--unsafe", "p_safe"}};
  for (size_t i = 0; p && i < sizeof flags / sizeof flags[0]; i++) {
    int yes, no;
    cli_given(o, flags[i].yes, &yes);
    cli_given(o, flags[i].no, &no);
    if (yes && no) {
      fprintf(stderr, "leadstore: %s and %s exclude each other\n", flags[i].yes, flags[i].no);
      json_decref(p);
      return NULL;
    }
    if (yes || no) json_object_set_new(p, flags[i].param, json_boolean(yes));
  }
  return p;
}

/* A count of businesses for people: "1 business", "2 businesses". */
static const char *businesses_word(long long n) { return n == 1 ? "business" : "businesses"; }

int cli_businesses(const cli_options *o, int argc, char **argv) {
  if (argc != 1) {
    fprintf(stderr, "usage: leadstore businesses CAMPAIGN_ID [filters] (see leadstore help businesses)\n");
    return CLI_USAGE;
  }
  int all, has_limit, has_after;
  cli_given(o, "--all", &all);
  const char *limit_text = cli_given(o, "--limit", &has_limit), *after = cli_given(o, "--after", &has_after);
  long long want = 50;
  if (has_limit) {
    char *end;
    want = strtoll(limit_text, &end, 10);
    if (*limit_text < '0' || *limit_text > '9' || *end || want < 1) {
      fprintf(stderr, "leadstore: --limit is a whole number of at least 1, not %s\n", limit_text);
      return CLI_USAGE;
    }
  }
  if (all && has_limit) {
    fprintf(stderr, "leadstore: --all and --limit exclude each other\n");
    return CLI_USAGE;
  }
  json_t *params = filters(o, argv[0]);
  if (!params) return CLI_USAGE;
  int rc;
  leadstore *db = cli_open_db(o, o->create, &rc);
  if (!db) {
    json_decref(params);
    return rc;
  }

  char next[64] = "";
  if (has_after) snprintf(next, sizeof next, "%s", after);
  long long shown = 0, total = 0;
  int width[NCOLUMNS], first = 1;
  do {
    long long page = all ? 1000 : want - shown < 1000 ? want - shown : 1000;
    json_object_set_new(params, "p_limit", json_integer(page));
    if (next[0]) json_object_set_new(params, "p_after", json_string(next));
    json_t *r;
    if ((rc = cli_call_json(db, &o->caller, "list_businesses", params, &r))) {
      if (!first && o->json) printf("]}\n"); /* what was printed stays one object */
      fprintf(stderr, "leadstore: %s\n", cli_error_of(r));
      json_decref(r);
      break;
    }
    json_t *list = json_object_get(r, "businesses");
    total = json_integer_value(json_object_get(r, "total"));
    const char *n = json_string_value(json_object_get(r, "next_after"));
    snprintf(next, sizeof next, "%s", n ? n : "");
    size_t i;
    json_t *b;
    if (o->json) {
      if (first) printf("{\"businesses\":[");
      json_array_foreach(list, i, b) {
        char *row = ls__result_text(b); /* the library's one spelling of a result */
        printf("%s%s", shown + (long long)i ? "," : "", row ? row : "null");
        ls__free(row);
      }
    } else {
      if (first && json_array_size(list) > 0) {
        widths_of(list, width);
        const char *head[NCOLUMNS];
        for (int c = 0; c < NCOLUMNS; c++) head[c] = columns[c].heading;
        print_row(head, width);
      }
      char bufs[NCOLUMNS][64];
      json_array_foreach(list, i, b) {
        const char *cells[NCOLUMNS];
        for (int c = 0; c < NCOLUMNS; c++) cells[c] = columns[c].cell(b, bufs[c], sizeof bufs[c]);
        print_row(cells, width);
      }
    }
    shown += (long long)json_array_size(list);
    first = 0;
    json_decref(r);
  } while (next[0] && (all || shown < want));
  leadstore_close(db);
  json_decref(params);
  if (rc) return leadstore_status_exit(rc);

  if (o->json) {
    printf("],\"total\":%lld,\"next_after\":", total);
    if (next[0]) printf("\"%s\"}\n", next);
    else printf("null}\n");
  } else if (shown == 0) {
    printf("No business matches.\n");
  } else {
    printf("\n%lld of %lld %s", shown, total, businesses_word(total));
    if (next[0]) printf("; the next ones: leadstore businesses %s --after %s (or --all)", argv[0], next);
    printf("\n");
  }
  return 0;
}
