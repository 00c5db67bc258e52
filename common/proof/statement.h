/* SPDX-License-Identifier: Apache-2.0 */
/* statement: a host's signed year-end pool statement, exported with
 * everything needed to check it offline: the genesis roster, and every
 * event of the pool's board and of the pool itself up to the host's
 * Statement event, each with its broker receipt, with every board's
 * events up to its latest roster change (key rotations, mergers), as a
 * decision certificate carries them. Checking re-runs the board and pool
 * engines every node runs over those events, so a partner (or an
 * auditor) holding only the file and the roster sees the agreement
 * decided, every pledge, the outturn and the split, and that the host
 * signed exactly what they give. */
#ifndef CONCORD_STATEMENT_H
#define CONCORD_STATEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "err.h"
#include "keys.h"
#include "pool.h"
#include "roster.h"

#define STATEMENT_DOMAIN "concord/v1/statement-certificate"
#define STATEMENT_VERSION 1

/* What a verified statement certificate says. */
typedef struct {
    char signer[KEYS_CODE_MAX + 1]; /* who exported it */
    char host[KEYS_CODE_MAX + 1];   /* who signed the statement */
    char pool_id[POOL_ID_MAX + 1];
    uint32_t year;
    char statement_id[POOL_REF_LEN + 1];
    size_t events;
    char *text; /* the statement, as recomputed (and signed) */
    char *csv;  /* one line per partner, as `pool statement --csv` */
} statement_report_t;

/* Verifies a packed statement certificate against the trusted (genesis)
 * roster: the embedded roster, every event's receipt and signature (by
 * its sender's key at its log position), then every event valid when the
 * board and pool engines re-run them (roster changes applied as they
 * pass), the pool's last being the host's Statement of that pool and
 * year, accepted (so equal to the statement recomputed here), with only
 * board events after it; last, the exporter's signature by its key after
 * every event. Returns 0 with *out filled (release with
 * statement_report_free), or -1 with err naming the first failed check. */
int statement_verify(const uint8_t *buf, size_t len, const roster_t *trusted,
                     statement_report_t *out, cc_err_t *err);

void statement_report_free(statement_report_t *r);

/* The statement as CSV lines (header first), into a malloc'd string;
 * NULL when out of memory. The node and the verifier print the same. */
char *statement_csv(const pool_statement_t *s);

#endif
