# serve.sh — sourced by the shell tests: start and stop a `leadstore serve`.
#   serve_start CLI DB LOG   starts it on 127.0.0.1:<free port>; sets SERVE_URL, SERVE_PID
#   serve_stop               SIGTERM, waits; returns the server's exit status
# The server prints one line on stdout when it listens; it is read from a
# FIFO, so the caller waits exactly until the server is ready.
serve_start() {
  _fifo="${TMPDIR:-/tmp}/leadstore-serve.$$.fifo"
  rm -f "$_fifo" && mkfifo "$_fifo"
  "$1" serve --db "$2" --listen 127.0.0.1:0 >"$_fifo" 2>>"$3" &
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
