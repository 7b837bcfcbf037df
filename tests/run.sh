#!/bin/sh
# run.sh — runs the test programs of the given build directories under
# prove, as one TAP run that ends with prove's `Result: PASS|FAIL` line.
#   sh tests/run.sh build build-asan
set -eu
files=""
for b in "$@"; do
  for t in "$b"/t/*.t; do files="$files $t"; done
done
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
exec prove --exec '' -j2 $files
