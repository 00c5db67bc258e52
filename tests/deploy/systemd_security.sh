#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The generated systemd units (BUILD/deploy/*.service) verify, and `systemd-analyze
# security` rates each at most 2.0. Skipped (77) where systemd-analyze is missing or too
# old for --offline.
set -uo pipefail
bin=$1
command -v systemd-analyze > /dev/null || { echo "no systemd-analyze: skipped"; exit 77; }
dir=$(mktemp -d /tmp/concord-units-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fails=0
for unit in "$bin"/deploy/concord-broker.service "$bin"/deploy/concordd@.service; do
  name=$(basename "$unit")
  # An instance of the template, as systemd would run it.
  [ "$name" = concordd@.service ] && name=concordd@E38000217.service
  cp "$unit" "$dir/$name"
  out=$(cd "$dir" && systemd-analyze security --offline=yes "$name" 2>&1)
  rc=$?
  if [ $rc -ne 0 ] && grep -q "unrecognized option\|Unknown option" <<< "$out"; then
    echo "systemd-analyze has no --offline: skipped"
    exit 77
  fi
  score=$(grep -o 'Overall exposure level for [^:]*: [0-9.]*' <<< "$out" | awk '{print $NF}')
  if [ -z "$score" ]; then
    echo "FAIL: no score for $name: $out"
    fails=$((fails + 1))
    continue
  fi
  echo "$name: exposure $score"
  if ! awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
    echo "FAIL: $name scores $score, above 2.0"
    grep '✗' <<< "$out" | head -20
    fails=$((fails + 1))
  fi
  # Each unit names the installed daemon and this build's config path.
  grep -q '^ExecStart=/.*/sbin/conc' "$unit" || { echo "FAIL: $name ExecStart"; fails=$((fails + 1)); }
  grep -q '^Type=notify$' "$unit" || { echo "FAIL: $name is not Type=notify"; fails=$((fails + 1)); }
  grep -q '^WatchdogSec=' "$unit" || { echo "FAIL: $name has no watchdog"; fails=$((fails + 1)); }
  # systemd-analyze verify: the unit parses, every setting known (the daemon itself is not
  # installed here, which verify would report).
  vout=$(cd "$dir" && systemd-analyze verify --man=no "$dir/$name" 2>&1 |
         grep -v 'is not executable: No such file or directory' || true)
  if [ -n "$vout" ]; then
    echo "FAIL: systemd-analyze verify $name: $vout"
    fails=$((fails + 1))
  fi
done
# A standby waits for the lock, never finishing its start: no start timeout may kill it.
grep -q '^TimeoutStartSec=infinity$' "$bin"/deploy/concord-broker.service ||
  { echo "FAIL: concord-broker.service has a start timeout (a standby waits)"; fails=$((fails + 1)); }
[ "$fails" -eq 0 ] && echo "all passed"
exit $((fails > 0))
