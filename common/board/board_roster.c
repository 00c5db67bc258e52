/* board_roster: membership changes that change the roster itself (a key
 * rotation, a merger, a newcomer): who may propose them, whose consent they need,
 * what they do to the roster and to every board's charter, and which
 * events a certificate carries so that they can be checked. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "board_priv.h"
#include "text.h"
#include "wire.h"

int board_roster_level(const Concord__V1__Proposal *p)
{
    const Concord__V1__MembershipChange *mc = p ? p->membership : NULL;
    return p && p->kind == CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE && mc &&
           (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY ||
            mc->action == CONCORD__V1__MEMBERSHIP_ACTION__MERGE ||
            (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ADMIT && mc->organisation));
}

static long s_member(const Concord__V1__Charter *c, const char *code)
{
    for (size_t i = 0; i < c->n_members; i++) {
        if (strcmp(c->members[i]->code, code) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* The roster entry an Organisation message describes; the kind goes
 * through its enum name, as the roster stores it. */
static int s_public(const Concord__V1__Organisation *o, keys_public_t *out, cc_err_t *err)
{
    const ProtobufCEnumValue *kind =
        protobuf_c_enum_descriptor_get_value(&concord__v1__org_kind__descriptor, o->kind);
    memset(out, 0, sizeof *out);
    if (o->sign_key.len != KEYS_PK_LEN || o->transport_key.len != KEYS_PK_LEN) {
        err_set(err, CC_INVALID_ARGUMENT, "the organisation's keys must be %d bytes each",
                KEYS_PK_LEN);
        return -1;
    }
    if (keys_code_check(o->code, err) < 0 || strlen(o->name) > KEYS_NAME_MAX) {
        err_prefix(err, "organisation: ");
        return -1;
    }
    snprintf(out->code, sizeof out->code, "%s", o->code);
    snprintf(out->name, sizeof out->name, "%s", o->name);
    snprintf(out->kind, sizeof out->kind, "%s", kind && o->kind ? kind->name : "");
    memcpy(out->sign_pk, o->sign_key.data, KEYS_PK_LEN);
    memcpy(out->curve_pk, o->transport_key.data, KEYS_PK_LEN);
    return 0;
}

static int s_check_rotation(const roster_t *roster, const char *proposer,
                            const Concord__V1__MembershipChange *mc, cc_err_t *err)
{
    keys_public_t pub;
    roster_org_t cur;
    if (!mc->organisation) {
        err_set(err, CC_INVALID_ARGUMENT, "a key rotation must carry the organisation's new keys");
        return -1;
    }
    if (s_public(mc->organisation, &pub, err) < 0) {
        return -1;
    }
    /* Signed by the organisation's current key: only it may replace it. */
    if (strcmp(pub.code, proposer) != 0) {
        err_set(err, CC_PERMISSION_DENIED,
                "a key rotation of %s must be proposed by %s itself, not by %.16s", pub.code,
                pub.code, proposer);
        return -1;
    }
    if (roster_lookup(roster, pub.code, &cur) < 0) {
        err_set(err, CC_NOT_FOUND, "%s is not a member of the roster", pub.code);
        return -1;
    }
    return roster_keys_fresh(roster, pub.sign_pk, pub.curve_pk, err);
}

/* The successor as the roster would hold it: a continuing predecessor
 * keeps its entry; a new organisation brings its own. */
static int s_successor(const roster_t *roster, const Concord__V1__MembershipChange *mc,
                       keys_public_t *out, cc_err_t *err)
{
    roster_org_t cur;
    if (!mc->organisation) {
        err_set(err, CC_INVALID_ARGUMENT, "a merger must name the successor organisation");
        return -1;
    }
    if (roster_lookup(roster, mc->organisation->code, &cur) == 0) {
        memset(out, 0, sizeof *out);
        snprintf(out->code, sizeof out->code, "%s", cur.code);
        snprintf(out->name, sizeof out->name, "%s", cur.name);
        snprintf(out->kind, sizeof out->kind, "%s", cur.kind);
        memcpy(out->sign_pk, cur.sign_pk, KEYS_PK_LEN);
        memcpy(out->curve_pk, cur.curve_pk, KEYS_PK_LEN);
        return 0;
    }
    return s_public(mc->organisation, out, err);
}

static int s_check_merger(const roster_t *roster, const Concord__V1__Charter *ch,
                          const Concord__V1__MembershipChange *mc, cc_err_t *err)
{
    keys_public_t succ;
    if (s_successor(roster, mc, &succ, err) < 0 ||
        roster_merge_check(roster, &succ, (const char *const *)mc->predecessors, mc->n_predecessors,
                           err) < 0) {
        return -1;
    }
    /* Each predecessor must consent, so each must be able to vote here. */
    for (size_t i = 0; i < mc->n_predecessors; i++) {
        if (s_member(ch, mc->predecessors[i]) < 0) {
            err_set(err, CC_FAILED_PRECONDITION,
                    "predecessor %s is not a member of board %s, so it could not consent here",
                    mc->predecessors[i], ch->board_id);
            return -1;
        }
    }
    return 0;
}

/* An organisation new to the federation joining this board: its seat
 * and its roster entry come together. */
static int s_check_admission(const roster_t *roster, const Concord__V1__Charter *ch,
                             const Concord__V1__MembershipChange *mc, cc_err_t *err)
{
    keys_public_t pub;
    if (s_public(mc->organisation, &pub, err) < 0) {
        return -1;
    }
    if (!mc->member || strcmp(mc->member->code, pub.code) != 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "admitting %s to the roster needs its seat on the board, with the same code",
                pub.code);
        return -1;
    }
    if (mc->member->constituency < 1 || mc->member->constituency > 3) {
        err_set(err, CC_INVALID_ARGUMENT, "%s needs a constituency on board %s", pub.code,
                ch->board_id);
        return -1;
    }
    if (ch->n_members >= BOARD_MAX_MEMBERS) {
        err_set(err, CC_INVALID_ARGUMENT, "board %s has the most members a board may have",
                ch->board_id);
        return -1;
    }
    return roster_newcomer_check(roster, &pub, err);
}

int board_roster_check(const roster_t *roster, const Concord__V1__Charter *ch, const char *proposer,
                       const Concord__V1__MembershipChange *mc, cc_err_t *err)
{
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY) {
        return s_check_rotation(roster, proposer, mc, err);
    }
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ADMIT) {
        return s_check_admission(roster, ch, mc, err);
    }
    return s_check_merger(roster, ch, mc, err);
}

static void s_say(board_tally_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends to the tally's explanation, truncating. */
static void s_say(board_tally_t *t, const char *fmt, ...)
{
    size_t used = strlen(t->explanation);
    text_t x;
    va_list ap;
    text_init_fixed(&x, t->explanation + used, sizeof t->explanation - used);
    va_start(ap, fmt);
    text_vput(&x, fmt, ap);
    va_end(ap);
}

void board_roster_consent(const Concord__V1__Proposal *p, const Concord__V1__Charter *ch,
                          const board_ballot_t *ballots, size_t n, int final, int settled,
                          board_tally_t *t)
{
    static const char *const words[] = {"did not vote", "voted FOR", "voted AGAINST",
                                        "voted ABSTAIN"};
    if (!board_roster_level(p)) {
        return;
    }
    const Concord__V1__MembershipChange *mc = p->membership;
    for (size_t i = 0;
         mc->action == CONCORD__V1__MEMBERSHIP_ACTION__MERGE && i < mc->n_predecessors; i++) {
        long m = s_member(ch, mc->predecessors[i]);
        int vote = 0;
        for (size_t j = 0; m >= 0 && j < n; j++) {
            vote = ballots[j].member == (size_t)m ? ballots[j].vote : vote;
        }
        s_say(t, "Merger: predecessor %s %s%s.\n", mc->predecessors[i],
              vote >= 0 && vote <= 3 ? words[vote] : "?",
              vote == CONCORD__V1__VOTE__FOR ? ""
                                             : "; a merger needs the FOR of every predecessor");
        if (vote == CONCORD__V1__VOTE__FOR) {
            continue;
        }
        t->decided = vote != 0 || final || (t->decided && !t->passed);
        t->passed = 0;
    }
    if (final && !settled && t->passed) {
        s_say(t, "A roster change takes effect only at the ballot that decides it;"
                 " this one was still undecided at its deadline, so it fails.\n");
        t->passed = 0;
    }
}

static int s_merging(const char *code, const char *succ, char **preds, size_t n)
{
    int merged = strcmp(code, succ) == 0;
    for (size_t k = 0; k < n; k++) {
        merged |= strcmp(code, preds[k]) == 0;
    }
    return merged;
}

/* Fills members (pointing into seats) with cur's seats after the merger:
 * the first seat of the successor or a predecessor becomes the
 * successor's, keeps its constituency and takes the weights of all (the
 * charter's total fits in 64 bits, so theirs does); the others go.
 * Returns the number of seats. */
static size_t s_seats(const Concord__V1__Charter *cur, const char *succ, char **preds, size_t n,
                      Concord__V1__BoardMember **members, Concord__V1__BoardMember *seats)
{
    Concord__V1__BoardMember *heir = NULL;
    size_t count = 0;
    for (size_t i = 0; i < cur->n_members; i++) {
        const Concord__V1__BoardMember *m = cur->members[i];
        int merged = s_merging(m->code, succ, preds, n);
        if (merged && heir) {
            heir->weight += m->weight;
            continue;
        }
        seats[i] = *m;
        if (merged) {
            heir = &seats[i];
            heir->code = (char *)succ;
        }
        members[count++] = &seats[i];
    }
    return count;
}

/* The same for reserved matters: a predecessor's pass to the successor,
 * without duplicates. */
static size_t s_reserved(const Concord__V1__Charter *cur, const char *succ, char **preds, size_t n,
                         Concord__V1__ReservedMatter **resp, Concord__V1__ReservedMatter *res)
{
    size_t count = 0;
    for (size_t i = 0; i < cur->n_reserved; i++) {
        int dup = 0;
        res[i] = *cur->reserved[i];
        if (s_merging(res[i].member, succ, preds, n)) {
            res[i].member = (char *)succ;
        }
        for (size_t k = 0; k < count; k++) {
            dup |= resp[k]->area == res[i].area && strcmp(resp[k]->member, res[i].member) == 0;
        }
        if (!dup) {
            resp[count++] = &res[i];
        }
    }
    return count;
}

/* The charter with every predecessor's seat and reserved matter passed
 * to the successor. NULL with err when memory runs out. */
static Concord__V1__Charter *s_merged_charter(const Concord__V1__Charter *cur, const char *succ,
                                              char **preds, size_t n, cc_err_t *err)
{
    Concord__V1__Charter after = *cur, *copy = NULL;
    Concord__V1__BoardMember **members = calloc(cur->n_members + 1, sizeof *members);
    Concord__V1__BoardMember *seats = calloc(cur->n_members + 1, sizeof *seats);
    Concord__V1__ReservedMatter *res = calloc(cur->n_reserved + 1, sizeof *res);
    Concord__V1__ReservedMatter **resp = calloc(cur->n_reserved + 1, sizeof *resp);
    uint8_t *buf = NULL;
    size_t len = 0;
    if (!members || !seats || !res || !resp) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto out;
    }
    after.members = members;
    after.n_members = s_seats(cur, succ, preds, n, members, seats);
    after.reserved = resp;
    after.n_reserved = s_reserved(cur, succ, preds, n, resp, res);
    /* wire.c is the only module that packs, so the deep copy goes
     * through it. */
    if (wire_pack(&after.base, WIRE_MAX_FRAME, &buf, &len, err) == 0) {
        copy = (Concord__V1__Charter *)wire_unpack(&concord__v1__charter__descriptor, buf, len,
                                                   WIRE_MAX_FRAME, err);
    }
out:
    free(buf);
    free(members);
    free(seats);
    free(res);
    free(resp);
    return copy;
}

Concord__V1__Charter *board_roster_charter(const Concord__V1__Charter *cur,
                                           const Concord__V1__MembershipChange *mc, cc_err_t *err)
{
    int touched = 0;
    err_clear(err);
    if (mc->action != CONCORD__V1__MEMBERSHIP_ACTION__MERGE || !mc->organisation) {
        return NULL;
    }
    for (size_t k = 0; k < mc->n_predecessors; k++) {
        touched |= s_member(cur, mc->predecessors[k]) >= 0 &&
                   strcmp(mc->predecessors[k], mc->organisation->code) != 0;
    }
    return touched ? s_merged_charter(cur, mc->organisation->code, mc->predecessors,
                                      mc->n_predecessors, err)
                   : NULL;
}

int board_roster_apply(roster_t *roster, const Concord__V1__MembershipChange *mc, uint64_t at_index,
                       const char *decision, cc_err_t *err)
{
    keys_public_t pub;
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ADMIT) {
        return s_public(mc->organisation, &pub, err) < 0
                   ? -1
                   : roster_admit(roster, &pub, at_index, decision, err);
    }
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY) {
        return !mc->organisation || s_public(mc->organisation, &pub, err) < 0
                   ? -1
                   : roster_rotate(roster, pub.code, pub.sign_pk, pub.curve_pk, at_index, decision,
                                   err);
    }
    return s_successor(roster, mc, &pub, err) < 0
               ? -1
               : roster_merge(roster, &pub, (const char *const *)mc->predecessors,
                              mc->n_predecessors, at_index, decision, err);
}

/* ---- in the engine ---- */

/* A passed key rotation or merger: the roster changes after at_index,
 * and a merger hands every predecessor's seats to the successor. One
 * that no longer fits the roster (another decision took the key first)
 * passes without effect, the same on every node. */
int board_roster_effect(board_engine_t *e, board_prop_t *p, uint64_t at_index, cc_err_t *err)
{
    const Concord__V1__MembershipChange *mc = p->proposal->membership;
    cc_err_t why;
    if (board_roster_apply(e->roster, mc, at_index, p->id, &why) < 0) {
        return why.code == CC_RESOURCE_EXHAUSTED ? err_oom(err) : 0;
    }
    p->board->roster_upto = at_index;
    if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ADMIT) {
        /* Now in the roster, the newcomer takes its seat. */
        Concord__V1__Charter *seated = board_charter_change(e->roster, p->board->charter, mc, &why);
        if (!seated && why.code == CC_RESOURCE_EXHAUSTED) {
            return err_oom(err);
        }
        if (seated) {
            wire_free(&p->board->charter->base);
            p->board->charter = seated;
        }
    }
    for (size_t i = 0; i < e->n_boards; i++) {
        board_rec_t *b = e->boards[i];
        Concord__V1__Charter *after = board_roster_charter(b->charter, mc, &why);
        if (!after && why.code != CC_OK) {
            return err_oom(err);
        }
        if (after) {
            wire_free(&b->charter->base);
            b->charter = after;
        }
    }
    if (e->on_roster) {
        e->on_roster(e->roster, at_index, e->on_roster_arg);
    }
    return 0;
}

/* How far into board b's events a certificate for board_id up to upto
 * must go: its own events up to upto, and every decision that changed
 * the roster (so that signatures under rotated keys can be checked). */
static uint64_t s_cert_upto(const board_rec_t *b, const char *board_id, uint64_t upto)
{
    if (!board_id) {
        return UINT64_MAX;
    }
    uint64_t own = strcmp(b->id, board_id) == 0 ? upto : 0;
    return own > b->roster_upto ? own : b->roster_upto;
}

int board_certificate_events(const board_engine_t *e, const char *board_id, uint64_t upto,
                             int (*fn)(uint64_t log_index, const uint8_t hash[32], void *arg),
                             void *arg)
{
    if (board_id && !board_find_rec(e, board_id)) {
        return -1;
    }
    size_t *at = calloc(e->n_boards + 1, sizeof *at);
    if (!at) {
        return -1;
    }
    int rc = 0;
    for (;;) {
        const board_ref_t *next = NULL;
        size_t from = 0;
        for (size_t i = 0; i < e->n_boards; i++) {
            const board_rec_t *b = e->boards[i];
            if (at[i] < b->n_events &&
                b->events[at[i]].log_index <= s_cert_upto(b, board_id, upto) &&
                (!next || b->events[at[i]].log_index < next->log_index)) {
                next = &b->events[at[i]];
                from = i;
            }
        }
        if (!next || (rc = fn(next->log_index, next->hash, arg)) != 0) {
            break;
        }
        at[from]++;
    }
    free(at);
    return rc;
}
