#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs a command against a PostgreSQL cluster of its own: initdb in a
# temporary directory, the server on a free port listening only on a unix
# socket in that directory, the command with
#   CONCORD_TEST_STORE=postgresql
#   CONCORD_TEST_PG_HOST=<the socket directory>  CONCORD_TEST_PG_PORT=<port>
#   CONCORD_TEST_PG_USER=concord                  (trust authentication)
#   CONCORD_TEST_PG_CTL=<pg_ctl, as the server's user, with -D and -l>
#                                      (for tests that restart or stop it)
#   CONCORD_TEST_PG_OPTS=<the server's options, for pg_ctl -o when starting it>
#   CONCORD_TEST_PG_BIN=<the directory of initdb, pg_ctl, pg_basebackup>
#   CONCORD_TEST_PG_AS=<"runuser -u nobody --" as root, else empty>
#   CONCORD_TEST_PG_DIR=<the cluster's temporary directory>
# in its environment (tests/integration/harness.c then gives every broker a
# fresh database of that cluster), and the cluster stopped and removed
# afterwards, whatever the command did. Exits with the command's status.
# As root the cluster runs as nobody (PostgreSQL refuses to run as root).
# initdb and pg_ctl come from Debian's postgresql package
# (/usr/lib/postgresql/<version>/bin), or PATH.
#
# usage: tests/support/pg_cluster.sh COMMAND [ARG...]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ]; then
    bin=$(dirname "$(command -v initdb || echo /nonexistent/initdb)")
fi
[ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] || {
    echo "$0: initdb and pg_ctl not found (install Debian's postgresql: scripts/deps.sh)" >&2
    exit 1
}

dir=$(mktemp -d /tmp/concord-pg-XXXXXX)
as=()
if [ "$(id -u)" -eq 0 ]; then
    chown nobody: "$dir"
    as=(runuser -u nobody --)
fi
stop() {
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$dir" && "${as[@]}" "$bin/initdb" -D "$dir/data" -U concord --auth=trust -E UTF8 \
    --no-instructions >"$dir/initdb.log" 2>&1) || {
    cat "$dir/initdb.log" >&2
    exit 1
}
opts="-p $port -k $dir -c listen_addresses= -c max_connections=200"
(cd "$dir" && "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "$opts" start >/dev/null) || {
    cat "$dir/server.log" >&2
    exit 1
}

export CONCORD_TEST_STORE=postgresql CONCORD_TEST_PG_HOST=$dir CONCORD_TEST_PG_PORT=$port \
    CONCORD_TEST_PG_USER=concord CONCORD_TEST_PG_BIN=$bin CONCORD_TEST_PG_DIR=$dir \
    CONCORD_TEST_PG_AS="${as[*]}" CONCORD_TEST_PG_OPTS="$opts" \
    CONCORD_TEST_PG_CTL="${as[*]} $bin/pg_ctl -D $dir/data -l $dir/server.log"
status=0
"$@" || status=$?
exit $status
