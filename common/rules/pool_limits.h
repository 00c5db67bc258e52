/* SPDX-License-Identifier: Apache-2.0 */
/* pool_limits: the sizes of pooled-fund agreements, variations and BCF
 * plans, shared by the rules that judge them (agreement.c, risk_share.c),
 * the board's pool proposals and the pool engine. */
#ifndef CONCORD_POOL_LIMITS_H
#define CONCORD_POOL_LIMITS_H

#include "money.h"

#define POOL_ID_MAX 32                    /* pool and plan ids: [A-Za-z0-9-], 2..32 */
#define POOL_NAME_MAX 200                 /* names, functions, client groups, services */
#define POOL_TEXT_MAX (16 * 1024)         /* aims, governance, management, narrative */
#define POOL_REASON_MAX 2000              /* consent reasons, notes */
#define POOL_MAX_PARTNERS 64 /* a risk share splits among all of them */
#define POOL_MAX_YEARS 20                 /* distinct financial years in one agreement */
#define POOL_MAX_ITEMS 64                 /* functions, client groups, delegations, changes... */
#define POOL_YEAR_MIN MONEY_YEAR_MIN      /* 2000/01 */
#define POOL_YEAR_MAX MONEY_YEAR_MAX
#define POOL_BASIS_POINTS 10000 /* FIXED shares sum to this */

#endif
