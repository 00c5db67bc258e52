/* SPDX-License-Identifier: Apache-2.0 */
/* cli_render_text: Control replies as text for people. */
#include "cli_render_text.h"
#include "people.h"

#include <stdlib.h>
#include <string.h>

#include "board_names.h"
#include "cli_view.h"
#include "clock.h"
#include "err.h"
#include "exempt.h"
#include "money.h"
#include "pool.h"
#include "wire.h"

#define S_WHEN 40

/* Writes label, the bytes in hex (none if empty) and a newline. */
static void s_hex_line(FILE *out, const char *label, ProtobufCBinaryData b, const char *none)
{
    char *hex = b.len ? wire_hex(b.data, b.len) : NULL;
    fprintf(out, "%s%s\n", label, hex ? hex : none);
    free(hex);
}

static void s_status(const Concord__V1__StatusReply *r, FILE *out)
{
    char since[S_WHEN];
    clock_format(r->started_ms, since, sizeof since);
    fprintf(out,
            "organisation   %s\n"
            "federation     %s (%llu members)\n"
            "broker         %s (%s)\n"
            "serving        %s\n"
            "ledger         %llu entries in %s\n"
            "sent           %llu\n"
            "received       %llu\n"
            "rejected       %llu\n"
            "calls waiting  %llu\n"
            "unreceipted    %llu\n"
            "running since  %s\n",
            r->organisation, r->federation, (unsigned long long)r->members, r->broker,
            r->connected ? "connected" : "not connected",
            r->serving ? "yes" : (r->holding && *r->holding ? "no" : "no (ledger failed)"),
            (unsigned long long)r->ledger_entries, r->ledger_path, (unsigned long long)r->sent,
            (unsigned long long)r->received, (unsigned long long)r->rejected,
            (unsigned long long)r->calls_waiting, (unsigned long long)r->unreceipted, since);
    if (r->holding && *r->holding) {
        fprintf(out, "holding        %s\n", r->holding);
    }
    if (r->ledger_max_mb && r->ledger_bytes * 10 >= ((uint64_t)r->ledger_max_mb << 20) * 9) {
        fprintf(out, "storage        %s: the ledger holds %llu MB of its ledger_max_mb = %u; at "
                     "the cap this node's own new requests and events are refused (LEDGER_FULL)\n",
                r->ledger_bytes >= (uint64_t)r->ledger_max_mb << 20 ? "FULL" : "WARNING",
                (unsigned long long)(r->ledger_bytes >> 20), r->ledger_max_mb);
    }
    if (r->log_missing) {
        fprintf(out, "missing        %llu log entries for this node are not in its ledger "
                     "(acknowledged by another instance?): run `concord log fetch`\n",
                (unsigned long long)r->log_missing);
    }
    if (r->delivery_lost) {
        fprintf(out, "deliveries     LOST: the broker handed them to another instance of %s "
                     "(DELIVERY_LOST); this node receives nothing until it is restarted\n",
                r->organisation);
    }
}

static void s_ping(const Concord__V1__PingReply *r, FILE *out)
{
    char when[S_WHEN];
    const char *serving = r->serving ? "SERVING" : "NOT_SERVING";
    double rtt_ms = (double)r->rtt_us / 1000.0;
    clock_format(r->request_time_ms, when, sizeof when);
    if (r->request_log_index) {
        fprintf(out,
                "reply from %s: %s, round trip %.3f ms\nbroker receipt: log index %llu at %s\n",
                r->responder, serving, rtt_ms, (unsigned long long)r->request_log_index, when);
        s_hex_line(out, "leaf hash: ", r->request_leaf_hash, "(none)");
    } else {
        /* Queries to the broker itself are answered directly, unlogged. */
        fprintf(out, "reply from %s: %s, round trip %.3f ms (direct, not logged)\n", r->responder,
                serving, rtt_ms);
    }
    if (r->broker_role[0]) {
        fprintf(out, "broker: %s, store %s, epoch %llu, log head %llu\n", r->broker_role,
                r->broker_store, (unsigned long long)r->broker_epoch,
                (unsigned long long)r->responder_ledger_entries);
    }
}

static void s_ledger(const Concord__V1__LedgerReply *r, FILE *out)
{
    for (size_t i = 0; i < r->n_entries; i++) {
        const Concord__V1__LedgerRow *e = r->entries[i];
        fprintf(out, "%6lld %-3s %-7s %-28s %-10s -> %-10s seq %-6llu log %llu\n", (long long)e->id,
                e->inbound ? "in" : "out", cli_view_kind(e->kind), e->method, e->sender,
                e->recipient, (unsigned long long)e->sequence, (unsigned long long)e->log_index);
    }
    if (!r->n_entries) {
        fputs("(ledger is empty)\n", out);
    }
}

static void s_log_verify(const Concord__V1__LogVerifyReply *r, FILE *out)
{
    fprintf(out, "broker log verified: %llu entries, every signature and the Merkle tree checked\n",
            (unsigned long long)r->entries);
    s_hex_line(out, "head root hash: ", r->head_root_hash, "?");
    fprintf(out, "receipts held by %s: %llu, all proved in the log\n", r->organisation,
            (unsigned long long)r->receipts_checked);
    fprintf(out, "signed tree heads held: %llu, all consistent with the log\n",
            (unsigned long long)r->heads_checked);
    if (r->fetched) {
        fprintf(out, "fetched: %llu entries for %s its ledger lacked, stored and folded\n",
                (unsigned long long)r->fetched, r->organisation);
    } else if (r->missing) {
        fprintf(out,
                "MISSING: %llu entries for %s are in the log but not in its ledger "
                "(acknowledged by another instance?): run `concord log fetch`\n",
                (unsigned long long)r->missing, r->organisation);
    }
}

/* "log N" for a bound, "genesis" for 0, "now" for the end of the log. */
static const char *s_pos(uint64_t index, char *buf, size_t size)
{
    if (index == 0) {
        return "genesis";
    }
    if (index == UINT64_MAX) {
        return "now";
    }
    snprintf(buf, size, "log %llu", (unsigned long long)index);
    return buf;
}

static unsigned s_key_byte(const Concord__V1__RosterEntry *e, size_t i)
{
    return i < e->sign_key.len ? e->sign_key.data[i] : 0;
}

static void s_roster(const Concord__V1__RosterShowReply *r, FILE *out)
{
    char a[32], b[32];
    fprintf(out, "federation   %s\n", r->federation);
    s_hex_line(out, "genesis hash ", r->genesis_hash, "?");
    fprintf(out, "changes      %zu since genesis\n\n", r->n_history);
    fprintf(out, "%-12s %-20s %-8s %-12s %s\n", "code", "kind", "sign key", "since", "name");
    for (size_t i = 0; i < r->n_organisations; i++) {
        const Concord__V1__RosterEntry *o = r->organisations[i];
        fprintf(out, "%-12s %-20s %02x%02x%02x%02x %-12s %s\n", o->code, o->kind, s_key_byte(o, 0),
                s_key_byte(o, 1), s_key_byte(o, 2), s_key_byte(o, 3),
                s_pos(o->since_log_index, a, sizeof a), o->name);
    }
    if (r->n_superseded) {
        fputs("\nsuperseded (their signatures verify up to the log index shown):\n", out);
    }
    for (size_t i = 0; i < r->n_superseded; i++) {
        const Concord__V1__RosterEntry *p = r->superseded[i];
        int split = 0;
        for (size_t k = 0; k < r->n_history; k++) {
            split |= strcmp(r->history[k]->change, "split") == 0 &&
                     strcmp(r->history[k]->organisation, p->code) == 0;
        }
        fprintf(out, "%-12s %02x%02x%02x%02x %s to %s%s%s\n", p->code, s_key_byte(p, 0),
                s_key_byte(p, 1), s_key_byte(p, 2), s_key_byte(p, 3),
                s_pos(p->from_log_index, a, sizeof a), s_pos(p->until_log_index, b, sizeof b),
                !p->successor[0] ? ", keys rotated"
                : split          ? ", split; principal successor "
                                 : ", merged into ",
                p->successor);
    }
    fputs("\nhistory:\n", out);
    if (!r->n_history) {
        fputs("  (no changes since genesis)\n", out);
    }
    for (size_t i = 0; i < r->n_history; i++) {
        const Concord__V1__RosterHistoryEntry *ch = r->history[i];
        if (strcmp(ch->change, "split") == 0) {
            fprintf(out, "  after log %llu: %s split among %s permille (decision %.12s)\n",
                    (unsigned long long)ch->after_log_index, ch->organisation, ch->predecessors,
                    ch->decision);
        } else if (strcmp(ch->change, "merge") == 0) {
            fprintf(out, "  after log %llu: %s merged into %s (decision %.12s)\n",
                    (unsigned long long)ch->after_log_index, ch->predecessors, ch->organisation,
                    ch->decision);
        } else if (strcmp(ch->change, "admit") == 0) {
            fprintf(out, "  after log %llu: %s admitted (decision %.12s)\n",
                    (unsigned long long)ch->after_log_index, ch->organisation, ch->decision);
        } else {
            fprintf(out, "  after log %llu: %s rotated its keys (decision %.12s)\n",
                    (unsigned long long)ch->after_log_index, ch->organisation, ch->decision);
        }
    }
}

static void s_board_list(const Concord__V1__BoardListReply *r, FILE *out)
{
    for (size_t i = 0; i < r->n_boards; i++) {
        const Concord__V1__BoardSummary *v = r->boards[i];
        fprintf(out, "%-16s %-8s %3llu members  %-18s %s\n", v->id,
                v->active ? "active" : "pending", (unsigned long long)v->members,
                board_names_rule(v->rule), v->name);
    }
    if (!r->n_boards) {
        fputs("(no boards yet)\n", out);
    }
}

static void s_board_show(const Concord__V1__BoardShowReply *v, FILE *out)
{
    const Concord__V1__Charter *ch = v->charter;
    if (!ch) {
        return;
    }
    fprintf(out, "board        %s (%s)\nstatus       %s (adoption %s, secretary %s)\n", v->id,
            ch->name, v->active ? "active" : "awaiting adoption by every member",
            v->adoption_proposal, v->secretary);
    fprintf(out, "rule         %s", board_names_rule(ch->rule));
    if (ch->rule == CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY) {
        fprintf(out, " %u/%u", ch->qualified_numerator, ch->qualified_denominator);
    }
    fprintf(out, "\nquorum       %u/%u of members%s\naccountable  %s\n", ch->quorum_numerator,
            ch->quorum_denominator,
            ch->quorum_each_constituency ? ", and a voter from every constituency" : "",
            ch->accountable_to[0] ? ch->accountable_to : "(not stated)");
    if (ch->kind == CONCORD__V1__BOARD_KIND__ADVISORY) {
        fprintf(out, "kind         advisory (shadow) board: each of");
        for (size_t i = 0; i < ch->n_ratifiers; i++) {
            fprintf(out, " %s", ch->ratifiers[i]);
        }
        fprintf(out, " ratifies its recommendations");
        if (ch->ratify_working_days) {
            fprintf(out, " within %u working days", ch->ratify_working_days);
        }
        fputc('\n', out);
    } else if (ch->kind == CONCORD__V1__BOARD_KIND__COMMITTEE_IN_COMMON) {
        fprintf(out, "kind         committee in common: each body decides its own motion; the"
                     " joint outcome needs");
        for (size_t i = 0; i < ch->n_must_agree; i++) {
            fprintf(out, " %s", ch->must_agree[i]);
        }
        fprintf(out, "%s to agree\n", ch->n_must_agree ? "" : " every body");
    }
    if (ch->chair[0]) {
        fprintf(out, "chair        %s", ch->chair);
        for (size_t i = 0; i < ch->n_co_chairs; i++) {
            fprintf(out, "%s%s", i ? ", " : ", co-chairs ", ch->co_chairs[i]);
        }
        fprintf(out, "%s\n", ch->chair_casting_vote ? "; the chair has a casting vote" : "");
    }
    for (size_t i = 0; i < ch->n_key_decision_thresholds; i++) {
        char money[MONEY_TEXT_MAX];
        fprintf(out, "key          decisions of %s from %s (SI 2012/2089)\n",
                ch->key_decision_thresholds[i]->member,
                money_format(ch->key_decision_thresholds[i]->amount_pence, money, sizeof money));
    }
    for (size_t i = 0; i < ch->n_members; i++) {
        const Concord__V1__BoardMember *m = ch->members[i];
        fprintf(out, "  %-10s %-16s %s", m->code, board_names_constituency(m->constituency),
                i < v->n_member_names ? v->member_names[i] : "?");
        if (m->representatives) {
            int rule = m->own_rule ? (int)m->own_rule
                                   : CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST;
            fprintf(out, " (own rule: %u representatives, %s, at least %u voting)",
                    m->representatives, board_names_rule(rule), m->own_quorum);
        }
        fputc('\n', out);
    }
    for (size_t i = 0; i < ch->n_reserved; i++) {
        fprintf(out, "reserved     %s needs %s's FOR\n", board_names_area(ch->reserved[i]->area),
                ch->reserved[i]->member);
    }
}

/* The membership or roster change a proposal makes, in one line. */
static void s_change(const Concord__V1__MembershipChange *mc, FILE *out)
{
    const Concord__V1__Organisation *o = mc ? mc->organisation : NULL;
    if (!mc) {
        return;
    }
    if (mc->member && (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ADMIT ||
                       mc->action == CONCORD__V1__MEMBERSHIP_ACTION__REMOVE)) {
        fprintf(out, "change     %s %s\n",
                mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ADMIT ? "admit" : "remove",
                mc->member->code);
    } else if (o && mc->action == CONCORD__V1__MEMBERSHIP_ACTION__ROTATE_KEY) {
        char *hex = o->sign_key.len ? wire_hex(o->sign_key.data, o->sign_key.len) : NULL;
        fprintf(out, "change     new keys for %s (signing key %.16s...)\n", o->code,
                hex ? hex : "?");
        free(hex);
    } else if (o && mc->action == CONCORD__V1__MEMBERSHIP_ACTION__MERGE) {
        fputs("change     merge", out);
        for (size_t i = 0; i < mc->n_predecessors; i++) {
            fprintf(out, " %s", mc->predecessors[i]);
        }
        fprintf(out, " into %s\n", o->code);
    } else if (mc->action == CONCORD__V1__MEMBERSHIP_ACTION__SPLIT && mc->n_predecessors == 1) {
        fprintf(out, "change     split %s among", mc->predecessors[0]);
        for (size_t i = 0; i < mc->n_transfer; i++) {
            fprintf(out, "%s %s %u/1000", i ? "," : "", mc->transfer[i]->successor,
                    mc->transfer[i]->share_permille);
        }
        fprintf(out, " (%s; Health and Care Act 2022 Sch 4 transfer scheme)\n",
                mc->share_basis[0] ? mc->share_basis : "given");
    }
}

/* An exempt item: its ground, release date and who can read it; its
 * content when this node could open it. */
static void s_exempt(const Concord__V1__ProposalView *pv, FILE *out)
{
    const Concord__V1__Exemption *x = pv->proposal->exempt;
    char *hash = pv->exempt_ciphertext_hash.len
                     ? wire_hex(pv->exempt_ciphertext_hash.data, pv->exempt_ciphertext_hash.len)
                     : NULL;
    fprintf(out, "exempt     %s (%s) until %s; ciphertext SHA-256 %s\n", x->reason,
            exempt_reason_about(x->reason), x->release_on, hash ? hash : "?");
    free(hash);
    switch (pv->exempt_access) {
    case CONCORD__V1__EXEMPT_ACCESS__MEMBER:
        fputs("access     readable by the board's members (opened with this organisation's key)\n",
              out);
        break;
    case CONCORD__V1__EXEMPT_ACCESS__RELEASED:
        fputs("access     released by its proposer: readable by anyone holding it\n", out);
        break;
    default:
        fputs("access     sealed: readable by the board's members until released\n", out);
        return;
    }
    fprintf(out, "content    %s\n", pv->exempt_title);
    if (pv->exempt_text[0]) {
        fprintf(out, "text       %s\n", pv->exempt_text);
    }
    if (pv->exempt_paper_name[0]) {
        fprintf(out, "paper      %s (%zu bytes)\n", pv->exempt_paper_name, pv->exempt_paper.len);
    }
}

static void s_proposal(const Concord__V1__ProposalView *pv, FILE *out)
{
    char when[S_WHEN], money[MONEY_TEXT_MAX];
    const Concord__V1__Proposal *p = pv->proposal;
    if (!p) {
        return; /* the proposal could not be found again */
    }
    fprintf(out, "proposal   %s\n", pv->id);
    fprintf(out, "board      %s\n", pv->board_id);
    fprintf(out, "title      %s\n", p->title);
    if (p->exempt) {
        s_exempt(pv, out);
    }
    fprintf(out, "kind       %s%s%s\n", board_names_kind(p->kind), p->area ? ", " : "",
            p->area ? board_names_area(p->area) : "");
    if (p->amount_pence) {
        fprintf(out, "amount     %s\n", money_format(p->amount_pence, money, sizeof money));
    }
    s_change(p->membership, out);
    fprintf(out, "proposer   %s at %s\n", pv->proposer,
            clock_format(pv->time_ms, when, sizeof when));
    fprintf(out, "closes     %s\n", clock_format(p->closes_at_ms, when, sizeof when));
    if (pv->meeting_id[0]) {
        fprintf(out, "meeting    %s\n", pv->meeting_id);
    }
    if (p->key_decision_route || p->forward_plan_entry[0]) {
        const char *why = p->key_decision_reason;
        fprintf(out, "key        %s%s%s%s\n",
                p->key_decision_route == CONCORD__V1__KEY_DECISION_ROUTE__GENERAL_EXCEPTION
                    ? "general exception (SI 2012/2089 reg 10)"
                : p->key_decision_route == CONCORD__V1__KEY_DECISION_ROUTE__SPECIAL_URGENCY
                    ? "special urgency (SI 2012/2089 reg 11)"
                    : "forward plan entry ",
                p->forward_plan_entry, why[0] ? ": " : "", why);
    }
    size_t need = pool_describe(p, NULL, 0);
    char *pool = need ? malloc(need + 1) : NULL;
    if (pool) {
        pool_describe(p, pool, need + 1);
        fputs(pool, out);
        free(pool);
    }
    fprintf(out, "outcome    %s%s\n", cli_view_outcome(pv),
            pv->settled ? " (settled before the deadline)" : "");
    if (pv->ratifiers) {
        fprintf(out, "ratified   %u of %u bodies%s%s%s", pv->ratified, pv->ratifiers,
                pv->declined ? "; declined: not in effect" : "",
                pv->lapsed && !pv->declined ? "; lapsed: not in effect" : "",
                pv->effective ? "; in effect" : "");
        if (pv->ratify_by_ms) {
            fprintf(out, "; time limit %s", clock_format(pv->ratify_by_ms, when, sizeof when));
        }
        fputc('\n', out);
    }
    if (pv->effective_at_ms || pv->called_in) {
        fprintf(out, "effect     %s%s\n",
                pv->called_in   ? "called in: suspended until the board reconsiders it"
                : pv->effective ? "in effect after its call-in period to "
                                : "not before the end of its call-in period, ",
                pv->called_in ? "" : clock_format(pv->effective_at_ms, when, sizeof when));
    }
    fprintf(out, "voting     %s\n\n%s\n",
            pv->voting_open ? "open: every member's ballot is recorded until the deadline"
                            : "closed",
            pv->explanation);
    if (pv->n_ballots) {
        fprintf(out, "\nballots (%zu):\n", pv->n_ballots);
    }
    for (size_t i = 0; i < pv->n_ballots; i++) {
        const Concord__V1__BallotView *bv = pv->ballots[i];
        fprintf(out, "  %-10s %-7s %s log %llu%s%s%s%s\n", bv->member,
                board_names_vote(bv->vote), clock_format(bv->time_ms, when, sizeof when),
                (unsigned long long)bv->log_index, bv->person[0] ? "  signed by " : "",
                bv->person, bv->reason[0] ? "  reason: " : "", bv->reason);
    }
    const Concord__V1__Tally *t = pv->tally;
    for (size_t i = 0; t && i < t->n_signers; i++) {
        const Concord__V1__ActSigner *x = t->signers[i];
        fprintf(out, "  signed for %s by %s (%s%s%s)\n", x->member, x->person, x->name,
                x->role[0] ? ", " : "", x->role);
    }
    for (size_t i = 0; t && i < t->n_declarations; i++) {
        const Concord__V1__DeclarationEntry *x = t->declarations[i];
        fprintf(out, "  declared: %s%s%s, %s interest in %s%s%s\n", x->member,
                x->person[0] ? " person " : "", x->person, people_interest_name((int)x->kind),
                x->concerns, x->description[0] ? ": " : "", x->description);
    }
    for (size_t i = 0; t && i < t->n_exclusions; i++) {
        const Concord__V1__Exclusion *x = t->exclusions[i];
        fprintf(out, "  excluded: %s (%s interest in %s%s%s)%s\n", x->member,
                x->declared ? "declared" : "registered", x->concerns,
                x->person[0] ? " of " : "", x->person,
                x->remains ? ", remains without a vote" : "");
    }
    if (t && t->referred_to[0]) {
        fprintf(out, "  REFERRED to %s: inquorate through conflicts of interest\n",
                t->referred_to);
    }
    for (size_t i = 0; i < pv->n_refused; i++) {
        const Concord__V1__Refusal *r = pv->refused[i];
        fprintf(out, "  refused: %s (log %llu): %s: %s\n", r->sender,
                (unsigned long long)r->log_index, err_code_name((cc_code_t)r->code), r->reason);
    }
}

static void s_proposal_list(const Concord__V1__ProposalListReply *r, FILE *out)
{
    for (size_t i = 0; i < r->n_proposals; i++) {
        const Concord__V1__ProposalView *pv = r->proposals[i];
        fprintf(out, "%.12s  %-12s %-7s %2u for %2u against %2u abstain  %s\n", pv->id,
                pv->board_id, cli_view_outcome(pv), pv->votes_for, pv->votes_against,
                pv->abstentions, pv->proposal ? pv->proposal->title : "");
    }
    if (!r->n_proposals) {
        fputs("(no proposals)\n", out);
    }
}

static void s_realignments(const Concord__V1__RealignmentsReply *r, FILE *out)
{
    char when[S_WHEN];
    for (size_t i = 0; i < r->n_realignments; i++) {
        const Concord__V1__RealignmentView *v = r->realignments[i];
        fprintf(out, "%-10s primary footprint %-10s decided by %s (%.12s) at %s\n", v->organisation,
                v->footprint, v->board_id, v->proposal_id,
                clock_format(v->decided_at_ms, when, sizeof when));
    }
    if (!r->n_realignments) {
        fputs("(no realignments decided)\n", out);
    }
}

static void s_people(const Concord__V1__PeopleReply *r, FILE *out)
{
    for (size_t i = 0; i < r->n_people; i++) {
        const Concord__V1__PersonView *v = r->people[i];
        const Concord__V1__Person *p = v->person;
        if (!p) {
            continue;
        }
        fprintf(out, "%-10s %-16s %s%s%s, %s%s%s; boards", v->organisation, p->person_id, p->name,
                p->role[0] ? ", " : "", p->role, p->voting ? "voting" : "non-voting",
                p->deputy_for[0] ? ", deputy for " : "", p->deputy_for);
        for (size_t k = 0; k < p->n_boards; k++) {
            fprintf(out, "%s%s", k ? "," : " ", p->boards[k]);
        }
        fputs("; acts", out);
        for (size_t k = 0; k < p->n_acts; k++) {
            fprintf(out, "%s%s", k ? "," : " ", people_act_name((int)p->acts[k]));
        }
        fprintf(out, "; %s to %s%s%s\n", p->valid_from, p->valid_to,
                v->revoked ? "; REVOKED: " : "", v->revoked ? v->revoke_reason : "");
    }
    for (size_t i = 0; i < r->n_interests; i++) {
        const Concord__V1__InterestView *v = r->interests[i];
        const Concord__V1__Interest *x = v->interest;
        if (!x) {
            continue;
        }
        fprintf(out, "%-10s %-16s %-26s %-16s from %s%s%s%s%s\n", v->organisation, x->person_id,
                people_interest_name((int)x->kind), x->concerns, x->from_date,
                x->to_date[0] ? " to " : "", x->to_date, x->description[0] ? "  " : "",
                x->description);
    }
    if (!r->n_people && !r->n_interests) {
        fputs("(none registered)\n", out);
    }
}

static void s_delegations(const Concord__V1__DelegationListReply *r, FILE *out)
{
    for (size_t i = 0; i < r->n_delegations; i++) {
        const Concord__V1__DelegationView *v = r->delegations[i];
        const Concord__V1__DelegationRecord *d = v->record;
        if (!d) {
            continue;
        }
        fprintf(out, "%-10s %-26s from %s  %-9s %-24s by %s (%s)\n", d->organisation,
                board_names_line((int)d->line), d->from_date, board_names_level((int)d->level),
                d->agreement_ref[0] ? d->agreement_ref : "-", v->signer, v->provision);
        if (v->carried_to[0]) {
            fprintf(out, "           held by %s as its successor (Health and Care Act 2022 Sch 4"
                         " transfer scheme)\n",
                    v->carried_to);
        }
    }
    if (!r->n_delegations) {
        fputs("(no delegations recorded: NHS England commissions every line directly)\n", out);
    }
}

static void s_auto_vote(const Concord__V1__AutoVoteReply *p, FILE *out)
{
    fprintf(out,
            "automatic voting  %s\nabstain on        %s\nagainst on        %s\n"
            "against above     %llu pence\nfor below         %llu pence\n",
            p->auto_vote ? "on" : "off (manual)", p->abstain_areas[0] ? p->abstain_areas : "-",
            p->against_areas[0] ? p->against_areas : "-",
            (unsigned long long)p->against_above_pence, (unsigned long long)p->for_below_pence);
}

static void s_refusal(const Concord__V1__Refusal *r, FILE *out)
{
    fprintf(out, "refused     %s (log %llu, %s): %s: %s\n", r->sender,
            (unsigned long long)r->log_index, r->method, err_code_name((cc_code_t)r->code),
            r->reason);
}

static void s_pool(const Concord__V1__PoolView *v, FILE *out)
{
    const Concord__V1__PoolAgreement *a = v->agreement;
    char money[MONEY_TEXT_MAX], yn[16];
    const char *status = !v->executed_all ? "AWAITING_EXECUTION"
                         : !v->in_force ? "EXECUTED"
                         : v->board_business ? "IN_FORCE"
                         : v->active  ? "ACTIVE"
                                      : "AWAITING_PLEDGES";
    if (!a) {
        return;
    }
    const char *kind = cli_view_enum_name(&concord__v1__arrangement_kind__descriptor, a->kind);
    if (!v->full) {
        fprintf(out, "%-16s %-16s %-18s %s\n", v->id, status, kind, a->name);
        return;
    }
    fprintf(out,
            "pool        %s (%s)\nkind        %s\nagreement   %s, proposed by %s,"
            " decided by board %s\n",
            v->id, a->name, kind, v->agreement_id, v->proposer, v->board_id);
    fprintf(out, "status      %s\n", status);
    if (v->missing[0]) {
        fprintf(out, "            %s\n", v->missing);
    }
    fprintf(out, "executed    %u of %u parties, as %s%s%s\n", v->executed, v->parties,
            v->instrument, a->start_date[0] ? "; in force from " : "",
            a->start_date[0] && v->executed_all ? a->start_date : "");
    if (a->start_date[0]) {
        fprintf(out, "term        %s to %s, review %s, notice %u months\n", a->start_date,
                a->end_date[0] ? a->end_date : "(open-ended)",
                a->review_date[0] ? a->review_date : "(none stated)", a->notice_months);
    }
    if (a->exit_terms[0]) {
        fprintf(out, "exit        %s\n", a->exit_terms);
    }
    for (size_t i = 0; i < v->n_executions; i++) {
        const Concord__V1__Execution *x = v->executions[i];
        char *hex = x->document_sha256.len ? wire_hex(x->document_sha256.data,
                                                      x->document_sha256.len)
                                           : NULL;
        fprintf(out, "%-11s %s: %s, %s of %s", x->declined ? "declined" : "executed",
                i < v->n_acted_by ? v->acted_by[i] : "?", x->authority, x->decision_ref,
                x->decision_date);
        if (x->declined) {
            fprintf(out, "%s%s", x->reason[0] ? ": " : "", x->reason);
        } else {
            fprintf(out, "; signed by the %s; document SHA-256 %s", x->signatory_role,
                    hex ? hex : "?");
        }
        /* Signed by a person under a delegation (PROTOCOL.md 16.13). */
        fprintf(out, "%s%s\n", x->person[0] ? "; by person " : "", x->person);
        free(hex);
    }
    for (size_t i = 0; i < v->n_withdrawn; i++) {
        fprintf(out, "left out    %s, by a variation\n", v->withdrawn[i]);
    }
    if (a->n_hosts) {
        fprintf(out, "host        %s\n", a->hosts[0]);
    }
    for (size_t i = 0; i < a->n_partners; i++) {
        fprintf(out, "partner     %-10s %s\n", a->partners[i]->code,
                i < v->n_partner_names ? v->partner_names[i] : "?");
        for (size_t k = 0; k < a->partners[i]->n_contributions; k++) {
            const Concord__V1__Contribution *ct = a->partners[i]->contributions[k];
            fprintf(out, "              %s  %s (as agreed%s)\n",
                    money_year_name(ct->financial_year, yn, sizeof yn),
                    money_format(ct->amount_pence, money, sizeof money),
                    v->board_business ? "; its pledges are the board's business" : "");
        }
    }
    if (a->risk_share) {
        fprintf(
            out, "risk share  %s\n",
            cli_view_enum_name(&concord__v1__risk_share_basis__descriptor, a->risk_share->basis));
    }
    for (size_t i = 0; i < v->n_variations; i++) {
        const Concord__V1__PoolVariationView *vv = v->variations[i];
        fprintf(out, "variation   %s by %s: %s%s%s\n", vv->id, vv->proposer,
                vv->lapsed ? "LAPSED" : "PASSED", vv->missing[0] ? ": " : "", vv->missing);
    }
    for (size_t i = 0; i < v->n_refused; i++) {
        s_refusal(v->refused[i], out);
    }
}

static void s_bcf(const Concord__V1__BcfView *v, FILE *out)
{
    char money[MONEY_TEXT_MAX], yn[16], yl[16];
    fprintf(out, "plan        %s (version %s)\nhwb         %s", v->id, v->version, v->hwb);
    for (size_t i = 0; i < v->n_other_hwbs; i++) {
        fprintf(out, ", %s", v->other_hwbs[i]);
    }
    money_year_name(v->financial_year, yn, sizeof yn);
    if (v->last_year > v->financial_year) {
        fprintf(out, "; %s to %s", yn, money_year_name(v->last_year, yl, sizeof yl));
    } else {
        fprintf(out, "; %s", yn);
    }
    fprintf(out, "\npool        %s\ntotal       %s%s\n", v->pool_id,
            money_format(v->total_pence, money, sizeof money),
            v->last_year > v->financial_year ? " (first year)" : "");
    fprintf(out, "status      %s\n",
            strcmp(v->outcome, "approved") == 0 ? "APPROVED by NHS England"
            : strcmp(v->outcome, "approved-with-conditions") == 0
                ? "APPROVED WITH CONDITIONS by NHS England"
            : strcmp(v->outcome, "not-approved") == 0 ? "NOT APPROVED by NHS England"
            : v->approvable                            ? "awaiting NHS England's outcome"
                                                       : "awaiting sign-off");
    for (size_t i = 0; i < v->n_conditions; i++) {
        fprintf(out, "condition   %zu: %s (by %s): %s\n", i + 1, v->conditions[i]->text,
                v->conditions[i]->deadline,
                v->conditions[i]->met       ? "met"
                : v->conditions[i]->overdue ? "OVERDUE (not met by its deadline)"
                                            : "not yet met");
    }
    if (v->conditions_overdue) {
        fprintf(out, "overdue     %llu condition(s), judged on %s (the day of the latest event"
                     " folded)\n",
                (unsigned long long)v->conditions_overdue, v->judged_on);
    }
    if (v->escalation[0]) {
        fprintf(out, "escalated   %s\n", v->escalation);
    }
    if (v->missing[0]) {
        fprintf(out, "missing     %s\n", v->missing);
    }
    if (!v->full) {
        return;
    }
    fprintf(out, "streams     CCG minimum %s",
            money_format(v->ccg_minimum_pence, money, sizeof money));
    fprintf(out, ", DFG %s", money_format(v->dfg_pence, money, sizeof money));
    fprintf(out, " (%s to districts",
            money_format(v->dfg_to_districts_pence, money, sizeof money));
    if (v->dfg_county_keeps_pence) {
        fprintf(out, ", %s kept by the county by joint agreement",
                money_format(v->dfg_county_keeps_pence, money, sizeof money));
    }
    fprintf(out, "), iBCF %s", money_format(v->ibcf_pence, money, sizeof money));
    fprintf(out, ", additional %s\n", money_format(v->additional_pence, money, sizeof money));
    fprintf(out,
            "chain       HWB agreement %s; council sign-off %s; CCG sign-off %llu of %llu;"
            " NHS England's outcome %s\n",
            v->hwb_agreed ? "done" : "missing", v->council_signed ? "done" : "missing",
            (unsigned long long)v->ccgs_signed, (unsigned long long)v->ccgs,
            v->outcome[0] ? "given" : "missing");
    if (v->signed_by[0]) {
        fprintf(out, "signed      %s\n", v->signed_by);
    }
    for (size_t i = 0; i < v->n_refused; i++) {
        s_refusal(v->refused[i], out);
    }
}

static void s_pool_event(const Concord__V1__PoolEventReply *r, FILE *out)
{
    if (r->pool) {
        s_pool(r->pool, out);
    } else if (r->plan) {
        s_bcf(r->plan, out);
    }
}

static void s_pool_list(const Concord__V1__PoolListReply *r, FILE *out)
{
    for (size_t i = 0; i < r->n_pools; i++) {
        s_pool(r->pools[i], out);
    }
    for (size_t i = 0; i < r->n_plans; i++) {
        s_bcf(r->plans[i], out);
    }
    if (!r->n_pools && !r->n_plans) {
        fputs("(no pools yet)\n", out);
    }
}

static void s_statement(const Concord__V1__PoolStatementReply *r, FILE *out)
{
    pool_statement_t *s = malloc(sizeof *s);
    if (!s) {
        return;
    }
    cli_view_statement(r, s);
    size_t need = pool_statement_text(s, NULL, 0);
    char *text = malloc(need + 1);
    if (text) {
        pool_statement_text(s, text, need + 1);
        fputs(text, out);
        free(text);
    }
    /* Whether the host has signed the statement, and whether it matched. */
    if (s->signed_id[0]) {
        fprintf(out,
                "Signed by the host %s (statement %s, log %llu): it matches the"
                " statement computed by this node.\n",
                s->accountable, s->signed_id, (unsigned long long)s->signed_index);
        if (s->signed_person && s->signed_person[0]) {
            fprintf(out, "Signed for the host by its person %s under a delegation.\n",
                    s->signed_person);
        }
    } else if (s->has_outturn && r->refused_statement) {
        fprintf(out, "Not signed: the statement %s sent (log %llu) was refused: %s\n",
                r->refused_statement->sender, (unsigned long long)r->refused_statement->log_index,
                r->refused_statement->reason);
    } else if (s->rule) {
        fprintf(out, "Not yet signed by the host %s%s.\n", s->accountable,
                s->has_outturn ? "" : " (the year has no outturn yet)");
    }
    free(s);
}

static void s_rejections(const Concord__V1__PoolRejectionsReply *r, FILE *out)
{
    for (size_t i = 0; i < r->n_refused; i++) {
        const Concord__V1__Refusal *f = r->refused[i];
        fprintf(out, "log %llu %s %s %s: %s: %s\n", (unsigned long long)f->log_index, f->sender,
                f->method, f->subject, err_code_name((cc_code_t)f->code), f->reason);
    }
    if (!r->n_refused) {
        fputs("(no refused pool events)\n", out);
    }
}

int cli_render_text(const ProtobufCMessage *m, FILE *out)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
#define S_CASE(desc, fn, type)                                                                     \
    if (d == &desc) {                                                                              \
        fn((const type *)m, out);                                                                  \
        return 0;                                                                                  \
    }
    S_CASE(concord__v1__status_reply__descriptor, s_status, Concord__V1__StatusReply)
    S_CASE(concord__v1__ping_reply__descriptor, s_ping, Concord__V1__PingReply)
    S_CASE(concord__v1__ledger_reply__descriptor, s_ledger, Concord__V1__LedgerReply)
    S_CASE(concord__v1__log_verify_reply__descriptor, s_log_verify, Concord__V1__LogVerifyReply)
    S_CASE(concord__v1__roster_show_reply__descriptor, s_roster, Concord__V1__RosterShowReply)
    S_CASE(concord__v1__board_list_reply__descriptor, s_board_list, Concord__V1__BoardListReply)
    S_CASE(concord__v1__board_show_reply__descriptor, s_board_show, Concord__V1__BoardShowReply)
    S_CASE(concord__v1__proposal_view__descriptor, s_proposal, Concord__V1__ProposalView)
    S_CASE(concord__v1__proposal_list_reply__descriptor, s_proposal_list,
           Concord__V1__ProposalListReply)
    S_CASE(concord__v1__realignments_reply__descriptor, s_realignments,
           Concord__V1__RealignmentsReply)
    S_CASE(concord__v1__auto_vote_reply__descriptor, s_auto_vote, Concord__V1__AutoVoteReply)
    S_CASE(concord__v1__people_reply__descriptor, s_people, Concord__V1__PeopleReply)
    S_CASE(concord__v1__delegation_list_reply__descriptor, s_delegations,
           Concord__V1__DelegationListReply)
    S_CASE(concord__v1__pool_event_reply__descriptor, s_pool_event, Concord__V1__PoolEventReply)
    S_CASE(concord__v1__pool_list_reply__descriptor, s_pool_list, Concord__V1__PoolListReply)
    S_CASE(concord__v1__bcf_view__descriptor, s_bcf, Concord__V1__BcfView)
    S_CASE(concord__v1__pool_statement_reply__descriptor, s_statement,
           Concord__V1__PoolStatementReply)
    S_CASE(concord__v1__pool_rejections_reply__descriptor, s_rejections,
           Concord__V1__PoolRejectionsReply)
#undef S_CASE
    return -1;
}
