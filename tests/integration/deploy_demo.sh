#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs deploy/federation.sh demo in a temporary directory on a free port and
# checks that every pair of organisations completed a signed round trip and
# the broker's log verified.
set -euo pipefail
src=$1 bin=$2
dir=$(mktemp -d /tmp/concord-demo-XXXXXX)
trap 'rm -rf "$dir"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
       echo $((20000 + RANDOM % 20000)))
CONCORD_BIN=$bin CONCORD_PORT=$port "$src/deploy/federation.sh" demo "$dir/fed" | tee "$dir/out"
replies=$(grep -c '^reply from' "$dir/out" || true)
[ "$replies" -eq 6 ] || { echo "expected 6 round trips, saw $replies"; exit 1; }
grep -q 'broker log verified' "$dir/out" || { echo "log verify missing"; exit 1; }
grep -q 'stopped broker' "$dir/out" || { echo "broker not stopped cleanly"; exit 1; }
# The keys the script made are private to their owner.
mode=$(stat -c %a "$dir/fed/keys/E38000217.key")
[ "$mode" = 600 ] || { echo "secret key mode $mode"; exit 1; }
echo "1 passed, 0 failed"
