#!/bin/sh
# t_stress.sh — `leadstore stress`, short runs: concurrent clients issuing a
# seeded mix of every operation on an SQLite file, on PostgreSQL and through a
# `leadstore serve` server (members of organizations included, by the
# server's JWT secret), each proved against the tool's model with zero
# violations; the report names every operation, failures of every kind the
# mix makes, and replays.  Then the model is shown not to be blind: for each
# kind of write it models, one write it does not record (--sabotage) must be
# reported as a violation, with exit status 1, while `check` alone stays
# clean.  The long runs are in docs/reliability.md.
set -u
cli=${LEADSTORE_CLI:-build/leadstore}
server=${LEADSTORE_TEST_PG:?LEADSTORE_TEST_PG is not set (make test sets it)}
ops=${LEADSTORE_STRESS_OPS:-1200}
. tests/lib.sh
dir=$(mktemp -d /tmp/leadstore-stress-XXXXXX)
trap 'rm -rf "$dir"' EXIT
export LEADSTORE_JWT_SECRET="stress-test-secret-0123456789abcdef0123456789"
unset LEADSTORE_API_KEY LEADSTORE_DB DATABASE_URL

# report ENGINE FILE: the JSON report proves a clean run that exercised everything
report() {
  python3 - "$2" "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
problems = []
if r["violations"] != 0: problems.append("violations %d" % r["violations"])
if not r["check_clean"]: problems.append("check not clean")
if r["engine"] != sys.argv[2]: problems.append("engine %s" % r["engine"])
never = [op for op, s in r["per_operation"].items() if s["calls"] == 0]
if never: problems.append("never called: " + ", ".join(never))
unok = [op for op, s in r["per_operation"].items() if s["ok"] == 0]
if unok: problems.append("never succeeded: " + ", ".join(unok))
for code in ["22023", "22P02", "P0001", "P0002", "23505"]:
    if r["failures_by_code"].get(code, 0) == 0: problems.append("no %s failure" % code)
if r["replayed"] == 0: problems.append("no replay")
if not r["org_callers"]: problems.append("no members of organizations")
if r["indeterminate"] != 0 or r["model"]["campaigns_not_modelled"] != 0: problems.append("indeterminate answers")
m = r["model"]
if m["businesses"] == 0 or m["costs"] == 0 or m["enrichment_rows"] == 0 or m["transitions"] == 0 or m["created"] == 0:
    problems.append("an empty model: %s" % m)
print("%s: %d operations (%d failed, %d replayed), %.0f/s; model: %s" % (r["engine"], r["operations"], r["failed"], r["replayed"], r["operations_per_second"], m))
for p in problems: print("problem: " + p)
sys.exit(1 if problems else 0)
EOF
}

# run NAME TARGET [GLOBAL OPTIONS…]: one stress run, then its report
run() {
  name=$1 target=$2
  shift 2
  "$cli" "$@" stress --db "$target" --clients 4 --ops "$ops" --seed 11 --json >"$dir/$name.json" 2>"$dir/$name.err"
  status=$?
  report "$name" "$dir/$name.json" >"$dir/$name.sum" 2>&1
  [ $status -eq 0 ] && [ $? -eq 0 ]
  ok=$?
  cat "$dir/$name.err" >>"$dir/$name.sum"
  return $ok
}

run sqlite "$dir/stress.db" --create --durability normal
tap $? "sqlite: 4 clients, $ops operations of every kind, zero violations of the model, check clean" "$dir/sqlite.sum" "^sqlite:"

if pg_fresh "$cli" "$server" lstest_stress; then
  run postgresql "$PG_DB"
  tap $? "postgresql: 4 clients, $ops operations of every kind, zero violations of the model, check clean" "$dir/postgresql.sum" "^postgresql:"
else
  tap 1 "postgresql: a fresh database"
fi

if serve_start "$cli" "$dir/served.db" "$dir/serve.log"; then
  run http "$SERVE_URL"
  tap $? "http: 4 clients through leadstore serve, members by the JWT secret, zero violations, check clean" "$dir/http.sum" "^http:"
  serve_stop
  tap $? "http: the server stops cleanly" "$dir/serve.log"
else
  tap 1 "http: the server starts" "$dir/serve.log"
fi

# --sabotage: one unrecorded write of each kind the model holds must be caught
for what in cost:"cost rows" business:"not an acknowledged place" email:"acknowledged offers give" status:"history rows"; do
  kind=${what%%:*} expect=${what#*:}
  rm -f "$dir/sab.db"
  "$cli" --create --durability normal stress --db "$dir/sab.db" --clients 2 --ops 300 --seed 5 --sabotage "$kind" >"$dir/sab.out" 2>&1
  status=$?
  "$cli" --db "$dir/sab.db" check >>"$dir/sab.out" 2>&1
  checked=$?
  [ $status -eq 1 ] && [ $checked -eq 0 ] && grep -q "violation: .*$expect" "$dir/sab.out" && ! grep -q "^violations: 0" "$dir/sab.out"
  tap $? "sabotage $kind: the model reports the unrecorded write (exit 1) that check alone finds consistent" "$dir/sab.out"
done

# usage errors: a clear message, exit 64, nothing run
"$cli" --create stress --db "$dir/usage.db" --clients 0 >"$dir/usage.out" 2>&1
a=$?
"$cli" --create stress --db "$dir/usage.db" --sabotage everything >>"$dir/usage.out" 2>&1
b=$?
"$cli" --create --org 57e55a00-0000-4000-8000-00000000000a stress --db "$dir/usage.db" >>"$dir/usage.out" 2>&1
c=$?
[ $a -eq 64 ] && [ $b -eq 64 ] && [ $c -eq 64 ] && grep -q -- "--clients takes a whole number from 1 to 64" "$dir/usage.out" && [ ! -e "$dir/usage.db" ]
tap $? "stress: bad options are usage errors (exit 64) and touch no database" "$dir/usage.out"

tap_end
