#!/bin/sh
# t_demo.sh — the walk of `make demo` (examples/demo.sh) and the README's tour
# as a user runs them: on a fresh SQLite file (created by `leadstore init`,
# nothing else creates one) the demo succeeds, ends with a clean check, and
# labels every line it prints — no bare JSON, id, number or timestamp
# without saying what it is; the tour's first commands work as written.
#   LEADSTORE_CLI=build/leadstore sh tests/t_demo.sh
set -u
. "$(dirname "$0")/lib.sh"
cli=${LEADSTORE_CLI:-build/leadstore}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

LEADSTORE_DB="$dir/demo.db" sh "$(dirname "$0")/../examples/demo.sh" "$cli" >"$dir/out" 2>&1
tap $? "examples/demo.sh runs on a fresh file" "$dir/out"
grep -q "^check: 0 violations" "$dir/out"
tap $? "and ends with a clean check" "$dir/out"
# a label is text before ": ", a "== section" heading, or one of the summary's and the
# closing hint's own lines (they start with a word and say what they are)
grep -v -E '^$|^== |^[A-Za-z][^:]*: |^(Campaign|Status|Coverage|Leads|Enrichment|Costs) |^            [a-z]|^The database is|^  [^ ]+ --db ' \
  "$dir/out" >"$dir/bare"
[ ! -s "$dir/bare" ]
tap $? "every line it prints says what it is" "$dir/bare"
grep -E '^[^:]*: \{|^[^:]*: [0-9a-f-]{36}$' "$dir/out" | grep -v -E '^(campaign created|counters recounted from the rows): ' >"$dir/json"
[ ! -s "$dir/json" ]
tap $? "JSON and ids only behind a label that names them" "$dir/json"

# The README's tour, as the README shows it (its first ```sh block after the
# heading, without `make`), run with this build's command in a directory of its own.
mkdir -p "$dir/tour.d"
abs=$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")
sed -n '/^## A five-minute tour/,/^```$/p' README.md | sed -e '1,/^```sh$/d' -e '/^```$/d' -e '/^make /d' |
  sed "s#build/leadstore#'$abs'#g" >"$dir/tour.sh"
[ "$(grep -c "'$abs'" "$dir/tour.sh")" -ge 10 ] && grep -q ' businesses ' "$dir/tour.sh"
tap $? "the README's tour is found and names the command" "$dir/tour.sh"
(cd "$dir/tour.d" && sh -e "$dir/tour.sh") >"$dir/tour" 2>&1
status=$?
[ $status -eq 0 ] && grep -q '^NAME  *ZIP  *EMAIL' "$dir/tour" && grep -q 'Bean There' "$dir/tour" &&
  grep -q '"facebook_enrichments"' "$dir/tour" && grep -q '0 violations' "$dir/tour"
tap $? "the README's tour runs as written: the calls, summary, the businesses table, get_business, check" "$dir/tour"
export LEADSTORE_DB="$dir/leads.db"
rm -f "$dir/none.db"
"$cli" --db "$dir/none.db" call list_campaigns >"$dir/none" 2>&1
[ $? -eq 78 ] && grep -q "leadstore init --db" "$dir/none" && [ ! -e "$dir/none.db" ]
tap $? "without init, the tour's first call says how to create the database" "$dir/none"
tap_end
