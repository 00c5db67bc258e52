/* SPDX-License-Identifier: Apache-2.0 */
/* cli_federation: `concord federation init|start|status|stop|exec`.
 * init generates a whole federation for an area from the ONS lookups:
 * every member's keys, the genesis roster signed by every founder, the
 * broker's and every node's config, and the board charter. The layout is
 * fixed (docs/FEDERATIONS.md); start, status and stop are in launch.c. */
#define _GNU_SOURCE /* ftw's FTW_DEPTH, FTW_PHYS */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "federation.h"
#include "geo.h"
#include "json.h"
#include "keys.h"
#include "launch.h"
#include "roster.h"

#define S_DEFAULT_PORT 7400
/* sockaddr_un.sun_path holds 108 bytes with the NUL: a node's control
 * socket DIR/run/CODE.sock must fit. */
#define S_IPC_PATH_MAX 107

static int s_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes a directory tree (the half-made staging directory). */
static void s_rm_tree(const char *dir)
{
    nftw(dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int s_write_text(const char *path, const char *text, cc_err_t *err)
{
    FILE *fp = fopen(path, "wx");
    if (!fp) {
        err_set(err, CC_INVALID_ARGUMENT, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    int bad = fputs(text, fp) == EOF || fflush(fp) != 0 || fsync(fileno(fp)) != 0;
    if (fclose(fp) != 0 || bad) {
        err_set(err, CC_INVALID_ARGUMENT, "cannot write %s", path);
        return -1;
    }
    return 0;
}

/* Generates and saves one identity; its public half goes to *pub. */
static int s_keygen(const char *dir, const char *code, const char *name, const char *kind,
                    keys_public_t *pub, cc_err_t *err)
{
    char sec[PATH_MAX + 32], pubp[PATH_MAX + 32];
    snprintf(sec, sizeof sec, "%s/keys/%s.key", dir, code);
    snprintf(pubp, sizeof pubp, "%s/keys/%s.pub", dir, code);
    keys_t *k = keys_generate(code, name, kind, err);
    int rc = k && keys_save(k, sec, pubp, err) == 0 ? 0 : -1;
    if (rc == 0) {
        *pub = *keys_public(k);
    } else {
        err_prefix(err, "%s: ", code);
    }
    keys_destroy(&k);
    return rc;
}

/* Every founder signs the genesis roster with its own key file, as each
 * would on its own machine; the roster is then checked whole. */
static int s_roster(const char *dir, const federation_t *f, cc_err_t *err)
{
    keys_public_t pub;
    char path[PATH_MAX + 32], bname[KEYS_NAME_MAX + 1];
    roster_t *r = NULL;
    int rc = -1;
    snprintf(bname, sizeof bname, "%.100s broker", f->name);
    if (s_keygen(dir, KEYS_BROKER_CODE, bname, "BROKER", &pub, err) < 0 ||
        !(r = roster_new(f->name, &pub, err))) {
        goto out;
    }
    for (size_t i = 0; i < f->n_orgs; i++) {
        const federation_org_t *o = &f->orgs[i];
        if (s_keygen(dir, o->code, o->name, o->kind, &pub, err) < 0 ||
            roster_add(r, &pub, err) < 0) {
            goto out;
        }
    }
    for (size_t i = 0; i < f->n_orgs; i++) {
        snprintf(path, sizeof path, "%s/keys/%s.key", dir, f->orgs[i].code);
        keys_t *k = keys_load(path, err);
        int ok = k && roster_sign(r, k, err) == 0;
        keys_destroy(&k);
        if (!ok) {
            goto out;
        }
    }
    snprintf(path, sizeof path, "%s/roster.bin", dir);
    rc = roster_verify(r, err) == 0 && roster_save(r, path, err) == 0 ? 0 : -1;
out:
    roster_destroy(&r);
    return rc;
}

/* broker.ini and nodes/CODE.ini, with paths relative to each file (the
 * nodes' one level down) so the directory can be moved or copied. */
static int s_configs(const char *dir, const federation_t *f, cc_err_t *err)
{
    char path[PATH_MAX + 32], text[2048];
    snprintf(path, sizeof path, "%s/broker.ini", dir);
    snprintf(text, sizeof text,
             "; The broker of %s (docs/FEDERATIONS.md, docs/DEPLOYMENT.md).\n"
             "[broker]\nlisten = %s\nkey = keys/broker.key\nroster = roster.bin\n"
             "data = data/broker.db\nlog_level = info\n",
             f->name, f->broker);
    if (s_write_text(path, text, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < f->n_orgs; i++) {
        const char *c = f->orgs[i].code;
        snprintf(path, sizeof path, "%s/nodes/%s.ini", dir, c);
        snprintf(text, sizeof text,
                 "; The node of %s (%s) in %s.\n"
                 "[node]\ncode = %s\nkey = ../keys/%s.key\nroster = ../roster.bin\n"
                 "broker = %s\nledger = ../data/%s.db\ncontrol = ../run/%s.sock\n"
                 "log_level = info\n",
                 f->orgs[i].name, c, f->name, c, c, f->broker, c, c);
        if (s_write_text(path, text, err) < 0) {
            return -1;
        }
    }
    return 0;
}

/* The area's board charter, in the format of `board create --file`. */
static int s_board(const char *dir, const federation_t *f, cc_err_t *err)
{
    static const char *const ids[] = {"JCB", "STP", "HWB", "JCB", "ICP"};
    static const char *const names[] = {
        "Joint Commissioning Board", "Sustainability and Transformation Partnership Board",
        "Health and Wellbeing Board", "National Joint Commissioning Board",
        "Integrated Care Partnership"};
    static const char *const accountable[] = {
        "the partners' governing bodies and the combined authority",
        "the partners' governing bodies and NHS England",
        "the council and the CCGs' governing bodies", "the partners' governing bodies",
        "the integrated care board and the councils"};
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/board.ini", dir);
    FILE *fp = fopen(path, "wx");
    if (!fp) {
        err_set(err, CC_INVALID_ARGUMENT, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(fp,
            "; The charter of %s's %s: concord board create --file board.ini\n"
            "[board]\nid = %s-%s\nname = %s %s\nrule = double-majority\nquorum = 1/2\n"
            "each_constituency = yes\naccountable_to = %s\n",
            f->name, names[f->scope], ids[f->scope], f->code, f->name, names[f->scope],
            accountable[f->scope]);
    if (f->scope == FEDERATION_COUNTY) {
        /* The county's own Health and Wellbeing Board (Health and Social
         * Care Act 2012 s194): its decisions agree the county's BCF plans. */
        fprintf(fp, "hwb = %s\n", f->code);
    }
    for (size_t i = 0; i < f->n_orgs; i++) {
        fprintf(fp, "member = %s:%s\n", f->orgs[i].code, f->orgs[i].constituency);
    }
    int bad = fflush(fp) != 0 || fsync(fileno(fp)) != 0;
    if (fclose(fp) != 0 || bad) {
        err_set(err, CC_INVALID_ARGUMENT, "cannot write %s", path);
        return -1;
    }
    return 0;
}

/* Makes everything in staging; the caller renames it into place. */
static int s_generate(const char *staging, const federation_t *f, cc_err_t *err)
{
    static const char *const subdirs[] = {"keys", "nodes", "data", "run", "logs"};
    char path[PATH_MAX + 32];
    if (mkdir(staging, 0755) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "cannot create %s: %s", staging, strerror(errno));
        return -1;
    }
    for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", staging, subdirs[i]);
        /* keys, data (ledgers, the broker's database) and logs: 0700 whatever the umask. */
        int private = i == 0 || i == 2 || i == 4;
        if (mkdir(path, private ? 0700 : 0755) != 0 || (private && chmod(path, 0700) != 0)) {
            err_set(err, CC_INVALID_ARGUMENT, "cannot create %s: %s", path, strerror(errno));
            return -1;
        }
    }
    snprintf(path, sizeof path, "%s/federation.ini", staging);
    if (s_roster(staging, f, err) < 0 || s_configs(staging, f, err) < 0 ||
        s_board(staging, f, err) < 0 || federation_save(f, path, err) < 0) {
        return -1;
    }
    return 0;
}

/* Refuses a DIR that holds anything, and one whose control socket paths
 * would be too long; fills abs with DIR's absolute path to be. */
static int s_check_out(const char *given, const federation_t *f, char *abs, size_t size)
{
    struct stat st;
    char out[PATH_MAX], parent[PATH_MAX], real[PATH_MAX];
    snprintf(out, sizeof out, "%s", given);
    for (size_t n = strlen(out); n > 1 && out[n - 1] == '/'; n--) {
        out[n - 1] = '\0'; /* "run/gm/" is "run/gm" */
    }
    const char *slash = strrchr(out, '/');
    snprintf(parent, sizeof parent, "%.*s", slash ? (int)(slash - out) + (slash == out) : 1,
             slash ? out : ".");
    if (stat(out, &st) == 0) {
        char probe[PATH_MAX + 32];
        snprintf(probe, sizeof probe, "%s/federation.ini", out);
        if (access(probe, F_OK) == 0) {
            return cli_fail("%s already holds a federation; remove it or choose another --out",
                            out);
        }
        /* An empty directory is replaced by the rename; anything else is kept. */
        DIR *d = S_ISDIR(st.st_mode) ? opendir(out) : NULL;
        struct dirent *e;
        int empty = d != NULL;
        while (d && (e = readdir(d))) {
            empty &= strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
        }
        if (d) {
            closedir(d);
        }
        if (!empty) {
            return cli_fail("%s exists and is not an empty directory", out);
        }
    }
    if (!realpath(parent, real)) {
        return cli_fail("cannot use %s: %s", parent, strerror(errno));
    }
    snprintf(abs, size, "%.3000s/%.1000s", real, slash ? slash + 1 : out);
    size_t longest = 0;
    for (size_t i = 0; i < f->n_orgs; i++) {
        longest = strlen(f->orgs[i].code) > longest ? strlen(f->orgs[i].code) : longest;
    }
    if (strlen(abs) + strlen("/run/.sock") + longest > S_IPC_PATH_MAX) {
        return cli_fail("%s is too deep: control sockets %s/run/CODE.sock must fit in %d bytes",
                        abs, abs, S_IPC_PATH_MAX);
    }
    return CLI_OK;
}

static void s_init_help(void)
{
    printf("usage: concord federation init --out DIR (--area E47... | --stp E54... |\n"
           "           --county UPPER-TIER-CODE | --england | --ics ICB-CODE)\n"
           "           [--vintage YEAR | --as-at YYYY-MM-DD] [--port N] [--name TEXT]\n"
           "           [--data-dir DIR] [--lookup FILE...]\n"
           "--vintage 2020 builds the April 2020 configuration (default: April 2017).\n"
           "--ics takes an ICB from a --lookup file with ICB<YY>CD and SICBL<YY>CD\n"
           "columns, loaded beside the shipped lookups.\n");
}

static int s_init_usage(void)
{
    return cli_usage("federation init needs --out DIR and one of --area, --stp, --county,"
                     " --england or --ics");
}

#define S_INIT_LOOKUPS_MAX 16

typedef struct {
    const char *out, *code, *name, *data_dir;
    const char *lookups[S_INIT_LOOKUPS_MAX];
    size_t n_lookups;
    uint32_t as_at;
    int scope, port;
} s_init_opts_t;

static int s_init_parse(int argc, char **argv, s_init_opts_t *o)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},  {"area", required_argument, NULL, 'a'},
        {"stp", required_argument, NULL, 's'},  {"county", required_argument, NULL, 'c'},
        {"england", no_argument, NULL, 'e'},    {"port", required_argument, NULL, 'p'},
        {"name", required_argument, NULL, 'n'}, {"data-dir", required_argument, NULL, 'd'},
        {"ics", required_argument, NULL, 'i'},  {"vintage", required_argument, NULL, 'v'},
        {"as-at", required_argument, NULL, 't'}, {"lookup", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    char date[16];
    int opt, scopes = 0;
    char *end = NULL;
    memset(o, 0, sizeof *o);
    o->port = S_DEFAULT_PORT;
    o->as_at = FEDERATION_AS_AT;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:a:s:c:ep:n:d:i:v:t:l:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            o->out = optarg;
            break;
        case 'n':
            o->name = optarg;
            break;
        case 'd':
            o->data_dir = optarg;
            break;
        case 'a':
            o->scope = FEDERATION_AREA;
            o->code = optarg;
            scopes++;
            break;
        case 's':
            o->scope = FEDERATION_STP;
            o->code = optarg;
            scopes++;
            break;
        case 'c':
            o->scope = FEDERATION_COUNTY;
            o->code = optarg;
            scopes++;
            break;
        case 'e':
            o->scope = FEDERATION_ENGLAND;
            o->code = "X24";
            scopes++;
            break;
        case 'i':
            o->scope = FEDERATION_ICS;
            o->code = optarg;
            scopes++;
            break;
        case 'v':
        case 't':
            /* A vintage is the year's lookups, as at 1 April. */
            snprintf(date, sizeof date, opt == 'v' ? "%.4s-04-01" : "%.10s", optarg);
            if ((opt == 'v' && strlen(optarg) != 4) || !(o->as_at = geo_date_parse(date))) {
                cli_fail("--%s wants %s, not '%s'", opt == 'v' ? "vintage" : "as-at",
                         opt == 'v' ? "a year such as 2020" : "a date YYYY-MM-DD", optarg);
                return CLI_USAGE;
            }
            break;
        case 'l':
            if (o->n_lookups == S_INIT_LOOKUPS_MAX) {
                cli_fail("at most %d of --lookup", S_INIT_LOOKUPS_MAX);
                return CLI_USAGE;
            }
            o->lookups[o->n_lookups++] = optarg;
            break;
        case 'p':
            errno = 0;
            o->port = (int)strtol(optarg, &end, 10);
            if (errno || *end || o->port < 1 || o->port > 65535) {
                cli_fail("--port must be 1..65535, not '%s'", optarg);
                return CLI_USAGE;
            }
            break;
        case 'h':
            s_init_help();
            return -1;
        default:
            return s_init_usage();
        }
    }
    if (!o->out || scopes != 1 || optind != argc) {
        return s_init_usage();
    }
    /* The name goes into INI files and key files, one line each. */
    for (const char *c = o->name; c && *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            cli_fail("--name must be one line of text");
            return CLI_USAGE;
        }
    }
    if (o->name && (!*o->name || strlen(o->name) > 100)) {
        cli_fail("--name must be 1 to 100 characters");
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int s_init(int argc, char **argv, int json)
{
    s_init_opts_t o;
    federation_t f;
    cc_err_t err;
    char abs[PATH_MAX], staging[200];
    int rc = s_init_parse(argc, argv, &o);
    if (rc != CLI_OK) {
        return rc < 0 ? CLI_OK : rc;
    }
    memset(&f, 0, sizeof f);
    geo_t *g = geo_load_dir_and(geo_data_dir(o.data_dir), o.lookups, o.n_lookups, &err);
    if (!g || federation_from_geo_at(g, (federation_scope_t)o.scope, o.code, o.name, o.as_at, &f,
                                     &err) < 0) {
        geo_destroy(&g);
        return cli_fail("federation init: %s", err.msg);
    }
    geo_destroy(&g);
    snprintf(f.broker, sizeof f.broker, "tcp://127.0.0.1:%d", o.port);
    if ((rc = s_check_out(o.out, &f, abs, sizeof abs)) != CLI_OK) {
        federation_free(&f);
        return rc;
    }
    err_clear(&err);
    /* s_check_out kept abs short enough for the control sockets. */
    snprintf(staging, sizeof staging, "%.150s.partial-%ld", abs, (long)getpid());
    if (s_generate(staging, &f, &err) < 0 || rename(staging, abs) != 0) {
        if (err.code == CC_OK) {
            err_set(&err, CC_INVALID_ARGUMENT, "cannot rename %s to %s: %s", staging, abs,
                    strerror(errno));
        }
        s_rm_tree(staging);
        federation_free(&f);
        return cli_fail("federation init: %s (nothing was written)", err.msg);
    }
    if (json < 0) {
        fprintf(stderr, "federation %s (%s %s) made in %s: %zu organisations\n", f.name,
                federation_scope_name(f.scope), f.code, o.out, f.n_orgs);
    } else if (json) {
        json_t j;
        json_init(&j);
        json_obj_begin(&j, NULL);
        json_str(&j, "dir", abs);
        json_str(&j, "name", f.name);
        json_str(&j, "scope", federation_scope_name(f.scope));
        json_str(&j, "code", f.code);
        json_u64(&j, "members", f.n_orgs);
        json_obj_end(&j);
        char *js = json_take(&j);
        printf("%s\n", js ? js : "{}");
        free(js);
    } else {
        printf("federation %s (%s %s) in %s: %zu organisations, roster signed by all\n"
               "  start it:  concord federation start %s\n",
               f.name, federation_scope_name(f.scope), f.code, o.out, f.n_orgs, o.out);
    }
    federation_free(&f);
    return CLI_OK;
}

/* `federation exec DIR CODE -- ARGS`: this program again, as CODE. */
static int s_exec(int argc, char **argv, int json)
{
    int at = 1;
    if (argc >= 4 && strcmp(argv[3], "--") == 0) {
        at = 4;
    } else if (argc >= 3) {
        at = 3;
    }
    if (argc < 3 || at >= argc) {
        return cli_usage("usage: concord federation exec DIR CODE -- COMMAND [ARGS]");
    }
    char cfg[PATH_MAX + 64], self[PATH_MAX];
    cc_err_t err;
    if (keys_code_check(argv[2], &err) < 0) {
        return cli_fail("%s: %s", argv[2], err.msg);
    }
    snprintf(cfg, sizeof cfg, "%s/nodes/%s.ini", argv[1], argv[2]);
    if (access(cfg, R_OK) != 0) {
        return cli_fail("no organisation %s in %s (no %s)", argv[2], argv[1], cfg);
    }
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        return cli_fail("cannot find this program: %s", strerror(errno));
    }
    self[n] = '\0';
    char **args = calloc((size_t)(argc - at) + 5, sizeof *args);
    if (!args) {
        return cli_fail("out of memory");
    }
    int n_args = 0;
    args[n_args++] = "concord";
    args[n_args++] = "--config";
    args[n_args++] = cfg;
    if (json) { /* `concord` took --json from wherever it was */
        args[n_args++] = "--json";
    }
    for (int i = at; i < argc; i++) {
        args[n_args++] = argv[i];
    }
    execv(self, args);
    free(args);
    return cli_fail("cannot run %s: %s", self, strerror(errno));
}

int cli_federation(int argc, char **argv, int json)
{
    const char *sub = argc > 1 ? argv[1] : "";
    if (strcmp(sub, "init") == 0) {
        return s_init(argc - 1, argv + 1, json);
    }
    if (strcmp(sub, "exec") == 0) {
        return s_exec(argc - 1, argv + 1, json);
    }
    if (strcmp(sub, "start") == 0 || strcmp(sub, "status") == 0 || strcmp(sub, "stop") == 0) {
        return launch_command(argc - 1, argv + 1, json);
    }
    FILE *to = strcmp(sub, "--help") == 0 ? stdout : stderr;
    fprintf(to, "usage: concord federation init --out DIR (--area E47... | --stp E54... |\n"
                "                  --county CODE | --england | --ics ICB-CODE)\n"
                "                  [--vintage YEAR | --as-at DATE] [--port N] [--name TEXT]\n"
                "                  [--data-dir DIR] [--lookup FILE...]\n"
                "       concord federation start DIR [--parallel N] [--timeout S]\n"
                "       concord federation status DIR | stop DIR\n"
                "       concord federation exec DIR CODE -- COMMAND [ARGS]\n"
                "Layout and behaviour: docs/FEDERATIONS.md.\n");
    return to == stdout ? CLI_OK : CLI_USAGE;
}
