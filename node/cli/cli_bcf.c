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
    Concord__V1__NationalConditions cond;
    int has_total;
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

static int s_bcf_handler(void *user, const char *section, const char *name, const char *value)
{
    s_bcf_ini_t *x = user;
    cli_ini_arena_t *ar = &x->arena;
    cc_err_t err;
    if (x->error.msg[0]) {
        return 0;
    }
    if (!name) {
        return 1;
    }
    if (strcmp(section, "plan") == 0) {
        return s_bcf_plan_key(x, name, value);
    }
    if (strcmp(section, "ccg") == 0) {
        Concord__V1__BcfCcgContribution *c = cli_ini_arena_keep(ar, malloc(sizeof *c));
        if (!c) {
            return 0;
        }
        concord__v1__bcf_ccg_contribution__init(c);
        if (!(c->ccg = cli_ini_arena_str(ar, name)) || money_parse(value, &c->amount_pence, &err) < 0) {
            return cli_ini_fail(&x->error, "[ccg] %s: %s", name,
                                c->ccg ? err.msg : "out of memory");
        }
        cli_ini_arena_push(ar, &x->p.ccg_minimum, &x->p.n_ccg_minimum, c);
        return 1;
    }
    if (strcmp(section, "dfg") == 0) {
        if (strcmp(name, "total") == 0) {
            if (money_parse(value, &x->p.dfg_pence, &err) < 0) {
                return cli_ini_fail(&x->error, "[dfg] total: %s", err.msg);
            }
            return 1;
        }
        Concord__V1__DfgAllocation *d = cli_ini_arena_keep(ar, malloc(sizeof *d));
        if (!d) {
            return 0;
        }
        concord__v1__dfg_allocation__init(d);
        if (!(d->district = cli_ini_arena_str(ar, name)) ||
            money_parse(value, &d->amount_pence, &err) < 0) {
            return cli_ini_fail(&x->error, "[dfg] %s: %s", name,
                                d->district ? err.msg : "out of memory");
        }
        cli_ini_arena_push(ar, &x->p.dfg_allocations, &x->p.n_dfg_allocations, d);
        return 1;
    }
    if (strcmp(section, "additional") == 0) {
        /* CODE = AMOUNT [purpose] */
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
        cli_ini_arena_push(ar, &x->p.additional, &x->p.n_additional, c);
        return 1;
    }
    if (strcmp(section, "conditions") == 0) {
        int b = s_bool(value);
        protobuf_c_boolean *field = NULL;
        if (strcmp(name, "nhs_social_care_maintained") == 0) {
            field = &x->cond.nhs_social_care_maintained;
        } else if (strcmp(name, "out_of_hospital_investment") == 0) {
            field = &x->cond.out_of_hospital_investment;
        } else if (strcmp(name, "managing_transfers_of_care") == 0) {
            field = &x->cond.managing_transfers_of_care;
        } else {
            return cli_ini_fail(&x->error, "unknown key '%s' in [conditions]", name);
        }
        if (b < 0) {
            return cli_ini_fail(&x->error, "[conditions] %s: '%s' is not yes or no", name, value);
        }
        *field = b;
        return 1;
    }
    return cli_ini_fail(&x->error, "unknown section [%s]", section);
}

Concord__V1__BcfPlan *cli_bcf_plan_read(const char *path)
{
    s_bcf_ini_t *x = calloc(1, sizeof *x);
    if (!x) {
        cli_fail("out of memory");
        return NULL;
    }
    concord__v1__bcf_plan__init(&x->p);
    concord__v1__national_conditions__init(&x->cond);
    x->p.conditions = &x->cond;
    if (cli_ini_read(path, s_bcf_handler, x, &x->error, &x->arena) != CLI_OK) {
        cli_ini_arena_free(&x->arena);
        free(x);
        return NULL;
    }
    pool_bcf_totals_t t;
    cc_err_t err;
    if (!x->has_total && pool_bcf_totals(&x->p, &t, &err) == 0) {
        x->p.total_pence = t.total; /* the engine checks the sum either way */
    }
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

static int s_bcf_sign(const config_node_t *cfg, int argc, char **argv, int json, int act)
{
    static const struct option opts[] = {{"act", required_argument, NULL, 'a'},
                                         {"version", required_argument, NULL, 'v'},
                                         {"note", required_argument, NULL, 'n'},
                                         {"decision", required_argument, NULL, 'd'},
                                         {NULL, 0, NULL, 0}};
    static const struct {
        const char *name;
        int act;
    } acts[] = {
        {"hwb", CONCORD__V1__BCF_ACT__HWB_AGREEMENT},
        {"council", CONCORD__V1__BCF_ACT__COUNCIL_SIGN_OFF},
        {"ccg", CONCORD__V1__BCF_ACT__CCG_SIGN_OFF},
        {"nhse", CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL},
    };
    Concord__V1__BcfSignoff m = CONCORD__V1__BCF_SIGNOFF__INIT;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "a:v:n:d:", opts, NULL)) != -1) {
        switch (opt) {
        case 'a':
            act = -1;
            for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
                if (strcmp(acts[i].name, optarg) == 0) {
                    act = acts[i].act;
                }
            }
            if (act < 0) {
                return cli_fail("bad --act '%s' (hwb, council, ccg, nhse)", optarg);
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
        default:
            return CLI_USAGE;
        }
    }
    if (optind + 1 != argc || act <= 0) {
        return cli_usage("usage: concord bcf sign PLAN-ID --act hwb|council|ccg|nhse"
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
        "       sign PLAN-ID --act hwb|council|ccg|nhse [--version V] [--note TEXT]\n"
        "            [--decision PROPOSAL] |\n"
        "       approve PLAN-ID [--version V] [--note TEXT] |\n"
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
    } else if (strcmp(sub, "status") == 0 && argc == 2) {
        Concord__V1__BcfShowRequest in = CONCORD__V1__BCF_SHOW_REQUEST__INIT;
        in.plan_id = argv[1];
        return cli_node_call(cfg, "BcfShow", &in.base, 0, json, NULL);
    }
    return rc; /* on CLI_USAGE main() names the usage */
}
