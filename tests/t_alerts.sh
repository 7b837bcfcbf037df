#!/bin/sh
# t_alerts.sh — the Prometheus alerting rules of deploy/alerts.yml (the
# rollout's automatic-rollback triggers): promtool finds them well-formed, and
# `promtool test rules` proves each fires on the data that should fire it and
# stays quiet otherwise (deploy/alerts.test.yml).  Also checks that every
# leadstore_* metric the rules use is one the server exposes.
set -u
dir=$(dirname "$0")/../deploy
n=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
if ! command -v promtool >/dev/null; then echo "Bail out! promtool is missing (Debian package prometheus)"; exit 1; fi
out=$(promtool check rules "$dir/alerts.yml" 2>&1); rc=$?
ok $rc "promtool check rules deploy/alerts.yml"
[ $rc -ne 0 ] && echo "$out" | sed 's/^/# /'
out=$(cd "$dir" && promtool test rules alerts.test.yml 2>&1); rc=$?
ok $rc "promtool test rules: every rollback trigger fires when it should, and only then"
[ $rc -ne 0 ] && echo "$out" | sed 's/^/# /'
missing=""
for m in $(grep -o 'leadstore_[a-z_]*' "$dir/alerts.yml" | sed 's/_bucket$//' | sort -u); do
  grep -q "\"$m" "$dir/../src/server/metrics.c" || missing="$missing $m"
done
ok "$([ -z "$missing" ] && echo 0 || echo 1)" "the rules use only metrics the server exposes${missing:+ (missing:$missing)}"
echo "1..$n"
