#!/bin/sh
# run.sh — runs the test programs of the given build directories, the
# pgTAP suite and the shell tests, under prove: one TAP run that ends with prove's
# `Result: PASS|FAIL` line.  A throwaway PostgreSQL server (tests/pg.sh) is
# started first and stopped at the end, also when a test fails.
#   sh tests/run.sh build build-asan
set -eu
files=""
for b in "$@"; do
  for t in "$b"/t/*.t; do files="$files $t"; done
done
files="$files tests/t_pgtap.sh tests/t_bundle.sh tests/t_pg_objects.sh tests/t_alerts.sh tests/t_clients.sh tests/t_load.sh tests/t_stress.sh tests/t_demo.sh tests/t_bench.sh tests/t_fuzz.sh tests/t_dashboard.sh"
files="$files tests/t_adopt.sh"
files="$files tests/t_import.sh"
# make install is tested once, from the first build without sanitizers
# (the suite's `build`; build-asan is the sanitizer build of `make test`)
LEADSTORE_INSTALL_BUILD=""
for b in "$@"; do
  case $b in *asan*) ;; *) LEADSTORE_INSTALL_BUILD=${LEADSTORE_INSTALL_BUILD:-$b} ;; esac
done
[ -n "$LEADSTORE_INSTALL_BUILD" ] && files="$files tests/t_install.sh"
export LEADSTORE_INSTALL_BUILD

# prove runs each file itself: a test script committed without its execute bit would fail obscurely
for f in $files; do
  [ -x "$f" ] || { echo "tests/run.sh: $f is not executable (git update-index --chmod=+x $f)" >&2; exit 1; }
done

sh tests/pg.sh start
trap 'sh tests/pg.sh stop' EXIT INT TERM
LEADSTORE_TEST_PG="$(sh tests/pg.sh server)"
LEADSTORE_CLI="$1/leadstore"
export LEADSTORE_TEST_PG LEADSTORE_CLI
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
prove --exec '' -j2 $files
