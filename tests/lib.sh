# lib.sh — sourced by the shell tests and bench/http.sh.
#   serve_start CLI DB LOG [OPTION…]  starts `leadstore serve [OPTION…]` on
#                            127.0.0.1:<free port> (an SQLite DB is created when missing);
#                            sets SERVE_URL, SERVE_PID
#   serve_stop               SIGTERM, waits; returns the server's exit status
#   pg_fresh CLI SERVER NAME a new, migrated database NAME on the PostgreSQL
#                            server SERVER (a keyword string); sets PG_DB to its
#                            keyword string
#   tap STATUS NAME [FILE [SUMMARY]]  one TAP line (0 = ok); FILE as diagnostics
#                            when it failed, its lines matching the regex
#                            SUMMARY when it passed
#   tap_end                  the plan line; fails when a line failed
# The server prints one line on stdout when it listens; it is read from a
# FIFO, so the caller waits exactly until the server is ready.
serve_start() {
  _fifo="${TMPDIR:-/tmp}/leadstore-serve.$$.fifo"
  rm -f "$_fifo" && mkfifo "$_fifo"
  _cli=$1 _db=$2 _log=$3
  shift 3
  "$_cli" serve --db "$_db" --create --listen 127.0.0.1:0 "$@" >"$_fifo" 2>>"$_log" &
  SERVE_PID=$!
  exec 9<"$_fifo"
  rm -f "$_fifo"
  SERVE_URL=""
  read -r _line <&9 || true
  case $_line in
  "leadstore: listening on "*) SERVE_URL=${_line#leadstore: listening on } ;;
  *) kill -9 "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; return 1 ;;
  esac
}

serve_stop() {
  kill -TERM "$SERVE_PID" 2>/dev/null
  wait "$SERVE_PID"
  _rc=$?
  exec 9<&-
  return $_rc
}

pg_fresh() {
  psql -X -q -d "$2 dbname=postgres" -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS $3 WITH (FORCE)" -c "CREATE DATABASE $3" >/dev/null || return 1
  PG_DB="$2 dbname=$3"
  "$1" --db "$PG_DB" migrate >/dev/null
}

_tap_n=0
_tap_failed=0
tap() {
  _tap_n=$((_tap_n + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $_tap_n - $2"
    [ -n "${4:-}" ] && grep -E "$4" "$3" | sed 's/^/# /'
  else
    _tap_failed=$((_tap_failed + 1))
    echo "not ok $_tap_n - $2"
    [ -n "${3:-}" ] && sed 's/^/# /' "$3"
  fi
  return 0
}

tap_end() {
  echo "1..$_tap_n"
  [ "$_tap_failed" -eq 0 ]
}
