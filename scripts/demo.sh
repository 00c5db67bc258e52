#!/usr/bin/env bash
# From nothing to a running three-organisation federation doing signed
# round trips: installs the Debian packages, builds, creates the federation
# in ${1:-run/demo} and runs deploy/federation.sh demo (which stops it all
# again at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONCORD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec deploy/federation.sh demo "${1:-run/demo}"
