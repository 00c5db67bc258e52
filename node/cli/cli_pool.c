/* SPDX-License-Identifier: Apache-2.0 */
/* cli_pool: `concord pool`. Agreements (read from an INI file) and
 * variations go to the local node as board proposals of the partners'
 * board; pledges, outturns and signed statements are built here and
 * handed to the node, which prechecks them with its
 * pool engine, signs and publishes them, and answers once every node's
 * fold has judged them. `pool verify` checks an exported signed statement
 * offline. */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "certificate.h"
#include "cli.h"
#include "control.pb-c.h"
#include "cli_ini.h"
#include "cli_render.h"
#include "clock.h"
#include "json.h"
#include "money.h"
#include "pool.h"
#include "statement.h"
#include "wire.h"

typedef struct {
    cli_ini_arena_t arena;
    Concord__V1__PoolAgreement a;
    Concord__V1__RiskShare risk;
    Concord__V1__LeadCommissioning lead;
    Concord__V1__Transfer transfer;
    cli_ini_error_t error;
} s_ini_t;

static Concord__V1__PoolPartner *s_partner(s_ini_t *x, const char *code)
{
    for (size_t i = 0; i < x->a.n_partners; i++) {
        if (strcmp(x->a.partners[i]->code, code) == 0) {
            return x->a.partners[i];
        }
    }
    Concord__V1__PoolPartner *p = cli_ini_arena_keep(&x->arena, malloc(sizeof *p));
    if (!p) {
        return NULL;
    }
    concord__v1__pool_partner__init(p);
    p->code = cli_ini_arena_str(&x->arena, code);
    if (!p->code || cli_ini_arena_push(&x->arena, &x->a.partners, &x->a.n_partners, p) < 0) {
        return NULL;
    }
    return p;
}

static int s_kind(const char *v)
{
    static const struct {
        const char *name;
        int kind;
    } kinds[] = {
        {"pooled-fund", CONCORD__V1__ARRANGEMENT_KIND__POOLED_FUND},
        {"aligned-budgets", CONCORD__V1__ARRANGEMENT_KIND__ALIGNED_BUDGETS},
        {"lead-commissioning", CONCORD__V1__ARRANGEMENT_KIND__LEAD_COMMISSIONING},
        {"s76", CONCORD__V1__ARRANGEMENT_KIND__SECTION_76_TRANSFER},
        {"s256", CONCORD__V1__ARRANGEMENT_KIND__SECTION_256_TRANSFER},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(kinds[i].name, v) == 0) {
            return kinds[i].kind;
        }
    }
    return -1;
}

/* "CODE:REST" into code (arena) and *rest. */
static int s_split(s_ini_t *x, const char *v, char **code, const char **rest)
{
    const char *colon = strchr(v, ':');
    if (!colon || colon == v) {
        return -1;
    }
    char *c = cli_ini_arena_keep(&x->arena, strndup(v, (size_t)(colon - v)));
    if (!c) {
        return -1;
    }
    *code = c;
    *rest = colon + 1;
    while (**rest == ' ') {
        (*rest)++;
    }
    return 0;
}

static int s_pool_key(s_ini_t *x, const char *name, const char *value)
{
    Concord__V1__PoolAgreement *a = &x->a;
    cli_ini_arena_t *ar = &x->arena;
    char *v = cli_ini_arena_str(ar, value);
    if (!v) {
        return 0;
    }
    if (strcmp(name, "id") == 0) {
        a->pool_id = v;
    } else if (strcmp(name, "name") == 0) {
        a->name = v;
    } else if (strcmp(name, "kind") == 0) {
        int k = s_kind(v);
        if (k < 0) {
            return cli_ini_fail(&x->error,
                              "unknown kind '%s' (pooled-fund, aligned-budgets,"
                              " lead-commissioning, s76, s256)",
                              v);
        }
        a->kind = (Concord__V1__ArrangementKind)k;
    } else if (strcmp(name, "aims") == 0) {
        a->aims_and_outcomes = v;
    } else if (strcmp(name, "nhs_function") == 0) {
        cli_ini_arena_push(ar, &a->nhs_functions, &a->n_nhs_functions, v);
    } else if (strcmp(name, "council_function") == 0) {
        cli_ini_arena_push(ar, &a->council_functions, &a->n_council_functions, v);
    } else if (strcmp(name, "host") == 0) {
        cli_ini_arena_push(ar, &a->hosts, &a->n_hosts, v);
    } else if (strcmp(name, "management") == 0) {
        a->management_and_monitoring = v;
    } else if (strcmp(name, "governance") == 0) {
        a->governance = v;
    } else if (strcmp(name, "client_group") == 0) {
        cli_ini_arena_push(ar, &a->client_groups, &a->n_client_groups, v);
    } else if (strcmp(name, "board") == 0 || strcmp(name, "board_id") == 0) {
        a->board_id = v; /* the partners' board, which decides the agreement */
    } else if (strcmp(name, "lead") == 0) {
        x->lead.lead = v;
        a->lead = &x->lead;
    } else if (strcmp(name, "delegate") == 0) {
        char *from;
        const char *fn;
        if (s_split(x, v, &from, &fn) < 0) {
            return cli_ini_fail(&x->error, "bad delegate '%s' (FROM: function)", v);
        }
        Concord__V1__Delegation *d = NULL;
        for (size_t i = 0; i < x->lead.n_delegations; i++) {
            if (strcmp(x->lead.delegations[i]->from, from) == 0) {
                d = x->lead.delegations[i];
            }
        }
        if (!d && (d = cli_ini_arena_keep(ar, malloc(sizeof *d)))) {
            concord__v1__delegation__init(d);
            d->from = from;
            cli_ini_arena_push(ar, &x->lead.delegations, &x->lead.n_delegations, d);
        }
        if (d) {
            cli_ini_arena_push(ar, &d->functions, &d->n_functions, (char *)fn);
        }
        a->lead = &x->lead;
    } else if (strcmp(name, "transfer_from") == 0) {
        x->transfer.from = v;
        a->transfer = &x->transfer;
    } else if (strcmp(name, "transfer_to") == 0) {
        x->transfer.to = v;
        a->transfer = &x->transfer;
    } else if (strcmp(name, "service") == 0) {
        x->transfer.service = v;
        a->transfer = &x->transfer;
    } else if (strcmp(name, "start_date") == 0) {
        a->start_date = v;
    } else if (strcmp(name, "end_date") == 0) {
        a->end_date = v;
    } else if (strcmp(name, "review_date") == 0) {
        a->review_date = v;
    } else if (strcmp(name, "notice_months") == 0) {
        char *end;
        unsigned long n = strtoul(v, &end, 10);
        if (!v[0] || *end || n > 120) {
            return cli_ini_fail(&x->error, "notice_months '%s' is not 0 to 120", v);
        }
        a->notice_months = (uint32_t)n;
    } else if (strcmp(name, "exit_terms") == 0) {
        a->exit_terms = v;
    } else {
        return cli_ini_fail(&x->error, "unknown key '%s' in [pool]", name);
    }
    return 1;
}

static int s_risk_key(s_ini_t *x, const char *name, const char *value)
{
    Concord__V1__RiskShare *r = &x->risk;
    cli_ini_arena_t *ar = &x->arena;
    cc_err_t err;
    char *code;
    const char *rest;
    x->a.risk_share = r;
    if (strcmp(name, "basis") == 0) {
        if (strcmp(value, "pro-rata") == 0) {
            r->basis = CONCORD__V1__RISK_SHARE_BASIS__PRO_RATA;
        } else if (strcmp(value, "fixed") == 0) {
            r->basis = CONCORD__V1__RISK_SHARE_BASIS__FIXED;
        } else if (strcmp(value, "borne-by") == 0) {
            r->basis = CONCORD__V1__RISK_SHARE_BASIS__BORNE_BY;
        } else {
            return cli_ini_fail(&x->error, "unknown risk basis '%s' (pro-rata, fixed, borne-by)%s",
                              value, "");
        }
    } else if (strcmp(name, "fixed") == 0) {
        char *end = NULL;
        if (s_split(x, value, &code, &rest) < 0) {
            return cli_ini_fail(&x->error, "bad fixed share '%s' (CODE:BASIS_POINTS)", value);
        }
        unsigned long bp = strtoul(rest, &end, 10);
        Concord__V1__FixedShare *f = cli_ini_arena_keep(ar, malloc(sizeof *f));
        if (!*rest || *end || bp > POOL_BASIS_POINTS || !f) {
            return cli_ini_fail(&x->error, "bad fixed share '%s' (CODE:BASIS_POINTS)", value);
        }
        concord__v1__fixed_share__init(f);
        f->partner = code;
        f->basis_points = (uint32_t)bp;
        cli_ini_arena_push(ar, &r->fixed, &r->n_fixed, f);
    } else if (strcmp(name, "borne_by") == 0) {
        r->borne_by = cli_ini_arena_str(ar, value);
    } else if (strcmp(name, "cap") == 0) {
        Concord__V1__RiskCap *cap = cli_ini_arena_keep(ar, malloc(sizeof *cap));
        if (!cap || s_split(x, value, &code, &rest) < 0) {
            return cli_ini_fail(&x->error, "bad cap '%s' (CODE:AMOUNT)", value);
        }
        concord__v1__risk_cap__init(cap);
        cap->partner = code;
        if (money_parse(rest, &cap->cap_pence, &err) < 0) {
            return cli_ini_fail(&x->error, "cap '%s': %s", value, err.msg);
        }
        cli_ini_arena_push(ar, &r->caps, &r->n_caps, cap);
    } else if (strcmp(name, "remainder_to") == 0) {
        r->remainder_to = cli_ini_arena_str(ar, value);
    } else {
        return cli_ini_fail(&x->error, "unknown key '%s' in [risk]", name);
    }
    return 1;
}

static int s_ini_handler(void *user, const char *section, const char *name, const char *value)
{
    s_ini_t *x = user;
    if (x->error.msg[0]) {
        return 0;
    }
    if (!name) {
        return 1; /* a section opening */
    }
    if (strcmp(section, "pool") == 0) {
        return s_pool_key(x, name, value);
    }
    if (strcmp(section, "risk") == 0) {
        return s_risk_key(x, name, value);
    }
    if (strncmp(section, "partner ", 8) == 0) {
        cc_err_t err;
        uint32_t year;
        Concord__V1__PoolPartner *p = s_partner(x, section + 8);
        Concord__V1__Contribution *ct = cli_ini_arena_keep(&x->arena, malloc(sizeof *ct));
        if (!p || !ct) {
            return 0;
        }
        concord__v1__contribution__init(ct);
        if (money_year_parse(name, &year) < 0) {
            return cli_ini_fail(&x->error,
                              "[%s]: '%s' is not a financial year (like 2017 or 2017/18)", section,
                              name);
        }
        ct->financial_year = year;
        if (money_parse(value, &ct->amount_pence, &err) < 0) {
            return cli_ini_fail(&x->error, "[%s]: %s", section, err.msg);
        }
        cli_ini_arena_push(&x->arena, &p->contributions, &p->n_contributions, ct);
        return 1;
    }
    return cli_ini_fail(&x->error, "unknown section [%s]", section);
}

Concord__V1__PoolAgreement *cli_pool_agreement_read(const char *path)
{
    s_ini_t *x = calloc(1, sizeof *x);
    if (!x) {
        cli_fail("out of memory");
        return NULL;
    }
    concord__v1__pool_agreement__init(&x->a);
    concord__v1__risk_share__init(&x->risk);
    concord__v1__lead_commissioning__init(&x->lead);
    concord__v1__transfer__init(&x->transfer);
    if (cli_ini_read(path, s_ini_handler, x, &x->error, &x->arena) != CLI_OK) {
        cli_ini_arena_free(&x->arena);
        free(x);
        return NULL;
    }
    return &x->a;
}

void cli_pool_agreement_free(Concord__V1__PoolAgreement *a)
{
    if (a) {
        s_ini_t *x = (s_ini_t *)(void *)((char *)a - offsetof(s_ini_t, a));
        cli_ini_arena_free(&x->arena);
        free(x);
    }
}

static int s_propose(const config_node_t *cfg, int argc, char **argv, int json)
{
    const char *file = NULL, *board = "";
    uint64_t closes_in = 7ull * 86400000;
    int frc = cli_ini_file_option(argc, argv,
                            "concord pool propose --file AGREEMENT.ini [--board ID]"
                            " [--closes-in 7d]",
                            &file, &board, &closes_in);
    if (frc != CLI_OK) {
        return frc;
    }
    Concord__V1__PoolAgreement *a = cli_pool_agreement_read(file);
    if (!a) {
        return CLI_FAIL;
    }
    Concord__V1__PoolProposeRequest in = CONCORD__V1__POOL_PROPOSE_REQUEST__INIT;
    in.agreement = a;
    in.board_id = (char *)board;
    in.closes_at_ms = clock_wall_ms() + closes_in;
    int rc = cli_node_call(cfg, "PoolPropose", &in.base, cfg->call_timeout_ms, json, NULL);
    cli_pool_agreement_free(a);
    return rc;
}

/* `pool sign-statement ID --year Y --as PERSON.key`: the statement as the
 * node computes it, signed complete by the host's person. */
static int s_sign_statement_as(const config_node_t *cfg, const Concord__V1__PoolStatement *want,
                               const char *as, int json)
{
    Concord__V1__PoolStatementRequest q = CONCORD__V1__POOL_STATEMENT_REQUEST__INIT;
    ProtobufCMessage *r = NULL;
    q.pool_id = want->pool_id;
    q.financial_year = want->financial_year;
    if (cli_node_call(cfg, "PoolStatement", &q.base, 0, -1, &r) != CLI_OK) {
        return CLI_FAIL;
    }
    const Concord__V1__PoolStatementReply *pr = (const Concord__V1__PoolStatementReply *)r;
    if (!pr->canonical) {
        wire_free(r);
        return cli_fail("the statement of pool %s for that year cannot be computed yet: its"
                        " outturn is not recorded",
                        want->pool_id);
    }
    Concord__V1__PoolStatement m = *pr->canonical;
    char person[33];
    uint8_t sig[64];
    int rc = cli_people_sign(cfg, as, POOL_METHOD_STATEMENT, &m.base, &m.person, person, sig);
    if (rc == CLI_OK) {
        Concord__V1__SignStatementRequest in = CONCORD__V1__SIGN_STATEMENT_REQUEST__INIT;
        in.statement = &m;
        in.person_signature.data = sig;
        in.person_signature.len = sizeof sig;
        rc = cli_node_call(cfg, "SignStatement", &in.base, cfg->call_timeout_ms, json, NULL);
    }
    wire_free(r);
    return rc;
}

/* Options of the per-year commands. */
typedef struct {
    uint32_t year;
    int64_t amount;
    int has_amount;
    const char *partner, *reason, *export;
    const char *as; /* sign-statement --as PERSON.key */
    int csv;
    uint64_t closes_in;
    const char *id;
    Concord__V1__VariedContribution changes[POOL_MAX_ITEMS];
    Concord__V1__VariedContribution *change_ptrs[POOL_MAX_ITEMS];
    char change_codes[POOL_MAX_ITEMS][64];
    size_t n_changes;
    char *withdrawn[POOL_MAX_ITEMS];
    size_t n_withdrawn;
} s_opts_t;

/* SHA-256 of the file at path into out. Returns CLI_OK or CLI_FAIL. */
int cli_pool_sha256_file(const char *path, uint8_t out[32])
{
    crypto_hash_sha256_state st;
    uint8_t buf[65536];
    size_t n;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        return cli_fail("cannot open the signed document %s: %s", path, strerror(errno));
    }
    crypto_hash_sha256_init(&st);
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
        crypto_hash_sha256_update(&st, buf, n);
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        return cli_fail("cannot read the signed document %s", path);
    }
    crypto_hash_sha256_final(&st, out);
    return CLI_OK;
}

/* `pool execute` and `pool decline`: the partner's own act on the
 * agreement its board recommended. */
static int s_execute(const config_node_t *cfg, int argc, char **argv, int declined, int json)
{
    static const struct option opts[] = {{"authority", required_argument, NULL, 'A'},
                                         {"decision-ref", required_argument, NULL, 'R'},
                                         {"decision-date", required_argument, NULL, 'D'},
                                         {"signatory-role", required_argument, NULL, 'S'},
                                         {"document", required_argument, NULL, 'F'},
                                         {"reason", required_argument, NULL, 'r'},
                                         {"as", required_argument, NULL, 'a'},
                                         {NULL, 0, NULL, 0}};
    Concord__V1__Execution m = CONCORD__V1__EXECUTION__INIT;
    const char *document = NULL, *as = NULL;
    uint8_t hash[32];
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "A:R:D:S:F:r:a:", opts, NULL)) != -1) {
        switch (opt) {
        case 'a':
            as = optarg;
            break;
        case 'A':
            m.authority = optarg;
            break;
        case 'R':
            m.decision_ref = optarg;
            break;
        case 'D':
            m.decision_date = optarg;
            break;
        case 'S':
            m.signatory_role = optarg;
            break;
        case 'F':
            document = optarg;
            break;
        case 'r':
            m.reason = optarg;
            break;
        default:
            return CLI_USAGE;
        }
    }
    if (optind + 1 != argc) {
        return cli_fail("give one pool id");
    }
    m.pool_id = argv[optind];
    m.declined = declined;
    if (!m.authority[0] || !m.decision_ref[0] || !m.decision_date[0]) {
        return cli_fail("%s needs --authority BODY, --decision-ref REF and --decision-date"
                        " YYYY-MM-DD: the decision under which the partner acts",
                        declined ? "decline" : "execute");
    }
    if (!declined) {
        if (!document || !m.signatory_role[0]) {
            return cli_fail("execute needs --signatory-role ROLE and --document FILE (the signed"
                            " agreement, whose SHA-256 is recorded)");
        }
        if (cli_pool_sha256_file(document, hash) != CLI_OK) {
            return CLI_FAIL;
        }
        m.document_sha256.data = hash;
        m.document_sha256.len = sizeof hash;
    } else if (document || m.signatory_role[0]) {
        return cli_fail("decline takes no --document or --signatory-role: nothing is signed");
    }
    Concord__V1__ExecuteRequest in = CONCORD__V1__EXECUTE_REQUEST__INIT;
    in.execution = &m;
    char person[33], instrument[40];
    uint8_t sig[64];
    if (as) {
        /* Signed by a person: the execution complete (the instrument in
         * force), as every node will see it. */
        Concord__V1__PoolShowRequest show = CONCORD__V1__POOL_SHOW_REQUEST__INIT;
        ProtobufCMessage *r = NULL;
        show.id = (char *)m.pool_id;
        if (cli_node_call(cfg, "PoolShow", &show.base, 0, -1, &r) != CLI_OK) {
            return CLI_FAIL;
        }
        const Concord__V1__PoolEventReply *pr = (const Concord__V1__PoolEventReply *)r;
        snprintf(instrument, sizeof instrument, "%s", pr->pool ? pr->pool->instrument : "");
        wire_free(r);
        m.instrument = instrument;
        if (cli_people_sign(cfg, as, POOL_METHOD_EXECUTE, &m.base, &m.person, person, sig) !=
            CLI_OK) {
            return CLI_FAIL;
        }
        in.person_signature.data = sig;
        in.person_signature.len = sizeof sig;
    }
    return cli_node_call(cfg, "Execute", &in.base, cfg->call_timeout_ms, json, NULL);
}

/* --change CODE:YEAR:AMOUNT */
static int s_change(s_opts_t *o, const char *spec)
{
    cc_err_t err;
    const char *c1 = strchr(spec, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    char year[16];
    if (o->n_changes == POOL_MAX_ITEMS) {
        return cli_fail("too many --change");
    }
    Concord__V1__VariedContribution *v = &o->changes[o->n_changes];
    concord__v1__varied_contribution__init(v);
    if (!c2 || c1 == spec || (size_t)(c1 - spec) >= sizeof o->change_codes[0] ||
        (size_t)(c2 - c1 - 1) >= sizeof year) {
        return cli_fail("bad --change '%s' (CODE:YEAR:AMOUNT, like E06000026:2017:135m)", spec);
    }
    snprintf(o->change_codes[o->n_changes], sizeof o->change_codes[0], "%.*s", (int)(c1 - spec),
             spec);
    snprintf(year, sizeof year, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
    if (money_year_parse(year, &v->financial_year) < 0) {
        return cli_fail("bad year in --change '%s'", spec);
    }
    if (money_parse(c2 + 1, &v->amount_pence, &err) < 0) {
        return cli_fail("--change '%s': %s", spec, err.msg);
    }
    v->partner = o->change_codes[o->n_changes];
    o->change_ptrs[o->n_changes] = v;
    o->n_changes++;
    return CLI_OK;
}

static int s_parse(int argc, char **argv, s_opts_t *o, const char *amount_name)
{
    static const struct option opts[] = {{"year", required_argument, NULL, 'y'},
                                         {"amount", required_argument, NULL, 'a'},
                                         {"spent", required_argument, NULL, 'a'},
                                         {"partner", required_argument, NULL, 'p'},
                                         {"reason", required_argument, NULL, 'r'},
                                         {"note", required_argument, NULL, 'r'},
                                         {"export", required_argument, NULL, 'x'},
                                         {"closes-in", required_argument, NULL, 'T'},
                                         {"csv", no_argument, NULL, 'c'},
                                         {"change", required_argument, NULL, 'C'},
                                         {"withdraw", required_argument, NULL, 'W'},
                                         {"as", required_argument, NULL, 'P'},
                                         {NULL, 0, NULL, 0}};
    cc_err_t err;
    int opt;
    memset(o, 0, sizeof *o);
    o->partner = o->reason = "";
    o->closes_in = 7ull * 86400000;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "y:a:p:r:x:T:cC:W:P:", opts, NULL)) != -1) {
        switch (opt) {
        case 'y':
            if (money_year_parse(optarg, &o->year) < 0) {
                return cli_fail("bad --year '%s' (like 2017 or 2017/18)", optarg);
            }
            break;
        case 'a':
            if (money_parse(optarg, &o->amount, &err) < 0) {
                return cli_fail("--%s: %s", amount_name, err.msg);
            }
            o->has_amount = 1;
            break;
        case 'p':
            o->partner = optarg;
            break;
        case 'r':
            o->reason = optarg;
            break;
        case 'x':
            o->export = optarg;
            break;
        case 'T':
            if (cli_duration(optarg, &o->closes_in) < 0) {
                return cli_fail("bad --closes-in '%s' (like 7d, 12h, 30m, 90s)", optarg);
            }
            break;
        case 'c':
            o->csv = 1;
            break;
        case 'C':
            if (s_change(o, optarg) != CLI_OK) {
                return CLI_FAIL;
            }
            break;
        case 'P':
            o->as = optarg;
            break;
        case 'W':
            if (o->n_withdrawn == POOL_MAX_ITEMS) {
                return cli_fail("too many --withdraw");
            }
            o->withdrawn[o->n_withdrawn++] = optarg;
            break;
        default:
            return CLI_USAGE;
        }
    }
    if (optind + 1 != argc) {
        return cli_usage("give one pool id");
    }
    o->id = argv[optind];
    return CLI_OK;
}

/* Writes the host's signed statement, with what checks it, to path. */
static int s_export(const config_node_t *cfg, const char *pool_id, uint32_t year,
                    const char *path, int json)
{
    Concord__V1__PoolStatementExportRequest in = CONCORD__V1__POOL_STATEMENT_EXPORT_REQUEST__INIT;
    Concord__V1__CertificateReply *cert = NULL;
    in.pool_id = (char *)pool_id;
    in.financial_year = year;
    int rc = cli_node_call(cfg, "PoolStatementExport", &in.base, cfg->call_timeout_ms, -1,
                           (ProtobufCMessage **)&cert);
    if (rc == CLI_OK &&
        (rc = cli_write_file(path, cert->certificate.data, cert->certificate.len)) == CLI_OK) {
        printf(json ? "{\"statement\":\"%s\",\"bytes\":%zu}\n"
                    : "wrote signed statement %s (%zu bytes)\n",
               path, cert->certificate.len);
    }
    wire_free(cert ? &cert->base : NULL);
    return rc;
}

int cli_pool_verify(int argc, char **argv, int json)
{
    static const struct option opts[] = {{"roster", required_argument, NULL, 'r'},
                                         {"csv", no_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    const char *roster_path = NULL;
    int opt, csv = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "r:c", opts, NULL)) != -1) {
        if (opt == 'r') {
            roster_path = optarg;
        } else if (opt == 'c') {
            csv = 1;
        } else {
            return CLI_USAGE;
        }
    }
    if (!roster_path || optind + 1 != argc) {
        return cli_usage("pool verify needs STATEMENT-FILE and --roster ROSTER");
    }
    cc_err_t err;
    statement_report_t rep;
    size_t len = 0;
    roster_t *r = NULL;
    uint8_t *buf = NULL;
    if (cli_verify_inputs(roster_path, argv[optind], &r, &buf, &len) != CLI_OK) {
        return CLI_FAIL;
    }
    int rc = statement_verify(buf, len, r, &rep, &err);
    free(buf);
    roster_destroy(&r);
    if (rc < 0) {
        return cli_fail("statement %s does NOT verify: %s: %s", argv[optind],
                        err_code_name(err.code), err.msg);
    }
    if (csv) {
        fputs(rep.csv, stdout);
    } else if (json) {
        json_t j;
        json_init(&j);
        json_obj_begin(&j, NULL);
        json_bool(&j, "verified", 1);
        json_str(&j, "pool_id", rep.pool_id);
        json_u64(&j, "financial_year", rep.year);
        json_str(&j, "signed_by", rep.host);
        json_str(&j, "statement_id", rep.statement_id);
        json_str(&j, "exported_by", rep.signer);
        json_u64(&j, "events", rep.events);
        json_str(&j, "statement", rep.text);
        json_obj_end(&j);
        char *js = json_take(&j);
        printf("%s\n", js ? js : "{}");
        free(js);
    } else {
        char *text = cli_safe(rep.text, "\n");
        printf("signed statement verified: every signature, receipt and rule checked, and the"
               " statement recomputed\npool      %s, year %u\nsigned by %s (statement %s)\n"
               "exported  by %s\nevents    %zu\n\n%s",
               rep.pool_id, rep.year, rep.host, rep.statement_id, rep.signer, rep.events,
               text ? text : "");
        free(text);
    }
    statement_report_free(&rep);
    return CLI_OK;
}

int cli_pool(const config_node_t *cfg, int argc, char **argv, int json)
{
    static const char usage[] =
        "usage: concord pool propose --file AGREEMENT.ini [--board ID] [--closes-in 7d] |\n"
        "       list | show ID | rejections |\n"
        "       execute ID --authority BODY --decision-ref REF --decision-date DATE\n"
        "               --signatory-role ROLE --document FILE [--as PERSON.key] |\n"
        "       decline ID --authority BODY --decision-ref REF --decision-date DATE\n"
        "               [--reason TEXT] |\n"
        "       pledge ID --year YEAR --amount POUNDS [--partner CODE] |\n"
        "       vary ID [--change CODE:YEAR:POUNDS...] [--withdraw CODE...] [--reason TEXT]\n"
        "               [--closes-in 7d] |\n"
        "       outturn ID --year YEAR --spent POUNDS [--note TEXT] |\n"
        "       sign-statement ID --year YEAR [--as PERSON.key] |\n"
        "       statement ID --year YEAR [--csv] [--export FILE] |\n"
        "       verify STATEMENT-FILE --roster ROSTER [--csv]\n";
    s_opts_t o;
    int rc;
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    argc--;
    argv++;
    if (strcmp(sub, "propose") == 0) {
        return s_propose(cfg, argc, argv, json);
    }
    if (strcmp(sub, "list") == 0 && argc == 1) {
        Concord__V1__PoolListRequest in = CONCORD__V1__POOL_LIST_REQUEST__INIT;
        return cli_node_call(cfg, "PoolList", &in.base, 0, json, NULL);
    }
    if (strcmp(sub, "show") == 0 && argc == 2) {
        Concord__V1__PoolShowRequest in = CONCORD__V1__POOL_SHOW_REQUEST__INIT;
        in.id = argv[1];
        return cli_node_call(cfg, "PoolShow", &in.base, 0, json, NULL);
    }
    if (strcmp(sub, "execute") == 0 || strcmp(sub, "decline") == 0) {
        rc = s_execute(cfg, argc, argv, strcmp(sub, "decline") == 0, json);
        if (rc == CLI_USAGE) {
            fputs(usage, stderr);
        }
        return rc;
    }
    if (strcmp(sub, "rejections") == 0 && argc == 1) {
        Concord__V1__PoolRejectionsRequest in = CONCORD__V1__POOL_REJECTIONS_REQUEST__INIT;
        return cli_node_call(cfg, "PoolRejections", &in.base, 0, json, NULL);
    }
    rc = s_parse(argc, argv, &o, strcmp(sub, "outturn") == 0 ? "spent" : "amount");
    if (rc != CLI_OK) {
        return rc; /* main() names the usage */
    }
    if (strcmp(sub, "vary") == 0) {
        if (!o.n_changes && !o.n_withdrawn) {
            return cli_fail("vary needs at least one --change CODE:YEAR:AMOUNT or --withdraw CODE");
        }
        Concord__V1__Variation m = CONCORD__V1__VARIATION__INIT;
        m.pool_id = (char *)o.id;
        m.changes = o.change_ptrs;
        m.n_changes = o.n_changes;
        m.withdrawn = o.withdrawn;
        m.n_withdrawn = o.n_withdrawn;
        m.reason = (char *)o.reason;
        Concord__V1__PoolVaryRequest in = CONCORD__V1__POOL_VARY_REQUEST__INIT;
        in.variation = &m;
        in.closes_at_ms = clock_wall_ms() + o.closes_in;
        return cli_node_call(cfg, "PoolVary", &in.base, cfg->call_timeout_ms, json, NULL);
    }
    if (!o.year) {
        return cli_usage("%s needs --year (like 2017 for 2017/18)", sub);
    }
    if (strcmp(sub, "statement") == 0) {
        if (o.export) {
            return s_export(cfg, o.id, o.year, o.export, json);
        }
        Concord__V1__PoolStatementRequest in = CONCORD__V1__POOL_STATEMENT_REQUEST__INIT;
        in.pool_id = (char *)o.id;
        in.financial_year = o.year;
        return cli_node_call(cfg, "PoolStatement", &in.base, 0, o.csv ? CLI_RENDER_CSV : json,
                             NULL);
    }
    if (strcmp(sub, "sign-statement") == 0) {
        Concord__V1__PoolStatement m = CONCORD__V1__POOL_STATEMENT__INIT;
        m.pool_id = (char *)o.id;
        m.financial_year = o.year;
        Concord__V1__SignStatementRequest in = CONCORD__V1__SIGN_STATEMENT_REQUEST__INIT;
        in.statement = &m; /* the node fills it in */
        if (!o.as) {
            return cli_node_call(cfg, "SignStatement", &in.base, cfg->call_timeout_ms, json, NULL);
        }
        return s_sign_statement_as(cfg, &m, o.as, json);
    }
    if (strcmp(sub, "pledge") == 0) {
        if (!o.has_amount) {
            return cli_fail("pledge needs --amount");
        }
        Concord__V1__Pledge m = CONCORD__V1__PLEDGE__INIT;
        m.pool_id = (char *)o.id;
        m.partner = (char *)o.partner;
        m.financial_year = o.year;
        m.amount_pence = o.amount;
        Concord__V1__PledgeRequest in = CONCORD__V1__PLEDGE_REQUEST__INIT;
        in.pledge = &m;
        return cli_node_call(cfg, "Pledge", &in.base, cfg->call_timeout_ms, json, NULL);
    }
    if (strcmp(sub, "outturn") == 0) {
        if (!o.has_amount) {
            return cli_fail("outturn needs --spent");
        }
        Concord__V1__Outturn m = CONCORD__V1__OUTTURN__INIT;
        m.pool_id = (char *)o.id;
        m.financial_year = o.year;
        m.spend_pence = o.amount;
        m.note = (char *)o.reason;
        Concord__V1__OutturnRequest in = CONCORD__V1__OUTTURN_REQUEST__INIT;
        in.outturn = &m;
        return cli_node_call(cfg, "Outturn", &in.base, cfg->call_timeout_ms, json, NULL);
    }
    return CLI_USAGE; /* main() names the usage */
}
