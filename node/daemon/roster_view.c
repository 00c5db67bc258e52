/* roster_view: the folded roster for the CLI. */
#include "roster_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static void s_org_json(json_t *j, const roster_org_t *o)
{
    json_str(j, "code", o->code);
    json_str(j, "name", o->name);
    json_str(j, "kind", o->kind);
    json_hex(j, "sign_key", o->sign_pk, KEYS_PK_LEN);
    json_hex(j, "transport_key", o->curve_pk, KEYS_PK_LEN);
}

/* "log N" for a bound, "genesis" for 0, "now" for ROSTER_NOW. */
static const char *s_pos(uint64_t index, char *buf, size_t size)
{
    if (index == 0) {
        return "genesis";
    }
    if (index == ROSTER_NOW) {
        return "now";
    }
    snprintf(buf, size, "log %llu", (unsigned long long)index);
    return buf;
}

static void s_current(const roster_t *r, control_text_t *t, json_t *j)
{
    json_arr_begin(j, "organisations");
    control_text_put(t, "%-12s %-20s %-8s %-12s %s\n", "code", "kind", "sign key", "since", "name");
    for (size_t i = 0; i < roster_count(r); i++) {
        roster_org_t o;
        char since[32];
        roster_at(r, i, &o);
        uint64_t from = roster_since(r, i);
        json_obj_begin(j, NULL);
        s_org_json(j, &o);
        json_u64(j, "since_log_index", from);
        json_obj_end(j);
        control_text_put(t, "%-12s %-20s %02x%02x%02x%02x %-12s %s\n", o.code, o.kind, o.sign_pk[0],
                         o.sign_pk[1], o.sign_pk[2], o.sign_pk[3], s_pos(from, since, sizeof since),
                         o.name);
    }
    json_arr_end(j);
}

static void s_past(const roster_t *r, control_text_t *t, json_t *j)
{
    json_arr_begin(j, "superseded");
    if (roster_past_count(r)) {
        control_text_put(t, "\nsuperseded (their signatures verify up to the log index shown):\n");
    }
    for (size_t i = 0; i < roster_past_count(r); i++) {
        roster_past_t p;
        char a[32], b[32];
        roster_past_at(r, i, &p);
        json_obj_begin(j, NULL);
        s_org_json(j, &p.org);
        json_u64(j, "from_log_index", p.from_index);
        json_u64(j, "until_log_index", p.until_index);
        json_str(j, "successor", p.successor[0] ? p.successor : NULL);
        json_obj_end(j);
        control_text_put(t, "%-12s %02x%02x%02x%02x %s to %s%s%s\n", p.org.code, p.org.sign_pk[0],
                         p.org.sign_pk[1], p.org.sign_pk[2], p.org.sign_pk[3],
                         s_pos(p.from_index, a, sizeof a), s_pos(p.until_index, b, sizeof b),
                         p.successor[0] ? ", merged into " : ", keys rotated", p.successor);
    }
    json_arr_end(j);
}

static void s_history(const roster_t *r, control_text_t *t, json_t *j)
{
    json_arr_begin(j, "history");
    control_text_put(t, "\nhistory:\n");
    if (!roster_change_count(r)) {
        control_text_put(t, "  (no changes since genesis)\n");
    }
    for (size_t i = 0; i < roster_change_count(r); i++) {
        roster_change_t ch;
        roster_change_at(r, i, &ch);
        json_obj_begin(j, NULL);
        json_u64(j, "after_log_index", ch.log_index);
        json_str(j, "change", ch.what);
        json_str(j, "organisation", ch.code);
        json_str(j, "predecessors", ch.predecessors);
        json_str(j, "decision", ch.decision);
        json_obj_end(j);
        if (strcmp(ch.what, "merge") == 0) {
            control_text_put(t, "  after log %llu: %s merged into %s (decision %.12s)\n",
                             (unsigned long long)ch.log_index, ch.predecessors, ch.code,
                             ch.decision);
        } else if (strcmp(ch.what, "admit") == 0) {
            control_text_put(t, "  after log %llu: %s admitted (decision %.12s)\n",
                             (unsigned long long)ch.log_index, ch.code, ch.decision);
        } else {
            control_text_put(t, "  after log %llu: %s rotated its keys (decision %.12s)\n",
                             (unsigned long long)ch.log_index, ch.code, ch.decision);
        }
    }
    json_arr_end(j);
}

void roster_view_reply(control_ctx_t *c, const uint8_t *id, size_t id_len)
{
    const roster_t *r = c->roster;
    control_text_t t = {0};
    json_t j;
    uint8_t hash[32];
    roster_hash(r, hash);
    char *hex = wire_hex(hash, 32);
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_str(&j, "federation", roster_federation(r));
    json_hex(&j, "genesis_hash", hash, 32);
    json_u64(&j, "changes", roster_change_count(r));
    control_text_put(&t, "federation   %s\ngenesis hash %s\nchanges      %zu since genesis\n\n",
                     roster_federation(r), hex ? hex : "?", roster_change_count(r));
    free(hex);
    s_current(r, &t, &j);
    s_past(r, &t, &j);
    s_history(r, &t, &j);
    json_obj_end(&j);
    control_reply_view(c, id, id_len, &t, &j);
}
