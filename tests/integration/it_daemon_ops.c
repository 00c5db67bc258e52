/* SPDX-License-Identifier: Apache-2.0 */
/* Running the daemons as a service does: health, signals and the control
 * socket's group access, with real broker and node processes.
 * - `concord status` exits 0 when its node is connected and serving, 3 when
 *   the node answers but has lost the broker, 4 when no node answers;
 *   `concord broker status` exits 0 while the broker answers a signed
 *   health check, 3 when the node answers but the broker does not.
 * - SIGHUP makes concordd take the log level and the automatic voting
 *   policy from its config again, and concord-broker its log level; both
 *   say so in their logs and keep running. SIGUSR1 reopens --log-file after
 *   a rotation renamed it.
 * - control_group makes the control socket 0660 and that group's. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "harness.h"
#include "proc.h"

static fed_t s_fed;

static int s_setup(void **state)
{
    *state = &s_fed; /* for fed_teardown */
    fed_create(&s_fed, 2);
    fed_start_all(&s_fed);
    return 0;
}

/* Runs args on node i until it exits with want (20 s at most). */
static void s_until_rc(int i, int want, const char *args)
{
    int rc = -1;
    char *out = NULL;
    for (int tries = 0; tries < 100; tries++) {
        free(out);
        out = NULL;
        rc = fed_cli(&s_fed, i, &out, "%s", args);
        if (rc == want) {
            free(out);
            return;
        }
        usleep(200 * 1000);
    }
    fail_msg("`concord %s` exited %d, not %d: %s", args, rc, want, out);
}

/* Replaces the first line starting with key in path by line. */
static void s_set_line(const char *path, const char *key, const char *line)
{
    char *text = fed_slurp(path);
    assert_non_null(text);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    int done = 0;
    for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
        if (!done && strncmp(l, key, strlen(key)) == 0) {
            fprintf(fp, "%s\n", line);
            done = 1;
        } else {
            fprintf(fp, "%s\n", l);
        }
    }
    if (!done) {
        fprintf(fp, "%s\n", line);
    }
    fclose(fp);
    free(text);
}

static void test_it_daemon_ops_status_exit_codes(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(fed_cli(&s_fed, 0, &out, "status"), 0);
    free(out);
    assert_int_equal(fed_cli(&s_fed, 0, &out, "broker status"), 0);
    free(out);
    assert_int_equal(fed_cli(&s_fed, 0, &out, "--json broker status"), 0);
    if (!strstr(out, "\"serving\":\"SERVING\"")) {
        fail_msg("--json broker status: %s", out);
    }
    free(out);
    /* --json --count 2: one document, an array of both round trips. */
    assert_int_equal(fed_cli(&s_fed, 0, &out, "--json ping %s --count 2", s_fed.codes[1]), 0);
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    if (!doc || !json_is_array(doc) || json_array_size(doc) != 2) {
        fail_msg("ping --count 2 --json printed: %s", out);
    }
    json_decref(doc);
    free(out);
    /* The broker goes: the nodes answer, but are not connected. */
    assert_int_equal(fed_stop_broker(&s_fed, SIGTERM), 0);
    s_until_rc(0, 3, "status");
    assert_int_equal(fed_cli(&s_fed, 0, &out, "status"), 3);
    assert_non_null(strstr(out, "not connected to the broker"));
    free(out);
    assert_int_equal(fed_cli(&s_fed, 0, &out, "broker status --timeout 500"), 3);
    free(out);
    /* It comes back: healthy again. */
    fed_start_broker(&s_fed);
    fed_wait_connected(&s_fed, 0);
    fed_wait_connected(&s_fed, 1);
    s_until_rc(0, 0, "status");
    s_until_rc(0, 0, "broker status");
    /* A node that is not running: no answer. */
    assert_int_equal(fed_stop_node(&s_fed, 1, SIGTERM), 0);
    assert_int_equal(fed_cli(&s_fed, 1, &out, "status"), 4);
    assert_non_null(strstr(out, "is concordd running"));
    free(out);
    assert_int_equal(fed_cli(&s_fed, 1, &out, "broker status"), 4);
    free(out);
    assert_int_equal(fed_cli(&s_fed, 1, &out, "--json status"), 4);
    assert_non_null(strstr(out, "{\"error\":{\"code\":\"no-node\""));
    free(out);
    fed_start_node(&s_fed, 1);
    fed_wait_connected(&s_fed, 1);
}

static void test_it_daemon_ops_sighup_reloads(void **state)
{
    (void)state;
    char path[256], *out = NULL;
    assert_int_equal(fed_cli(&s_fed, 0, &out, "--json auto-vote"), 0);
    assert_non_null(strstr(out, "\"auto_vote\":false"));
    free(out);
    /* The config now says: log at warn, vote automatically, against acute. */
    snprintf(path, sizeof path, "%s/%s.ini", s_fed.dir, s_fed.codes[0]);
    s_set_line(path, "log_level", "log_level = warn");
    s_set_line(path, "auto_vote =", "auto_vote = true");
    s_set_line(path, "auto_vote_against_areas", "auto_vote_against_areas = acute");
    assert_int_equal(kill(s_fed.node_pid[0], SIGHUP), 0);
    assert_true(fed_wait_log(&s_fed, s_fed.codes[0], "SIGHUP: reloading", 10000));
    free(fed_cli_until(&s_fed, 0, "\"auto_vote\":true", 1, 10000, "--json auto-vote"));
    assert_int_equal(fed_cli(&s_fed, 0, &out, "--json auto-vote"), 0);
    assert_non_null(strstr(out, "\"against_areas\":\"acute\""));
    free(out);
    assert_true(fed_log_contains(&s_fed, s_fed.codes[0], "log level warn"));
    /* Still running and serving, not killed by the signal. */
    assert_int_equal(kill(s_fed.node_pid[0], 0), 0);
    assert_int_equal(fed_cli(&s_fed, 0, &out, "status"), 0);
    free(out);
    /* At warn, info lines are no longer logged: a ping's would be. */
    assert_int_equal(fed_cli(&s_fed, 0, &out, "ping %s", s_fed.codes[1]), 0);
    free(out);

    /* A config that no longer parses: the node says so and keeps going. */
    s_set_line(path, "auto_vote =", "auto_vote = maybe");
    assert_int_equal(kill(s_fed.node_pid[0], SIGHUP), 0);
    assert_true(fed_wait_log(&s_fed, s_fed.codes[0], "keeping the settings in force", 10000));
    /* (The CLI reads the same file: mend it to ask.) */
    s_set_line(path, "auto_vote =", "auto_vote = false");
    s_set_line(path, "log_level", "log_level = debug");
    if (fed_cli(&s_fed, 0, &out, "--json auto-vote") != 0) {
        fail_msg("auto-vote after a bad reload: %s", out);
    }
    assert_non_null(strstr(out, "\"auto_vote\":true"));
    free(out);

    /* The broker: its log level. */
    snprintf(path, sizeof path, "%s/broker.ini", s_fed.dir);
    s_set_line(path, "log_level", "log_level = info");
    assert_int_equal(kill(s_fed.broker_pid, SIGHUP), 0);
    assert_true(fed_wait_log(&s_fed, "broker", "SIGHUP: reloading", 10000));
    assert_true(fed_log_contains(&s_fed, "broker", "log level info"));
    assert_int_equal(kill(s_fed.broker_pid, 0), 0);
    assert_int_equal(fed_cli(&s_fed, 0, &out, "broker status"), 0);
    free(out);
}

static void test_it_daemon_ops_sigusr1_reopens_log_file(void **state)
{
    (void)state;
    char bin[256], cfg[256], log[256], rotated[256], *text = NULL, *out = NULL;
    /* Node 1 again, logging to a file of its own. */
    assert_int_equal(fed_stop_node(&s_fed, 1, SIGTERM), 0);
    snprintf(bin, sizeof bin, "%s/concordd", CONCORD_BIN_DIR);
    snprintf(cfg, sizeof cfg, "%s/%s.ini", s_fed.dir, s_fed.codes[1]);
    snprintf(log, sizeof log, "%s/logs/node1-file.log", s_fed.dir);
    snprintf(rotated, sizeof rotated, "%s.1", log);
    char *argv[] = {bin, "--config", cfg, "--log-file", log, NULL};
    proc_spec_t spec = {.argv = argv, .log = NULL};
    s_fed.node_pid[1] = proc_spawn(&spec, NULL);
    assert_true(s_fed.node_pid[1] > 0);
    fed_wait_connected(&s_fed, 1);
    text = fed_slurp(log);
    assert_non_null(text);
    assert_non_null(strstr(text, "serving"));
    free(text);
    /* logrotate renames the file, then signals. */
    assert_int_equal(rename(log, rotated), 0);
    assert_int_equal(kill(s_fed.node_pid[1], SIGUSR1), 0);
    for (int tries = 0; tries < 100; tries++) {
        text = fed_slurp(log);
        if (text && strstr(text, "SIGUSR1: log file reopened")) {
            break;
        }
        free(text);
        text = NULL;
        usleep(100 * 1000);
    }
    assert_non_null(text);
    free(text);
    /* The new file gets what follows; the rotated one keeps the past. */
    assert_int_equal(fed_stop_node(&s_fed, 1, SIGTERM), 0);
    text = fed_slurp(log);
    assert_non_null(strstr(text, "stopping cleanly"));
    free(text);
    text = fed_slurp(rotated);
    assert_non_null(strstr(text, "serving"));
    assert_null(strstr(text, "stopping cleanly"));
    free(text);
    /* A log file that cannot be opened: exit 1 at once, saying why. */
    snprintf(log, sizeof log, "%s/no/such/dir/x.log", s_fed.dir);
    char *argv2[] = {bin, "--config", cfg, "--log-file", log, NULL};
    char errlog[256];
    snprintf(errlog, sizeof errlog, "%s/logs/badlog.log", s_fed.dir);
    proc_spec_t spec2 = {.argv = argv2, .log = errlog};
    pid_t pid = proc_spawn(&spec2, NULL);
    assert_int_equal(proc_wait(pid, 10000), 1);
    text = fed_slurp(errlog);
    assert_non_null(strstr(text, "cannot open log file"));
    free(text);
    fed_start_node(&s_fed, 1);
    fed_wait_connected(&s_fed, 1);
    assert_int_equal(fed_cli(&s_fed, 1, &out, "status"), 0);
    free(out);
}

/* fed_wait_log for a log file of any name under logs/. */
static void s_wait_log(const char *name, const char *needle)
{
    for (int tries = 0; tries < 200; tries++) {
        if (fed_log_contains(&s_fed, name, needle)) {
            return;
        }
        usleep(100 * 1000);
    }
    fail_msg("logs/%s.log never said '%s'", name, needle);
}

/* A second instance of one organisation (a cloned machine: the same keys
 * and config, its own ledger and control socket) connects while the first
 * is connected: the broker hands the delivery stream to the newer one and
 * says so in its log and to both; the first says DELIVERY_LOST in its log
 * and `status` (exit 3, not 0), and its health check is NOT_SERVING. Once
 * the clone is stopped, restarting the first gives it back everything. */
static void test_it_daemon_ops_second_instance_handed_over(void **state)
{
    (void)state;
    char cfg[256], clone[256], line[256], bin[256], log[256], *out = NULL;
    const char *dir = s_fed.dir, *code = s_fed.codes[1];
    snprintf(cfg, sizeof cfg, "%s/%s.ini", dir, code);
    snprintf(clone, sizeof clone, "%s/clone.ini", dir);
    char *text = fed_slurp(cfg);
    assert_non_null(text);
    FILE *fp = fopen(clone, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    free(text);
    snprintf(line, sizeof line, "ledger = data/%s-clone.db", code);
    s_set_line(clone, "ledger", line);
    snprintf(line, sizeof line, "control = run/%s-clone.sock", code);
    s_set_line(clone, "control", line);
    s_until_rc(1, 0, "status");
    snprintf(bin, sizeof bin, "%s/concordd", CONCORD_BIN_DIR);
    snprintf(log, sizeof log, "%s/logs/clone.log", dir);
    int members[2] = {0, 1};
    fed_board_create(&s_fed, "JCB", "majority", members, 2, 0);
    char *argv[] = {bin, "--config", clone, NULL};
    proc_spec_t spec = {.argv = argv, .log = log};
    pid_t pid = proc_spawn(&spec, NULL);
    assert_true(pid > 0);
    /* Broker, clone and original each say what happened. */
    char want[256];
    snprintf(want, sizeof want, "HANDED_OVER: a second live connection of %s said Hello", code);
    s_wait_log("broker", want);
    s_wait_log("clone", "HANDED_OVER: the broker moved");
    snprintf(want, sizeof want, "DELIVERY_LOST: the broker handed %s's deliveries", code);
    s_wait_log(code, want);
    /* The original: running and connected, but it says it receives nothing. */
    assert_int_equal(fed_cli(&s_fed, 1, &out, "status"), 3);
    assert_non_null(strstr(out, "DELIVERY_LOST"));
    assert_non_null(strstr(out, "deliveries     LOST"));
    free(out);
    assert_int_equal(fed_cli(&s_fed, 1, &out, "--json status"), 3);
    assert_non_null(strstr(out, "\"connected\":true"));
    assert_non_null(strstr(out, "\"delivery_lost\":true"));
    free(out);
    /* The clone holds the stream: it is healthy. */
    assert_int_equal(fed_cli(&s_fed, -1, &out, "--config %s --json status", clone), 0);
    assert_non_null(strstr(out, "\"delivery_lost\":false"));
    free(out);
    /* A proposal made meanwhile reaches the clone (an empty ledger: it
     * stores the proposal but cannot fold it), which acknowledges it. */
    char pid_[33], want_clone[300];
    assert_int_equal(fed_cli(&s_fed, 0, &out, "--json propose --board JCB --title 'Carers "
                                              "breaks' --area community --amount 1m"), 0);
    fed_json_id(out, pid_);
    free(out);
    snprintf(want_clone, sizeof want_clone, "--config %s ledger", clone);
    free(fed_cli_until(&s_fed, -1, "Board/Propose", 1, 30000, want_clone));
    /* Stop the clone, restart the original: it takes the stream back. */
    assert_int_equal(kill(pid, SIGTERM), 0);
    assert_int_equal(proc_wait(pid, 20000), 0);
    assert_int_equal(fed_stop_node(&s_fed, 1, SIGTERM), 0);
    fed_start_node(&s_fed, 1);
    fed_wait_connected(&s_fed, 1);
    s_until_rc(1, 0, "status");
    assert_int_equal(fed_cli(&s_fed, 0, &out, "ping %s", code), 0);
    free(out);
    /* What the clone acknowledged is not in the original's ledger: log
     * verify finds it, status reports it (exit 3), log fetch stores it,
     * proved against the broker's signed tree, and the proposal appears. */
    assert_int_equal(fed_cli(&s_fed, 1, &out, "--json proposal list"), 0);
    assert_null(strstr(out, pid_));
    free(out);
    assert_int_equal(fed_cli(&s_fed, 1, &out, "log verify"), 0);
    if (!strstr(out, "MISSING: ") || !strstr(out, "run `concord log fetch`")) {
        fail_msg("log verify does not report the missing entries: %s", out);
    }
    free(out);
    assert_int_equal(fed_cli(&s_fed, 1, &out, "status"), 3);
    assert_non_null(strstr(out, "log entries for this node are not in its ledger"));
    free(out);
    assert_int_equal(fed_cli(&s_fed, 1, &out, "--json log fetch"), 0);
    assert_null(strstr(out, "\"fetched\":0"));
    free(out);
    free(fed_cli_until(&s_fed, 1, pid_, 1, 10000, "--json proposal list"));
    s_until_rc(1, 0, "status");
    assert_int_equal(fed_cli(&s_fed, 1, &out, "--json log verify"), 0);
    assert_non_null(strstr(out, "\"missing\":0"));
    free(out);
    /* The original goes on: it votes on the proposal it fetched. */
    assert_int_equal(fed_cli(&s_fed, 1, &out, "vote %s for", pid_), 0);
    free(out);
}

/* The mode of path (permission bits), or -1 if it does not exist. */
static int s_mode_of(const char *dir, const char *sub, const char *name, const char *suffix)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s/%s%s", dir, sub, name, suffix);
    return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/* Started with umask 000, the broker and a node still create their
 * databases, WAL files and log files 0600; each holds a lock on its
 * database, so a second broker or node on the same one refuses to start
 * with DATABASE_IN_USE naming the first one's pid, and changes nothing. */
static void test_it_daemon_ops_files_private_and_locked(void **state)
{
    (void)state;
    char bin[256], cfg[256], log[256], errlog[256], *text = NULL, *out = NULL;
    const char *dir = s_fed.dir, *code = s_fed.codes[1];
    assert_int_equal(fed_stop_node(&s_fed, 1, SIGTERM), 0);
    assert_int_equal(fed_stop_broker(&s_fed, SIGTERM), 0);
    /* Under umask 000, with the stores left readable by all (0644) and
     * their lock files gone: the daemons take group and other access away
     * and create their WAL, lock and log files 0600. */
    char path[512];
    snprintf(cfg, sizeof cfg, "%s/%s.ini", dir, code);
    char node_db[64];
    snprintf(node_db, sizeof node_db, "%s.db", code);
    const char *names[] = {"broker.db", node_db};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/data/%s", dir, names[i]);
        assert_int_equal(chmod(path, 0644), 0);
        snprintf(path, sizeof path, "%s/data/%s.lock", dir, names[i]);
        unlink(path);
        snprintf(path, sizeof path, "%s/data/%s-wal", dir, names[i]);
        unlink(path); /* a clean stop checkpointed it */
        snprintf(path, sizeof path, "%s/data/%s-shm", dir, names[i]);
        unlink(path);
    }
    mode_t old = umask(0);
    fed_start_broker(&s_fed);
    snprintf(bin, sizeof bin, "%s/concordd", CONCORD_BIN_DIR);
    snprintf(log, sizeof log, "%s/logs/%s-umask.log", dir, code);
    char *argv[] = {bin, "--config", cfg, "--log-file", log, NULL};
    proc_spec_t spec = {.argv = argv, .log = NULL};
    s_fed.node_pid[1] = proc_spawn(&spec, NULL);
    umask(old);
    assert_true(s_fed.node_pid[1] > 0);
    fed_wait_connected(&s_fed, 1);
    fed_wait_connected(&s_fed, 0);
    assert_int_equal(fed_cli(&s_fed, 0, &out, "ping %s", code), 0);
    free(out);
    assert_int_equal(s_mode_of(dir, "data", node_db, ""), 0600);
    assert_int_equal(s_mode_of(dir, "data", node_db, "-wal"), 0600);
    assert_int_equal(s_mode_of(dir, "data", node_db, ".lock"), 0600);
    assert_int_equal(s_mode_of(dir, "logs", code, "-umask.log"), 0600);
    assert_int_equal(s_mode_of(dir, "data", "broker.db", ""), 0600);
    assert_int_equal(s_mode_of(dir, "data", "broker.db", "-wal"), 0600);
    assert_int_equal(s_mode_of(dir, "data", "broker.db", ".lock"), 0600);

    /* A second concordd on the node's ledger: refused, naming the first. */
    assert_int_equal(fed_cli(&s_fed, 1, &out, "--json status"), 0);
    const char *entries = strstr(out, "\"ledger_entries\":");
    assert_non_null(entries);
    char before[64];
    snprintf(before, sizeof before, "%.*s", (int)strcspn(entries, ",}"), entries);
    free(out);
    snprintf(errlog, sizeof errlog, "%s/logs/second-node.log", dir);
    char *argv2[] = {bin, "--config", cfg, NULL};
    proc_spec_t spec2 = {.argv = argv2, .log = errlog};
    pid_t pid = proc_spawn(&spec2, NULL);
    assert_int_equal(proc_wait(pid, 10000), 1);
    text = fed_slurp(errlog);
    assert_non_null(text);
    char want[256];
    snprintf(want, sizeof want, "DATABASE_IN_USE: ledger %s/data/%s.db is in use by another"
                                " process (pid %d,", dir, code, (int)s_fed.node_pid[1]);
    if (!strstr(text, want)) {
        fail_msg("the second node did not say '%s': %s", want, text);
    }
    free(text);
    /* The first is untouched: still serving, the same ledger. */
    assert_int_equal(fed_cli(&s_fed, 1, &out, "--json status"), 0);
    assert_non_null(strstr(out, before));
    assert_non_null(strstr(out, "\"serving\":true"));
    free(out);

    /* A second concord-broker on the broker's database: likewise. */
    char bbin[256], bcfg[256];
    snprintf(bbin, sizeof bbin, "%s/concord-broker", CONCORD_BIN_DIR);
    snprintf(bcfg, sizeof bcfg, "%s/broker.ini", dir);
    snprintf(errlog, sizeof errlog, "%s/logs/second-broker.log", dir);
    char *argv3[] = {bbin, "--config", bcfg, NULL};
    proc_spec_t spec3 = {.argv = argv3, .log = errlog};
    pid = proc_spawn(&spec3, NULL);
    assert_int_equal(proc_wait(pid, 10000), 1);
    text = fed_slurp(errlog);
    assert_non_null(text);
    snprintf(want, sizeof want, "DATABASE_IN_USE: broker database %s/data/broker.db is in use"
                                " by another process (pid %d,", dir, (int)s_fed.broker_pid);
    if (!strstr(text, want)) {
        fail_msg("the second broker did not say '%s': %s", want, text);
    }
    free(text);
    assert_int_equal(fed_cli(&s_fed, 0, &out, "ping %s", code), 0);
    free(out);
}

static void test_it_daemon_ops_control_socket_group(void **state)
{
    (void)state;
    char path[256], sock[256], *out = NULL;
    struct stat st;
    snprintf(sock, sizeof sock, "%s/run/%s.sock", s_fed.dir, s_fed.codes[0]);
    /* By default the service user's alone. */
    assert_int_equal(stat(sock, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* control_group: 0660 and that group's (daemon: gid 1 on Debian). */
    snprintf(path, sizeof path, "%s/%s.ini", s_fed.dir, s_fed.codes[0]);
    assert_int_equal(fed_stop_node(&s_fed, 0, SIGTERM), 0);
    s_set_line(path, "control_group", "control_group = daemon");
    fed_start_node(&s_fed, 0);
    fed_wait_connected(&s_fed, 0);
    assert_int_equal(stat(sock, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0660);
    assert_int_equal(st.st_gid, 1);
    assert_int_equal(fed_cli(&s_fed, 0, &out, "status"), 0);
    free(out);
    /* A group that does not exist: the node refuses to start, naming it. */
    assert_int_equal(fed_stop_node(&s_fed, 0, SIGTERM), 0);
    s_set_line(path, "control_group", "control_group = no-such-group-here");
    fed_start_node(&s_fed, 0);
    assert_int_equal(proc_wait(s_fed.node_pid[0], 10000), 1);
    s_fed.node_pid[0] = 0;
    assert_true(fed_log_contains(&s_fed, s_fed.codes[0],
                                 "control_group 'no-such-group-here': no such group"));
    s_set_line(path, "control_group", "; no control_group");
    fed_start_node(&s_fed, 0);
    fed_wait_connected(&s_fed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_daemon_ops_status_exit_codes),
        cmocka_unit_test(test_it_daemon_ops_sighup_reloads),
        cmocka_unit_test(test_it_daemon_ops_sigusr1_reopens_log_file),
        cmocka_unit_test(test_it_daemon_ops_control_socket_group),
        cmocka_unit_test(test_it_daemon_ops_second_instance_handed_over),
        cmocka_unit_test(test_it_daemon_ops_files_private_and_locked),
    };
    return cmocka_run_group_tests(tests, s_setup, fed_teardown);
}
