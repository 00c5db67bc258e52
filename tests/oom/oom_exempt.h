/* SPDX-License-Identifier: Apache-2.0 */
/* oom_exempt: force-included (-include) into the test sources of the oom build
 * (tests/oom/oom.c). The oom executables are linked with --wrap=malloc etc., which
 * would also make the tests' own allocations fail; a test that does not check its
 * own calloc would then crash in test code and be blamed on Concord. These macros
 * send the tests' own allocations straight to the C library (__real_malloc is the
 * linker's name for the unwrapped malloc), so only Concord's code sees failures. */
#ifndef CONCORD_OOM_EXEMPT_H
#define CONCORD_OOM_EXEMPT_H

/* Only <stddef.h> here: a test that defines _GNU_SOURCE before its own includes must
 * still be the first to include the C library's headers. The macros below are
 * function-like, so the C library's own declarations of malloc etc. become
 * declarations of __real_malloc etc., which is harmless. */
#include <stddef.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

#define malloc(n) __real_malloc(n)
#define calloc(n, size) __real_calloc(n, size)
#define realloc(p, n) __real_realloc(p, n)
#define strdup(s) __real_strdup(s)
#define strndup(s, n) __real_strndup(s, n)

#endif
