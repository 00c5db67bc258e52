/* SPDX-License-Identifier: Apache-2.0 */
/* Integration tests of `concord federation`: init writes the whole layout
 * (keys 0600 in a 0700 folder, a roster signed by every founder, configs
 * the daemons accept, a charter `board create --file` accepts), refuses
 * an existing federation and a bad area code leaving nothing behind; start
 * brings every node up with real processes, status and exec see them,
 * stop ends them. */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "roster.h"

static fed_t s_none; /* fed_cli with i < 0 needs no federation */

/* A fresh path under /tmp for a federation (not created). */
static void s_tmp(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/cc-fed-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(rmdir(dir), 0);
    fed_dir_track(dir);
}

static mode_t s_mode(const char *dir, const char *rel)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    if (stat(path, &st) != 0) {
        fail_msg("%s is missing", path);
    }
    return st.st_mode & 07777;
}

static void s_rm(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_it_federation_init_layout(void **state)
{
    char dir[64], path[512], *out = NULL;
    cc_err_t err;
    (void)state;
    s_tmp(dir, sizeof dir);
    int rc = fed_cli(&s_none, -1, &out, "federation init --out %s --county E10000006 --port %d",
                     dir, fed_free_port());
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "10 organisations, roster signed by all"));
    free(out);
    static const char *const files[] = {"federation.ini", "roster.bin",          "broker.ini",
                                        "board.ini",      "nodes/E10000006.ini", "nodes/X24.ini"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        assert_int_equal(s_mode(dir, files[i]), 0644);
    }
    assert_int_equal(s_mode(dir, "keys"), 0700);
    assert_int_equal(s_mode(dir, "keys/broker.key"), 0600);
    assert_int_equal(s_mode(dir, "keys/E07000026.key"), 0600);
    assert_int_equal(s_mode(dir, "keys/E07000026.pub"), 0644);
    assert_int_equal(s_mode(dir, "data"), 0700);
    assert_int_equal(s_mode(dir, "run"), 0755);
    assert_int_equal(s_mode(dir, "logs"), 0700);
    /* Every founder signed the genesis roster with its own key. */
    snprintf(path, sizeof path, "%s/roster.bin", dir);
    roster_t *r = roster_load(path, &err);
    assert_non_null(r);
    assert_int_equal(roster_count(r), 10);
    assert_int_equal(roster_verify(r, &err), 0);
    for (size_t i = 0; i < roster_count(r); i++) {
        roster_org_t o;
        roster_at(r, i, &o);
        assert_int_equal(roster_signature_state(r, o.code), 1);
    }
    roster_org_t carlisle;
    assert_int_equal(roster_lookup(r, "E07000028", &carlisle), 0);
    assert_string_equal(carlisle.name, "Carlisle");
    assert_string_equal(carlisle.kind, "COUNCIL_DISTRICT");
    roster_destroy(&r);
    snprintf(path, sizeof path, "%s/board.ini", dir);
    char *board = fed_slurp(path);
    assert_non_null(strstr(board, "id = HWB-E10000006\n"));
    assert_non_null(strstr(board, "member = E38000215:nhs\n"));
    assert_non_null(strstr(board, "member = E07000031:local-government\n"));
    free(board);
    /* An existing federation is refused and left as it was. */
    rc = fed_cli(&s_none, -1, &out, "federation init --out %s --area E47000001", dir);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "already holds a federation"));
    free(out);
    snprintf(path, sizeof path, "%s/roster.bin", dir);
    r = roster_load(path, &err);
    assert_non_null(r);
    assert_int_equal(roster_count(r), 10);
    roster_destroy(&r);
    s_rm(dir);
}

static void test_it_federation_init_refuses_bad_codes(void **state)
{
    char dir[64], *out = NULL;
    (void)state;
    s_tmp(dir, sizeof dir);
    int rc = fed_cli(&s_none, -1, &out, "federation init --out %s --area E47999999", dir);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "E47999999 is not a combined authority"));
    free(out);
    assert_int_equal(access(dir, F_OK), -1); /* nothing written */
    rc = fed_cli(&s_none, -1, &out, "federation init --out %s --county E38000217", dir);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "not an upper-tier council"));
    free(out);
    assert_int_equal(access(dir, F_OK), -1);
    rc = fed_cli(&s_none, -1, &out, "federation init --out %s --area E47000001 --stp E54000007",
                 dir);
    assert_int_equal(rc, 2);
    free(out);
    rc = fed_cli(&s_none, -1, &out, "federation init --out %s --england --port 70000", dir);
    assert_int_equal(rc, 2);
    free(out);
    rc = fed_cli(&s_none, -1, &out,
                 "federation init --out %s --england --name \"$(printf"
                 " 'a\\nb')\"",
                 dir);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "--name must be one line of text"));
    free(out);
    assert_int_equal(access(dir, F_OK), -1);
    /* No staging directory is left beside it either. */
    DIR *d = opendir("/tmp");
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, dir + 5, strlen(dir + 5)) == 0) {
            fail_msg("left behind: /tmp/%s", e->d_name);
        }
    }
    closedir(d);
}

static void test_it_federation_start_status_stop(void **state)
{
    char dir[64], *out = NULL;
    (void)state;
    s_tmp(dir, sizeof dir);
    assert_int_equal(fed_cli(&s_none, -1, NULL,
                             "federation init --out %s --county E10000006"
                             " --port %d",
                             dir, fed_free_port()),
                     0);
    int rc = fed_cli(&s_none, -1, &out, "federation start %s --parallel 4", dir);
    if (rc != 0) {
        fail_msg("start failed: %s", out);
    }
    assert_non_null(strstr(out, "healthy 10/10"));
    free(out);
    rc = fed_cli(&s_none, -1, &out, "federation status %s --json", dir);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "\"running\":11"));
    assert_non_null(strstr(out, "\"connected\":10"));
    free(out);
    /* Acting as one organisation through its own node. */
    rc = fed_cli(&s_none, -1, &out, "federation exec %s E07000028 -- ping E10000006", dir);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "reply from E10000006"));
    free(out);
    /* A node's automatic voting policy, changed while it runs. */
    rc = fed_cli(&s_none, -1, &out,
                 "federation exec %s X24 -- auto-vote on --against-above 1bn"
                 " --abstain primary-care",
                 dir);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "automatic voting  on"));
    assert_non_null(strstr(out, "against above     100000000000 pence"));
    assert_non_null(strstr(out, "abstain on        primary-care"));
    free(out);
    rc = fed_cli(&s_none, -1, &out, "federation exec %s X24 -- auto-vote --against surgery", dir);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "bad setting 'against_areas=surgery'"));
    free(out);
    rc = fed_cli(&s_none, -1, &out, "federation exec %s X24 -- auto-vote", dir);
    assert_non_null(strstr(out, "abstain on        primary-care")); /* unchanged */
    free(out);
    /* The charter file is what `board create --file` takes. */
    rc = fed_cli(&s_none, -1, &out,
                 "--config %s/nodes/E10000006.ini board create --file"
                 " %s/board.ini",
                 dir, dir);
    if (rc != 0) {
        fail_msg("board create --file: %s", out);
    }
    assert_non_null(strstr(out, "Adopt the charter of Cumbria Health and Wellbeing Board"));
    free(out);
    /* A bad charter file is refused, naming file and line. */
    char bad[128];
    snprintf(bad, sizeof bad, "%s/bad-board.ini", dir);
    FILE *fp = fopen(bad, "w");
    assert_non_null(fp);
    fputs("[board]\nid = HWB-X\nrul = unanimity\n", fp);
    fclose(fp);
    rc = fed_cli(&s_none, -1, &out, "federation exec %s X24 -- board create --file %s", dir, bad);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "bad-board.ini:3: unknown key 'rul' in [board]"));
    free(out);
    /* A second start finds everything running and starts nothing. */
    rc = fed_cli(&s_none, -1, &out, "federation start %s --json", dir);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "\"connected\":10"));
    free(out);
    rc = fed_cli(&s_none, -1, &out, "federation stop %s", dir);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "stopped 11 processes"));
    free(out);
    rc = fed_cli(&s_none, -1, &out, "federation status %s", dir);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "0 of 11 processes running"));
    free(out);
    s_rm(dir);
}

static void test_it_federation_start_names_a_failing_node(void **state)
{
    char dir[64], path[256], *out = NULL;
    (void)state;
    s_tmp(dir, sizeof dir);
    assert_int_equal(fed_cli(&s_none, -1, NULL,
                             "federation init --out %s --county E10000006"
                             " --port %d",
                             dir, fed_free_port()),
                     0);
    /* A key file others can read: the node refuses to start. */
    snprintf(path, sizeof path, "%s/keys/E07000029.key", dir);
    assert_int_equal(chmod(path, 0644), 0);
    int rc = fed_cli(&s_none, -1, &out, "federation start %s --timeout 60", dir);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "E07000029 exited"));
    assert_non_null(strstr(out, "readable or writable by group or others"));
    free(out);
    /* What that start began, it stopped again. */
    rc = fed_cli(&s_none, -1, &out, "federation status %s --json", dir);
    assert_non_null(strstr(out, "\"running\":0"));
    free(out);
    s_rm(dir);
}

static void test_it_federation_start_names_a_failing_broker(void **state)
{
    char dir[64], *out = NULL;
    (void)state;
    s_tmp(dir, sizeof dir);
    int port = fed_free_port();
    assert_int_equal(fed_cli(&s_none, -1, NULL,
                             "federation init --out %s --county E06000001"
                             " --port %d",
                             dir, port),
                     0);
    /* Someone else holds the broker's port: the broker cannot bind. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 1), 0);
    int rc = fed_cli(&s_none, -1, &out, "federation start %s", dir);
    close(fd);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "broker exited with status"));
    assert_non_null(strstr(out, "logs/broker.log"));
    free(out);
    rc = fed_cli(&s_none, -1, &out, "federation status %s --json", dir);
    assert_non_null(strstr(out, "\"running\":0"));
    free(out);
    s_rm(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_it_federation_init_layout, fed_dir_teardown),
        cmocka_unit_test_teardown(test_it_federation_init_refuses_bad_codes, fed_dir_teardown),
        cmocka_unit_test_teardown(test_it_federation_start_status_stop, fed_dir_teardown),
        cmocka_unit_test_teardown(test_it_federation_start_names_a_failing_node, fed_dir_teardown),
        cmocka_unit_test_teardown(test_it_federation_start_names_a_failing_broker,
                                  fed_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
