/* SPDX-License-Identifier: Apache-2.0 */
/* err: status codes with gRPC's meanings, and an error value that carries
 * a code and a human-readable reason.
 *
 * Convention across Concord: a function that can fail on input from the
 * network, a file or a user returns 0 on success and -1 on failure, and
 * fills the caller's cc_err_t (which may be NULL when the caller does not
 * care why). Programming errors are asserts, never error codes. */
#ifndef CONCORD_ERR_H
#define CONCORD_ERR_H

#include <stddef.h>

typedef enum {
    CC_OK = 0,
    CC_CANCELLED = 1,
    CC_UNKNOWN = 2,
    CC_INVALID_ARGUMENT = 3,
    CC_DEADLINE_EXCEEDED = 4,
    CC_NOT_FOUND = 5,
    CC_ALREADY_EXISTS = 6,
    CC_PERMISSION_DENIED = 7,
    CC_RESOURCE_EXHAUSTED = 8,
    CC_FAILED_PRECONDITION = 9,
    CC_ABORTED = 10,
    CC_OUT_OF_RANGE = 11,
    CC_UNIMPLEMENTED = 12,
    CC_INTERNAL = 13,
    CC_UNAVAILABLE = 14,
    CC_DATA_LOSS = 15,
    CC_UNAUTHENTICATED = 16,
} cc_code_t;

#define CC_ERR_MSG_MAX 512

typedef struct {
    cc_code_t code;
    char msg[CC_ERR_MSG_MAX];
} cc_err_t;

/* Sets code and a printf-formatted reason. Safe with err == NULL. */
void err_set(cc_err_t *err, cc_code_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing reason with a printf-formatted context, keeping
 * the code: "reading roster.bin: " + "truncated". Safe with NULL. */
void err_prefix(cc_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets RESOURCE_EXHAUSTED "out of memory"; returns -1, so that a caller
 * can `return err_oom(err);`. Safe with NULL. */
int err_oom(cc_err_t *err);

/* Clears to CC_OK with an empty reason. Safe with NULL. */
void err_clear(cc_err_t *err);

/* The canonical upper-case name ("DEADLINE_EXCEEDED"); "UNKNOWN" for values
 * outside 0..16. Never NULL; static storage. */
const char *err_code_name(cc_code_t code);

#endif
