/* SPDX-License-Identifier: Apache-2.0 */
/* roster_view: `concord roster show` against a running node: the roster
 * as this node has folded it (genesis and every key rotation and merger
 * its boards decided), with the superseded entries and the history. */
#ifndef CONCORD_ROSTER_VIEW_H
#define CONCORD_ROSTER_VIEW_H

#include "control.h"

/* The Control method RosterShow. */
void roster_view_on_show(Concord__V1__Control_Service *service,
                         const Concord__V1__RosterShowRequest *in,
                         Concord__V1__RosterShowReply_Closure closure, void *call);

#endif
