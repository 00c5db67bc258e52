#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README runs as written: every ```sh block of README.md is executed, in
# order, by bash -e in one fresh temporary directory (a walk-through: a block
# uses the files the blocks before it made), with the built programs first on
# the PATH (as "Building by hand" tells the reader to put them). Each block
# runs in a session of its own; processes it left running (the README's
# broker and nodes) are stopped at the end by that session's id. A
# block whose preceding line is
#   <!-- readme-test: illustrative (REASON) -->
# is only illustrative and is skipped, naming the reason; any other block
# that fails fails the test, with its output.
#   tests/readme_test.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$(cd "$1" && pwd)
bin=$(cd "$2" && pwd)
readme=$src/README.md
work=$(mktemp -d /tmp/concord-readme-XXXXXX)
sessions=()
stop_sessions() {
  for s in "${sessions[@]}"; do kill -TERM -- "-$s" 2> /dev/null; done
  sleep 1
  for s in "${sessions[@]}"; do kill -KILL -- "-$s" 2> /dev/null; done
  rm -rf "$work"
}
trap stop_sessions EXIT
export PATH="$bin:$PATH"
unset CONCORD_CONFIG CONCORD_DATA_DIR
ran=0 skipped=0 failed=0 n=0
block=() in_block=0 prev="" mark=""
run_block() {
  n=$((n + 1))
  local line=$1
  if [[ $mark == *"readme-test: illustrative"* ]]; then
    echo "block $n (README.md:$line): skipped, ${mark#*illustrative }"
    skipped=$((skipped + 1))
    return
  fi
  local dir="$work/readme" script="$work/block$n.sh"
  mkdir -p "$dir"
  printf '%s\n' "${block[@]}" > "$script"
  # setsid execs in place (a background job leads no group): the session's id is $!.
  (cd "$dir" && exec setsid bash -e "$script" > "$work/block$n.out" 2>&1 < /dev/null) &
  local pid=$!
  sessions+=("$pid")
  if wait "$pid"; then
    echo "block $n (README.md:$line): ran"
    ran=$((ran + 1))
  else
    echo "FAIL: block $n (README.md:$line):"
    sed 's/^/    | /' "$script"
    echo "  said:"
    tail -20 "$work/block$n.out" | sed 's/^/    > /'
    failed=$((failed + 1))
  fi
}
lineno=0 start=0
while IFS= read -r line || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  if [ $in_block = 0 ] && [ "$line" = '```sh' ]; then
    in_block=1 block=() start=$lineno mark=$prev
  elif [ $in_block = 1 ] && [ "$line" = '```' ]; then
    in_block=0
    run_block $start
  elif [ $in_block = 1 ]; then
    block+=("$line")
  fi
  [ -n "$line" ] && prev=$line
done < "$readme"
echo "README.md: $ran blocks ran, $skipped illustrative, $failed failed"
[ $ran -gt 0 ] && [ $failed = 0 ]
