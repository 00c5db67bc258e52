/* harness: real processes for integration tests. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <zmq.h>

#include "clock.h"
#include "wire.h"

static const char *const s_codes[8] = {"E38000217", "E08000003", "X24",
                                             "E38000016", "E08000001", "E38000024",
                                             "E08000002", "E38000135"};
static const char *const s_names[8] = {
    "NHS Manchester CCG", "Manchester City Council", "NHS England", "NHS Bolton CCG",
    "Bolton Council",     "NHS Bury CCG",            "Bury Council", "NHS Oldham CCG"};

/* A port the kernel says is free right now. */
static int s_free_port(void)
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

void fed_create_from(fed_t *f, const char *const *codes, const char *const *names, int n)
{
    char path[256], text[1024];
    assert_true(n >= 2 && n <= FED_MAX);
    memset(f, 0, sizeof *f);
    assert_true(sodium_init() >= 0);
    snprintf(f->dir, sizeof f->dir, "/tmp/concord-it-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->n = n;
    f->port = s_free_port();
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
    snprintf(text, sizeof text,
             "[broker]\nlisten = tcp://127.0.0.1:%d\nkey = keys/broker.key\n"
             "roster = roster.bin\ndata = data/broker.db\nlog_level = debug\n",
             f->port);
    s_write(path, text);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s.ini", f->dir, codes[i]);
        snprintf(text, sizeof text,
                 "[node]\ncode = %s\nkey = keys/%s.key\nroster = roster.bin\n"
                 "broker = tcp://127.0.0.1:%d\nledger = data/%s.db\ncontrol = run/%s.sock\n"
                 "log_level = debug\n",
                 codes[i], codes[i], f->port, codes[i], codes[i]);
        s_write(path, text);
    }
}

static pid_t s_spawn(const fed_t *f, const char *name, const char *prog, const char *config)
{
    char log[256], bin[256], cfg[256];
    snprintf(log, sizeof log, "%s/logs/%s.log", f->dir, name);
    snprintf(bin, sizeof bin, "%s/%s", CONCORD_BIN_DIR, prog);
    snprintf(cfg, sizeof cfg, "%s/%s", f->dir, config);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execl(bin, prog, "--config", cfg, (char *)NULL);
        _exit(127);
    }
    return pid;
}

void fed_start_broker(fed_t *f)
{
    f->broker_pid = s_spawn(f, "broker", "concord-broker", "broker.ini");
}

void fed_start_node(fed_t *f, int i)
{
    char cfg[64];
    snprintf(cfg, sizeof cfg, "%s.ini", f->codes[i]);
    f->node_pid[i] = s_spawn(f, f->codes[i], "concordd", cfg);
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
    int status = 0;
    if (pid <= 0) {
        return -1;
    }
    kill(pid, sig);
    uint64_t end = clock_mono_ms() + 20000;
    while (clock_mono_ms() < end) {
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid) {
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        usleep(20 * 1000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    fail_msg("process %d ignored signal %d for 20 s", (int)pid, sig);
    return -1;
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
        if (rc == 0 && (strstr(out, needle) != NULL) == present) {
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
    const char *p = strstr(json, "\"id\":\"");
    if (!p || strlen(p + 6) < 32) {
        fail_msg("no id in: %s", json);
    }
    memcpy(id, p + 6, 32);
    id[32] = '\0';
}

pid_t fed_cli_bg(fed_t *f, int i, const char *outfile, const char *args)
{
    char *cmd = s_command(f, i, args);
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
    for (int i = 0; i < f->n; i++) {
        if (f->node_pid[i] > 0) {
            kill(f->node_pid[i], SIGKILL);
            waitpid(f->node_pid[i], NULL, 0);
        }
    }
    if (f->broker_pid > 0) {
        kill(f->broker_pid, SIGKILL);
        waitpid(f->broker_pid, NULL, 0);
    }
    if (getenv("CONCORD_KEEP_TEST_DIRS")) {
        fprintf(stderr, "kept %s\n", f->dir);
        return;
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "could not remove %s\n", f->dir);
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
