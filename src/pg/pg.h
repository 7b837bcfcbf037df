/*
 * pg.h — what the PostgreSQL engine's files share (src/pg/ only; the one
 * place besides engine.c that sees libpq-fe.h): engine.c lends its
 * connection to adopt.c, which runs the operator's whole-database
 * commands on it (adopt, uninstall, check --repair).
 */
#ifndef LS_PG_H
#define LS_PG_H

#include <libpq-fe.h>

#include "../internal.h"

/* The handle's connection for an operator's long command: reconnected if it
 * broke, with no statement timeout (the lock timeout stays).  NULL with err
 * filled when the server cannot be reached.  Pair with ls__pg_admin_end. */
PGconn *ls__pg_admin_begin(leadstore *db, ls__error *err);
/* After the command: the call timeouts back, and the functions' catalog read
 * again on the next call (the command may have installed or dropped them).
 * Returns rc. */
int ls__pg_admin_end(leadstore *db, int rc);
/* Maps a failed result (or the connection) to the error table, err's
 * message "what: <the server's first line>". */
int ls__pg_fail(leadstore *db, PGresult *res, const char *what, ls__error *err);

/* The pending migrations applied and recorded exactly as `leadstore migrate`
 * applies them, but inside the caller's open transaction; their names added
 * to `applied`. */
int ls__pg_apply_pending(leadstore *db, json_t *applied, ls__error *err);

/* adopt.c: the engine entries of the same names (ls__engine). */
int ls__pg_adopt(leadstore *db, bool dry_run, json_t *report, ls__error *err);
int ls__pg_uninstall(leadstore *db, json_t *report, ls__error *err);
int ls__pg_repair(leadstore *db, json_t *report, ls__error *err);

#endif /* LS_PG_H */
