#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the broker and the tests that exercise it with ThreadSanitizer in
# build-tsan/ (CONCORD_TSAN=ON) and runs them there: the broker's unit tests
# and the integration tests whose broker runs its verifier threads
# (docs/TESTING.md, "ThreadSanitizer"). A data race stops the process that
# has it (halt_on_error), so the test that started it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${CONCORD_TSAN_BUILD:-build-tsan}
tests=(broker_test_vpool broker_test_accept broker_test_mailbox broker_test_quota broker_test_services
       broker_test_zap it_verifiers it_spine it_evil)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCONCORD_TSAN=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target concord-broker concordd concord evil_broker \
      "${tests[@]}"
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp}
cd "$build"
regex="^($(IFS='|'; echo "${tests[*]}"))\$"
ctest --output-on-failure -j"$(nproc)" -R "$regex" "$@"
