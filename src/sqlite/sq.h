/*
 * sq.h — the embedded engine's internal header, shared by the files of
 * src/sqlite/ and by nothing else (only these files include sqlite3.h).
 *
 * The engine runs each operation as C code inside one transaction
 * (BEGIN IMMEDIATE for writes, a plain BEGIN snapshot for reads).  Its
 * statements live in sql/sqlite/queries.sql; each is prepared once per
 * connection on first use and reused.  A handler receives the validated
 * call and the success object to fill; it returns LEADSTORE_OK or a status
 * (with `err` filled), and the engine commits or rolls back.
 */
#ifndef LS_SQ_H
#define LS_SQ_H

#include <sqlite3.h>

#include "../internal.h"

/* Statement ids, one per `-- name:` block of queries.sql. */
typedef enum sq_query {
#define LS_SQ_QUERY(name, sql) SQ_##name,
#include "sqlite_queries.h"
#undef LS_SQ_QUERY
  SQ__COUNT
} sq_query;

typedef struct ls__sq {
  sqlite3 *conn;
  sqlite3_stmt *stmts[SQ__COUNT]; /* prepared on first use */
  struct ls__sq_shape *shapes[SQ__COUNT]; /* the row shape of a one-row read (ls__sq_row_json), kept */
  leadstore *db;                  /* the handle (clock, ids) */
  int bind_failed;                /* a bind of the current statement failed */
  bool group;                     /* a group's transaction is open: calls run in savepoints */
  int group_lost;                 /* the group's transaction was abandoned: its status, else OK */
  char group_lost_msg[256];       /* and why */
} ls__sq;

/* Registers the rules' SQL functions (functions.c) on a new connection; an SQLite result code. */
int ls__sq_create_functions(sqlite3 *conn);

typedef int (*ls__sq_handler)(ls__sq *s, const ls__call *c, json_t *res, ls__error *err);

/* Handlers, one per operation of ops.def: ls__sq_<name>, in the file of its family. */
#define LS_OP(name, kind, summary, returns) int ls__sq_##name(ls__sq *, const ls__call *, json_t *, ls__error *);
#include "ops.def"
#undef LS_OP

/* The invariants of SPEC §8. */
int ls__sq_check(leadstore *db, json_t *report, ls__error *err);
/* check --repair (repair.c): the invariants restored after direct writes; fills report.steps. */
/* The invariants of check, inside the caller's transaction: the first violation of
 * campaign_id's rows is 22023 naming it (restore_campaign_tx). */
int ls__sq_check_campaign(ls__sq *s, const char *campaign_id, ls__error *err);
int ls__sq_repair(leadstore *db, json_t *report, ls__error *err);

/* The campaign counters, stored and recounted in the order of the
 * campaign_counters query: the six of the statistics answer
 * (actual_zip_count and zips_scraped last), the lead and coverage totals
 * get_campaign reads (schema_3.sql), then the queues (schema_4.sql). */
enum { LS__SQ_COUNTERS = 16 };
/* statistics.c: recounts campaign `id` (visible to c) into actual[], stores
 * the recount when the row differs (*drift), at c->now. */
int ls__sq_recount_campaign(ls__sq *s, const ls__call *c, const char *id, int64_t actual[LS__SQ_COUNTERS], bool *drift,
                            ls__error *err);

/*--- Statements ------------------------------------------------------------*/

/* The statement `q`, prepared on first use, reset and with its bindings cleared. */
sqlite3_stmt *ls__sq_stmt(ls__sq *s, sq_query q, ls__error *err);

/* Binding; NULL text/JSON binds SQL NULL.  A failed bind fails the next step. */
void ls__sq_text(ls__sq *s, sqlite3_stmt *st, int i, const char *v);
void ls__sq_int(ls__sq *s, sqlite3_stmt *st, int i, int64_t v);
void ls__sq_real(ls__sq *s, sqlite3_stmt *st, int i, double v);
void ls__sq_null(ls__sq *s, sqlite3_stmt *st, int i);
void ls__sq_json(ls__sq *s, sqlite3_stmt *st, int i, const json_t *v);
/* A JSON value of obj[key]: a number, string or boolean as such, else JSON text / NULL. */
void ls__sq_param(ls__sq *s, sqlite3_stmt *st, int i, const json_t *obj, const char *key);
/* A flag parameter (true/false/"yes"/"no"/"unknown") as 1/0/NULL. */
void ls__sq_flag(ls__sq *s, sqlite3_stmt *st, int i, int flag);

/* Binds every `:key` parameter of `st` from obj[key], by the type of `key`
 * in `fields`: text trimmed (blank = NULL), lists and JSON as JSON text,
 * money in micros, booleans and flags as 1/0/NULL, timestamps canonical. */
void ls__sq_bind_fields(ls__sq *s, sqlite3_stmt *st, const ls__field *fields, const json_t *obj);
/* Binds the `@name` parameter of `st`, when the statement has one. */
void ls__sq_at_text(ls__sq *s, sqlite3_stmt *st, const char *name, const char *v);
void ls__sq_at_int(ls__sq *s, sqlite3_stmt *st, const char *name, int64_t v);
void ls__sq_at_flag(ls__sq *s, sqlite3_stmt *st, const char *name, int flag);
void ls__sq_at_json(ls__sq *s, sqlite3_stmt *st, const char *name, const json_t *v);
/* Binds text trimmed of surrounding white space; blank or NULL binds NULL. */
void ls__sq_at_trimmed(ls__sq *s, sqlite3_stmt *st, const char *name, const char *v);

/* A verification result, as applied to a business or an enrichment. */
typedef struct ls__verif {
  int verified;          /* email_verified: 1/0 */
  const char *status;    /* bouncer_status, trimmed (points into status_buf), or NULL */
  char status_buf[4 * 64 + 1]; /* the validated limit: 64 characters of up to 4 bytes */
  const json_t *score;   /* bouncer_score (a JSON number), or NULL */
  const char *reason;    /* as given: bound trimmed */
  int is_safe, is_disposable, is_role_based, is_free_email; /* 1/0/-1 (NULL) */
  const char *verified_at; /* bouncer_verified_at */
  const json_t *raw;     /* bouncer_raw_response, or NULL */
} ls__verif;
/* Binds @verified @status @score @reason @is_safe … @verified_at @raw_response. */
void ls__sq_bind_verif(ls__sq *s, sqlite3_stmt *st, const ls__verif *v);
/* Sets v->status to obj[key] trimmed (NULL when absent or blank). */
void ls__sq_verif_status(ls__verif *v, const json_t *obj, const char *key);

/*--- Businesses and their email (SPEC §5) -----------------------------------------*/

/* What the email rules need to know of a business. */
typedef struct ls__biz {
  char id[37], campaign_id[37];
  bool has_email;
  char email[LS_EMAIL_MAX + 1];
  char source[16];
  bool verified;         /* current email verified deliverable (counts in total_verified_emails) */
  bool safe;             /* current email verified and is_safe (counts in total_safe_emails) */
  /* the columns that decide the work queues (ls__sq_biz_count, schema_4.sql) */
  bool needs_enrichment, linkedin_enriched, email_verified;
  char enrichment_status[16];
} ls__biz;

/* Deltas of a campaign's counters: SPEC §6, the lead totals of schema_3.sql and the queues of schema_4.sql. */
typedef struct ls__counts {
  int64_t businesses, emails, facebook, linkedin, verified; /* the counters of SPEC §6 */
  int64_t linkedin_emails, facebook_emails, google_maps_emails, safe; /* emails by source; safe ones */
  int64_t facebook_queue, linkedin_queue, verification_queue;         /* businesses waiting in each queue */
} ls__counts;

/* Reads the business row the statement stepped to (business_for_call / business_by_place layout). */
void ls__sq_biz_read(sqlite3_stmt *st, ls__biz *b);
/* Loads a business the caller may see: OK, or ENOTFOUND "Business … not found". */
int ls__sq_biz_load(ls__sq *s, const ls__call *c, const char *business_id, ls__biz *b, ls__error *err);
/*
 * Offers `email` from `source` to the business (SPEC §5): taken when it is
 * well-formed and the source ranks equal or higher than the current one; a
 * new address resets the business's verification columns; the same address
 * (case-insensitively) from a higher source only raises email_source.
 * *changed says whether the email or its source changed; b is updated.
 */
int ls__sq_offer_email(ls__sq *s, const ls__call *c, ls__biz *b, const char *email, const char *source,
                       bool *changed, ls__error *err);
/* The same offer in two halves, for a write that sets the offer's columns in its own UPDATE
 * (the Facebook save: the attempt and the email in one statement): what the offer does —
 * LS_OFFER_NONE, LS_OFFER_SOURCE (only email_source), LS_OFFER_EMAIL (a new address, `clean`
 * filled: business_set_email's columns) — and, once written, b updated to it. */
enum { LS_OFFER_NONE, LS_OFFER_SOURCE, LS_OFFER_EMAIL };
int ls__sq_offer_decide(const ls__biz *b, const char *email, const char *source, char clean[LS_EMAIL_MAX + 1]);
void ls__sq_offer_took(ls__biz *b, int offer, const char *clean, const char *source);
/*
 * Adds (sign 1) or takes away (sign -1) business b's share of the counters
 * that follow its email (emails, verified, by source, safe) and of the work
 * queues it waits in (the one definition of queue membership on this
 * engine's writing side: the predicates of idx_businesses_*_queue).  An operation
 * takes the share away before it changes the business and adds it back
 * after, so the deltas are exact whatever changed.
 */
void ls__sq_biz_count(const ls__biz *b, int sign, ls__counts *d);
/* Adds deltas to a campaign's counters (nothing when they are all zero). */
int ls__sq_counters_add(ls__sq *s, const ls__call *c, const char *campaign_id, const ls__counts *d, ls__error *err);

/*
 * Steps a statement: SQLITE_ROW or SQLITE_DONE, or -1 with `err` filled
 * (the engine's error mapping).  Counts the step for fault injection.
 */
int ls__sq_step(ls__sq *s, sqlite3_stmt *st, ls__error *err);
/* Steps a statement that returns no rows (or whose rows are ignored): OK or status. */
int ls__sq_exec(ls__sq *s, sqlite3_stmt *st, ls__error *err);
/* Steps a statement expecting one row: OK (row ready), ENOTFOUND (no row, err untouched) or status. */
int ls__sq_row(ls__sq *s, sqlite3_stmt *st, ls__error *err);

/* Steps a statement that must return a row (an aggregate, RETURNING): OK or status. */
int ls__sq_must_row(ls__sq *s, sqlite3_stmt *st, ls__error *err);

/* Maps an SQLite result code to a status with a message (the one error map of this engine). */
int ls__sq_error(ls__sq *s, int rc, ls__error *err);

/* The current row of statement q (st) as a JSON object, by declared column types (MONEY_INT,
 * BOOL_INT, JSON_TEXT), its shape (below) kept with the statement until SQLite re-prepares it. */
json_t *ls__sq_row_json(ls__sq *s, sq_query q, sqlite3_stmt *st);
/* The same for many rows of one statement: its columns' names, kinds and order in the
 * result text (ls__key_order: the rows come out canonical, ls__result_text spells them as
 * they are), worked out once, at the statement's first row (ls__sq_shape_of): the first
 * sqlite3_step of a run may re-prepare the statement (after a schema change), which frees
 * the column names taken before it.  Start with a zeroed shape. */
enum { LS_SQ_MAX_COLUMNS = 128 };
typedef struct ls__sq_shape {
  bool ready; /* worked out (at the first row) */
  int reprepared; /* the statement's SQLITE_STMTSTATUS_REPREPARE when worked out */
  int n; /* columns; 0 when the statement has more than LS_SQ_MAX_COLUMNS */
  const char *name[LS_SQ_MAX_COLUMNS];
  char kind[LS_SQ_MAX_COLUMNS];
  int order[LS_SQ_MAX_COLUMNS];
} ls__sq_shape;
void ls__sq_shape_of(sqlite3_stmt *st, ls__sq_shape *sh);
json_t *ls__sq_row_json_shaped(sqlite3_stmt *st, ls__sq_shape *sh);
/* Column i as text / NULL. */
const char *ls__sq_col_text(sqlite3_stmt *st, int i);

/*
 * Runs `q` (a query of one campaign: ?1 its id, ?2 the caller's organization)
 * and steps to its row: OK with *out positioned on the row (reset it when
 * done), or ENOTFOUND "Campaign … not found" — also for another
 * organization's campaign — or another status.
 */
int ls__sq_campaign_row(ls__sq *s, const ls__call *c, sq_query q, const char *campaign_id, sqlite3_stmt **out,
                        ls__error *err);
/* Looks up a campaign as the caller may see it: OK, or ENOTFOUND "Campaign … not found". */
int ls__sq_campaign_visible(ls__sq *s, const ls__call *c, const char *campaign_id, ls__error *err);
/* The same for a call that scrapes into the campaign (businesses, coverage):
 * also ERULE "Campaign … is completed" when its status is terminal (SPEC §4). */
int ls__sq_campaign_scrapable(ls__sq *s, const ls__call *c, const char *campaign_id, ls__error *err);

#endif /* LS_SQ_H */
