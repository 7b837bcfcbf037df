/*
 * leadstore.h — the public API of leadstore, the system of record for
 * lead-generation campaigns.
 *
 * The model: a database handle (`leadstore`) opened on an engine — an
 * SQLite file (the embedded default) or a PostgreSQL URL — and one entry
 * point, leadstore_call(), that runs one named operation atomically with
 * a JSON object of named parameters and answers one JSON object.  The
 * operations, their parameters and their results are those of SPEC §7;
 * `leadstore help` and docs/operations.md list them.
 *
 * Ownership, one rule for the whole API:
 *   - every `char **out` that a function fills is allocated by leadstore and
 *     is released with leadstore_free(); it is set (possibly to NULL) on
 *     every return;
 *   - every `const char *` argument is borrowed for the duration of the call
 *     only; leadstore keeps no pointer to it.
 *
 * Errors: functions return an int status, LEADSTORE_OK (0) or one of the
 * LEADSTORE_E* codes of the error map below.  The library never prints and
 * never exits.
 *
 * Threads: a handle may be used by one thread at a time; open one handle
 * per thread (several handles and several processes may share one SQLite
 * file or one PostgreSQL database).
 */
#ifndef LEADSTORE_H
#define LEADSTORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LEADSTORE_API __attribute__((visibility("default")))
#else
#define LEADSTORE_API
#endif

#define LEADSTORE_VERSION "0.1.0"

/*--- Errors ---------------------------------------------------------------*/

/*
 * The error map.  XX(name, sqlstate, http_status, exit_status, retry, message)
 * (new statuses are added at the end, so every status keeps its value).
 * ECONFIG is a target that cannot work as given — no database at that path,
 * a PostgreSQL database that does not exist, an unknown role or a wrong
 * password (SQLSTATEs 3D000, 28000 and 28P01 map to it): a retry cannot help,
 * unlike an unreachable server (ECONNECTION).  Its exit status is sysexits'
 * EX_CONFIG.
 *   sqlstate     the `error_code` of a failure result (SPEC §3.1)
 *   http_status  status of a protocol-level error over HTTP
 *   exit_status  exit status of the `leadstore` command for this failure
 *   retry        `retry_recommended` of a failure result
 *   message      default readable message
 */
#define LEADSTORE_ERROR_MAP(XX)                                                          \
  XX(OK, "00000", 200, 0, 0, "success")                                                 \
  XX(EINVAL, "22023", 400, 2, 0, "invalid parameter")                                   \
  XX(EUUID, "22P02", 400, 2, 0, "malformed UUID")                                       \
  XX(ENOTFOUND, "P0002", 404, 3, 0, "not found")                                        \
  XX(ERULE, "P0001", 400, 4, 0, "refused by a rule")                                    \
  XX(EDUPLICATE, "23505", 409, 5, 0, "duplicate inside the request")                    \
  XX(EFORBIDDEN, "42501", 403, 6, 0, "the caller's role may not call this operation")  \
  XX(ENOOP, "42883", 404, 7, 0, "unknown operation")                                    \
  XX(ESERIALIZATION, "40001", 503, 75, 1, "serialization failure, retry")               \
  XX(EDEADLOCK, "40P01", 503, 75, 1, "deadlock detected, retry")                        \
  XX(ELOCKTIMEOUT, "55P03", 503, 75, 1, "the database is busy (lock timeout), retry")   \
  XX(ESTMTTIMEOUT, "57014", 503, 75, 1, "statement timeout, retry")                     \
  XX(ECONNECTION, "08006", 503, 75, 1, "connection to the database lost, retry")        \
  XX(EINTERNAL, "XX000", 500, 70, 0, "internal error")                                 \
  XX(ECONFIG, "F0000", 500, 78, 0, "the database cannot be used as configured")

typedef enum leadstore_status {
#define LEADSTORE_XX_ENUM(name, sqlstate, http, exit_status, retry, msg) LEADSTORE_##name,
  LEADSTORE_ERROR_MAP(LEADSTORE_XX_ENUM)
#undef LEADSTORE_XX_ENUM
  LEADSTORE__STATUS_COUNT
} leadstore_status;

/* SQLSTATE string of a status ("22023"); "XX000" for an unknown status. */
LEADSTORE_API const char *leadstore_status_sqlstate(int status);
/* Symbolic name of a status ("EINVAL"). */
LEADSTORE_API const char *leadstore_status_name(int status);
/* Default message of a status. */
LEADSTORE_API const char *leadstore_status_message(int status);
/* HTTP status, CLI exit status and retry flag of a status. */
LEADSTORE_API int leadstore_status_http(int status);
LEADSTORE_API int leadstore_status_exit(int status);
LEADSTORE_API int leadstore_status_retry(int status);
/* The status whose SQLSTATE is `sqlstate`; a constraint violation maps as
 * its meaning (23514 check and 23502 not-null → EINVAL, 23503 foreign key →
 * ENOTFOUND, and 22001/22003/22007/22008 → EINVAL); classes 08xxx map to
 * ECONNECTION; anything unknown maps to EINTERNAL. */
LEADSTORE_API int leadstore_status_from_sqlstate(const char *sqlstate);

/*--- Callers --------------------------------------------------------------*/

typedef enum leadstore_role {
  LEADSTORE_ROLE_ANON = 0,          /* may call nothing */
  LEADSTORE_ROLE_AUTHENTICATED = 1, /* confined to one organization */
  LEADSTORE_ROLE_SERVICE = 2        /* every organization */
} leadstore_role;

/* Who is calling (SPEC §3.4).  Goes with every call. */
typedef struct leadstore_caller {
  leadstore_role role;
  const char *organization_id; /* AUTHENTICATED: the organization's UUID; else ignored */
} leadstore_caller;

/*--- Opening a database ---------------------------------------------------*/

typedef enum leadstore_durability {
  LEADSTORE_DURABLE_FULL = 0, /* default: a success survives power loss (fsync per commit) */
  LEADSTORE_DURABLE_NORMAL = 1 /* SQLite synchronous=NORMAL: survives a crash of the process,
                                  the last commits may be lost on power loss */
} leadstore_durability;

/*
 * Options of leadstore_open().  A zeroed struct (or NULL) means the defaults;
 * new fields are only ever added at the end, zero meaning "the default".
 * Which engine honours what:
 *
 *   field                 SQLite                      PostgreSQL
 *   durability            synchronous FULL / NORMAL   ignored (the server's
 *                                                     synchronous_commit)
 *   busy_timeout_ms       wait for another writer     lock_timeout of the session
 *   statement_timeout_ms  ignored                     statement_timeout of calls
 *   clock_us, new_uuid    every timestamp and id      the call's timestamp and a
 *                                                     base id per call (below)
 *
 * On PostgreSQL a wait that runs out fails the call with 55P03 (lock) or
 * 57014 (statement), retry_recommended true, with nothing written.  A field
 * left at 0 yields to a value the session already has from the connection
 * string (`options=-c lock_timeout=…`) or from ALTER ROLE/DATABASE … SET; a
 * field set always applies.  `check` and `migrate` run without a statement
 * timeout.
 */
typedef struct leadstore_options {
  leadstore_durability durability; /* see above */
  int busy_timeout_ms;             /* wait for a lock held by another writer; 0 = 10000 ms */
  /* Injectable clock and id generator, for deterministic tests.  NULL = the
   * system clock (microseconds since the Unix epoch) and time-ordered
   * UUIDv7 (RFC 9562: the millisecond clock, then random bits).
   * Both engines honour them: clock_us is read once per call and is the
   * call's timestamp.  SQLite calls new_uuid for every id; PostgreSQL calls
   * it once per call, and the call's ids are that UUID plus 0, 1, 2 … in its
   * last 48 bits, in the order the rows are made (without them, PostgreSQL
   * uses the server's now() and gen_random_uuid()). */
  int64_t (*clock_us)(void *ctx);
  void (*new_uuid)(void *ctx, unsigned char out[16]);
  void *ctx;
  int statement_timeout_ms;        /* PostgreSQL: longest a call may run; 0 = 30000 ms, < 0 = none */
  /* An http(s):// target (a `leadstore serve` server).  Identity: api_key, a
   * token sent as is for every call (NULL = $LEADSTORE_API_KEY); or
   * jwt_secret, the server's secret, to mint a short-lived token for each
   * call's caller (NULL = $LEADSTORE_JWT_SECRET).  Retries (see
   * docs/http.md): at most retry_attempts tries (0 = 5) within retry_max_ms
   * milliseconds (0 = 10000). */
  const char *api_key;
  const char *jwt_secret;
  int retry_attempts;
  int retry_max_ms;
  /* SQLite: create the file, with its schema, when nothing is at the path.
   * 0 (the default): a missing file is not created; leadstore_open fails
   * with LEADSTORE_ECONFIG ("no database at PATH"), so a mistyped path is
   * an error, never a new empty database.  An existing file without the
   * schema (an empty file) gets it either way.  PostgreSQL and HTTP targets
   * ignore it: creating a PostgreSQL database is its administrator's job
   * (`leadstore migrate` then installs the tables and functions). */
  int create;
  /* SQLite: the page cache of the handle, in MiB (0 = 64; < 0 = SQLite's
   * own default, 2 MiB), and how much of the file is read through mmap, in
   * MiB (0 or < 0 = none, every page read with read(): mmap made reads of
   * large campaigns as fast as the cache does but durable single-row writes
   * 25–40 % slower, docs/benchmarks.md).  The cache takes memory as pages are
   * read, up to its limit, per open handle.  Other targets ignore them. */
  int sqlite_cache_mib;
  int sqlite_mmap_mib;
} leadstore_options;

typedef struct leadstore leadstore;

/*
 * Opens `target`, one of:
 *   postgres://… or postgresql://…   a PostgreSQL URL;
 *   "host=… dbname=…"                 a libpq keyword string: one libpq parses
 *                                     that sets at least one known keyword;
 *   sqlite:PATH or file:PATH          an SQLite file, whatever PATH looks like
 *                                     (the prefix is removed; PATH is a plain
 *                                     path, not a URI);
 *   http://HOST:PORT, https://…       a leadstore server (`leadstore serve`):
 *                                     host and port, no path;
 *   anything else                     an SQLite file path.
 * An SQLite file must exist unless opts->create is set (then it is created,
 * with its schema).  `opts` may be NULL for the defaults.  On failure *out
 * is NULL and *errmsg (if errmsg is not NULL) says why, with any password
 * of the target masked (leadstore_target_masked).  Failures: ECONFIG when
 * the target cannot work as given (no SQLite file at the path and no
 * create; a PostgreSQL database, role or password the server refuses; a
 * file that is not a leadstore database), ECONNECTION when the server could
 * not be reached (retrying may help), EINVAL for a malformed target.
 */
LEADSTORE_API int leadstore_open(const char *target, const leadstore_options *opts,
                                 leadstore **out, char **errmsg);

/* Closes the handle and frees everything it holds.  NULL is a no-op. */
LEADSTORE_API void leadstore_close(leadstore *db);

/* Name of the engine behind a handle: "sqlite", "postgresql" or "http". */
LEADSTORE_API const char *leadstore_engine(const leadstore *db);

/* The engine leadstore_open() would choose for `target` ("sqlite",
 * "postgresql" or "http"), without opening anything; NULL for NULL.  When
 * `rest` is not NULL it is set to what that engine opens: the target itself,
 * or an SQLite path without its `sqlite:`/`file:` prefix. */
LEADSTORE_API const char *leadstore_target_engine(const char *target, const char **rest);

/*
 * The target as it may be shown to people — in messages, banners and logs:
 * the password of a PostgreSQL URL (`postgresql://user:****@host/db`, also
 * a `?password=` parameter) or of a libpq keyword string (`password=****`)
 * replaced by ****; any other target unchanged.  *out (free with
 * leadstore_free) is NULL only when memory ran out (LEADSTORE_EINTERNAL);
 * a NULL target gives "".
 */
LEADSTORE_API int leadstore_target_masked(const char *target, char **out);

/*--- Calling operations ---------------------------------------------------*/

/*
 * Runs operation `op` with the JSON object `params_json` (NULL or "" = {})
 * as `caller`, atomically.  *result_json is set to the result object, on
 * success ({"success":true,…}) and on failure ({"success":false,"error",
 * "error_code","retry_recommended"}); it is NULL only when memory ran out.
 * Returns LEADSTORE_OK or the failure's status.  A failure wrote nothing.
 */
LEADSTORE_API int leadstore_call(leadstore *db, const leadstore_caller *caller, const char *op,
                                 const char *params_json, char **result_json);

/*
 * Group commit: several calls in one transaction, each in its own
 * savepoint, made durable by one commit (one fsync on SQLite).
 *
 *   leadstore_group_begin(db, &failure)   opens the group (SQLite: BEGIN
 *                                         IMMEDIATE, the write lock held
 *                                         until the group ends);
 *   leadstore_call(db, …) …               as usual; each call runs in a
 *                                         SAVEPOINT: a failed call rolls back
 *                                         to it and reports its own failure,
 *                                         the others keep their work; a
 *                                         repeat of a p_request_id made
 *                                         earlier in the group is answered
 *                                         as a replay;
 *   leadstore_group_commit(db, &failure)  commits them all at once.
 *
 * A successful call's result inside a group is provisional: it becomes true
 * (durable) only when leadstore_group_commit returns LEADSTORE_OK.  When it
 * does not, nothing of the group was written, and *failure_json (if not
 * NULL; free with leadstore_free) is the failure object every call of the
 * group must be answered with instead: the commit's error_code and
 * retry_recommended true (the calls themselves were not at fault).  A
 * statement failure that made SQLite abandon the whole transaction (disk
 * full, I/O error) fails every later call of the group at once and the
 * commit likewise.  leadstore_group_begin fails (with *failure_json) when
 * the write lock cannot be had (55P03, as a lone call would) or when a
 * group is open already (EINVAL); leadstore_group_commit without an open
 * group is EINVAL.  Closing a handle with an open group rolls it back.
 * On PostgreSQL and over HTTP a group is only a bracket: each call commits
 * on its own as it runs (the server runs writers concurrently), and the
 * commit has nothing left to do.
 */
LEADSTORE_API int leadstore_group_begin(leadstore *db, char **failure_json);
LEADSTORE_API int leadstore_group_commit(leadstore *db, char **failure_json);

/*
 * A read snapshot: between leadstore_snapshot_begin() and
 * leadstore_snapshot_end(), every read operation called on `db` sees the
 * database as it was when the snapshot began — one consistent snapshot across
 * many calls (an export paging through a campaign), whatever others write
 * meanwhile.  SQLite: one read transaction (BEGIN, held open); PostgreSQL: one
 * REPEATABLE READ, READ ONLY transaction.  While it is open a write operation
 * fails with EINVAL and writes nothing; a second begin is EINVAL; over HTTP
 * (a leadstore server) there is none: EINVAL.  A read that fails inside it
 * (PostgreSQL) leaves it unusable: end it.  End answers OK, also when none
 * is open; closing the handle ends it too.
 */
LEADSTORE_API int leadstore_snapshot_begin(leadstore *db, char **errmsg);
LEADSTORE_API int leadstore_snapshot_end(leadstore *db);

/*
 * Proves the invariants of SPEC §8 over the whole database.  *report_json is
 * {"ok":bool,"violations":[{"invariant":N,"campaign_id":…,"detail":…}],
 * "checked":{…counts…}}.  Returns LEADSTORE_OK when the check ran (whatever it
 * found), or an error status when it could not run.
 */
LEADSTORE_API int leadstore_check(leadstore *db, char **report_json);

/*
 * Brings the database's schema and functions up to date: on PostgreSQL,
 * applies the pending migrations of sql/postgres/ in order, each in its own
 * transaction, recorded in leadstore_migrations, under an advisory lock (safe
 * to run twice, or from two processes at once); on SQLite the schema is
 * created when the file is opened, so there is nothing left to do.
 * *report_json is {"engine", "applied": [names]}.
 */
LEADSTORE_API int leadstore_migrate(leadstore *db, char **report_json);

/*
 * Adopts a database of the upstream application (its gmaps_* tables, as
 * docs/adopting.md describes them) in place, PostgreSQL only: in one
 * transaction under the migration lock, the tables become leadstore's
 * schema (rows that cannot fit moved to leadstore_quarantine with the
 * reason), the migrations are applied and recorded as migrate does, the
 * data repaired (leadstore_repair) and proved (leadstore_check) before the
 * commit.  With dry_run nothing is kept (the transaction is rolled back).
 * *report_json is {"state", "dry_run", "changed", "message", "steps":
 * [{"file", "step", "sql", "rows"}], "applied": [names], "quarantined":
 * {table: rows}}; state is "upstream" (adopted), "uninstalled" (leadstore's
 * functions installed again after leadstore_uninstall) or "leadstore"
 * (nothing to do).  An empty database, or one that is neither, is refused
 * (LEADSTORE_ECONFIG, the message names what is missing) and not touched.
 */
LEADSTORE_API int leadstore_adopt(leadstore *db, int dry_run, char **report_json);

/*
 * Removes leadstore's functions from a PostgreSQL database (the operations,
 * their aliases, the ls_* helpers, leadstore's policies), restoring the
 * privileges adoption saved; every table, row and column stays.
 * *report_json is {"steps": […]} as for leadstore_adopt.
 */
LEADSTORE_API int leadstore_uninstall(leadstore *db, char **report_json);

/*
 * Repairs the invariants of SPEC §8 after writes that bypassed the
 * operations (PostgreSQL — also after leadstore_uninstall — and SQLite):
 * email sources re-derived, the status history, counters and cost totals
 * recounted, in one transaction.  *report_json is {"steps": […], "changed":
 * rows changed in all}.  Run leadstore_check after it.
 */
LEADSTORE_API int leadstore_repair(leadstore *db, char **report_json);

/* Frees memory returned by leadstore.  NULL is a no-op. */
LEADSTORE_API void leadstore_free(void *p);

/* The library's version string (LEADSTORE_VERSION). */
LEADSTORE_API const char *leadstore_version(void);

/*--- The operations catalog ------------------------------------------------*/

/* Number of operations, and the name of the i-th (0 ≤ i < count), in table order. */
LEADSTORE_API size_t leadstore_op_count(void);
LEADSTORE_API const char *leadstore_op_name(size_t i);

/*
 * A JSON description of operation `op` (or of every operation when op is
 * NULL): name, kind (read/write), summary, parameters with their types and
 * limits, result.  Generated from the operations table.
 */
LEADSTORE_API int leadstore_describe(const char *op, char **json_out);

/*--- Keys (JSON Web Tokens) -------------------------------------------------*/

/*
 * Mints a Supabase-style HS256 JWT for `caller`, signed with `secret`:
 * claims {"role": "service_role"|"authenticated"|"anon", "organization_id"
 * (authenticated only), "iat", and "exp" = iat + ttl_seconds when
 * ttl_seconds > 0}; base64url without padding.  EINVAL for a missing secret
 * or a negative ttl, EUUID for an authenticated caller without a valid UUID.
 */
LEADSTORE_API int leadstore_token_mint(const char *secret, const leadstore_caller *caller, long long ttl_seconds,
                                       char **token_out);

/*
 * Verifies `token` against `secret` at time `now_s` (seconds since the epoch;
 * 0 = the system clock) and fills *caller_out; for an authenticated caller,
 * caller_out->organization_id points at org_out.  The header's alg must be
 * HS256, the signature is compared in constant time, exp/nbf/iat are honoured
 * with 30 s of leeway, the role claim must be one of SPEC §3.4 and
 * `authenticated` needs an organization_id UUID claim.  Fails closed:
 * returns LEADSTORE_OK, or LEADSTORE_EINVAL with *why (if why is not NULL)
 * a readable reason, and *caller_out anon.
 */
LEADSTORE_API int leadstore_token_verify(const char *secret, const char *token, long long now_s,
                                         leadstore_caller *caller_out, char org_out[37], char **why);

/*--- Test hooks -----------------------------------------------------------*/

typedef enum leadstore_fault {
  LEADSTORE_FAULT_NONE = 0,
  LEADSTORE_FAULT_STEP = 1, /* the Nth database statement step of the next calls fails */
  LEADSTORE_FAULT_ALLOC = 2 /* the Nth allocation of the next calls fails */
} leadstore_fault;

/*
 * Test only: returns how many events of `kind` (steps for NONE) the last
 * call on this handle made, then arms `kind` so that the `n`th (1-based)
 * such event of the calls that follow fails, once (n = 0 or kind NONE:
 * disarmed).  Tests iterate n over every step of an operation.
 */
LEADSTORE_API long leadstore_test_fault(leadstore *db, leadstore_fault kind, long n);

/* Test only: the number of rows in table `table` (one of the data model's tables). */
LEADSTORE_API int leadstore_test_count_rows(leadstore *db, const char *table, long long *out);

#ifdef __cplusplus
}
#endif
#endif /* LEADSTORE_H */
