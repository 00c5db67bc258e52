/* SPDX-License-Identifier: Apache-2.0 */
/* cli_board: `concord board`, `propose`, `vote`, `proposal`, `decision`
 * and `verify`. Proposals and ballots are built here and handed to the
 * local node, which checks them, signs them and publishes them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "board_names.h"
#include "certificate.h"
#include "cli.h"
#include "control.pb-c.h"
#include "clock.h"
#include "date.h"
#include "exempt.h"
#include "inifile.h"
#include "json.h"
#include "money.h"
#include "roster.h"
#include "wire.h"

#define CLI_MAX_MEMBERS BOARD_MAX_MEMBERS
#define CLI_MAX_RESERVED 32

/* The constituency an organisation's kind implies. */
static int s_default_constituency(const roster_org_t *o)
{
    if (strcmp(o->kind, "CCG") == 0 || strcmp(o->kind, "NHS_ENGLAND") == 0) {
        return CONCORD__V1__CONSTITUENCY__NHS;
    }
    if (strncmp(o->kind, "COUNCIL", 7) == 0 || strcmp(o->kind, "COMBINED_AUTHORITY") == 0) {
        return CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT;
    }
    return CONCORD__V1__CONSTITUENCY__OTHER;
}

/* Parses CODE[:CONSTITUENCY[:WEIGHT]] into m, checking the roster. */
static int s_member(const roster_t *r, const char *spec, Concord__V1__BoardMember *m, char *code,
                    size_t code_size)
{
    roster_org_t o;
    const char *c1 = strchr(spec, ':');
    size_t n = c1 ? (size_t)(c1 - spec) : strlen(spec);
    if (n == 0 || n >= code_size) {
        return cli_fail("bad member '%s' (CODE[:nhs|local-government|other[:WEIGHT]])", spec);
    }
    memcpy(code, spec, n);
    code[n] = '\0';
    if (roster_lookup(r, code, &o) < 0) {
        return cli_fail("member %s is not in the roster", code);
    }
    concord__v1__board_member__init(m);
    m->code = code;
    m->constituency = (Concord__V1__Constituency)s_default_constituency(&o);
    if (c1) {
        char part[32];
        const char *c2 = strchr(c1 + 1, ':');
        size_t pn = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
        snprintf(part, sizeof part, "%.*s", (int)(pn < sizeof part ? pn : sizeof part - 1),
                 c1 + 1);
        int cons = board_names_constituency_parse(part);
        if (cons < 0) {
            return cli_fail("unknown constituency '%s' (nhs, local-government, other)", part);
        }
        m->constituency = (Concord__V1__Constituency)cons;
        if (c2) {
            char *end = NULL;
            m->weight = strtoull(c2 + 1, &end, 10);
            if (!c2[1] || *end) {
                return cli_fail("bad weight in '%s'", spec);
            }
        }
    }
    return CLI_OK;
}

static int s_fraction(const char *text, uint32_t *num, uint32_t *den)
{
    unsigned a = 0, b = 0;
    char tail;
    if (sscanf(text, "%u/%u%c", &a, &b, &tail) != 2 || b == 0 || a > b || b > 1000) {
        return cli_fail("bad fraction '%s' (like 2/3)", text);
    }
    *num = a;
    *den = b;
    return CLI_OK;
}

/* Sends a built proposal to the node and prints the verdict. */
static int s_send_proposal(const config_node_t *cfg, Concord__V1__Proposal *p, int json)
{
    Concord__V1__ProposeRequest in = CONCORD__V1__PROPOSE_REQUEST__INIT;
    in.proposal = p;
    return cli_node_call(cfg, "Propose", &in.base, cfg->call_timeout_ms, json, NULL);
}

/* An exempt item's paper, read whole (at most 200 KB). NULL after
 * printing why. */
static uint8_t *s_paper_read(const char *path, size_t *len)
{
    enum { S_PAPER_MAX = 200 * 1024 };
    FILE *fp = fopen(path, "rb");
    uint8_t *buf = fp ? malloc(S_PAPER_MAX + 1) : NULL;
    size_t n = buf ? fread(buf, 1, S_PAPER_MAX + 1, fp) : 0;
    int bad = !fp || !buf || ferror(fp) || n > S_PAPER_MAX;
    if (fp) {
        fclose(fp);
    }
    if (bad) {
        cli_fail("--paper %s: %s", path,
                 !fp ? "cannot be read" : n > S_PAPER_MAX ? "over 200 KB" : "read error");
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Sends an exempt item: the node encrypts its title, text and paper
 * (docs/PROTOCOL.md section 16.10). */
static int s_send_exempt(const config_node_t *cfg, Concord__V1__Proposal *p, const char *reason,
                         const char *release_on, const char *paper, int json)
{
    char canon[EXEMPT_REASON_MAX + 1];
    cc_err_t err;
    int y, m, d;
    if (exempt_reason_parse(reason, canon, &err) < 0) {
        return cli_fail("--exempt: %s", err.msg);
    }
    if (!release_on || date_parse(release_on, &y, &m, &d) < 0) {
        return cli_fail("an exempt item needs --release-on YYYY-MM-DD, the date from which its"
                        " proposer may release it");
    }
    Concord__V1__Exemption x = CONCORD__V1__EXEMPTION__INIT;
    Concord__V1__ProposeRequest in = CONCORD__V1__PROPOSE_REQUEST__INIT;
    x.reason = canon;
    x.release_on = (char *)release_on;
    p->exempt = &x;
    in.proposal = p;
    if (paper) {
        const char *base = strrchr(paper, '/');
        if (!(in.paper.data = s_paper_read(paper, &in.paper.len))) {
            return CLI_FAIL;
        }
        in.paper_name = (char *)(base ? base + 1 : paper);
    }
    int rc = cli_node_call(cfg, "Propose", &in.base, cfg->call_timeout_ms, json, NULL);
    free(in.paper.data);
    return rc;
}

typedef struct {
    Concord__V1__Charter ch;
    Concord__V1__BoardMember members[CLI_MAX_MEMBERS];
    Concord__V1__BoardMember *mptr[CLI_MAX_MEMBERS];
    char codes[CLI_MAX_MEMBERS][KEYS_CODE_MAX + 1];
    Concord__V1__ReservedMatter reserved[CLI_MAX_RESERVED];
    Concord__V1__ReservedMatter *rptr[CLI_MAX_RESERVED];
    char rcodes[CLI_MAX_RESERVED][KEYS_CODE_MAX + 1];
    char *call_in_by[CLI_MAX_MEMBERS];
    char *ratifiers[BOARD_RATIFIERS_MAX];
    char *must_agree[CLI_MAX_MEMBERS];
    char must_codes[CLI_MAX_MEMBERS][KEYS_CODE_MAX + 1];
    char *co_chairs[MEETING_CO_CHAIRS_MAX];
    Concord__V1__KeyDecisionThreshold thresholds[CLI_MAX_MEMBERS];
    Concord__V1__KeyDecisionThreshold *tptr[CLI_MAX_MEMBERS];
    char tcodes[CLI_MAX_MEMBERS][KEYS_CODE_MAX + 1];
} s_charter_t;

/* Long-only options of meetings and key decisions (docs/BOARDS.md
 * "Meetings and the forward plan"). */
enum {
    S_OPT_CHAIR = 0x110, /* after --split (0x100) and --successor (0x101) */
    S_OPT_CO_CHAIR,
    S_OPT_CASTING_VOTE,
    S_OPT_KEY_THRESHOLD,
    S_OPT_KEY_DECISION,
    S_OPT_FORWARD_PLAN,
    S_OPT_GENERAL_EXCEPTION,
    S_OPT_SPECIAL_URGENCY,
    S_OPT_CASTING,
};

/* `--own-rule CODE:REPRESENTATIVES[:RULE[:QUORUM]]`: how a body of a
 * committee in common decides its own motion. */
static int s_own_rule(s_charter_t *c, const char *spec)
{
    char code[KEYS_CODE_MAX + 1], rule[40] = "majority";
    unsigned reps = 0, quorum = 0;
    int n = sscanf(spec, "%16[^:]:%u:%39[^:]:%u", code, &reps, rule, &quorum);
    int v = board_names_rule_parse(rule);
    if (n < 2 || v < 0) {
        return cli_fail("bad --own-rule '%s' (CODE:REPRESENTATIVES[:RULE[:QUORUM]], e.g."
                        " E08000001:5:majority:3)", spec);
    }
    for (size_t i = 0; i < c->ch.n_members; i++) {
        if (strcmp(c->codes[i], code) == 0) {
            c->members[i].representatives = reps;
            c->members[i].own_rule = (Concord__V1__VotingRule)v;
            c->members[i].own_quorum = quorum;
            c->ch.kind = CONCORD__V1__BOARD_KIND__COMMITTEE_IN_COMMON;
            return CLI_OK;
        }
    }
    return cli_fail("--own-rule names %s, which is not (yet) a --member", code);
}

static int s_add_member(s_charter_t *c, const roster_t *r, const char *spec)
{
    if (c->ch.n_members == CLI_MAX_MEMBERS) {
        return cli_fail("too many members");
    }
    size_t i = c->ch.n_members;
    if (s_member(r, spec, &c->members[i], c->codes[i], sizeof c->codes[i]) != CLI_OK) {
        return CLI_FAIL;
    }
    c->mptr[i] = &c->members[i];
    c->ch.n_members++;
    return CLI_OK;
}

static int s_add_reserved(s_charter_t *c, const char *spec)
{
    const char *colon = strchr(spec, ':');
    char area[40];
    if (!colon || c->ch.n_reserved == CLI_MAX_RESERVED) {
        return cli_fail("bad reserved matter '%s' (AREA:CODE, e.g. primary-care:X24)", spec);
    }
    snprintf(area, sizeof area, "%.*s", (int)(colon - spec), spec);
    int a = board_names_area_parse(area);
    if (a < 0) {
        return cli_fail("unknown service area '%s'", area);
    }
    size_t i = c->ch.n_reserved++;
    concord__v1__reserved_matter__init(&c->reserved[i]);
    c->reserved[i].area = (Concord__V1__ServiceArea)a;
    snprintf(c->rcodes[i], sizeof c->rcodes[i], "%s", colon + 1);
    c->reserved[i].member = c->rcodes[i];
    c->rptr[i] = &c->reserved[i];
    return CLI_OK;
}

/* Options shared by `board create` and charter amendments. */
static int s_charter_option(s_charter_t *c, const roster_t *r, int opt, const char *arg)
{
    int v;
    switch (opt) {
    case 'r':
        if ((v = board_names_rule_parse(arg)) < 0) {
            return cli_fail("unknown rule '%s' (majority, absolute-majority, qualified-majority,"
                            " unanimity, consensus, double-majority, weighted)",
                            arg);
        }
        c->ch.rule = (Concord__V1__VotingRule)v;
        return CLI_OK;
    case 'Q':
        return s_fraction(arg, &c->ch.qualified_numerator, &c->ch.qualified_denominator);
    case 'q':
        return s_fraction(arg, &c->ch.quorum_numerator, &c->ch.quorum_denominator);
    case 'e':
        c->ch.quorum_each_constituency = 1;
        return CLI_OK;
    case 'm':
        if (strcmp(arg, "all") == 0) {
            for (size_t i = 0; i < roster_count(r); i++) {
                roster_org_t o;
                roster_at(r, i, &o);
                if (s_add_member(c, r, o.code) != CLI_OK) {
                    return CLI_FAIL;
                }
            }
            return CLI_OK;
        }
        return s_add_member(c, r, arg);
    case 'R':
        return s_add_reserved(c, arg);
    case 'a':
        c->ch.accountable_to = (char *)arg;
        return CLI_OK;
    case 'H':
        c->ch.hwb_area = (char *)arg;
        return CLI_OK;
    case 'W': {
        char *end;
        unsigned long n = strtoul(arg, &end, 10);
        if (!*arg || *end || n > 20) {
            return cli_fail("bad --call-in-days '%s' (0 to 20 working days)", arg);
        }
        c->ch.call_in_working_days = (uint32_t)n;
        return CLI_OK;
    }
    case 'V':
        if (c->ch.n_ratifiers == BOARD_RATIFIERS_MAX) {
            return cli_fail("at most %d --ratifier", BOARD_RATIFIERS_MAX);
        }
        c->ratifiers[c->ch.n_ratifiers++] = (char *)arg;
        c->ch.ratifiers = c->ratifiers;
        c->ch.kind = CONCORD__V1__BOARD_KIND__ADVISORY;
        return CLI_OK;
    case 'I':
        c->ch.kind = CONCORD__V1__BOARD_KIND__COMMITTEE_IN_COMMON;
        return CLI_OK;
    case 'T': {
        char *end;
        unsigned long n = strtoul(arg, &end, 10);
        if (!*arg || *end || n < 1 || n > 60) {
            return cli_fail("bad --ratify-days '%s' (1 to 60 working days)", arg);
        }
        c->ch.ratify_working_days = (uint32_t)n;
        return CLI_OK;
    }
    case 'O':
        return s_own_rule(c, arg);
    case 'G':
        if (c->ch.n_must_agree == CLI_MAX_MEMBERS) {
            return cli_fail("too many --must-agree");
        }
        snprintf(c->must_codes[c->ch.n_must_agree], sizeof c->must_codes[0], "%s", arg);
        c->must_agree[c->ch.n_must_agree] = c->must_codes[c->ch.n_must_agree];
        c->ch.n_must_agree++;
        c->ch.must_agree = c->must_agree;
        c->ch.kind = CONCORD__V1__BOARD_KIND__COMMITTEE_IN_COMMON;
        return CLI_OK;
    case S_OPT_CHAIR:
        c->ch.chair = (char *)arg;
        return CLI_OK;
    case S_OPT_CO_CHAIR:
        if (c->ch.n_co_chairs == MEETING_CO_CHAIRS_MAX) {
            return cli_fail("at most %d --co-chair", MEETING_CO_CHAIRS_MAX);
        }
        c->co_chairs[c->ch.n_co_chairs++] = (char *)arg;
        c->ch.co_chairs = c->co_chairs;
        return CLI_OK;
    case S_OPT_CASTING_VOTE:
        c->ch.chair_casting_vote = 1;
        return CLI_OK;
    case S_OPT_KEY_THRESHOLD: {
        const char *colon = strchr(arg, ':');
        size_t i = c->ch.n_key_decision_thresholds;
        cc_err_t err;
        if (!colon || colon == arg || (size_t)(colon - arg) > KEYS_CODE_MAX ||
            i == CLI_MAX_MEMBERS) {
            return cli_fail("bad --key-threshold '%s' (COUNCIL:POUNDS, e.g. E08000003:500000)",
                            arg);
        }
        concord__v1__key_decision_threshold__init(&c->thresholds[i]);
        if (money_parse(colon + 1, &c->thresholds[i].amount_pence, &err) < 0) {
            return cli_fail("%s", err.msg);
        }
        snprintf(c->tcodes[i], sizeof c->tcodes[i], "%.*s", (int)(colon - arg), arg);
        c->thresholds[i].member = c->tcodes[i];
        c->tptr[i] = &c->thresholds[i];
        c->ch.key_decision_thresholds = c->tptr;
        c->ch.n_key_decision_thresholds++;
        return CLI_OK;
    }
    case 'B':
        if (c->ch.n_call_in_by == CLI_MAX_MEMBERS) {
            return cli_fail("too many --call-in-by");
        }
        c->call_in_by[c->ch.n_call_in_by++] = (char *)arg;
        c->ch.call_in_by = c->call_in_by;
        return CLI_OK;
    default:
        return CLI_USAGE;
    }
}

static void s_charter_init(s_charter_t *c)
{
    memset(c, 0, sizeof *c);
    concord__v1__charter__init(&c->ch);
    c->ch.members = c->mptr;
    c->ch.reserved = c->rptr;
    c->ch.quorum_numerator = 1;
    c->ch.quorum_denominator = 2;
    c->ch.rule = CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST;
}

/* Reading a charter file for `board create --file` (docs/BOARDS.md): each
 * key is the long option of the same name (underscores for hyphens), so
 * the file and the flags share one code path. */
typedef struct {
    s_charter_t *c;
    const roster_t *r;
    uint64_t *closes_in;
    char strings[4][BOARD_TITLE_MAX + 1]; /* id, name, accountable_to, hwb */
} s_charter_file_t;

static int s_charter_entry(void *user, const char *section, const char *arg, const char *key,
                           const char *value, int line, cc_err_t *err)
{
    static const struct {
        const char *key;
        int opt;
    } keys[] = {{"id", 'i'},      {"name", 'n'},     {"rule", 'r'},
                {"qualified", 'Q'}, {"quorum", 'q'}, {"each_constituency", 'e'},
                {"member", 'm'},  {"reserved", 'R'}, {"in_common", 'I'},
                {"own_rule", 'O'}, {"must_agree", 'G'}, {"ratify_days", 'T'},
                {"accountable_to", 'a'}, {"closes_in", 'c'}, {"hwb", 'H'}};
    s_charter_file_t *x = user;
    (void)line;
    if (strcmp(section, "board") != 0 || *arg) {
        err_set(err, CC_INVALID_ARGUMENT, "unknown section [%s] (expected [board])", section);
        return -1;
    }
    if (!key) {
        return 0;
    }
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strcmp(key, keys[i].key) != 0) {
            continue;
        }
        int opt = keys[i].opt;
        if ((opt == 'e' || opt == 'I') && strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
            err_set(err, CC_INVALID_ARGUMENT, "%s must be yes or no", key);
            return -1;
        }
        if ((opt == 'e' || opt == 'I') && strcmp(value, "no") == 0) {
            return 0;
        }
        int slot = opt == 'i' ? 0 : opt == 'n' ? 1 : opt == 'a' ? 2 : opt == 'H' ? 3 : -1;
        if (slot >= 0) {
            if (strlen(value) > BOARD_TITLE_MAX) {
                err_set(err, CC_INVALID_ARGUMENT, "%s is too long", key);
                return -1;
            }
            snprintf(x->strings[slot], sizeof x->strings[slot], "%s", value);
            value = x->strings[slot];
        }
        int rc = CLI_OK;
        if (opt == 'i') {
            x->c->ch.board_id = (char *)value;
        } else if (opt == 'n') {
            x->c->ch.name = (char *)value;
        } else if (opt == 'c') {
            rc = cli_duration(value, x->closes_in) < 0 ? CLI_FAIL : CLI_OK;
        } else {
            rc = s_charter_option(x->c, x->r, opt, value);
        }
        if (rc != CLI_OK) {
            err_set(err, CC_INVALID_ARGUMENT, "bad %s '%s'", key, value);
            return -1;
        }
        return 0;
    }
    err_set(err, CC_INVALID_ARGUMENT, "unknown key '%s' in [board]", key);
    return -1;
}

static s_charter_t s_charter; /* large; one per process */

/* Reads a charter file into c, and its closes_in if it has one. */
static int s_charter_file(const char *path, s_charter_t *c, const roster_t *r, uint64_t *closes_in)
{
    static s_charter_file_t file;
    cc_err_t err;
    memset(&file, 0, sizeof file);
    file.c = c;
    file.r = r;
    file.closes_in = closes_in;
    if (inifile_read(path, s_charter_entry, &file, &err) < 0) {
        return cli_fail("%s", err.msg);
    }
    return CLI_OK;
}

/* The proposal that adopts charter c;
 * p points into c and a static title. */
static int s_adoption(s_charter_t *c, uint64_t closes_in,
                      Concord__V1__Proposal *p)
{
    static char title[BOARD_TITLE_MAX + 1];
    if (!c->ch.board_id[0] || !c->ch.name[0] || c->ch.n_members < 2) {
        return cli_fail("board create needs --id, --name and at least two --member (or"
                        " --member all), or a --file with them");
    }
    snprintf(title, sizeof title, "Adopt the charter of %.150s", c->ch.name);
    concord__v1__proposal__init(p);
    p->board_id = c->ch.board_id;
    p->title = title;
    p->kind = CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION;
    p->closes_at_ms = clock_wall_ms() + closes_in;
    p->charter = &c->ch;
    return CLI_OK;
}

int cli_board_charter(const char *path, const roster_t *r, Concord__V1__Proposal *p)
{
    uint64_t closes_in = 7ull * 86400000;
    s_charter_init(&s_charter);
    if (s_charter_file(path, &s_charter, r, &closes_in) != CLI_OK) {
        return CLI_FAIL;
    }
    return s_adoption(&s_charter, closes_in, p);
}

static int s_board_create(const config_node_t *cfg, const roster_t *r, int argc, char **argv,
                          int json)
{
    static const struct option opts[] = {
        {"id", required_argument, NULL, 'i'},      {"name", required_argument, NULL, 'n'},
        {"rule", required_argument, NULL, 'r'},    {"qualified", required_argument, NULL, 'Q'},
        {"quorum", required_argument, NULL, 'q'},  {"each-constituency", no_argument, NULL, 'e'},
        {"member", required_argument, NULL, 'm'},  {"reserved", required_argument, NULL, 'R'},
        {"accountable-to", required_argument, NULL, 'a'},
        {"closes-in", required_argument, NULL, 'c'}, {"file", required_argument, NULL, 'f'},
        {"call-in-days", required_argument, NULL, 'W'},
        {"call-in-by", required_argument, NULL, 'B'},
        {"ratifier", required_argument, NULL, 'V'},
        {"in-common", no_argument, NULL, 'I'},
        {"ratify-days", required_argument, NULL, 'T'},
        {"own-rule", required_argument, NULL, 'O'},
        {"must-agree", required_argument, NULL, 'G'},
        {"hwb", required_argument, NULL, 'H'},
        {"person-signed", no_argument, NULL, '1'},
        {"conflicts", required_argument, NULL, '2'},
        {"conflicts-referral", required_argument, NULL, '3'},
        {"chair", required_argument, NULL, S_OPT_CHAIR},
        {"co-chair", required_argument, NULL, S_OPT_CO_CHAIR},
        {"casting-vote", no_argument, NULL, S_OPT_CASTING_VOTE},
        {"key-threshold", required_argument, NULL, S_OPT_KEY_THRESHOLD},
        {NULL, 0, NULL, 0}};
    s_charter_t *c = &s_charter;
    uint64_t closes_in = 7ull * 86400000;
    Concord__V1__Proposal p;
    int opt;
    s_charter_init(c);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "i:n:r:Q:q:em:R:a:c:f:W:B:V:IO:G:T:H:12:3:", opts,
                              NULL)) != -1) {
        if (opt == '1') {
            c->ch.person_signed_acts = 1;
        } else if (opt == '2') {
            if (strcmp(optarg, "exclude") == 0) {
                c->ch.conflicts = CONCORD__V1__CONFLICT_POLICY__EXCLUDE;
            } else if (strcmp(optarg, "remain") == 0) {
                c->ch.conflicts = CONCORD__V1__CONFLICT_POLICY__REMAIN_WITHOUT_VOTE;
            } else {
                return cli_usage("--conflicts is exclude or remain, not '%s'", optarg);
            }
        } else if (opt == '3') {
            c->ch.conflicts_referral = optarg;
        } else if (opt == 'f') {
            if (s_charter_file(optarg, c, r, &closes_in) != CLI_OK) {
                return CLI_FAIL;
            }
        } else if (opt == 'i') {
            c->ch.board_id = optarg;
        } else if (opt == 'n') {
            c->ch.name = optarg;
        } else if (opt == 'c') {
            if (cli_duration(optarg, &closes_in) < 0) {
                return cli_fail("bad --closes-in '%s' (like 7d, 12h, 30m, 90s)", optarg);
            }
        } else if (s_charter_option(c, r, opt, optarg) != CLI_OK) {
            return CLI_USAGE;
        }
    }
    if (s_adoption(c, closes_in, &p) != CLI_OK) {
        return CLI_FAIL;
    }
    return s_send_proposal(cfg, &p, json);
}

/* The Organisation a roster change carries: from a .pub file (new keys),
 * or, for a continuing successor, just its code. */
static int s_org(const char *spec, keys_public_t *pub, Concord__V1__Organisation *o)
{
    cc_err_t err;
    size_t n = strlen(spec);
    concord__v1__organisation__init(o);
    memset(pub, 0, sizeof *pub);
    if (!strchr(spec, '/') && (n < 4 || strcmp(spec + n - 4, ".pub") != 0)) {
        if (keys_code_check(spec, &err) < 0) {
            return cli_fail("'%s' is neither a .pub file nor an organisation code", spec);
        }
        snprintf(pub->code, sizeof pub->code, "%s", spec);
        o->code = pub->code;
        return CLI_OK;
    }
    if (keys_load_public(spec, pub, &err) < 0) {
        return cli_fail("%s", err.msg);
    }
    const ProtobufCEnumValue *kind =
        protobuf_c_enum_descriptor_get_value_by_name(&concord__v1__org_kind__descriptor, pub->kind);
    o->code = pub->code;
    o->name = pub->name;
    o->kind = kind ? (Concord__V1__OrgKind)kind->value
                   : CONCORD__V1__ORG_KIND__ORG_KIND_UNSPECIFIED;
    o->sign_key.data = pub->sign_pk;
    o->sign_key.len = KEYS_PK_LEN;
    o->transport_key.data = pub->curve_pk;
    o->transport_key.len = KEYS_PK_LEN;
    return CLI_OK;
}

/* `--admit NEW.pub[:CONSTITUENCY]`: an organisation new to the roster,
 * its keys from the .pub file, its seat in the constituency its kind
 * implies unless given. */
static int s_newcomer(const char *spec, keys_public_t *pub, Concord__V1__Organisation *o,
                      Concord__V1__BoardMember *m)
{
    static char path[4096];
    const char *end = strstr(spec, ".pub") + 4;
    if ((size_t)(end - spec) >= sizeof path || (*end && *end != ':')) {
        return cli_fail("bad --admit '%s' (NEW.pub[:CONSTITUENCY])", spec);
    }
    snprintf(path, sizeof path, "%.*s", (int)(end - spec), spec);
    if (s_org(path, pub, o) != CLI_OK) {
        return CLI_FAIL;
    }
    roster_org_t as = {.code = pub->code, .kind = pub->kind};
    concord__v1__board_member__init(m);
    m->code = pub->code;
    m->constituency = (Concord__V1__Constituency)s_default_constituency(&as);
    if (*end == ':' && (m->constituency = (Concord__V1__Constituency)board_names_constituency_parse(
                            end + 1)) <= 0) {
        return cli_fail("unknown constituency '%s' (nhs, local-government, other)", end + 1);
    }
    return CLI_OK;
}

/* Completes a key rotation or merger from --rotate-key / --merge and
 * --predecessor, with a title if none was given. */
static int s_roster_change(const config_node_t *cfg, Concord__V1__Proposal *p,
                           Concord__V1__MembershipChange *mc, char *title, size_t title_size)
{
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY) {
        if (strcmp(mc->organisation->code, cfg->code) != 0) {
            return cli_fail("--rotate-key: the keys are %s's; an organisation rotates only its"
                            " own keys (this node is %s)",
                            mc->organisation->code, cfg->code);
        }
        snprintf(title, title_size, "Rotate the keys of %s", cfg->code);
    } else {
        if (mc->n_predecessors == 0) {
            return cli_fail("--merge needs --predecessor CODE for each organisation merging");
        }
        int used = snprintf(title, title_size, "Merge");
        for (size_t i = 0; i < mc->n_predecessors && used > 0 && (size_t)used < title_size; i++) {
            used += snprintf(title + used, title_size - (size_t)used, "%s %s",
                             i ? "," : "", mc->predecessors[i]);
        }
        if (used > 0 && (size_t)used < title_size) {
            snprintf(title + used, title_size - (size_t)used, " into %s",
                     mc->organisation->code);
        }
    }
    if (!p->title[0]) {
        p->title = title;
    }
    p->membership = mc;
    p->kind = CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE;
    return CLI_OK;
}

/* A split as the options give it: --split CODE, --successor CODE[=PERMILLE]. */
typedef struct {
    char *org;
    size_t n;
    char codes[ROSTER_SPLIT_MAX][KEYS_CODE_MAX + 1];
    uint32_t permille[ROSTER_SPLIT_MAX];
    int given; /* successors with a share given */
    Concord__V1__TransferShare shares[ROSTER_SPLIT_MAX];
    Concord__V1__TransferShare *ptrs[ROSTER_SPLIT_MAX];
    char *pred[1];
    char basis[128];
} s_split_t;

static int s_split_option(s_split_t *s, int is_org, char *arg)
{
    if (is_org) {
        s->org = arg;
        return CLI_OK;
    }
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    char *end = NULL;
    if (s->n == ROSTER_SPLIT_MAX) {
        return cli_fail("a split names at most %d successors", ROSTER_SPLIT_MAX);
    }
    if (len == 0 || len > KEYS_CODE_MAX) {
        return cli_fail("--successor wants CODE or CODE=PERMILLE, not '%s'", arg);
    }
    snprintf(s->codes[s->n], sizeof s->codes[s->n], "%.*s", (int)len, arg);
    if (eq) {
        unsigned long v = strtoul(eq + 1, &end, 10);
        if (!eq[1] || *end || v > 1000) {
            return cli_fail("--successor %s: the share is a whole number of permille, 1..1000",
                            arg);
        }
        s->permille[s->n] = (uint32_t)v;
        s->given++;
    }
    s->n++;
    return CLI_OK;
}

/* The transfer scheme of --split: the shares given for every successor,
 * or none given and each defaulting to its LSOA share in the shipped
 * geography. */
static int s_split_change(s_split_t *s, Concord__V1__Proposal *p,
                          Concord__V1__MembershipChange *mc, char *title, size_t title_size)
{
    const char *codes[ROSTER_SPLIT_MAX];
    if (!s->org || !s->n) {
        return cli_fail("a split needs --split CODE and a --successor CODE[=PERMILLE] for each"
                        " successor");
    }
    for (size_t i = 0; i < s->n; i++) {
        codes[i] = s->codes[i];
    }
    if (s->given && s->given != (int)s->n) {
        return cli_fail("give a share for every --successor (CODE=PERMILLE), or for none to take"
                        " the LSOA shares of the shipped geography");
    }
    if (!s->given) {
        if (cli_footprint_split_shares(s->org, codes, s->n, s->permille, s->basis,
                                       sizeof s->basis) != CLI_OK) {
            return CLI_FAIL;
        }
    } else {
        snprintf(s->basis, sizeof s->basis, "given");
    }
    int used = snprintf(title, title_size, "Split %s:", s->org);
    for (size_t i = 0; i < s->n; i++) {
        concord__v1__transfer_share__init(&s->shares[i]);
        s->shares[i].successor = s->codes[i];
        s->shares[i].share_permille = s->permille[i];
        s->ptrs[i] = &s->shares[i];
        if (used > 0 && (size_t)used < title_size) {
            used += snprintf(title + used, title_size - (size_t)used, "%s %s %u/1000",
                             i ? "," : "", s->codes[i], s->permille[i]);
        }
    }
    s->pred[0] = s->org;
    mc->predecessors = s->pred;
    mc->n_predecessors = 1;
    mc->transfer = s->ptrs;
    mc->n_transfer = s->n;
    mc->share_basis = s->basis;
    if (!p->title[0]) {
        p->title = title;
    }
    p->membership = mc;
    p->kind = CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE;
    return CLI_OK;
}

static int s_propose(const config_node_t *cfg, const roster_t *r, int argc, char **argv,
                     int json)
{
    static const struct option opts[] = {
        {"board", required_argument, NULL, 'b'},     {"title", required_argument, NULL, 't'},
        {"text", required_argument, NULL, 'x'},      {"kind", required_argument, NULL, 'k'},
        {"area", required_argument, NULL, 'A'},      {"amount", required_argument, NULL, '$'},
        {"effective", required_argument, NULL, 'E'}, {"closes-in", required_argument, NULL, 'c'},
        {"delegates", required_argument, NULL, 'D'}, {"admit", required_argument, NULL, '+'},
        {"remove", required_argument, NULL, '-'},    {"rule", required_argument, NULL, 'r'},
        {"qualified", required_argument, NULL, 'Q'}, {"quorum", required_argument, NULL, 'q'},
        {"each-constituency", no_argument, NULL, 'e'},
        {"realign", required_argument, NULL, 'F'},   {"rotate-key", required_argument, NULL, 'K'},
        {"merge", required_argument, NULL, 'M'},     {"predecessor", required_argument, NULL, 'P'},
        {"reconsider", required_argument, NULL, 'Z'}, {"confirm", no_argument, NULL, 'Y'},
        {"withdraw", no_argument, NULL, 'X'},        {"service-line", required_argument, NULL, 'L'},
        {"bcf-plan", required_argument, NULL, 'G'},
        {"exempt", required_argument, NULL, 'g'}, {"release-on", required_argument, NULL, 'j'},
        {"paper", required_argument, NULL, 'y'},
        {"split", required_argument, NULL, 0x100}, {"successor", required_argument, NULL, 0x101},
        {"concerns", required_argument, NULL, '4'}, {"as", required_argument, NULL, '5'},
        {"key-decision", no_argument, NULL, S_OPT_KEY_DECISION},
        {"forward-plan", required_argument, NULL, S_OPT_FORWARD_PLAN},
        {"general-exception", required_argument, NULL, S_OPT_GENERAL_EXCEPTION},
        {"special-urgency", required_argument, NULL, S_OPT_SPECIAL_URGENCY},
        {"chair", required_argument, NULL, S_OPT_CHAIR},
        {"co-chair", required_argument, NULL, S_OPT_CO_CHAIR},
        {"casting-vote", no_argument, NULL, S_OPT_CASTING_VOTE},
        {"key-threshold", required_argument, NULL, S_OPT_KEY_THRESHOLD},
        {NULL, 0, NULL, 0}};
    static char *concerns[PEOPLE_SUBJECTS_MAX];
    const char *as = NULL;
    static s_charter_t c;
    static Concord__V1__ServiceLine lines[DELEGATION_LINES_MAX];
    static char *preds[64];
    static char change_title[BOARD_TITLE_MAX + 1];
    static s_split_t split;
    static keys_public_t org_pub;
    Concord__V1__Organisation org;
    static char *duties[16];
    static char realign_org[KEYS_CODE_MAX + 1];
    Concord__V1__Realignment ra = CONCORD__V1__REALIGNMENT__INIT;
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    Concord__V1__MembershipChange mc = CONCORD__V1__MEMBERSHIP_CHANGE__INIT;
    Concord__V1__BoardMember who;
    char who_code[KEYS_CODE_MAX + 1];
    uint64_t closes_in = 7ull * 86400000;
    const char *exempt = NULL, *release_on = NULL, *paper = NULL;
    cc_err_t err;
    int opt, v;
    s_charter_init(&c);
    memset(&split, 0, sizeof split);
    c.ch.rule = CONCORD__V1__VOTING_RULE__VOTING_RULE_UNSPECIFIED;
    c.ch.quorum_numerator = c.ch.quorum_denominator = 0;
    p.kind = CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION;
    p.delegated_duties = duties;
    p.service_lines = lines;
    optind = 1;
    p.concerns = concerns;
    while ((opt = getopt_long(argc, argv, "b:t:x:k:A:$:E:c:D:+:-:r:Q:q:eF:K:M:P:Z:YXL:G:g:j:y:4:5:",
                              opts, NULL)) != -1) {
        switch (opt) {
        case '4':
            if (p.n_concerns >= PEOPLE_SUBJECTS_MAX) {
                return cli_fail("at most %d --concerns", PEOPLE_SUBJECTS_MAX);
            }
            concerns[p.n_concerns++] = optarg;
            break;
        case '5':
            as = optarg;
            break;
        case S_OPT_KEY_DECISION:
            p.key_decision = 1;
            break;
        case S_OPT_FORWARD_PLAN:
            p.forward_plan_entry = optarg;
            p.key_decision_route = CONCORD__V1__KEY_DECISION_ROUTE__FORWARD_PLAN;
            break;
        case S_OPT_GENERAL_EXCEPTION:
        case S_OPT_SPECIAL_URGENCY:
            p.key_decision_reason = optarg;
            p.key_decision_route = opt == S_OPT_GENERAL_EXCEPTION
                                       ? CONCORD__V1__KEY_DECISION_ROUTE__GENERAL_EXCEPTION
                                       : CONCORD__V1__KEY_DECISION_ROUTE__SPECIAL_URGENCY;
            break;
        case 'G':
            p.bcf_plan = optarg;
            break;
        case 0x100:
        case 0x101:
            if (s_split_option(&split, opt == 0x100, optarg) != CLI_OK) {
                return CLI_FAIL;
            }
            mc.action = CONCORD__V1__MEMBERSHIP_ACTION__SPLIT;
            break;
        case 'L':
            if ((v = board_names_line_parse(optarg)) < 0) {
                return cli_fail("unknown service line '%s' (primary-medical, dental, pharmacy,"
                                " optometry, specialised-acute, specialised-mental-health)",
                                optarg);
            }
            if (p.n_service_lines == DELEGATION_LINES_MAX) {
                return cli_fail("at most %d --service-line", DELEGATION_LINES_MAX);
            }
            lines[p.n_service_lines++] = (Concord__V1__ServiceLine)v;
            break;
        case 'Z':
            p.reconsiders = optarg;
            p.kind = CONCORD__V1__PROPOSAL_KIND__RECONSIDERATION;
            break;
        case 'Y':
        case 'X':
            p.reconsider = opt == 'Y' ? CONCORD__V1__RECONSIDER__CONFIRM
                                      : CONCORD__V1__RECONSIDER__WITHDRAW;
            break;
        case 'b': p.board_id = optarg; break;
        case 'g': exempt = optarg; break;
        case 'j': release_on = optarg; break;
        case 'y': paper = optarg; break;
        case 't': p.title = optarg; break;
        case 'x': p.text = optarg; break;
        case 'E': p.effective_date = optarg; break;
        case 'k':
            if ((v = board_names_kind_parse(optarg)) < 0) {
                return cli_fail("unknown kind '%s' (commissioning-decision, charter-amendment,"
                                " membership-change)", optarg);
            }
            p.kind = (Concord__V1__ProposalKind)v;
            break;
        case 'A':
            if ((v = board_names_area_parse(optarg)) < 0) {
                return cli_fail("unknown service area '%s'", optarg);
            }
            p.area = (Concord__V1__ServiceArea)v;
            break;
        case '$':
            if (money_parse(optarg, &p.amount_pence, &err) < 0) {
                return cli_fail("%s", err.msg);
            }
            break;
        case 'c':
            if (cli_duration(optarg, &closes_in) < 0) {
                return cli_fail("bad --closes-in '%s' (like 7d, 12h, 30m, 90s)", optarg);
            }
            break;
        case 'F': {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || (size_t)(eq - optarg) > KEYS_CODE_MAX) {
                return cli_fail("--realign wants ORGANISATION=FOOTPRINT, not '%s'", optarg);
            }
            snprintf(realign_org, sizeof realign_org, "%.*s", (int)(eq - optarg), optarg);
            if (cli_footprint_check(realign_org, eq + 1) != CLI_OK) {
                return CLI_FAIL;
            }
            ra.organisation = realign_org;
            ra.footprint = (char *)eq + 1;
            p.realignment = &ra;
            p.kind = CONCORD__V1__PROPOSAL_KIND__FOOTPRINT_REALIGNMENT;
            break;
        }
        case 'K':
        case 'M':
            if (s_org(optarg, &org_pub, &org) != CLI_OK) {
                return CLI_FAIL;
            }
            mc.action = opt == 'K' ? CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY
                                   : CONCORD__V1__MEMBERSHIP_ACTION__MERGE;
            mc.organisation = &org;
            break;
        case 'P':
            if (mc.n_predecessors >= 64) {
                return cli_fail("at most 64 predecessors");
            }
            preds[mc.n_predecessors++] = optarg;
            mc.predecessors = preds;
            break;
        case 'D':
            if (p.n_delegated_duties < 16) {
                duties[p.n_delegated_duties++] = optarg;
            }
            break;
        case '+':
        case '-':
            if (opt == '+' && strstr(optarg, ".pub")) {
                /* A newcomer: its keys join the roster with its seat. */
                if (s_newcomer(optarg, &org_pub, &org, &who) != CLI_OK) {
                    return CLI_FAIL;
                }
                mc.organisation = &org;
            } else if (s_member(r, optarg, &who, who_code, sizeof who_code) != CLI_OK) {
                return CLI_FAIL;
            }
            mc.action = opt == '+' ? CONCORD__V1__MEMBERSHIP_ACTION__ADMIT
                                   : CONCORD__V1__MEMBERSHIP_ACTION__REMOVE;
            mc.member = &who;
            p.membership = &mc;
            p.kind = CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE;
            break;
        default:
            if (s_charter_option(&c, r, opt, optarg) != CLI_OK) {
                return CLI_USAGE;
            }
            p.kind = CONCORD__V1__PROPOSAL_KIND__CHARTER_AMENDMENT;
            p.charter = &c.ch; /* the node completes it from the board's charter */
        }
    }
    if (mc.action == CONCORD__V1__MEMBERSHIP_ACTION__SPLIT &&
        s_split_change(&split, &p, &mc, change_title, sizeof change_title) != CLI_OK) {
        return CLI_FAIL;
    }
    if (mc.organisation && mc.action != CONCORD__V1__MEMBERSHIP_ACTION__ADMIT &&
        s_roster_change(cfg, &p, &mc, change_title, sizeof change_title) != CLI_OK) {
        return CLI_FAIL;
    }
    if (!p.board_id[0] || !p.title[0] || optind != argc) {
        return cli_usage("usage: concord propose --board ID --title TEXT [--area AREA]"
                        " [--amount POUNDS] [--closes-in 7d] ... (see concord --help)");
    }
    c.ch.board_id = p.board_id;
    p.closes_at_ms = clock_wall_ms() + closes_in;
    if (exempt || release_on || paper) {
        if (!exempt) {
            return cli_fail("--release-on and --paper are for an exempt item: give --exempt"
                            " REASON ('Sch12A para 3', 'FOIA s43')");
        }
        return s_send_exempt(cfg, &p, exempt, release_on, paper, json);
    }
    if (as) {
        /* Signed by a person: published as signed, so nothing the node
         * would complete (an amendment names the whole charter). */
        char person[33];
        uint8_t sig[64];
        if (cli_people_sign(cfg, as, BOARD_METHOD_PROPOSE, &p.base, &p.person, person, sig) !=
            CLI_OK) {
            return CLI_FAIL;
        }
        Concord__V1__ProposeRequest in = CONCORD__V1__PROPOSE_REQUEST__INIT;
        in.proposal = &p;
        in.person_signature.data = sig;
        in.person_signature.len = sizeof sig;
        return cli_node_call(cfg, "Propose", &in.base, cfg->call_timeout_ms, json, NULL);
    }
    return s_send_proposal(cfg, &p, json);
}

static int s_vote(const config_node_t *cfg, int argc, char **argv, int json)
{
    static const struct option opts[] = {{"reason", required_argument, NULL, 'r'},
                                         {"representatives", required_argument, NULL, 'p'},
                                         {"as", required_argument, NULL, 'a'},
                                         {"casting", required_argument, NULL, S_OPT_CASTING},
                                         {NULL, 0, NULL, 0}};
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    const char *as = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "r:p:a:", opts, NULL)) != -1) {
        char end;
        int cv;
        if (opt == 'a') {
            as = optarg;
        } else if (opt == S_OPT_CASTING) {
            if ((cv = board_names_vote_parse(optarg)) != CONCORD__V1__VOTE__FOR &&
                cv != CONCORD__V1__VOTE__AGAINST) {
                return cli_usage("--casting is for or against, not '%s'", optarg);
            }
            b.casting_vote = (Concord__V1__Vote)cv;
        } else if (opt == 'r') {
            b.reason = optarg;
        } else if (opt == 'p' && sscanf(optarg, "%u:%u:%u%c", &b.representatives_for,
                                        &b.representatives_against,
                                        &b.representatives_abstain, &end) == 3) {
            continue;
        } else if (opt == 'p') {
            return cli_usage("bad --representatives '%s' (FOR:AGAINST:ABSTAIN, e.g. 2:1:0)",
                             optarg);
        } else {
            return CLI_USAGE;
        }
    }
    if (optind + 2 != argc) {
        return cli_usage("usage: concord vote PROPOSAL for|against|abstain [--reason TEXT]"
                         " [--representatives FOR:AGAINST:ABSTAIN] [--as PERSON.key] [--casting for|against]");
    }
    int v = board_names_vote_parse(argv[optind + 1]);
    if (v < 0) {
        return cli_usage("vote must be for, against or abstain, not '%s'", argv[optind + 1]);
    }
    b.proposal_id = argv[optind];
    b.vote = (Concord__V1__Vote)v;
    Concord__V1__VoteRequest in = CONCORD__V1__VOTE_REQUEST__INIT;
    in.ballot = &b;
    char person[33], id[40], board[40];
    uint8_t sig[64];
    if (as) {
        /* Signed by a person: the ballot complete, as every node will see it. */
        if (cli_people_complete(cfg, b.proposal_id, id, board) != CLI_OK) {
            return CLI_FAIL;
        }
        b.proposal_id = id;
        b.board_id = board;
        if (cli_people_sign(cfg, as, BOARD_METHOD_VOTE, &b.base, &b.person, person, sig) !=
            CLI_OK) {
            return CLI_FAIL;
        }
        in.person_signature.data = sig;
        in.person_signature.len = sizeof sig;
    }
    return cli_node_call(cfg, "Vote", &in.base, cfg->call_timeout_ms, json, NULL);
}

/* `decision export PROPOSAL --out FILE` (history 0) or `roster export
 * --out FILE` (history 1): the node builds the certificate, the CLI
 * writes it. */
static int s_export(const config_node_t *cfg, int history, int argc, char **argv, int json)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (opt != 'o') {
            return CLI_USAGE;
        }
        out = optarg;
    }
    if (!out || optind + !history != argc) {
        return cli_usage(history ? "usage: concord roster export --out FILE"
                                : "usage: concord decision export PROPOSAL --out FILE");
    }
    Concord__V1__CertificateReply *cert = NULL;
    Concord__V1__DecisionExportRequest one = CONCORD__V1__DECISION_EXPORT_REQUEST__INIT;
    Concord__V1__RosterExportRequest all = CONCORD__V1__ROSTER_EXPORT_REQUEST__INIT;
    one.proposal_id = history ? "" : argv[optind];
    int rc = cli_node_call(cfg, history ? "RosterExport" : "DecisionExport",
                           history ? &all.base : &one.base, cfg->call_timeout_ms, -1,
                           (ProtobufCMessage **)&cert);
    if (rc == CLI_OK) {
        rc = cli_write_file(out, cert->certificate.data, cert->certificate.len);
        if (rc == CLI_OK) {
            printf(json ? "{\"certificate\":\"%s\",\"bytes\":%zu}\n"
                        : "wrote certificate %s (%zu bytes)\n",
                   out, cert->certificate.len);
        }
        wire_free(&cert->base);
    }
    return rc;
}

/* `concord auto-vote [on|off] [--abstain AREAS] [--against AREAS]
 * [--against-above POUNDS] [--for-below POUNDS]`: the node's automatic
 * voting policy, changed at run time ("auto-vote" control command). */

static int s_auto_vote(const config_node_t *cfg, int argc, char **argv, int json)
{
    static const struct option opts[] = {{"abstain", required_argument, NULL, 'A'},
                                         {"against", required_argument, NULL, 'X'},
                                         {"against-above", required_argument, NULL, 'a'},
                                         {"for-below", required_argument, NULL, 'b'},
                                         {NULL, 0, NULL, 0}};
    Concord__V1__AutoVoteRequest in = CONCORD__V1__AUTO_VOTE_REQUEST__INIT;
    int64_t pence;
    cc_err_t err;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "A:X:a:b:", opts, NULL)) != -1) {
        if ((opt == 'a' || opt == 'b') && money_parse(optarg, &pence, &err) < 0) {
            return cli_fail("%s", err.msg);
        }
        if ((opt == 'A' && in.has_abstain_areas) || (opt == 'X' && in.has_against_areas) ||
            (opt == 'a' && in.has_against_above) || (opt == 'b' && in.has_for_below)) {
            return cli_fail("auto-vote: each option at most once");
        }
        if (opt == 'A') {
            in.has_abstain_areas = 1;
            in.abstain_areas = optarg;
        } else if (opt == 'X') {
            in.has_against_areas = 1;
            in.against_areas = optarg;
        } else if (opt == 'a') {
            in.has_against_above = 1;
            in.against_above_pence = pence;
        } else if (opt == 'b') {
            in.has_for_below = 1;
            in.for_below_pence = pence;
        } else {
            return CLI_USAGE;
        }
    }
    if (optind + 1 == argc && (strcmp(argv[optind], "on") == 0 ||
                               strcmp(argv[optind], "off") == 0)) {
        in.has_auto_vote = 1;
        in.auto_vote = strcmp(argv[optind], "on") == 0;
    } else if (optind != argc) {
        return cli_usage("usage: concord auto-vote [on|off] [--abstain AREAS] [--against AREAS]"
                        " [--against-above POUNDS] [--for-below POUNDS]");
    }
    return cli_node_call(cfg, "AutoVote", &in.base, 0, json, NULL);
}

/* `proposal ratify ID --authority BODY --decision-ref REF --decision-date
 * DATE [--decline] [--reason TEXT]`: this node's organisation ratifies (or
 * declines) an advisory board's recommendation under its own authority. */
static int s_ratify(const config_node_t *cfg, int argc, char **argv, int json)
{
    static const struct option opts[] = {{"authority", required_argument, NULL, 'A'},
                                         {"decision-ref", required_argument, NULL, 'R'},
                                         {"decision-date", required_argument, NULL, 'D'},
                                         {"reason", required_argument, NULL, 'r'},
                                         {"decline", no_argument, NULL, 'x'},
                                         {NULL, 0, NULL, 0}};
    Concord__V1__Ratification ra = CONCORD__V1__RATIFICATION__INIT;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "A:R:D:r:x", opts, NULL)) != -1) {
        switch (opt) {
        case 'A': ra.authority = optarg; break;
        case 'R': ra.decision_ref = optarg; break;
        case 'D': ra.decision_date = optarg; break;
        case 'r': ra.reason = optarg; break;
        case 'x': ra.declined = 1; break;
        default: return CLI_USAGE;
        }
    }
    if (optind + 1 != argc || !ra.authority[0] || !ra.decision_ref[0] || !ra.decision_date[0]) {
        return cli_fail("usage: concord proposal ratify ID --authority BODY --decision-ref REF"
                        " --decision-date YYYY-MM-DD [--decline] [--reason TEXT]");
    }
    ra.proposal_id = argv[optind];
    Concord__V1__RatifyRequest in = CONCORD__V1__RATIFY_REQUEST__INIT;
    in.ratification = &ra;
    return cli_node_call(cfg, "Ratify", &in.base, cfg->call_timeout_ms, json, NULL);
}

/* `proposal call-in ID --reason TEXT`: this node's organisation calls in
 * a passed decision before it takes effect (LGA 2000 s9F). */
static int s_call_in(const config_node_t *cfg, int argc, char **argv, int json)
{
    static const struct option opts[] = {{"reason", required_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    Concord__V1__CallIn ci = CONCORD__V1__CALL_IN__INIT;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "r:", opts, NULL)) != -1) {
        if (opt != 'r') {
            return CLI_USAGE;
        }
        ci.reasons = optarg;
    }
    if (optind + 1 != argc || !ci.reasons[0]) {
        return cli_fail("usage: concord proposal call-in ID --reason TEXT");
    }
    ci.proposal_id = argv[optind];
    Concord__V1__CallInRequest in = CONCORD__V1__CALL_IN_REQUEST__INIT;
    in.call_in = &ci;
    return cli_node_call(cfg, "CallIn", &in.base, cfg->call_timeout_ms, json, NULL);
}

/* `delegation record ORG --line LINE --from DATE --level LEVEL
 * [--agreement-ref REF]`: NHS England's node records one entry of the
 * register of delegations. */
static int s_delegation_record(const config_node_t *cfg, int argc, char **argv, int json)
{
    static const struct option opts[] = {{"line", required_argument, NULL, 'l'},
                                         {"from", required_argument, NULL, 'f'},
                                         {"level", required_argument, NULL, 'v'},
                                         {"agreement-ref", required_argument, NULL, 'a'},
                                         {NULL, 0, NULL, 0}};
    Concord__V1__DelegationRecord d = CONCORD__V1__DELEGATION_RECORD__INIT;
    int opt, v;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "l:f:v:a:", opts, NULL)) != -1) {
        switch (opt) {
        case 'l':
            if ((v = board_names_line_parse(optarg)) < 0) {
                return cli_fail("unknown service line '%s' (primary-medical, dental, pharmacy,"
                                " optometry, specialised-acute, specialised-mental-health)",
                                optarg);
            }
            d.line = (Concord__V1__ServiceLine)v;
            break;
        case 'v':
            if ((v = board_names_level_parse(optarg)) < 0) {
                return cli_fail("unknown delegation level '%s' (direct, joint, delegated)",
                                optarg);
            }
            d.level = (Concord__V1__DelegationLevel)v;
            break;
        case 'f': d.from_date = optarg; break;
        case 'a': d.agreement_ref = optarg; break;
        default: return CLI_USAGE;
        }
    }
    if (optind + 1 != argc || !d.line || !d.level || !d.from_date[0]) {
        return cli_usage("usage: concord delegation record ORG --line LINE --from YYYY-MM-DD"
                         " --level direct|joint|delegated [--agreement-ref REF]");
    }
    d.organisation = argv[optind];
    Concord__V1__RecordDelegationRequest in = CONCORD__V1__RECORD_DELEGATION_REQUEST__INIT;
    in.record = &d;
    return cli_node_call(cfg, "RecordDelegation", &in.base, cfg->call_timeout_ms, json, NULL);
}

int cli_board(const config_node_t *cfg, int argc, char **argv, int json)
{
    cc_err_t err;
    const char *cmd = argv[0];
    const char *sub = argc > 1 ? argv[1] : "";
    roster_t *r = roster_load(cfg->roster, &err);
    int rc = CLI_USAGE;
    if (!r) {
        return cli_fail("%s", err.msg);
    }
    if (strcmp(cmd, "board") == 0 && strcmp(sub, "create") == 0) {
        rc = s_board_create(cfg, r, argc - 1, argv + 1, json);
    } else if (strcmp(cmd, "board") == 0 && strcmp(sub, "list") == 0 && argc == 2) {
        Concord__V1__BoardListRequest in = CONCORD__V1__BOARD_LIST_REQUEST__INIT;
        rc = cli_node_call(cfg, "BoardList", &in.base, 0, json, NULL);
    } else if (strcmp(cmd, "board") == 0 && strcmp(sub, "show") == 0 && argc == 3) {
        Concord__V1__BoardShowRequest in = CONCORD__V1__BOARD_SHOW_REQUEST__INIT;
        in.board_id = argv[2];
        rc = cli_node_call(cfg, "BoardShow", &in.base, 0, json, NULL);
    } else if (strcmp(cmd, "propose") == 0) {
        rc = s_propose(cfg, r, argc, argv, json);
    } else if (strcmp(cmd, "vote") == 0) {
        rc = s_vote(cfg, argc, argv, json);
    } else if (strcmp(cmd, "proposal") == 0 && strcmp(sub, "list") == 0 && argc <= 3) {
        Concord__V1__ProposalListRequest in = CONCORD__V1__PROPOSAL_LIST_REQUEST__INIT;
        in.board_id = argc == 3 ? argv[2] : "";
        rc = cli_node_call(cfg, "ProposalList", &in.base, 0, json, NULL);
    } else if (strcmp(cmd, "proposal") == 0 && strcmp(sub, "show") == 0 && argc == 3) {
        Concord__V1__ProposalShowRequest in = CONCORD__V1__PROPOSAL_SHOW_REQUEST__INIT;
        in.proposal_id = argv[2];
        rc = cli_node_call(cfg, "ProposalShow", &in.base, 0, json, NULL);
    } else if (strcmp(cmd, "proposal") == 0 && strcmp(sub, "ratify") == 0) {
        rc = s_ratify(cfg, argc - 1, argv + 1, json);
    } else if (strcmp(cmd, "proposal") == 0 && strcmp(sub, "release") == 0 && argc == 3) {
        Concord__V1__ReleaseRequest in = CONCORD__V1__RELEASE_REQUEST__INIT;
        in.proposal_id = argv[2];
        rc = cli_node_call(cfg, "Release", &in.base, cfg->call_timeout_ms, json, NULL);
    } else if (strcmp(cmd, "proposal") == 0 && strcmp(sub, "call-in") == 0) {
        rc = s_call_in(cfg, argc - 1, argv + 1, json);
    } else if (strcmp(cmd, "delegation") == 0 && strcmp(sub, "record") == 0) {
        rc = s_delegation_record(cfg, argc - 1, argv + 1, json);
    } else if (strcmp(cmd, "delegation") == 0 && strcmp(sub, "list") == 0 && argc <= 3) {
        Concord__V1__DelegationListRequest in = CONCORD__V1__DELEGATION_LIST_REQUEST__INIT;
        in.organisation = argc == 3 ? argv[2] : "";
        rc = cli_node_call(cfg, "DelegationList", &in.base, 0, json, NULL);
    } else if (strcmp(cmd, "auto-vote") == 0) {
        rc = s_auto_vote(cfg, argc, argv, json);
    } else if (strcmp(cmd, "decision") == 0 && strcmp(sub, "export") == 0) {
        rc = s_export(cfg, 0, argc - 1, argv + 1, json);
    } else if (strcmp(cmd, "roster") == 0 && strcmp(sub, "export") == 0) {
        rc = s_export(cfg, 1, argc - 1, argv + 1, json);
    } else {
        cli_fail("unknown command; see concord --help");
    }
    roster_destroy(&r);
    return rc;
}

int cli_board_verify(int argc, char **argv, int json)
{
    static const struct option opts[] = {{"roster", required_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    const char *roster_path = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "r:", opts, NULL)) != -1) {
        if (opt != 'r') {
            return CLI_USAGE;
        }
        roster_path = optarg;
    }
    if (!roster_path || optind + 1 != argc) {
        return cli_usage("usage: concord verify CERTIFICATE --roster ROSTER");
    }
    cc_err_t err;
    certificate_report_t rep;
    size_t len = 0;
    roster_t *r = NULL;
    uint8_t *buf = NULL;
    if (cli_verify_inputs(roster_path, argv[optind], &r, &buf, &len) != CLI_OK) {
        return CLI_FAIL;
    }
    int rc = certificate_verify(buf, len, r, &rep, &err);
    free(buf);
    roster_destroy(&r);
    if (rc < 0) {
        return cli_fail("certificate %s does NOT verify: %s: %s", argv[optind],
                        err_code_name(err.code), err.msg);
    }
    if (json) {
        json_t j;
        json_init(&j);
        json_obj_begin(&j, NULL);
        json_bool(&j, "verified", 1);
        json_str(&j, "signer", rep.signer);
        json_str(&j, "board", rep.board_id);
        json_str(&j, "proposal", rep.proposal_id);
        json_str(&j, "title", rep.title);
        json_str(&j, "outcome", rep.outcome);
        json_u64(&j, "events", rep.events);
        json_u64(&j, "ballots", rep.ballots);
        json_str(&j, "explanation", rep.explanation);
        json_str(&j, "subject", rep.subject);
        json_str(&j, "exempt", rep.exempt);
        json_obj_end(&j);
        char *js = json_take(&j);
        printf("%s\n", js ? js : "{}");
        free(js);
    } else {
        /* The title, subject, exempt content and ballots are members'
         * words: shown safe. */
        char *title = cli_safe(rep.title, NULL), *subject = cli_safe(rep.subject, "\n");
        char *explanation = cli_safe(rep.explanation, "\n");
        char *ballots = cli_safe(rep.ballot_lines, "\n");
        char *exempt = cli_safe(rep.exempt, "\n");
        if (!title || !subject || !explanation || !ballots || !exempt) {
            rc = cli_fail("out of memory");
        } else {
            printf("certificate verified: every signature, receipt and rule checked\n"
                   "board     %s\nproposal  %s\ntitle     %s\noutcome   %s\nexported  by %s\n"
                   "events    %zu (%zu ballots on this proposal)\n\n%s%s%s%s%s\n\nballots:\n%s",
                   rep.board_id, rep.proposal_id, title, rep.outcome, rep.signer, rep.events,
                   rep.ballots, exempt, rep.exempt ? "\n\n" : "", subject,
                   rep.subject ? "\n" : "", explanation, ballots);
        }
        free(title);
        free(subject);
        free(explanation);
        free(ballots);
        free(exempt);
    }
    certificate_report_free(&rep);
    return rc == CLI_FAIL ? CLI_FAIL : CLI_OK;
}
