#!/bin/sh
# t_pg_objects.sh — docs/postgres.md ("What leadstore creates in `public`")
# names every object the migrations create in schema public, read from the
# catalog of a freshly migrated database of the test server
# ($LEADSTORE_TEST_PG): functions and procedures (by their exact signature,
# `name(identity arguments)`; the bodies ls_op_<operation> and the validations
# ls_validate_<operation> by their family lines `ls_op_<operation>(...)` and
# `ls_validate_<operation>(...)`), tables, views, materialized views,
# sequences, foreign tables, types, indexes not made by a constraint, policies
# and triggers.  Objects of extensions are not leadstore's.  And the other way: a
# function signature written there exists.  One TAP line per kind of object.
set -u
. tests/lib.sh
server=${LEADSTORE_TEST_PG:?LEADSTORE_TEST_PG is not set (make test sets it)}
cli=${LEADSTORE_CLI:-build/leadstore}
doc=docs/postgres.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pg_fresh "$cli" "$server" lstest_objects >"$tmp/err" 2>&1
tap $? "a fresh database migrated by leadstore migrate" "$tmp/err"
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$PG_DB" -c "$1"; }

# The code spans of the section, one per line.
awk '/^## What leadstore creates in `public`/ {on = 1; next} /^## / {on = 0} on' "$doc" |
  grep -o '`[^`]*`' | tr -d '`' | sort -u >"$tmp/spans"
[ -s "$tmp/spans" ]
tap $? "$doc has the section of the objects in public"

# not an extension's: objects a CREATE EXTENSION made are not leadstore's
ours="NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = o.oid AND d.deptype = 'e')"
ops=$(q "SELECT string_agg(name, ' ') FROM ls_operations")

# check KIND QUERY: every name the query answers is a code span of the section
check() {
  q "$2" >"$tmp/names" 2>&1 || { tap 1 "$1: the catalog is read" "$tmp/names"; return; }
  : >"$tmp/missing"
  while IFS= read -r name; do
    case $name in
    ls_op_*\(* | ls_validate_*\(*)
      # a body or a validation: documented by the family line when its operation is one
      op=${name%%(*}
      case $op in ls_op_*) family=ls_op op=${op#ls_op_} ;; *) family=ls_validate op=${op#ls_validate_} ;; esac
      fam="${family}_<operation>(${name#*(}"
      case " $ops " in *" $op "*) grep -qxF "$fam" "$tmp/spans" && continue ;; esac
      ;;
    esac
    grep -qxF "$name" "$tmp/spans" || echo "not in $doc: $name" >>"$tmp/missing"
  done <"$tmp/names"
  [ ! -s "$tmp/missing" ]
  tap $? "every $1 of public is in $doc ($(wc -l <"$tmp/names"))" "$tmp/missing"
}

check "function and procedure" \
  "SELECT o.proname || '(' || pg_get_function_identity_arguments(o.oid) || ')'
     FROM pg_proc o WHERE o.pronamespace = 'public'::regnamespace AND $ours ORDER BY 1"
check "table, view, materialized view, sequence and foreign table" \
  "SELECT o.relname FROM pg_class o
    WHERE o.relnamespace = 'public'::regnamespace AND o.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND $ours ORDER BY 1"
check "type (besides the row types of tables and array types)" \
  "SELECT o.typname FROM pg_type o
    WHERE o.typnamespace = 'public'::regnamespace AND $ours
      AND NOT (o.typcategory = 'A' AND o.typelem <> 0)
      AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = o.typrelid AND c.relkind <> 'c') ORDER BY 1"
check "index not made by a constraint" \
  "SELECT o.relname FROM pg_class o JOIN pg_index i ON i.indexrelid = o.oid
    WHERE o.relnamespace = 'public'::regnamespace AND $ours
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = o.oid) ORDER BY 1"
check "policy" \
  "SELECT o.polname FROM pg_policy o JOIN pg_class c ON c.oid = o.polrelid
    WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1"
check "trigger" \
  "SELECT o.tgname FROM pg_trigger o JOIN pg_class c ON c.oid = o.tgrelid
    WHERE c.relnamespace = 'public'::regnamespace AND NOT o.tgisinternal ORDER BY 1"

# The other way: every signature written there is a function of public.
q "SELECT o.proname || '(' || pg_get_function_identity_arguments(o.oid) || ')'
     FROM pg_proc o WHERE o.pronamespace = 'public'::regnamespace" >"$tmp/functions"
: >"$tmp/stale"
grep -E '^[a-z_][a-z0-9_]*\(.*\)$' "$tmp/spans" | while IFS= read -r sig; do
  case $sig in
  "ls_op_<operation>("* | "ls_validate_<operation>("*) continue ;;
  esac
  grep -qxF "$sig" "$tmp/functions" || echo "no such function: $sig" >>"$tmp/stale"
done
[ ! -s "$tmp/stale" ] && grep -q '^ls_run(' "$tmp/functions"
tap $? "every function signature in $doc exists" "$tmp/stale"

psql -X -q -d "$server dbname=postgres" -c "DROP DATABASE lstest_objects WITH (FORCE)" >/dev/null 2>&1
tap_end
