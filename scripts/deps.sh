#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages Concord builds and runs with (clang and its
# runtime libraries only for the fuzz targets, scripts/fuzz.sh; postgresql only for
# the ha tests, whose PostgreSQL cluster tests/support/pg_cluster.sh starts).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends \
    build-essential cmake pkg-config python3 binutils \
    libprotobuf-c-dev protobuf-c-compiler libzmq3-dev libsodium-dev \
    libcmocka-dev libsqlite3-dev libpq-dev postgresql libinih-dev libjansson-dev \
    libmicrohttpd-dev chromium fonts-dejavu-core curl poppler-utils \
    python3-prometheus-client libsystemd-dev scdoc debhelper lintian fakeroot git \
    clang libclang-rt-14-dev \
    libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
    python3-protobuf >/dev/null
