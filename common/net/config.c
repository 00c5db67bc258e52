/* SPDX-License-Identifier: Apache-2.0 */
/* config: INI files for the broker and the node, read with inifile (libinih). */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker_store.h"
#include "inifile.h"
#include "keys.h"

typedef enum { T_STRING, T_PATH, T_CODE, T_LEVEL, T_U32, T_U64, T_BOOL } s_type_t;

typedef struct {
    const char *name;
    s_type_t type;
    int required;
    size_t offset; /* into the config struct */
    size_t size;   /* of the char array, for strings */
    uint32_t min, max;
} s_field_t;

#define S_STR(st, f, t, req)                                                                       \
    {                                                                                              \
#f, t, req, offsetof(st, f), sizeof(((st *)0)->f), 0, 0                                    \
    }
#define S_NUM(st, f, lo, hi)                                                                       \
    {                                                                                              \
#f, T_U32, 0, offsetof(st, f), 0, lo, hi                                                   \
    }
#define S_OF(st, f, t)                                                                             \
    {                                                                                              \
#f, t, 0, offsetof(st, f), 0, 0, 0                                                         \
    }

static const s_field_t s_broker_fields[] = {
    S_STR(config_broker_t, listen, T_STRING, 1),
    S_STR(config_broker_t, key, T_PATH, 1),
    S_STR(config_broker_t, roster, T_PATH, 1),
    S_STR(config_broker_t, data, T_PATH, 0),
    S_STR(config_broker_t, store, T_STRING, 0),
    S_OF(config_broker_t, log_level, T_LEVEL),
    S_NUM(config_broker_t, mailbox_window, 1, 4096),
    S_OF(config_broker_t, fsync, T_BOOL),
    S_NUM(config_broker_t, send_hwm, 16, 100000),
    S_NUM(config_broker_t, recv_hwm, 16, 100000),
    S_NUM(config_broker_t, direct_per_batch, 0, 256),
    S_NUM(config_broker_t, verify_threads, 0, 64),
    S_NUM(config_broker_t, handshake_ms, 500, 60000),
    S_NUM(config_broker_t, clock_jump_max_ms, 0, UINT32_MAX),
    S_NUM(config_broker_t, disk_reserve_mb, 0, 16777216),
    S_NUM(config_broker_t, sequence_step_max, 0, UINT32_MAX),
    S_NUM(config_broker_t, clock_ahead_max_ms, 0, UINT32_MAX),
    S_OF(config_broker_t, clock_override, T_BOOL),
    S_NUM(config_broker_t, unauthenticated_max, 0, 1000000),
    S_NUM(config_broker_t, unauthenticated_per_address, 0, 1000000),
    S_NUM(config_broker_t, quota_envelopes_per_second, 0, UINT32_MAX),
    S_NUM(config_broker_t, quota_bytes_per_second, 0, UINT32_MAX),
    S_NUM(config_broker_t, quota_envelopes_per_minute, 0, UINT32_MAX),
    S_NUM(config_broker_t, quota_bytes_per_minute, 0, UINT32_MAX),
    S_NUM(config_broker_t, quota_envelopes_per_day, 0, UINT32_MAX),
    S_NUM(config_broker_t, quota_bytes_per_day, 0, UINT32_MAX),
    S_NUM(config_broker_t, quota_event_bytes, 0, UINT32_MAX),
    S_NUM(config_broker_t, quota_vote_bytes, 0, UINT32_MAX),
    S_NUM(config_broker_t, quota_mailbox_bytes, 0, UINT32_MAX),
    S_STR(config_broker_t, quota_scale, T_STRING, 0),
    S_STR(config_broker_t, metrics, T_STRING, 0),
};

static const s_field_t s_node_fields[] = {
    S_STR(config_node_t, code, T_CODE, 1),   S_STR(config_node_t, key, T_PATH, 1),
    S_STR(config_node_t, key_next, T_PATH, 0), S_STR(config_node_t, bootstrap, T_PATH, 0),
    S_STR(config_node_t, roster, T_PATH, 1), S_STR(config_node_t, broker, T_STRING, 1),
    S_STR(config_node_t, ledger, T_PATH, 1), S_STR(config_node_t, control, T_PATH, 1),
    S_OF(config_node_t, log_level, T_LEVEL), S_NUM(config_node_t, call_timeout_ms, 1, 86400000),
    S_NUM(config_node_t, disk_reserve_mb, 0, 16777216),
    S_NUM(config_node_t, max_clock_skew_ms, 1000, 2592000000u),
    S_NUM(config_node_t, ledger_max_mb, 0, 16777216),
    S_OF(config_node_t, fsync, T_BOOL),
    S_OF(config_node_t, auto_vote, T_BOOL),
    S_OF(config_node_t, auto_vote_against_above, T_U64),
    S_OF(config_node_t, auto_vote_for_below, T_U64),
    S_STR(config_node_t, auto_vote_abstain_areas, T_STRING, 0),
    S_STR(config_node_t, auto_vote_against_areas, T_STRING, 0),
    S_STR(config_node_t, dashboard, T_STRING, 0),
    S_STR(config_node_t, dashboard_cert, T_PATH, 0),
    S_STR(config_node_t, dashboard_key, T_PATH, 0),
    S_STR(config_node_t, dashboard_token, T_PATH, 0),
    S_STR(config_node_t, control_group, T_STRING, 0),
    S_STR(config_node_t, metrics, T_STRING, 0),
};

#define S_FIELDS_MAX 64

/* Parser state shared by the reader and the handler. */
typedef struct {
    const char *path;    /* as given, for messages */
    const char *section; /* the one section allowed */
    const s_field_t *fields;
    size_t nfields;
    void *out;
    char dir[PATH_MAX]; /* absolute directory of the file */
    int seen[S_FIELDS_MAX];
    cc_err_t *err; /* the entry being judged; inifile adds file and line */
} s_ctx_t;

/* Refuses the entry being judged; returns -1 for inifile. */
static int s_fail(s_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int s_fail(s_ctx_t *c, const char *fmt, ...)
{
    char msg[CC_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(c->err, CC_INVALID_ARGUMENT, "%s", msg);
    return -1;
}

/* Digits only, within min..max (max at most INT64_MAX, so no overflow:
 * the running value is checked before every multiplication). */
static int s_parse_u64(const char *v, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t n = 0;

    if (*v == '\0') {
        return -1;
    }
    for (; *v != '\0'; v++) {
        if (*v < '0' || *v > '9' || n > max / 10) {
            return -1;
        }
        n = n * 10 + (uint64_t)(*v - '0');
        if (n > max) {
            return -1;
        }
    }
    if (n < min) {
        return -1;
    }
    *out = n;
    return 0;
}

static int s_parse_u32(const char *v, uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t n = 0;
    if (s_parse_u64(v, min, max, &n) != 0) {
        return -1;
    }
    *out = (uint32_t)n;
    return 0;
}

static int s_parse_bool(const char *v, int *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    size_t i;

    for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcmp(v, yes[i]) == 0 || strcmp(v, no[i]) == 0) {
            *out = strcmp(v, yes[i]) == 0;
            return 0;
        }
    }
    return -1;
}

/* Copies a string value, resolving a relative path against the config
 * file's directory so a daemon finds its files whatever its cwd. */
static int s_store_string(s_ctx_t *c, const s_field_t *fd, const char *value)
{
    char *dst = (char *)c->out + fd->offset;
    int n;

    if (fd->type == T_PATH && value[0] != '/') {
        const char *sep = strcmp(c->dir, "/") == 0 ? "" : "/";
        n = snprintf(dst, fd->size, "%s%s%s", c->dir, sep, value);
    } else {
        n = snprintf(dst, fd->size, "%s", value);
    }
    if (n < 0 || (size_t)n >= fd->size) {
        return s_fail(c, "value of '%s' is too long", fd->name);
    }
    if (fd->type == T_CODE && keys_code_check(dst, NULL) != 0) {
        return s_fail(c, "'%s' is not an organisation code (for %s)", value, fd->name);
    }
    return 0;
}

static int s_store(s_ctx_t *c, const s_field_t *fd, const char *value)
{
    void *dst = (char *)c->out + fd->offset;

    switch (fd->type) {
    case T_STRING:
    case T_PATH:
    case T_CODE:
        return s_store_string(c, fd, value);
    case T_LEVEL:
        if (log_level_parse(value, dst) != 0) {
            return s_fail(c, "bad log level '%s' for %s (expected error, warn, info or debug)",
                          value, fd->name);
        }
        return 0;
    case T_U32:
        if (s_parse_u32(value, fd->min, fd->max, dst) != 0) {
            return s_fail(c, "bad number '%s' for %s (expected %u..%u)", value, fd->name, fd->min,
                          fd->max);
        }
        return 0;
    case T_U64:
        if (s_parse_u64(value, 0, INT64_MAX, dst) != 0) {
            return s_fail(c, "bad number '%s' for %s (expected 0..%lld)", value, fd->name,
                          (long long)INT64_MAX);
        }
        return 0;
    case T_BOOL:
        if (s_parse_bool(value, dst) != 0) {
            return s_fail(c, "bad value '%s' for %s (expected true or false)", value, fd->name);
        }
        return 0;
    }
    return s_fail(c, "internal: bad field type for %s", fd->name);
}

static int s_handler(void *user, const char *section, const char *arg, const char *name,
                     const char *value, int line, cc_err_t *err)
{
    s_ctx_t *c = user;
    size_t i;

    (void)line;
    c->err = err;
    if (name == NULL) {
        return 0; /* a header: judged with its first key, as ever */
    }
    if (section[0] == '\0') {
        return s_fail(c, "key '%s' comes before the [%s] section", name, c->section);
    }
    if (strcmp(section, c->section) != 0 || arg[0] != '\0') {
        return s_fail(c, "unknown section [%s%s%s] (expected [%s])", section, arg[0] ? " " : "",
                      arg, c->section);
    }
    for (i = 0; i < c->nfields; i++) {
        if (strcmp(name, c->fields[i].name) == 0) {
            break;
        }
    }
    if (i == c->nfields) {
        return s_fail(c, "unknown key '%s' in [%s]", name, c->section);
    }
    /* A second assignment is more likely a mistake than an override. */
    if (c->seen[i]) {
        return s_fail(c, "key '%s' set twice in [%s]", name, c->section);
    }
    c->seen[i] = 1;
    return s_store(c, &c->fields[i], value);
}

/* The absolute directory holding path. The file name itself is not
 * resolved, so a symlinked config still finds its neighbours. */
static int s_dir(const char *path, char *dir)
{
    char parent[PATH_MAX];
    const char *slash = strrchr(path, '/');

    if (slash == NULL) {
        snprintf(parent, sizeof parent, ".");
    } else if ((size_t)(slash - path) >= sizeof parent) {
        errno = ENAMETOOLONG;
        return -1;
    } else {
        snprintf(parent, sizeof parent, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    }
    return realpath(parent, dir) == NULL ? -1 : 0;
}

static int s_load(s_ctx_t *c, cc_err_t *err)
{
    size_t i;

    assert(c->nfields <= S_FIELDS_MAX);
    if (access(c->path, F_OK) == 0 && s_dir(c->path, c->dir) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "cannot resolve %s: %s", c->path, strerror(errno));
        return -1;
    }
    if (inifile_read(c->path, s_handler, c, err) < 0) {
        return -1;
    }
    for (i = 0; i < c->nfields; i++) {
        if (c->fields[i].required && !c->seen[i]) {
            err_set(err, CC_INVALID_ARGUMENT, "%s: missing required key '%s' in [%s]", c->path,
                    c->fields[i].name, c->section);
            return -1;
        }
    }
    return 0;
}

/* Loads path's one section into out (already holding the defaults). */
static int s_load_section(const char *path, const char *section, const s_field_t *fields,
                          size_t nfields, void *out, cc_err_t *err)
{
    s_ctx_t c;
    assert(path != NULL && out != NULL);
    memset(&c, 0, sizeof c);
    c.path = path;
    c.section = section;
    c.fields = fields;
    c.nfields = nfields;
    c.out = out;
    return s_load(&c, err) != 0 ? -1 : 0;
}

int config_load_broker(const char *path, config_broker_t *out, cc_err_t *err)
{
    config_broker_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.log_level = LOG_LVL_INFO;
    cfg.mailbox_window = 64;
    cfg.fsync = 1;
    cfg.send_hwm = 256;
    cfg.recv_hwm = 256;
    cfg.direct_per_batch = 4;
    /* One verifier per core: the loop helps them while it waits. */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cfg.verify_threads = cores < 1 ? 1 : cores > 64 ? 64 : (uint32_t)cores;
    cfg.handshake_ms = 5000;
    cfg.clock_jump_max_ms = 3600000;
    cfg.disk_reserve_mb = 64;
    cfg.sequence_step_max = 1000000;
    cfg.clock_ahead_max_ms = 604800000;
    cfg.unauthenticated_max = 256;
    cfg.unauthenticated_per_address = 32;
    cfg.quota_envelopes_per_second = 50;
    cfg.quota_bytes_per_second = 1048576;
    cfg.quota_envelopes_per_minute = 1200;
    cfg.quota_bytes_per_minute = 8388608;
    cfg.quota_envelopes_per_day = 200000;
    cfg.quota_bytes_per_day = 268435456;
    cfg.quota_event_bytes = 131072;
    cfg.quota_vote_bytes = 4096;
    cfg.quota_mailbox_bytes = 67108864;
    if (s_load_section(path, "broker", s_broker_fields,
                       sizeof s_broker_fields / sizeof s_broker_fields[0], &cfg, err) < 0) {
        return -1;
    }
    if (cfg.store[0] && !broker_store_is_postgresql(cfg.store)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s: store in [broker] must be a PostgreSQL URI (postgresql://...); a SQLite "
                "file is named by data",
                path);
        return -1;
    }
    if (!cfg.store[0] == !cfg.data[0]) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s: [broker] needs data (a SQLite file) or store (a PostgreSQL URI), %s", path,
                cfg.store[0] ? "not both" : "and has neither");
        return -1;
    }
    *out = cfg;
    return 0;
}

int config_brokers(const char *value, char out[][CONFIG_BROKER_ADDR], cc_err_t *err)
{
    int n = 0;
    for (const char *s = value;;) {
        s += strspn(s, " \t,");
        size_t len = strcspn(s, " \t,");
        if (!len) {
            break;
        }
        if (n == CONFIG_BROKERS_MAX) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "broker names more than %d broker addresses (the active broker and its "
                    "standbys)",
                    CONFIG_BROKERS_MAX);
            return -1;
        }
        if (len >= CONFIG_BROKER_ADDR ||
            (strncmp(s, "tcp://", 6) != 0 && strncmp(s, "ipc://", 6) != 0)) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "broker address '%.*s' is not tcp://HOST:PORT (nor ipc://PATH) of at most "
                    "%d characters",
                    len > 80 ? 80 : (int)len, s, CONFIG_BROKER_ADDR - 1);
            return -1;
        }
        snprintf(out[n++], CONFIG_BROKER_ADDR, "%.*s", (int)len, s);
        s += len;
    }
    if (!n) {
        err_set(err, CC_INVALID_ARGUMENT, "broker names no broker address");
        return -1;
    }
    return n;
}

int config_load_node(const char *path, config_node_t *out, cc_err_t *err)
{
    config_node_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.log_level = LOG_LVL_INFO;
    cfg.call_timeout_ms = 10000;
    cfg.fsync = 1;
    cfg.disk_reserve_mb = 64;
    cfg.max_clock_skew_ms = 300000;
    if (s_load_section(path, "node", s_node_fields,
                       sizeof s_node_fields / sizeof s_node_fields[0], &cfg, err) < 0) {
        return -1;
    }
    char brokers[CONFIG_BROKERS_MAX][CONFIG_BROKER_ADDR];
    cc_err_t why;
    if (config_brokers(cfg.broker, brokers, &why) < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "%s: [node] %s", path, why.msg);
        return -1;
    }
    *out = cfg;
    return 0;
}
