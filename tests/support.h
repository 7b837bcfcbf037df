/*
 * support.h — what the test programs share: scratch databases, calling an
 * operation and reading its result, matching JSON against an expectation,
 * and the runner of the conformance cases in tests/cases/.
 */
#ifndef LS_TEST_SUPPORT_H
#define LS_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "leadstore.h"
#include "tap.h"

/* A fresh scratch directory (removed at exit); paths inside it. */
const char *ts_dir(void);
/* A new database path inside ts_dir() ("<dir>/<name>-<n>.db"). */
char *ts_db_path(const char *name);

/* Opens a database, failing the test program when it cannot. */
leadstore *ts_open(const char *path);

/* The service_role caller and an authenticated caller of `org`. */
extern const leadstore_caller ts_service;
leadstore_caller ts_member(const char *org);

/* Calls `op` with printf-formatted JSON parameters; the parsed result (never NULL). */
json_t *ts_call(leadstore *db, const leadstore_caller *who, const char *op, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* result.key as a string ("" when absent). */
const char *ts_str(json_t *result, const char *key);
/* True when the result is a success. */
bool ts_success(json_t *result);
/* The result's error_code ("" on success). */
const char *ts_code(json_t *result);

/* The invariant check: number of violations (diagnostics printed), -1 if it could not run. */
int ts_check(leadstore *db);

/* Copies the database at src to a new path (the online backup API); the new path. */
char *ts_copy(const char *src);

/* Whether table `table` of the database at target (a file or a PostgreSQL URL) has a row with this id. */
bool ts_row_exists(const char *target, const char *table, const char *id);

/* The whole text of a file (malloc'd), or NULL when it cannot be read. */
char *ts_read_file(const char *path);

/* A dump of every table's rows (ordered), for "the database is unchanged" proofs. */
char *ts_dump(const char *path);

/*
 * Subset matching: every key of `expect` is in `actual` with a matching
 * value; arrays match element-wise with equal length; numbers compare as
 * numbers; the strings "$uuid", "$ts" and "$any" match any UUID, any
 * timestamp and any non-null value.  On mismatch, `why` says where.
 */
bool ts_match(const json_t *expect, const json_t *actual, char *why, size_t whysz);

typedef enum { TS_LIB, TS_CLI, TS_PG, TS_HTTP } ts_mode;

/*
 * Runs every tests/cases/<*.case> file through the library on SQLite
 * (TS_LIB), the `leadstore` binary at `cli` (TS_CLI), or the library on the
 * PostgreSQL database whose URL is passed as `cli` (TS_PG, emptied before
 * each case), one TAP test per case.
 */
void ts_run_cases(const char *dir, ts_mode mode, const char *cli);

/*
 * Runs every case through a `leadstore serve` server at `url` (an HTTP engine
 * handle, which mints a token per caller from $LEADSTORE_JWT_SECRET) whose
 * database is `db` (a file or a PostgreSQL URL): the database is emptied
 * before each case, and row counts are read from it directly.
 */
void ts_run_cases_http(const char *dir, const char *url, const char *db);

/*
 * Starts `cli serve --db db --listen 127.0.0.1:0` (its stderr, the access
 * log, into a file of ts_dir()) and waits for its "listening on" line.
 * Returns the server's URL (malloc'd) and its pid in *pid; NULL with a
 * diagnostic when it did not come up.
 */
char *ts_serve(const char *cli, const char *db, pid_t *pid);
/* The same with more options for serve (a NULL-terminated list, or NULL). */
char *ts_serve_with(const char *cli, const char *db, const char *const *extra, pid_t *pid);
/* (The server runs without its periodic check: the case runner empties the
 * database between cases, and the check's reads would race that.) */
/* Stops a server of ts_serve with SIGTERM; its exit status (0: a clean shutdown). */
int ts_serve_stop(pid_t pid);

/* Empties every leadstore table of the PostgreSQL database at url. */
void ts_pg_reset(const char *url);

/*
 * The PostgreSQL database a test program works in, from $LEADSTORE_TEST_PG:
 * a URL (postgresql://…) is used as it is; a server's keyword string
 * ("host=… port=… user=…") gets a database of the program's own, named after
 * argv0 and created afresh, so programs of several builds can run at once.
 * NULL (and a bail-out line) when the variable is not set.
 */
char *ts_pg_database(const char *argv0);

/*
 * A JSON Web Token made by hand, as another implementation (or an attacker)
 * would: base64url(header) . base64url(claims) . base64url(HMAC-<digest>
 * (secret)), digest "sha256", "sha512"…; `sig` (when not NULL) replaces the
 * signature.  free() it.
 */
char *ts_jwt(const char *header, const char *claims, const char *digest, const char *secret, const char *sig);

/* The path of a sibling of this test binary's build dir: "<build>/<name>". */
char *ts_build_path(const char *argv0, const char *name);

/*--- Canonical table contents (t_differential) ----------------------------------*/

/*
 * The rows of `table` in the database at `target` (an SQLite file or a
 * PostgreSQL URL) as a JSON array, one object per row, ordered by id, spelled
 * the same on both engines: money as integer micro-dollars, booleans as
 * true/false, lists and JSON columns as JSON, timestamps as the API prints
 * them; every object in the canonical text of the library's results.
 * gmaps_rpc_requests.params_hash is left out: each engine hashes its own
 * canonical text of the parameters.  NULL when the table cannot be read.
 */
json_t *ts_table_rows(const char *target, const char *table);

/*--- Random sequences (t_property, t_differential) -----------------------------*/

enum { TS_CAMPAIGNS = 3, TS_PLACES = 24, TS_KEPT = 64 };

/* Performs one call for the generator: the parsed result (never NULL). */
typedef json_t *(*ts_call_fn)(void *ctx, const leadstore_caller *who, const char *op, const char *params);

/*
 * A seeded random sequence of calls of every operation: three campaigns (one
 * without organization, two of two organizations), callers that are
 * service_role, members of the campaign's organization and of another one,
 * request ids and exact replays, refused calls (bad input, wrong status,
 * another organization) and values at every limit of the operations table.
 * The generator reads only its own seed and the results it is given, so two
 * engines that answer alike are driven through the same calls.
 */
typedef struct ts_world {
  ts_call_fn call;
  void *ctx;
  unsigned long long seed, rng;
  char campaign[TS_CAMPAIGNS][37];
  int ncampaigns;
  long long cost_micros[TS_CAMPAIGNS]; /* successful (not replayed) cost calls, summed */
  char business[TS_KEPT][37];          /* ids seen in results */
  char fb[TS_KEPT][37], li[TS_KEPT][37];
  int nbusiness, nfb, nli;
  char after[37];                      /* the next_after of the last page read, and its list */
  int after_list;
  char *last_op, *last_params;         /* the last call with a request id, for exact replays */
  const leadstore_caller *last_who;
} ts_world;

/* Number of steps of the sequence of `seed` (10 to 70). */
int ts_steps_of(unsigned long long seed);
/* Seeds the world and creates its campaigns; false when that failed. */
bool ts_world_start(ts_world *w, unsigned long long seed, ts_call_fn call, void *ctx);
/* One random operation; the parsed result. */
json_t *ts_world_step(ts_world *w);
/* A random number below n from the world's generator. */
unsigned ts_rnd(ts_world *w, unsigned n);
void ts_world_free(ts_world *w);

/* The value of header `name` (case-insensitive) in a raw HTTP header block,
 * cut to fit out (outsz bytes); "" when absent.  Returns out. */
const char *ts_header(const char *block, const char *name, char *out, size_t outsz);

/* A restore_campaign_tx parameter object (a campaign with its coverage, a
 * business, costs and history), fixed ids and timestamps. */
extern const char ts_restore_sample[];

#endif
