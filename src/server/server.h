/*
 * server.h — shared by the files of `leadstore serve` (src/server/): the
 * HTTP front end of leadstore, speaking the PostgREST RPC protocol.
 *
 *   serve.c     the command: options, the libmicrohttpd daemon, signals,
 *               graceful shutdown, the periodic invariant check;
 *   http.c      one request: routing, authentication, body, the call,
 *               PostgREST-shaped answers, CORS, the access log;
 *   catalog.c   the operations as the router sees them (from
 *               leadstore_describe), GET parameter conversion, OpenAPI;
 *   metrics.c   counters and the Prometheus text exposition;
 *   switches.c  rollout switches (operations turned off, read-only mode);
 *   group.c     group commit: SQLite write calls run by one committer,
 *               many calls per transaction, each in its own savepoint;
 *   secret.c    the JWT secret's resolution, shared with `leadstore keys`;
 *   web.c       the dashboard's static files, embedded at build time.
 *
 * Like the CLI, the server uses only the public API (leadstore.h).
 */
#ifndef LS_SERVER_H
#define LS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <microhttpd.h>

#include "leadstore.h"

/*--- Configuration (serve.c) ------------------------------------------------*/

typedef struct srv_config {
  const char *db;            /* --db: the database every worker opens */
  leadstore_options opts;    /* --durability */
  char *secret;              /* the JWT secret (srv_secret_resolve) */
  size_t max_body;           /* --max-body bytes: larger bodies get 413 */
  unsigned max_connections;  /* --max-connections: beyond, 503 + Retry-After */
  bool log_json;             /* --log-format json */
  bool group_commit;         /* --group-commit on (the default; SQLite only) */
} srv_config;

extern srv_config srv_cfg;

/*--- Requests (http.c) ------------------------------------------------------*/

/* The libmicrohttpd callbacks of one request's life. */
enum MHD_Result srv_handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                           const char *version, const char *upload, size_t *upload_size, void **con_cls);
void srv_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe);
void srv_connection(void *cls, struct MHD_Connection *c, void **socket_context, enum MHD_ConnectionNotificationCode code);
/* Set when shutting down: answers carry `Connection: close`. */
void srv_set_draining(void);
/* Closes every worker's database handle (after the workers stopped). */
void srv_close_handles(void);

/*--- Catalog ----------------------------------------------------------------*/

typedef struct srv_op {
  const char *name; /* borrowed from leadstore_op_name() */
  bool write;       /* a write operation (POST only) */
  json_t *params;   /* its parameters, from leadstore_describe (array of {name,type,…}) */
} srv_op;

/* Loads the operations table; false when it cannot. */
bool srv_catalog_init(void);
void srv_catalog_free(void);
size_t srv_op_count(void);
/* The operation named `name` (NULL when unknown); its index in *index. */
const srv_op *srv_op_find(const char *name, size_t *index);
const srv_op *srv_op_at(size_t i);
/* A query-string value converted to the JSON type of parameter `param` of op
 * (as PostgREST casts text to the parameter's type); a new reference. */
json_t *srv_param_from_text(const srv_op *op, const char *param, const char *text);
/* The OpenAPI 2.0 description of every operation; a new string (free()). */
char *srv_openapi(const char *host);

/*--- Metrics ----------------------------------------------------------------*/

bool srv_metrics_init(size_t op_count);
void srv_metrics_free(void);
/* One leadstore_call of operation op_index: status, whether replayed, seconds. */
void srv_metrics_call(size_t op_index, bool write, int status, bool replayed, double seconds);
/* A database handle that could not be opened (a lost connection). */
void srv_metrics_connection_lost(void);
/* One HTTP response of this status. */
void srv_metrics_response(unsigned status);
void srv_metrics_inflight(int delta);
long srv_metrics_inflight_now(void);
/* The result of the last invariant check (violations < 0: the check could not run). */
void srv_metrics_check(long violations, int64_t at_unix);
void srv_metrics_switches_reloaded(void);
/* The Prometheus text exposition of every metric; a new string (free()). */
char *srv_metrics_render(void);

/*--- Switches ---------------------------------------------------------------*/

/*
 * Rollout switches: `--disable OP` / `--read-only` flags plus the lines of
 * the --switches file, reloaded by srv_switches_reload().
 */
bool srv_switches_init(const char *file, const char *const *flags, size_t nflags, char **err);
/* Re-reads the file; on error the previous switches stay and *err says why. */
bool srv_switches_reload(char **err);
void srv_switches_free(void);
/* Whether operation op is switched off; if so, *why names the switch (a new string, free()). */
bool srv_switch_off(const srv_op *op, char **why);

/*--- Group commit (group.c) ------------------------------------------------*/

/* One write call handed to the committer; it lives in the request. */
typedef struct srv_job {
  struct MHD_Connection *c;        /* suspended while queued, resumed once answered */
  const leadstore_caller *caller;
  const char *op, *params;
  int rc;                          /* the answer: status and result (leadstore_free) */
  char *result;
  bool done;
  struct srv_job *next;
} srv_job;

/* Starts the committer with its own database handle; false (and *why, leadstore_free) when it cannot. */
bool srv_group_start(char **why);
/* Suspends the job's connection and queues the call: true; false when no committer runs (call it yourself). */
bool srv_group_submit(srv_job *job);
/* Refuses new calls, answers every queued one, stops the committer.  A no-op when none runs. */
void srv_group_stop(void);
/* One group of `calls` calls, committed or not. */
void srv_metrics_group(size_t calls, bool committed);

/*--- Secret -----------------------------------------------------------------*/

/*
 * The JWT secret, resolved in order: $LEADSTORE_JWT_SECRET; the file
 * `secret_file` (--jwt-secret-file); for an SQLite database file, the file
 * `<db>.jwt-secret` beside it, generated (32 random bytes, hex) with mode
 * 0600 when missing.  A secret file readable by group or others is refused,
 * as is a secret shorter than 32 characters.  Returns the secret (free())
 * or NULL with *err (free()) saying why.
 */
char *srv_secret_resolve(const char *db, const char *secret_file, char **err);

/*--- Dashboard (web.c) ------------------------------------------------------*/

typedef struct srv_web_file {
  const char *path;  /* "/", "/app.js", "/app.css" */
  const char *type;  /* its Content-Type */
  const char *body;  /* static, embedded */
  size_t len;
  char etag[24];     /* "<16 hex digits>", quoted */
} srv_web_file;

/* The embedded file served at `path` (also "/index.html" for "/"); NULL when none. */
const srv_web_file *srv_web_find(const char *path);
/* Whether an If-None-Match header value matches f's ETag (answer 304). */
bool srv_web_not_modified(const srv_web_file *f, const char *if_none_match);

#endif
