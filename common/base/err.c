/* SPDX-License-Identifier: Apache-2.0 */
/* err: status codes and error values with a reason. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const s_names[] = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
};

void err_set(cc_err_t *err, cc_code_t code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL) {
        return;
    }
    err->code = code;
    va_start(ap, fmt);
    /* A reason longer than the buffer is cut, never overflowed. */
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

void err_prefix(cc_err_t *err, const char *fmt, ...)
{
    char old[CC_ERR_MSG_MAX];
    size_t n;
    va_list ap;

    if (err == NULL) {
        return;
    }
    /* Format into msg directly, then append the saved reason, so the
     * prefix wins when the two together do not fit. */
    memcpy(old, err->msg, sizeof old);
    old[sizeof old - 1] = '\0';
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    n = strlen(err->msg);
    if (n < sizeof err->msg - 1) {
        snprintf(err->msg + n, sizeof err->msg - n, "%s", old);
    }
}

void err_clear(cc_err_t *err)
{
    if (err == NULL) {
        return;
    }
    err->code = CC_OK;
    err->msg[0] = '\0';
}

const char *err_code_name(cc_code_t code)
{
    if ((int)code < 0 || (size_t)code >= sizeof s_names / sizeof s_names[0]) {
        return "UNKNOWN";
    }
    return s_names[code];
}

int err_oom(cc_err_t *err)
{
    err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
    return -1;
}
