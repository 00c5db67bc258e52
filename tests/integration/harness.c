/* SPDX-License-Identifier: Apache-2.0 */
/* harness: real processes for integration tests. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <zmq.h>

#include "clock.h"
#include "proc.h"
#include "wire.h"

static const char *const s_codes[8] = {"E38000217", "E08000003", "X24",
                                             "E38000016", "E08000001", "E38000024",
                                             "E08000002", "E38000135"};
static const char *const s_names[8] = {
    "NHS Manchester CCG", "Manchester City Council", "NHS England", "NHS Bolton CCG",
    "Bolton Council",     "NHS Bury CCG",            "Bury Council", "NHS Oldham CCG"};

int fed_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void s_write(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

void fed_create(fed_t *f, int n)
{
    assert_true(n <= 8);
    fed_create_from(f, s_codes, s_names, n);
}

void fed_node_config_append(const fed_t *f, int i, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.ini", f->dir, f->codes[i]);
    FILE *fp = fopen(path, "a");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

void fed_broker_config_append(const fed_t *f, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/broker.ini", f->dir);
    FILE *fp = fopen(path, "a");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

void fed_node_config_replace(const fed_t *f, int i, const char *from, const char *to)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.ini", f->dir, f->codes[i]);
    char *text = fed_slurp(path);
    assert_non_null(text);
    char *at = strstr(text, from);
    assert_non_null(at);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    fclose(fp);
    free(text);
}

/* With CONCORD_TEST_STORE=postgresql (tests/support/pg_cluster.sh sets it
 * and the cluster's CONCORD_TEST_PG_*): a fresh database in that cluster for
 * this federation's broker, its "store = ..." line in line. Otherwise the
 * SQLite file data/broker.db. Returns 1 for PostgreSQL. */
static int s_broker_store(const fed_t *f, char *line, size_t size)
{
    const char *store = getenv("CONCORD_TEST_STORE");
    if (!store || strcmp(store, "postgresql") != 0) {
        snprintf(line, size, "data = data/broker.db\n");
        return 0;
    }
    const char *host = getenv("CONCORD_TEST_PG_HOST");
    const char *port = getenv("CONCORD_TEST_PG_PORT");
    const char *user = getenv("CONCORD_TEST_PG_USER");
    if (!host || !port || !user) {
        fail_msg("CONCORD_TEST_STORE=postgresql needs CONCORD_TEST_PG_HOST, _PORT and _USER "
                 "(run the test under tests/support/pg_cluster.sh)");
    }
    char db[64], conninfo[512], sql[128];
    snprintf(db, sizeof db, "concord_%s", strrchr(f->dir, '-') + 1);
    for (char *c = db; *c; c++) {
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    }
    snprintf(conninfo, sizeof conninfo, "host=%s port=%s user=%s dbname=postgres", host, port,
             user);
    PGconn *c = PQconnectdb(conninfo);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fail_msg("creating database %s: %s", db, PQerrorMessage(c));
    }
    PQclear(r);
    PQfinish(c);
    snprintf(line, size, "store = postgresql:///%s?host=%s&port=%s&user=%s\n", db, host, port,
             user);
    return 1;
}

void fed_create_from(fed_t *f, const char *const *codes, const char *const *names, int n)
{
    char path[256], text[1024];
    assert_true(n >= 2 && n <= FED_MAX);
    memset(f, 0, sizeof *f);
    assert_true(sodium_init() >= 0);
    snprintf(f->dir, sizeof f->dir, "/tmp/concord-it-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->n = n;
    f->port = fed_free_port();
    for (const char *sub = "keys\0data\0run\0logs\0"; *sub; sub += strlen(sub) + 1) {
        snprintf(path, sizeof path, "%s/%s", f->dir, sub);
        assert_int_equal(mkdir(path, 0700), 0);
    }
    assert_int_equal(fed_cli(f, -1, NULL, "keygen --broker --out %s/keys", f->dir), 0);
    char pubs[FED_MAX * 160] = "";
    for (int i = 0; i < n; i++) {
        snprintf(f->codes[i], sizeof f->codes[i], "%s", codes[i]);
        assert_int_equal(fed_cli(f, -1, NULL, "keygen --code %s --name '%s' --out %s/keys",
                                 codes[i], names[i], f->dir),
                         0);
        size_t used = strlen(pubs);
        snprintf(pubs + used, sizeof pubs - used, " %s/keys/%s.pub", f->dir, codes[i]);
    }
    assert_int_equal(fed_cli(f, -1, NULL,
                             "roster init --federation 'Integration test' --broker "
                             "%s/keys/broker.pub --out %s/roster.bin%s",
                             f->dir, f->dir, pubs),
                     0);
    for (int i = 0; i < n; i++) {
        assert_int_equal(fed_cli(f, -1, NULL, "roster sign --roster %s/roster.bin --key %s/keys/%s.key",
                                 f->dir, f->dir, codes[i]),
                         0);
    }
    snprintf(path, sizeof path, "%s/broker.ini", f->dir);
    char store[512];
    int pg = s_broker_store(f, store, sizeof store);
    snprintf(text, sizeof text,
             "[broker]\nlisten = tcp://127.0.0.1:%d\nkey = keys/broker.key\n"
             "roster = roster.bin\n%slog_level = debug\n",
             f->port, store);
    s_write(path, text);
    if (pg) {
        /* A PostgreSQL store's schema is made by the broker, before it
         * first starts. */
        char cmd[1024];
        snprintf(cmd, sizeof cmd,
                 "%s/concord-broker --config %s --init-store >>%s/logs/broker.log 2>&1",
                 CONCORD_BIN_DIR, path, f->dir);
        assert_int_equal(system(cmd), 0);
    }
    const char *brokers = getenv("CONCORD_TEST_BROKERS");
    char second[64] = "";
    if (pg && brokers && !strcmp(brokers, "2")) {
        /* The same broker again, on a port of its own, for the standby. */
        f->port_b = fed_free_port();
        snprintf(path, sizeof path, "%s/broker-b.ini", f->dir);
        snprintf(text, sizeof text,
                 "[broker]\nlisten = tcp://127.0.0.1:%d\nkey = keys/broker.key\n"
                 "roster = roster.bin\n%slog_level = debug\n",
                 f->port_b, store);
        s_write(path, text);
        snprintf(second, sizeof second, " tcp://127.0.0.1:%d", f->port_b);
    }
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s.ini", f->dir, codes[i]);
        snprintf(text, sizeof text,
                 "[node]\ncode = %s\nkey = keys/%s.key\nroster = roster.bin\n"
                 "broker = tcp://127.0.0.1:%d%s\nledger = data/%s.db\ncontrol = run/%s.sock\n"
                 "log_level = debug\n",
                 codes[i], codes[i], f->port, second, codes[i], codes[i]);
        s_write(path, text);
    }
}

static pid_t s_spawn(const fed_t *f, const char *name, const char *prog, const char *config,
                     uint64_t fsize)
{
    char log[256], bin[256], cfg[256];
    snprintf(log, sizeof log, "%s/logs/%s.log", f->dir, name);
    snprintf(bin, sizeof bin, "%s/%s", CONCORD_BIN_DIR, prog);
    snprintf(cfg, sizeof cfg, "%s/%s", f->dir, config);
    char *argv[] = {bin, "--config", cfg, NULL};
    proc_spec_t spec = {.argv = argv, .log = log, .fsize_max = fsize};
    pid_t pid = proc_spawn(&spec, NULL);
    assert_true(pid > 0);
    return pid;
}

pid_t fed_spawn_broker(fed_t *f, const char *name, const char *config)
{
    return s_spawn(f, name, "concord-broker", config, 0);
}

/* Two brokers: starts the one running config (broker-b.ini if b) as the
 * standby, logging to logs/broker-<N>.log, and waits until it says so. */
static void s_start_standby(fed_t *f, int b)
{
    snprintf(f->standby_log, sizeof f->standby_log, "broker-%d", ++f->brokers_started);
    f->standby_pid = s_spawn(f, f->standby_log, "concord-broker", b ? "broker-b.ini" : "broker.ini",
                             0);
    if (!fed_wait_log(f, f->standby_log, "standby: waiting", 20000)) {
        fail_msg("the standby broker (logs/%s.log) did not start waiting within 20 s",
                 f->standby_log);
    }
}

void fed_start_broker(fed_t *f)
{
    if (!f->port_b) {
        fed_start_broker_as(f, "concord-broker");
        return;
    }
    if (f->standby_pid > 0) {
        /* The active one was stopped: the standby takes over, and the
         * stopped one comes back as the standby. */
        if (!fed_wait_log(f, f->standby_log, "active: this broker now holds", 20000)) {
            fail_msg("the standby broker (logs/%s.log) did not take over within 20 s",
                     f->standby_log);
        }
        f->broker_pid = f->standby_pid;
        f->standby_pid = 0;
        f->active_b = !f->active_b;
        s_start_standby(f, !f->active_b);
        return;
    }
    f->brokers_started = 1;
    f->active_b = 0;
    fed_start_broker_as(f, "concord-broker");
    if (!fed_wait_log(f, "broker", "active: this broker now holds", 20000)) {
        fail_msg("the first broker did not become the active one within 20 s");
    }
    s_start_standby(f, 1);
}

void fed_start_broker_as(fed_t *f, const char *prog)
{
    f->broker_pid = s_spawn(f, "broker", prog, "broker.ini", 0);
}

void fed_start_all(fed_t *f)
{
    fed_start_broker(f);
    for (int i = 0; i < f->n; i++) {
        fed_start_node(f, i);
    }
    for (int i = 0; i < f->n; i++) {
        fed_wait_connected(f, i);
    }
}

void fed_start_node(fed_t *f, int i)
{
    char cfg[64];
    snprintf(cfg, sizeof cfg, "%s.ini", f->codes[i]);
    f->node_pid[i] = s_spawn(f, f->codes[i], "concordd", cfg, f->node_fsize[i]);
}

void fed_wait_connected(fed_t *f, int i)
{
    uint64_t end = clock_mono_ms() + 20000;
    while (clock_mono_ms() < end) {
        char *out = NULL;
        int rc = fed_cli(f, i, &out, "--json status");
        int ok = rc == 0 && out && strstr(out, "\"connected\":true");
        free(out);
        if (ok) {
            return;
        }
        usleep(100 * 1000);
    }
    fail_msg("%s did not connect to the broker within 20 s", f->codes[i]);
}

static int s_reap(pid_t pid, int sig)
{
    int forced = 0;
    if (pid <= 0) {
        return -1;
    }
    int rc = proc_stop(pid, sig, 20000, &forced);
    if (forced) {
        fail_msg("process %d ignored signal %d for 20 s", (int)pid, sig);
    }
    return rc;
}

int fed_stop_broker(fed_t *f, int sig)
{
    int rc = s_reap(f->broker_pid, sig);
    f->broker_pid = 0;
    return rc;
}

int fed_stop_node(fed_t *f, int i, int sig)
{
    int rc = s_reap(f->node_pid[i], sig);
    f->node_pid[i] = 0;
    return rc;
}

static char *s_command(const fed_t *f, int i, const char *args)
{
    size_t size = strlen(args) + 512;
    char *cmd = malloc(size);
    assert_non_null(cmd);
    if (i >= 0) {
        snprintf(cmd, size, "%s/concord --config %s/%s.ini %s", CONCORD_BIN_DIR, f->dir,
                 f->codes[i], args);
    } else {
        snprintf(cmd, size, "%s/concord %s", CONCORD_BIN_DIR, args);
    }
    return cmd;
}

int fed_cli(fed_t *f, int i, char **out, const char *fmt, ...)
{
    char args[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    char *cmd = s_command(f, i, args);
    size_t size = strlen(cmd) + 16;
    char *full = malloc(size);
    assert_non_null(full);
    snprintf(full, size, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    assert_non_null(p);
    char *buf = NULL;
    size_t len = 0;
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, p)) > 0) {
        buf = realloc(buf, len + got + 1);
        assert_non_null(buf);
        memcpy(buf + len, chunk, got);
        len += got;
        buf[len] = '\0';
    }
    int status = pclose(p);
    if (out) {
        *out = buf ? buf : strdup("");
    } else {
        free(buf);
    }
    free(cmd);
    free(full);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

char *fed_cli_until(fed_t *f, int i, const char *needle, int present, int timeout_ms,
                    const char *args)
{
    uint64_t end = clock_mono_ms() + (uint64_t)timeout_ms;
    char *out = NULL;
    while (clock_mono_ms() < end) {
        free(out);
        out = NULL;
        int rc = fed_cli(f, i, &out, "%s", args);
        /* 3: `concord status` answered, but the node is not connected or not
         * serving (concord help status); what it printed is still the answer. */
        if ((rc == 0 || rc == 3) && (strstr(out, needle) != NULL) == present) {
            return out;
        }
        usleep(200 * 1000);
    }
    fail_msg("%s: `%s` %s '%s' after %d ms; last: %s", f->codes[i], args,
             present ? "never showed" : "still showed", needle, timeout_ms, out);
    return NULL;
}

void fed_json_id(const char *json, char id[33])
{
    json_error_t error;
    json_t *root = json_loads(json, JSON_DISABLE_EOF_CHECK, &error);
    const char *got = json_string_value(json_object_get(root, "id"));
    if (!got || strlen(got) != 32) {
        json_decref(root);
        fail_msg("no id in: %s", json);
        return;
    }
    memcpy(id, got, 33);
    json_decref(root);
}

pid_t fed_cli_bg(fed_t *f, int i, const char *outfile, const char *args)
{
    char *bare = s_command(f, i, args);
    size_t size = strlen(bare) + 8;
    char *cmd = malloc(size);
    assert_non_null(cmd);
    /* exec: the pid returned is the CLI's own, so that it can be killed. */
    snprintf(cmd, size, "exec %s", bare);
    free(bare);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(outfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    free(cmd);
    return pid;
}

int fed_cli_wait(pid_t pid)
{
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

char *fed_slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        return NULL;
    }
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    if (buf) {
        size_t got = fread(buf, 1, (size_t)size, fp);
        buf[got] = '\0';
    }
    fclose(fp);
    return buf;
}

int fed_log_contains(const fed_t *f, const char *name, const char *needle)
{
    char path[256];
    snprintf(path, sizeof path, "%s/logs/%s.log", f->dir, name);
    char *text = fed_slurp(path);
    int found = text && strstr(text, needle) != NULL;
    free(text);
    return found;
}

void fed_destroy(fed_t *f)
{
    if (!f->dir[0]) {
        return; /* already destroyed */
    }
    for (int i = 0; i < f->n; i++) {
        if (f->proxy_pid[i] > 0) {
            kill(f->proxy_pid[i], SIGKILL);
            waitpid(f->proxy_pid[i], NULL, 0);
        }
        if (f->node_pid[i] > 0) {
            kill(f->node_pid[i], SIGKILL);
            waitpid(f->node_pid[i], NULL, 0);
        }
    }
    if (f->broker_pid > 0) {
        kill(f->broker_pid, SIGKILL);
        waitpid(f->broker_pid, NULL, 0);
    }
    if (f->standby_pid > 0) {
        kill(f->standby_pid, SIGKILL);
        waitpid(f->standby_pid, NULL, 0);
        f->standby_pid = 0;
    }
    if (getenv("CONCORD_KEEP_TEST_DIRS")) {
        fprintf(stderr, "kept %s\n", f->dir);
    } else {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "could not remove %s\n", f->dir);
        }
    }
    memset(f->node_pid, 0, sizeof f->node_pid);
    memset(f->proxy_pid, 0, sizeof f->proxy_pid);
    f->broker_pid = 0;
    f->dir[0] = '\0';
}

int fed_teardown(void **state)
{
    if (state && *state) {
        fed_destroy(*state);
    }
    return 0;
}

void fed_assert_same(fed_t *f, int i, int j, const char *args)
{
    char *a = NULL, *b = NULL;
    assert_int_equal(fed_cli(f, i, &a, "%s", args), 0);
    assert_int_equal(fed_cli(f, j, &b, "%s", args), 0);
    if (strcmp(a, b) != 0) {
        fail_msg("`concord %s` differs between %s and %s:\n%s\n%s", args, f->codes[i],
                 f->codes[j], a, b);
    }
    free(a);
    free(b);
}

int fed_count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) {
        n++;
    }
    return n;
}

int fed_wait_log(const fed_t *f, const char *name, const char *needle, int timeout_ms)
{
    uint64_t end = clock_mono_ms() + (uint64_t)timeout_ms;
    while (!fed_log_contains(f, name, needle)) {
        if (clock_mono_ms() >= end) {
            return 0;
        }
        usleep(100 * 1000);
    }
    return 1;
}

void fed_vote(fed_t *f, int i, const char *id, const char *vote)
{
    char args[128], *out = NULL;
    snprintf(args, sizeof args, "proposal show %s", id);
    free(fed_cli_until(f, i, "closes ", 1, 30000, args));
    if (fed_cli(f, i, &out, "vote %s %s", id, vote) != 0) {
        fail_msg("vote %s %s on %s: %s", id, vote, f->codes[i], out);
    }
    free(out);
}

void fed_board_create(fed_t *f, const char *id, const char *rule, const int *members, int n,
                      int auto_vote)
{
    char cmd[FED_MAX * 24] = "", args[128], charter[33], *out = NULL;
    for (int k = 0; k < n; k++) {
        size_t used = strlen(cmd);
        snprintf(cmd + used, sizeof cmd - used, " --member %s", f->codes[members[k]]);
    }
    if (fed_cli(f, members[0], &out,
                "--json board create --id %s --name 'Joint commissioning board' --rule %s"
                " --quorum 1/2%s",
                id, rule, cmd) != 0) {
        fail_msg("board create %s: %s", id, out);
    }
    fed_json_id(out, charter);
    free(out);
    for (int k = 0; k < n && !auto_vote; k++) {
        fed_vote(f, members[k], charter, "for");
    }
    snprintf(args, sizeof args, "--json board show %s", id);
    for (int k = 0; k < n; k++) {
        free(fed_cli_until(f, members[k], "\"active\":true", 1, 30000, args));
    }
}

void fed_start_with_pool_board(fed_t *f)
{
    int members[FED_MAX];
    for (int i = 0; i < f->n; i++) {
        fed_node_config_append(f, i, "auto_vote = true\n");
        members[i] = i;
    }
    fed_start_all(f);
    fed_board_create(f, FED_POOL_BOARD, "majority", members, f->n, 1);
}

void fed_pool_agreement(const fed_t *f, const char *id, char *path, size_t size)
{
    snprintf(path, size, "%s/%s.ini", f->dir, id);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp,
            "[pool]\nid = %s\nname = Plymouth Integrated Fund\nkind = pooled-fund\n"
            "board = " FED_POOL_BOARD "\n"
            "aims = Care closer to home\nhost = E06000026\n"
            "nhs_function = Community health services\n"
            "council_function = Adult social care\nclient_group = Adults\n"
            "management = Monthly reports\ngovernance = Joint Commissioning Partnership\n"
            "[partner E06000026]\n2017 = 131m\n[partner E38000129]\n2017 = 331m\n"
            "[risk]\nbasis = pro-rata\n",
            id);
    fclose(fp);
}

void fed_pool_propose(fed_t *f, int i, const char *id, char proposal[33])
{
    char path[256], *out = NULL;
    fed_pool_agreement(f, id, path, sizeof path);
    if (fed_cli(f, i, &out, "--json pool propose --file %s", path) != 0) {
        fail_msg("pool propose %s on %s: %s", id, f->codes[i], out);
    }
    if (proposal) {
        fed_json_id(out, proposal);
    }
    free(out);
}

void fed_rounds(const char *test, int default_rounds, void (*round)(uint64_t seed))
{
    const char *env = getenv("CONCORD_CRASH_ROUNDS");
    int rounds = env && atoi(env) > 0 ? atoi(env) : default_rounds;
    uint64_t seed = fed_seed(test);
    for (int r = 0; r < rounds; r++) {
        round(seed + (uint64_t)r);
    }
}

keys_t *fed_keys(const fed_t *f, int i)
{
    char path[256];
    cc_err_t err;
    snprintf(path, sizeof path, "%s/keys/%s.key", f->dir, f->codes[i]);
    keys_t *k = keys_load(path, &err);
    assert_non_null(k);
    return k;
}

roster_t *fed_roster(const fed_t *f)
{
    char path[256];
    cc_err_t err;
    snprintf(path, sizeof path, "%s/roster.bin", f->dir);
    roster_t *r = roster_load(path, &err);
    assert_non_null(r);
    return r;
}

void raw_connect(raw_t *r, const fed_t *f, const keys_t *k, const uint8_t *curve_pk_override,
                 const uint8_t *curve_sk_override)
{
    char ep[64];
    roster_t *roster = fed_roster(f);
    roster_org_t broker;
    int linger = 0;
    roster_broker(roster, &broker);
    r->ctx = zmq_ctx_new();
    r->sock = zmq_socket(r->ctx, ZMQ_DEALER);
    zmq_setsockopt(r->sock, ZMQ_CURVE_SERVERKEY, broker.curve_pk, 32);
    zmq_setsockopt(r->sock, ZMQ_CURVE_PUBLICKEY,
                   curve_pk_override ? curve_pk_override : keys_public(k)->curve_pk, 32);
    zmq_setsockopt(r->sock, ZMQ_CURVE_SECRETKEY,
                   curve_sk_override ? curve_sk_override : keys_curve_sk(k), 32);
    zmq_setsockopt(r->sock, ZMQ_LINGER, &linger, sizeof linger);
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", f->port);
    assert_int_equal(zmq_connect(r->sock, ep), 0);
    roster_destroy(&roster);
}

Concord__V1__SubmitResult *raw_submit(raw_t *r, const uint8_t *env, size_t len, int timeout_ms)
{
    Concord__V1__NodeFrame nf = CONCORD__V1__NODE_FRAME__INIT;
    uint8_t *buf = NULL;
    size_t buf_len = 0;
    nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_SUBMIT;
    nf.submit = (Concord__V1__Envelope *)wire_unpack(&concord__v1__envelope__descriptor, env, len,
                                                     WIRE_MAX_FRAME, NULL);
    assert_non_null(nf.submit);
    assert_int_equal(wire_pack(&nf.base, WIRE_MAX_FRAME + 4096, &buf, &buf_len, NULL), 0);
    wire_free(&nf.submit->base);
    Concord__V1__SubmitResult *res = raw_send_frame(r, buf, buf_len, timeout_ms);
    free(buf);
    return res;
}

Concord__V1__SubmitResult *raw_send_frame(raw_t *r, const uint8_t *frame, size_t len,
                                          int timeout_ms)
{
    assert_true(zmq_send(r->sock, frame, len, 0) >= 0);
    zmq_setsockopt(r->sock, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
    for (;;) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, r->sock, 0) < 0) {
            zmq_msg_close(&msg);
            return NULL;
        }
        Concord__V1__BrokerFrame *bf = (Concord__V1__BrokerFrame *)wire_unpack(
            &concord__v1__broker_frame__descriptor, zmq_msg_data(&msg), zmq_msg_size(&msg),
            WIRE_MAX_FRAME + 4096, NULL);
        zmq_msg_close(&msg);
        assert_non_null(bf);
        if (bf->frame_case == CONCORD__V1__BROKER_FRAME__FRAME_RESULT) {
            Concord__V1__SubmitResult *res = bf->result;
            bf->result = NULL;
            bf->frame_case = CONCORD__V1__BROKER_FRAME__FRAME__NOT_SET;
            wire_free(&bf->base);
            return res;
        }
        wire_free(&bf->base);
    }
}

void raw_close(raw_t *r)
{
    zmq_close(r->sock);
    zmq_ctx_term(r->ctx);
}

/* ---- faults ---- */

uint64_t fed_seed(const char *test)
{
    const char *env = getenv("CONCORD_SEED");
    uint64_t seed;
    if (env && *env) {
        seed = strtoull(env, NULL, 10);
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = ((uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid()) %
               1000000000u;
    }
    fprintf(stderr, "%s: seed %llu (replay: CONCORD_SEED=%llu %s)\n", test,
            (unsigned long long)seed, (unsigned long long)seed, test);
    return seed;
}

uint32_t fed_rand(uint64_t *rng, uint32_t n)
{
    /* splitmix64: small, and the same sequence on every platform. */
    uint64_t z = (*rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    assert_true(n > 0);
    return (uint32_t)(z % n);
}

typedef struct {
    fed_t *f;
    fed_step_t *steps;
    pid_t *pids;
    int n;
    int victim;       /* as given */
    int down;         /* -2: nothing down; FED_BROKER or a node index */
    uint64_t t0;
} s_chaos_t;

static void s_chaos_reap(s_chaos_t *c, int i, int status)
{
    char path[256];
    c->steps[i].rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    c->pids[i] = 0;
    snprintf(path, sizeof path, "%s/run/step-%d.out", c->f->dir, i);
    c->steps[i].out = fed_slurp(path);
}

static void s_chaos_kill(s_chaos_t *c, uint64_t *rng)
{
    int who = c->victim == FED_ANY_NODE ? (int)fed_rand(rng, (uint32_t)c->f->n) : c->victim;
    uint64_t at = clock_mono_ms() - c->t0;
    if (who == FED_BROKER) {
        fprintf(stderr, "  %6llu ms: kill -9 broker\n", (unsigned long long)at);
        fed_stop_broker(c->f, SIGKILL);
    } else {
        fprintf(stderr, "  %6llu ms: kill -9 node %s\n", (unsigned long long)at, c->f->codes[who]);
        fed_stop_node(c->f, who, SIGKILL);
        for (int i = 0; i < c->n; i++) { /* its users give up waiting */
            if (c->pids[i] > 0 && c->steps[i].node == who) {
                int status = 0;
                kill(c->pids[i], SIGKILL);
                waitpid(c->pids[i], &status, 0);
                s_chaos_reap(c, i, status);
                c->steps[i].rc = -1;
            }
        }
    }
    c->down = who;
}

static void s_chaos_restart(s_chaos_t *c)
{
    fprintf(stderr, "  %6llu ms: restart %s\n", (unsigned long long)(clock_mono_ms() - c->t0),
            c->down == FED_BROKER ? "broker" : c->f->codes[c->down]);
    if (c->down == FED_BROKER) {
        fed_start_broker(c->f);
    } else {
        fed_start_node(c->f, c->down);
    }
    c->down = -2;
}

int fed_chaos(fed_t *f, fed_step_t *steps, int n, int victim, int kills, uint64_t *rng)
{
    s_chaos_t c = {.f = f, .steps = steps, .n = n, .victim = victim, .down = -2};
    uint64_t launch_at[n > 0 ? n : 1], kill_at[kills > 0 ? kills : 1], back_at = 0;
    uint64_t t = 0;
    int launched = 0, killed = 0, running = 0;
    c.pids = calloc((size_t)(n > 0 ? n : 1), sizeof *c.pids);
    assert_non_null(c.pids);
    for (int i = 0; i < n; i++) {
        t += fed_rand(rng, 300);
        launch_at[i] = t;
        steps[i].rc = -1;
        steps[i].out = NULL;
    }
    /* Kill moments spread over the launches and a little after. */
    for (int k = 0; k < kills; k++) {
        kill_at[k] = fed_rand(rng, (uint32_t)(t + 500));
    }
    for (int a = 0; a < kills; a++) { /* ascending */
        for (int b = a + 1; b < kills; b++) {
            if (kill_at[b] < kill_at[a]) {
                uint64_t x = kill_at[a];
                kill_at[a] = kill_at[b];
                kill_at[b] = x;
            }
        }
    }
    c.t0 = clock_mono_ms();
    while (launched < n || killed < kills || c.down != -2 || running > 0) {
        uint64_t now = clock_mono_ms() - c.t0;
        while (launched < n && launch_at[launched] <= now) {
            char path[256];
            snprintf(path, sizeof path, "%s/run/step-%d.out", f->dir, launched);
            c.pids[launched] = fed_cli_bg(f, steps[launched].node, path, steps[launched].args);
            launched++;
            running++;
        }
        if (c.down != -2 && now >= back_at) {
            s_chaos_restart(&c);
            /* Up for a while before the next kill, so recovery gets work done. */
            if (killed < kills && kill_at[killed] < now + 100) {
                kill_at[killed] = now + 100 + fed_rand(rng, 400);
            }
        } else if (c.down == -2 && killed < kills && now >= kill_at[killed]) {
            s_chaos_kill(&c, rng);
            killed++;
            back_at = now + 50 + fed_rand(rng, 1150);
        }
        running = 0;
        for (int i = 0; i < launched; i++) {
            int status = 0;
            if (c.pids[i] > 0 && waitpid(c.pids[i], &status, WNOHANG) == c.pids[i]) {
                s_chaos_reap(&c, i, status);
            }
            running += c.pids[i] > 0;
        }
        usleep(10 * 1000);
    }
    free(c.pids);
    return killed;
}

int fed_broker_kills(int dflt)
{
    const char *env = getenv("CONCORD_CRASH_BROKER_KILLS");
    int n = env ? atoi(env) : dflt;
    return n > 0 ? n : dflt;
}

void fed_chaos_free(fed_step_t *steps, int n)
{
    for (int i = 0; i < n; i++) {
        free(steps[i].out);
        steps[i].out = NULL;
    }
}

void fed_wait_settled(fed_t *f, int i)
{
    fed_wait_connected(f, i);
    free(fed_cli_until(f, i, "\"unreceipted\":0", 1, 60000, "--json status"));
    free(fed_cli_until(f, i, "\"calls_waiting\":0", 1, 60000, "--json status"));
}

/* ---- a cuttable TCP relay ---- */

#define S_RELAY_MAX 16

/* The relay process: accepts on lfd, connects each client to the broker's
 * port and copies bytes both ways until either side closes. */
static void s_relay(int lfd, int port)
{
    int fds[S_RELAY_MAX * 2];
    int n = 0;
    char buf[65536];
    for (;;) {
        struct pollfd pf[S_RELAY_MAX * 2 + 1];
        pf[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
        for (int i = 0; i < n; i++) {
            pf[i + 1] = (struct pollfd){.fd = fds[i], .events = POLLIN};
        }
        if (poll(pf, (nfds_t)n + 1, -1) < 0) {
            continue;
        }
        for (int i = n - 1; i >= 0; i--) {
            if (!(pf[i + 1].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            int pair = i ^ 1;
            ssize_t got = read(fds[i], buf, sizeof buf);
            if (got <= 0 || write(fds[pair], buf, (size_t)got) != got) {
                int lo = i & ~1;
                close(fds[lo]);
                close(fds[lo + 1]);
                memmove(&fds[lo], &fds[lo + 2], (size_t)(n - lo - 2) * sizeof fds[0]);
                n -= 2;
                break; /* indices moved: poll again */
            }
        }
        if ((pf[0].revents & POLLIN) && n < S_RELAY_MAX * 2) {
            int c = accept(lfd, NULL, NULL);
            int u = socket(AF_INET, SOCK_STREAM, 0);
            struct sockaddr_in a = {.sin_family = AF_INET,
                                    .sin_port = htons((uint16_t)port),
                                    .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
            if (c >= 0 && u >= 0 && connect(u, (struct sockaddr *)&a, sizeof a) == 0) {
                fds[n++] = c;
                fds[n++] = u;
            } else {
                close(c);
                close(u);
            }
        }
    }
}

void fed_proxy_node(fed_t *f, int i)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_true(lfd >= 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(lfd, 16), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGPIPE, SIG_IGN);
        s_relay(lfd, f->port);
        _exit(0);
    }
    close(lfd);
    f->proxy_pid[i] = pid;
    char from[64], to[64];
    snprintf(from, sizeof from, "broker = tcp://127.0.0.1:%d\n", f->port);
    snprintf(to, sizeof to, "broker = tcp://127.0.0.1:%d\n", ntohs(a.sin_port));
    fed_node_config_replace(f, i, from, to);
}

void fed_proxy_cut(fed_t *f, int i)
{
    assert_true(f->proxy_pid[i] > 0);
    assert_int_equal(kill(f->proxy_pid[i], SIGSTOP), 0);
}

void fed_proxy_mend(fed_t *f, int i)
{
    assert_true(f->proxy_pid[i] > 0);
    assert_int_equal(kill(f->proxy_pid[i], SIGCONT), 0);
}

void fed_node_fsize(fed_t *f, int i, uint64_t bytes)
{
    f->node_fsize[i] = bytes;
    if (f->node_pid[i] > 0) {
        struct rlimit rl = {.rlim_cur = bytes ? bytes : RLIM_INFINITY,
                            .rlim_max = RLIM_INFINITY};
        /* prlimit(2) on the running node: as a disk that frees up. */
        assert_int_equal(syscall(SYS_prlimit64, f->node_pid[i], RLIMIT_FSIZE, &rl, NULL), 0);
    }
}

static char s_tracked[256];

void fed_dir_track(const char *dir)
{
    snprintf(s_tracked, sizeof s_tracked, "%s", dir);
}

int fed_dir_teardown(void **state)
{
    char cmd[1024];
    (void)state;
    if (!s_tracked[0]) {
        return 0;
    }
    snprintf(cmd, sizeof cmd, "%s/concord federation stop %s >/dev/null 2>&1; rm -rf '%s'",
             CONCORD_BIN_DIR, s_tracked, s_tracked);
    s_tracked[0] = '\0';
    return system(cmd) == 0 ? 0 : -1;
}
