/* SPDX-License-Identifier: Apache-2.0 */
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

#include <sodium.h>

#include "board_names.h"
#include "certificate.h"
#include "cli.h"
#include "cli_ini.h"
#include "clock.h"
#include "config.h"
#include "control_client.h"
#include "inifile.h"
#include "keys.h"
#include "json.h"
#include "money.h"
#include "roster.h"
#include "wire.h"

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

/* Calls Control method `method` with request in on code's node, waiting
 * up to wait_ms for the answer (plus slack). Returns the reply (caller
 * frees with wire_free), or NULL with err naming the step's line, the
 * method and the node's reason. */
static ProtobufCMessage *s_call(s_run_t *x, const char *code, int line, const char *method,
                                const ProtobufCMessage *in, uint32_t wait_ms, cc_err_t *err)
{
    cc_err_t why;
    const config_node_t *cfg = s_node(x, code, line, err);
    if (!cfg) {
        return NULL;
    }
    ProtobufCMessage *r =
        control_client_call(cfg->control, method, in, (int)(wait_ms + CONTROL_CLIENT_SLACK_MS),
                            NULL, &why);
    if (!r) {
        err_set(err, why.code == CC_OK ? CC_INTERNAL : why.code, "%s:%d: %s as %s: %s: %s",
                scenario_path(x->s), line, method, code, err_code_name(why.code), why.msg);
    }
    return r;
}

/* The same for a request that publishes an event: waits as long as the
 * node's own call timeout. */
static ProtobufCMessage *s_act(s_run_t *x, const char *code, int line, const char *method,
                               const ProtobufCMessage *in, cc_err_t *err)
{
    const config_node_t *cfg = s_node(x, code, line, err);
    return cfg ? s_call(x, code, line, method, in, cfg->call_timeout_ms, err) : NULL;
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

/* What a wait looks for in a reply: 1 when seen. */
typedef int (*s_seen_fn)(const ProtobufCMessage *reply);

/* Waits until code's node answers method with request in and seen (NULL:
 * any answer) says the reply shows what is awaited, described by `what`:
 * events reach each node in its own time, and a node judges an act
 * against what it has seen. Returns 0, or -1 with err after the
 * scenario's timeout. */
static int s_wait(s_run_t *x, const char *code, const char *method, const ProtobufCMessage *in,
                  s_seen_fn seen, const char *what, cc_err_t *err)
{
    const config_node_t *cfg = s_node(x, code, 0, err);
    uint64_t until = clock_mono_ms() + x->timeout_ms;
    while (cfg && clock_mono_ms() < until) {
        cc_err_t why;
        ProtobufCMessage *r = control_client_call(cfg->control, method, in, 10000, NULL, &why);
        int ok = r && (!seen || seen(r));
        wire_free(r);
        if (ok) {
            return 0;
        }
        s_sleep_ms(S_POLL_MS);
    }
    if (cfg) {
        err_set(err, CC_DEADLINE_EXCEEDED, "%s did not see %s within %llu s", code, what,
                (unsigned long long)(x->timeout_ms / 1000));
    }
    return -1;
}

static int s_board_active(const ProtobufCMessage *r)
{
    return ((const Concord__V1__BoardShowReply *)r)->active;
}

static int s_proposal_closed(const ProtobufCMessage *r)
{
    return ((const Concord__V1__ProposalView *)r)->closed;
}

static int s_pool_active(const ProtobufCMessage *r)
{
    const Concord__V1__PoolEventReply *e = (const Concord__V1__PoolEventReply *)r;
    return e->pool && e->pool->active;
}

static int s_pool_awaiting(const ProtobufCMessage *r)
{
    const Concord__V1__PoolEventReply *e = (const Concord__V1__PoolEventReply *)r;
    return e->pool && e->pool->in_force && !e->pool->active;
}

/* The instrument a partner must see before it executes: the last passed
 * [vary] that left partners out, or "" (the agreement). The runner is
 * single-threaded; s_pool_on_instrument reads it. */
static char s_instrument[40];

static int s_pool_on_instrument(const ProtobufCMessage *r)
{
    const Concord__V1__PoolEventReply *e = (const Concord__V1__PoolEventReply *)r;
    return e->pool && (!s_instrument[0] || strcmp(e->pool->instrument, s_instrument) == 0);
}

static int s_pool_in_force(const ProtobufCMessage *r)
{
    const Concord__V1__PoolEventReply *e = (const Concord__V1__PoolEventReply *)r;
    return e->pool && e->pool->in_force;
}

static int s_plan_approvable(const ProtobufCMessage *r)
{
    return ((const Concord__V1__BcfView *)r)->approvable;
}

/* Waits until code's node sees board active. */
static int s_wait_board(s_run_t *x, const char *code, const char *board, cc_err_t *err)
{
    char what[80];
    Concord__V1__BoardShowRequest in = CONCORD__V1__BOARD_SHOW_REQUEST__INIT;
    in.board_id = (char *)board;
    snprintf(what, sizeof what, "board %.40s active", board);
    return s_wait(x, code, "BoardShow", &in.base, s_board_active, what, err);
}

/* Waits until code's node has proposal id (closed, if closed). */
static int s_wait_proposal(s_run_t *x, const char *code, const char *id, int closed,
                           cc_err_t *err)
{
    char what[80];
    Concord__V1__ProposalShowRequest in = CONCORD__V1__PROPOSAL_SHOW_REQUEST__INIT;
    in.proposal_id = (char *)id;
    snprintf(what, sizeof what, "proposal %.40s%s", id, closed ? " closed" : "");
    return s_wait(x, code, "ProposalShow", &in.base, closed ? s_proposal_closed : NULL, what,
                  err);
}

/* Waits until code's node shows pool `pool` active (or, active 0,
 * awaiting pledges). */
static int s_wait_pool(s_run_t *x, const char *code, const char *pool, int active,
                       cc_err_t *err)
{
    char what[80];
    Concord__V1__PoolShowRequest in = CONCORD__V1__POOL_SHOW_REQUEST__INIT;
    in.id = (char *)pool;
    snprintf(what, sizeof what, "pool %.40s %s", pool, active ? "ACTIVE" : "AWAITING_PLEDGES");
    return s_wait(x, code, "PoolShow", &in.base, active ? s_pool_active : s_pool_awaiting, what,
                  err);
}

/* Waits until code's node has BCF plan id (approvable, if approvable). */
static int s_wait_plan(s_run_t *x, const char *code, const char *id, int approvable,
                       cc_err_t *err)
{
    char what[80];
    Concord__V1__BcfShowRequest in = CONCORD__V1__BCF_SHOW_REQUEST__INIT;
    in.plan_id = (char *)id;
    snprintf(what, sizeof what, "BCF plan %.40s%s", id, approvable ? " approvable" : "");
    return s_wait(x, code, "BcfShow", &in.base, approvable ? s_plan_approvable : NULL, what,
                  err);
}

/* Proposal id as code's node shows it (caller frees), or NULL with err. */
static Concord__V1__ProposalView *s_proposal_show(s_run_t *x, const char *code, const char *id,
                                                  cc_err_t *err)
{
    Concord__V1__ProposalShowRequest in = CONCORD__V1__PROPOSAL_SHOW_REQUEST__INIT;
    in.proposal_id = (char *)id;
    return (Concord__V1__ProposalView *)s_call(x, code, 0, "ProposalShow", &in.base, 0, err);
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
        const char *code = x->f->orgs[i].code;
        const scenario_section_t *p = scenario_policy(x->s, code);
        int is_on = s_automatic(x, code);
        const char *v;
        Concord__V1__AutoVoteRequest in = CONCORD__V1__AUTO_VOTE_REQUEST__INIT;
        in.has_auto_vote = in.has_abstain_areas = in.has_against_areas = 1;
        in.has_against_above = in.has_for_below = 1;
        in.auto_vote = is_on;
        in.abstain_areas = (char *)((v = scenario_get(p, "abstain_areas")) ? v : "");
        in.against_areas = (char *)((v = scenario_get(p, "against_areas")) ? v : "");
        if ((v = scenario_get(p, "against_above"))) {
            money_parse(v, &in.against_above_pence, NULL);
        }
        if ((v = scenario_get(p, "for_below"))) {
            money_parse(v, &in.for_below_pence, NULL);
        }
        ProtobufCMessage *r = s_call(x, code, p ? p->line : 0, "AutoVote", &in.base, 0, err);
        if (!r) {
            err_prefix(err, "%s: voting policy", code);
            return -1;
        }
        wire_free(r);
        automatic += (size_t)is_on;
    }
    s_say(x, "voting policies set: %zu automatic, %zu manual", automatic, x->f->n_orgs - automatic);
    return 0;
}

/* ---- board ---- */

/* Casts code's ballot on proposal id; returns 0 or -1 with err. */
static int s_ballot(s_run_t *x, const char *code, int line, const char *id, int vote,
                    const char *reason, cc_err_t *err)
{
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    Concord__V1__VoteRequest in = CONCORD__V1__VOTE_REQUEST__INIT;
    b.proposal_id = (char *)id;
    b.vote = (Concord__V1__Vote)vote;
    b.reason = (char *)(reason ? reason : "");
    in.ballot = &b;
    ProtobufCMessage *r = s_act(x, code, line, "Vote", &in.base, err);
    wire_free(r);
    return r ? 0 : -1;
}

static int s_step_board(s_run_t *x, const scenario_section_t *sec, cc_err_t *err)
{
    char file[PATH_MAX], roster_path[PATH_MAX], adoption[40] = "";
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
    snprintf(roster_path, sizeof roster_path, "%s/roster.bin", x->dir);
    roster_t *roster = roster_load(roster_path, err);
    Concord__V1__ProposeRequest in = CONCORD__V1__PROPOSE_REQUEST__INIT;
    Concord__V1__Proposal p;
    int ok = roster && cli_board_charter(file, roster, &p) == CLI_OK;
    Concord__V1__ProposalView *pv = NULL;
    if (ok) {
        in.proposal = &p;
        pv = (Concord__V1__ProposalView *)s_act(x, as, sec->line, "Propose", &in.base, err);
    } else if (roster) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:%d: charter %s (see above)", scenario_path(x->s),
                sec->line, file);
    }
    roster_destroy(&roster);
    if (!pv) {
        return -1;
    }
    snprintf(x->board, sizeof x->board, "%s", pv->board_id);
    snprintf(adoption, sizeof adoption, "%s", pv->id);
    wire_free(&pv->base);
    s_say(x, "%s proposed board %s from %s (adoption %.12s)", as, x->board, file, adoption);
    /* Members without an automatic policy adopt the charter by hand,
     * each once its own node has the adoption proposal. */
    Concord__V1__BoardShowRequest bs = CONCORD__V1__BOARD_SHOW_REQUEST__INIT;
    bs.board_id = x->board;
    Concord__V1__BoardShowReply *board =
        (Concord__V1__BoardShowReply *)s_call(x, as, sec->line, "BoardShow", &bs.base, 0, err);
    if (!board || !board->charter) {
        wire_free(board ? &board->base : NULL);
        return -1;
    }
    for (size_t i = 0; i < board->charter->n_members; i++) {
        const char *code = board->charter->members[i]->code;
        if (!s_automatic(x, code) &&
            (s_wait_proposal(x, code, adoption, 0, err) < 0 ||
             s_ballot(x, code, sec->line, adoption, CONCORD__V1__VOTE__FOR, "adopts the charter",
                      err) < 0)) {
            wire_free(&board->base);
            return -1;
        }
    }
    wire_free(&board->base);
    if (s_wait_board(x, as, x->board, err) < 0) {
        return -1;
    }
    s_say(x, "board %s adopted by every member in %.1f s", x->board, s_secs(t));
    return 0;
}

/* ---- proposals and votes ---- */

/* Sends a proposal (method with request in, answered with the proposal)
 * as the step's `as`, after that node has seen the board active, and
 * records it under the step's name. */
static int s_submit(s_run_t *x, const scenario_section_t *sec, const char *board,
                    const char *method, const ProtobufCMessage *in, cc_err_t *err)
{
    const char *title = scenario_get(sec, "title")    ? scenario_get(sec, "title")
                        : scenario_get(sec, "file")   ? scenario_get(sec, "file")
                        : scenario_get(sec, "reason") ? scenario_get(sec, "reason")
                                                      : scenario_get(sec, "name");
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
    if (s_wait_board(x, p->as, board, err) < 0) {
        return -1;
    }
    p->sent_ms = clock_mono_ms();
    Concord__V1__ProposalView *pv =
        (Concord__V1__ProposalView *)s_act(x, p->as, sec->line, method, in, err);
    if (!pv) {
        return -1;
    }
    if (!pv->id[0]) {
        err_set(err, CC_INTERNAL, "%s:%d: the node's answer names no proposal", scenario_path(x->s),
                sec->line);
        wire_free(&pv->base);
        return -1;
    }
    snprintf(p->id, sizeof p->id, "%s", pv->id);
    wire_free(&pv->base);
    x->n_props++;
    s_say(x, "%s proposed '%s' to %s: proposal %.12s (%s)", p->as, title, board, p->id, p->label);
    return 0;
}

/* A scenario's closes_in (default one hour) as a deadline. */
static int s_closes_at(const s_run_t *x, const scenario_section_t *sec, uint64_t *at,
                       cc_err_t *err)
{
    const char *v = scenario_get(sec, "closes_in");
    uint64_t ms = 3600000;
    if (v && cli_duration(v, &ms) < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:%d: bad closes_in '%s' (like 7d, 12h, 30m, 90s)",
                scenario_path(x->s), sec->line, v);
        return -1;
    }
    *at = clock_wall_ms() + ms;
    return 0;
}

static int s_step_propose(s_run_t *x, const scenario_section_t *sec, cc_err_t *err)
{
    const char *v;
    const char *board = scenario_get(sec, "board") ? scenario_get(sec, "board") : x->board;
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    Concord__V1__Realignment ra = CONCORD__V1__REALIGNMENT__INIT;
    Concord__V1__ProposeRequest in = CONCORD__V1__PROPOSE_REQUEST__INIT;
    char org[KEYS_CODE_MAX + 1];
    cc_err_t why;
    p.kind = CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION;
    p.board_id = (char *)board;
    p.title = (char *)scenario_get(sec, "title");
    if (s_closes_at(x, sec, &p.closes_at_ms, err) < 0) {
        return -1;
    }
    if ((v = scenario_get(sec, "text"))) {
        p.text = (char *)v;
    }
    if ((v = scenario_get(sec, "area"))) {
        int area = board_names_area_parse(v);
        if (area < 0) {
            err_set(err, CC_INVALID_ARGUMENT, "%s:%d: unknown service area '%s'",
                    scenario_path(x->s), sec->line, v);
            return -1;
        }
        p.area = (Concord__V1__ServiceArea)area;
    }
    if ((v = scenario_get(sec, "amount")) && money_parse(v, &p.amount_pence, &why) < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:%d: %s", scenario_path(x->s), sec->line, why.msg);
        return -1;
    }
    if ((v = scenario_get(sec, "bcf_plan"))) {
        p.bcf_plan = (char *)v; /* an HWB board's agreement to that BCF plan */
    }
    if ((v = scenario_get(sec, "realign"))) {
        const char *eq = strchr(v, '=');
        if (!eq || eq == v || (size_t)(eq - v) > KEYS_CODE_MAX) {
            err_set(err, CC_INVALID_ARGUMENT, "%s:%d: realign wants ORGANISATION=FOOTPRINT, not"
                    " '%s'", scenario_path(x->s), sec->line, v);
            return -1;
        }
        snprintf(org, sizeof org, "%.*s", (int)(eq - v), v);
        if (cli_footprint_check(org, eq + 1) != CLI_OK) {
            err_set(err, CC_INVALID_ARGUMENT, "%s:%d: realign %s (see above)",
                    scenario_path(x->s), sec->line, v);
            return -1;
        }
        ra.organisation = org;
        ra.footprint = (char *)eq + 1;
        p.realignment = &ra;
        p.kind = CONCORD__V1__PROPOSAL_KIND__FOOTPRINT_REALIGNMENT;
    }
    in.proposal = &p;
    return s_submit(x, sec, board, "Propose", &in.base, err);
}

static int s_step_vote(s_run_t *x, const scenario_section_t *sec, cc_err_t *err)
{
    s_prop_t *p = s_prop(x, scenario_get(sec, "proposal"));
    const char *as = scenario_get(sec, "as"), *vote = scenario_get(sec, "vote");
    const char *reason = scenario_get(sec, "reason");
    int v = board_names_vote_parse(vote);
    if (v < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:%d: vote must be for, against or abstain, not '%s'",
                scenario_path(x->s), sec->line, vote);
        return -1;
    }
    if (s_wait_proposal(x, as, p->id, 0, err) < 0) {
        return -1;
    }
    if (s_ballot(x, as, sec->line, p->id, v, reason, err) < 0) {
        /* Every ballot is recorded until the deadline; one after it is
         * refused by every node, which is the rule, not a failure of the
         * run. */
        Concord__V1__ProposalView *pv = s_proposal_show(x, as, p->id, NULL);
        int closed = pv && !pv->voting_open;
        wire_free(pv ? &pv->base : NULL);
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
    Concord__V1__ProposalView *pv = NULL;
    if (s_wait_proposal(x, p->as, p->id, 1, err) < 0 ||
        !(pv = s_proposal_show(x, p->as, p->id, err))) {
        return -1;
    }
    p->seconds = s_secs(p->sent_ms);
    p->decided = 1;
    snprintf(p->outcome, sizeof p->outcome, "%s", pv->passed ? "PASSED" : "FAILED");
    wire_free(&pv->base);
    s_say(x, "%s %s after %.1f s", p->label, p->outcome, p->seconds);
    snprintf(p->cert, sizeof p->cert, "%s/%s.cert", x->cert_dir, p->label);
    Concord__V1__DecisionExportRequest ex = CONCORD__V1__DECISION_EXPORT_REQUEST__INIT;
    ex.proposal_id = p->id;
    Concord__V1__CertificateReply *cr =
        (Concord__V1__CertificateReply *)s_act(x, p->as, 0, "DecisionExport", &ex.base, err);
    int wrote = cr && cli_write_file(p->cert, cr->certificate.data, cr->certificate.len) == CLI_OK;
    wire_free(cr ? &cr->base : NULL);
    if (!wrote) {
        if (cr) {
            err_set(err, CC_UNAVAILABLE, "cannot write %s", p->cert);
        }
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
    const char *board = scenario_get(sec, "board") ? scenario_get(sec, "board") : x->board;
    Concord__V1__PoolProposeRequest in = CONCORD__V1__POOL_PROPOSE_REQUEST__INIT;
    s_file(x, scenario_get(sec, "file"), file, sizeof file);
    if (s_closes_at(x, sec, &in.closes_at_ms, err) < 0) {
        return -1;
    }
    Concord__V1__PoolAgreement *a = cli_pool_agreement_read(file);
    if (!a) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:%d: agreement %s (see above)", scenario_path(x->s),
                sec->line, file);
        return -1;
    }
    in.agreement = a;
    in.board_id = (char *)board;
    int rc = s_submit(x, sec, board, "PoolPropose", &in.base, err);
    cli_pool_agreement_free(a);
    if (rc < 0) {
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
    Concord__V1__Pledge pl = CONCORD__V1__PLEDGE__INIT;
    Concord__V1__PledgeRequest in = CONCORD__V1__PLEDGE_REQUEST__INIT;
    cc_err_t why;
    pl.pool_id = (char *)pool;
    in.pledge = &pl;
    if (money_year_parse(year, &pl.financial_year) < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:%d: bad year '%s' (like 2017 or 2017/18)",
                scenario_path(x->s), sec->line, year);
        return -1;
    }
    for (size_t i = 0; i < sec->n_kv; i++) {
        const scenario_kv_t *kv = &sec->kv[i];
        if (strcmp(kv->key, "pool") == 0 || strcmp(kv->key, "year") == 0 ||
            strcmp(kv->key, "expect") == 0) {
            continue;
        }
        if (money_parse(kv->value, &pl.amount_pence, &why) < 0) {
            err_set(err, CC_INVALID_ARGUMENT, "%s:%d: %s", scenario_path(x->s), kv->line,
                    why.msg);
            return -1;
        }
        if (s_wait_pool(x, kv->key, pool, 0, err) < 0) {
            return -1;
        }
        ProtobufCMessage *r = s_act(x, kv->key, kv->line, "Pledge", &in.base, err);
        if (!r) {
            return -1;
        }
        wire_free(r);
        last = kv->key;
        n++;
    }
    const char *want = scenario_get(sec, "expect");
    /* The last pledge reaches the last pledger first; let it settle. */
    if (want && strcmp(want, "active") == 0) {
        s_wait_pool(x, last, pool, 1, err);
    }
    Concord__V1__PoolShowRequest show = CONCORD__V1__POOL_SHOW_REQUEST__INIT;
    show.id = (char *)pool;
    Concord__V1__PoolEventReply *r =
        (Concord__V1__PoolEventReply *)s_call(x, last, 0, "PoolShow", &show.base, 0, err);
    if (!r) {
        return -1;
    }
    const char *status = !r->pool ? "" : r->pool->active ? "ACTIVE" : "AWAITING_PLEDGES";
    char what[80];
    s_say(x, "%zu partners pledged to %s for %s in %.1f s: pool %s", n, pool, year, s_secs(t),
          status);
    snprintf(what, sizeof what, "pool %s %s", pool, year);
    s_check(x, what, status,
            !want                         ? NULL
            : strcmp(want, "active") == 0 ? "ACTIVE"
                                          : "AWAITING_PLEDGES");
    wire_free(&r->base);
    return 0;
}

/* Each listed partner executes the pool's instrument in force, or
 * declines it, from its own node, under the decision the step dates. The
 * scenario file itself stands for the signed document unless `document`
 * names one. */
static int s_step_executions(s_run_t *x, const scenario_section_t *sec, cc_err_t *err)
{
    const char *pool = scenario_get(sec, "pool"), *want = scenario_get(sec, "expect");
    const char *last = NULL;
    char file[PATH_MAX], what[80], ref[64];
    uint8_t hash[32];
    size_t n = 0, declined = 0;
    s_file(x, scenario_get(sec, "document") ? scenario_get(sec, "document") : "", file,
           sizeof file);
    if (!scenario_get(sec, "document")) {
        snprintf(file, sizeof file, "%s", scenario_path(x->s));
    }
    FILE *fp = fopen(file, "rb");
    if (!fp) {
        err_set(err, CC_NOT_FOUND, "%s:%d: cannot open the signed document %s: %s",
                scenario_path(x->s), sec->line, file, strerror(errno));
        return -1;
    }
    crypto_hash_sha256_state st;
    uint8_t buf[8192];
    size_t got;
    crypto_hash_sha256_init(&st);
    while ((got = fread(buf, 1, sizeof buf, fp)) > 0) {
        crypto_hash_sha256_update(&st, buf, got);
    }
    fclose(fp);
    crypto_hash_sha256_final(&st, hash);
    for (size_t i = 0; i < sec->n_kv; i++) {
        const scenario_kv_t *kv = &sec->kv[i];
        if (keys_code_check(kv->key, NULL) < 0 || strcmp(kv->key, "pool") == 0) {
            continue;
        }
        Concord__V1__Execution ex = CONCORD__V1__EXECUTION__INIT;
        Concord__V1__ExecuteRequest in = CONCORD__V1__EXECUTE_REQUEST__INIT;
        int no = strncmp(kv->value, "decline", 7) == 0;
        const char *reason = no ? kv->value + 7 : "";
        reason += strspn(reason, ": ");
        snprintf(ref, sizeof ref, "rehearsal/%s", kv->key);
        ex.pool_id = (char *)pool;
        ex.declined = no;
        ex.authority = no ? "its executive (rehearsal)" : "its governing body (rehearsal)";
        ex.decision_ref = ref;
        ex.decision_date = (char *)scenario_get(sec, "date");
        ex.reason = (char *)reason;
        if (!no) {
            ex.signatory_role = "authorised signatory";
            ex.document_sha256.data = hash;
            ex.document_sha256.len = sizeof hash;
        }
        in.execution = &ex;
        snprintf(what, sizeof what, "pool %.40s", pool);
        Concord__V1__PoolShowRequest look = CONCORD__V1__POOL_SHOW_REQUEST__INIT;
        look.id = (char *)pool;
        if (s_wait(x, kv->key, "PoolShow", &look.base, s_pool_on_instrument, what, err) < 0) {
            return -1;
        }
        ProtobufCMessage *r = s_act(x, kv->key, kv->line, "Execute", &in.base, err);
        if (!r) {
            return -1;
        }
        wire_free(r);
        s_say(x, "%s %s %s%s%s", kv->key, no ? "declined" : "executed", pool, *reason ? ": " : "",
              reason);
        last = kv->key;
        n++;
        declined += (size_t)no;
    }
    Concord__V1__PoolShowRequest show = CONCORD__V1__POOL_SHOW_REQUEST__INIT;
    show.id = (char *)pool;
    if (want && strcmp(want, "in-force") == 0) {
        s_wait(x, last, "PoolShow", &show.base, s_pool_in_force, "the pool in force", err);
    }
    Concord__V1__PoolEventReply *r =
        (Concord__V1__PoolEventReply *)s_call(x, last, 0, "PoolShow", &show.base, 0, err);
    if (!r || !r->pool) {
        wire_free(r ? &r->base : NULL);
        return -1;
    }
    const char *state = r->pool->in_force ? "IN_FORCE" : "NOT_IN_FORCE";
    s_say(x, "%zu partners acted on %s (%zu declined): %s%s%s", n, pool, declined, state,
          r->pool->in_force ? "" : "; ", r->pool->in_force ? "" : r->pool->missing);
    snprintf(what, sizeof what, "pool %s in force", pool);
    s_check(x, what, state,
            !want ? NULL : strcmp(want, "in-force") == 0 ? "IN_FORCE" : "NOT_IN_FORCE");
    wire_free(&r->base);
    return 0;
}

/* A variation of a pool proposed to the board: here, leaving out the
 * partners that declined; the others then execute it again. */
static int s_step_vary(s_run_t *x, const scenario_section_t *sec, cc_err_t *err)
{
    char codes[INIFILE_LINE_MAX + 1], *items[32];
    Concord__V1__Variation v = CONCORD__V1__VARIATION__INIT;
    Concord__V1__PoolVaryRequest in = CONCORD__V1__POOL_VARY_REQUEST__INIT;
    snprintf(codes, sizeof codes, "%s", scenario_get(sec, "withdraw"));
    int n = inifile_split(codes, items, 32);
    v.pool_id = (char *)scenario_get(sec, "pool");
    v.withdrawn = items;
    v.n_withdrawn = (size_t)(n > 0 ? n : 0);
    v.reason = (char *)(scenario_get(sec, "reason") ? scenario_get(sec, "reason") : "");
    in.variation = &v;
    if (s_closes_at(x, sec, &in.closes_at_ms, err) < 0 ||
        s_submit(x, sec, x->board, "PoolVary", &in.base, err) < 0) {
        return -1;
    }
    s_prop_t *p = &x->props[x->n_props - 1];
    if (s_decide(x, p, err) < 0) {
        return -1;
    }
    if (strcmp(p->outcome, "PASSED") == 0) {
        snprintf(s_instrument, sizeof s_instrument, "%s", p->id);
    }
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

/* code's act of the sign-off chain of plan id. */
static int s_sign(s_run_t *x, const char *code, int line, const char *id, int act,
                  const char *decision, cc_err_t *err)
{
    Concord__V1__BcfSignoff so = CONCORD__V1__BCF_SIGNOFF__INIT;
    Concord__V1__BcfSignRequest in = CONCORD__V1__BCF_SIGN_REQUEST__INIT;
    so.plan_id = (char *)id;
    so.act = (Concord__V1__BcfAct)act;
    so.board_decision = (char *)(decision ? decision : "");
    in.signoff = &so;
    ProtobufCMessage *r = s_act(x, code, line, "BcfSign", &in.base, err);
    wire_free(r);
    return r ? 0 : -1;
}

static int s_step_bcf(s_run_t *x, const scenario_section_t *sec, cc_err_t *err)
{
    static char codes[S_LIST_MAX][KEYS_CODE_MAX + 1];
    s_ccgs_t ccgs = {codes, 0};
    char file[PATH_MAX], id[40] = "", dec[40] = "";
    const char *as = scenario_get(sec, "as"), *nhse = scenario_get(sec, "nhse");
    const char *label = scenario_get(sec, "decision");
    int l = sec->line;
    uint64_t t = clock_mono_ms();
    nhse = nhse ? nhse : FEDERATION_NHSE_CODE;
    s_file(x, scenario_get(sec, "file"), file, sizeof file);
    if (s_need_passed(x, sec, "decision", err) < 0 ||
        inifile_read(file, s_plan_ccg, &ccgs, err) < 0) {
        return -1;
    }
    Concord__V1__BcfPlan *plan = cli_bcf_plan_read(file);
    if (!plan) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:%d: plan %s (see above)", scenario_path(x->s), l,
                file);
        return -1;
    }
    Concord__V1__BcfPlanRequest in = CONCORD__V1__BCF_PLAN_REQUEST__INIT;
    in.plan = plan;
    Concord__V1__PoolEventReply *r =
        (Concord__V1__PoolEventReply *)s_act(x, as, l, "BcfPlan", &in.base, err);
    cli_bcf_plan_free(plan);
    if (!r) {
        return -1;
    }
    snprintf(id, sizeof id, "%s", r->plan ? r->plan->id : "");
    wire_free(&r->base);
    snprintf(dec, sizeof dec, "%s", label ? s_prop(x, label)->id : "");
    if (s_sign(x, as, l, id, CONCORD__V1__BCF_ACT__HWB_AGREEMENT, dec, err) < 0 ||
        s_sign(x, as, l, id, CONCORD__V1__BCF_ACT__COUNCIL_SIGN_OFF, NULL, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < ccgs.n; i++) {
        if (s_wait_plan(x, codes[i], id, 0, err) < 0 ||
            s_sign(x, codes[i], l, id, CONCORD__V1__BCF_ACT__CCG_SIGN_OFF, NULL, err) < 0) {
            return -1;
        }
    }
    s_say(x, "BCF plan %s: HWB agreement and council sign-off by %s, %zu CCG sign-offs", id, as,
          ccgs.n);
    Concord__V1__BcfShowRequest show = CONCORD__V1__BCF_SHOW_REQUEST__INIT;
    Concord__V1__BcfView *v = NULL;
    show.plan_id = id;
    if (s_wait_plan(x, nhse, id, 1, err) < 0 ||
        s_sign(x, nhse, l, id, CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL, NULL, err) < 0 ||
        !(v = (Concord__V1__BcfView *)s_call(x, as, 0, "BcfShow", &show.base, 0, err))) {
        return -1;
    }
    int approved = v->approved;
    wire_free(&v->base);
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
    case SCENARIO_EXECUTIONS:
        return s_step_executions(x, sec, err);
    case SCENARIO_VARY:
        return s_step_vary(x, sec, err);
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
