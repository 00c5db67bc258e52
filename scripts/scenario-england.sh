#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs scenarios/england.ini (NHS England, 207 CCGs and 152 upper-tier
# councils: about 360 processes) on one machine and reports what it cost:
# wall time, time to healthy, each node's peak RSS (VmHWM) and PSS, and the
# broker's CPU time. Not part of the default test suite (ctest -L long runs
# it when configured with -DCONCORD_LONG_TESTS=ON).
#
#   scripts/scenario-england.sh [BUILD-DIR] [FEDERATION-DIR]
#
# BUILD-DIR defaults to build-rel, made with
#   cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DCONCORD_SANITIZE=OFF
# FEDERATION-DIR defaults to a fresh temporary directory, removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(cd "${1:-build-rel}" && pwd)
dir=${2:-}
own=0
if [ -z "$dir" ]; then
    dir=$(mktemp -d /tmp/concord-england-XXXXXX)
    rmdir "$dir"
    own=1
fi
concord=$bin/concord
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
    "$concord" federation stop "$dir" >/dev/null 2>&1 || true
    [ $own -eq 1 ] && rm -rf "$dir"
}
trap cleanup EXIT

t0=$(date +%s.%N)
"$concord" federation init --out "$dir" --england --port "$port" --name "England (rehearsal)"
t1=$(date +%s.%N)
"$concord" scenario run scenarios/england.ini --federation "$dir" --keep-running | tee "$dir/logs/scenario.out"
t2=$(date +%s.%N)

# Figures of the still-running processes.
hwm=() pss=()
for pidf in "$dir"/run/*.pid; do
    name=$(basename "$pidf" .pid)
    pid=$(cat "$pidf")
    if [ "$name" = broker ]; then
        read -r ut st < <(awk '{print $14, $15}' "/proc/$pid/stat")
        broker_cpu=$(awk -v u="$ut" -v s="$st" -v t="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", (u+s)/t}')
        broker_hwm=$(awk '/VmHWM/{print $2}' "/proc/$pid/status")
        continue
    fi
    hwm+=("$(awk '/VmHWM/{print $2}' "/proc/$pid/status")")
    pss+=("$(awk '/^Pss:/{print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)")
done
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1; s+=$1} END {printf "min %.1f median %.1f max %.1f mean %.1f MiB (n=%d)", a[1]/1024, a[int((NR+1)/2)]/1024, a[NR]/1024, s/NR/1024, NR}'; }
healthy=$(grep -o 'healthy in [0-9.]* s' "$dir/logs/scenario.out" | head -1)
echo
echo "== figures"
echo "init:               $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s"
echo "scenario run:       $(awk -v a="$t1" -v b="$t2" 'BEGIN{printf "%.1f", b-a}') s wall (start, run, certify), $healthy"
echo "node peak RSS:      $(stats "${hwm[@]}")"
echo "node PSS now:       $(stats "${pss[@]}")"
echo "broker CPU time:    ${broker_cpu} s (peak RSS $(awk -v k="$broker_hwm" 'BEGIN{printf "%.1f", k/1024}') MiB)"
echo "load average:       $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
t3=$(date +%s.%N)
"$concord" federation stop "$dir"
echo "stop:               $(awk -v a="$t2" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
