#!/bin/sh
# pg.sh — a throwaway PostgreSQL 15 for the tests, as root, without systemd.
#   sh tests/pg.sh start   initdb (once) and start on a private socket directory
#   sh tests/pg.sh stop    stop it
#   sh tests/pg.sh url     print the libpq URL of its test database
#   sh tests/pg.sh server  print the server's keyword string (tests add dbname=…)
# Environment: PGROOT (default /tmp/leadstore-pg), PGPORT (default 5433).
# initdb/postgres refuse root, so they run as the `postgres` user (created by
# the postgresql-15 package); the server listens on a Unix socket only.
set -eu
PGBIN=/usr/lib/postgresql/15/bin
PGROOT=${PGROOT:-/tmp/leadstore-pg}
PGPORT=${PGPORT:-5433}
DB=leadstore_test
run() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cd /

case "${1:-start}" in
start)
  mkdir -p "$PGROOT"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PGROOT"
  chmod 700 "$PGROOT"
  if [ ! -s "$PGROOT/data/PG_VERSION" ]; then
    run "$PGBIN/initdb" -D "$PGROOT/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
      >"$PGROOT/initdb.log"
    cat >>"$PGROOT/data/postgresql.conf" <<CONF
port = $PGPORT
unix_socket_directories = '$PGROOT'
listen_addresses = ''
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
log_lock_waits = on
deadlock_timeout = 200ms
CONF
  fi
  if ! run "$PGBIN/pg_ctl" -D "$PGROOT/data" status >/dev/null 2>&1; then
    # max_connections also on the command line: a data directory made before
    # it was raised (for make bench's 64 writers) keeps its old setting
    run "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 30 -o "-c max_connections=100" start >/dev/null
  fi
  psql -X -q -h "$PGROOT" -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
  psql -X -q -h "$PGROOT" -p "$PGPORT" -U postgres -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS pgtap" >/dev/null
  ;;
stop)
  run "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null 2>&1 || true
  ;;
url)
  echo "postgresql:///$DB?host=$PGROOT&port=$PGPORT&user=postgres"
  ;;
server)
  echo "host=$PGROOT port=$PGPORT user=postgres"
  ;;
esac
