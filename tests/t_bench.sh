#!/bin/sh
# t_bench.sh — the short mode of `make bench`: build/bench --short (tiny
# sizes, three calls a measurement, 1/2/4 writers) on SQLite and on the
# suite's PostgreSQL server, bench/http.sh for one second a run, the
# plots, and bench/group_commit.sh (1 and 8 writers, one second a run, its
# rows read by the report).
# Asserts only that every measurement ran and produced a positive
# number (and its floor and ratio, where it has one), that every operation
# of the benchmark's tables appears on every engine, and that the report,
# JSON and plots are written.  Speed is not asserted (make bench).
set -u
cli=${LEADSTORE_CLI:-build/leadstore}
build=$(dirname "$cli")
server=${LEADSTORE_TEST_PG:?LEADSTORE_TEST_PG is not set (make test sets it)}
. tests/lib.sh
dir=$(mktemp -d /tmp/leadstore-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT

LEADSTORE_BENCH_SECONDS=1 sh bench/http.sh "$build" "$server" "$dir/http.tsv" >"$dir/http.out" 2>&1
tap $? "bench/http.sh: every wrk run answered without a failure" "$dir/http.out"

LEADSTORE_BENCH_SECONDS=1 LEADSTORE_BENCH_WRITERS="1 8" sh bench/group_commit.sh "$build" "$dir/group.tsv" >"$dir/group.out" 2>&1 &&
  [ "$(awk -F'|' '/^\| [0-9]/ && $3 + 0 > 0 && $5 + 0 > 0 && $8 + 0 > 0' "$dir/group.out" | wc -l)" -eq 2 ]
tap $? "bench/group_commit.sh: off and on for 1 and 8 writers, every run positive" "$dir/group.out"

"$build/bench" --short --http "$dir/http.tsv" --group-commit "$dir/group.tsv" "$dir" "$server" >"$dir/bench.md" 2>"$dir/bench.err"
tap $? "build/bench --short: runs to the end, every measurement positive" "$dir/bench.err"

python3 - "$dir/bench.json" >"$dir/check" 2>&1 <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
rows, bad = doc["rows"], []
def positive(r, where):
    for k in ("calls", "per_s", "p50_us", "p95_us", "p99_us"):
        if not r[k] > 0: bad.append(f"{where}: {k} = {r[k]}")
for r in rows:
    where = f'{r["table"]} {r["engine"]} {r["label"]} {r["size"]}'
    positive(r["result"], where)
    if "floor" in r:
        positive(r["floor_result"], where + " (floor)")
        if not r["ratio"] > 0: bad.append(where + ": ratio")
def labels(table, engine):
    return {r["label"] for r in rows if r["table"] == table and r["engine"] == engine}
engines = ("sqlite-durable", "sqlite-normal", "postgresql")
ops = labels("ops", "sqlite-durable")
if len([l for l in ops if not l.startswith("floor:")]) < 19: bad.append(f"only {len(ops)} rows of operations")
for e in engines:
    if labels("ops", e) != ops: bad.append(f"{e}: operations differ: {sorted(labels('ops', e) ^ ops)}")
for e in ("sqlite-durable", "postgresql"):
    sizes = {r["size"] for r in rows if r["table"] == "scale" and r["engine"] == e}
    writers = {r["size"] for r in rows if r["table"] == "writers" and r["engine"] == e}
    if len(sizes) < 2: bad.append(f"{e}: scale series {sizes}")
    if len(writers) < 3: bad.append(f"{e}: writers series {writers}")
for e in ("sqlite", "postgresql"):
    if len(labels("http", e)) != 3: bad.append(f"http {e}: {labels('http', e)}")
if {r["size"] for r in rows if r["table"] == "group"} != {1, 8}: bad.append("group commit: not 1 and 8 writers")
if not [g for g in doc["goals"] if "group commit" in g["goal"] and g["engine"] == "sqlite-durable" and g["measured"] > 0]:
    bad.append("the group-commit goal is not evaluated")
if len(doc["goals"]) < 10: bad.append(f'only {len(doc["goals"])} goals evaluated')
print("\n".join(bad) or f"{len(rows)} rows, {len(doc['goals'])} goals")
sys.exit(1 if bad else 0)
PY
tap $? "bench.json: every operation on every engine, the series, HTTP and the goals, all positive" "$dir/check" "rows"

grep -q "^## The performance goals" "$dir/bench.md" && grep -q "^## Scale" "$dir/bench.md" &&
  grep -q "^## Concurrent durable writers" "$dir/bench.md" && grep -q "^## Group commit" "$dir/bench.md" &&
  grep -q "^## Over HTTP" "$dir/bench.md"
tap $? "the Markdown report has the goals, scale, writers, group commit and HTTP sections" "$dir/bench.md"

gnuplot -e "dir='$dir'" bench/plots.gp >"$dir/plots.out" 2>&1 &&
  [ -s "$dir/bench-batch.png" ] && [ -s "$dir/bench-scale.png" ] && [ -s "$dir/bench-writers.png" ]
tap $? "gnuplot draws the three plots" "$dir/plots.out"

tap_end
