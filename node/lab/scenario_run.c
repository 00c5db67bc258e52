/* scenario_run: a scenario's steps, acted out through the nodes. */
#include "scenario_run.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "certificate.h"
#include "cli.h"
#include "clock.h"
#include "config.h"
#include "inifile.h"
#include "json.h"
#include "money.h"
#include "roster.h"

#define S_PROPS_MAX 64
#define S_CHECKS_MAX 64
#define S_LIST_MAX 1024
#define S_POLL_MS 200

/* A proposal made by the scenario. */
typedef struct {
    char label[40];
    char id[40];
    char as[KEYS_CODE_MAX + 1];
    const char *expect; /* "passed", "failed" or NULL */
    uint64_t sent_ms;
    int decided;
    char outcome[16];
    double seconds; /* proposal to decision, as its proposer saw it */
    char cert[PATH_MAX];
    char verified[CC_ERR_MSG_MAX + 8]; /* "yes" or why not */
} s_prop_t;

/* One line of the report: a pool or plan state against its expectation. */
typedef struct {
    char what[80];
    char got[32];
    char want[32];
} s_check_t;

typedef struct {
    const scenario_t *s;
    const char *dir;
    const federation_t *f;
    const char *cert_dir;
    config_node_t *cfgs; /* per member, loaded on first use */
    int *loaded;
    char board[40]; /* the board the last [board] step created */
    s_prop_t props[S_PROPS_MAX];
    size_t n_props;
    s_check_t checks[S_CHECKS_MAX];
    size_t n_checks;
    uint64_t t0;
    uint64_t timeout_ms;
    FILE *out; /* the transcript: stdout, or stderr when the report is JSON */
} s_run_t;

static double s_secs(uint64_t from_ms)
{
    return (double)(clock_mono_ms() - from_ms) / 1000.0;
}

static void s_say(const s_run_t *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_say(const s_run_t *x, const char *fmt, ...)
{
    va_list ap;
    fprintf(x->out, "[%7.1f s] ", s_secs(x->t0));
    va_start(ap, fmt);
    vfprintf(x->out, fmt, ap);
    va_end(ap);
    fputc('\n', x->out);
    fflush(x->out);
}

static void s_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The node config of a member, or NULL with err naming the line. */
static const config_node_t *s_node(s_run_t *x, const char *code, int line, cc_err_t *err)
{
    int i = federation_find(x->f, code);
    if (i < 0) {
        err_set(err, CC_NOT_FOUND, "%s:%d: %s is not a member of the federation in %s",
                scenario_path(x->s), line, code, x->dir);
        return NULL;
    }
    if (!x->loaded[i]) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/nodes/%s.ini", x->dir, code);
        if (config_load_node(path, &x->cfgs[i], err) < 0) {
            return NULL;
        }
        x->loaded[i] = 1;
    }
    return &x->cfgs[i];
}

/* Runs one `concord` command (argv, NULL-terminated) in-process as code,
 * keeping its JSON reply in *json (caller frees; may be NULL). Returns a
 * CLI status; on failure err names the step's line. */
static int s_run_argv(s_run_t *x, const char *code, int line, char **json, cc_err_t *err, int argc,
                      char **argv)
{
    const config_node_t *cfg = s_node(x, code, line, err);
    if (!cfg) {
        return CLI_FAIL;
    }
    cli_capture(1);
    int rc = strcmp(argv[0], "pool") == 0  ? cli_pool(cfg, argc, argv, 1)
             : strcmp(argv[0], "bcf") == 0 ? cli_bcf(cfg, argc, argv, 1)
                                           : cli_board(cfg, argc, argv, 1);
    cli_capture(0);
    char *got = cli_captured();
    if (rc != CLI_OK) {
        err_set(err, CC_FAILED_PRECONDITION, "%s:%d: %s %s ... as %s failed (see above)",
                scenario_path(x->s), line, argv[0], argc > 1 ? argv[1] : "", code);
    }
    if (json) {
        *json = got;
    } else {
        free(got);
    }
    return rc;
}

/* The same with the arguments listed, up to a NULL. */
static int s_as(s_run_t *x, const char *code, int line, char **json, cc_err_t *err, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, err);
    for (char *a = va_arg(ap, char *); a && argc < 31; a = va_arg(ap, char *)) {
        argv[argc++] = a;
    }
    va_end(ap);
    argv[argc] = NULL;
    return s_run_argv(x, code, line, json, err, argc, argv);
}

/* Resolves a file named by the scenario against the scenario's folder. */
static void s_file(const s_run_t *x, const char *name, char *out, size_t size)
{
    if (name[0] == '/') {
        snprintf(out, size, "%s", name);
    } else {
        snprintf(out, size, "%s/%s", scenario_dir(x->s), name);
    }
}

static s_prop_t *s_prop(s_run_t *x, const char *label)
{
    for (size_t i = 0; i < x->n_props; i++) {
        if (strcmp(x->props[i].label, label) == 0) {
            return &x->props[i];
        }
    }
    return NULL;
}

/* Waits until code's node shows id with `cmd` (pool-show, bcf-show,
 * proposal-show) and, when key is not NULL, the string key equal to
 * want (or, for want "true", the boolean key true): events reach each
 * node in its own time, and a node judges an act against what it has
 * seen. Returns 0, or -1 with err after the scenario's timeout. */
static int s_wait(s_run_t *x, const char *code, const char *cmd, const char *id, const char *key,
                  const char *want, cc_err_t *err)
{
    char why[CC_ERR_MSG_MAX + 128], got[64] = "";
    char *args[1] = {(char *)id};
    const config_node_t *cfg = s_node(x, code, 0, err);
    uint64_t until = clock_mono_ms() + x->timeout_ms;
    while (cfg && clock_mono_ms() < until) {
        char *js = NULL;
        int ok = cli_node_ask(cfg, cmd, args, 1, 10000, &js, why, sizeof why) == CLI_OK;
        if (ok && key && strcmp(want, "true") == 0) {
            ok = json_find_bool(js, key) == 1;
        } else if (ok && key) {
            ok = json_find_str(js, key, got, sizeof got) && strcmp(got, want) == 0;
        }
        free(js);
        if (ok) {
            return 0;
        }
        s_sleep_ms(S_POLL_MS);
    }
    if (cfg) {
        err_set(err, CC_DEADLINE_EXCEEDED, "%s did not see %s %s%s%s%s within %llu s", code, cmd,
                id, key ? " with " : "", key ? key : "", key ? " as expected" : "",
                (unsigned long long)(x->timeout_ms / 1000));
    }
    return -1;
}

/* What code's node shows for `cmd id` (caller frees *js); -1 with err. */
static int s_show(s_run_t *x, const char *as, const char *cmd, const char *id, char **js,
                  cc_err_t *err)
{
    char why[CC_ERR_MSG_MAX + 128];
    char *args[1] = {(char *)id};
    const config_node_t *cfg = s_node(x, as, 0, err);
    if (!cfg || cli_node_ask(cfg, cmd, args, 1, 10000, js, why, sizeof why) != CLI_OK) {
        if (cfg) {
            err_set(err, CC_FAILED_PRECONDITION, "%s %s: %s", cmd, id, why);
        }
        return -1;
    }
    return 0;
}

/* ---- policies ---- */

/* 1 if the scenario gives code an automatic policy: a [policy] section
 * for it (or [policy *]) without auto_vote = false. */
static int s_automatic(const s_run_t *x, const char *code)
{
    const scenario_section_t *p = scenario_policy(x->s, code);
    const char *on = scenario_get(p, "auto_vote");
    return p && (!on || strcmp(on, "true") == 0);
}

/* Gives every node its automatic voting policy: [policy CODE], else
 * [policy *], else manual. All settings are sent, so a rerun on the same
 * federation starts from the scenario's policy, not the last one. */
static int s_policies(s_run_t *x, cc_err_t *err)
{
    size_t automatic = 0;
    for (size_t i = 0; i < scenario_count(x->s); i++) {
        const scenario_section_t *sec = scenario_at(x->s, i);
        if (sec->kind == SCENARIO_POLICY && strcmp(sec->arg, "*") != 0 &&
            !s_node(x, sec->arg, sec->line, err)) {
            return -1;
        }
    }
    for (size_t i = 0; i < x->f->n_orgs; i++) {
        const scenario_section_t *p = scenario_policy(x->s, x->f->orgs[i].code);
        int is_on = s_automatic(x, x->f->orgs[i].code);
        int64_t above = 0, below = 0;
        const char *v;
        if ((v = scenario_get(p, "against_above"))) {
            money_parse(v, &above, NULL);
        }
        if ((v = scenario_get(p, "for_below"))) {
            money_parse(v, &below, NULL);
        }
        char a[5][300], why[CC_ERR_MSG_MAX + 128];
        char *args[5] = {a[0], a[1], a[2], a[3], a[4]};
        snprintf(a[0], sizeof a[0], "auto_vote=%s", is_on ? "true" : "false");
        snprintf(a[1], sizeof a[1], "abstain_areas=%s",
                 (v = scenario_get(p, "abstain_areas")) ? v : "");
        snprintf(a[2], sizeof a[2], "against_areas=%s",
                 (v = scenario_get(p, "against_areas")) ? v : "");
        snprintf(a[3], sizeof a[3], "against_above=%lld", (long long)above);
        snprintf(a[4], sizeof a[4], "for_below=%lld", (long long)below);
        const config_node_t *cfg = s_node(x, x->f->orgs[i].code, p ? p->line : 0, err);
        if (!cfg ||
            cli_node_ask(cfg, "auto-vote", args, 5, 10000, NULL, why, sizeof why) != CLI_OK) {
            if (cfg) {
                err_set(err, CC_FAILED_PRECONDITION, "%s: voting policy: %s", x->f->orgs[i].code,
                        why);
            }
            return -1;
        }
        automatic += (size_t)is_on;
    }
    s_say(x, "voting policies set: %zu automatic, %zu manual", automatic, x->f->n_orgs - automatic);
    return 0;
}

/* ---- board ---- */

static int s_step_board(s_run_t *x, const scenario_section_t *sec, cc_err_t *err)
{
    char file[PATH_MAX];
    const char *as = scenario_get(sec, "as");
    const char *name = scenario_get(sec, "file");
    for (size_t i = 0; !as && i < x->f->n_orgs; i++) { /* default: the first council */
        if (strcmp(x->f->orgs[i].constituency, "local-government") == 0) {
            as = x->f->orgs[i].code;
        }
    }
    as = as ? as : x->f->orgs[0].code;
    if (name) {
        s_file(x, name, file, sizeof file);
    } else {
        snprintf(file, sizeof file, "%s/board.ini", x->dir);
    }
    uint64_t t = clock_mono_ms();
    char *js = NULL, adoption[40] = "";
    if (s_as(x, as, sec->line, &js, err, "board", "create", "--file", file, NULL) != CLI_OK) {
        free(js);
        return -1;
    }
    json_find_str(js, "board", x->board, sizeof x->board);
    json_find_str(js, "id", adoption, sizeof adoption);
    free(js);
    s_say(x, "%s proposed board %s from %s (adoption %.12s)", as, x->board, file, adoption);
    /* Members without an automatic policy adopt the charter by hand,
     * each once its own node has the adoption proposal. */
    char code[KEYS_CODE_MAX + 1];
    if (s_show(x, as, "board-show", x->board, &js, err) < 0) {
        return -1;
    }
    for (const char *at = json_find_str(js, "code", code, sizeof code); at;
         at = json_find_str(at, "code", code, sizeof code)) {
        if (!s_automatic(x, code) &&
            (s_wait(x, code, "proposal-show", adoption, NULL, NULL, err) < 0 ||
             s_as(x, code, sec->line, NULL, err, "vote", adoption, "for", "--reason",
                  "adopts the charter", NULL) != CLI_OK)) {
            free(js);
            return -1;
        }
    }
    free(js);
    if (s_wait(x, as, "board-show", x->board, "active", "true", err) < 0) {
        return -1;
    }
    s_say(x, "board %s adopted by every member in %.1f s", x->board, s_secs(t));
    return 0;
}

/* ---- proposals and votes ---- */

/* Sends a proposal (argv: a CLI command that answers with it) as the
 * step's `as`, after that node has seen the board active, and records it
 * under the step's name. */
static int s_submit(s_run_t *x, const scenario_section_t *sec, const char *board, int n,
                    char **argv, cc_err_t *err)
{
    const char *title = scenario_get(sec, "title") ? scenario_get(sec, "title")
                                                   : scenario_get(sec, "file");
    if (!*board || x->n_props == S_PROPS_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:%d: %s", scenario_path(x->s), sec->line,
                *board ? "too many proposals" : "no board: add board = ID or a [board] step first");
        return -1;
    }
    s_prop_t *p = &x->props[x->n_props];
    memset(p, 0, sizeof *p);
    snprintf(p->label, sizeof p->label, "%s", scenario_get(sec, "name"));
    snprintf(p->as, sizeof p->as, "%s", scenario_get(sec, "as"));
    p->expect = scenario_get(sec, "expect");
    /* The proposer's node must itself see the board active. */
    if (s_wait(x, p->as, "board-show", board, "active", "true", err) < 0) {
        return -1;
    }
    p->sent_ms = clock_mono_ms();
    char *js = NULL;
    int rc = s_run_argv(x, p->as, sec->line, &js, err, n, argv);
    if (rc == CLI_OK && !json_find_str(js, "id", p->id, sizeof p->id)) {
        err_set(err, CC_INTERNAL, "%s:%d: the node's answer names no proposal", scenario_path(x->s),
                sec->line);
        rc = CLI_FAIL;
    }
    free(js);
    if (rc != CLI_OK) {
        return -1;
    }
    x->n_props++;
    s_say(x, "%s proposed '%s' to %s: proposal %.12s (%s)", p->as, title, board, p->id, p->label);
    return 0;
}

static int s_step_propose(s_run_t *x, const scenario_section_t *sec, cc_err_t *err)
{
    char *argv[24];
    int n = 0;
    const char *v;
    static const char *const opts[][2] = {
        {"text", "--text"}, {"area", "--area"}, {"amount", "--amount"}, {"realign", "--realign"}};
    const char *board = scenario_get(sec, "board") ? scenario_get(sec, "board") : x->board;
    argv[n++] = "propose";
    argv[n++] = "--board";
    argv[n++] = (char *)board;
    argv[n++] = "--title";
    argv[n++] = (char *)scenario_get(sec, "title");
    argv[n++] = "--closes-in";
    argv[n++] = (char *)((v = scenario_get(sec, "closes_in")) ? v : "1h");
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        if ((v = scenario_get(sec, opts[i][0]))) {
            argv[n++] = (char *)opts[i][1];
            argv[n++] = (char *)v;
        }
    }
    argv[n] = NULL;
    return s_submit(x, sec, board, n, argv, err);
}

static int s_step_vote(s_run_t *x, const scenario_section_t *sec, cc_err_t *err)
{
    s_prop_t *p = s_prop(x, scenario_get(sec, "proposal"));
    const char *as = scenario_get(sec, "as"), *vote = scenario_get(sec, "vote");
    const char *reason = scenario_get(sec, "reason");
    if (s_wait(x, as, "proposal-show", p->id, NULL, NULL, err) < 0) {
        return -1;
    }
    if (s_as(x, as, sec->line, NULL, err, "vote", p->id, vote, reason ? "--reason" : NULL, reason,
             NULL) != CLI_OK) {
        /* Voting closes as soon as the outcome cannot change; a ballot
         * after that is refused by every node, which is the rule, not a
         * failure of the run. */
        char why[CC_ERR_MSG_MAX + 128], *js = NULL;
        char *args[1] = {p->id};
        const config_node_t *cfg = s_node(x, as, sec->line, NULL);
        int closed =
            cfg &&
            cli_node_ask(cfg, "proposal-show", args, 1, 10000, &js, why, sizeof why) == CLI_OK &&
            json_find_bool(js, "closed") == 1;
        free(js);
        if (closed) {
            s_say(x, "%s's %s on %s refused: voting had closed", as, vote, p->label);
            return 0;
        }
        return -1;
    }
    s_say(x, "%s voted %s on %s%s%s", as, vote, p->label, reason ? ": " : "", reason ? reason : "");
    return 0;
}

/* Waits for a proposal's decision, exports its certificate as the
 * proposer and verifies it against the federation's roster, offline, as
 * `concord verify` does. */
static int s_decide(s_run_t *x, s_prop_t *p, cc_err_t *err)
{
    char *js = NULL;
    if (s_wait(x, p->as, "proposal-show", p->id, "closed", "true", err) < 0 ||
        s_show(x, p->as, "proposal-show", p->id, &js, err) < 0) {
        return -1;
    }
    p->seconds = s_secs(p->sent_ms);
    p->decided = 1;
    json_find_str(js, "outcome", p->outcome, sizeof p->outcome);
    free(js);
    s_say(x, "%s %s after %.1f s", p->label, p->outcome, p->seconds);
    snprintf(p->cert, sizeof p->cert, "%s/%s.cert", x->cert_dir, p->label);
    if (s_as(x, p->as, 0, NULL, err, "decision", "export", p->id, "--out", p->cert, NULL) !=
        CLI_OK) {
        return -1;
    }
    char roster_path[PATH_MAX];
    snprintf(roster_path, sizeof roster_path, "%s/roster.bin", x->dir);
    roster_t *r = roster_load(roster_path, err);
    FILE *fp = fopen(p->cert, "rb");
    uint8_t *buf = malloc(CERTIFICATE_MAX);
    size_t len = fp && buf ? fread(buf, 1, CERTIFICATE_MAX, fp) : 0;
    certificate_report_t rep;
    cc_err_t verr;
    err_set(&verr, CC_NOT_FOUND, "cannot read %s", r ? p->cert : roster_path);
    if (r && len > 0 && certificate_verify(buf, len, r, &rep, &verr) == 0) {
        snprintf(p->verified, sizeof p->verified, "%s",
                 strcmp(rep.outcome, p->outcome) == 0 ? "yes" : "outcome differs");
        certificate_report_free(&rep);
    } else {
        snprintf(p->verified, sizeof p->verified, "NO: %s", verr.msg);
    }
    if (fp) {
        fclose(fp);
    }
    free(buf);
    roster_destroy(&r);
    s_say(x, "certificate %s: verified %s", p->cert, p->verified);
    return 0;
}

/* A step that needs a decision first: it must have passed. */
static int s_need_passed(s_run_t *x, const scenario_section_t *sec, const char *key, cc_err_t *err)
{
    const char *label = scenario_get(sec, key);
    s_prop_t *p = label ? s_prop(x, label) : NULL;
    if (!p) {
        return 0;
    }
    if (!p->decided && s_decide(x, p, err) < 0) {
        return -1;
    }
    if (strcmp(p->outcome, "PASSED") != 0) {
        err_set(err, CC_FAILED_PRECONDITION, "%s:%d: [%s] needs %s to have passed; it %s",
                scenario_path(x->s), sec->line, scenario_kind_name(sec->kind), label, p->outcome);
        return -1;
    }
    return 0;
}

static void s_check(s_run_t *x, const char *what, const char *got, const char *want)
{
    if (x->n_checks < S_CHECKS_MAX) {
        s_check_t *c = &x->checks[x->n_checks++];
        snprintf(c->what, sizeof c->what, "%s", what);
        snprintf(c->got, sizeof c->got, "%s", got);
        snprintf(c->want, sizeof c->want, "%s", want ? want : "");
    }
}

/* ---- pooled funds ---- */

/* A Section 75 agreement is a proposal to the partners' board: the step
 * proposes it, waits for the board's decision and certifies it, so that
 * the pledges that follow find the pool. */
static int s_step_pool(s_run_t *x, const scenario_section_t *sec, cc_err_t *err)
{
    char file[PATH_MAX];
    const char *v, *board = scenario_get(sec, "board") ? scenario_get(sec, "board") : x->board;
    s_file(x, scenario_get(sec, "file"), file, sizeof file);
    char *argv[] = {"pool", "propose", "--file", file, "--board", (char *)board,
                    "--closes-in", (char *)((v = scenario_get(sec, "closes_in")) ? v : "1h"), NULL};
    if (s_submit(x, sec, board, 8, argv, err) < 0) {
        return -1;
    }
    return s_decide(x, &x->props[x->n_props - 1], err);
}

static int s_step_pledges(s_run_t *x, const scenario_section_t *sec, cc_err_t *err)
{
    const char *pool = scenario_get(sec, "pool"), *year = scenario_get(sec, "year");
    const char *last = NULL;
    size_t n = 0;
    uint64_t t = clock_mono_ms();
    for (size_t i = 0; i < sec->n_kv; i++) {
        const scenario_kv_t *kv = &sec->kv[i];
        if (strcmp(kv->key, "pool") == 0 || strcmp(kv->key, "year") == 0 ||
            strcmp(kv->key, "expect") == 0) {
            continue;
        }
        if (s_wait(x, kv->key, "pool-show", pool, "status", "AWAITING_PLEDGES", err) < 0 ||
            s_as(x, kv->key, kv->line, NULL, err, "pool", "pledge", pool, "--year", year,
                 "--amount", kv->value, NULL) != CLI_OK) {
            return -1;
        }
        last = kv->key;
        n++;
    }
    char *js = NULL, status[32] = "", what[80];
    const char *want = scenario_get(sec, "expect");
    /* The last pledge reaches the last pledger first; let it settle. */
    if (want && strcmp(want, "active") == 0) {
        s_wait(x, last, "pool-show", pool, "status", "ACTIVE", err);
    }
    if (s_show(x, last, "pool-show", pool, &js, err) < 0) {
        return -1;
    }
    json_find_str(js, "status", status, sizeof status);
    free(js);
    s_say(x, "%zu partners pledged to %s for %s in %.1f s: pool %s", n, pool, year, s_secs(t),
          status);
    snprintf(what, sizeof what, "pool %s %s", pool, year);
    s_check(x, what, status,
            !want                         ? NULL
            : strcmp(want, "active") == 0 ? "ACTIVE"
                                          : "AWAITING_PLEDGES");
    return 0;
}

/* ---- Better Care Fund ---- */

typedef struct {
    char (*codes)[KEYS_CODE_MAX + 1];
    size_t n;
} s_ccgs_t;

/* The CCGs a plan file names in its [ccg] section. */
static int s_plan_ccg(void *user, const char *section, const char *arg, const char *key,
                      const char *value, int line, cc_err_t *err)
{
    s_ccgs_t *c = user;
    (void)arg;
    (void)value;
    (void)line;
    (void)err;
    if (key && strcmp(section, "ccg") == 0 && c->n < S_LIST_MAX) {
        snprintf(c->codes[c->n++], sizeof c->codes[0], "%s", key);
    }
    return 0;
}

static int s_step_bcf(s_run_t *x, const scenario_section_t *sec, cc_err_t *err)
{
    static char codes[S_LIST_MAX][KEYS_CODE_MAX + 1];
    s_ccgs_t ccgs = {codes, 0};
    char file[PATH_MAX], id[40] = "", dec[40] = "", *js = NULL;
    const char *as = scenario_get(sec, "as"), *nhse = scenario_get(sec, "nhse");
    const char *label = scenario_get(sec, "decision");
    int l = sec->line;
    uint64_t t = clock_mono_ms();
    nhse = nhse ? nhse : FEDERATION_NHSE_CODE;
    s_file(x, scenario_get(sec, "file"), file, sizeof file);
    if (s_need_passed(x, sec, "decision", err) < 0 ||
        inifile_read(file, s_plan_ccg, &ccgs, err) < 0 ||
        s_as(x, as, l, &js, err, "bcf", "plan", "--file", file, NULL) != CLI_OK) {
        free(js);
        return -1;
    }
    json_find_str(js, "id", id, sizeof id);
    free(js);
    snprintf(dec, sizeof dec, "%s", label ? s_prop(x, label)->id : "");
    if (s_as(x, as, l, NULL, err, "bcf", "sign", id, "--act", "hwb", dec[0] ? "--decision" : NULL,
             dec, NULL) != CLI_OK ||
        s_as(x, as, l, NULL, err, "bcf", "sign", id, "--act", "council", NULL) != CLI_OK) {
        return -1;
    }
    for (size_t i = 0; i < ccgs.n; i++) {
        if (s_wait(x, codes[i], "bcf-show", id, NULL, NULL, err) < 0 ||
            s_as(x, codes[i], l, NULL, err, "bcf", "sign", id, "--act", "ccg", NULL) != CLI_OK) {
            return -1;
        }
    }
    s_say(x, "BCF plan %s: HWB agreement and council sign-off by %s, %zu CCG sign-offs", id, as,
          ccgs.n);
    if (s_wait(x, nhse, "bcf-show", id, "approvable", "true", err) < 0 ||
        s_as(x, nhse, l, NULL, err, "bcf", "approve", id, NULL) != CLI_OK ||
        s_show(x, as, "bcf-show", id, &js, err) < 0) {
        return -1;
    }
    int approved = json_find_bool(js, "approved") == 1;
    free(js);
    s_say(x, "BCF plan %s %s by %s after %.1f s", id, approved ? "approved" : "NOT approved", nhse,
          s_secs(t));
    char what[80];
    const char *want = scenario_get(sec, "expect");
    snprintf(what, sizeof what, "BCF plan %s", id);
    s_check(x, what, approved ? "APPROVED" : "NOT APPROVED",
            !want                           ? NULL
            : strcmp(want, "approved") == 0 ? "APPROVED"
                                            : "NOT APPROVED");
    return 0;
}

/* ---- the run ---- */

static int s_step(s_run_t *x, const scenario_section_t *sec, cc_err_t *err)
{
    switch (sec->kind) {
    case SCENARIO_BOARD:
        return s_step_board(x, sec, err);
    case SCENARIO_PROPOSE:
        return s_step_propose(x, sec, err);
    case SCENARIO_VOTE:
        return s_step_vote(x, sec, err);
    case SCENARIO_POOL:
        return s_step_pool(x, sec, err);
    case SCENARIO_PLEDGES:
        return s_step_pledges(x, sec, err);
    case SCENARIO_BCF:
        return s_step_bcf(x, sec, err);
    default:
        return 0; /* [scenario], [federation] and [policy] are not steps */
    }
}

static int s_prop_met(const s_prop_t *p)
{
    return strcmp(p->verified, "yes") == 0 &&
           (!p->expect || strcasecmp(p->expect, p->outcome) == 0);
}

static int s_check_met(const s_check_t *c)
{
    return !c->want[0] || strcmp(c->got, c->want) == 0;
}

/* The report as JSON on stdout; returns the number of expectations not met. */
static int s_report_json(const s_run_t *x)
{
    int unmet = 0;
    json_t j;
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_str(&j, "scenario", scenario_get(scenario_find(x->s, SCENARIO_META), "name"));
    json_str(&j, "federation", x->dir);
    json_arr_begin(&j, "proposals");
    for (size_t i = 0; i < x->n_props; i++) {
        const s_prop_t *p = &x->props[i];
        unmet += !s_prop_met(p);
        json_obj_begin(&j, NULL);
        json_str(&j, "name", p->label);
        json_str(&j, "id", p->id);
        json_str(&j, "outcome", p->outcome);
        json_str(&j, "expected", p->expect);
        json_double(&j, "decided_after_s", p->seconds, 3);
        json_str(&j, "certificate", p->cert);
        json_bool(&j, "verified", strcmp(p->verified, "yes") == 0);
        json_str(&j, "verify_problem", strcmp(p->verified, "yes") == 0 ? NULL : p->verified);
        json_bool(&j, "met", s_prop_met(p));
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_arr_begin(&j, "checks");
    for (size_t i = 0; i < x->n_checks; i++) {
        const s_check_t *c = &x->checks[i];
        unmet += !s_check_met(c);
        json_obj_begin(&j, NULL);
        json_str(&j, "what", c->what);
        json_str(&j, "state", c->got);
        json_str(&j, "expected", c->want[0] ? c->want : NULL);
        json_bool(&j, "met", s_check_met(c));
        json_obj_end(&j);
    }
    json_arr_end(&j);
    json_bool(&j, "every_expectation_met", unmet == 0);
    json_double(&j, "seconds", s_secs(x->t0), 3);
    json_obj_end(&j);
    char *js = json_take(&j);
    printf("%s\n", js ? js : "{}");
    free(js);
    return unmet;
}

/* Prints the report; returns the number of expectations not met. */
static int s_report(const s_run_t *x)
{
    int unmet = 0;
    printf("\n%-16s %-8s %-9s %9s  %-8s %s\n", "PROPOSAL", "OUTCOME", "EXPECTED", "DECIDED",
           "VERIFIED", "CERTIFICATE");
    for (size_t i = 0; i < x->n_props; i++) {
        const s_prop_t *p = &x->props[i];
        int ok = s_prop_met(p);
        unmet += !ok;
        printf("%-16s %-8s %-9s %8.1fs  %-8s %s%s\n", p->label, p->outcome,
               p->expect ? p->expect : "-", p->seconds,
               strcmp(p->verified, "yes") == 0 ? "yes" : "NO", p->cert, ok ? "" : "  <- unmet");
    }
    for (size_t i = 0; i < x->n_checks; i++) {
        const s_check_t *c = &x->checks[i];
        int ok = s_check_met(c);
        unmet += !ok;
        printf("%-26s %-16s expected %s%s\n", c->what, c->got, c->want[0] ? c->want : "-",
               ok ? "" : "  <- unmet");
    }
    return unmet;
}

int scenario_run(const scenario_t *s, const char *dir, const federation_t *f, const char *cert_dir,
                 int json, cc_err_t *err)
{
    s_run_t *x = calloc(1, sizeof *x);
    int rc = -1;
    if (!x || !(x->cfgs = calloc(f->n_orgs, sizeof *x->cfgs)) ||
        !(x->loaded = calloc(f->n_orgs, sizeof *x->loaded))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto out;
    }
    x->s = s;
    x->dir = dir;
    x->f = f;
    x->cert_dir = cert_dir;
    x->t0 = clock_mono_ms();
    x->timeout_ms = scenario_timeout_ms(s);
    x->out = json ? stderr : stdout;
    if (mkdir(cert_dir, 0755) != 0 && errno != EEXIST) {
        err_set(err, CC_INVALID_ARGUMENT, "cannot create %s: %s", cert_dir, strerror(errno));
        goto out;
    }
    if (s_policies(x, err) < 0) {
        goto out;
    }
    for (size_t i = 0; i < scenario_count(s); i++) {
        if (s_step(x, scenario_at(s, i), err) < 0) {
            goto out;
        }
    }
    for (size_t i = 0; i < x->n_props; i++) {
        if (!x->props[i].decided && s_decide(x, &x->props[i], err) < 0) {
            goto out;
        }
    }
    int unmet = json ? s_report_json(x) : s_report(x);
    if (!json) {
        printf("\n%s: %s in %.1f s\n", scenario_get(scenario_find(s, SCENARIO_META), "name"),
               unmet ? "SOME EXPECTATIONS NOT MET" : "every expectation met", s_secs(x->t0));
    }
    rc = unmet ? 1 : 0;
out:
    if (x) {
        free(x->cfgs);
        free(x->loaded);
    }
    free(x);
    return rc;
}
