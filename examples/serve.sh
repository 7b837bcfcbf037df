#!/bin/sh
# serve.sh — serves the demo database over HTTP (make run, after the walk of
# examples/demo.sh): starts `leadstore serve` on the embedded default, mints a
# service_role key, and prints the URL, the key, the dashboard's address, a
# curl call and a supabase-js snippet.  Ctrl-C stops the server cleanly.
#   sh examples/serve.sh [path/to/leadstore]
# LEADSTORE_DB picks the database (default demo.db), LEADSTORE_LISTEN the
# address (default 127.0.0.1:8080; 127.0.0.1:0 picks a free port).
set -eu
LS=${1:-build/leadstore}
DB="${LEADSTORE_DB:-demo.db}"
LISTEN="${LEADSTORE_LISTEN:-127.0.0.1:8080}"
tmp=$(mktemp -d)
mkfifo "$tmp/out"
pid=
trap 'kill -TERM $pid 2>/dev/null; wait $pid; rm -rf "$tmp"; exit 0' INT TERM
# Starts the server on $1 and reads its "listening" line; fails when it did not come up.
start() {
  "$LS" serve --db "$DB" --listen "$1" >"$tmp/out" &
  pid=$!
  IFS= read -r line <"$tmp/out" || { wait $pid || true; return 1; }
}
if ! start "$LISTEN"; then
  # the default port taken (another server, an earlier demo): any free port will do
  [ -z "${LEADSTORE_LISTEN:-}" ] && echo "leadstore: $LISTEN is not available; serving on a free port" >&2 &&
    start 127.0.0.1:0 || { rm -rf "$tmp"; exit 1; }
fi
url=${line#leadstore: listening on }
case $DB in  # a URL or keyword string may hold a password: never printed
*=*|postgres://*|postgresql://*) shown='$LEADSTORE_DB' ;;
*) shown=$DB ;;
esac
key=$("$LS" keys --db "$DB" --role service_role --expires 1d)
cat <<INFO

== leadstore serves $shown at $url  (Ctrl-C stops it)

service_role key (valid one day; \`$LS keys --db $shown --role service_role\` mints another):
  $key

dashboard: open $url/ in a browser and sign in with the key above

curl:
  curl -s $url/rest/v1/rpc/list_campaigns \\
    -H "apikey: $key" \\
    -H 'Content-Type: application/json' -d '{"p_limit": 5}'

supabase-js (npm install @supabase/supabase-js ws):
  const { createClient } = require('@supabase/supabase-js');
  const supabase = createClient('$url', '$key',
    { auth: { persistSession: false }, realtime: { transport: require('ws') } });
  const { data, error } = await supabase.rpc('list_campaigns', { p_limit: 5 });

Access log:
INFO
wait $pid
rm -rf "$tmp"
