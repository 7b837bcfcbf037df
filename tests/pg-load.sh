#!/bin/sh
# pg-load.sh URL — applies every migration of sql/postgres to a database with
# psql, in order (the development shortcut; `leadstore migrate` is the real one).
set -eu
for f in sql/postgres/[0-9]*.sql; do
  psql -X -q -v ON_ERROR_STOP=1 -1 -d "$1" -f "$f" >/dev/null
done
