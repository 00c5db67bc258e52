/* SPDX-License-Identifier: Apache-2.0 */
/* board_names: one table per enum, used both ways. */
#include "board_names.h"

#include <ctype.h>
#include <string.h>

#include "board.pb-c.h"

typedef struct {
    int value;
    const char *name;
} s_name_t;

static const s_name_t s_areas[] = {
    {CONCORD__V1__SERVICE_AREA__ACUTE, "acute"},
    {CONCORD__V1__SERVICE_AREA__SPECIALISED, "specialised"},
    {CONCORD__V1__SERVICE_AREA__PRIMARY_CARE, "primary-care"},
    {CONCORD__V1__SERVICE_AREA__COMMUNITY, "community"},
    {CONCORD__V1__SERVICE_AREA__MENTAL_HEALTH, "mental-health"},
    {CONCORD__V1__SERVICE_AREA__SOCIAL_CARE, "social-care"},
    {CONCORD__V1__SERVICE_AREA__PUBLIC_HEALTH, "public-health"},
    {CONCORD__V1__SERVICE_AREA__HEALTH_EDUCATION, "health-education"},
    {CONCORD__V1__SERVICE_AREA__RESEARCH_AND_DEVELOPMENT, "research-and-development"},
    {0, NULL}};

static const s_name_t s_rules[] = {
    {CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST, "majority"},
    {CONCORD__V1__VOTING_RULE__ABSOLUTE_MAJORITY, "absolute-majority"},
    {CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY, "qualified-majority"},
    {CONCORD__V1__VOTING_RULE__UNANIMITY, "unanimity"},
    {CONCORD__V1__VOTING_RULE__CONSENSUS, "consensus"},
    {CONCORD__V1__VOTING_RULE__DOUBLE_MAJORITY, "double-majority"},
    {CONCORD__V1__VOTING_RULE__WEIGHTED, "weighted"},
    {0, NULL}};

static const s_name_t s_constituencies[] = {{CONCORD__V1__CONSTITUENCY__NHS, "nhs"},
                                            {CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT,
                                             "local-government"},
                                            {CONCORD__V1__CONSTITUENCY__OTHER, "other"},
                                            {0, NULL}};

static const s_name_t s_kinds[] = {
    {CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION, "commissioning-decision"},
    {CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION, "charter-adoption"},
    {CONCORD__V1__PROPOSAL_KIND__CHARTER_AMENDMENT, "charter-amendment"},
    {CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE, "membership-change"},
    {CONCORD__V1__PROPOSAL_KIND__FOOTPRINT_REALIGNMENT, "footprint-realignment"},
    {CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT, "pool-agreement"},
    {CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION, "pool-variation"},
    {CONCORD__V1__PROPOSAL_KIND__RECONSIDERATION, "reconsideration"},
    {0, NULL}};

static const s_name_t s_votes[] = {{CONCORD__V1__VOTE__FOR, "for"},
                                   {CONCORD__V1__VOTE__AGAINST, "against"},
                                   {CONCORD__V1__VOTE__ABSTAIN, "abstain"},
                                   {0, NULL}};

static const s_name_t s_lines[] = {
    {CONCORD__V1__SERVICE_LINE__PRIMARY_MEDICAL, "primary-medical"},
    {CONCORD__V1__SERVICE_LINE__DENTAL, "dental"},
    {CONCORD__V1__SERVICE_LINE__PHARMACY, "pharmacy"},
    {CONCORD__V1__SERVICE_LINE__OPTOMETRY, "optometry"},
    {CONCORD__V1__SERVICE_LINE__SPECIALISED_ACUTE, "specialised-acute"},
    {CONCORD__V1__SERVICE_LINE__SPECIALISED_MENTAL_HEALTH, "specialised-mental-health"},
    {0, NULL}};

static const s_name_t s_levels[] = {{CONCORD__V1__DELEGATION_LEVEL__NHS_ENGLAND_DIRECT, "direct"},
                                    {CONCORD__V1__DELEGATION_LEVEL__JOINT, "joint"},
                                    {CONCORD__V1__DELEGATION_LEVEL__DELEGATED, "delegated"},
                                    {0, NULL}};

static const char *s_name(const s_name_t *t, int v)
{
    for (; t->name; t++) {
        if (t->value == v) {
            return t->name;
        }
    }
    return "?";
}

/* Case-insensitive; '_' and ' ' match '-'. */
static int s_same(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = (char)tolower((unsigned char)a[i]);
        x = (x == '_' || x == ' ') ? '-' : x;
        if (x != b[i]) {
            return 0;
        }
    }
    return b[n] == '\0';
}

static int s_parse_n(const s_name_t *t, const char *name, size_t n)
{
    for (; t->name; t++) {
        if (s_same(name, t->name, n)) {
            return t->value;
        }
    }
    return -1;
}

static int s_parse(const s_name_t *t, const char *name)
{
    return s_parse_n(t, name, strlen(name));
}

const char *board_names_area(int area)
{
    return s_name(s_areas, area);
}

int board_names_area_parse(const char *name)
{
    return s_parse(s_areas, name);
}

const char *board_names_rule(int rule)
{
    return s_name(s_rules, rule);
}

int board_names_rule_parse(const char *name)
{
    return s_parse(s_rules, name);
}

const char *board_names_constituency(int c)
{
    return s_name(s_constituencies, c);
}

int board_names_constituency_parse(const char *name)
{
    return s_parse(s_constituencies, name);
}

const char *board_names_kind(int kind)
{
    return s_name(s_kinds, kind);
}

int board_names_kind_parse(const char *name)
{
    return s_parse(s_kinds, name);
}

const char *board_names_vote(int vote)
{
    return s_name(s_votes, vote);
}

int board_names_vote_parse(const char *name)
{
    return s_parse(s_votes, name);
}

int board_names_area_listed(const char *list, int area)
{
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        size_t n = strcspn(p, ",");
        while (n && p[n - 1] == ' ') {
            n--;
        }
        if (n && s_parse_n(s_areas, p, n) == area) {
            return 1;
        }
        p += strcspn(p, ",");
    }
    return 0;
}

const char *board_names_line(int line)
{
    return s_name(s_lines, line);
}

int board_names_line_parse(const char *name)
{
    return s_parse(s_lines, name);
}

const char *board_names_level(int level)
{
    return s_name(s_levels, level);
}

int board_names_level_parse(const char *name)
{
    return s_parse(s_levels, name);
}
