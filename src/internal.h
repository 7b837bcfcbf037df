/*
 * internal.h — the umbrella header shared by leadstore's source files.
 *
 * The pieces, front to back:
 *   ops.def / ops.c     the operations table: every operation, its parameters
 *                       (types, limits, enum values, nested fields) and flags;
 *   validate.c          table-driven parameter validation (22023 / 22P02);
 *   dispatch.c          leadstore_call(): parse, validate, hand to the engine,
 *                       shape the failure object;
 *   engine interface    below: one struct of function pointers per engine;
 *   json.c money.c uuid.c clock.c alloc.c   small shared helpers.
 *
 * Symbols shared between files carry the ls__ prefix; file-static helpers
 * carry none; exported ones carry leadstore_.
 */
#ifndef LS_INTERNAL_H
#define LS_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "leadstore.h"

/*--- Errors ---------------------------------------------------------------*/

typedef struct ls__error {
  int code;       /* a leadstore_status; LEADSTORE_OK when no error */
  char msg[512];  /* readable message; names the parameter for EINVAL */
} ls__error;

/* Records `code` and a printf-style message in `err` (may be NULL); returns code. */
int ls__fail(ls__error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*--- Memory ---------------------------------------------------------------*/

/*
 * One allocator for the library and for jansson, so tests can count
 * allocations and make the Nth fail.  Every failure (injected or real) bumps
 * a per-thread counter that the engines check before they commit, so an
 * allocation that failed deep inside a JSON builder can never be committed
 * as a half-built result.
 */
void *ls__malloc(size_t n);
void ls__free(void *p);
char *ls__strdup(const char *s);
char *ls__strndup(const char *s, size_t n);
void ls__alloc_init(void);               /* installs the allocator into jansson, once */
unsigned long ls__alloc_failures(void);  /* failures so far on this thread */

/*--- Faults (test hooks) --------------------------------------------------*/

typedef struct ls__faults {
  int kind;      /* leadstore_fault */
  long n;        /* fail the nth event of that kind (1-based); 0 = disarmed */
  long steps;    /* statement steps counted in the current/last call */
  long allocs;   /* allocations counted in the current/last call */
} ls__faults;

/* The fault state of the call running on this thread (NULL outside calls). */
extern _Thread_local ls__faults *ls__active_faults;
/* Counts one statement step; true when it must fail (an injected fault). */
bool ls__fault_step(void);

/*--- The operations table -------------------------------------------------*/

typedef enum ls__type {
  LS_T_UUID,        /* string, canonical UUID; malformed → 22P02 */
  LS_T_TEXT,        /* string, min..max characters (0 = no limit) */
  LS_T_LABEL,       /* string or integer, kept as text (e.g. a quality tier 2 or "2") */
  LS_T_ZIP,         /* string, 1–10 characters of [0-9A-Za-z -] */
  LS_T_ENUM,        /* string, one of `values` */
  LS_T_INT,         /* integer in min..max */
  LS_T_NUMBER,      /* number in min..max */
  LS_T_MONEY,       /* number ≥ min, at most 99,999,999.999999, kept in micro-dollars */
  LS_T_BOOL,        /* true/false */
  LS_T_FLAG,        /* true/false or Bouncer's "yes"/"no"/"unknown" */
  LS_T_TIMESTAMP,   /* ISO-8601 string */
  LS_T_TEXT_LIST,   /* array of strings, at most max elements */
  LS_T_OBJECT,      /* object with `fields` (unknown keys ignored) */
  LS_T_OBJECT_LIST, /* array of objects with `fields`, at most max elements */
  LS_T_JSON,        /* any JSON value */
  LS_T_JSON_OBJECT  /* any JSON object */
} ls__type;

enum {
  LS_F_REQUIRED = 1u << 0, /* must be present and not null */
  LS_F_NONBLANK = 1u << 1  /* text: not only white space */
};

typedef struct ls__field {
  const char *name;                /* JSON key */
  ls__type type;
  unsigned flags;                  /* LS_F_* */
  double min, max;                 /* range, length or element count; max 0 = none */
  const char *const *values;       /* LS_T_ENUM: NULL-terminated list */
  const struct ls__field *fields;  /* LS_T_OBJECT(_LIST): the element's fields, {0}-terminated */
  const char *alias;               /* an accepted second spelling of the key */
  const char *doc;                 /* one line for the docs */
} ls__field;

enum { LS_OP_READ = 0, LS_OP_WRITE = 1 };

typedef enum ls__op_id {
#define LS_OP(name, kind, summary, returns) LS_OP_##name,
#include "ops.def"
#undef LS_OP
  LS_OP__COUNT
} ls__op_id;

typedef struct ls__op {
  const char *name;
  ls__op_id id;
  int kind;                /* LS_OP_READ / LS_OP_WRITE */
  const ls__field *params; /* {0}-terminated */
  const char *summary;
  const char *returns;     /* the success object's keys, for the docs */
} ls__op;

extern const ls__op ls__ops[LS_OP__COUNT];
const ls__op *ls__op_find(const char *name);
/* The nested fields of parameter `param` of `op` (an object or list of objects). */
const ls__field *ls__param_fields(const ls__op *op, const char *param);

/* Value lists shared by the table and the engines. */
extern const char *const ls__campaign_statuses[];
extern const char *const ls__coverage_profiles[];
extern const char *const ls__cost_services[];
extern const char *const ls__email_sources[];
extern const char *const ls__enrichment_statuses[];
extern const char *const ls__verification_sources[];
extern const char *const ls__verification_statuses[];
extern const char *const ls__enrichment_types[];
extern const char *const ls__profile_types[];

/* The data model's tables (for leadstore_test_count_rows and check). */
extern const char *const ls__tables[];

/*--- Validation -----------------------------------------------------------*/

/*
 * Validates `params` (a JSON object) against op->params: required keys,
 * JSON types, ranges, enum values, nested objects and lists, unknown
 * top-level keys.  Normalises in place what has one canonical form (UUIDs to
 * lower case).  Returns LEADSTORE_OK, or EINVAL/EUUID with a message that
 * names the parameter (`p_businesses[17].place_id is required`).
 */
int ls__validate(const ls__op *op, json_t *params, ls__error *err);

/* The state machine of SPEC §4. */
bool ls__status_transition_valid(const char *from, const char *to);

/* An email that may replace another (SPEC §5): after trimming, one '@' with
 * text on both sides and no white space.  Writes the trimmed form into out. */
bool ls__email_wellformed(const char *email, char *out, size_t outsz);

/* A verification's is_safe when the verifier did not say (SPEC §7.8):
 * status deliverable and score ≥ 70.  `score` may be NULL (no score). */
bool ls__is_safe_default(const char *status, const json_t *score);

/* Priority of an email source: linkedin 3 > facebook 2 > google_maps 1 > not_found 0. */
int ls__email_source_rank(const char *source);

/*--- JSON helpers ---------------------------------------------------------*/

/* Reading validated parameters: absent and JSON null read as "not given". */
const char *ls__jstr(const json_t *obj, const char *key);
bool ls__jhas(const json_t *obj, const char *key);
int64_t ls__jint(const json_t *obj, const char *key, int64_t dflt);
double ls__jnum(const json_t *obj, const char *key, double dflt);
int64_t ls__jmoney(const json_t *obj, const char *key, int64_t dflt);
/* A flag: 1 true/"yes", 0 false/"no", -1 absent/"unknown". */
int ls__jflag(const json_t *obj, const char *key);

/* A text parameter with surrounding white space removed: *len chars from the
 * returned pointer; NULL when absent, null or blank ("" never overwrites). */
const char *ls__jtrim(const json_t *obj, const char *key, size_t *len);
/* The keys of obj that `fields` does not name, as a new object; NULL when none. */
json_t *ls__unknown_keys(const ls__field *fields, const json_t *obj);

/* Compact, key-sorted serialisation (for hashing and storage).  NULL on OOM. */
char *ls__json_dump(const json_t *v);
/* SHA-256 hex of the canonical form of `params` without p_request_id. */
int ls__params_hash(const json_t *params, char out[65]);

/*--- Money, ids, time ------------------------------------------------------*/

#define LS_MONEY_MAX INT64_C(99999999999999) /* 99,999,999.999999 USD in micros */
int64_t ls__money_from_number(double v);     /* rounds half away from zero to 1e-6 */
json_t *ls__money_json(int64_t micros);      /* a JSON number printed exactly */
void ls__money_format(int64_t micros, char *out, size_t outsz); /* "12.345" */

bool ls__uuid_valid(const char *s);
void ls__uuid_new(leadstore *db, char out[37]);
void ls__now(leadstore *db, char out[32]);   /* "2026-11-29T18:42:12.123456Z" */
bool ls__timestamp_parse(const char *s, char out[32]); /* ISO-8601 → canonical UTC */

/*--- Calls and engines ----------------------------------------------------*/

/* One call as the engine sees it: validated, with the caller resolved. */
typedef struct ls__call {
  const ls__op *op;
  leadstore_role role;
  const char *org;        /* an authenticated caller's organization; NULL = every one */
  json_t *params;         /* validated parameter object (borrowed) */
  const char *request_id; /* p_request_id, or NULL */
  char now[32];           /* the call's timestamp, like PostgreSQL's now() */
} ls__call;

typedef struct ls__engine {
  const char *name;
  /* Opens `target` and stores the engine's state in db->impl. */
  int (*open)(leadstore *db, const char *target, ls__error *err);
  void (*close)(leadstore *db);
  /* Runs the validated call atomically; on success *result is the result
   * text (ls__malloc'd, success object); on failure nothing was written. */
  int (*call)(leadstore *db, const ls__call *call, char **result, ls__error *err);
  /* The invariants of SPEC §8: fills `report` (see leadstore_check). */
  int (*check)(leadstore *db, json_t *report, ls__error *err);
  int (*count_rows)(leadstore *db, const char *table, long long *out, ls__error *err);
  /* Brings the database's schema up to date; adds what it applied to report.applied. */
  int (*migrate)(leadstore *db, json_t *report, ls__error *err);
  /* A remote engine (NULL for the others): takes the call as it came,
   * unvalidated, and leaves validation to the server; *result is the
   * server's result object, or NULL when err says why there is none. */
  int (*forward)(leadstore *db, const leadstore_caller *caller, const char *op, const char *params,
                 char **result, ls__error *err);
} ls__engine;

extern const ls__engine ls__sqlite_engine;
extern const ls__engine ls__pg_engine;
extern const ls__engine ls__http_engine;

struct leadstore {
  const ls__engine *engine;
  void *impl;                /* the engine's state */
  leadstore_options opts;
  ls__faults faults;
};

/* Adds the check's finding to report.violations. */
int ls__check_violation(json_t *report, int invariant, const char *campaign_id,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif /* LS_INTERNAL_H */
