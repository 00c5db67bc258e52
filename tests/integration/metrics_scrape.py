#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The daemons' Prometheus endpoints, scraped and parsed with Debian's
python3-prometheus-client (its exposition-format parser), against a real
broker and two real nodes with `metrics = 127.0.0.1:PORT` in their configs.
And their systemd notifications (Type=notify): READY=1 once serving,
WATCHDOG=1 while the loop turns, STOPPING=1 on SIGTERM, on a real
NOTIFY_SOCKET.

usage: metrics_scrape.py BUILD_DIR"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

BIN = os.path.abspath(sys.argv[1])
CODES = ["E38000217", "E08000003"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(d, *args, config=None, check=True):
    cmd = [os.path.join(BIN, "concord")]
    if config:
        cmd += ["--config", os.path.join(d, config)]
    r = subprocess.run(cmd + list(args), cwd=d, capture_output=True, text=True, timeout=60)
    if check and r.returncode != 0:
        raise SystemExit("concord %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return r


def scrape(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
        assert r.status == 200, r.status
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers
        text = r.read().decode()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert families, "no metrics in:\n" + text
    return families


def value(families, name, **labels):
    for f in families.values():
        for s in f.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    raise AssertionError("no sample %s %s in %s" % (name, labels, sorted(families)))


def until(what, fn, timeout=20):
    end = time.time() + timeout
    while True:
        try:
            if fn():
                return
        except (AssertionError, urllib.error.URLError, ConnectionError):
            if time.time() > end:
                raise
        if time.time() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.2)


def main():
    d = tempfile.mkdtemp(prefix="concord-metrics-")
    procs = []
    try:
        for sub in ("keys", "data", "run", "logs"):
            os.mkdir(os.path.join(d, sub))
        cli(d, "keygen", "--broker", "--out", "keys")
        for c in CODES:
            cli(d, "keygen", "--code", c, "--name", "Org " + c, "--out", "keys")
        cli(d, "roster", "init", "--federation", "Metrics", "--broker", "keys/broker.pub",
            "--out", "roster.bin", *["keys/%s.pub" % c for c in CODES])
        for c in CODES:
            cli(d, "roster", "sign", "--roster", "roster.bin", "--key", "keys/%s.key" % c)
        port = free_port()
        bport = free_port()
        nports = [free_port() for _ in CODES]
        with open(os.path.join(d, "broker.ini"), "w") as f:
            f.write("[broker]\nlisten = tcp://127.0.0.1:%d\nkey = keys/broker.key\n"
                    "roster = roster.bin\ndata = data/broker.db\nmetrics = 127.0.0.1:%d\n"
                    % (port, bport))
        for c, p in zip(CODES, nports):
            with open(os.path.join(d, c + ".ini"), "w") as f:
                f.write("[node]\ncode = %s\nkey = keys/%s.key\nroster = roster.bin\n"
                        "broker = tcp://127.0.0.1:%d\nledger = data/%s.db\n"
                        "control = run/%s.sock\nmetrics = 127.0.0.1:%d\n" % (c, c, port, c, c, p))

        def start(prog, cfg, name, env=None):
            log = open(os.path.join(d, "logs", name + ".log"), "a")
            procs.append(subprocess.Popen([os.path.join(BIN, prog), "--config", cfg], cwd=d,
                                          stdout=log, stderr=log, env=env))

        start("concord-broker", "broker.ini", "broker")
        # The first node as systemd runs it: a notify socket and a 1 s watchdog.
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(os.path.join(d, "run", "notify"))
        notify.settimeout(10)
        env = dict(os.environ, NOTIFY_SOCKET=os.path.join(d, "run", "notify"),
                   WATCHDOG_USEC="1000000")
        start("concordd", CODES[0] + ".ini", CODES[0], env)
        start("concordd", CODES[1] + ".ini", CODES[1])
        heard = []
        while heard.count("WATCHDOG=1") < 3:
            heard += notify.recv(4096).decode().split("\n")
        assert heard[0] == "READY=1", heard
        assert "STATUS=serving" in heard, heard
        for c, p in zip(CODES, nports):
            until(c + " connected",
                  lambda p=p: value(scrape(p), "concord_node_connected") == 1)

        # Before any traffic of ours: the figures are there, typed, labelled.
        fam = scrape(nports[0])
        for name, kind in [("concord_node_connected", "gauge"),
                           ("concord_node_serving", "gauge"),
                           ("concord_node_envelopes_submitted", "counter"),
                           ("concord_node_envelopes_delivered", "counter"),
                           ("concord_node_envelopes_refused", "counter"),
                           ("concord_node_unreceipted", "gauge"),
                           ("concord_node_calls_waiting", "gauge"),
                           ("concord_node_ledger_entries", "gauge")]:
            assert name in fam, (name, sorted(fam))
            assert fam[name].type == kind, (name, fam[name].type)
        assert value(fam, "concord_node_serving", organisation=CODES[0]) == 1
        for name in ("concord_node_commit_seconds", "concord_node_round_trip_seconds"):
            assert fam[name].type == "histogram", (name, fam[name].type)
        assert "concord_node_envelopes_resent" in fam
        sent0 = value(fam, "concord_node_envelopes_submitted_total")
        head0 = value(scrape(bport), "concord_broker_log_head")

        # Traffic: a board charter is a logged envelope to every member.
        cli(d, "board", "create", "--id", "M-1", "--name", "Metrics board", "--member", "all",
            config=CODES[0] + ".ini")
        until("the charter sent and receipted", lambda: (
            value(scrape(nports[0]), "concord_node_envelopes_submitted_total") > sent0 and
            value(scrape(nports[0]), "concord_node_unreceipted") == 0))
        # A ping is a call: its round trip is in the histogram, as is the charter's commit.
        cli(d, "ping", CODES[1], config=CODES[0] + ".ini")
        until("the ping's round trip counted (published each second)", lambda: value(
            scrape(nports[0]), "concord_node_round_trip_seconds_count") >= 1)
        fam = scrape(nports[0])
        assert value(fam, "concord_node_round_trip_seconds_bucket", le="+Inf") >= 1
        assert value(fam, "concord_node_commit_seconds_count") >= 1
        assert value(fam, "concord_node_commit_seconds_sum") > 0
        until("the broker's log head moved",
              lambda: value(scrape(bport), "concord_broker_log_head") > head0)
        until("the other node stored the charter", lambda: value(
            scrape(nports[1]), "concord_node_envelopes_delivered_total") >= 1)
        b = scrape(bport)
        assert value(b, "concord_broker_serving") == 1
        assert b["concord_broker_envelopes_submitted"].type == "counter"
        assert value(b, "concord_broker_envelopes_accepted_total") >= 1
        assert value(b, "concord_broker_envelopes_submitted_total") >= \
            value(b, "concord_broker_envelopes_accepted_total")
        value(b, "concord_broker_envelopes_refused_total", reason="PERMISSION_DENIED")
        value(b, "concord_broker_envelopes_resent_total")
        assert value(b, "concord_broker_members") == len(CODES)
        for c in CODES:
            value(b, "concord_broker_mailbox_depth", member=c)  # present for every member
        # SIGTERM: systemd hears it is stopping.
        procs[1].send_signal(signal.SIGTERM)
        procs[1].wait(timeout=20)
        heard = []
        while "STOPPING=1" not in heard:
            heard += notify.recv(4096).decode().split("\n")
        start("concordd", CODES[0] + ".ini", CODES[0] + "-again")
        procs[1], procs[-1] = procs[-1], procs[1]
        until(CODES[0] + " connected again",
              lambda: value(scrape(nports[0]), "concord_node_connected") == 1)
        # A stopped node's mailbox fills: its depth counts what waits for it.
        procs[2].send_signal(signal.SIGTERM)
        procs[2].wait(timeout=20)
        cli(d, "board", "create", "--id", "M-2", "--name", "Another board", "--member", "all",
            config=CODES[0] + ".ini")
        until("mail waits for the stopped node", lambda: value(
            scrape(bport), "concord_broker_mailbox_depth", member=CODES[1]) >= 1)

        # Anything but /metrics is 404.
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/" % bport, timeout=5)
            raise AssertionError("/ answered")
        except urllib.error.HTTPError as e:
            assert e.code == 404, e.code

        # A bad address stops the node at start, naming it.
        with open(os.path.join(d, "bad.ini"), "w") as f:
            f.write(open(os.path.join(d, CODES[1] + ".ini")).read().replace(
                "metrics = 127.0.0.1:%d" % nports[1], "metrics = localhost:99999"))
        r = subprocess.run([os.path.join(BIN, "concordd"), "--config", "bad.ini"], cwd=d,
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 1, r
        assert "metrics 'localhost:99999': the port must be 1..65535" in r.stderr, r.stderr
        print("metrics: all passed")
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
        if os.environ.get("CONCORD_KEEP") is None:
            shutil.rmtree(d, ignore_errors=True)
        else:
            print("kept", d)


main()
