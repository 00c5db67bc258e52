/* SPDX-License-Identifier: Apache-2.0 */
/* scenario: parsing and checking scenario files. */
#include "scenario.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agreement.h"
#include "board_names.h"
#include "inifile.h"
#include "keys.h"
#include "money.h"

#define S_LABEL_MAX 32

typedef enum {
    T_TEXT,
    T_CODE,
    T_AMOUNT,
    T_AREA,
    T_AREAS,
    T_DURATION,
    T_YESNO,
    T_BOOL,
    T_VOTE,
    T_YEAR,
    T_PORT,
    T_LABEL,
    T_REF,
    T_REALIGN,
    T_EXPECT_DECISION,
    T_EXPECT_POOL,
    T_EXPECT_BCF,
    T_DATE,
    T_CODES,
    T_EXPECT_FORCE
} s_type_t;

typedef struct {
    const char *key;
    s_type_t type;
    int required;
} s_key_t;

#define S_KEYS_MAX 12

static const struct {
    const char *name;
    s_key_t keys[S_KEYS_MAX];
} s_kinds[SCENARIO_KINDS] = {
    [SCENARIO_META] =
        {"scenario", {{"name", T_TEXT, 1}, {"description", T_TEXT, 0}, {"timeout", T_DURATION, 0}}},
    [SCENARIO_FEDERATION] = {"federation",
                             {{"area", T_CODE, 0},
                              {"stp", T_CODE, 0},
                              {"county", T_CODE, 0},
                              {"england", T_YESNO, 0},
                              {"vintage", T_TEXT, 0},
                              {"name", T_TEXT, 0},
                              {"port", T_PORT, 0}}},
    [SCENARIO_POLICY] = {"policy",
                         {{"auto_vote", T_BOOL, 0},
                          {"abstain_areas", T_AREAS, 0},
                          {"against_areas", T_AREAS, 0},
                          {"against_above", T_AMOUNT, 0},
                          {"for_below", T_AMOUNT, 0}}},
    [SCENARIO_BOARD] = {"board", {{"as", T_CODE, 0}, {"file", T_TEXT, 0}}},
    [SCENARIO_PROPOSE] = {"propose",
                          {{"name", T_LABEL, 1},
                           {"as", T_CODE, 1},
                           {"title", T_TEXT, 1},
                           {"text", T_TEXT, 0},
                           {"board", T_TEXT, 0},
                           {"area", T_AREA, 0},
                           {"amount", T_AMOUNT, 0},
                           {"closes_in", T_DURATION, 0},
                           {"realign", T_REALIGN, 0},
                           {"bcf_plan", T_TEXT, 0},
                           {"expect", T_EXPECT_DECISION, 0}}},
    [SCENARIO_VOTE] =
        {"vote",
         {{"as", T_CODE, 1}, {"proposal", T_REF, 1}, {"vote", T_VOTE, 1}, {"reason", T_TEXT, 0}}},
    [SCENARIO_POOL] = {"pool",
                       {{"name", T_LABEL, 1},
                        {"as", T_CODE, 1},
                        {"file", T_TEXT, 1},
                        {"board", T_TEXT, 0},
                        {"closes_in", T_DURATION, 0},
                        {"expect", T_EXPECT_DECISION, 0}}},
    [SCENARIO_PLEDGES] =
        {"pledges", {{"pool", T_LABEL, 1}, {"year", T_YEAR, 1}, {"expect", T_EXPECT_POOL, 0}}},
    [SCENARIO_BCF] = {"bcf",
                      {{"as", T_CODE, 1},
                       {"file", T_TEXT, 1},
                       {"decision", T_REF, 0},
                       {"nhse", T_CODE, 0},
                       {"expect", T_EXPECT_BCF, 0}}},
    [SCENARIO_EXECUTIONS] = {"executions",
                             {{"pool", T_LABEL, 1},
                              {"date", T_DATE, 1},
                              {"document", T_TEXT, 0},
                              {"expect", T_EXPECT_FORCE, 0}}},
    [SCENARIO_VARY] = {"vary",
                       {{"name", T_LABEL, 1},
                        {"as", T_CODE, 1},
                        {"pool", T_TEXT, 1},
                        {"withdraw", T_CODES, 1},
                        {"reason", T_TEXT, 0},
                        {"closes_in", T_DURATION, 0},
                        {"expect", T_EXPECT_DECISION, 0}}},
};

struct scenario {
    char *path;
    char *dir;
    scenario_section_t *secs;
    size_t n;
};

const char *scenario_kind_name(scenario_kind_t kind)
{
    return kind < SCENARIO_KINDS ? s_kinds[kind].name : "?";
}

/* 1 if text is one of the words in the NULL-terminated list. */
static int s_one_of(const char *text, const char *const *words)
{
    for (; *words; words++) {
        if (strcmp(text, *words) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Digits and a unit (s, m, h, d; none: seconds), 1 s .. 400 days. */
static int s_duration_ms(const char *text, uint64_t *ms)
{
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    uint64_t unit = strcmp(end, "d") == 0   ? 86400000
                    : strcmp(end, "h") == 0 ? 3600000
                    : strcmp(end, "m") == 0 ? 60000
                                            : 1000;
    if (end == text || *text == '-' || v == 0 || (*end && !strchr("smhd", *end)) ||
        (*end && end[1]) || v > 400ull * 86400000 / unit) {
        return -1;
    }
    *ms = v * unit;
    return 0;
}

static int s_areas_ok(const char *value)
{
    char copy[INIFILE_LINE_MAX + 1], *items[32];
    snprintf(copy, sizeof copy, "%s", value);
    int n = inifile_split(copy, items, 32);
    for (int i = 0; i < n; i++) {
        if (board_names_area_parse(items[i]) < 0) {
            return 0;
        }
    }
    return n > 0;
}

static int s_label_ok(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > S_LABEL_MAX) {
        return 0;
    }
    return strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

/* Checks a value against its type; names what was wanted on failure. */
static int s_check_value(s_type_t t, const char *v, cc_err_t *err)
{
    static const char *const yesno[] = {"yes", "no", NULL};
    static const char *const bools[] = {"true", "false", NULL};
    static const char *const votes[] = {"for", "against", "abstain", NULL};
    static const char *const decisions[] = {"passed", "failed", NULL};
    static const char *const pools[] = {"active", "awaiting-pledges", NULL};
    static const char *const bcfs[] = {"approved", "not-approved", NULL};
    static const char *const forces[] = {"in-force", "not-in-force", NULL};
    int64_t pence;
    uint64_t ms;
    char *end = NULL;
    const char *eq = strchr(v, '=');
    int ok = 0;
    switch (t) {
    case T_TEXT:
        return 0;
    case T_CODE:
        return keys_code_check(v, err);
    case T_AMOUNT:
        if (money_parse(v, &pence, err) < 0) {
            return -1;
        }
        ok = pence >= 0;
        break;
    case T_AREA:
        ok = board_names_area_parse(v) >= 0;
        break;
    case T_AREAS:
        ok = s_areas_ok(v);
        break;
    case T_DURATION:
        ok = s_duration_ms(v, &ms) == 0;
        break;
    case T_YESNO:
        ok = s_one_of(v, yesno);
        break;
    case T_BOOL:
        ok = s_one_of(v, bools);
        break;
    case T_VOTE:
        ok = s_one_of(v, votes);
        break;
    case T_YEAR:
        ok = money_year_parse(v, &(uint32_t){0}) == 0;
        break;
    case T_PORT: {
        long port = strtol(v, &end, 10);
        ok = !*end && port >= 1 && port <= 65535;
        break;
    }
    case T_LABEL:
    case T_REF:
        ok = s_label_ok(v);
        break;
    case T_REALIGN:
        ok = eq && eq != v && (size_t)(eq - v) <= KEYS_CODE_MAX && eq[1];
        break;
    case T_EXPECT_DECISION:
        ok = s_one_of(v, decisions);
        break;
    case T_EXPECT_POOL:
        ok = s_one_of(v, pools);
        break;
    case T_EXPECT_BCF:
        ok = s_one_of(v, bcfs);
        break;
    case T_DATE:
        ok = agreement_date_ok(v);
        break;
    case T_CODES: {
        char copy[INIFILE_LINE_MAX + 1], *items[32];
        snprintf(copy, sizeof copy, "%s", v);
        int n = inifile_split(copy, items, 32);
        ok = n > 0;
        for (int i = 0; i < n; i++) {
            ok &= keys_code_check(items[i], NULL) == 0;
        }
        break;
    }
    case T_EXPECT_FORCE:
        ok = s_one_of(v, forces);
        break;
    }
    if (ok) {
        return 0;
    }
    static const char *const wanted[] = {
        [T_AREA] = "a service area (acute, specialised, primary-care, community, mental-health,"
                   " social-care, public-health, health-education, research-and-development)",
        [T_AMOUNT] = "an amount of 0 or more",
        [T_AREAS] = "service areas separated by commas",
        [T_DURATION] = "a duration like 90s, 30m, 2h or 7d",
        [T_YESNO] = "yes or no",
        [T_BOOL] = "true or false",
        [T_VOTE] = "for, against or abstain",
        [T_YEAR] = "a financial year like 2017 or 2017/18",
        [T_PORT] = "a port 1..65535",
        [T_LABEL] = "a name of letters, digits, '-' and '_' (at most 32)",
        [T_REF] = "a name of letters, digits, '-' and '_' (at most 32)",
        [T_REALIGN] = "ORGANISATION=FOOTPRINT",
        [T_EXPECT_DECISION] = "passed or failed",
        [T_EXPECT_POOL] = "active or awaiting-pledges",
        [T_EXPECT_BCF] = "approved or not-approved",
        [T_DATE] = "a date YYYY-MM-DD",
        [T_CODES] = "organisation codes separated by commas",
        [T_EXPECT_FORCE] = "in-force or not-in-force"};
    err_set(err, CC_INVALID_ARGUMENT, "'%.80s' is not %s", v, wanted[t]);
    return -1;
}

/* Parsing state. */
typedef struct {
    scenario_t *s;
    scenario_section_t *cur;
    int seen[SCENARIO_KINDS];
} s_parse_t;

static int s_push_kv(scenario_section_t *sec, const char *key, const char *value, int line,
                     cc_err_t *err)
{
    scenario_kv_t *grown = realloc(sec->kv, (sec->n_kv + 1) * sizeof *grown);
    if (!grown) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    sec->kv = grown;
    scenario_kv_t *kv = &sec->kv[sec->n_kv];
    kv->key = strdup(key);
    kv->value = strdup(value);
    kv->line = line;
    if (!kv->key || !kv->value) {
        free(kv->key);
        free(kv->value);
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    sec->n_kv++;
    return 0;
}

/* A label defined by an earlier [propose] (or, for a pool, [pool]). */
static int s_defined(const scenario_t *s, const char *label)
{
    for (size_t i = 0; i < s->n; i++) {
        const char *name = scenario_get(&s->secs[i], "name");
        if ((s->secs[i].kind == SCENARIO_PROPOSE || s->secs[i].kind == SCENARIO_POOL ||
             s->secs[i].kind == SCENARIO_VARY) &&
            name &&
            strcmp(name, label) == 0) {
            return 1;
        }
    }
    return 0;
}

static int s_entry_key(s_parse_t *x, const char *key, const char *value, int line, cc_err_t *err)
{
    scenario_section_t *sec = x->cur;
    const char *kname = s_kinds[sec->kind].name;
    if (scenario_get(sec, key)) {
        err_set(err, CC_INVALID_ARGUMENT, "'%s' given twice in [%s]", key, kname);
        return -1;
    }
    for (size_t i = 0; i < S_KEYS_MAX && s_kinds[sec->kind].keys[i].key; i++) {
        const s_key_t *k = &s_kinds[sec->kind].keys[i];
        if (strcmp(k->key, key) != 0) {
            continue;
        }
        if (s_check_value(k->type, value, err) < 0) {
            err_prefix(err, "%s: ", key);
            return -1;
        }
        if (k->type == T_REF && !s_defined(x->s, value)) {
            err_set(err, CC_INVALID_ARGUMENT, "%s: no earlier [propose] or [pool] is named '%s'",
                    key, value);
            return -1;
        }
        if (k->type == T_LABEL && sec->kind != SCENARIO_PLEDGES &&
            sec->kind != SCENARIO_EXECUTIONS && s_defined(x->s, value)) {
            err_set(err, CC_INVALID_ARGUMENT, "a [propose] or [pool] named '%s' already exists",
                    value);
            return -1;
        }
        return s_push_kv(sec, key, value, line, err);
    }
    /* [executions] lists CODE = execute, or CODE = decline: REASON. */
    if (sec->kind == SCENARIO_EXECUTIONS && keys_code_check(key, NULL) == 0) {
        if (strcmp(value, "execute") != 0 && strncmp(value, "decline", 7) != 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s: '%.60s' is not 'execute' or 'decline: REASON'", key, value);
            return -1;
        }
        return s_push_kv(sec, key, value, line, err);
    }
    /* [pledges] lists CODE = AMOUNT besides its own keys. */
    if (sec->kind == SCENARIO_PLEDGES && keys_code_check(key, NULL) == 0) {
        if (s_check_value(T_AMOUNT, value, err) < 0) {
            err_prefix(err, "pledge of %s: ", key);
            return -1;
        }
        return s_push_kv(sec, key, value, line, err);
    }
    err_set(err, CC_INVALID_ARGUMENT, "unknown key '%s' in [%s]", key, kname);
    return -1;
}

static int s_entry_header(s_parse_t *x, const char *section, const char *arg, int line,
                          cc_err_t *err)
{
    int kind = -1;
    for (int k = 0; k < SCENARIO_KINDS; k++) {
        kind = strcmp(section, s_kinds[k].name) == 0 ? k : kind;
    }
    if (kind < 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "unknown section [%s] (scenario, federation, policy, board, propose, vote, pool,"
                " executions, vary, pledges, bcf)",
                section);
        return -1;
    }
    if ((kind == SCENARIO_POLICY) != (*arg != 0)) {
        err_set(err, CC_INVALID_ARGUMENT,
                kind == SCENARIO_POLICY ? "[policy] needs an organisation code or '*'"
                                        : "[%s] takes no argument",
                section);
        return -1;
    }
    if (kind == SCENARIO_POLICY && strcmp(arg, "*") != 0 && keys_code_check(arg, err) < 0) {
        err_prefix(err, "[policy %s]: ", arg);
        return -1;
    }
    for (size_t i = 0; i < x->s->n; i++) {
        const scenario_section_t *o = &x->s->secs[i];
        if (o->kind == (scenario_kind_t)kind &&
            (kind == SCENARIO_META || kind == SCENARIO_FEDERATION ||
             (kind == SCENARIO_POLICY && strcmp(o->arg, arg) == 0))) {
            err_set(err, CC_INVALID_ARGUMENT, "[%s%s%s] given twice (first at line %d)", section,
                    *arg ? " " : "", arg, o->line);
            return -1;
        }
    }
    scenario_section_t *grown = realloc(x->s->secs, (x->s->n + 1) * sizeof *grown);
    char *a = strdup(arg);
    if (!grown || !a) {
        free(a);
        if (grown) {
            x->s->secs = grown;
        }
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    x->s->secs = grown;
    x->cur = &x->s->secs[x->s->n++];
    memset(x->cur, 0, sizeof *x->cur);
    x->cur->kind = (scenario_kind_t)kind;
    x->cur->arg = a;
    x->cur->line = line;
    return 0;
}

static int s_entry(void *user, const char *section, const char *arg, const char *key,
                   const char *value, int line, cc_err_t *err)
{
    s_parse_t *x = user;
    if (!key) {
        return s_entry_header(x, section, arg, line, err);
    }
    if (!x->cur) {
        err_set(err, CC_INVALID_ARGUMENT, "'%s' comes before any section", key);
        return -1;
    }
    return s_entry_key(x, key, value, line, err);
}

/* Whole-section checks: required keys, one federation scope, pledges. */
static int s_check_section(const scenario_t *s, const scenario_section_t *sec, cc_err_t *err)
{
    const char *name = s_kinds[sec->kind].name;
    for (size_t i = 0; i < S_KEYS_MAX && s_kinds[sec->kind].keys[i].key; i++) {
        const s_key_t *k = &s_kinds[sec->kind].keys[i];
        if (k->required && !scenario_get(sec, k->key)) {
            err_set(err, CC_INVALID_ARGUMENT, "%s:%d: [%s] needs '%s'", s->path, sec->line, name,
                    k->key);
            return -1;
        }
    }
    if (sec->kind == SCENARIO_FEDERATION) {
        int scopes =
            !!scenario_get(sec, "area") + !!scenario_get(sec, "stp") +
            !!scenario_get(sec, "county") +
            (scenario_get(sec, "england") && strcmp(scenario_get(sec, "england"), "yes") == 0);
        if (scopes != 1) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s:%d: [federation] needs exactly one of area, stp, county, england = yes",
                    s->path, sec->line);
            return -1;
        }
    }
    if (sec->kind == SCENARIO_EXECUTIONS &&
        sec->n_kv < 3u + (scenario_get(sec, "expect") != NULL) +
                        (scenario_get(sec, "document") != NULL)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s:%d: [executions] lists no CODE = execute or CODE = decline: REASON", s->path,
                sec->line);
        return -1;
    }
    if (sec->kind == SCENARIO_PLEDGES && sec->n_kv < 3 + (scenario_get(sec, "expect") != NULL)) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:%d: [pledges] lists no CODE = AMOUNT", s->path,
                sec->line);
        return -1;
    }
    return 0;
}

scenario_t *scenario_load(const char *path, cc_err_t *err)
{
    s_parse_t x;
    memset(&x, 0, sizeof x);
    x.s = calloc(1, sizeof *x.s);
    if (!x.s || !(x.s->path = strdup(path)) || !(x.s->dir = strdup(path))) {
        scenario_destroy(&x.s);
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    char *slash = strrchr(x.s->dir, '/');
    if (slash) {
        slash[slash == x.s->dir] = '\0';
    } else {
        strcpy(x.s->dir, ".");
    }
    if (inifile_read(path, s_entry, &x, err) < 0) {
        scenario_destroy(&x.s);
        return NULL;
    }
    for (size_t i = 0; i < x.s->n; i++) {
        if (s_check_section(x.s, &x.s->secs[i], err) < 0) {
            scenario_destroy(&x.s);
            return NULL;
        }
    }
    if (!scenario_find(x.s, SCENARIO_META)) {
        err_set(err, CC_INVALID_ARGUMENT, "%s: no [scenario] section (with its name)", path);
        scenario_destroy(&x.s);
        return NULL;
    }
    return x.s;
}

void scenario_destroy(scenario_t **sp)
{
    if (!sp || !*sp) {
        return;
    }
    scenario_t *s = *sp;
    for (size_t i = 0; i < s->n; i++) {
        for (size_t k = 0; k < s->secs[i].n_kv; k++) {
            free(s->secs[i].kv[k].key);
            free(s->secs[i].kv[k].value);
        }
        free(s->secs[i].kv);
        free(s->secs[i].arg);
    }
    free(s->secs);
    free(s->path);
    free(s->dir);
    free(s);
    *sp = NULL;
}

const char *scenario_path(const scenario_t *s)
{
    return s->path;
}

const char *scenario_dir(const scenario_t *s)
{
    return s->dir;
}

size_t scenario_count(const scenario_t *s)
{
    return s->n;
}

const scenario_section_t *scenario_at(const scenario_t *s, size_t i)
{
    return i < s->n ? &s->secs[i] : NULL;
}

const scenario_section_t *scenario_find(const scenario_t *s, scenario_kind_t kind)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->secs[i].kind == kind) {
            return &s->secs[i];
        }
    }
    return NULL;
}

const char *scenario_get(const scenario_section_t *sec, const char *key)
{
    for (size_t i = 0; sec && i < sec->n_kv; i++) {
        if (strcmp(sec->kv[i].key, key) == 0) {
            return sec->kv[i].value;
        }
    }
    return NULL;
}

const scenario_section_t *scenario_policy(const scenario_t *s, const char *code)
{
    const scenario_section_t *any = NULL;
    for (size_t i = 0; i < s->n; i++) {
        if (s->secs[i].kind != SCENARIO_POLICY) {
            continue;
        }
        if (strcmp(s->secs[i].arg, code) == 0) {
            return &s->secs[i];
        }
        if (strcmp(s->secs[i].arg, "*") == 0) {
            any = &s->secs[i];
        }
    }
    return any;
}

uint64_t scenario_timeout_ms(const scenario_t *s)
{
    const char *t = scenario_get(scenario_find(s, SCENARIO_META), "timeout");
    uint64_t ms = 120000;
    if (t) {
        s_duration_ms(t, &ms);
    }
    return ms;
}
