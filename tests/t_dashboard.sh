#!/bin/sh
# t_dashboard.sh — the dashboard served at `/` by `leadstore serve`: its files
# over HTTP (types, ETag/304, HEAD, the Content-Security-Policy, PostgREST's
# 404 elsewhere), then the page itself in headless Debian chromium driven by
# playwright-core (tests/dashboard/test.mjs) on an SQLite database seeded
# through `leadstore call` (tests/dashboard/seed.sh).  Screenshots at desktop
# and phone width land in build/ (dashboard-desktop.png, dashboard-phone.png;
# docs/img/ holds a copy).  npm installs tests/dashboard's locked
# dependencies when node_modules is missing.
set -u
cli=${LEADSTORE_CLI:-build/leadstore}
shots=$(dirname "$cli")   # the build directory of the command under test
. tests/lib.sh
dir=$(mktemp -d /tmp/leadstore-dashboard-XXXXXX)
trap 'rm -rf "$dir"' EXIT
export LEADSTORE_JWT_SECRET="dashboard-browser-test-secret-0123456789abcdef"
ORG_A=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
ORG_B=5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9
KEY_A=$("$cli" keys --role authenticated --org "$ORG_A" --expires 1h) &&
  KEY_B=$("$cli" keys --role authenticated --org "$ORG_B" --expires 1h) ||
  { echo "Bail out! leadstore keys failed"; exit 1; }
[ -x /usr/bin/chromium ] || { echo "Bail out! /usr/bin/chromium is missing (make test installs Debian's chromium)"; exit 1; }
if [ ! -d tests/dashboard/node_modules ]; then
  (cd tests/dashboard && npm ci --no-audit --no-fund >"$dir/npm.log" 2>&1) ||
    { echo "Bail out! npm ci failed"; sed 's/^/# /' "$dir/npm.log"; exit 1; }
fi

db="$dir/dashboard.db"
"$cli" --db "$db" init >/dev/null && sh tests/dashboard/seed.sh "$cli" "$db" "$ORG_A" "$ORG_B" >"$dir/ids" 2>"$dir/seed.log" ||
  { echo "Bail out! seeding failed"; sed 's/^/# /' "$dir/seed.log"; exit 1; }
. "$dir/ids"
: >"$dir/switches"
serve_start "$cli" "$db" "$dir/serve.log" --switches "$dir/switches" || { echo "Bail out! the server did not start"; sed 's/^/# /' "$dir/serve.log"; exit 1; }

# the files over HTTP: status, type, cache validators, policy; HEAD; 404 elsewhere
head_of() { curl -sS -o /dev/null -D - "$@" | tr -d '\r'; }
for f in "/ text/html" "/app.js text/javascript" "/app.css text/css"; do
  set -- $f
  head_of "$SERVE_URL$1" >"$dir/h"
  grep -q '^HTTP/1.1 200' "$dir/h" && grep -qi "^content-type: $2; charset=utf-8" "$dir/h" &&
    grep -qi '^etag: "[0-9a-f]\{16\}"' "$dir/h" && grep -qi '^cache-control: no-cache' "$dir/h" &&
    grep -qi "^content-security-policy: default-src 'none'; script-src 'self'" "$dir/h" && grep -qi '^x-content-type-options: nosniff' "$dir/h"
  tap $? "GET $1: 200 $2 with an ETag, no-cache and the Content-Security-Policy" "$dir/h"
done
etag=$(sed -n 's/^[Ee][Tt]ag: //p' "$dir/h")
code=$(curl -sS -o "$dir/b" -w '%{http_code}' -H "If-None-Match: $etag" "$SERVE_URL/app.css")
[ "$code" = 304 ] && [ ! -s "$dir/b" ]
tap $? "If-None-Match with the ETag answers 304 without a body (got $code)"
curl -sS "$SERVE_URL/metrics" | grep '^leadstore_http_responses_total{status="304"} [1-9]' >/dev/null
tap $? "/metrics counts the 304"
curl -sS -I "$SERVE_URL/" >"$dir/head" 2>&1 && curl -sS "$SERVE_URL/" >"$dir/get" &&
  grep -qi "^content-length: $(wc -c <"$dir/get" | tr -d ' ')" "$dir/head" && grep -q '<script src="/app.js"' "$dir/get"
tap $? "HEAD / answers the headers of GET / (its Content-Length)" "$dir/head"
code=$(curl -sS -o "$dir/b" -w '%{http_code}' "$SERVE_URL/app.json")
[ "$code" = 404 ] && grep -q '"code":"PGRST125"' "$dir/b"
tap $? "an unknown path keeps PostgREST's 404 (PGRST125)" "$dir/b"
curl -sS "$SERVE_URL/rest/v1/" | grep '"swagger": "2.0"' >/dev/null
tap $? "GET /rest/v1/ still answers the OpenAPI description"

# the page in the browser: one TAP line per check of test.mjs
URL=$SERVE_URL SERVE_PID=$SERVE_PID SWITCHES=$dir/switches CLI=$cli DB=$db CID_A=$CID_A CID_B=$CID_B KEY_A=$KEY_A KEY_B=$KEY_B ORG_A=$ORG_A SHOTS=$shots \
  node tests/dashboard/test.mjs >"$dir/browser.out" 2>"$dir/browser.err"
rc=$?
tab=$(printf '\t')
while IFS="$tab" read -r verdict name why; do
  case $verdict in
  ok) tap 0 "browser: $name" ;;
  "not ok") printf '%s\n' "$why" >"$dir/why"; tap 1 "browser: $name" "$dir/why" ;;
  esac
done <"$dir/browser.out"
[ $rc -eq 0 ] || [ -s "$dir/browser.err" ] && [ $rc -ne 0 ] && { grep -q . "$dir/browser.out" || tap 1 "browser: the test ran" "$dir/browser.err"; }
[ -s "$shots/dashboard-desktop.png" ] && [ -s "$shots/dashboard-phone.png" ]
tap $? "screenshots saved: $shots/dashboard-desktop.png, $shots/dashboard-phone.png"
serve_stop
tap $? "the server stops cleanly" "$dir/serve.log"
tap_end
