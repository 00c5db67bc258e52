/* roster_view: `concord roster show` against a running node: the roster
 * as this node has folded it (genesis and every key rotation and merger
 * its boards decided), with the superseded entries and the history. */
#ifndef CONCORD_ROSTER_VIEW_H
#define CONCORD_ROSTER_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "control.h"

/* Answers the "roster-show" control command with text and JSON. */
void roster_view_reply(control_ctx_t *c, const uint8_t *id, size_t id_len);

#endif
