/* SPDX-License-Identifier: Apache-2.0 */
/* board_limits: the sizes of boards, charters and proposals, shared by the
 * rules that judge them (board_check.c, board_tally.c) and the board
 * engine. */
#ifndef CONCORD_BOARD_LIMITS_H
#define CONCORD_BOARD_LIMITS_H

#define BOARD_ID_MAX 32
#define BOARD_TITLE_MAX 200
#define BOARD_TEXT_MAX (64 * 1024)
#define BOARD_REASON_MAX 2000
#define BOARD_MAX_MEMBERS 1024
#define BOARD_REPRESENTATIVES_MAX 1000 /* a committee in common body's own representatives */
#define BOARD_MAX_DEADLINE_MS (400ull * 24 * 3600 * 1000) /* after submission */

#endif
