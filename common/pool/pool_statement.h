/* SPDX-License-Identifier: Apache-2.0 */
/* pool_statement: a pooled fund's year statement as every node computes
 * it (pool_statement in pool.c fills it from the engine), and its text. */
#ifndef CONCORD_POOL_STATEMENT_H
#define CONCORD_POOL_STATEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "pool.pb-c.h"
#include "pool_limits.h"
#include "risk_share.h"
#include "roster.h"

/* One partner's line of a year's statement. */
typedef struct {
    const char *partner;
    int64_t contribution;   /* as agreed and varied; 0 when none this year */
    int64_t pledged;        /* 0 when no pledge */
    int matches;            /* pledged == contribution */
    risk_share_part_t part; /* of the variance; zero until the outturn */
    int64_t net;            /* contribution + share: what the partner bears in all */
    /* A partner split by a transfer scheme (Health and Care Act 2022 Sch 4):
     * the decision ("" when not split) and each successor's share of the
     * year's contribution, what it owes and what it has pledged. */
    const char *split_by;
    size_t n_successors;
    char successors[ROSTER_SPLIT_MAX][KEYS_CODE_MAX + 1];
    uint32_t permille[ROSTER_SPLIT_MAX];
    int64_t owed[ROSTER_SPLIT_MAX];
    int64_t owed_pledged[ROSTER_SPLIT_MAX];
    int64_t owed_variance[ROSTER_SPLIT_MAX]; /* its share of the line's part of the variance */
} pool_line_t;

/* A year's statement, the same on every node. Pointers live as long as
 * the engine is unchanged. */
typedef struct {
    const char *pool_id;
    const char *name;
    int kind;                /* ArrangementKind */
    const char *accountable; /* host, lead, or transfer payer; "" for aligned budgets */
    uint32_t year;
    size_t n_lines; /* one per partner, in agreement order */
    pool_line_t lines[POOL_MAX_PARTNERS];
    int64_t total; /* the year's contributions */
    int64_t pledged_total;
    int complete; /* every contribution pledged as agreed */
    int has_outturn;
    int64_t outturn;
    int64_t variance;                   /* outturn - total */
    const Concord__V1__RiskShare *rule; /* NULL when the kind has none */
    const char *agreement_id;           /* the board proposal that decided the pool */
    const char *signed_id;              /* the host's accepted Statement event; "" if none */
    uint64_t signed_index;              /* its log index */
    const char *signed_person;          /* the host's person who signed it; "" or NULL none */
} pool_statement_t;

/* Writes the statement as text, one line per partner and the arithmetic
 * of the split in sentences; every node writes the same bytes. Returns
 * the length it needed (like snprintf); the text is truncated, always
 * NUL-terminated, when size is too small. */
size_t pool_statement_text(const pool_statement_t *s, char *buf, size_t size);

#endif
