/* SPDX-License-Identifier: Apache-2.0 */
/* json: a small writer for the JSON that `--json` prints. Output is one
 * object or array built in a growing buffer; strings are escaped per RFC
 * 8259. Writers never fail midway: on allocation failure the buffer is
 * marked failed and json_take returns NULL. */
#ifndef CONCORD_JSON_H
#define CONCORD_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "text.h"

typedef struct {
    text_t text; /* growing (text.h); failed when memory ran out */
    int need_comma;
} json_t;

void json_init(json_t *j);
void json_obj_begin(json_t *j, const char *key);   /* key NULL inside arrays or at top */
void json_obj_end(json_t *j);
void json_arr_begin(json_t *j, const char *key);
void json_arr_end(json_t *j);
void json_str(json_t *j, const char *key, const char *value);   /* NULL value: null */
void json_u64(json_t *j, const char *key, uint64_t value);
void json_i64(json_t *j, const char *key, int64_t value);
void json_bool(json_t *j, const char *key, int value);
void json_double(json_t *j, const char *key, double value, int decimals);
void json_hex(json_t *j, const char *key, const uint8_t *data, size_t len);

/* Hands over the NUL-terminated text (caller frees); NULL if broken. The
 * writer is reset. */
char *json_take(json_t *j);
void json_free(json_t *j);

#endif
