#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds Concord with AddressSanitizer and UndefinedBehaviorSanitizer in
# build-asan/ and runs the whole test suite (unit and integration) there.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${CONCORD_TEST_BUILD:-build-asan}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCONCORD_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build"
ctest --output-on-failure -j"$(nproc)" "$@"
