/*
 * cli.c — the commands of `leadstore`: a thin layer over the public API.
 * Every database action is a leadstore_call() or leadstore_check(); help and
 * docs are rendered from leadstore_describe(), i.e. from the operations table.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "strbuf.h"

/* Opens the database of the options, or prints why not. */
static leadstore *open_db(const cli_options *o, int *rc) {
  leadstore_options opts = {0};
  if (o->durability && !strcmp(o->durability, "normal")) opts.durability = LEADSTORE_DURABLE_NORMAL;
  else if (o->durability && strcmp(o->durability, "full")) {
    fprintf(stderr, "leadstore: --durability is full or normal\n");
    *rc = CLI_USAGE;
    return NULL;
  }
  leadstore *db = NULL;
  char *msg = NULL;
  *rc = leadstore_open(o->db, &opts, &db, &msg);
  if (*rc) {
    fprintf(stderr, "leadstore: %s\n", msg ? msg : leadstore_status_message(*rc));
    leadstore_free(msg);
    *rc = leadstore_status_exit(*rc);
    return NULL;
  }
  return db;
}

/* The roles --role accepts. */
static const struct {
  const char *name;
  leadstore_role role;
} roles[] = {
    {"service_role", LEADSTORE_ROLE_SERVICE},
    {"authenticated", LEADSTORE_ROLE_AUTHENTICATED},
    {"anon", LEADSTORE_ROLE_ANON},
};

int cli_caller(const char *role, const char *org, leadstore_caller *out) {
  *out = (leadstore_caller){org ? LEADSTORE_ROLE_AUTHENTICATED : LEADSTORE_ROLE_SERVICE, org};
  if (!role) return 0;
  size_t i = 0, n = sizeof roles / sizeof roles[0];
  while (i < n && strcmp(roles[i].name, role)) i++;
  if (i == n) {
    fprintf(stderr, "leadstore: unknown role %s: --role is", role);
    for (i = 0; i < n; i++) fprintf(stderr, "%s%s", i == 0 ? " " : i + 1 < n ? ", " : " or ", roles[i].name);
    fprintf(stderr, "\n");
    return CLI_USAGE;
  }
  if (org && roles[i].role != LEADSTORE_ROLE_AUTHENTICATED) {
    fprintf(stderr, "leadstore: --org makes the caller authenticated; it cannot go with --role %s\n", role);
    return CLI_USAGE;
  }
  out->role = roles[i].role;
  return 0;
}

/* Reads all of standard input; NULL on failure. */
static char *read_stdin(void) {
  size_t cap = 65536, len = 0;
  char *buf = malloc(cap);
  while (buf) {
    size_t n = fread(buf + len, 1, cap - len - 1, stdin);
    len += n;
    if (n == 0) break;
    if (len + 1 == cap) {
      char *bigger = realloc(buf, cap *= 2);
      if (!bigger) free(buf);
      buf = bigger;
    }
  }
  if (buf) buf[len] = '\0';
  return buf;
}

/* `init` and `migrate`: the database's schema (and, on PostgreSQL, functions) up to date. */
int cli_init(const cli_options *o, int argc, char **argv) {
  (void)argv;
  if (argc != 0) return CLI_USAGE;
  int rc;
  leadstore *db = open_db(o, &rc);
  if (!db) return rc;
  char *report = NULL;
  rc = leadstore_migrate(db, &report);
  json_t *r = report ? json_loads(report, 0, NULL) : NULL;
  if (rc) {
    fprintf(stderr, "leadstore: %s\n", r ? json_string_value(json_object_get(r, "error")) : "out of memory");
  } else {
    size_t i;
    json_t *name;
    json_array_foreach(json_object_get(r, "applied"), i, name) printf("applied %s\n", json_string_value(name));
    printf("leadstore: %s database ready at %s\n", leadstore_engine(db), o->db);
  }
  json_decref(r);
  leadstore_free(report);
  leadstore_close(db);
  return rc ? leadstore_status_exit(rc) : 0;
}

/* Follows a dotted path (`results.0.business_id`) into v. */
static json_t *follow(json_t *v, const char *path) {
  char *buf = strdup(path);
  if (!buf) return NULL;
  for (char *save = NULL, *part = strtok_r(buf, ".", &save); v && part; part = strtok_r(NULL, ".", &save))
    v = json_is_array(v) ? json_array_get(v, strtoul(part, NULL, 10)) : json_object_get(v, part);
  free(buf);
  return v;
}

int cli_call(const cli_options *o, int argc, char **argv) {
  if (argc < 1 || argc > 2) {
    fprintf(stderr, "usage: leadstore call OP [JSON|-]\n");
    return CLI_USAGE;
  }
  char *input = NULL;
  const char *params = argc == 2 ? argv[1] : "-";
  if (!strcmp(params, "-")) {
    if (!(params = input = read_stdin())) return 70;
  }
  int rc;
  leadstore *db = open_db(o, &rc);
  if (!db) {
    free(input);
    return rc;
  }
  char *result = NULL;
  rc = leadstore_call(db, &o->caller, argv[0], params, &result);
  free(input);
  json_t *parsed = result ? json_loads(result, 0, NULL) : NULL;
  if (o->get && rc == LEADSTORE_OK) {
    json_t *v = follow(parsed, o->get);
    if (json_is_string(v)) printf("%s\n", json_string_value(v));
    else if (v) {
      char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
      printf("%s\n", t ? t : "");
      free(t);
    } else {
      fprintf(stderr, "leadstore: the result has no %s\n", o->get);
      rc = LEADSTORE_EINVAL;
    }
  } else if (o->pretty && parsed) {
    char *t = json_dumps(parsed, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    printf("%s\n", t ? t : result);
    free(t);
  } else if (!o->get) {
    printf("%s\n", result ? result : "{\"success\":false,\"error\":\"out of memory\",\"error_code\":\"XX000\"}");
  }
  /* --get on a failure: nothing on standard output (a script's $(…) stays empty), the result on standard error */
  if (o->get && rc != LEADSTORE_OK && result) fprintf(stderr, "%s\n", result);
  json_decref(parsed);
  leadstore_free(result);
  leadstore_close(db);
  return rc == LEADSTORE_OK ? 0 : leadstore_status_exit(rc);
}

int cli_check(const cli_options *o, int argc, char **argv) {
  (void)argv;
  if (argc != 0) return CLI_USAGE;
  int rc;
  leadstore *db = open_db(o, &rc);
  if (!db) return rc;
  char *report = NULL;
  rc = leadstore_check(db, &report);
  leadstore_close(db);
  json_t *r = report ? json_loads(report, 0, NULL) : NULL;
  if (rc || !r) {
    fprintf(stderr, "leadstore: check could not run: %s\n", report ? report : "out of memory");
    leadstore_free(report);
    json_decref(r);
    return rc ? leadstore_status_exit(rc) : 70;
  }
  json_t *violations = json_object_get(r, "violations");
  if (o->json) {
    printf("%s\n", report);
  } else {
    size_t i;
    json_t *v;
    json_array_foreach(violations, i, v) {
      const char *cid = json_string_value(json_object_get(v, "campaign_id"));
      printf("violation of invariant %lld: campaign %s: %s\n",
             (long long)json_integer_value(json_object_get(v, "invariant")), cid ? cid : "-",
             json_string_value(json_object_get(v, "detail")));
    }
    json_t *k = json_object_get(r, "checked");
    printf("check: %zu violation%s (%lld campaigns, %lld businesses, %lld enrichments, %lld costs, "
           "%lld verifications)\n",
           json_array_size(violations), json_array_size(violations) == 1 ? "" : "s",
           (long long)json_integer_value(json_object_get(k, "campaigns")),
           (long long)json_integer_value(json_object_get(k, "businesses")),
           (long long)(json_integer_value(json_object_get(k, "facebook_enrichments")) +
                       json_integer_value(json_object_get(k, "linkedin_enrichments"))),
           (long long)json_integer_value(json_object_get(k, "costs")),
           (long long)json_integer_value(json_object_get(k, "verifications")));
  }
  int bad = json_array_size(violations) > 0;
  json_decref(r);
  leadstore_free(report);
  return bad ? 1 : 0;
}

/*--- summary ------------------------------------------------------------------*/

static long long geti(json_t *o, const char *k) { return (long long)json_integer_value(json_object_get(o, k)); }
static double getn(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }
static const char *gets_(json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "-";
}

/* "$7.50", "$0.105": exact to the micro-dollar, at least cents. */
static void money(char *out, size_t n, double usd) {
  long long micros = llround(usd * 1e6);
  char frac[8];
  snprintf(frac, sizeof frac, "%06lld", llabs(micros) % 1000000);
  int len = 6;
  while (len > 2 && frac[len - 1] == '0') len--;
  frac[len] = '\0';
  snprintf(out, n, "%s$%lld.%s", micros < 0 ? "-" : "", llabs(micros) / 1000000, frac);
}

int cli_summary(const cli_options *o, int argc, char **argv) {
  if (argc != 1) {
    fprintf(stderr, "usage: leadstore summary CAMPAIGN_ID\n");
    return CLI_USAGE;
  }
  int rc;
  leadstore *db = open_db(o, &rc);
  if (!db) return rc;
  json_t *p = json_pack("{s:s}", "p_campaign_id", argv[0]);
  char *params = json_dumps(p, JSON_COMPACT), *result = NULL;
  json_decref(p);
  rc = leadstore_call(db, &o->caller, "get_campaign", params, &result);
  free(params);
  leadstore_close(db);
  json_t *r = result ? json_loads(result, 0, NULL) : NULL;
  if (rc) {
    fprintf(stderr, "leadstore: %s\n", r ? gets_(r, "error") : "out of memory");
    json_decref(r);
    leadstore_free(result);
    return leadstore_status_exit(rc);
  }
  json_t *c = json_object_get(r, "campaign"), *cov = json_object_get(r, "coverage"),
         *leads = json_object_get(r, "leads"), *by = json_object_get(leads, "by_source");
  long long businesses = geti(c, "total_businesses_found"), emails = geti(c, "total_emails_found");
  double total = getn(c, "actual_cost");
  char gm[32], fb[32], li[32], bo[32], tot[32], est[32];
  money(gm, sizeof gm, getn(c, "google_maps_cost"));
  money(fb, sizeof fb, getn(c, "facebook_cost"));
  money(li, sizeof li, getn(c, "linkedin_enrichment_cost"));
  money(bo, sizeof bo, getn(c, "bouncer_verification_cost"));
  money(tot, sizeof tot, total);
  money(est, sizeof est, getn(c, "estimated_cost"));
  printf("Campaign    %s\n", gets_(c, "name"));
  printf("            id %s, %s profile, location %s\n", gets_(c, "id"), gets_(c, "coverage_profile"),
         gets_(c, "location"));
  printf("Status      %s (started %s, completed %s)\n", gets_(c, "status"), gets_(c, "started_at"),
         gets_(c, "completed_at"));
  printf("Coverage    %lld of %lld ZIPs scraped; the scraper reported %lld businesses, %lld emails\n",
         geti(cov, "zips_scraped"), geti(cov, "zips_total"), geti(cov, "businesses_found"),
         geti(cov, "emails_found"));
  printf("Leads       %lld businesses, %lld with an email (%.1f%%)\n", businesses, emails,
         businesses ? 100.0 * (double)emails / (double)businesses : 0.0);
  printf("            emails by source: LinkedIn %lld, Facebook %lld, Google Maps %lld\n", geti(by, "linkedin"),
         geti(by, "facebook"), geti(by, "google_maps"));
  printf("            verified deliverable: %lld, safe to send: %lld\n", geti(c, "total_verified_emails"),
         geti(leads, "safe"));
  printf("Enrichment  Facebook pages found %lld, LinkedIn profiles found %lld\n",
         geti(c, "total_facebook_pages_found"), geti(c, "total_linkedin_profiles_found"));
  printf("Costs       Google Maps %s, Facebook %s, LinkedIn %s, Bouncer %s\n", gm, fb, li, bo);
  printf("            total %s (estimated %s)", tot, est);
  if (businesses) printf(", per business $%.4f", total / (double)businesses);
  if (emails) printf(", per lead with an email $%.4f", total / (double)emails);
  printf("\n");
  json_decref(r);
  leadstore_free(result);
  return 0;
}

/*--- help and docs --------------------------------------------------------------*/

/* The limits column of a parameter: "one of a, b", "1–320 chars", "at most 5000; also `x`". */
static void limits_of(ls__sb *sb, json_t *f) {
  json_t *v;
  if ((v = json_object_get(f, "values"))) {
    ls__sb_printf(sb, "one of");
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) ls__sb_printf(sb, "%s%s", i ? ", " : " ", json_string_value(e));
  }
  if ((v = json_object_get(f, "max")))
    ls__sb_printf(sb, "%.15g–%.15g", getn(f, "min"), json_number_value(v));
  else if ((v = json_object_get(f, "min")))
    ls__sb_printf(sb, "≥ %.15g", json_number_value(v));
  if ((v = json_object_get(f, "max_length")))
    ls__sb_printf(sb, "%lld–%lld chars", geti(f, "min_length"), (long long)json_integer_value(v));
  if ((v = json_object_get(f, "max_items"))) ls__sb_printf(sb, "at most %lld", (long long)json_integer_value(v));
  if ((v = json_object_get(f, "alias"))) ls__sb_printf(sb, "%salso `%s`", sb->len ? "; " : "", json_string_value(v));
}

/* One parameter line: name (with its path in Markdown), type, required, limits, doc;
 * then its nested fields.  Non-zero when memory ran out. */
static int param_line(FILE *out, json_t *f, int depth, int markdown, const char *prefix) {
  ls__sb limits = LS__SB_INIT, path = LS__SB_INIT, sub_prefix = LS__SB_INIT;
  limits_of(&limits, f);
  ls__sb_printf(&path, "%s%s", prefix, gets_(f, "name"));
  ls__sb_printf(&sub_prefix, "%s%s", ls__sb_text(&path), !strcmp(gets_(f, "type"), "object[]") ? "[]." : ".");
  int rc = limits.failed || path.failed || sub_prefix.failed;
  const char *doc = json_string_value(json_object_get(f, "doc")), *lim = ls__sb_text(&limits);
  int required = json_is_true(json_object_get(f, "required"));
  if (!rc && markdown)
    fprintf(out, "| `%s` | %s | %s | %s | %s |\n", ls__sb_text(&path), gets_(f, "type"), required ? "yes" : "", lim,
            doc ? doc : "");
  else if (!rc)
    fprintf(out, "  %*s%-26s %-10s %-9s %s%s%s\n", depth * 2, "", gets_(f, "name"), gets_(f, "type"),
            required ? "required" : "", lim, *lim && doc ? "; " : "", doc ? doc : "");
  size_t i;
  json_t *sub;
  json_array_foreach(json_object_get(f, "fields"), i, sub) {
    if (rc) break;
    rc = param_line(out, sub, depth + 1, markdown, ls__sb_text(&sub_prefix));
  }
  ls__sb_free(&limits);
  ls__sb_free(&path);
  ls__sb_free(&sub_prefix);
  return rc;
}

static int describe_text(FILE *out, json_t *op) {
  fprintf(out, "%s (%s)\n  %s\n\nparameters:\n", gets_(op, "name"), gets_(op, "kind"), gets_(op, "summary"));
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(op, "params"), i, f) if (param_line(out, f, 0, 0, "")) return 70;
  fprintf(out, "\nreturns: {success: true, %s}\n", gets_(op, "returns"));
  return 0;
}

int cli_help(const cli_options *o, int argc, char **argv) {
  (void)o;
  if (argc == 0) return CLI_USAGE; /* main prints the usage */
  char *text = NULL;
  int rc = leadstore_describe(argv[0], &text);
  json_t *op = text ? json_loads(text, 0, NULL) : NULL;
  leadstore_free(text);
  if (rc || !op) {
    fprintf(stderr, "leadstore: unknown operation %s\n", argv[0]);
    json_decref(op);
    return CLI_USAGE;
  }
  rc = describe_text(stdout, op);
  json_decref(op);
  return rc;
}

int cli_docs(const cli_options *o, int argc, char **argv) {
  (void)o;
  if (argc == 1) return cli_docs_sql(argv[0]); /* gen_sql.c */
  if (argc != 0) return CLI_USAGE;
  char *text = NULL;
  if (leadstore_describe(NULL, &text)) return 70;
  json_t *ops = json_loads(text, 0, NULL);
  leadstore_free(text);
  printf("# Operations\n\n"
         "<!-- Generated by `leadstore docs` (make docs) from the operations table, src/ops.c. Do not edit. -->\n\n"
         "Every operation takes one JSON object of named parameters and returns one JSON object:\n"
         "`{\"success\": true, …}`, or `{\"success\": false, \"error\", \"error_code\", \"retry_recommended\"}`\n"
         "after which nothing was written. Write operations are atomic and accept `p_request_id` for\n"
         "idempotent retries. Unknown top-level parameters are refused (`22023`); unknown keys inside\n"
         "data objects are ignored (and kept in `raw_data` where the table has one).\n\n");
  size_t i;
  json_t *op;
  json_array_foreach(ops, i, op) printf("- [`%s`](#%s) — %s\n", gets_(op, "name"), gets_(op, "name"),
                                        gets_(op, "summary"));
  json_array_foreach(ops, i, op) {
    printf("\n## %s\n\n%s (%s operation)\n\n| parameter | type | required | limits | notes |\n|---|---|---|---|---|\n",
           gets_(op, "name"), gets_(op, "summary"), gets_(op, "kind"));
    size_t j;
    json_t *f;
    json_array_foreach(json_object_get(op, "params"), j, f) if (param_line(stdout, f, 0, 1, "")) {
      json_decref(ops);
      return 70;
    }
    printf("\nReturns `{success: true, %s}`.\n", gets_(op, "returns"));
  }
  printf("\n## Error codes\n\n| error_code | name | retry_recommended | HTTP | CLI exit | meaning |\n|---|---|---|---|---|---|\n");
  for (int s = 1; s < LEADSTORE__STATUS_COUNT; s++)
    printf("| `%s` | %s | %s | %d | %d | %s |\n", leadstore_status_sqlstate(s), leadstore_status_name(s),
           leadstore_status_retry(s) ? "true" : "false", leadstore_status_http(s), leadstore_status_exit(s),
           leadstore_status_message(s));
  json_decref(ops);
  return 0;
}
