/*
 * import.h — shared by the files of `leadstore import` and `leadstore export`
 * (cli_import.c, import_read.c, import_map.c, cli_export.c): the record
 * readers that cut a file into records in constant memory, and the mappings
 * of each source's record onto an operation's data object.
 */
#ifndef LS_IMPORT_H
#define LS_IMPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/*--- Readers (import_read.c) ------------------------------------------------------*/

/* How a file is cut into records. */
typedef enum imp_syntax {
  IMP_CSV,        /* RFC 4180 with a header row (libcsv): each row an object of strings by header name */
  IMP_JSONL,      /* one JSON object per line */
  IMP_JSON_ARRAY  /* one JSON array of objects, cut element by element */
} imp_syntax;

typedef struct imp_reader imp_reader;

/* What imp_next answered. */
enum { IMP_END = 0, IMP_RECORD = 1, IMP_BAD = 2, IMP_FATAL = -1 };

/*
 * A reader of `f` (borrowed; read from its current position) in `syntax`.
 * NULL when memory ran out.  A UTF-8 byte order mark at the start is
 * skipped; a UTF-16 one is refused (IMP_FATAL on the first imp_next).
 */
imp_reader *imp_reader_new(FILE *f, imp_syntax syntax);
void imp_reader_free(imp_reader *r);

/*
 * The next record.  IMP_RECORD: *rec is a new object (the caller's), *line
 * the line it starts on.  IMP_BAD: a record that cannot be read (invalid
 * UTF-8, broken JSON inside one line or element, too many CSV fields):
 * *line and why[] say where and why; the reader goes on after it.
 * IMP_FATAL: the file cannot be read further (a CSV quote never closed, a
 * JSON array cut short, a read error): *line and why[] say where and why.
 * IMP_END: no more records.
 */
int imp_next(imp_reader *r, json_t **rec, long *line, char why[256]);

/* Bytes consumed so far (for the progress line). */
long long imp_bytes(const imp_reader *r);

/*--- Formats and mappings (import_map.c) ------------------------------------------------*/

/* The formats of `import businesses`. */
typedef enum imp_format {
  IMP_FMT_NONE = 0,
  IMP_APIFY_JSON,  /* Apify dataset export, one JSON array */
  IMP_APIFY_JSONL, /* the same items, one per line */
  IMP_APIFY_CSV,   /* Apify CSV, nested keys flattened with '/' */
  IMP_GOSOM_CSV,   /* gosom/google-maps-scraper CSV */
  IMP_GOSOM_JSONL, /* gosom/google-maps-scraper -json (one object per line) */
  IMP_PLAIN_CSV    /* leadstore's own column names (SPEC §7.5's fields, and zip_code) */
} imp_format;

/* The format named `name`, IMP_FMT_NONE when none is. */
imp_format imp_format_named(const char *name);
const char *imp_format_name(imp_format f);
imp_syntax imp_format_syntax(imp_format f);
/* The names, for messages: "apify-json, apify-jsonl, …". */
const char *imp_format_names(void);

/*
 * Guesses the format from the first bytes of a file (`head`, n bytes, after
 * any byte order mark): '[' is an Apify JSON array; '{' a JSON-lines file,
 * Apify's when its first line has "placeId", gosom's otherwise; anything else
 * a CSV told by its header (placeId: Apify; input_id or link with place_id:
 * gosom; place_id and name: leadstore's own).  IMP_FMT_NONE when it cannot tell.
 */
imp_format imp_detect(const char *head, size_t n);

/*
 * Maps one record of format `fmt` onto a business of batch_upsert_businesses_tx
 * (SPEC §7.5).  Returns a new object, or NULL with why[] filled (the record
 * cannot be a business: no place id, no name, a number that is not one).
 * *postal (borrowed from the returned object or rec; may be NULL) is the
 * record's postal code, *zip (may be NULL) the ZIP a plain CSV row names.
 */
json_t *imp_map_business(imp_format fmt, json_t *rec, const char **postal, const char **zip, char why[256]);

/* The normal form of a Facebook or LinkedIn URL for matching: lower-case host
 * without scheme, "www." or "m.", path without trailing slash, no query or
 * fragment ("facebook.com/harbordentalpdx"); writes into out (size n). */
void imp_normal_url(const char *url, char *out, size_t n);

/*
 * The enrichment or verification object of a record: a Facebook page
 * (save_facebook_enrichment_tx's p_enrichment_data), a LinkedIn profile
 * (save_linkedin_enrichment_tx's) or a Bouncer answer
 * (update_email_verification_tx's p_verification_data).  NULL with why[]
 * filled when the record has nothing to apply.
 */
json_t *imp_map_facebook(json_t *rec, char why[256]);
json_t *imp_map_linkedin(json_t *rec, char why[256]);
json_t *imp_map_verification(json_t *rec, char why[256]);

/* The text of a record's field: a non-empty string, else NULL. */
const char *imp_text(json_t *rec, const char *key);

/*--- The CLI's commands (cli_import.c, cli_export.c) ------------------------------------*/

#endif
