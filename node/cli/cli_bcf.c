/* SPDX-License-Identifier: Apache-2.0 */
/* cli_bcf: `concord bcf`. Better Care Fund plans read from an INI file,
 * and the acts of their sign-off chain, handed to the local node, which
 * prechecks them with its pool engine, signs and publishes them. */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "wire.h"
#include "control.pb-c.h"
#include "cli_ini.h"
#include "money.h"
#include "pool.h"

typedef struct {
    cli_ini_arena_t arena;
    Concord__V1__BcfPlan p;
    int has_total;
    uint32_t totalled[4]; /* later years whose total the file states */
    size_t n_totalled;
    cli_ini_error_t error;
} s_bcf_ini_t;

/* yes/true/1 or no/false/0; -1 otherwise. */
static int s_bool(const char *v)
{
    if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
        return 1;
    }
    if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0) {
        return 0;
    }
    return -1;
}

static int s_bcf_plan_key(s_bcf_ini_t *x, const char *name, const char *value)
{
    Concord__V1__BcfPlan *p = &x->p;
    cc_err_t err;
    char *v = cli_ini_arena_str(&x->arena, value);
    if (!v) {
        return 0;
    }
    if (strcmp(name, "id") == 0) {
        p->plan_id = v;
    } else if (strcmp(name, "hwb") == 0) {
        p->hwb = v;
    } else if (strcmp(name, "year") == 0) {
        if (money_year_parse(v, &p->financial_year) < 0) {
            return cli_ini_fail(
                &x->error, "[plan]: year '%s' is not a financial year (like 2017 or 2017/18)", v);
        }
    } else if (strcmp(name, "narrative") == 0) {
        p->narrative = v;
    } else if (strcmp(name, "board") == 0) {
        p->hwb_board_id = v;
    } else if (strcmp(name, "pool") == 0) {
        p->pool_id = v;
    } else if (strcmp(name, "other_hwb") == 0) {
        if (cli_ini_arena_push(&x->arena, &p->other_hwbs, &p->n_other_hwbs, v) < 0) {
            return 0;
        }
    } else if (strcmp(name, "ibcf") == 0) {
        if (money_parse(v, &p->ibcf_pence, &err) < 0) {
            return cli_ini_fail(&x->error, "[plan] ibcf: %s", err.msg);
        }
    } else if (strcmp(name, "total") == 0) {
        if (money_parse(v, &p->total_pence, &err) < 0) {
            return cli_ini_fail(&x->error, "[plan] total: %s", err.msg);
        }
        x->has_total = 1;
    } else {
        return cli_ini_fail(&x->error, "unknown key '%s' in [plan]", name);
    }
    return 1;
}

/* The streams of year y: the plan's own for its first year (or a section
 * without a year), else a later year's, made on first use. */
typedef struct {
    Concord__V1__BcfCcgContribution ***ccg;
    size_t *n_ccg;
    int64_t *dfg;
    Concord__V1__DfgAllocation ***alloc;
    size_t *n_alloc;
    int64_t *ibcf;
    Concord__V1__AdditionalContribution ***add;
    size_t *n_add;
    int64_t *total;
} s_streams_t;

static int s_streams(s_bcf_ini_t *x, const char *year, s_streams_t *out)
{
    Concord__V1__BcfPlan *p = &x->p;
    uint32_t y;
    if (!year || money_year_parse(year, &y) < 0 || y == p->financial_year) {
        if (year && money_year_parse(year, &y) < 0) {
            return cli_ini_fail(&x->error, "'%s' is not a financial year (like 2018 or 2018/19)",
                                year);
        }
        *out = (s_streams_t){&p->ccg_minimum,  &p->n_ccg_minimum, &p->dfg_pence,
                             &p->dfg_allocations, &p->n_dfg_allocations, &p->ibcf_pence,
                             &p->additional, &p->n_additional, &p->total_pence};
        return 1;
    }
    Concord__V1__BcfPlanYear *ly = NULL;
    for (size_t i = 0; i < p->n_later_years && !ly; i++) {
        ly = p->later_years[i]->financial_year == y ? p->later_years[i] : NULL;
    }
    if (!ly) {
        if (!(ly = cli_ini_arena_keep(&x->arena, malloc(sizeof *ly)))) {
            return 0;
        }
        concord__v1__bcf_plan_year__init(ly);
        ly->financial_year = y;
        if (cli_ini_arena_push(&x->arena, &p->later_years, &p->n_later_years, ly) < 0) {
            return 0;
        }
    }
    *out = (s_streams_t){&ly->ccg_minimum,  &ly->n_ccg_minimum, &ly->dfg_pence,
                         &ly->dfg_allocations, &ly->n_dfg_allocations, &ly->ibcf_pence,
                         &ly->additional, &ly->n_additional, &ly->total_pence};
    return 1;
}

/* AMOUNT, or AMOUNT (county keeps AMOUNT): a district's DFG. */
static int s_dfg_value(s_bcf_ini_t *x, const char *name, const char *value,
                       Concord__V1__DfgAllocation *d)
{
    cc_err_t err;
    const char *keeps = strstr(value, "(county keeps ");
    char *amount = cli_ini_arena_keep(
        &x->arena, keeps ? strndup(value, (size_t)(keeps - value)) : strdup(value));
    if (!amount) {
        return 0;
    }
    for (size_t n = strlen(amount); n && amount[n - 1] == ' '; n--) {
        amount[n - 1] = '\0';
    }
    if (money_parse(amount, &d->amount_pence, &err) < 0) {
        return cli_ini_fail(&x->error, "[dfg] %s: %s", name, err.msg);
    }
    if (keeps) {
        char *k = cli_ini_arena_str(&x->arena, keeps + strlen("(county keeps "));
        size_t n = k ? strlen(k) : 0;
        if (!k) {
            return 0;
        }
        if (!n || k[n - 1] != ')') {
            return cli_ini_fail(&x->error, "[dfg] %s: write AMOUNT (county keeps AMOUNT)", name);
        }
        k[n - 1] = '\0';
        if (money_parse(k, &d->county_keeps_pence, &err) < 0) {
            return cli_ini_fail(&x->error, "[dfg] %s: %s", name, err.msg);
        }
    }
    return 1;
}

static int s_bcf_streams(s_bcf_ini_t *x, const char *base, const char *year, const char *name,
                         const char *value)
{
    cli_ini_arena_t *ar = &x->arena;
    cc_err_t err;
    s_streams_t st = {0};
    if (!s_streams(x, year, &st)) {
        return 0;
    }
    if (strcmp(base, "year") == 0) {
        int64_t *field = strcmp(name, "ibcf") == 0 ? st.ibcf : strcmp(name, "total") == 0 ? st.total : NULL;
        if (!field || !year) {
            return cli_ini_fail(&x->error, "[year YEAR] takes ibcf and total, not '%s'", name);
        }
        if (money_parse(value, field, &err) < 0) {
            return cli_ini_fail(&x->error, "[year %s] %s: %s", year, name, err.msg);
        }
        if (field == st.total && x->n_totalled < 4) {
            money_year_parse(year, &x->totalled[x->n_totalled++]);
        }
        return 1;
    }
    if (strcmp(base, "ccg") == 0) {
        Concord__V1__BcfCcgContribution *c = cli_ini_arena_keep(ar, malloc(sizeof *c));
        if (!c) {
            return 0;
        }
        concord__v1__bcf_ccg_contribution__init(c);
        if (!(c->ccg = cli_ini_arena_str(ar, name)) || money_parse(value, &c->amount_pence, &err) < 0) {
            return cli_ini_fail(&x->error, "[ccg] %s: %s", name,
                                c->ccg ? err.msg : "out of memory");
        }
        return cli_ini_arena_push(ar, st.ccg, st.n_ccg, c) == 0;
    }
    if (strcmp(base, "dfg") == 0) {
        if (strcmp(name, "total") == 0) {
            if (money_parse(value, st.dfg, &err) < 0) {
                return cli_ini_fail(&x->error, "[dfg] total: %s", err.msg);
            }
            return 1;
        }
        Concord__V1__DfgAllocation *d = cli_ini_arena_keep(ar, malloc(sizeof *d));
        if (!d) {
            return 0;
        }
        concord__v1__dfg_allocation__init(d);
        if (!(d->district = cli_ini_arena_str(ar, name))) {
            return 0;
        }
        if (!s_dfg_value(x, name, value, d)) {
            return 0;
        }
        return cli_ini_arena_push(ar, st.alloc, st.n_alloc, d) == 0;
    }
    /* additional: CODE = AMOUNT [purpose] */
    Concord__V1__AdditionalContribution *c = cli_ini_arena_keep(ar, malloc(sizeof *c));
    const char *sp = strchr(value, ' ');
    char *amount =
        cli_ini_arena_keep(ar, sp ? strndup(value, (size_t)(sp - value)) : strdup(value));
    if (!c || !amount) {
        return 0;
    }
    concord__v1__additional_contribution__init(c);
    while (sp && *sp == ' ') {
        sp++;
    }
    if (!(c->contributor = cli_ini_arena_str(ar, name)) ||
        !(c->purpose = cli_ini_arena_str(ar, sp ? sp : "")) ||
        money_parse(amount, &c->amount_pence, &err) < 0) {
        return cli_ini_fail(&x->error, "[additional] %s: %s", name,
                            c->contributor && c->purpose ? err.msg : "out of memory");
    }
    return cli_ini_arena_push(ar, st.add, st.n_add, c) == 0;
}

static int s_bcf_handler(void *user, const char *section, const char *name, const char *value)
{
    s_bcf_ini_t *x = user;
    char base[16];
    const char *year = NULL, *sp = strchr(section, ' ');
    if (x->error.msg[0]) {
        return 0;
    }
    if (!name) {
        return 1;
    }
    snprintf(base, sizeof base, "%.*s", sp ? (int)(sp - section) : (int)strlen(section), section);
    if (sp) {
        year = sp + 1;
    }
    if (strcmp(section, "plan") == 0) {
        return s_bcf_plan_key(x, name, value);
    }
    if (strcmp(base, "ccg") == 0 || strcmp(base, "dfg") == 0 || strcmp(base, "additional") == 0 ||
        (strcmp(base, "year") == 0 && year)) {
        return s_bcf_streams(x, base, year, name, value);
    }
    if (strcmp(section, "conditions") == 0) {
        /* key = yes: the plan confirms that national condition (data/bcf/conditions.csv). */
        int b = s_bool(value);
        char *key = cli_ini_arena_str(&x->arena, name);
        if (!key) {
            return 0;
        }
        if (b < 0) {
            return cli_ini_fail(&x->error, "[conditions] %s: '%s' is not yes or no", name, value);
        }
        return b ? cli_ini_arena_push(&x->arena, &x->p.conditions_met, &x->p.n_conditions_met,
                                      key) == 0
                 : 1;
    }
    return cli_ini_fail(&x->error, "unknown section [%s]", section);
}

/* Later years in order, each total the sum of its streams unless stated. */
static void s_plan_finish(s_bcf_ini_t *x)
{
    Concord__V1__BcfPlan *p = &x->p;
    pool_bcf_totals_t t;
    cc_err_t err;
    for (size_t i = 1; i < p->n_later_years; i++) {
        for (size_t k = i; k > 0 && p->later_years[k - 1]->financial_year >
                                        p->later_years[k]->financial_year; k--) {
            Concord__V1__BcfPlanYear *tmp = p->later_years[k];
            p->later_years[k] = p->later_years[k - 1];
            p->later_years[k - 1] = tmp;
        }
    }
    if (!x->has_total && pool_bcf_totals(p, &t, &err) == 0) {
        p->total_pence = t.total; /* the engine checks the sum either way */
    }
    for (size_t i = 0; i < p->n_later_years; i++) {
        Concord__V1__BcfPlanYear *ly = p->later_years[i];
        int stated = 0;
        for (size_t k = 0; k < x->n_totalled; k++) {
            stated |= x->totalled[k] == ly->financial_year;
        }
        Concord__V1__BcfPlan q;
        pool_bcf_year_plan(p, ly, &q);
        if (!stated && pool_bcf_totals(&q, &t, &err) == 0) {
            ly->total_pence = t.total;
        }
    }
}

Concord__V1__BcfPlan *cli_bcf_plan_read(const char *path)
{
    s_bcf_ini_t *x = calloc(1, sizeof *x);
    if (!x) {
        cli_fail("out of memory");
        return NULL;
    }
    concord__v1__bcf_plan__init(&x->p);
    if (cli_ini_read(path, s_bcf_handler, x, &x->error, &x->arena) != CLI_OK) {
        cli_ini_arena_free(&x->arena);
        free(x);
        return NULL;
    }
    s_plan_finish(x);
    return &x->p;
}

void cli_bcf_plan_free(Concord__V1__BcfPlan *p)
{
    if (p) {
        s_bcf_ini_t *x = (s_bcf_ini_t *)(void *)((char *)p - offsetof(s_bcf_ini_t, p));
        cli_ini_arena_free(&x->arena);
        free(x);
    }
}

static int s_bcf_plan(const config_node_t *cfg, int argc, char **argv, int json)
{
    const char *file = NULL;
    int frc = cli_ini_file_option(argc, argv, "concord bcf plan --file PLAN.ini", &file, NULL, NULL);
    if (frc != CLI_OK) {
        return frc;
    }
    Concord__V1__BcfPlan *plan = cli_bcf_plan_read(file);
    if (!plan) {
        return CLI_FAIL;
    }
    Concord__V1__BcfPlanRequest in = CONCORD__V1__BCF_PLAN_REQUEST__INIT;
    in.plan = plan;
    int rc = cli_node_call(cfg, "BcfPlan", &in.base, cfg->call_timeout_ms, json, NULL);
    cli_bcf_plan_free(plan);
    return rc;
}

/* `bcf sign`, and the acts with a command of their own: `approve`
 * (NHS England; with --condition, approved with conditions), `reject`
 * (not approved, --escalation), `condition-met PLAN-ID N`. */
static int s_bcf_sign(const config_node_t *cfg, int argc, char **argv, int json, int act)
{
    static const struct option opts[] = {{"act", required_argument, NULL, 'a'},
                                         {"version", required_argument, NULL, 'v'},
                                         {"note", required_argument, NULL, 'n'},
                                         {"decision", required_argument, NULL, 'd'},
                                         {"condition", required_argument, NULL, 'c'},
                                         {"escalation", required_argument, NULL, 'e'},
                                         {"district", required_argument, NULL, 'D'},
                                         {NULL, 0, NULL, 0}};
    static const struct {
        const char *name;
        int act;
    } acts[] = {
        {"hwb", CONCORD__V1__BCF_ACT__HWB_AGREEMENT},
        {"council", CONCORD__V1__BCF_ACT__COUNCIL_SIGN_OFF},
        {"ccg", CONCORD__V1__BCF_ACT__CCG_SIGN_OFF},
        {"dfg", CONCORD__V1__BCF_ACT__DFG_JOINT_AGREEMENT},
        {"nhse", CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL},
    };
    static Concord__V1__BcfApprovalCondition conds[16];
    static Concord__V1__BcfApprovalCondition *condp[16];
    static char deadlines[16][11];
    Concord__V1__BcfSignoff m = CONCORD__V1__BCF_SIGNOFF__INIT;
    int opt, met = act == CONCORD__V1__BCF_ACT__CONDITION_MET;
    optind = 1;
    m.conditions = condp;
    while ((opt = getopt_long(argc, argv, "a:v:n:d:c:e:D:", opts, NULL)) != -1) {
        switch (opt) {
        case 'a':
            act = -1;
            for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
                if (strcmp(acts[i].name, optarg) == 0) {
                    act = acts[i].act;
                }
            }
            if (act < 0) {
                return cli_fail("bad --act '%s' (hwb, council, ccg, dfg, nhse)", optarg);
            }
            break;
        case 'v':
            m.plan_version = optarg;
            break;
        case 'n':
            m.note = optarg;
            break;
        case 'd':
            m.board_decision = optarg;
            break;
        case 'c': {
            /* YYYY-MM-DD:TEXT */
            size_t k = m.n_conditions;
            if (k == 16 || strlen(optarg) < 12 || optarg[10] != ':') {
                return cli_fail("--condition wants DEADLINE:TEXT, like 2017-12-31:Agree the DTOC"
                                " trajectory (at most 16)");
            }
            concord__v1__bcf_approval_condition__init(&conds[k]);
            snprintf(deadlines[k], sizeof deadlines[k], "%.10s", optarg);
            conds[k].deadline = deadlines[k];
            conds[k].text = optarg + 11;
            condp[k] = &conds[k];
            m.n_conditions = k + 1;
            break;
        }
        case 'e':
            m.escalation = optarg;
            break;
        case 'D':
            m.district = optarg;
            break;
        default:
            return CLI_USAGE;
        }
    }
    if (act == CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL && m.n_conditions) {
        act = CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL_WITH_CONDITIONS;
    }
    if (met && optind + 2 == argc) {
        char *end;
        unsigned long n = strtoul(argv[optind + 1], &end, 10);
        if (!*argv[optind + 1] || *end || n == 0 || n > 16) {
            return cli_fail("bad condition number '%s' (1 to 16)", argv[optind + 1]);
        }
        m.condition = (uint32_t)n;
        argc--;
    }
    if (optind + 1 != argc || act <= 0 || (met && !m.condition)) {
        return cli_usage("usage: concord bcf sign PLAN-ID --act hwb|council|ccg|dfg|nhse"
                        " [--version V] [--note TEXT] [--decision PROPOSAL]");
    }
    m.plan_id = argv[optind];
    m.act = (Concord__V1__BcfAct)act;
    Concord__V1__BcfSignRequest in = CONCORD__V1__BCF_SIGN_REQUEST__INIT;
    in.signoff = &m;
    return cli_node_call(cfg, "BcfSign", &in.base, cfg->call_timeout_ms, json, NULL);
}

int cli_bcf(const config_node_t *cfg, int argc, char **argv, int json)
{
    static const char usage[] =
        "usage: concord bcf plan --file PLAN.ini |\n"
        "       sign PLAN-ID --act hwb|council|ccg|dfg|nhse [--version V] [--note TEXT]\n"
        "            [--decision PROPOSAL] |\n"
        "       approve PLAN-ID [--condition DEADLINE:TEXT]... [--version V] [--note TEXT] |\n"
        "       reject PLAN-ID --escalation TEXT [--version V] [--note TEXT] |\n"
        "       condition-met PLAN-ID N [--note TEXT] |\n"
        "       status PLAN-ID\n";
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    argc--;
    argv++;
    int rc = CLI_USAGE;
    if (strcmp(sub, "plan") == 0) {
        rc = s_bcf_plan(cfg, argc, argv, json);
    } else if (strcmp(sub, "sign") == 0) {
        rc = s_bcf_sign(cfg, argc, argv, json, 0);
    } else if (strcmp(sub, "approve") == 0) {
        rc = s_bcf_sign(cfg, argc, argv, json, CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL);
    } else if (strcmp(sub, "reject") == 0) {
        rc = s_bcf_sign(cfg, argc, argv, json, CONCORD__V1__BCF_ACT__NHS_ENGLAND_NOT_APPROVED);
    } else if (strcmp(sub, "condition-met") == 0) {
        rc = s_bcf_sign(cfg, argc, argv, json, CONCORD__V1__BCF_ACT__CONDITION_MET);
    } else if (strcmp(sub, "status") == 0 && argc == 2) {
        Concord__V1__BcfShowRequest in = CONCORD__V1__BCF_SHOW_REQUEST__INIT;
        in.plan_id = argv[1];
        return cli_node_call(cfg, "BcfShow", &in.base, 0, json, NULL);
    }
    return rc; /* on CLI_USAGE main() names the usage */
}
