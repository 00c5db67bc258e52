#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every source file of Concord carries an SPDX licence identifier
# (LICENSE: Apache License 2.0) in its first lines.
#   scripts/spdx.sh [SOURCE_DIR]        list the files without one; exit 1 if any
#   scripts/spdx.sh --fix [SOURCE_DIR]  add the line to those files
# Source files: *.c *.h *.proto *.sh *.py *.cmake and CMakeLists.txt tracked
# by git (or, outside a git checkout, found under the directory).
set -euo pipefail
fix=0
if [ "${1:-}" = "--fix" ]; then
  fix=1
  shift
fi
src=${1:-$(dirname "$0")/..}
cd "$src"
id='SPDX-License-Identifier: Apache-2.0'
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files -co --exclude-standard)
else
  files=$(find . -path ./build -prune -o -type f -print | sed 's|^\./||')
fi
missing=0
if ! head -n 3 LICENSE 2>/dev/null | grep -q 'Apache License'; then
  echo "LICENSE: missing, or not the Apache License 2.0 the identifiers name"
  missing=$((missing + 1))
fi
while IFS= read -r f; do
  case "$f" in
    build*/*|*/build*/*) continue ;;
    *.c|*.h) style='/* %s */' ;;
    *.proto) style='// %s' ;;
    *.sh|*.py|*.cmake|CMakeLists.txt|*/CMakeLists.txt) style='# %s' ;;
    *) continue ;;
  esac
  [ -f "$f" ] || continue
  if head -n 3 "$f" | grep -q 'SPDX-License-Identifier:'; then
    continue
  fi
  if [ "$fix" = 0 ]; then
    echo "$f: no SPDX-License-Identifier line in its first three lines"
    missing=$((missing + 1))
    continue
  fi
  line=$(printf "$style" "$id")
  if head -n 1 "$f" | grep -q '^#!'; then
    { head -n 1 "$f"; echo "$line"; tail -n +2 "$f"; } > "$f.spdx"
  else
    { echo "$line"; cat "$f"; } > "$f.spdx"
  fi
  chmod --reference="$f" "$f.spdx"
  mv "$f.spdx" "$f"
done <<< "$files"
if [ "$missing" -gt 0 ]; then
  echo "$missing file(s) without a licence identifier: run scripts/spdx.sh --fix" >&2
  exit 1
fi
