#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The CLI's conventions (concord(1)), against the built `concord`:
# - every command and subcommand of the command table (`concord help
#   --commands`) answers `--help` and `concord help COMMAND` with its own
#   usage on stdout, exit 0, with no config and no node;
# - a usage error exits 2 and says so in one line and a hint, with a
#   config that loads (a federation made by `federation init`) and without;
# - -V/--version, --config=FILE, and errors as one JSON document with --json.
# Prints the table of every command's --help exit status.
set -uo pipefail
bin=$(cd "$1" && pwd)
concord=$bin/concord
src=$(cd "$(dirname "$0")/../../.." && pwd)
dir=$(mktemp -d /tmp/concord-cli-XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
unset CONCORD_CONFIG
fails=0
fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# 1. --help everywhere.
mapfile -t commands < <("$concord" help --commands)
[ "${#commands[@]}" -ge 50 ] || fail "only ${#commands[@]} commands in the table"
printf '%-24s %s %s\n' COMMAND "--help" "help CMD"
for c in "${commands[@]}"; do
  # shellcheck disable=SC2086
  "$concord" $c --help > out 2> err
  rc=$?
  # shellcheck disable=SC2086
  "$concord" help $c > out2 2> err2
  rc2=$?
  printf '%-24s %6s %8s\n' "$c" "$rc" "$rc2"
  [ "$rc" = 0 ] || fail "'concord $c --help' exited $rc: $(head -1 err)"
  [ "$rc2" = 0 ] || fail "'concord help $c' exited $rc2: $(head -1 err2)"
  grep -q "^Usage: concord .*$c" out || fail "'concord $c --help' does not show its usage"
  cmp -s out out2 || fail "'concord $c --help' and 'concord help $c' differ"
  [ -s err ] && fail "'concord $c --help' wrote to stderr: $(head -1 err)"
  # -h as well, anywhere after the command words.
  # shellcheck disable=SC2086
  "$concord" $c -h > out3 2>&1 || fail "'concord $c -h' failed"
done
"$concord" --help > out || fail "concord --help"
grep -q '^Usage: concord' out || fail "concord --help shows no usage"
"$concord" help > out || fail "concord help"
grep -q '^Usage: concord' out || fail "concord help shows no usage"

# 2. Usage errors: exit 2, one line of error and one hint (or one line
# holding both when only the usage says what was wrong).
usage_error() { # expect exit 2, at most 2 lines on stderr, the last a hint
  "$@" > out 2> err
  rc=$?
  [ "$rc" = 2 ] || fail "'${*#"$concord"}' exited $rc, not 2: $(head -1 err)"
  lines=$(wc -l < err)
  [ "$lines" -le 2 ] || fail "'${*#"$concord"}' printed $lines lines on stderr"
  tail -1 err | grep -iq "try 'concord .*--help'\.$" || fail "'${*#"$concord"}' gives no hint: $(cat err)"
  [ -s out ] && fail "'${*#"$concord"}' wrote to stdout"
}
"$concord" federation init --out fed --area E47000001 > /dev/null 2>&1 || fail "federation init"
cfg=$(ls fed/nodes/*/node.ini 2>/dev/null | head -1)
[ -n "$cfg" ] || cfg=$(find fed -name '*.ini' -path '*node*' | head -1)
[ -f "$cfg" ] || fail "no node config in the federation"
usage_error "$concord"
usage_error "$concord" bogus
usage_error "$concord" --bogus status
usage_error "$concord" board
usage_error "$concord" board nope
usage_error "$concord" help nope
usage_error "$concord" status                  # no config
usage_error "$concord" --config
usage_error "$concord" --config="$cfg" ping
usage_error "$concord" --config="$cfg" ping A --count x
usage_error "$concord" --config="$cfg" ledger --nope
usage_error "$concord" --config="$cfg" vote P maybe
usage_error "$concord" --config="$cfg" board show
usage_error "$concord" --config="$cfg" proposal show
usage_error "$concord" --config="$cfg" pool pledge
usage_error "$concord" --config="$cfg" pool list extra
usage_error "$concord" --config="$cfg" bcf sign
usage_error "$concord" --config="$cfg" decision export
usage_error "$concord" --config="$cfg" auto-vote --nope
usage_error "$concord" roster init
usage_error "$concord" roster sign --nope
usage_error "$concord" verify
usage_error "$concord" pool verify
usage_error "$concord" keygen --nope
usage_error "$concord" federation exec
usage_error "$concord" federation init
usage_error "$concord" federation start
usage_error "$concord" footprint nope
usage_error "$concord" scenario run x.ini

# 3. Version, --config=FILE and -c FILE alike.
for v in -V --version; do
  "$concord" $v > out || fail "$v exited $?"
  grep -Eq '^concord [0-9]+\.[0-9]+\.[0-9]+$' out || fail "$v printed $(cat out)"
done
"$concord" --config="$cfg" status > out 2> err
rc=$?
[ "$rc" = 4 ] || fail "status with no node running exited $rc, not 4: $(cat err)"
"$concord" -c "$cfg" status > /dev/null 2>&1
[ "$?" = 4 ] || fail "-c FILE is not --config FILE"

# 4. --json: errors as exactly one JSON document on stderr.
json_error() { # expected code, then the command
  local code=$1
  shift
  "$@" > out 2> err
  python3 - "$code" err <<'PY' 2>/dev/null || fail "--json error of '${*#"$concord"}': $(cat err)"
import json, sys
text = open(sys.argv[2]).read()
doc = json.loads(text)  # exactly one document, or this raises
assert set(doc) == {"error"}, doc
assert doc["error"]["code"] == sys.argv[1], doc
assert isinstance(doc["error"]["message"], str) and doc["error"]["message"], doc
PY
}
json_error usage "$concord" --json bogus
json_error usage "$concord" --json --config="$cfg" ping A --count x
json_error usage "$concord" --json --config="$cfg" ledger --nope
json_error usage "$concord" status --json
json_error no-node "$concord" --json --config="$cfg" status
json_error failed "$concord" --json verify nothing.cert --roster nothing.bin
json_error usage "$concord" --json federation init
json_error usage "$concord" --json federation start
json_error usage "$concord" --json scenario run nothing.ini
json_error usage "$concord" --json pool verify
json_error usage "$concord" --json footprint changes
json_error usage "$concord" --json footprint nope
json_error usage "$concord" --json footprint report --as-at yesterday

# 4b. --json: exactly one JSON document on stdout from commands that print data.
json_doc() { # the command; its stdout must be one JSON document
  "$@" > out 2> err || fail "'${*#"$concord"}' exited $?: $(cat err)"
  python3 -c 'import json,sys; json.loads(open("out").read())' 2> /dev/null ||
    fail "'${*#"$concord"}' printed no single JSON document: $(head -c 300 out)"
}
mkdir -p j && cd j
json_doc "$concord" --json keygen --broker --out keys
json_doc "$concord" --json keygen --code E38000217 --name "NHS Manchester CCG" --out keys
json_doc "$concord" --json roster init --federation J --broker keys/broker.pub --out roster.bin \
  keys/E38000217.pub
json_doc "$concord" roster sign --roster roster.bin --key keys/E38000217.key --json
json_doc "$concord" --json roster show --roster roster.bin
scenario=$src/scenarios/cumbria-bcf.ini
[ -n "$scenario" ] && json_doc "$concord" --json scenario check "$scenario"
cd ..

# 5. The bash completion offers the table's commands and subcommands.
complete_words() {
  PATH=$bin:$PATH bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _concord; echo "${COMPREPLY[*]}"' \
    _ "$src/deploy/concord.bash-completion" "$@"
}
[ "$(complete_words concord boa)" = board ] || fail "completion of 'boa': $(complete_words concord boa)"
[ "$(complete_words concord --config=x.ini pool p)" = "propose pledge" ] ||
  fail "completion of 'pool p': $(complete_words concord --config=x.ini pool p)"
[ "$(complete_words concord -c x.ini board "")" = "create list show" ] ||
  fail "completion of 'board ': $(complete_words concord -c x.ini board "")"

if [ "$fails" -gt 0 ]; then
  echo "$fails failed"
  exit 1
fi
echo "all passed"
