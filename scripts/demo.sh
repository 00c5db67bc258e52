#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# From a clean clone to a verified decision certificate: installs the Debian
# packages, builds, generates Greater Manchester's federation from the ONS
# lookups (the combined authority's 10 councils, 10 CCGs and NHS England:
# keys, signed roster, configs) in ${1:-run/gm}, starts the broker and the
# 21 nodes, and runs scenarios/greater-manchester.ini on it: the Joint
# Commissioning Board adopts a £6.2bn pooled budget under double majority,
# every partner pledges its share, the decision certificate is exported and
# verified. Everything is stopped again at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-run/gm}
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONCORD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
# A scenario runs once per federation: a rerun starts from a fresh one.
if [ -e "$dir/federation.ini" ]; then
    build/concord federation stop "$dir" >/dev/null 2>&1 || true
    rm -rf "$dir"
fi
mkdir -p "$(dirname "$dir")"
build/concord scenario run scenarios/greater-manchester.ini --federation "$dir"
echo
echo "== the certificate, checked offline against the roster"
build/concord verify "$dir/certificates/pooled-budget.cert" --roster "$dir/roster.bin"
