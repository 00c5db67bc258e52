#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Crash soak: runs the crash tests (it_crash_board, it_crash_pool) over many
# consecutive seeds, each seed on a fresh federation, and reports every
# seed's outcome with its kill/restart cycles. A failing seed is replayed
# with: CONCORD_SEED=<seed> CONCORD_CRASH_ROUNDS=1 <build>/tests/<test>
#
# usage: scripts/crash_soak.sh [SEEDS [FIRST_SEED [BUILD_DIR]]]
#   SEEDS       seeds per test (default 10)
#   FIRST_SEED  first seed (default: derived from the time, printed)
#   BUILD_DIR   a configured and built tree (default: build)
# Exit status: 0 if every seed passed, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-10}
first=${2:-$(( $(date +%s) % 1000000000 ))}
build=${3:-build}
logs=$(mktemp -d /tmp/concord-soak-XXXXXX)
echo "crash soak: $seeds seeds per test from seed $first; logs in $logs"
failed=0
for test in it_crash_pool it_crash_board; do
    bin=$build/tests/$test
    if [ ! -x "$bin" ]; then
        echo "$bin is missing: build the tree first" >&2
        exit 1
    fi
    cycles=0
    for ((i = 0; i < seeds; i++)); do
        seed=$((first + i))
        log=$logs/$test-$seed.log
        if CONCORD_SEED=$seed CONCORD_CRASH_ROUNDS=1 "$bin" >"$log" 2>&1; then
            n=$(sed -n 's/.*: \([0-9]*\) kill\/restart cycles.*/\1/p' "$log" | tail -1)
            cycles=$((cycles + ${n:-0}))
            echo "$test seed $seed: passed, ${n:-?} kill/restart cycles"
        else
            failed=1
            echo "$test seed $seed: FAILED (replay: CONCORD_SEED=$seed CONCORD_CRASH_ROUNDS=1 $bin; log $log)"
        fi
    done
    echo "$test: $cycles kill/restart cycles over $seeds seeds"
done
exit $failed
