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
 *   json.c money.c uuid.c clock.c alloc.c   small shared helpers;
 *   strbuf.h / strbuf.c  the growable string every unbounded text is built in.
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
#include "strbuf.h"
#include "suggest.h"

/*--- Errors ---------------------------------------------------------------*/

typedef struct ls__error {
  int code;       /* a leadstore_status; LEADSTORE_OK when no error */
  char msg[512];  /* readable message; names the parameter for EINVAL.  A message
                     (never data) longer than 511 bytes is cut there. */
} ls__error;

/* Records `code` and a printf-style message in `err` (may be NULL); returns code. */
int ls__fail(ls__error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* vsnprintf into buf[size] (size ≥ 4) for text shown to people: what does not
 * fit is cut at a UTF-8 character boundary and ends in "…", never mid-character;
 * a character that a precision (%.64s) cut in two becomes '?', so the text is
 * always valid UTF-8. */
void ls__format_cut(char *buf, size_t size, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

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
/* The operation a mistyped name probably meant (suggest.c's rule), or NULL. */
const char *ls__op_suggest(const char *name);
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

/* Every value list by name ("campaign_status" …), for the generated SQL
 * function ls_values(name) and the test that the schemas' CHECKs agree. */
typedef struct ls__value_set {
  const char *name;
  const char *const *values;
} ls__value_set;
extern const ls__value_set ls__value_sets[]; /* {NULL, NULL}-terminated */

/* The data model's tables (for leadstore_test_count_rows and check). */
extern const char *const ls__tables[];

/*--- Validation -----------------------------------------------------------*/

/*
 * The deepest the parameters may nest: the parameters object is level 1 and
 * each object or array inside it one more.  Deeper is 22023, so every JSON
 * value stored (raw_data, hours, metadata, raw_response) can be answered
 * inside a result and read back by every front end — far below jansson's
 * parsing limit of 2048 levels and PostgreSQL's stack.
 */
#define LS_MAX_NESTING 64

/*
 * Validates `params` (a JSON object) against op->params: its nesting
 * (LS_MAX_NESTING), required keys, JSON types, ranges, enum values, nested
 * objects and lists, unknown top-level keys.  Normalises in place what has one canonical form (UUIDs to
 * lower case).  Returns LEADSTORE_OK, or EINVAL/EUUID with a message that
 * names the parameter (`p_businesses[17].place_id is required`).
 */
int ls__validate(const ls__op *op, json_t *params, ls__error *err);

/*--- Rules (rules.c): data shared by every engine ---------------------------
 * Each rule below is a C table; `leadstore docs rules` generates the
 * PostgreSQL functions of sql/postgres/0002_rules.sql from these tables, so
 * the two engines cannot disagree on them. */

/* One allowed status change of the state machine (SPEC §4). */
typedef struct ls__transition {
  const char *from, *to;
} ls__transition;
extern const ls__transition ls__status_transitions[]; /* {NULL, NULL}-terminated */

/* A campaign starts in ls__status_initial; entering ls__status_started sets
 * started_at (the first time); entering a status of ls__status_terminal
 * (NULL-terminated) sets completed_at. */
extern const char ls__status_initial[];
extern const char ls__status_started[];
extern const char *const ls__status_terminal[];

/* The state machine of SPEC §4 (false for NULLs and unknown statuses). */
bool ls__status_transition_valid(const char *from, const char *to);
/* Whether `status` is one of ls__status_terminal: such a campaign takes no
 * more scraping (SPEC §4); false for NULL. */
bool ls__status_is_terminal(const char *status);

/* The email rule (SPEC §5): after trimming the bytes of ls__email_space,
 * 3 to LS_EMAIL_MAX bytes (RFC 5321's limit of a path, 254 octets), exactly
 * one '@' with text on both sides, and none of ls__email_space inside. */
#define LS_EMAIL_MAX 254
/* The longest text an email parameter accepts (SMTP's 64 + 1 + 255): a longer
 * one is refused (22023); one over LS_EMAIL_MAX is accepted and is no email. */
#define LS_EMAIL_FIELD_MAX 320
extern const char ls__email_space[];

/* Whether `email` is well-formed by the email rule; writes the trimmed form
 * into out (outsz ≥ LS_EMAIL_MAX + 1 holds any well-formed address). */
bool ls__email_wellformed(const char *email, char *out, size_t outsz);

/* A verification's is_safe when the verifier did not say (SPEC §7.8):
 * status ls__safe_status and score ≥ LS_SAFE_MIN_SCORE.  `score` may be NULL. */
#define LS_SAFE_MIN_SCORE 70
extern const char ls__safe_status[];
bool ls__is_safe_default(const char *status, const json_t *score);

/* The verifier status with which a verified email counts in total_verified_emails. */
extern const char ls__verified_status[];

/* Priority of an email source: its place in ls__email_sources, listed from
 * the highest (linkedin 3 > facebook 2 > google_maps 1 > not_found 0);
 * 0 for anything else. */
int ls__email_source_rank(const char *source);

/* SQLSTATEs a database raises that are not in the error map, and the status
 * each means (a check constraint is EINVAL, a foreign key ENOTFOUND). */
typedef struct ls__state_alias {
  const char *sqlstate;
  int status;
} ls__state_alias;
extern const ls__state_alias ls__state_aliases[]; /* {NULL, 0}-terminated */

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
/* The same for a C string (NULL stays NULL).  White space: ' ', \t \n \v \f \r —
 * what PostgreSQL's functions trim too. */
const char *ls__trim(const char *v, size_t *len);
/* The keys of obj that `fields` does not name, as a new object; NULL when none. */
json_t *ls__unknown_keys(const ls__field *fields, const json_t *obj);

/*
 * The canonical text of a result object, the one spelling both engines
 * answer (so answers compare byte for byte): compact; in every object the key
 * "success" first, then the other keys in byte order; an integral number
 * without fraction (1, not 1.0 or 1.000000), any other number in its shortest
 * form of at most 15 significant digits (0.1, 7.5, 91.25) — exact for money,
 * which has at most 14; strings, booleans and null as JSON spells them.  NULL
 * on OOM.
 */
char *ls__result_text(const json_t *result);
/* The order of keys in a result text: "success" first, then byte order (strcmp-like). */
int ls__key_order(const char *x, const char *y);
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
/* ISO-8601 → canonical UTC: the date (years 0001–9999), optionally a time
 * (hours 00–23, minutes 00–59, seconds 00–60, any fraction, cut to
 * microseconds) and a zone (Z or ±hh[[:]mm] up to ±15:59, PostgreSQL's
 * range); false for anything else, also when the instant in UTC falls
 * outside years 0001–9999. */
bool ls__timestamp_parse(const char *s, char out[32]);

/*--- Calls and engines ----------------------------------------------------*/

/* One call as the engine sees it: validated, with the caller resolved. */
typedef struct ls__call {
  const ls__op *op;
  leadstore_role role;
  const char *org;        /* an authenticated caller's organization (lower case); NULL = every one */
  char org_buf[37];       /* its storage */
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
   * text (ls__malloc'd, success object, spelled by ls__result_text); on
   * failure nothing was written. */
  int (*call)(leadstore *db, const ls__call *call, char **result, ls__error *err);
  /* The invariants of SPEC §8: fills `report` (see leadstore_check). */
  int (*check)(leadstore *db, json_t *report, ls__error *err);
  int (*count_rows)(leadstore *db, const char *table, long long *out, ls__error *err);
  /* Brings the database's schema up to date; adds what it applied to report.applied. */
  int (*migrate)(leadstore *db, json_t *report, ls__error *err);
  /* PostgreSQL only (NULL elsewhere): leadstore_adopt, leadstore_uninstall,
   * leadstore_repair; each fills `report` (src/pg/adopt.c). */
  int (*adopt)(leadstore *db, bool dry_run, json_t *report, ls__error *err);
  int (*uninstall)(leadstore *db, json_t *report, ls__error *err);
  int (*repair)(leadstore *db, json_t *report, ls__error *err);
  /* Begins (begin true) or ends a read snapshot (leadstore_snapshot_begin);
   * NULL: the engine has none.  While one is open, call() runs reads inside it. */
  int (*snapshot)(leadstore *db, bool begin, ls__error *err);
  /* A remote engine (NULL for the others): takes the call as it came,
   * unvalidated, and leaves validation to the server; *result is the
   * server's result object, or NULL when err says why there is none. */
  int (*forward)(leadstore *db, const leadstore_caller *caller, const char *op, const char *params,
                 char **result, ls__error *err);
  /* Group commit (leadstore_group_begin/commit), NULL when calls commit one
   * by one: opens the group's transaction; commits it (on failure nothing
   * of the group was written). */
  int (*group_begin)(leadstore *db, ls__error *err);
  int (*group_commit)(leadstore *db, ls__error *err);
} ls__engine;

extern const ls__engine ls__sqlite_engine;
extern const ls__engine ls__pg_engine;
/* True when `target` is a libpq keyword string ("host=… dbname=…"): libpq
 * parses it and it sets at least one known keyword (src/pg/engine.c). */
bool ls__pg_target_is_conninfo(const char *target);
extern const ls__engine ls__http_engine;

/*
 * The PostgreSQL migrations embedded in the library (sql/postgres/, in
 * order), for `leadstore docs sql-install` (gen_sql.c), which must install
 * and record them exactly as migrate does: the name of migration i (NULL
 * past the last), and when asked its embedded text, whether it is
 * repeatable, and the checksum migrate records (SHA-256 of the text, hex).
 */
size_t ls__pg_migration_count(void);
const char *ls__pg_migration(size_t i, const char **sql, bool *repeatable, char checksum[65]);
/* The advisory lock key migrate holds while it works, and the table it records migrations in. */
#define LS__PG_MIGRATE_LOCK "hashtextextended('leadstore migrate', 0)"
#define LS__PG_MIGRATIONS_TABLE                                                                        \
  "CREATE TABLE IF NOT EXISTS leadstore_migrations (name text PRIMARY KEY, checksum text NOT NULL, " \
  "applied_at timestamptz NOT NULL DEFAULT now())"

struct leadstore {
  const ls__engine *engine;
  void *impl;                /* the engine's state */
  leadstore_options opts;    /* as given, busy_timeout_ms defaulted */
  bool busy_timeout_set;     /* opts.busy_timeout_ms came from the caller */
  ls__faults faults;
  bool group;                /* a group (leadstore_group_begin) is open */
  bool snapshot;             /* a read snapshot is open (leadstore_snapshot_begin) */
};

/* Adds the check's finding to report.violations. */
int ls__check_violation(json_t *report, int invariant, const char *campaign_id,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif /* LS_INTERNAL_H */
