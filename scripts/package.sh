#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds Concord's Debian packages from a clean clone of this checkout's HEAD
# (dpkg-buildpackage -us -uc -b), checks them with lintian (no errors), then, as
# root, installs them and runs a three-node federation from the installed files
# (tests/deploy/packaged_federation.sh). The packages are left in OUT.
#   scripts/package.sh [OUT]     (default: build-deb/)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$src/build-deb}" && cd "${1:-$src/build-deb}" && pwd)
work=$(mktemp -d /tmp/concord-deb-XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone -q "$src" "$work/concord"
git -C "$work/concord" checkout -q "$(git -C "$src" rev-parse HEAD)"
(cd "$work/concord" && dpkg-buildpackage -us -uc -b > "$work/build.log" 2>&1) ||
  { tail -40 "$work/build.log"; echo "dpkg-buildpackage failed"; exit 1; }
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out"/
echo "built: $(cd "$out" && ls ./*.deb | tr '\n' ' ')"
lintian --fail-on error "$out"/*.changes
echo "lintian: no errors"
if [ "$(id -u)" = 0 ]; then
  "$src/tests/deploy/packaged_federation.sh" "$out"
else
  echo "not root: the packaged federation test is skipped (run it as root)"
fi
