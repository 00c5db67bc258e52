/* SPDX-License-Identifier: Apache-2.0 */
/* cli_render_json: Control replies as compact JSON (jansson), one object
 * or array per reply, keys in the order documented in docs/CLI.md. */
#include "cli_render_json.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "board_names.h"
#include "cli_view.h"
#include "people.h"
#include "clock.h"
#include "err.h"
#include "text.h"
#include "wire.h"

#define S_WHEN 40

/* A JSON string of v. JSON is UTF-8 and jansson refuses anything else, so
 * text that is not (a title typed in another encoding, or bytes from a
 * hostile member) shows each byte that is not valid UTF-8 as U+FFFD. */
static json_t *s_string(const char *v)
{
    json_t *x = json_string(v);
    if (x) {
        return x;
    }
    text_t t;
    text_init(&t);
    text_add_utf8(&t, v);
    char *clean = text_take(&t);
    x = clean ? json_string(clean) : NULL;
    free(clean);
    return x;
}

/* Whether building the reply's JSON lost a value for want of memory: the
 * CLI renders one reply at a time, so one flag serves, reset by
 * cli_render_json. A reply with a value missing is not printed. */
static int s_lost;

/* Sets o[key] = v (taking v), or notes the loss when o or v is NULL or
 * the set fails. */
static void s_set(json_t *o, const char *key, json_t *v)
{
    if (!o || !v || json_object_set_new_nocheck(o, key, v) < 0) {
        s_lost = 1;
        if (!o) {
            json_decref(v);
        }
    }
}

/* Appends v (taking it) to a, or notes the loss. */
static void s_append(json_t *a, json_t *v)
{
    if (!a || !v || json_array_append_new(a, v) < 0) {
        s_lost = 1;
        if (!a) {
            json_decref(v);
        }
    }
}

/* Setters that tolerate a NULL object (memory ran out earlier: s_lost
 * says so). A NULL string is JSON null. */
static void s_str(json_t *o, const char *key, const char *v)
{
    s_set(o, key, v ? s_string(v) : json_null());
}

static void s_int(json_t *o, const char *key, long long v)
{
    s_set(o, key, json_integer(v));
}

static void s_bool(json_t *o, const char *key, int v)
{
    s_set(o, key, json_boolean(v));
}

static void s_hex(json_t *o, const char *key, ProtobufCBinaryData b)
{
    char *hex = b.len ? wire_hex(b.data, b.len) : NULL;
    s_str(o, key, hex);
    free(hex);
}

static void s_time(json_t *o, const char *key, uint64_t ms)
{
    char when[S_WHEN];
    s_str(o, key, clock_format(ms, when, sizeof when));
}

static json_t *s_status(const Concord__V1__StatusReply *r)
{
    json_t *o = json_object();
    s_str(o, "organisation", r->organisation);
    s_str(o, "federation", r->federation);
    s_int(o, "members", (long long)r->members);
    s_str(o, "broker", r->broker);
    s_bool(o, "connected", r->connected);
    s_bool(o, "serving", r->serving);
    s_bool(o, "delivery_lost", r->delivery_lost);
    if (r->holding && *r->holding) {
        s_str(o, "holding", r->holding);
    }
    if (r->log_missing) {
        s_int(o, "log_missing", (long long)r->log_missing);
    }
    if (r->ledger_max_mb) {
        s_int(o, "ledger_bytes", (long long)r->ledger_bytes);
        s_int(o, "ledger_max_mb", (long long)r->ledger_max_mb);
    }
    if (r->delivery_lost) {
        s_time(o, "delivery_lost_at", r->delivery_lost_ms);
    }
    s_int(o, "ledger_entries", (long long)r->ledger_entries);
    s_int(o, "sent", (long long)r->sent);
    s_int(o, "received", (long long)r->received);
    s_int(o, "rejected", (long long)r->rejected);
    s_int(o, "calls_waiting", (long long)r->calls_waiting);
    s_int(o, "unreceipted", (long long)r->unreceipted);
    s_time(o, "running_since", r->started_ms);
    s_int(o, "envelopes_verified", (long long)r->envelopes_verified);
    s_int(o, "tree_heads_verified", (long long)r->tree_heads_verified);
    return o;
}

static json_t *s_ping(const Concord__V1__PingReply *r)
{
    json_t *o = json_object();
    s_str(o, "target", r->target);
    s_str(o, "responder", r->responder);
    s_str(o, "serving", r->serving ? "SERVING" : "NOT_SERVING");
    s_set(o, "rtt_ms", json_real(round((double)r->rtt_us) / 1000.0));
    s_int(o, "retries", r->retries);
    s_int(o, "request_log_index", (long long)r->request_log_index);
    s_time(o, "request_receipt_time", r->request_time_ms);
    s_hex(o, "request_leaf_hash", r->request_leaf_hash);
    s_int(o, "reply_log_index", (long long)r->reply_log_index);
    s_int(o, "responder_ledger_entries", (long long)r->responder_ledger_entries);
    if (r->broker_role[0]) {
        s_str(o, "broker_role", r->broker_role);
        s_str(o, "broker_store", r->broker_store);
        s_int(o, "broker_epoch", (long long)r->broker_epoch);
    }
    return o;
}

static json_t *s_ledger(const Concord__V1__LedgerReply *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_entries; i++) {
        const Concord__V1__LedgerRow *e = r->entries[i];
        json_t *o = json_object();
        s_int(o, "id", e->id);
        s_str(o, "direction", e->inbound ? "in" : "out");
        s_str(o, "kind", cli_view_kind(e->kind));
        s_str(o, "method", e->method);
        s_str(o, "sender", e->sender);
        s_str(o, "recipient", e->recipient);
        s_int(o, "sequence", (long long)e->sequence);
        s_int(o, "log_index", (long long)e->log_index);
        s_hex(o, "hash", e->hash);
        s_time(o, "stored_at", e->stored_at_ms);
        s_append(a, o);
    }
    return a;
}

static json_t *s_log_verify(const Concord__V1__LogVerifyReply *r)
{
    json_t *o = json_object();
    s_bool(o, "verified", 1);
    s_int(o, "entries", (long long)r->entries);
    s_hex(o, "head_root_hash", r->head_root_hash);
    s_int(o, "receipts_checked", (long long)r->receipts_checked);
    s_int(o, "heads_checked", (long long)r->heads_checked);
    s_int(o, "missing", (long long)r->missing);
    s_int(o, "fetched", (long long)r->fetched);
    return o;
}

static json_t *s_org(const Concord__V1__RosterEntry *e)
{
    json_t *o = json_object();
    s_str(o, "code", e->code);
    s_str(o, "name", e->name);
    s_str(o, "kind", e->kind);
    s_hex(o, "sign_key", e->sign_key);
    s_hex(o, "transport_key", e->transport_key);
    return o;
}

static json_t *s_roster(const Concord__V1__RosterShowReply *r)
{
    json_t *o = json_object(), *cur = json_array(), *past = json_array(), *hist = json_array();
    s_str(o, "federation", r->federation);
    s_hex(o, "genesis_hash", r->genesis_hash);
    s_int(o, "changes", (long long)r->n_history);
    for (size_t i = 0; i < r->n_organisations; i++) {
        json_t *x = s_org(r->organisations[i]);
        s_int(x, "since_log_index", (long long)r->organisations[i]->since_log_index);
        s_append(cur, x);
    }
    for (size_t i = 0; i < r->n_superseded; i++) {
        const Concord__V1__RosterEntry *p = r->superseded[i];
        json_t *x = s_org(p);
        s_int(x, "from_log_index", (long long)p->from_log_index);
        s_int(x, "until_log_index", (long long)p->until_log_index);
        s_str(x, "successor", p->successor[0] ? p->successor : NULL);
        s_append(past, x);
    }
    for (size_t i = 0; i < r->n_history; i++) {
        const Concord__V1__RosterHistoryEntry *ch = r->history[i];
        json_t *x = json_object();
        s_int(x, "after_log_index", (long long)ch->after_log_index);
        s_str(x, "change", ch->change);
        s_str(x, "organisation", ch->organisation);
        s_str(x, "predecessors", ch->predecessors);
        s_str(x, "decision", ch->decision);
        s_append(hist, x);
    }
    s_set(o, "organisations", cur);
    s_set(o, "superseded", past);
    s_set(o, "history", hist);
    return o;
}

static json_t *s_board_list(const Concord__V1__BoardListReply *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_boards; i++) {
        const Concord__V1__BoardSummary *v = r->boards[i];
        json_t *o = json_object();
        s_str(o, "id", v->id);
        s_str(o, "name", v->name);
        s_bool(o, "active", v->active);
        s_int(o, "members", (long long)v->members);
        s_str(o, "rule", board_names_rule(v->rule));
        s_append(a, o);
    }
    return a;
}

static json_t *s_board_show(const Concord__V1__BoardShowReply *v)
{
    const Concord__V1__Charter *ch = v->charter;
    json_t *o = json_object(), *members = json_array(), *reserved = json_array();
    s_str(o, "id", v->id);
    s_str(o, "name", ch ? ch->name : "");
    s_bool(o, "active", v->active);
    s_str(o, "secretary", v->secretary);
    s_str(o, "adoption_proposal", v->adoption_proposal);
    if (ch) {
        s_str(o, "rule", board_names_rule(ch->rule));
        s_int(o, "qualified_numerator", ch->qualified_numerator);
        s_int(o, "qualified_denominator", ch->qualified_denominator);
        s_int(o, "quorum_numerator", ch->quorum_numerator);
        s_int(o, "quorum_denominator", ch->quorum_denominator);
        s_bool(o, "quorum_each_constituency", ch->quorum_each_constituency);
        s_str(o, "accountable_to", ch->accountable_to);
        for (size_t i = 0; i < ch->n_members; i++) {
            const Concord__V1__BoardMember *m = ch->members[i];
            json_t *x = json_object();
            s_str(x, "code", m->code);
            s_str(x, "name", i < v->n_member_names ? v->member_names[i] : "?");
            s_str(x, "constituency", board_names_constituency(m->constituency));
            s_int(x, "weight", (long long)m->weight);
            s_append(members, x);
        }
        for (size_t i = 0; i < ch->n_reserved; i++) {
            json_t *x = json_object();
            s_str(x, "area", board_names_area(ch->reserved[i]->area));
            s_str(x, "member", ch->reserved[i]->member);
            s_append(reserved, x);
        }
    }
    s_set(o, "members", members);
    s_set(o, "reserved", reserved);
    return o;
}

static json_t *s_refusal(const Concord__V1__Refusal *r, int with_subject);

static json_t *s_count(const Concord__V1__TallyCount *c)
{
    json_t *o = json_object();
    if (c && c->constituency) {
        s_str(o, "constituency", board_names_constituency(c->constituency));
    }
    s_int(o, "members", c ? c->members : 0);
    s_int(o, "voters", c ? c->voters : 0);
    s_int(o, "for", c ? c->votes_for : 0);
    s_int(o, "against", c ? c->votes_against : 0);
    s_int(o, "abstain", c ? c->abstentions : 0);
    return o;
}

/* The tally as data, as a certificate carries it: reasons are the
 * TallyReason names, lower-case with '-' ("not-quorate"). */
static json_t *s_tally(const Concord__V1__Tally *t)
{
    json_t *o = json_object(), *by = json_array(), *why = json_array(), *blocked = json_array();
    s_str(o, "rule", board_names_rule(t->rule));
    s_bool(o, "charter_adoption", t->charter_adoption);
    s_bool(o, "passed", t->passed);
    s_bool(o, "decided", t->decided);
    s_bool(o, "final", t->final);
    s_bool(o, "quorate", t->quorate);
    s_int(o, "quorum_numerator", t->quorum_numerator);
    s_int(o, "quorum_denominator", t->quorum_denominator);
    s_int(o, "quorum_needed", t->quorum_needed);
    s_bool(o, "quorum_each_constituency", t->quorum_each_constituency);
    if (t->qualified_denominator) {
        s_int(o, "qualified_numerator", t->qualified_numerator);
        s_int(o, "qualified_denominator", t->qualified_denominator);
    }
    s_set(o, "all", s_count(t->all));
    for (size_t i = 0; i < t->n_constituencies; i++) {
        s_append(by, s_count(t->constituencies[i]));
    }
    s_set(o, "constituencies", by);
    if (t->rule == CONCORD__V1__VOTING_RULE__WEIGHTED && !t->charter_adoption) {
        s_int(o, "weight_for", (long long)t->weight_for);
        s_int(o, "weight_against", (long long)t->weight_against);
        s_int(o, "weight_total", (long long)t->weight_total);
    }
    for (size_t i = 0; i < t->n_reasons; i++) {
        char name[48];
        snprintf(name, sizeof name, "%s",
                 cli_view_enum_name(&concord__v1__tally_reason__descriptor, t->reasons[i]));
        for (char *c = name; *c; c++) {
            *c = *c == '_' ? '-' : (char)tolower((unsigned char)*c);
        }
        s_append(why, json_string(name));
    }
    s_set(o, "reasons", why);
    for (size_t i = 0; i < t->n_blocked_by; i++) {
        s_append(blocked, s_string(t->blocked_by[i]));
    }
    s_set(o, "blocked_by", blocked);
    s_int(o, "yet_to_vote", t->yet_to_vote);
    /* People (PROTOCOL.md 16.13): only when there are any. */
    json_t *signers = json_array(), *excluded = json_array(), *declared = json_array();
    for (size_t i = 0; i < t->n_signers; i++) {
        json_t *x = json_object();
        s_str(x, "member", t->signers[i]->member);
        s_str(x, "person", t->signers[i]->person);
        s_str(x, "name", t->signers[i]->name);
        s_str(x, "role", t->signers[i]->role);
        s_append(signers, x);
    }
    if (t->n_signers) {
        s_set(o, "signers", signers);
    } else {
        json_decref(signers);
    }
    for (size_t i = 0; i < t->n_exclusions; i++) {
        json_t *x = json_object();
        s_str(x, "member", t->exclusions[i]->member);
        s_str(x, "person", t->exclusions[i]->person);
        s_str(x, "concerns", t->exclusions[i]->concerns);
        s_bool(x, "declared", t->exclusions[i]->declared);
        s_bool(x, "remains", t->exclusions[i]->remains);
        s_append(excluded, x);
    }
    if (t->n_exclusions) {
        s_set(o, "exclusions", excluded);
    } else {
        json_decref(excluded);
    }
    for (size_t i = 0; i < t->n_declarations; i++) {
        json_t *x = json_object();
        s_str(x, "member", t->declarations[i]->member);
        s_str(x, "person", t->declarations[i]->person);
        s_str(x, "kind", people_interest_name((int)t->declarations[i]->kind));
        s_str(x, "concerns", t->declarations[i]->concerns);
        s_str(x, "description", t->declarations[i]->description);
        s_append(declared, x);
    }
    if (t->n_declarations) {
        s_set(o, "declarations", declared);
    } else {
        json_decref(declared);
    }
    if (t->referred_to[0]) {
        s_str(o, "referred_to", t->referred_to);
    }
    return o;
}

static json_t *s_proposal_of(const Concord__V1__ProposalView *pv, int with_ballots)
{
    const Concord__V1__Proposal *p = pv->proposal;
    json_t *o = json_object();
    if (!p) {
        return o; /* the proposal could not be found again */
    }
    s_str(o, "id", pv->id);
    s_str(o, "board", pv->board_id);
    s_str(o, "title", p->title);
    s_str(o, "kind", board_names_kind(p->kind));
    s_str(o, "area", p->area ? board_names_area(p->area) : NULL);
    s_int(o, "amount_pence", p->amount_pence);
    s_str(o, "effective_date", p->effective_date);
    s_str(o, "proposer", pv->proposer);
    s_time(o, "submitted_at", pv->time_ms);
    s_time(o, "closes_at", p->closes_at_ms);
    s_str(o, "outcome", cli_view_outcome(pv));
    s_bool(o, "closed", pv->closed);
    s_bool(o, "decided", pv->decided);
    s_bool(o, "settled", pv->settled);
    s_bool(o, "voting_open", pv->voting_open);
    s_bool(o, "effective", pv->effective);
    s_bool(o, "called_in", pv->called_in);
    s_str(o, "meeting", pv->meeting_id[0] ? pv->meeting_id : NULL);
    if (p->key_decision_route) {
        s_str(o, "key_decision_route",
              p->key_decision_route == CONCORD__V1__KEY_DECISION_ROUTE__FORWARD_PLAN ? "forward-plan"
              : p->key_decision_route == CONCORD__V1__KEY_DECISION_ROUTE__GENERAL_EXCEPTION
                  ? "general-exception"
                  : "special-urgency");
        s_str(o, "key_decision_reason", p->key_decision_reason);
        s_str(o, "forward_plan_entry", p->forward_plan_entry);
    }
    if (p->exempt) {
        json_t *x = json_object();
        s_str(x, "reason", p->exempt->reason);
        s_str(x, "release_on", p->exempt->release_on);
        s_hex(x, "ciphertext_sha256", pv->exempt_ciphertext_hash);
        s_str(x, "access", pv->exempt_access == CONCORD__V1__EXEMPT_ACCESS__MEMBER     ? "member"
                           : pv->exempt_access == CONCORD__V1__EXEMPT_ACCESS__RELEASED ? "released"
                                                                                        : "sealed");
        if (pv->exempt_access == CONCORD__V1__EXEMPT_ACCESS__MEMBER ||
            pv->exempt_access == CONCORD__V1__EXEMPT_ACCESS__RELEASED) {
            s_str(x, "title", pv->exempt_title);
            s_str(x, "text", pv->exempt_text);
            s_str(x, "paper_name", pv->exempt_paper_name);
            s_hex(x, "paper_hex", pv->exempt_paper);
        }
        s_set(o, "exempt", x);
    }
    if (pv->ratifiers) {
        s_int(o, "ratifiers", pv->ratifiers);
        s_int(o, "ratified", pv->ratified);
        s_int(o, "declined", pv->declined);
        s_int(o, "lapsed", pv->lapsed);
        if (pv->ratify_by_ms) {
            s_time(o, "ratify_by", pv->ratify_by_ms);
        }
    }
    if (pv->effective_at_ms) {
        s_time(o, "effective_at", pv->effective_at_ms);
    }
    s_bool(o, "quorate", pv->quorate);
    s_int(o, "members", pv->members);
    s_int(o, "votes_for", pv->votes_for);
    s_int(o, "votes_against", pv->votes_against);
    s_int(o, "abstentions", pv->abstentions);
    s_str(o, "explanation", pv->explanation);
    if (pv->tally) {
        s_set(o, "tally", s_tally(pv->tally));
    }
    if (with_ballots) {
        json_t *a = json_array();
        for (size_t i = 0; i < pv->n_ballots; i++) {
            const Concord__V1__BallotView *bv = pv->ballots[i];
            json_t *x = json_object();
            s_str(x, "member", bv->member);
            if (bv->person[0]) {
                s_str(x, "person", bv->person);
            }
            s_str(x, "vote", board_names_vote(bv->vote));
            s_str(x, "reason", bv->reason);
            s_time(x, "received_at", bv->time_ms);
            s_int(x, "log_index", (long long)bv->log_index);
            s_append(a, x);
        }
        s_set(o, "ballots", a);
        /* Ballots the fold refused (a non-member's, a second, a late one),
         * as the text form lists them. */
        json_t *refused = json_array();
        for (size_t i = 0; i < pv->n_refused; i++) {
            s_append(refused, s_refusal(pv->refused[i], 0));
        }
        s_set(o, "refused", refused);
    }
    return o;
}

static json_t *s_proposal(const Concord__V1__ProposalView *pv)
{
    return s_proposal_of(pv, 1);
}

static json_t *s_proposal_list(const Concord__V1__ProposalListReply *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_proposals; i++) {
        s_append(a, s_proposal_of(r->proposals[i], 0));
    }
    return a;
}

static json_t *s_realignments(const Concord__V1__RealignmentsReply *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_realignments; i++) {
        const Concord__V1__RealignmentView *v = r->realignments[i];
        json_t *o = json_object();
        s_str(o, "organisation", v->organisation);
        s_str(o, "footprint", v->footprint);
        s_str(o, "board", v->board_id);
        s_str(o, "proposal", v->proposal_id);
        s_time(o, "decided_at", v->decided_at_ms);
        s_append(a, o);
    }
    return a;
}

static json_t *s_auto_vote(const Concord__V1__AutoVoteReply *p)
{
    json_t *o = json_object();
    s_bool(o, "auto_vote", p->auto_vote);
    s_str(o, "abstain_areas", p->abstain_areas);
    s_str(o, "against_areas", p->against_areas);
    s_int(o, "against_above", (long long)p->against_above_pence);
    s_int(o, "for_below", (long long)p->for_below_pence);
    return o;
}

static json_t *s_refusal(const Concord__V1__Refusal *r, int with_subject)
{
    json_t *o = json_object();
    s_str(o, "sender", r->sender);
    s_str(o, "method", r->method);
    if (with_subject) {
        s_str(o, "subject", r->subject);
    }
    s_int(o, "log_index", (long long)r->log_index);
    s_str(o, "code", err_code_name((cc_code_t)r->code));
    s_str(o, "reason", r->reason);
    return o;
}

static json_t *s_pool(const Concord__V1__PoolView *v)
{
    const Concord__V1__PoolAgreement *a = v->agreement;
    json_t *o = json_object(), *years = json_array(), *partners = json_array();
    if (!a) {
        return o;
    }
    s_str(o, "id", v->id);
    s_str(o, "name", a->name);
    s_str(o, "kind", cli_view_enum_name(&concord__v1__arrangement_kind__descriptor, a->kind));
    s_str(o, "agreement_id", v->agreement_id);
    s_str(o, "board", v->board_id);
    s_str(o, "proposer", v->proposer);
    s_str(o, "status", !v->executed_all ? "AWAITING_EXECUTION"
                         : !v->in_force ? "EXECUTED"
                       : v->board_business ? "IN_FORCE"
                       : v->active  ? "ACTIVE"
                                    : "AWAITING_PLEDGES");
    s_bool(o, "in_force", v->in_force);
    s_bool(o, "board_business", v->board_business);
    s_str(o, "instrument", v->instrument);
    s_int(o, "parties", v->parties);
    s_int(o, "executed", v->executed);
    s_str(o, "missing", v->missing);
    s_str(o, "start_date", a->start_date);
    s_str(o, "end_date", a->end_date);
    s_str(o, "review_date", a->review_date);
    if (v->full) {
        json_t *xs = json_array(), *out_ = json_array();
        for (size_t i = 0; i < v->n_executions; i++) {
            const Concord__V1__Execution *x = v->executions[i];
            json_t *j = json_object();
            s_str(j, "partner", i < v->n_acted_by ? v->acted_by[i] : NULL);
            s_bool(j, "declined", x->declined);
            s_str(j, "authority", x->authority);
            s_str(j, "decision_ref", x->decision_ref);
            s_str(j, "decision_date", x->decision_date);
            s_str(j, "signatory_role", x->signatory_role);
            s_str(j, "person", x->person);
            char *hex = x->document_sha256.len
                            ? wire_hex(x->document_sha256.data, x->document_sha256.len)
                            : NULL;
            s_str(j, "document_sha256", hex);
            free(hex);
            s_str(j, "reason", x->reason);
            json_array_append_new(xs, j);
        }
        for (size_t i = 0; i < v->n_withdrawn; i++) {
            json_array_append_new(out_, s_string(v->withdrawn[i]));
        }
        json_object_set_new_nocheck(o, "executions", xs);
        json_object_set_new_nocheck(o, "withdrawn", out_);
    }
    s_str(o, "host", a->n_hosts ? a->hosts[0] : NULL);
    for (size_t i = 0; i < v->n_years; i++) {
        s_append(years, json_integer(v->years[i]));
    }
    for (size_t i = 0; i < a->n_partners; i++) {
        s_append(partners, s_string(a->partners[i]->code));
    }
    s_set(o, "years", years);
    s_set(o, "partners", partners);
    if (!v->full) {
        return o;
    }
    json_t *vars = json_array(), *refused = json_array();
    for (size_t i = 0; i < v->n_variations; i++) {
        const Concord__V1__PoolVariationView *vv = v->variations[i];
        json_t *x = json_object();
        s_str(x, "id", vv->id);
        s_str(x, "proposer", vv->proposer);
        s_str(x, "status", vv->lapsed ? "LAPSED" : "PASSED");
        s_str(x, "missing", vv->missing);
        s_append(vars, x);
    }
    for (size_t i = 0; i < v->n_refused; i++) {
        s_append(refused, s_refusal(v->refused[i], 0));
    }
    s_set(o, "variations", vars);
    s_set(o, "refused", refused);
    return o;
}

static json_t *s_bcf(const Concord__V1__BcfView *v)
{
    json_t *o = json_object();
    s_str(o, "id", v->id);
    s_str(o, "version", v->version);
    s_str(o, "hwb", v->hwb);
    s_int(o, "financial_year", v->financial_year);
    if (v->full) {
        s_int(o, "ccg_minimum_pence", v->ccg_minimum_pence);
        s_int(o, "dfg_pence", v->dfg_pence);
        s_int(o, "dfg_to_districts_pence", v->dfg_to_districts_pence);
        s_int(o, "ibcf_pence", v->ibcf_pence);
        s_int(o, "additional_pence", v->additional_pence);
    }
    s_int(o, "total_pence", v->total_pence);
    s_bool(o, "hwb_agreed", v->hwb_agreed);
    s_bool(o, "council_signed", v->council_signed);
    s_int(o, "ccgs", (long long)v->ccgs);
    s_int(o, "ccgs_signed", (long long)v->ccgs_signed);
    s_bool(o, "approvable", v->approvable);
    s_bool(o, "approved", v->approved);
    s_str(o, "outcome", v->outcome);
    s_int(o, "last_year", v->last_year);
    s_str(o, "pool_id", v->pool_id);
    json_t *hwbs = json_array();
    for (size_t i = 0; i < v->n_other_hwbs; i++) {
        s_append(hwbs, json_string(v->other_hwbs[i]));
    }
    s_set(o, "other_hwbs", hwbs);
    json_t *conds = json_array();
    for (size_t i = 0; i < v->n_conditions; i++) {
        json_t *c = json_object();
        s_str(c, "text", v->conditions[i]->text);
        s_str(c, "deadline", v->conditions[i]->deadline);
        s_bool(c, "met", v->conditions[i]->met);
        s_bool(c, "overdue", v->conditions[i]->overdue);
        s_append(conds, c);
    }
    s_set(o, "conditions", conds);
    s_int(o, "conditions_met", (long long)v->conditions_met);
    s_int(o, "conditions_overdue", (long long)v->conditions_overdue);
    s_str(o, "judged_on", v->judged_on);
    s_str(o, "escalation", v->escalation);
    s_str(o, "missing", v->missing);
    if (v->full) {
        s_int(o, "dfg_county_keeps_pence", v->dfg_county_keeps_pence);
        s_str(o, "signed_by", v->signed_by);
        json_t *refused = json_array();
        for (size_t i = 0; i < v->n_refused; i++) {
            s_append(refused, s_refusal(v->refused[i], 0));
        }
        s_set(o, "refused", refused);
    }
    return o;
}

static json_t *s_pool_event(const Concord__V1__PoolEventReply *r)
{
    return r->pool ? s_pool(r->pool) : r->plan ? s_bcf(r->plan) : json_object();
}

static json_t *s_pool_list(const Concord__V1__PoolListReply *r)
{
    json_t *o = json_object(), *pools = json_array(), *plans = json_array();
    for (size_t i = 0; i < r->n_pools; i++) {
        s_append(pools, s_pool(r->pools[i]));
    }
    for (size_t i = 0; i < r->n_plans; i++) {
        s_append(plans, s_bcf(r->plans[i]));
    }
    s_set(o, "pools", pools);
    s_set(o, "bcf_plans", plans);
    return o;
}

static json_t *s_statement(const Concord__V1__PoolStatementReply *s)
{
    json_t *o = json_object(), *lines = json_array();
    s_str(o, "pool_id", s->pool_id);
    s_str(o, "name", s->name);
    s_str(o, "accountable", s->accountable);
    s_int(o, "financial_year", s->financial_year);
    s_int(o, "total_pence", s->total_pence);
    s_int(o, "pledged_total_pence", s->pledged_total_pence);
    s_bool(o, "complete", s->complete);
    s_bool(o, "has_outturn", s->has_outturn);
    if (s->has_outturn) {
        s_int(o, "outturn_pence", s->outturn_pence);
        s_int(o, "variance_pence", s->variance_pence);
    }
    /* Whether the host has signed the statement, and whether it matched. */
    s_bool(o, "host_signed", s->signed_statement_id[0] != '\0');
    s_str(o, "signed_statement_id", s->signed_statement_id[0] ? s->signed_statement_id : NULL);
    if (s->signed_statement_id[0]) {
        s_int(o, "signed_log_index", (long long)s->signed_log_index);
        s_str(o, "signed_person", s->signed_person[0] ? s->signed_person : NULL);
        s_bool(o, "signed_matches", 1);
    } else if (s->refused_statement) {
        s_str(o, "refused_statement", s->refused_statement->reason);
    }
    for (size_t i = 0; i < s->n_lines; i++) {
        const Concord__V1__StatementLineView *l = s->lines[i];
        json_t *x = json_object();
        s_str(x, "partner", l->partner);
        s_int(x, "contribution_pence", l->contribution_pence);
        s_int(x, "pledged_pence", l->pledged_pence);
        s_bool(x, "matches", l->matches);
        s_int(x, "variance_share_pence", l->share_pence);
        s_int(x, "net_pence", l->net_pence);
        if (l->split_by[0]) {
            json_t *succ = json_array();
            s_str(x, "split_by", l->split_by);
            for (size_t k = 0; k < l->n_successors; k++) {
                json_t *y = json_object();
                s_str(y, "successor", l->successors[k]->successor);
                s_int(y, "share_permille", l->successors[k]->share_permille);
                s_int(y, "owed_pence", l->successors[k]->owed_pence);
                s_int(y, "pledged_pence", l->successors[k]->pledged_pence);
                s_int(y, "variance_share_pence", l->successors[k]->variance_share_pence);
                s_append(succ, y);
            }
            s_set(x, "successors", succ);
        }
        s_append(lines, x);
    }
    s_set(o, "lines", lines);
    return o;
}

static json_t *s_rejections(const Concord__V1__PoolRejectionsReply *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_refused; i++) {
        s_append(a, s_refusal(r->refused[i], 1));
    }
    return a;
}

static json_t *s_certificate(const Concord__V1__CertificateReply *r)
{
    json_t *o = json_object();
    s_int(o, "bytes", (long long)r->certificate.len);
    return o;
}

static json_t *s_delegations(const Concord__V1__DelegationListReply *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_delegations; i++) {
        const Concord__V1__DelegationView *v = r->delegations[i];
        const Concord__V1__DelegationRecord *d = v->record;
        json_t *o = json_object();
        s_str(o, "organisation", d ? d->organisation : "");
        s_str(o, "line", board_names_line(d ? (int)d->line : 0));
        s_str(o, "from", d ? d->from_date : "");
        s_str(o, "level", board_names_level(d ? (int)d->level : 0));
        s_str(o, "agreement_ref", d ? d->agreement_ref : "");
        s_str(o, "signer", v->signer);
        s_str(o, "provision", v->provision);
        s_int(o, "log_index", v->log_index);
        s_time(o, "recorded_at", v->recorded_at_ms);
        if (v->carried_to[0]) {
            s_str(o, "carried_to", v->carried_to);
        }
        s_append(a, o);
    }
    return a;
}

static json_t *s_people(const Concord__V1__PeopleReply *r)
{
    json_t *top = json_object();
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_people; i++) {
        const Concord__V1__PersonView *v = r->people[i];
        const Concord__V1__Person *p = v->person;
        json_t *o = json_object();
        s_str(o, "organisation", v->organisation);
        s_str(o, "person", p ? p->person_id : "");
        s_str(o, "name", p ? p->name : "");
        s_str(o, "role", p ? p->role : "");
        json_object_set_new(o, "voting", json_boolean(p && p->voting));
        s_str(o, "deputy_for", p ? p->deputy_for : "");
        json_t *b = json_array();
        for (size_t k = 0; p && k < p->n_boards; k++) {
            s_append(b, json_string(p->boards[k]));
        }
        json_object_set_new(o, "boards", b);
        json_t *acts = json_array();
        for (size_t k = 0; p && k < p->n_acts; k++) {
            s_append(acts, json_string(people_act_name((int)p->acts[k])));
        }
        json_object_set_new(o, "acts", acts);
        s_str(o, "valid_from", p ? p->valid_from : "");
        s_str(o, "valid_to", p ? p->valid_to : "");
        json_object_set_new(o, "revoked", json_boolean(v->revoked));
        s_int(o, "log_index", v->log_index);
        s_append(a, o);
    }
    json_object_set_new(top, "people", a);
    json_t *in = json_array();
    for (size_t i = 0; i < r->n_interests; i++) {
        const Concord__V1__InterestView *v = r->interests[i];
        const Concord__V1__Interest *x = v->interest;
        json_t *o = json_object();
        s_str(o, "organisation", v->organisation);
        s_str(o, "person", x ? x->person_id : "");
        s_str(o, "name", v->name);
        s_str(o, "role", v->role);
        s_str(o, "kind", people_interest_name(x ? (int)x->kind : 0));
        s_str(o, "concerns", x ? x->concerns : "");
        s_str(o, "from", x ? x->from_date : "");
        s_str(o, "to", x ? x->to_date : "");
        s_str(o, "description", x ? x->description : "");
        s_int(o, "log_index", v->log_index);
        s_append(in, o);
    }
    json_object_set_new(top, "interests", in);
    return top;
}

/* The JSON value of a reply; NULL for a type without one. */
static json_t *s_value(const ProtobufCMessage *m)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
#define S_CASE(desc, fn, type)                                                                     \
    if (d == &desc) {                                                                              \
        return fn((const type *)m);                                                                \
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
    S_CASE(concord__v1__certificate_reply__descriptor, s_certificate, Concord__V1__CertificateReply)
#undef S_CASE
    return NULL;
}

int cli_render_json(const ProtobufCMessage *reply, FILE *out)
{
    s_lost = 0;
    json_t *v = s_value(reply);
    char *text = v && !s_lost
                     ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
                     : NULL;
    json_decref(v);
    if (!text) {
        return -1;
    }
    fprintf(out, "%s\n", text);
    free(text);
    return 0;
}
