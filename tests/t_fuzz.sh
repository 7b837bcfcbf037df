#!/bin/sh
# t_fuzz.sh — the bounded fuzzing run of `make test` (TAP): the dictionary
# and the seed corpus are current, and each libFuzzer harness of build-fuzz/
# (made by `make fuzzers`) runs every committed seed and every input of a
# finding so far (fuzz/regress/<harness>/), and then fuzzes for
# FUZZ_TEST_SECONDS (default 30) seconds without a crash, leak, sanitizer
# report or failed assertion.  The long run is `make fuzz`
# (docs/reliability.md).
set -u
seconds=${FUZZ_TEST_SECONDS:-30}
build=build-fuzz
harnesses="call token http"
work=$(mktemp -d "${TMPDIR:-/tmp}/leadstore-t_fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
n=0
ok() { # ok STATUS DESCRIPTION
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

echo "1..$((2 + $(echo $harnesses | wc -w)))"

gen=""
for b in build build-asan; do [ -x "$b/fuzz-dict" ] && gen="$b/fuzz-dict" && break; done
if [ -n "$gen" ] && "$gen" >"$work/dict" && cmp -s "$work/dict" fuzz/leadstore.dict; then
  ok 0 "fuzz/leadstore.dict is current with the operations table (make fuzz-corpus)"
else
  ok 1 "fuzz/leadstore.dict is current with the operations table (make fuzz-corpus)"
fi

python3 fuzz/seeds.py tests/cases src/ops.def "$work/corpus" >/dev/null 2>&1
missing=0
for h in $harnesses; do
  for f in "$work/corpus/$h"/*; do
    [ -e "fuzz/corpus/$h/$(basename "$f")" ] || missing=$((missing + 1))
  done
done
[ "$missing" -eq 0 ] || echo "# $missing seeds of the conformance cases are not in fuzz/corpus/ (make fuzz-corpus)"
ok "$missing" "every seed made from tests/cases is in fuzz/corpus/"

for h in $harnesses; do
  mkdir -p "$work/$h"
  if [ ! -x "$build/fuzz/$h" ]; then
    echo "# $build/fuzz/$h is missing: make fuzzers"
    ok 1 "$h: no finding in ${seconds}s"
    continue
  fi
  # call and http: leaks are found by LeakSanitizer when the run ends, not
  # after each input (SQLite's caches grow, so that check would run on most
  # inputs and halve the rate); http: the target's stderr (the access log) is
  # closed, the sanitizers' reports and libFuzzer's lines still come
  extra=""
  [ "$h" = call ] && extra="-detect_leaks=0"
  [ "$h" = http ] && extra="-detect_leaks=0 -close_fd_mask=2"
  "$build/fuzz/$h" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict=fuzz/leadstore.dict -artifact_prefix="$work/$h-" $extra "$work/$h" "fuzz/corpus/$h" $(ls -d "fuzz/regress/$h" 2>/dev/null) \
    >"$work/$h.log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$h.log")
  if [ "$rc" -ne 0 ]; then
    sed 's/^/# /' "$work/$h.log" | tail -n 60
    for a in "$work/$h-"*; do
      [ -e "$a" ] || continue
      mkdir -p "$build/crash"
      cp "$a" "$build/crash/"
      echo "# the input is kept as $build/crash/$(basename "$a")"
    done
  fi
  ok "$rc" "$h: no finding in ${seconds}s (${execs:-?} executions, $(ls "fuzz/corpus/$h" | wc -l) seeds)"
done
