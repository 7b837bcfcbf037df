/*
 * floor.c — the floors of `make bench`: the work of an operation written
 * directly against the engine, the way a user writing the SQL by hand would,
 * measured in the same run so that the ratio leadstore/floor cancels the
 * machine's noise.
 *
 * SQLite: tables bench_floor_* in the leadstore file itself (so the same WAL
 * journal and synchronous setting), prepared statements:
 *   batch  BEGIN IMMEDIATE; one prepared INSERT … ON CONFLICT (campaign_id,
 *          place_id) DO UPDATE per row into a table with a text UUID primary
 *          key and unique (campaign_id, place_id); COMMIT
 *   read   SELECT * FROM gmaps_campaigns WHERE id = ? (every column read)
 *   write  BEGIN IMMEDIATE; insert one row; update one row; COMMIT
 * PostgreSQL: schema bench_floor in the leadstore database, one round trip
 * per call to a prepared statement:
 *   batch  a plpgsql function: INSERT … SELECT FROM jsonb_to_recordset($rows)
 *          ON CONFLICT (campaign_id, place_id) DO UPDATE
 *   read   SELECT * FROM gmaps_campaigns WHERE id = $1
 *   write  a plpgsql function: lock the campaign row FOR UPDATE, insert one
 *          row, update the campaign row
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>
#include <uuid/uuid.h>

#include "bench.h"

struct bench_floor {
  sqlite3 *db; /* SQLite, or NULL */
  sqlite3_stmt *begin, *commit, *upsert, *read, *insert, *update, *campaign;
  PGconn *pg; /* PostgreSQL, or NULL */
};

/*--- SQLite ---*/

static const char sq_schema[] =
    "CREATE TABLE IF NOT EXISTS bench_floor_businesses (id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL,"
    " place_id TEXT NOT NULL, name TEXT, address TEXT, city TEXT, rating REAL, email TEXT, facebook_url TEXT,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, UNIQUE (campaign_id, place_id));"
    "CREATE TABLE IF NOT EXISTS bench_floor_campaigns (id TEXT PRIMARY KEY, writes INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS bench_floor_events (id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL,"
    " n INTEGER NOT NULL, created_at INTEGER NOT NULL);";

static sqlite3_stmt *sq_prepare(sqlite3 *db, const char *sql) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
    bench_die("floor: %s: %s", sql, sqlite3_errmsg(db));
  return s;
}

/* Steps s to its end and resets it; every column of every row is read. */
static int sq_run(sqlite3_stmt *s) {
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    for (int c = 0; c < sqlite3_column_count(s); c++) (void)sqlite3_column_text(s, c);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  if (rc != SQLITE_DONE) fprintf(stderr, "bench: floor: %s\n", sqlite3_errmsg(sqlite3_db_handle(s)));
  return rc == SQLITE_DONE ? 0 : -1;
}

static void uuid4(char out[37]) {
  uuid_t u;
  uuid_generate_random(u);
  uuid_unparse_lower(u, out);
}

static sqlite3_int64 now_ms(void) { return (sqlite3_int64)(bench_now_us() / 1000); }

static void sq_open(bench_floor *f, const char *path, int durable, int setup) {
  if (sqlite3_open_v2(path, &f->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    bench_die("floor: cannot open %s", path);
  sqlite3_busy_timeout(f->db, 10000);
  char *pragmas = bench_fmt("PRAGMA journal_mode=WAL; PRAGMA synchronous=%s;", durable ? "FULL" : "NORMAL");
  char *msg = NULL;
  if (sqlite3_exec(f->db, pragmas, NULL, NULL, &msg) != SQLITE_OK ||
      (setup && sqlite3_exec(f->db, sq_schema, NULL, NULL, &msg) != SQLITE_OK))
    bench_die("floor: %s: %s", path, msg ? msg : "?");
  free(pragmas);
  f->begin = sq_prepare(f->db, "BEGIN IMMEDIATE");
  f->commit = sq_prepare(f->db, "COMMIT");
  f->upsert = sq_prepare(f->db,
                         "INSERT INTO bench_floor_businesses (id, campaign_id, place_id, name, address, city, rating,"
                         " email, facebook_url, created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?10)"
                         " ON CONFLICT (campaign_id, place_id) DO UPDATE SET name = excluded.name,"
                         " address = excluded.address, city = excluded.city, rating = excluded.rating,"
                         " email = excluded.email, facebook_url = excluded.facebook_url, updated_at = excluded.updated_at");
  f->read = sq_prepare(f->db, "SELECT * FROM gmaps_campaigns WHERE id = ?1");
  f->insert = sq_prepare(f->db, "INSERT INTO bench_floor_events (id, campaign_id, n, created_at) VALUES (?1,?2,?3,?4)");
  f->update = sq_prepare(f->db, "UPDATE bench_floor_campaigns SET writes = writes + 1 WHERE id = ?1");
  f->campaign = sq_prepare(f->db, "INSERT OR IGNORE INTO bench_floor_campaigns (id) VALUES (?1)");
}

/* Runs s inside BEGIN IMMEDIATE … COMMIT (rolled back on failure). */
static int sq_commit(bench_floor *f, int rc) {
  if (rc == 0) return sq_run(f->commit);
  sqlite3_exec(f->db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

static int sq_batch(bench_floor *f, const char *campaign_id, int base, int i, int n) {
  if (sq_run(f->begin)) return -1;
  int rc = 0;
  for (int k = 0; k < n && rc == 0; k++) {
    bench_business b;
    char id[37];
    bench_business_row(base, i, k, &b);
    uuid4(id);
    sqlite3_stmt *s = f->upsert;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, campaign_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, b.place_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, b.name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, b.address, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, b.city, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(s, 7, b.rating);
    sqlite3_bind_text(s, 8, b.email, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 9, b.facebook_url, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 10, now_ms());
    rc = sq_run(s);
  }
  return sq_commit(f, rc);
}

static int sq_write(bench_floor *f, const char *campaign_id, int i) {
  if (sq_run(f->begin)) return -1;
  char id[37];
  uuid4(id);
  sqlite3_bind_text(f->insert, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(f->insert, 2, campaign_id, -1, SQLITE_STATIC);
  sqlite3_bind_int(f->insert, 3, i);
  sqlite3_bind_int64(f->insert, 4, now_ms());
  int rc = sq_run(f->insert);
  if (rc == 0) {
    sqlite3_bind_text(f->update, 1, campaign_id, -1, SQLITE_STATIC);
    rc = sq_run(f->update);
    if (rc == 0 && sqlite3_changes(f->db) != 1) rc = -1;
  }
  return sq_commit(f, rc);
}

/*--- PostgreSQL ---*/

static const char pg_schema[] =
    "SET client_min_messages = warning;"
    "CREATE SCHEMA IF NOT EXISTS bench_floor;"
    "CREATE TABLE IF NOT EXISTS bench_floor.businesses (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
    " campaign_id uuid NOT NULL, place_id text NOT NULL, name text, address text, city text, rating numeric,"
    " email text, facebook_url text, created_at timestamptz NOT NULL DEFAULT now(),"
    " updated_at timestamptz NOT NULL DEFAULT now(), UNIQUE (campaign_id, place_id));"
    "CREATE TABLE IF NOT EXISTS bench_floor.campaigns (id uuid PRIMARY KEY, writes bigint NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS bench_floor.events (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
    " campaign_id uuid NOT NULL, n int NOT NULL, created_at timestamptz NOT NULL DEFAULT now());"
    "CREATE OR REPLACE FUNCTION bench_floor.batch(p_campaign uuid, p_rows jsonb) RETURNS int"
    " LANGUAGE plpgsql AS $$ DECLARE n int; BEGIN"
    "  INSERT INTO bench_floor.businesses (campaign_id, place_id, name, address, city, rating, email, facebook_url)"
    "  SELECT p_campaign, r.place_id, r.name, r.address, r.city, r.rating, r.email, r.facebook_url"
    "    FROM jsonb_to_recordset(p_rows) AS r(place_id text, name text, address text, city text, rating numeric,"
    "                                         email text, facebook_url text)"
    "  ON CONFLICT (campaign_id, place_id) DO UPDATE SET name = excluded.name, address = excluded.address,"
    "    city = excluded.city, rating = excluded.rating, email = excluded.email,"
    "    facebook_url = excluded.facebook_url, updated_at = now();"
    "  GET DIAGNOSTICS n = ROW_COUNT; RETURN n; END $$;"
    "CREATE OR REPLACE FUNCTION bench_floor.write(p_campaign uuid, p_n int) RETURNS void"
    " LANGUAGE plpgsql AS $$ BEGIN"
    "  PERFORM 1 FROM bench_floor.campaigns WHERE id = p_campaign FOR UPDATE;"
    "  INSERT INTO bench_floor.events (campaign_id, n) VALUES (p_campaign, p_n);"
    "  UPDATE bench_floor.campaigns SET writes = writes + 1 WHERE id = p_campaign; END $$;";

static void pg_prepare(PGconn *c, const char *name, const char *sql) {
  PGresult *r = PQprepare(c, name, sql, 0, NULL);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) bench_die("floor: %s: %s", sql, PQerrorMessage(c));
  PQclear(r);
}

static void pg_open(bench_floor *f, const char *conninfo, int setup) {
  f->pg = PQconnectdb(conninfo);
  if (PQstatus(f->pg) != CONNECTION_OK) bench_die("floor: %s", PQerrorMessage(f->pg));
  if (setup) {
    PGresult *r = PQexec(f->pg, pg_schema);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) bench_die("floor: %s", PQerrorMessage(f->pg));
    PQclear(r);
  }
  pg_prepare(f->pg, "batch", "SELECT bench_floor.batch($1, $2)");
  pg_prepare(f->pg, "read", "SELECT * FROM gmaps_campaigns WHERE id = $1");
  pg_prepare(f->pg, "write", "SELECT bench_floor.write($1, $2)");
  pg_prepare(f->pg, "campaign", "INSERT INTO bench_floor.campaigns (id) VALUES ($1) ON CONFLICT DO NOTHING");
}

/* Runs the prepared statement name with the given text parameters; every
 * value of the result is read. */
static int pg_call(bench_floor *f, const char *name, int n, const char *const *values) {
  PGresult *r = PQexecPrepared(f->pg, name, n, values, NULL, NULL, 0);
  ExecStatusType st = PQresultStatus(r);
  for (int row = 0; st == PGRES_TUPLES_OK && row < PQntuples(r); row++)
    for (int c = 0; c < PQnfields(r); c++) (void)PQgetvalue(r, row, c);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) fprintf(stderr, "bench: floor: %s", PQerrorMessage(f->pg));
  PQclear(r);
  return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK ? 0 : -1;
}

/*--- The interface of bench.h ---*/

bench_floor *floor_open(int pg, const char *target, int durable, int setup) {
  bench_floor *f = calloc(1, sizeof *f);
  if (!f) bench_die("out of memory");
  if (pg) pg_open(f, target, setup);
  else sq_open(f, target, durable, setup);
  return f;
}

void floor_close(bench_floor *f) {
  if (!f) return;
  sqlite3_stmt *all[] = {f->begin, f->commit, f->upsert, f->read, f->insert, f->update, f->campaign};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) sqlite3_finalize(all[i]);
  sqlite3_close(f->db);
  PQfinish(f->pg);
  free(f);
}

void floor_campaign(bench_floor *f, const char *campaign_id) {
  int rc;
  if (f->pg) rc = pg_call(f, "campaign", 1, &campaign_id);
  else {
    sqlite3_bind_text(f->campaign, 1, campaign_id, -1, SQLITE_STATIC);
    rc = sq_run(f->campaign);
  }
  if (rc) bench_die("floor: cannot make the campaign row");
}

int floor_batch(bench_floor *f, const char *campaign_id, int base, int i, int n, const char *json) {
  if (f->pg) return pg_call(f, "batch", 2, (const char *[]){campaign_id, json});
  return sq_batch(f, campaign_id, base, i, n);
}

int floor_read(bench_floor *f, const char *campaign_id) {
  if (f->pg) return pg_call(f, "read", 1, &campaign_id);
  sqlite3_bind_text(f->read, 1, campaign_id, -1, SQLITE_STATIC);
  return sq_run(f->read);
}

int floor_write(bench_floor *f, const char *campaign_id, int i) {
  if (!f->pg) return sq_write(f, campaign_id, i);
  char n[16];
  snprintf(n, sizeof n, "%d", i);
  return pg_call(f, "write", 2, (const char *[]){campaign_id, n});
}
