#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Keeps docs/BAD-INPUT.md true: for every entry, the key text must occur in
# the words quoted under "Users see", in the product's source (common/,
# node/, broker/) and in the named test file, and the named test must exist
# there. At least 30 entries. Usage: bad_input_catalogue.sh SOURCE_DIR
set -euo pipefail
src=${1:-$(dirname "$0")/..}
doc="$src/docs/BAD-INPUT.md"
fail=0
entries=0

# One line per entry: title TAB users-see TAB key TAB test-file TAB test-name.
# "Users see" may wrap over indented lines; backquoted spans are joined.
rows=$(awk '
    function flush() {
        if (title != "") { printf "%s\t%s\t%s\t%s\t%s\n", title, see, key, file, name }
        title = ""; see = ""; key = ""; file = ""; name = ""; insee = 0
    }
    /^### / { flush(); title = substr($0, 5); next }
    /^- Users see/ { insee = 1; see = $0; next }
    /^- / { insee = 0 }
    /^  / && insee { line = $0; sub(/^ +/, "", line); see = see " " line; next }
    /^- Key text: / { line = $0; sub(/^- Key text: `/, "", line); sub(/`$/, "", line); key = line }
    /^- Test: / {
        n = split($0, parts, "`")
        file = parts[2]; name = parts[4]
    }
    END { flush() }
' "$doc")

while IFS=$'\t' read -r title see key file name; do
    entries=$((entries + 1))
    where="BAD-INPUT.md entry '$title'"
    if [ -z "$key" ] || [ -z "$file" ] || [ -z "$name" ]; then
        echo "$where: needs Users see, Key text and Test lines" >&2
        fail=1
        continue
    fi
    case $see in
        *"$key"*) ;;
        *) echo "$where: key text '$key' is not in the words quoted" >&2; fail=1 ;;
    esac
    if ! grep -rqF -- "$key" "$src/common" "$src/node" "$src/broker"; then
        echo "$where: key text '$key' no longer occurs in the source" >&2
        fail=1
    fi
    if [ ! -f "$src/$file" ]; then
        echo "$where: no test file $file" >&2
        fail=1
        continue
    fi
    if ! grep -qF -- "$key" "$src/$file"; then
        echo "$where: $file does not check '$key'" >&2
        fail=1
    fi
    if ! grep -q "^static void $name(" "$src/$file"; then
        echo "$where: no test $name in $file" >&2
        fail=1
    fi
done <<<"$rows"

if [ "$entries" -lt 30 ]; then
    echo "BAD-INPUT.md has $entries entries; at least 30 are promised" >&2
    fail=1
fi
[ "$fail" -eq 0 ] && echo "BAD-INPUT.md: $entries entries, every quoted error found in the source and its test"
exit "$fail"
