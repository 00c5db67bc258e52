/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the dashboard's settings (dashboard_check): off by
 * default, a loopback address alone is enough, any other address needs
 * TLS and an access token (DASHBOARD_NEEDS_TLS_AND_TOKEN), and bad
 * addresses, ports and token files are refused by name. The pages
 * themselves are served to a real browser in tests/integration/
 * it_dashboard.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "dashboard.h"

static char s_dir[] = "/tmp/concord-dash-XXXXXX";

static void s_file(char *path, size_t size, const char *name, const char *text)
{
    snprintf(path, size, "%s/%s", s_dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static int s_check(const config_node_t *cfg, cc_err_t *err)
{
    memset(err, 0, sizeof *err);
    return dashboard_check(cfg, err);
}

static void test_off_and_loopback(void **state)
{
    (void)state;
    config_node_t cfg;
    cc_err_t err;
    memset(&cfg, 0, sizeof cfg);
    assert_int_equal(s_check(&cfg, &err), 0);
    snprintf(cfg.dashboard, sizeof cfg.dashboard, "127.0.0.1:8470");
    assert_int_equal(s_check(&cfg, &err), 0);
    snprintf(cfg.dashboard, sizeof cfg.dashboard, "127.1.2.3:1");
    assert_int_equal(s_check(&cfg, &err), 0);
    snprintf(cfg.dashboard, sizeof cfg.dashboard, "[::1]:8470");
    assert_int_equal(s_check(&cfg, &err), 0);
}

static void test_exposed_needs_tls_and_token(void **state)
{
    (void)state;
    static const char *const exposed[] = {"0.0.0.0:8470", "192.168.1.20:8470", "[::]:8470",
                                          "[2001:db8::1]:443"};
    config_node_t cfg;
    cc_err_t err;
    char token[512];
    for (size_t i = 0; i < sizeof exposed / sizeof exposed[0]; i++) {
        memset(&cfg, 0, sizeof cfg);
        snprintf(cfg.dashboard, sizeof cfg.dashboard, "%s", exposed[i]);
        assert_int_equal(s_check(&cfg, &err), -1);
        assert_int_equal(err.code, CC_FAILED_PRECONDITION);
        assert_non_null(strstr(err.msg, "DASHBOARD_NEEDS_TLS_AND_TOKEN"));
        assert_non_null(strstr(err.msg, "missing: dashboard_cert dashboard_key dashboard_token"));
    }
    /* TLS without a token is still refused, naming what is missing. */
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.dashboard, sizeof cfg.dashboard, "0.0.0.0:8470");
    snprintf(cfg.dashboard_cert, sizeof cfg.dashboard_cert, "/etc/concord/dash.crt");
    snprintf(cfg.dashboard_key, sizeof cfg.dashboard_key, "/etc/concord/dash.key");
    assert_int_equal(s_check(&cfg, &err), -1);
    assert_non_null(strstr(err.msg, "(missing: dashboard_token)"));
    /* With all three (and a good token file) it is allowed. */
    s_file(token, sizeof token, "good.token", "  0123456789abcdef0123  \nsecond line\n");
    snprintf(cfg.dashboard_token, sizeof cfg.dashboard_token, "%s", token);
    assert_int_equal(s_check(&cfg, &err), 0);
}

static void test_bad_settings_named(void **state)
{
    (void)state;
    static const struct {
        const char *addr, *says;
    } bad[] = {
        {"8470", "expected an address and a port"},
        {"127.0.0.1:", "expected an address and a port"},
        {"127.0.0.1:0", "bad port '0'"},
        {"127.0.0.1:70000", "bad port '70000'"},
        {"127.0.0.1:80x", "bad port '80x'"},
        {"localhost:8470", "'localhost' is not a numeric IPv4 or IPv6 address"},
    };
    config_node_t cfg;
    cc_err_t err;
    char path[512];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&cfg, 0, sizeof cfg);
        snprintf(cfg.dashboard, sizeof cfg.dashboard, "%s", bad[i].addr);
        assert_int_equal(s_check(&cfg, &err), -1);
        assert_int_equal(err.code, CC_INVALID_ARGUMENT);
        if (!strstr(err.msg, bad[i].says)) {
            fail_msg("%s: expected '%s' in '%s'", bad[i].addr, bad[i].says, err.msg);
        }
    }
    /* A certificate without its key. */
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.dashboard, sizeof cfg.dashboard, "127.0.0.1:8470");
    snprintf(cfg.dashboard_cert, sizeof cfg.dashboard_cert, "dash.crt");
    assert_int_equal(s_check(&cfg, &err), -1);
    assert_non_null(strstr(err.msg, "dashboard_cert and dashboard_key go together"));
    /* Token files: too short, with a space, missing. */
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.dashboard, sizeof cfg.dashboard, "127.0.0.1:8470");
    s_file(path, sizeof path, "short.token", "tooshort\n");
    snprintf(cfg.dashboard_token, sizeof cfg.dashboard_token, "%s", path);
    assert_int_equal(s_check(&cfg, &err), -1);
    assert_non_null(strstr(err.msg, "at least 16 printable characters"));
    s_file(path, sizeof path, "space.token", "0123456789 abcdef0123\n");
    snprintf(cfg.dashboard_token, sizeof cfg.dashboard_token, "%s", path);
    assert_int_equal(s_check(&cfg, &err), -1);
    snprintf(cfg.dashboard_token, sizeof cfg.dashboard_token, "%s/none.token", s_dir);
    assert_int_equal(s_check(&cfg, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_non_null(strstr(err.msg, "dashboard_token"));
}

/* The config file's keys reach the settings (relative paths resolved). */
static void test_config_keys(void **state)
{
    (void)state;
    char path[512];
    config_node_t cfg;
    cc_err_t err;
    s_file(path, sizeof path, "node.ini",
           "[node]\ncode = E06000026\nkey = k.key\nroster = roster.bin\n"
           "broker = tcp://127.0.0.1:7400\nledger = n.db\ncontrol = n.sock\n"
           "dashboard = 0.0.0.0:8470\ndashboard_cert = d.crt\ndashboard_key = d.pem\n"
           "dashboard_token = d.token\n");
    assert_int_equal(config_load_node(path, &cfg, &err), 0);
    assert_string_equal(cfg.dashboard, "0.0.0.0:8470");
    char want[4200];
    char real[4096];
    assert_non_null(realpath(s_dir, real));
    snprintf(want, sizeof want, "%s/d.token", real);
    assert_string_equal(cfg.dashboard_token, want);
    snprintf(want, sizeof want, "%s/d.crt", real);
    assert_string_equal(cfg.dashboard_cert, want);
    /* Unset: off. */
    s_file(path, sizeof path, "plain.ini",
           "[node]\ncode = E06000026\nkey = k.key\nroster = roster.bin\n"
           "broker = tcp://127.0.0.1:7400\nledger = n.db\ncontrol = n.sock\n");
    assert_int_equal(config_load_node(path, &cfg, &err), 0);
    assert_string_equal(cfg.dashboard, "");
}

static int s_setup(void **state)
{
    (void)state;
    return mkdtemp(s_dir) ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_and_loopback),
        cmocka_unit_test(test_exposed_needs_tls_and_token),
        cmocka_unit_test(test_bad_settings_named),
        cmocka_unit_test(test_config_keys),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
