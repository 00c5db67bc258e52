/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for config: broker and node INI files. */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char s_dir[PATH_MAX]; /* realpath of the temporary directory */

static int s_setup(void **state)
{
    const char *tmp = getenv("TMPDIR");
    char t[512];
    char sub[PATH_MAX + 8];

    (void)state;
    snprintf(t, sizeof t, "%s/test_config.XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(t) == NULL || realpath(t, s_dir) == NULL) {
        return -1;
    }
    snprintf(sub, sizeof sub, "%s/etc", s_dir);
    return mkdir(sub, 0700);
}

static int s_teardown(void **state)
{
    static const char *const sub[] = {"etc", "."};
    char p[PATH_MAX * 2];
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        char d[PATH_MAX + 8];
        DIR *dir;
        struct dirent *de;
        snprintf(d, sizeof d, "%s/%s", s_dir, sub[i]);
        dir = opendir(d);
        while (dir != NULL && (de = readdir(dir)) != NULL) {
            if (de->d_name[0] != '.') {
                snprintf(p, sizeof p, "%s/%s", d, de->d_name);
                unlink(p);
            }
        }
        if (dir != NULL) {
            closedir(dir);
        }
    }
    snprintf(p, sizeof p, "%s/etc", s_dir);
    rmdir(p);
    rmdir(s_dir);
    return 0;
}

/* Writes text to <dir>/<name> and returns the path (static storage). */
static const char *s_ini(const char *name, const char *text)
{
    static char path[PATH_MAX * 2];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", s_dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static const char s_broker_ok[] = "; the broker\n"
                                  "[broker]\n"
                                  "listen = tcp://127.0.0.1:7400\n"
                                  "key = broker.key\n"
                                  "roster = /etc/concord/roster.bin\n"
                                  "data = state/broker.db\n"
                                  "log_level = debug\n"
                                  "mailbox_window = 128\n"
                                  "fsync = false\n"
                                  "quota_bytes_per_minute = 0\n"
                                  "quota_vote_bytes = 2048\n";

static const char s_node_ok[] = "[node]\n"
                                "code = E38000217\n"
                                "key = E38000217.key\n"
                                "roster = ../roster.bin\n"
                                "broker = tcp://127.0.0.1:7400\n"
                                "ledger = E38000217.db\n"
                                "control = E38000217.sock\n";

static void s_expect(const char *text, int node, cc_code_t code, const char *a, const char *b)
{
    config_broker_t bc;
    config_node_t nc;
    cc_err_t err;
    const char *path = s_ini(node ? "node.ini" : "broker.ini", text);
    int rc = node ? config_load_node(path, &nc, &err) : config_load_broker(path, &bc, &err);

    assert_int_equal(rc, -1);
    assert_int_equal(err.code, code);
    if (strstr(err.msg, a) == NULL || (b != NULL && strstr(err.msg, b) == NULL)) {
        fail_msg("expected '%s' and '%s' in '%s'", a, b != NULL ? b : "", err.msg);
    }
}

static void test_config_broker_valid(void **state)
{
    config_broker_t c;
    cc_err_t err;
    char want[PATH_MAX * 2];

    (void)state;
    assert_int_equal(config_load_broker(s_ini("broker.ini", s_broker_ok), &c, &err), 0);
    assert_string_equal(c.listen, "tcp://127.0.0.1:7400");
    snprintf(want, sizeof want, "%s/broker.key", s_dir);
    assert_string_equal(c.key, want);
    assert_string_equal(c.roster, "/etc/concord/roster.bin");
    snprintf(want, sizeof want, "%s/state/broker.db", s_dir);
    assert_string_equal(c.data, want);
    assert_int_equal(c.log_level, LOG_LVL_DEBUG);
    assert_int_equal(c.mailbox_window, 128);
    assert_int_equal(c.fsync, 0);
    assert_int_equal(c.quota_bytes_per_minute, 0); /* 0: no limit */
    assert_int_equal(c.quota_vote_bytes, 2048);
    assert_int_equal(c.quota_event_bytes, 131072);
}

static void test_config_broker_defaults(void **state)
{
    config_broker_t c;
    cc_err_t err;

    (void)state;
    assert_int_equal(config_load_broker(s_ini("broker.ini", "[broker]\nlisten=tcp://*:1\n"
                                                            "key=k\nroster=r\ndata=d\n"),
                                        &c, &err),
                     0);
    assert_int_equal(c.log_level, LOG_LVL_INFO);
    assert_int_equal(c.mailbox_window, 64);
    assert_int_equal(c.fsync, 1);
    assert_int_equal(c.send_hwm, 256);
    assert_int_equal(c.recv_hwm, 256);
    assert_int_equal(c.direct_per_batch, 4);
    assert_int_equal(c.handshake_ms, 5000);
    assert_int_equal(c.clock_jump_max_ms, 3600000);
    assert_int_equal(c.clock_ahead_max_ms, 604800000);
    assert_int_equal(c.clock_override, 0);
    assert_int_equal(c.disk_reserve_mb, 64);
    assert_int_equal(c.sequence_step_max, 1000000);
    assert_int_equal(c.unauthenticated_max, 256);
    assert_int_equal(c.unauthenticated_per_address, 32);
    /* Per-member quotas are on unless switched off (docs/OPERATIONS.md). */
    assert_int_equal(c.quota_envelopes_per_second, 50);
    assert_int_equal(c.quota_bytes_per_second, 1048576);
    assert_int_equal(c.quota_envelopes_per_minute, 1200);
    assert_int_equal(c.quota_bytes_per_minute, 8388608);
    assert_int_equal(c.quota_envelopes_per_day, 200000);
    assert_int_equal(c.quota_bytes_per_day, 268435456);
    assert_int_equal(c.quota_event_bytes, 131072);
    assert_int_equal(c.quota_vote_bytes, 4096);
}

static void test_config_node_several_brokers(void **state)
{
    config_node_t c;
    cc_err_t err;
    char brokers[CONFIG_BROKERS_MAX][CONFIG_BROKER_ADDR];
    (void)state;
    assert_int_equal(config_load_node(s_ini("node.ini", "[node]\ncode = E38000217\n"
                                                        "key = k\nroster = r\n"
                                                        "broker = tcp://a.example:7400 "
                                                        "tcp://b.example:7400\n"
                                                        "ledger = l\ncontrol = c\n"),
                                      &c, &err),
                     0);
    assert_int_equal(config_brokers(c.broker, brokers, &err), 2);
    assert_string_equal(brokers[0], "tcp://a.example:7400");
    assert_string_equal(brokers[1], "tcp://b.example:7400");
    assert_int_equal(config_brokers(" tcp://a:1,tcp://b:2 ,ipc:///run/x ", brokers, &err), 3);
    assert_string_equal(brokers[2], "ipc:///run/x");
}

static void test_config_node_valid_relative_paths(void **state)
{
    config_node_t c;
    cc_err_t err;
    char want[PATH_MAX * 2];

    (void)state;
    /* The file lives in etc/; relative paths resolve against etc/, not
     * the working directory. */
    assert_int_equal(config_load_node(s_ini("etc/node.ini", s_node_ok), &c, &err), 0);
    assert_string_equal(c.code, "E38000217");
    snprintf(want, sizeof want, "%s/etc/E38000217.key", s_dir);
    assert_string_equal(c.key, want);
    snprintf(want, sizeof want, "%s/etc/../roster.bin", s_dir);
    assert_string_equal(c.roster, want);
    assert_string_equal(c.broker, "tcp://127.0.0.1:7400");
    snprintf(want, sizeof want, "%s/etc/E38000217.sock", s_dir);
    assert_string_equal(c.control, want);
    assert_int_equal(c.call_timeout_ms, 10000);
    assert_int_equal(c.log_level, LOG_LVL_INFO);
    assert_int_equal(c.fsync, 1);
}

static void test_config_unknown_key_names_file_line(void **state)
{
    (void)state;
    s_expect("[node]\ncode = E38000217\n\nbrokr = tcp://x:1\n", 1, CC_INVALID_ARGUMENT,
             "node.ini:4:", "'brokr'");
    s_expect("[nodes]\ncode = E38000217\n", 1, CC_INVALID_ARGUMENT, "node.ini:2:", "[nodes]");
    s_expect("code = E38000217\n[node]\n", 1, CC_INVALID_ARGUMENT, "node.ini:1:", "'code'");
    s_expect("[broker]\nlisten = a\nlisten = b\n", 0, CC_INVALID_ARGUMENT,
             "broker.ini:3:", "twice");
    s_expect("[broker]\nkey =\n", 0, CC_INVALID_ARGUMENT, "broker.ini:2:", "empty");
    s_expect("[broker]\n# comment\nthis line has no equals sign\n", 0, CC_INVALID_ARGUMENT,
             "broker.ini:3:", "syntax");
    s_expect("[broker\n", 0, CC_INVALID_ARGUMENT, "broker.ini:1:", NULL);
    s_expect("[node extra]\ncode = E38000217\n", 1, CC_INVALID_ARGUMENT, "node.ini:2:",
             "[node extra]");
}

/* store names a PostgreSQL database instead of the SQLite file data:
 * exactly one of the two. */
static void test_config_broker_store(void **state)
{
    config_broker_t c;
    cc_err_t err;
    static const char base[] = "[broker]\nlisten=tcp://*:1\nkey=k\nroster=r\n";
    char text[512];

    (void)state;
    snprintf(text, sizeof text, "%sstore = postgresql://concord@db.example/concord\n", base);
    assert_int_equal(config_load_broker(s_ini("broker.ini", text), &c, &err), 0);
    assert_string_equal(c.store, "postgresql://concord@db.example/concord");
    assert_string_equal(c.data, "");
    snprintf(text, sizeof text, "%sstore = broker.db\n", base);
    s_expect(text, 0, CC_INVALID_ARGUMENT, "PostgreSQL URI", "data");
    snprintf(text, sizeof text, "%sstore = postgres://h/db\ndata = broker.db\n", base);
    s_expect(text, 0, CC_INVALID_ARGUMENT, "data", "not both");
    s_expect(base, 0, CC_INVALID_ARGUMENT, "store", "neither");
}

static void test_config_missing_required_key_named(void **state)
{
    char text[1024];

    (void)state;
    snprintf(text, sizeof text, "%s", s_node_ok);
    *strstr(text, "ledger") = '#';
    s_expect(text, 1, CC_INVALID_ARGUMENT, "'ledger'", "missing");
    s_expect("", 0, CC_INVALID_ARGUMENT, "'listen'", "missing");
}

static void test_config_bad_values(void **state)
{
    char text[2048];

    (void)state;
    s_expect("[broker]\nlog_level = loud\n", 0, CC_INVALID_ARGUMENT, "broker.ini:2:", "loud");
    s_expect("[broker]\nmailbox_window = abc\n", 0, CC_INVALID_ARGUMENT,
             "broker.ini:2:", "mailbox_window");
    s_expect("[broker]\nmailbox_window = 0\n", 0, CC_INVALID_ARGUMENT, ":2:", "1..4096");
    s_expect("[broker]\nmailbox_window = 4097\n", 0, CC_INVALID_ARGUMENT, ":2:", NULL);
    s_expect("[broker]\nmailbox_window = -1\n", 0, CC_INVALID_ARGUMENT, ":2:", NULL);
    s_expect("[broker]\nmailbox_window = 99999999999999999999999\n", 0, CC_INVALID_ARGUMENT,
             ":2:", NULL);
    s_expect("[broker]\nmailbox_window = 12x\n", 0, CC_INVALID_ARGUMENT, ":2:", NULL);
    s_expect("[broker]\nsend_hwm = 15\n", 0, CC_INVALID_ARGUMENT, ":2:", "send_hwm");
    s_expect("[broker]\nquota_bytes_per_day = 4294967296\n", 0, CC_INVALID_ARGUMENT, ":2:",
             "quota_bytes_per_day");
    s_expect("[broker]\nfsync = maybe\n", 0, CC_INVALID_ARGUMENT, ":2:", "fsync");
    s_expect("[node]\ncall_timeout_ms = 86400001\n", 1, CC_INVALID_ARGUMENT, ":2:", NULL);
    s_expect("[node]\ncode = e38000217\n", 1, CC_INVALID_ARGUMENT, ":2:", "code");
    /* Brokers: at most eight, each a tcp:// or ipc:// address. */
    snprintf(text, sizeof text, "%s", s_node_ok);
    char *line = strstr(text, "broker = tcp://127.0.0.1:7400\n");
    snprintf(line, sizeof text - (size_t)(line - text),
             "broker = tcp://a:7400 tcp://b:7400 tcp://c:7400 tcp://d:7400 tcp://e:7400 "
             "tcp://f:7400 tcp://g:7400 tcp://h:7400 tcp://i:7400\nledger = x.db\n"
             "control = x.sock\n");
    s_expect(text, 1, CC_INVALID_ARGUMENT, "node.ini: [node] broker names more than 8",
             "standbys");
    snprintf(line, sizeof text - (size_t)(line - text),
             "broker = tcp://a:7400, 127.0.0.1:7400\nledger = x.db\ncontrol = x.sock\n");
    s_expect(text, 1, CC_INVALID_ARGUMENT, "address '127.0.0.1:7400' is not tcp://HOST:PORT",
             NULL);
    snprintf(line, sizeof text - (size_t)(line - text),
             "broker = ,\nledger = x.db\ncontrol = x.sock\n");
    s_expect(text, 1, CC_INVALID_ARGUMENT, "broker names no broker address", NULL);
    memset(text, 'a', sizeof text);
    memcpy(text, "[broker]\nkey = ", 15);
    memcpy(text + sizeof text - 2, "\n", 2);
    s_expect(text, 0, CC_INVALID_ARGUMENT, "broker.ini:2:", "long");
}

static void test_config_missing_file(void **state)
{
    config_node_t c;
    cc_err_t err;
    char path[PATH_MAX * 2];

    (void)state;
    snprintf(path, sizeof path, "%s/absent.ini", s_dir);
    assert_int_equal(config_load_node(path, &c, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_non_null(strstr(err.msg, "absent.ini"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_broker_valid),
        cmocka_unit_test(test_config_broker_defaults),
        cmocka_unit_test(test_config_node_valid_relative_paths),
        cmocka_unit_test(test_config_node_several_brokers),
        cmocka_unit_test(test_config_unknown_key_names_file_line),
        cmocka_unit_test(test_config_broker_store),
        cmocka_unit_test(test_config_missing_required_key_named),
        cmocka_unit_test(test_config_bad_values),
        cmocka_unit_test(test_config_missing_file),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
