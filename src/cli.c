/*
 * cli.c — the commands of `leadstore`: a thin layer over the public API.
 * Every database action is a leadstore_call() or leadstore_check(); help and
 * docs are rendered from leadstore_describe(), i.e. from the operations table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "internal.h" /* ls__money_*: the library's one rule for money */

/*
 * Opens the database of the options, or prints why not (with the target's
 * password masked) and sets *rc to the exit status.  `create`: an SQLite file
 * that does not exist is created; otherwise it is a configuration error that
 * says how to create it.
 */
int cli_call_json(leadstore *db, const leadstore_caller *caller, const char *op, json_t *params, json_t **answer) {
  char *text = params ? json_dumps(params, JSON_COMPACT) : NULL, *result = NULL;
  int rc = text ? leadstore_call(db, caller, op, text, &result) : LEADSTORE_EINTERNAL;
  free(text);
  *answer = result ? json_loads(result, 0, NULL) : NULL;
  leadstore_free(result);
  return *answer ? rc : rc ? rc : LEADSTORE_EINTERNAL;
}

const char *cli_error_of(json_t *answer) {
  const char *m = json_string_value(json_object_get(answer, "error"));
  return m ? m : "out of memory";
}

leadstore *cli_open_db(const cli_options *o, int create, int *rc) {
  leadstore_options opts = {.create = create};
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
    const char *path = NULL;
    const char *engine = leadstore_target_engine(o->db, &path);
    bool missing = *rc == LEADSTORE_ECONFIG && engine && !strcmp(engine, "sqlite") && access(path, F_OK) != 0;
    fprintf(stderr, "leadstore: %s", msg ? msg : leadstore_status_message(*rc));
    if (missing) fprintf(stderr, " (create it with `leadstore init --db %s` or pass --create)", o->db);
    fprintf(stderr, "\n");
    leadstore_free(msg);
    *rc = leadstore_status_exit(*rc);
    return NULL;
  }
  return db;
}

const char *cli_given(const cli_options *o, const char *name, int *present) {
  const char *value = NULL;
  *present = 0;
  for (int i = 0; i < o->ngiven; i++)
    if (!strcmp(o->given[i].name, name)) value = o->given[i].value, *present = 1;
  return value;
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
static int init_or_migrate(const cli_options *o, int argc, int create) {
  if (argc != 0) {
    fprintf(stderr, "leadstore: init and migrate take no arguments (see leadstore help init)\n");
    return CLI_USAGE;
  }
  int rc;
  leadstore *db = cli_open_db(o, create, &rc);
  if (!db) return rc;
  char *report = NULL, *target = NULL;
  rc = leadstore_migrate(db, &report);
  json_t *r = report ? json_loads(report, 0, NULL) : NULL;
  if (rc) {
    fprintf(stderr, "leadstore: %s\n", r ? json_string_value(json_object_get(r, "error")) : "out of memory");
  } else {
    size_t i;
    json_t *name;
    json_array_foreach(json_object_get(r, "applied"), i, name) printf("applied %s\n", json_string_value(name));
    leadstore_target_masked(o->db, &target);
    printf("leadstore: %s database ready at %s\n", leadstore_engine(db), target ? target : "");
  }
  json_decref(r);
  leadstore_free(report);
  leadstore_free(target);
  leadstore_close(db);
  return rc ? leadstore_status_exit(rc) : 0;
}

int cli_init(const cli_options *o, int argc, char **argv) {
  (void)argv;
  return init_or_migrate(o, argc, 1);
}

int cli_migrate(const cli_options *o, int argc, char **argv) {
  (void)argv;
  return init_or_migrate(o, argc, o->create);
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
    fprintf(stderr, "usage: leadstore call OP [JSON|-] (see leadstore help call)\n");
    return CLI_USAGE;
  }
  char *input = NULL;
  const char *params = argc == 2 ? argv[1] : "-";
  if (!strcmp(params, "-")) {
    if (!(params = input = read_stdin())) return 70;
  }
  int rc;
  leadstore *db = cli_open_db(o, o->create, &rc);
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

/*--- check and summary --------------------------------------------------------*/

static long long geti(json_t *o, const char *k) { return (long long)json_integer_value(json_object_get(o, k)); }
static double getn(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }
static const char *gets_(json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "-";
}

/* "1 business", "2 businesses": n and the right form of its noun. */
static const char *count(char out[64], long long n, const char *one, const char *many) {
  snprintf(out, 64, "%lld %s", n, n == 1 ? one : many);
  return out;
}

int cli_check(const cli_options *o, int argc, char **argv) {
  (void)argv;
  if (argc != 0) {
    fprintf(stderr, "usage: leadstore check [--json] [--repair]\n");
    return CLI_USAGE;
  }
  int rc;
  if (cli_repair_requested(o) && (rc = cli_repair(o))) return rc;
  leadstore *db = cli_open_db(o, o->create, &rc);
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
    char nv[64], c[64], b[64], e[64], m[64], w[64];
    printf("check: %s (%s, %s, %s, %s, %s)\n",
           count(nv, (long long)json_array_size(violations), "violation", "violations"),
           count(c, geti(k, "campaigns"), "campaign", "campaigns"), count(b, geti(k, "businesses"), "business", "businesses"),
           count(e, geti(k, "facebook_enrichments") + geti(k, "linkedin_enrichments"), "enrichment", "enrichments"),
           count(m, geti(k, "costs"), "cost", "costs"), count(w, geti(k, "verifications"), "verification", "verifications"));
  }
  int bad = json_array_size(violations) > 0;
  json_decref(r);
  leadstore_free(report);
  return bad ? 1 : 0;
}

/* A money field of a result in micro-dollars, read as the library reads money (money.c). */
static int64_t micros(json_t *o, const char *k) { return ls__money_from_number(getn(o, k)); }

/* An average in micro-dollars: total / n, rounded half up to the micro-dollar; 0 when n is 0. */
static int64_t per(int64_t total, long long n) { return n > 0 ? (total + n / 2) / n : 0; }

/* Money as the summary prints it, one rule: "$7.50", "$0.105", "$0.012346" — exact to
 * the micro-dollar, at least cents, no trailing zeros beyond them (ls__money_format). */
static const char *usd(char out[40], int64_t m) {
  char amount[32];
  ls__money_format(m, amount, sizeof amount);
  snprintf(out, 40, "%s$%s", amount[0] == '-' ? "-" : "", amount + (amount[0] == '-'));
  return out;
}

/* The summary's numbers as one object (summary --json): money as exact numbers of USD. */
static json_t *summary_json(json_t *c, json_t *cov, json_t *leads) {
  json_t *by = json_object_get(leads, "by_source");
  long long businesses = geti(c, "total_businesses_found"), emails = geti(c, "total_emails_found");
  int64_t total = micros(c, "actual_cost");
  long long permille = businesses ? (emails * 1000 + businesses / 2) / businesses : 0;
  return json_pack(
      "{s:s?, s:s?, s:s?, s:s?, s:s?, s:O?, s:O?, "
      "s:{s:I, s:I, s:I, s:I}, "
      "s:{s:I, s:I, s:f, s:{s:I, s:I, s:I}, s:I, s:I}, "
      "s:{s:I, s:I}, "
      "s:{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}}",
      "campaign_id", json_string_value(json_object_get(c, "id")), "name", json_string_value(json_object_get(c, "name")),
      "status", json_string_value(json_object_get(c, "status")), "coverage_profile",
      json_string_value(json_object_get(c, "coverage_profile")), "location",
      json_string_value(json_object_get(c, "location")), "started_at", json_object_get(c, "started_at"),
      "completed_at", json_object_get(c, "completed_at"),
      "coverage", "zips_total", (json_int_t)geti(cov, "zips_total"), "zips_scraped", (json_int_t)geti(cov, "zips_scraped"),
      "businesses_reported", (json_int_t)geti(cov, "businesses_found"), "emails_reported",
      (json_int_t)geti(cov, "emails_found"),
      "leads", "businesses", (json_int_t)businesses, "with_email", (json_int_t)emails, "with_email_percent",
      (double)permille / 10, "emails_by_source", "linkedin", (json_int_t)geti(by, "linkedin"), "facebook",
      (json_int_t)geti(by, "facebook"), "google_maps", (json_int_t)geti(by, "google_maps"), "verified_deliverable",
      (json_int_t)geti(c, "total_verified_emails"), "safe_to_send", (json_int_t)geti(leads, "safe"),
      "enrichment", "facebook_pages_found", (json_int_t)geti(c, "total_facebook_pages_found"),
      "linkedin_profiles_found", (json_int_t)geti(c, "total_linkedin_profiles_found"),
      "costs_usd", "google_maps", ls__money_json(micros(c, "google_maps_cost")), "facebook",
      ls__money_json(micros(c, "facebook_cost")), "linkedin", ls__money_json(micros(c, "linkedin_enrichment_cost")),
      "bouncer", ls__money_json(micros(c, "bouncer_verification_cost")), "total", ls__money_json(total), "estimated",
      ls__money_json(micros(c, "estimated_cost")), "per_business",
      businesses ? ls__money_json(per(total, businesses)) : json_null(), "per_lead_with_email",
      emails ? ls__money_json(per(total, emails)) : json_null());
}

/* The summary as a person reads it. */
static void summary_text(json_t *c, json_t *cov, json_t *leads) {
  json_t *by = json_object_get(leads, "by_source");
  long long businesses = geti(c, "total_businesses_found"), emails = geti(c, "total_emails_found");
  int64_t total = micros(c, "actual_cost");
  char a[64], b[64], e[64], m1[40], m2[40], m3[40], m4[40];
  printf("Campaign    %s\n", gets_(c, "name"));
  printf("            id %s, %s profile, location %s\n", gets_(c, "id"), gets_(c, "coverage_profile"),
         gets_(c, "location"));
  printf("Status      %s (started %s, completed %s)\n", gets_(c, "status"), gets_(c, "started_at"),
         gets_(c, "completed_at"));
  printf("Coverage    %lld of %s scraped; the scraper reported %s, %s\n", geti(cov, "zips_scraped"),
         count(a, geti(cov, "zips_total"), "ZIP", "ZIPs"), count(b, geti(cov, "businesses_found"), "business", "businesses"),
         count(e, geti(cov, "emails_found"), "email", "emails"));
  /* a share in tenths of a percent, rounded half up, in integers */
  long long permille = businesses ? (emails * 1000 + businesses / 2) / businesses : 0;
  printf("Leads       %s, %lld with an email (%lld.%lld%%)\n", count(a, businesses, "business", "businesses"), emails,
         permille / 10, permille % 10);
  printf("            emails by source: LinkedIn %lld, Facebook %lld, Google Maps %lld\n", geti(by, "linkedin"),
         geti(by, "facebook"), geti(by, "google_maps"));
  printf("            verified deliverable: %lld, safe to send: %lld\n", geti(c, "total_verified_emails"),
         geti(leads, "safe"));
  printf("Enrichment  Facebook pages found %lld, LinkedIn profiles found %lld\n",
         geti(c, "total_facebook_pages_found"), geti(c, "total_linkedin_profiles_found"));
  printf("Costs       Google Maps %s, Facebook %s, LinkedIn %s, Bouncer %s\n", usd(m1, micros(c, "google_maps_cost")),
         usd(m2, micros(c, "facebook_cost")), usd(m3, micros(c, "linkedin_enrichment_cost")),
         usd(m4, micros(c, "bouncer_verification_cost")));
  printf("            total %s (estimated %s)", usd(m1, total), usd(m2, micros(c, "estimated_cost")));
  if (businesses) printf(", per business %s", usd(m1, per(total, businesses)));
  if (emails) printf(", per lead with an email %s", usd(m1, per(total, emails)));
  printf("\n");
}

int cli_summary(const cli_options *o, int argc, char **argv) {
  if (argc != 1) {
    fprintf(stderr, "usage: leadstore summary CAMPAIGN_ID [--json]\n");
    return CLI_USAGE;
  }
  int rc;
  leadstore *db = cli_open_db(o, o->create, &rc);
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
  json_t *c = json_object_get(r, "campaign"), *cov = json_object_get(r, "coverage"), *leads = json_object_get(r, "leads");
  if (o->json) {
    json_t *j = summary_json(c, cov, leads);
    char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) : NULL;
    printf("%s\n", text ? text : "{}");
    free(text);
    json_decref(j);
    rc = text ? 0 : 70;
  } else {
    summary_text(c, cov, leads);
  }
  json_decref(r);
  leadstore_free(result);
  return rc;
}

/*--- help and docs --------------------------------------------------------------*/

/* The notation of the parameter lists, explained once above each (help OP, docs). */
static const char notation[] =
    "* required   a–b an inclusive range (of characters, for text)   ≤ n at most n\n"
    "characters or list items   type[] a list of that type   the fields of an object,\n"
    "or of each object of a list, are indented under it";

/* The limits of a parameter, from the table: "one of a, b", "1–255 chars", "≤ 5000 items", "also `zip`". */
static void limits_of(ls__sb *sb, json_t *f) {
  json_t *v;
  const char *sep = "";
  if ((v = json_object_get(f, "values"))) {
    ls__sb_printf(sb, "one of");
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) ls__sb_printf(sb, "%s%s", i ? ", " : " ", json_string_value(e));
    sep = "; ";
  }
  if ((v = json_object_get(f, "max")))
    ls__sb_printf(sb, "%s%.15g–%.15g", sep, getn(f, "min"), json_number_value(v)), sep = "; ";
  else if ((v = json_object_get(f, "min")))
    ls__sb_printf(sb, "%s≥ %.15g", sep, json_number_value(v)), sep = "; ";
  if ((v = json_object_get(f, "max_length"))) {
    if (geti(f, "min_length") > 0)
      ls__sb_printf(sb, "%s%lld–%lld chars", sep, geti(f, "min_length"), (long long)json_integer_value(v));
    else
      ls__sb_printf(sb, "%s≤ %lld chars", sep, (long long)json_integer_value(v));
    sep = "; ";
  }
  if ((v = json_object_get(f, "max_items")))
    ls__sb_printf(sb, "%s≤ %lld items", sep, (long long)json_integer_value(v)), sep = "; ";
  if ((v = json_object_get(f, "alias"))) ls__sb_printf(sb, "%salso `%s`", sep, json_string_value(v));
}

/* The widest name (indentation and " *" included; type_column 0) or type (1) of a list of
 * parameters and their fields: the width of that column. */
static int column_width(json_t *fields, int depth, int type_column) {
  int width = 0;
  size_t i;
  json_t *f;
  json_array_foreach(fields, i, f) {
    int w = type_column ? (int)strlen(gets_(f, "type"))
                        : 2 * depth + (int)strlen(gets_(f, "name")) + (json_is_true(json_object_get(f, "required")) ? 2 : 0);
    int sub = column_width(json_object_get(f, "fields"), depth + 1, type_column);
    if (w > width) width = w;
    if (sub > width) width = sub;
  }
  return width;
}

/* One parameter: in Markdown a table row (its path: `a.b`, `a[].b`), else an aligned line
 * (name, type, then limits and doc); then its nested fields.  Non-zero when memory ran out. */
static int param_line(FILE *out, json_t *f, int depth, const int width[2], int markdown, const char *prefix) {
  ls__sb limits = LS__SB_INIT, path = LS__SB_INIT, sub_prefix = LS__SB_INIT, name = LS__SB_INIT;
  limits_of(&limits, f);
  int required = json_is_true(json_object_get(f, "required"));
  ls__sb_printf(&path, "%s%s", prefix, gets_(f, "name"));
  ls__sb_printf(&sub_prefix, "%s%s", ls__sb_text(&path), !strcmp(gets_(f, "type"), "object[]") ? "[]." : ".");
  ls__sb_printf(&name, "%*s%s%s", depth * 2, "", gets_(f, "name"), required ? " *" : "");
  int rc = limits.failed || path.failed || sub_prefix.failed || name.failed;
  const char *doc = json_string_value(json_object_get(f, "doc")), *lim = ls__sb_text(&limits);
  if (!rc && markdown)
    fprintf(out, "| `%s` | %s | %s | %s | %s |\n", ls__sb_text(&path), gets_(f, "type"), required ? "yes" : "", lim,
            doc ? doc : "");
  else if (!rc) {
    ls__sb line = LS__SB_INIT;
    ls__sb_printf(&line, "  %-*s  %-*s  %s%s%s", width[0], ls__sb_text(&name), width[1], gets_(f, "type"), lim,
                  *lim && doc ? "; " : "", doc ? doc : "");
    const char *t = ls__sb_text(&line);
    size_t len = strlen(t);
    while (len > 0 && t[len - 1] == ' ') len--; /* no trailing blanks */
    fprintf(out, "%.*s\n", (int)len, t);
    rc = line.failed;
    ls__sb_free(&line);
  }
  size_t i;
  json_t *sub;
  json_array_foreach(json_object_get(f, "fields"), i, sub) {
    if (rc) break;
    rc = param_line(out, sub, depth + 1, width, markdown, ls__sb_text(&sub_prefix));
  }
  ls__sb_free(&limits);
  ls__sb_free(&path);
  ls__sb_free(&sub_prefix);
  ls__sb_free(&name);
  return rc;
}

static int describe_text(FILE *out, json_t *op) {
  int write = !strcmp(gets_(op, "kind"), "write");
  fprintf(out, "%s — a %s operation%s\n  %s\n\nusage: leadstore call %s JSON   (JSON: an object of the parameters below)\n",
          gets_(op, "name"), gets_(op, "kind"),
          write ? ": atomic, and a retry with the same p_request_id changes nothing" : ": one consistent snapshot",
          gets_(op, "summary"), gets_(op, "name"));
  fprintf(out, "\nparameters:\n  (");
  for (const char *n = notation; *n; n++) fputs(*n == '\n' ? "\n   " : (char[]){*n, 0}, out);
  fprintf(out, ")\n");
  json_t *params = json_object_get(op, "params");
  int width[2] = {column_width(params, 0, 0), column_width(params, 0, 1)};
  size_t i;
  json_t *f;
  json_array_foreach(params, i, f) if (param_line(out, f, 0, width, 0, "")) return 70;
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
         "data objects are ignored (and kept in `raw_data` where the table has one).\n\n"
         "In the parameter tables, `a.b` is field `b` of object `a` and `a[].b` field `b` of each\n"
         "object of list `a`; type `x[]` is a list of `x`; a limit `a–b` is an inclusive range (of\n"
         "characters for text), `≤ n` at most n (characters, or items of a list).\n\n");
  size_t i;
  json_t *op;
  json_array_foreach(ops, i, op) printf("- [`%s`](#%s) — %s\n", gets_(op, "name"), gets_(op, "name"),
                                        gets_(op, "summary"));
  json_array_foreach(ops, i, op) {
    printf("\n## %s\n\n%s (%s operation)\n\n| parameter | type | required | limits | notes |\n|---|---|---|---|---|\n",
           gets_(op, "name"), gets_(op, "summary"), gets_(op, "kind"));
    size_t j;
    json_t *f;
    json_array_foreach(json_object_get(op, "params"), j, f) if (param_line(stdout, f, 0, (int[2]){0, 0}, 1, "")) {
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
