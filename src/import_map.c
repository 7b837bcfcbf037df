/*
 * import_map.c — each source's record mapped onto the data object of the
 * operation that applies it (docs/import-export.md has the tables):
 *
 *   Google Maps scrapers → a business of batch_upsert_businesses_tx (SPEC §7.5):
 *     Apify (JSON array, JSON lines, or CSV whose nested keys are flattened
 *     with '/': location/lat, categories/0, emails/0), gosom (CSV whose
 *     maps and lists are JSON-encoded cells and whose emails are joined with
 *     ", "; or JSON lines), and leadstore's own CSV (the SPEC's field names);
 *   Facebook page scrapers → save_facebook_enrichment_tx's p_enrichment_data;
 *   LinkedIn profile scrapers → save_linkedin_enrichment_tx's;
 *   Bouncer answers → update_email_verification_tx's p_verification_data.
 *
 * Empty strings count as absent.  The whole record is kept as raw_data.
 * Values the operation would refuse are left to it: the importer reports the
 * operation's message for the row and skips it.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

/*--- Formats ---------------------------------------------------------------------------*/

static const struct {
  imp_format format;
  const char *name;
  imp_syntax syntax;
} formats[] = {
    {IMP_APIFY_JSON, "apify-json", IMP_JSON_ARRAY}, {IMP_APIFY_JSONL, "apify-jsonl", IMP_JSONL},
    {IMP_APIFY_CSV, "apify-csv", IMP_CSV},          {IMP_GOSOM_CSV, "gosom-csv", IMP_CSV},
    {IMP_GOSOM_JSONL, "gosom-jsonl", IMP_JSONL},    {IMP_PLAIN_CSV, "csv", IMP_CSV},
};
enum { NFORMATS = sizeof formats / sizeof formats[0] };

imp_format imp_format_named(const char *name) {
  for (int i = 0; i < NFORMATS; i++)
    if (!strcmp(formats[i].name, name)) return formats[i].format;
  return IMP_FMT_NONE;
}

const char *imp_format_name(imp_format f) {
  for (int i = 0; i < NFORMATS; i++)
    if (formats[i].format == f) return formats[i].name;
  return "?";
}

imp_syntax imp_format_syntax(imp_format f) {
  for (int i = 0; i < NFORMATS; i++)
    if (formats[i].format == f) return formats[i].syntax;
  return IMP_CSV;
}

const char *imp_format_names(void) { return "apify-json, apify-jsonl, apify-csv, gosom-csv, gosom-jsonl, csv"; }

/* Whether the first line of head (n bytes) holds `word` as a whole CSV header cell or JSON key. */
static bool first_line_has(const char *head, size_t n, const char *word) {
  size_t end = 0, w = strlen(word);
  while (end < n && head[end] != '\n') end++;
  for (size_t i = 0; i + w <= end; i++) {
    if (memcmp(head + i, word, w)) continue;
    char before = i ? head[i - 1] : ',', after = i + w < end ? head[i + w] : ',';
    bool open = before == ',' || before == '"', close = after == ',' || after == '"' || after == '\r';
    if (open && close) return true;
  }
  return false;
}

imp_format imp_detect(const char *head, size_t n) {
  size_t i = 0;
  if (n >= 3 && !memcmp(head, "\xef\xbb\xbf", 3)) i = 3;
  while (i < n && isspace((unsigned char)head[i])) i++;
  if (i == n) return IMP_FMT_NONE;
  head += i, n -= i;
  if (head[0] == '[') return IMP_APIFY_JSON;
  if (head[0] == '{') return first_line_has(head, n, "placeId") ? IMP_APIFY_JSONL : IMP_GOSOM_JSONL;
  if (first_line_has(head, n, "placeId")) return IMP_APIFY_CSV;
  if (first_line_has(head, n, "place_id") && (first_line_has(head, n, "input_id") || first_line_has(head, n, "link")))
    return IMP_GOSOM_CSV;
  if (first_line_has(head, n, "place_id") && first_line_has(head, n, "name")) return IMP_PLAIN_CSV;
  return IMP_FMT_NONE;
}

/*--- Reading a record's fields --------------------------------------------------------------*/

const char *imp_text(json_t *rec, const char *key) {
  const char *s = json_string_value(json_object_get(rec, key));
  if (!s) return NULL;
  for (const char *p = s; *p; p++)
    if (!isspace((unsigned char)*p)) return s;
  return NULL;
}

/* rec[a][b], or rec["a/b"] (Apify's CSV flattening). */
static json_t *path2(json_t *rec, const char *a, const char *b) {
  json_t *v = json_object_get(json_object_get(rec, a), b);
  if (v) return v;
  char key[128];
  snprintf(key, sizeof key, "%s/%s", a, b);
  return json_object_get(rec, key);
}

/* A number from a JSON number or a string holding one ("4.700000"); 0 when absent or
 * empty, 1 when read, -1 when present and not a number. */
static int number_of(json_t *v, double *out) {
  if (json_is_number(v)) return *out = json_number_value(v), 1;
  const char *s = json_string_value(v);
  if (!s) return 0;
  while (isspace((unsigned char)*s)) s++;
  if (!*s || !strcmp(s, "null")) return 0;
  char *end;
  double d = strtod(s, &end);
  while (isspace((unsigned char)*end)) end++;
  if (*end || !isfinite(d)) return -1;
  return *out = d, 1;
}

/* Sets b[to] from a number field; false (why filled) when it is not a number. */
static bool put_number(json_t *b, const char *to, json_t *v, const char *from, bool integer, char why[256]) {
  double d;
  int got = number_of(v, &d);
  if (got < 0) {
    snprintf(why, 256, "%s is not a number: %.64s", from, json_string_value(v));
    return false;
  }
  if (got) json_object_set_new(b, to, integer && d == floor(d) && fabs(d) < 9e15 ? json_integer((json_int_t)d) : json_real(d));
  return true;
}

/* Sets b[to] to a string field's text (untouched when absent or blank). */
static void put_text(json_t *b, const char *to, json_t *rec, const char *from) {
  const char *s = imp_text(rec, from);
  if (s) json_object_set_new(b, to, json_string(s));
}

/* A JSON value from a cell that holds JSON text (gosom's CSV), or the value itself; new
 * reference, NULL for absent, empty or "null". */
static json_t *json_cell(json_t *v) {
  const char *s = json_string_value(v);
  if (!s) return json_is_null(v) ? NULL : json_incref(v);
  if (!*s || !strcmp(s, "null")) return NULL;
  return json_loads(s, JSON_DECODE_ANY, NULL);
}

/* The list a record keeps under `key`: a JSON array, Apify CSV's key/0, key/1, …, or a
 * text of items separated by `sep` (gosom's ", "); a new array of non-empty strings. */
static json_t *list_of(json_t *rec, const char *key, const char *sep) {
  json_t *out = json_array(), *v = json_object_get(rec, key);
  if (!out) return NULL;
  if (json_is_array(v)) {
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
      const char *s = json_string_value(e);
      if (s && *s) json_array_append_new(out, json_string(s));
    }
    return out;
  }
  if (json_is_string(v) && sep) {
    const char *s = json_string_value(v);
    if (s[0] == '[') { /* a JSON list in a cell */
      json_t *a = json_loads(s, 0, NULL);
      if (json_is_array(a)) {
        json_decref(out);
        json_t *wrapped = json_pack("{s:o}", key, a);
        out = list_of(wrapped, key, NULL);
        json_decref(wrapped);
        return out;
      }
      json_decref(a);
    }
    size_t seplen = strlen(sep);
    while (*s) {
      const char *e = strstr(s, sep);
      size_t len = e ? (size_t)(e - s) : strlen(s);
      while (len && isspace((unsigned char)*s)) s++, len--;
      while (len && isspace((unsigned char)s[len - 1])) len--;
      if (len) json_array_append_new(out, json_stringn(s, len));
      if (!e) break;
      s = e + seplen;
    }
    return out;
  }
  for (int i = 0; i < 1000; i++) {
    char k[128];
    snprintf(k, sizeof k, "%s/%d", key, i);
    const char *s = imp_text(rec, k);
    if (!json_object_get(rec, k)) break;
    if (s) json_array_append_new(out, json_string(s));
  }
  return out;
}

/* The first item of a list field, or NULL (borrowed from the list). */
static void put_first(json_t *b, const char *to, json_t *list) {
  const char *s = json_string_value(json_array_get(list, 0));
  if (s) json_object_set_new(b, to, json_string(s));
}

/* Apify's opening hours from CSV's openingHours/N/day and openingHours/N/hours. */
static json_t *apify_csv_hours(json_t *rec) {
  json_t *out = json_array();
  for (int i = 0; out && i < 50; i++) {
    char day[64], hours[64];
    snprintf(day, sizeof day, "openingHours/%d/day", i);
    snprintf(hours, sizeof hours, "openingHours/%d/hours", i);
    if (!imp_text(rec, day)) break;
    json_array_append_new(out, json_pack("{s:s, s:s?}", "day", imp_text(rec, day), "hours", imp_text(rec, hours)));
  }
  if (json_array_size(out) == 0) json_decref(out), out = NULL;
  return out;
}

/*--- Businesses ---------------------------------------------------------------------------------*/

/* Apify: JSON (nested) or CSV (flattened with '/'). */
static bool map_apify(json_t *rec, json_t *b, bool csv, char why[256]) {
  put_text(b, "place_id", rec, "placeId");
  put_text(b, "name", rec, "title");
  put_text(b, "address", rec, "address");
  put_text(b, "city", rec, "city");
  put_text(b, "state", rec, "state");
  put_text(b, "postal_code", rec, "postalCode");
  put_text(b, "country", rec, "countryCode");
  put_text(b, "phone", rec, "phone");
  if (!json_object_get(b, "phone")) put_text(b, "phone", rec, "phoneUnformatted");
  put_text(b, "website", rec, "website");
  put_text(b, "category", rec, "categoryName");
  put_text(b, "description", rec, "description");
  put_text(b, "price_level", rec, "price");
  if (!put_number(b, "latitude", path2(rec, "location", "lat"), "location.lat", false, why) ||
      !put_number(b, "longitude", path2(rec, "location", "lng"), "location.lng", false, why) ||
      !put_number(b, "rating", json_object_get(rec, "totalScore"), "totalScore", false, why) ||
      !put_number(b, "reviews_count", json_object_get(rec, "reviewsCount"), "reviewsCount", true, why))
    return false;
  json_t *categories = list_of(rec, "categories", NULL);
  if (json_array_size(categories)) json_object_set(b, "categories", categories);
  json_decref(categories);
  /* the contact enrichment's lists: the first email and profile of each */
  json_t *emails = list_of(rec, "emails", NULL);
  put_first(b, "email", emails);
  json_decref(emails);
  if (!json_object_get(b, "email")) put_text(b, "email", rec, "email"); /* the leads enrichment's person */
  static const char *const social[][2] = {{"facebooks", "facebook_url"}, {"instagrams", "instagram_url"},
                                          {"twitters", "twitter_url"}, {"linkedIns", "linkedin_url"}};
  for (size_t i = 0; i < sizeof social / sizeof social[0]; i++) {
    json_t *l = list_of(rec, social[i][0], NULL);
    put_first(b, social[i][1], l);
    json_decref(l);
  }
  json_t *hours = csv ? apify_csv_hours(rec) : json_incref(json_object_get(rec, "openingHours"));
  if (hours && !json_is_null(hours)) json_object_set(b, "hours", hours);
  json_decref(hours);
  return true;
}

/* gosom: CSV (maps and lists JSON-encoded in cells, emails joined with ", ") or JSON lines. */
static bool map_gosom(json_t *rec, json_t *b, char why[256]) {
  put_text(b, "place_id", rec, "place_id");
  put_text(b, "name", rec, "title");
  put_text(b, "address", rec, "address");
  put_text(b, "category", rec, "category");
  put_text(b, "phone", rec, "phone");
  put_text(b, "website", rec, "website");
  if (!json_object_get(b, "website")) put_text(b, "website", rec, "web_site");
  put_text(b, "description", rec, "descriptions");
  if (!json_object_get(b, "description")) put_text(b, "description", rec, "description");
  put_text(b, "price_level", rec, "price_range");
  json_t *lng = json_object_get(rec, "longitude");
  if (!lng) lng = json_object_get(rec, "longtitude"); /* the legacy spelling */
  if (!put_number(b, "latitude", json_object_get(rec, "latitude"), "latitude", false, why) ||
      !put_number(b, "longitude", lng, "longitude", false, why) ||
      !put_number(b, "rating", json_object_get(rec, "review_rating"), "review_rating", false, why) ||
      !put_number(b, "reviews_count", json_object_get(rec, "review_count"), "review_count", true, why))
    return false;
  json_t *address = json_cell(json_object_get(rec, "complete_address"));
  if (json_object_get(rec, "complete_address") && json_is_string(json_object_get(rec, "complete_address")) &&
      imp_text(rec, "complete_address") && strcmp(imp_text(rec, "complete_address"), "null") && !address) {
    snprintf(why, 256, "complete_address is not JSON");
    return false;
  }
  if (json_is_object(address)) {
    put_text(b, "city", address, "city");
    put_text(b, "state", address, "state");
    put_text(b, "postal_code", address, "postal_code");
    put_text(b, "country", address, "country");
  }
  json_decref(address);
  json_t *hours = json_cell(json_object_get(rec, "open_hours"));
  if (hours) json_object_set_new(b, "hours", hours);
  json_t *categories = list_of(rec, "categories", NULL);
  if (json_array_size(categories)) json_object_set(b, "categories", categories);
  json_decref(categories);
  json_t *emails = list_of(rec, "emails", ", ");
  put_first(b, "email", emails);
  json_decref(emails);
  return true;
}

/* leadstore's own CSV: the SPEC's field names; categories separated by ';'. */
static bool map_plain(json_t *rec, json_t *b, char why[256]) {
  static const char *const texts[] = {"place_id", "name", "address", "city", "state", "postal_code", "country",
                                      "phone", "website", "email", "category", "description", "price_level",
                                      "facebook_url", "instagram_url", "twitter_url", "linkedin_url"};
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) put_text(b, texts[i], rec, texts[i]);
  if (!put_number(b, "latitude", json_object_get(rec, "latitude"), "latitude", false, why) ||
      !put_number(b, "longitude", json_object_get(rec, "longitude"), "longitude", false, why) ||
      !put_number(b, "rating", json_object_get(rec, "rating"), "rating", false, why) ||
      !put_number(b, "reviews_count", json_object_get(rec, "reviews_count"), "reviews_count", true, why))
    return false;
  json_t *categories = list_of(rec, "categories", ";");
  if (json_array_size(categories)) json_object_set(b, "categories", categories);
  json_decref(categories);
  json_t *hours = json_cell(json_object_get(rec, "hours"));
  if (hours) json_object_set_new(b, "hours", hours);
  return true;
}

json_t *imp_map_business(imp_format fmt, json_t *rec, const char **postal, const char **zip, char why[256]) {
  json_t *b = json_object();
  *postal = *zip = NULL;
  if (!b) return snprintf(why, 256, "out of memory"), NULL;
  bool ok = fmt == IMP_GOSOM_CSV || fmt == IMP_GOSOM_JSONL ? map_gosom(rec, b, why)
            : fmt == IMP_PLAIN_CSV                         ? map_plain(rec, b, why)
                                                           : map_apify(rec, b, fmt == IMP_APIFY_CSV, why);
  if (ok && !json_object_get(b, "place_id")) ok = false, snprintf(why, 256, "no place id");
  if (ok && !json_object_get(b, "name")) ok = false, snprintf(why, 256, "no name");
  if (!ok) {
    json_decref(b);
    return NULL;
  }
  if (fmt != IMP_PLAIN_CSV) json_object_set(b, "raw_data", rec);
  *postal = json_string_value(json_object_get(b, "postal_code"));
  *zip = fmt == IMP_PLAIN_CSV ? imp_text(rec, "zip_code") : NULL;
  return b;
}

/*--- URLs --------------------------------------------------------------------------------------*/

void imp_normal_url(const char *url, char *out, size_t n) {
  size_t o = 0;
  if (!n) return;
  const char *s = url ? url : "";
  while (isspace((unsigned char)*s)) s++;
  const char *scheme = strstr(s, "://");
  if (scheme) s = scheme + 3;
  if (!strncasecmp(s, "www.", 4)) s += 4;
  else if (!strncasecmp(s, "m.", 2)) s += 2;
  bool host = true;
  for (; *s && *s != '?' && *s != '#' && !isspace((unsigned char)*s) && o + 1 < n; s++) {
    if (*s == '/') host = false;
    out[o++] = host ? (char)tolower((unsigned char)*s) : *s;
  }
  while (o > 0 && out[o - 1] == '/') o--;
  out[o] = '\0';
}

/*--- Enrichments and verifications -----------------------------------------------------------------*/

/* The first well-formed-looking email of a list or text field ("a@b"), or NULL. */
static const char *first_email(json_t *list) {
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) {
    const char *s = json_string_value(e);
    if (s && strchr(s, '@')) return s;
  }
  return NULL;
}

json_t *imp_map_facebook(json_t *rec, char why[256]) {
  json_t *d = json_object();
  if (!d) return snprintf(why, 256, "out of memory"), NULL;
  put_text(d, "facebook_url", rec, "facebookUrl");
  if (!json_object_get(d, "facebook_url")) put_text(d, "facebook_url", rec, "pageUrl");
  if (!json_object_get(d, "facebook_url")) put_text(d, "facebook_url", rec, "facebook_url");
  put_text(d, "page_name", rec, "pageName");
  if (!json_object_get(d, "page_name")) put_text(d, "page_name", rec, "title");
  json_t *emails = list_of(rec, "emails", ", ");
  const char *one = imp_text(rec, "email");
  if (one && strchr(one, '@')) {
    bool seen = false;
    size_t i;
    json_t *e;
    json_array_foreach(emails, i, e) seen = seen || !strcasecmp(json_string_value(e), one);
    if (!seen) json_array_insert_new(emails, 0, json_string(one));
  }
  json_object_set_new(d, "emails", emails);
  if (first_email(emails)) json_object_set_new(d, "primary_email", json_string(first_email(emails)));
  json_t *phones = list_of(rec, "phones", ", ");
  if (imp_text(rec, "phone")) json_array_insert_new(phones, 0, json_string(imp_text(rec, "phone")));
  json_object_set_new(d, "phone_numbers", phones);
  json_t *success = json_object_get(rec, "success");
  const char *error = imp_text(rec, "error");
  if (!error) error = imp_text(rec, "errorMessage");
  json_object_set_new(d, "success", json_boolean(json_is_boolean(success) ? json_is_true(success) : !error));
  if (error) json_object_set_new(d, "error_message", json_string(error));
  json_object_set(d, "raw_data", rec);
  if (!json_object_get(d, "facebook_url") && !error && json_array_size(emails) == 0) {
    json_decref(d);
    snprintf(why, 256, "no Facebook URL, email or error");
    return NULL;
  }
  return d;
}

json_t *imp_map_linkedin(json_t *rec, char why[256]) {
  json_t *d = json_object();
  if (!d) return snprintf(why, 256, "out of memory"), NULL;
  put_text(d, "linkedin_url", rec, "linkedinUrl");
  if (!json_object_get(d, "linkedin_url")) put_text(d, "linkedin_url", rec, "linkedinProfile");
  if (!json_object_get(d, "linkedin_url")) put_text(d, "linkedin_url", rec, "linkedin_url");
  put_text(d, "person_name", rec, "fullName");
  if (!json_object_get(d, "person_name") && imp_text(rec, "firstName")) {
    char name[512];
    snprintf(name, sizeof name, "%s%s%s", imp_text(rec, "firstName"), imp_text(rec, "lastName") ? " " : "",
             imp_text(rec, "lastName") ? imp_text(rec, "lastName") : "");
    json_object_set_new(d, "person_name", json_string(name));
  }
  put_text(d, "person_title", rec, "jobTitle");
  if (!json_object_get(d, "person_title")) put_text(d, "person_title", rec, "headline");
  put_text(d, "company_name", rec, "companyName");
  put_text(d, "location", rec, "addressWithCountry");
  if (!json_object_get(d, "location")) put_text(d, "location", rec, "jobLocation");
  put_text(d, "phone_number", rec, "mobileNumber");
  double connections;
  if (number_of(json_object_get(rec, "connections"), &connections) == 1 && connections >= 0)
    json_object_set_new(d, "connections", json_integer((json_int_t)connections));
  const char *url = json_string_value(json_object_get(d, "linkedin_url"));
  json_object_set_new(d, "profile_type",
                      json_string(!url ? "unknown" : strstr(url, "/company/") ? "company" : strstr(url, "/in/") ? "personal" : "unknown"));
  if (json_object_get(d, "linkedin_url") && strstr(url, "/in/"))
    json_object_set_new(d, "person_profile_url", json_string(url));
  json_t *found = list_of(rec, "emails", ", ");
  const char *one = imp_text(rec, "email");
  if (one && strchr(one, '@')) json_array_insert_new(found, 0, json_string(one));
  json_object_set_new(d, "emails_found", found);
  json_t *generated = list_of(rec, "emails_generated", ", ");
  json_object_set_new(d, "emails_generated", generated);
  json_object_set_new(d, "email_extraction_attempted", json_true());
  if (first_email(found)) {
    json_object_set_new(d, "primary_email", json_string(first_email(found)));
    json_object_set_new(d, "email_source", json_string("linkedin_direct"));
  }
  const char *error = imp_text(rec, "error");
  if (error) json_object_set_new(d, "error", json_string(error));
  if (!url && !error && json_array_size(found) == 0 && json_array_size(generated) == 0) {
    json_decref(d);
    snprintf(why, 256, "no LinkedIn URL, email or error");
    return NULL;
  }
  return d;
}

/* Bouncer's "yes"/"no"/"unknown" (or a boolean) into d[to]; absent stays absent. */
static void put_flag(json_t *d, const char *to, json_t *v) {
  if (json_is_boolean(v)) json_object_set(d, to, v);
  else if (json_is_string(v) && (!strcmp(json_string_value(v), "yes") || !strcmp(json_string_value(v), "no")))
    json_object_set_new(d, to, json_boolean(!strcmp(json_string_value(v), "yes")));
}

json_t *imp_map_verification(json_t *rec, char why[256]) {
  const char *email = imp_text(rec, "email"), *status = imp_text(rec, "status");
  if (!email || !status) {
    snprintf(why, 256, "a Bouncer answer needs email and status");
    return NULL;
  }
  json_t *d = json_pack("{s:s, s:s}", "email", email, "status", status);
  if (!d) return snprintf(why, 256, "out of memory"), NULL;
  double score;
  int got = number_of(json_object_get(rec, "score"), &score);
  if (got < 0) {
    json_decref(d);
    snprintf(why, 256, "score is not a number");
    return NULL;
  }
  if (got) json_object_set_new(d, "score", json_real(score));
  put_text(d, "reason", rec, "reason");
  put_text(d, "provider", rec, "provider");
  json_t *domain = json_object_get(rec, "domain"), *account = json_object_get(rec, "account");
  if (json_is_object(domain)) {
    put_text(d, "domain", domain, "name");
    put_flag(d, "is_disposable", json_object_get(domain, "disposable"));
    put_flag(d, "is_free_email", json_object_get(domain, "free"));
  } else {
    put_text(d, "domain", rec, "domain");
  }
  if (json_is_object(account)) put_flag(d, "is_role_based", json_object_get(account, "role"));
  json_t *dns = json_object_get(rec, "dns");
  if (json_is_object(dns) && imp_text(dns, "type"))
    json_object_set_new(d, "mx_records", json_boolean(!strcmp(imp_text(dns, "type"), "MX")));
  put_text(d, "suggestion", rec, "didYouMean");
  json_object_set(d, "raw_response", rec);
  return d;
}
