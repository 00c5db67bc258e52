/* roster_priv: the inside of a roster, shared by roster.c (the genesis
 * file, its signatures, lookups) and roster_change.c (the changes boards
 * decide later). No other module includes it. */
#ifndef CONCORD_ROSTER_PRIV_H
#define CONCORD_ROSTER_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "roster.h"

/* 4096 members at a few hundred bytes each, plus their signatures. */
#define ROSTER_FILE_MAX (4u * 1024u * 1024u)
#define ROSTER_FEDERATION_MAX 128
#define ROSTER_PREDECESSORS_MAX 64

/* One organisation with one set of keys, and the stretch of the log in
 * which those keys sign: envelopes at log index L with
 * from_index < L <= until_index. */
typedef struct {
    keys_public_t pub; /* pub.kind holds the OrgKind name */
    int kind;          /* the OrgKind value */
    char **preds;      /* codes of merged predecessors, kept so a repack loses nothing */
    size_t npreds;
    uint64_t from_index;  /* 0 for the genesis roster */
    uint64_t until_index; /* ROSTER_NOW while current */
    int genesis;          /* listed in the signed genesis roster */
    char successor[KEYS_CODE_MAX + 1]; /* merged into this organisation; "" if not */
} roster_entry_t;

typedef struct {
    char code[KEYS_CODE_MAX + 1];
    uint8_t sig[KEYS_SIG_LEN];
} roster_sig_t;

/* One change as `roster show` lists it. */
typedef struct {
    uint64_t log_index;
    char what[8];
    char code[KEYS_CODE_MAX + 1];
    char preds[ROSTER_PREDECESSORS_MAX * (KEYS_CODE_MAX + 1) + 1];
    char decision[40];
} roster_event_t;

struct roster {
    char federation[ROSTER_FEDERATION_MAX + 1];
    uint64_t created_at_ms;
    keys_public_t broker;
    roster_entry_t *orgs; /* current members, genesis order then admissions */
    size_t norgs;
    roster_sig_t *sigs;
    size_t nsigs;
    /* The packed Roster bytes that signatures cover: those read from the
     * file, or frozen at the first signature. NULL while a draft is being
     * edited. Invariant: nsigs > 0 implies raw != NULL. */
    uint8_t *raw;
    size_t raw_len;
    roster_entry_t *past; /* superseded: rotated keys, merged organisations */
    size_t npast;
    roster_event_t *events; /* changes in the order they took effect */
    size_t nevents;
};

/* Checks a would-be member against the current ones (code, name, kind,
 * keys distinct from every member's and the broker's) and appends it as
 * a genesis entry, taking ownership of preds (freed here on failure).
 * Returns 0 or -1 with err set. */
int roster_append(roster_t *r, const keys_public_t *pub, char **preds, size_t npreds,
                  cc_err_t *err);

/* The OrgKind value of a kind name ("CCG", ...), or 0 if unknown. */
int roster_kind_value(const char *name);

/* Free text that ends up in logs and on screens (what names it): 1..max
 * bytes, no control characters. Returns 0 or -1 with INVALID_ARGUMENT. */
int roster_text_check(const char *what, const char *s, size_t max, cc_err_t *err);

/* Frees an entry's predecessor list. */
void roster_entry_clear(roster_entry_t *e);

#endif
