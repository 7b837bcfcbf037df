#!/bin/sh
# run.sh — runs libFuzzer harnesses of a fuzzing build for a bounded time.
#   sh fuzz/run.sh BUILD_DIR SECONDS HARNESS...
# Each harness starts from the committed seeds (fuzz/corpus/<harness>/), the
# inputs of the findings so far (fuzz/regress/<harness>/), plus
# what earlier runs kept in BUILD_DIR/corpus/<harness>/ (new inputs go
# there), with the dictionary fuzz/leadstore.dict.  A crash, leak, sanitizer
# report, timeout or failed assertion stops the harness; its input is saved
# as BUILD_DIR/crash/<harness>-… and the script exits non-zero.  The last
# lines of each run's log (BUILD_DIR/log/<harness>.log) are printed: the
# number of executions, corpus size and coverage.
set -u
build=$1 seconds=$2
shift 2
status=0
for h in "$@"; do
  mkdir -p "$build/corpus/$h" "$build/crash" "$build/log"
  # call and http: leaks are found by LeakSanitizer when the run ends, not
  # after each input (SQLite's caches grow, so that check would run on most
  # inputs and halve the rate); http: the target's stderr (the access log) is
  # closed, the sanitizers' reports and libFuzzer's lines still come
  extra=""
  [ "$h" = call ] && extra="-detect_leaks=0"
  [ "$h" = http ] && extra="-detect_leaks=0 -close_fd_mask=2"
  "$build/fuzz/$h" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict=fuzz/leadstore.dict -artifact_prefix="$build/crash/$h-" $extra \
    "$build/corpus/$h" "fuzz/corpus/$h" $(ls -d "fuzz/regress/$h" 2>/dev/null) >"$build/log/$h.log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/log/$h.log")
  units=$(ls "$build/corpus/$h" "fuzz/corpus/$h" | wc -l)
  echo "$h: exit $rc, ${execs:-?} executions in ${seconds}s, corpus $units inputs"
  if [ "$rc" -ne 0 ]; then
    status=1
    tail -n 40 "$build/log/$h.log"
  fi
done
exit $status
