/* board_priv: the board engine's inside, shared by board.c (the fold and
 * its views) and board_roster.c (roster changes and what certificates
 * carry of them). No other module includes it. */
#ifndef CONCORD_BOARD_PRIV_H
#define CONCORD_BOARD_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "fold.h"

typedef struct {
    uint64_t log_index;
    uint8_t hash[32];
} board_ref_t;

typedef struct {
    size_t member; /* in the proposal's charter */
    int vote;
    char *reason;
    uint64_t time_ms;
    uint64_t log_index;
    uint8_t hash[32];
} board_vote_t;

typedef struct board_rec board_rec_t;

typedef struct {
    char id[BOARD_PROPOSAL_ID_LEN + 1];
    board_rec_t *board;
    char *proposer;
    Concord__V1__Proposal *proposal; /* as unpacked from the event */
    Concord__V1__Charter *charter;   /* the board as it stood at submission: the voters */
    uint64_t time_ms;
    uint64_t log_index;
    uint8_t hash[32];
    board_vote_t *ballots; /* log order; one per member at most */
    size_t n_ballots;
    size_t cap_ballots;
    int closed;
    int settled; /* closed by a ballot that decided it, not by the deadline */
    uint64_t closed_at_ms;
    uint64_t effect_index; /* log index of the event at (or before) which it closed */
} board_prop_t;

struct board_rec {
    char id[BOARD_ID_MAX + 1];
    Concord__V1__Charter *charter; /* in force, or awaiting adoption */
    int active;
    board_prop_t *adoption; /* the latest CHARTER_ADOPTION */
    board_ref_t *events;    /* accepted events, log order */
    size_t n_events;
    size_t cap_events;
    uint64_t roster_upto; /* log index of its latest decision that changed the roster */
};

typedef struct {
    char sender[48];
    char method[64];
    char proposal_id[BOARD_PROPOSAL_ID_LEN + 1];
    uint64_t log_index;
    cc_code_t code;
    char reason[CC_ERR_MSG_MAX];
} board_refusal_t;

struct board_engine {
    roster_t *roster;
    board_roster_fn on_roster;
    void *on_roster_arg;
    board_rec_t **boards; /* in order of first adoption proposal */
    size_t n_boards;
    size_t cap_boards;
    board_prop_t **proposals; /* log order */
    size_t n_proposals;
    size_t cap_proposals;
    board_prop_t **open; /* still open, for closing by deadline */
    size_t n_open;
    size_t cap_open;
    board_refusal_t *rejections;
    size_t n_rejections;
    size_t cap_rejections;
    board_prop_t **realigned; /* passed realignments, in order of closing */
    size_t n_realigned;
    size_t cap_realigned;
    board_prop_t **pooled; /* passed pool agreements and variations, in order of closing */
    size_t n_pooled;
    size_t cap_pooled;
    uint64_t at_index; /* log index of the event being applied */
    fold_order_t order;
};

/* The board with this id, or NULL. */
board_rec_t *board_find_rec(const board_engine_t *e, const char *id);

/* What a passed roster change does (board_roster.c): the roster changes
 * after at_index and the charters follow. Returns 0, or -1 only when
 * memory runs out. */
int board_roster_effect(board_engine_t *e, board_prop_t *p, uint64_t at_index, cc_err_t *err);

#endif
