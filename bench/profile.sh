#!/bin/sh
# profile.sh — instructions per call of a fixed workload on SQLite
# (bench/profile/calls.c), counted by callgrind: the same from run to run,
# so a change's effect shows in one before/after pair however busy the
# machine is.  Prints a Markdown table.
#   sh bench/profile.sh BUILD        (make profile)
set -eu
build=$1
dir=$(mktemp -d /tmp/leadstore-profile-XXXXXX)
trap 'rm -rf "$dir"' EXIT
echo "| scenario | calls | instructions a call |"
echo "|---|---:|---:|"
for s in batch-new:4 batch-known:4 facebook:200 cost:200 get-campaign:200; do
  name=${s%:*} calls=${s#*:}
  valgrind --tool=callgrind --callgrind-out-file="$dir/out" --toggle-collect=profile_run \
    "$build/profile-calls" "$dir/db" "$name" >/dev/null 2>"$dir/err" || { cat "$dir/err" >&2; exit 1; }
  total=$(sed -n 's/^summary: *//p' "$dir/out")
  [ -n "$total" ] || { echo "profile: no count for $name" >&2; exit 1; }
  printf '| %s | %s | %s |\n' "$name" "$calls" "$(awk -v t="$total" -v n="$calls" 'BEGIN { printf "%d", t / n }')"
done
