#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Creates, starts, checks and stops a three-organisation Concord federation
# on one machine: NHS Manchester CCG, Manchester City Council and NHS
# England, with a broker as Greater Manchester Combined Authority would run.
#
#   deploy/federation.sh init  DIR   keys, signed genesis roster, configs
#   deploy/federation.sh start DIR   start broker and nodes, wait until healthy
#   deploy/federation.sh ping  DIR   signed round trips between every pair
#   deploy/federation.sh stop  DIR   SIGTERM everything, wait for clean exits
#   deploy/federation.sh demo  DIR   all of the above, then log verify
#
# Binaries come from $CONCORD_BIN (default: build/ beside this script's
# parent). The broker listens on 127.0.0.1:$CONCORD_PORT (default 7400).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=${CONCORD_BIN:-$here/../build}
port=${CONCORD_PORT:-7400}
orgs=(E38000217 E08000003 X24)
declare -A names=([E38000217]="NHS Manchester CCG" [E08000003]="Manchester City Council"
                  [X24]="NHS England")

die() { echo "federation: $*" >&2; exit 1; }
need() { [ -x "$bin/$1" ] || die "$bin/$1 not found: build first (cmake --build build)"; }

cmd_init() {
    local dir=$1
    need concord
    [ -e "$dir/roster.bin" ] && die "$dir already holds a federation"
    mkdir -p "$dir/keys" "$dir/data" "$dir/run" "$dir/logs"
    chmod 700 "$dir/keys"
    "$bin/concord" keygen --broker --name "Greater Manchester Combined Authority broker" \
        --out "$dir/keys" >/dev/null
    local pubs=()
    for org in "${orgs[@]}"; do
        "$bin/concord" keygen --code "$org" --name "${names[$org]}" --out "$dir/keys" >/dev/null
        pubs+=("$dir/keys/$org.pub")
    done
    "$bin/concord" roster init --federation "Greater Manchester (rehearsal)" \
        --broker "$dir/keys/broker.pub" --out "$dir/roster.bin" "${pubs[@]}" >/dev/null
    # Each founding member signs the genesis roster with its own key.
    for org in "${orgs[@]}"; do
        "$bin/concord" roster sign --roster "$dir/roster.bin" --key "$dir/keys/$org.key" >/dev/null
    done
    cat >"$dir/broker.ini" <<EOF
[broker]
listen = tcp://127.0.0.1:$port
key = keys/broker.key
roster = roster.bin
data = data/broker.db
log_level = info
EOF
    for org in "${orgs[@]}"; do
        cat >"$dir/$org.ini" <<EOF
[node]
code = $org
key = keys/$org.key
roster = roster.bin
broker = tcp://127.0.0.1:$port
ledger = data/$org.db
control = run/$org.sock
log_level = info
EOF
    done
    echo "federation created in $dir: broker + ${#orgs[@]} organisations, roster signed by all"
}

start_one() { # name config program
    local dir=$1 name=$2 prog=$3 cfg=$4
    "$bin/$prog" --config "$dir/$cfg" >>"$dir/logs/$name.log" 2>&1 &
    echo $! >"$dir/run/$name.pid"
}

cmd_start() {
    local dir=$1
    need concord-broker; need concordd
    [ -e "$dir/roster.bin" ] || die "no federation in $dir (run init first)"
    start_one "$dir" broker concord-broker broker.ini
    for org in "${orgs[@]}"; do
        start_one "$dir" "$org" concordd "$org.ini"
    done
    cmd_wait "$dir"
}

alive() { # name: is the process started for it still running?
    local pidfile=$1/run/$2.pid
    [ ! -f "$pidfile" ] || kill -0 "$(cat "$pidfile")" 2>/dev/null
}

cmd_wait() {
    local dir=$1 org name deadline=$((SECONDS + 30))
    for org in "${orgs[@]}"; do
        printf 'waiting for %s ' "$org"
        until "$bin/concord" --config "$dir/$org.ini" --json status 2>/dev/null |
                grep -q '"connected":true'; do
            [ $SECONDS -lt $deadline ] || { echo; die "$org not healthy after 30 s (see $dir/logs)"; }
            for name in broker "$org"; do
                alive "$dir" "$name" || { echo; tail -n 3 "$dir/logs/$name.log" >&2; die "$name exited"; }
            done
            printf '.'
            sleep 0.2
        done
        echo ' healthy'
    done
}

cmd_ping() {
    local dir=$1 from to
    for from in "${orgs[@]}"; do
        for to in "${orgs[@]}"; do
            [ "$from" = "$to" ] && continue
            echo "== $from -> $to"
            "$bin/concord" --config "$dir/$from.ini" ping "$to"
        done
    done
}

cmd_stop() {
    local dir=$1 name pid
    for name in "${orgs[@]}" broker; do
        [ -f "$dir/run/$name.pid" ] || continue
        pid=$(cat "$dir/run/$name.pid")
        if kill -TERM "$pid" 2>/dev/null; then
            for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -0 "$pid" 2>/dev/null && die "$name (pid $pid) did not stop"
            echo "stopped $name"
        fi
        rm -f "$dir/run/$name.pid"
    done
}

cmd_demo() {
    local dir=$1
    [ -e "$dir/roster.bin" ] || cmd_init "$dir"
    demo_dir=$dir
    trap 'cmd_stop "$demo_dir"' EXIT
    cmd_start "$dir"
    cmd_ping "$dir"
    echo "== broker log, checked by ${orgs[0]}"
    "$bin/concord" --config "$dir/${orgs[0]}.ini" log verify
}

[ $# -eq 2 ] || { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
case $1 in
    init|start|wait|ping|stop|demo) "cmd_$1" "$2" ;;
    *) die "unknown command '$1' (init, start, wait, ping, stop, demo)" ;;
esac
