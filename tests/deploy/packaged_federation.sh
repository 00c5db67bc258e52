#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages in DEBDIR (apt-get install ./*.deb) and runs a
# three-node federation from the installed files only: /usr/bin/concord,
# /usr/sbin/concordd and /usr/sbin/concord-broker as the service user concord,
# the ONS lookups in /usr/share/concord/ons, with no source or build tree on
# the PATH or in the environment. Checks the service user and directories
# the packages made, the installed man pages and units, health, a signed
# round trip, a board charter reaching every node, the broker's log verifying,
# and SIGHUP.
#   tests/deploy/packaged_federation.sh DEBDIR   (root; 77 = skipped)
set -uo pipefail
debdir=$(cd "$1" && pwd)
[ "$(id -u)" = 0 ] || { echo "not root: skipped"; exit 77; }
command -v apt-get > /dev/null || { echo "no apt-get: skipped"; exit 77; }
ls "$debdir"/concord_*.deb > /dev/null 2>&1 || { echo "no packages in $debdir"; exit 1; }
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

debs=$(ls "$debdir"/concord_*.deb "$debdir"/concord-data_*.deb "$debdir"/concordd_*.deb \
          "$debdir"/concord-broker_*.deb)
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall $debs > /tmp/concord-apt.log 2>&1 ||
  { cat /tmp/concord-apt.log; echo "FAIL: apt-get install"; exit 1; }

# What the packages put in place.
getent passwd concord > /dev/null || { echo "FAIL: no user concord"; cat /tmp/concord-apt.log; exit 1; }
getent group concord > /dev/null || fail "no group concord"
for d in /etc/concord /var/lib/concord; do [ -d $d ] || fail "no $d"; done
for f in /usr/bin/concord /usr/sbin/concordd /usr/sbin/concord-broker \
         /lib/systemd/system/concordd@.service /lib/systemd/system/concord-broker.service \
         /usr/share/man/man1/concord.1.gz /usr/share/man/man8/concordd.8.gz \
         /usr/share/man/man8/concord-broker.8.gz /usr/share/man/man5/concord.ini.5.gz \
         /usr/share/bash-completion/completions/concord /usr/share/concord/ons/SOURCES.md \
         /usr/share/concord/bcf/conditions.csv /usr/share/concord/bcf/areas.csv \
         /usr/share/doc/concord/examples/node.ini /usr/share/doc/concord/DEPLOYMENT.md; do
  [ -e "$f" ] || fail "not installed: $f"
done
grep -q '^ExecStart=/usr/sbin/concordd --config /etc/concord/nodes/%i.ini$' \
  /lib/systemd/system/concordd@.service || fail "concordd@.service ExecStart"

# Nothing but the installed files from here.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset CONCORD_CONFIG CONCORD_DATA_DIR CONCORD_BIN
dir=$(mktemp -d /tmp/concord-pkg-XXXXXX)
chmod 0755 "$dir"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
  wait 2> /dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
cd /
# setpriv execs in place, so a daemon started through it gets our signals itself.
as() { setpriv --reuid=concord --regid=concord --init-groups -- "$@"; }
install -d -o concord -g concord -m 0750 "$dir/fed" "$dir/fed/keys" "$dir/fed/data" \
  "$dir/fed/run" "$dir/fed/logs"
cd "$dir/fed"
codes=(E38000217 E08000003 E10000006)
as concord keygen --broker --out keys > /dev/null || fail "keygen --broker"
for c in "${codes[@]}"; do
  as concord keygen --code "$c" --name "Org $c" --out keys > /dev/null || fail "keygen $c"
done
pubs=()
for c in "${codes[@]}"; do pubs+=("keys/$c.pub"); done
as concord roster init --federation Packaged --broker keys/broker.pub --out roster.bin \
  "${pubs[@]}" > /dev/null || fail "roster init"
for c in "${codes[@]}"; do
  as concord roster sign --roster roster.bin --key "keys/$c.key" > /dev/null || fail "roster sign $c"
done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > broker.ini <<INI
[broker]
listen = tcp://127.0.0.1:$port
key = keys/broker.key
roster = roster.bin
data = data/broker.db
INI
for c in "${codes[@]}"; do
  cat > "$c.ini" <<INI
[node]
code = $c
key = keys/$c.key
roster = roster.bin
broker = tcp://127.0.0.1:$port
ledger = data/$c.db
control = run/$c.sock
control_group = concord
INI
done
chown concord:concord ./*.ini
# A simple command in the background: its pid is the daemon's (setpriv execs it).
setpriv --reuid=concord --regid=concord --init-groups -- /usr/sbin/concord-broker \
  --config broker.ini >> logs/broker.log 2>&1 &
pids+=($!)
for c in "${codes[@]}"; do
  setpriv --reuid=concord --regid=concord --init-groups -- /usr/sbin/concordd \
    --config "$c.ini" >> "logs/$c.log" 2>&1 &
  pids+=($!)
done
for c in "${codes[@]}"; do
  ok=0
  for _ in $(seq 100); do
    if as concord --config "$c.ini" status > /dev/null 2>&1; then ok=1; break; fi
    sleep 0.2
  done
  [ $ok = 1 ] || { fail "$c never healthy"; tail -5 "logs/$c.log"; }
done
as concord --config E38000217.ini broker status > /dev/null || fail "broker status"
as concord --config E38000217.ini ping E10000006 > /dev/null || fail "ping"
as concord --config E38000217.ini board create --id PKG-1 --name "Packaged board" \
  --member all > /dev/null || fail "board create"
for c in E08000003 E10000006; do
  ok=0
  for _ in $(seq 100); do
    if as concord --config "$c.ini" proposal list 2> /dev/null | grep -q 'PKG-1'; then ok=1; break; fi
    sleep 0.2
  done
  [ $ok = 1 ] || fail "$c never saw the charter"
done
as concord --config E08000003.ini log verify > /dev/null || fail "log verify"
# The installed ONS lookups, found beside the installed program.
as concord footprint org E38000217 > /dev/null || fail "footprint over the installed data"
# SIGHUP, as systemctl reload sends it.
kill -HUP "${pids[1]}"
ok=0
for _ in $(seq 50); do grep -q 'SIGHUP: reloading' logs/E38000217.log && { ok=1; break; }; sleep 0.2; done
[ $ok = 1 ] || fail "no reload logged"
as concord --config E38000217.ini status > /dev/null || fail "status after SIGHUP"
# The control socket is the group's.
[ "$(stat -c '%a %G' run/E38000217.sock)" = "660 concord" ] || fail "socket $(stat -c '%a %G' run/E38000217.sock)"
if [ "$fails" -gt 0 ]; then
  echo "$fails failed"
  exit 1
fi
echo "packaged federation: all passed"
