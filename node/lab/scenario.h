/* SPDX-License-Identifier: Apache-2.0 */
/* scenario: the file that describes a multi-partner agreement to rehearse
 * on a federation (docs/SCENARIOS.md): which federation, each node's
 * automatic voting policy, and steps in order: a board adopted, proposals
 * made and voted on, a pooled fund agreed and pledged, a Better Care Fund
 * plan signed off, each with its expected outcome.
 *
 * The file is INI. Sections: [scenario], [federation], [policy CODE] or
 * [policy *], then steps [board], [propose], [vote], [pool],
 * [executions], [vary], [pledges], [bcf] in the order they run. Every key is checked here (known key,
 * value of the right form, required keys present, references to earlier
 * proposals by name), so a run never stops half-way on a typing
 * mistake; whether an organisation belongs to the federation is checked
 * by the runner, which knows it. Errors name file, line and problem. */
#ifndef CONCORD_SCENARIO_H
#define CONCORD_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef enum {
    SCENARIO_META = 0, /* [scenario] */
    SCENARIO_FEDERATION,
    SCENARIO_POLICY,
    SCENARIO_BOARD,
    SCENARIO_PROPOSE,
    SCENARIO_VOTE,
    SCENARIO_POOL,
    SCENARIO_PLEDGES,
    SCENARIO_BCF,
    SCENARIO_EXECUTIONS, /* [executions]: each partner executes or declines a pool */
    SCENARIO_VARY,       /* [vary]: a pool variation, such as leaving out a partner */
    SCENARIO_KINDS
} scenario_kind_t;

typedef struct {
    char *key;
    char *value;
    int line;
} scenario_kv_t;

typedef struct {
    scenario_kind_t kind;
    char *arg; /* [policy ARG]; "" otherwise */
    int line;
    scenario_kv_t *kv;
    size_t n_kv;
} scenario_section_t;

typedef struct scenario scenario_t;

/* Parses and checks path. Returns the scenario (caller owns;
 * scenario_destroy) or NULL with CC_INVALID_ARGUMENT (CC_NOT_FOUND for a
 * missing file) and "FILE:LINE: problem". */
scenario_t *scenario_load(const char *path, cc_err_t *err);
void scenario_destroy(scenario_t **s);

/* The file as given, and its directory (for files it names). */
const char *scenario_path(const scenario_t *s);
const char *scenario_dir(const scenario_t *s);

/* Sections in file order; i < scenario_count. */
size_t scenario_count(const scenario_t *s);
const scenario_section_t *scenario_at(const scenario_t *s, size_t i);

/* The first section of a kind, or NULL. */
const scenario_section_t *scenario_find(const scenario_t *s, scenario_kind_t kind);

/* The value of key in a section, or NULL. */
const char *scenario_get(const scenario_section_t *sec, const char *key);

/* "board", "propose", ...: the section's name. */
const char *scenario_kind_name(scenario_kind_t kind);

/* The policy section for code: [policy CODE] if any, else [policy *],
 * else NULL (manual voting). */
const scenario_section_t *scenario_policy(const scenario_t *s, const char *code);

/* How long the runner waits for any one thing ([scenario] timeout,
 * default 2 minutes), in milliseconds. */
uint64_t scenario_timeout_ms(const scenario_t *s);

#endif
