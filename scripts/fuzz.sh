#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets of fuzz/ with clang (ASan and UBSan) in
# build-fuzz/ and runs each for SECONDS (default 10) over its seed corpus,
# failing on the first crash, leak, sanitizer report or timeout.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      e.g. scripts/fuzz.sh 600 pool board
#   scripts/fuzz.sh --seeds                    rewrite fuzz/corpus/*/gen-* (old ones removed)
#
# New inputs the fuzzer finds go to build-fuzz/corpus/<target>/, never into
# the checked-in corpus; a crashing input is written to
# build-fuzz/artifacts/<target>/ (docs/FUZZING.md: how to reproduce it).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${CONCORD_FUZZ_BUILD:-build-fuzz}
export CC=${CC_FUZZ:-clang}

CC=$CC cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONCORD_FUZZ=ON \
    -DCONCORD_TESTS=OFF >/dev/null
targets=()
for src in fuzz/fuzz_*.c; do
    t=${src#fuzz/fuzz_}
    targets+=("${t%.c}")
done

if [ "${1:-}" = "--seeds" ]; then
    cmake --build "$build" -j"$(nproc)" --target gen_corpus
    # Written afresh, so a seed the generator no longer makes goes too.
    find fuzz/corpus -type f -name 'gen-*' -delete
    "$build/fuzz/gen_corpus" fuzz/corpus
    echo "seeds written under fuzz/corpus/"
    exit 0
fi

seconds=${1:-10}
case $seconds in
    '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...] | --seeds" >&2; exit 2 ;;
esac
shift || true
[ $# -gt 0 ] && targets=("$@")

cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
summary=()
for t in "${targets[@]}"; do
    [ -d "fuzz/corpus/$t" ] || { echo "no corpus fuzz/corpus/$t" >&2; exit 1; }
    mkdir -p "$build/corpus/$t" "$build/artifacts/$t"
    log="$build/artifacts/$t/last.log"
    echo "== fuzz_$t for ${seconds}s"
    if ! "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" \
        "$build/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzz_$t FAILED: the crashing input is in $build/artifacts/$t/" >&2
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    seeds=$(find "fuzz/corpus/$t" -type f | wc -l)
    found=$(find "$build/corpus/$t" -type f | wc -l)
    summary+=("$(printf '%-12s %10s runs %7s/s  %-9s  %4d seeds  %5d inputs kept' "$t" \
        "${runs:-?}" "${rate:-?}" "${cov:-}" "$seeds" "$found")")
done
printf '%s\n' "${summary[@]}"
