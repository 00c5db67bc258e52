/* SPDX-License-Identifier: Apache-2.0 */
/* unit_fixture: see unit_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keys.h"
#include "unit_fixture.h"

roster_t *unit_roster(const char *federation, const char *const *codes,
                      const char *const *kinds, size_t n)
{
    keys_t *broker = keys_generate("broker", "Broker", "BROKER", NULL);
    roster_t *r = broker ? roster_new(federation, keys_public(broker), NULL) : NULL;
    keys_destroy(&broker);
    for (size_t i = 0; r && i < n; i++) {
        keys_t *k = keys_generate(codes[i], "Member organisation", kinds[i], NULL);
        if (!k || roster_add(r, keys_public(k), NULL) < 0) {
            roster_destroy(&r);
        }
        keys_destroy(&k);
    }
    return r;
}

unit_logged_t *unit_log_add(unit_log_t *log, const char *sender, const char *method,
                            const uint8_t *body, size_t len, const uint8_t call_id[16],
                            uint64_t log_index, uint64_t time_ms)
{
    unit_logged_t *grown = realloc(log->at, (log->n + 1) * sizeof *grown);
    assert_non_null(grown);
    log->at = grown;
    unit_logged_t *l = &log->at[log->n++];
    memset(l, 0, sizeof *l);
    l->sender = strdup(sender);
    l->method = strdup(method);
    l->body = malloc(len ? len : 1);
    assert_non_null(l->sender);
    assert_non_null(l->method);
    assert_non_null(l->body);
    memcpy(l->body, body, len);
    l->body_len = len;
    memcpy(l->call_id, call_id, 16);
    l->log_index = log_index;
    l->time_ms = time_ms;
    memcpy(l->hash, &l->log_index, sizeof l->log_index);
    l->hash[31] = 0xcc;
    return l;
}

fold_event_t unit_log_event(const unit_logged_t *l)
{
    return (fold_event_t){.sender = l->sender,
                          .log_index = l->log_index,
                          .time_ms = l->time_ms,
                          .call_id = l->call_id,
                          .hash = l->hash,
                          .method = l->method,
                          .body = l->body,
                          .body_len = l->body_len};
}

void unit_log_free(unit_log_t *log)
{
    for (size_t i = 0; i < log->n; i++) {
        free(log->at[i].sender);
        free(log->at[i].method);
        free(log->at[i].body);
    }
    free(log->at);
    log->at = NULL;
    log->n = 0;
}
