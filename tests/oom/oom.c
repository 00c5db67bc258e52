/* SPDX-License-Identifier: Apache-2.0 */
/* oom: the allocation-failure run (SQLite's discipline) over the cmocka unit tests.
 *
 * Each unit test executable <unit> is linked a second time as oom_<unit> with this
 * file and the linker's --wrap for malloc, calloc, realloc, strdup, strndup, err_set,
 * err_oom, protobuf_c_message_unpack, _cmocka_run_group_tests, _skip and cmocka's
 * assertions (tests/oom/oom.cmake). The normal <unit> executables and the daemons are
 * untouched. docs/TESTING.md says how to run it and read its report.
 *
 * What fails: every allocation made by Concord's own objects (the wrapped calls), by
 * SQLite (routed here with SQLITE_CONFIG_MALLOC before it initialises) and by
 * protobuf-c while unpacking (the wrapper hands it a counting ProtobufCAllocator when
 * Concord passes none). The tests' own allocations are exempt (oom_exempt.h).
 * libzmq, libsodium and libinih allocate on their own and are never failed.
 *
 * How: the wrapped _cmocka_run_group_tests runs each test case in forked children,
 * never in cmocka's runner. Per case:
 *   1. a counting child runs the case (group setup, case setup, test, teardowns) with
 *      nothing failed and records, for every allocation from the case setup to the
 *      end of the test, a signature of the call site: the first three frames of its
 *      stack inside the executable, outside this file;
 *   2. for N = the first allocation of each distinct site (or every N from 1 with
 *      CONCORD_OOM_ALL=1), a child runs the case again with allocation N refused
 *      (one-shot: N+1 and later succeed).
 * A child is judged by how it ends:
 *   passed    exit 0: the code coped (the test still passed);
 *   clean     exit 255 (a cmocka assertion outside cmocka's runner calls exit(-1), or
 *             the case setup failed) after the refusal, and Concord reported an error
 *             (err_set/err_oom) after it: RESOURCE_EXHAUSTED, or another code, which
 *             the report counts apart as "other code";
 *   NULL      exit 255 after the refusal with no error reported, at an
 *             assert_true/assert_non_null: a constructor without a cc_err_t
 *             (replay_new, pool_engine_new, json_take ...) said no with NULL;
 *   silent    exit 255 after the refusal with no error reported, at any other
 *             assertion: an API without a cc_err_t returned -1 or a wrong value
 *             (replay_commit, ledger_count ...), or the failure was swallowed;
 *   crash     any other end: a signal, an AddressSanitizer/UBSan report, a leak;
 *   flaky     exit 255 although nothing was refused (the run was not deterministic).
 * Leaks: LeakSanitizer runs at the child's exit. When an assertion fails, exit() is
 * called from inside the assertion, so the test function's frames (and the pointers
 * it holds to what it allocated) are still on the stack and are scanned as live; an
 * atexit handler runs the case's and the group's teardowns first. What LSan reports
 * is memory nothing points to: a leak on Concord's error path, not the test's locals.
 * The oom test fails on any crash (its exit status is the number of cases with one);
 * silent children are listed with the assertion they stopped at, and fail the test
 * only with CONCORD_OOM_STRICT=1, since some APIs have no error to report through.
 *
 * Knobs (environment): CONCORD_OOM_CASE=<substring of a case name> runs matching
 * cases only; CONCORD_OOM_ALL=1 fails every N from 1 until the case passes (the full
 * discipline; slow); CONCORD_OOM_MAX_SITES=<k> caps the sites per case (default 400,
 * spread evenly when a case has more; s_limited lowers it for slow binaries);
 * CONCORD_OOM_VERBOSE=1 prints every child; CONCORD_OOM_STRICT=1 fails on silent. */
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <protobuf-c/protobuf-c.h>
#include <sqlite3.h>

#include "err.h"

/* Functions in an allocation's stack that belong to this file, so that a site's
 * signature names Concord's frames, not ours. */
#define OOM_TEXT __attribute__((section("concord_oom_text"), noinline))
extern char __start_concord_oom_text[], __stop_concord_oom_text[];
extern char __executable_start[], etext[];
/* glibc's; declared here since the forced include set the feature macros first. */
extern char *program_invocation_short_name;

/* Cases that are not covered, with the reason (none so far). */
static const struct {
    const char *test;
    const char *reason;
} s_not_covered[] = {
    {NULL, NULL},
};

/* Binaries whose cases are covered at fewer sites than the default, with the reason:
 * the whole run must fit in about three minutes of a two-core machine under ASan. */
static const struct {
    const char *binary;
    size_t max_sites;
    const char *reason;
} s_limited[] = {
    {"oom_test_rpc", 10,
     "a refused allocation in the RPC path is mostly seen by the test as a deadline, "
     "so each refusal costs about a second"},
    {"oom_test_engine", 24,
     "a refusal in a wait is seen as the wait's deadline, half a second each"},
    {"oom_test_control", 12,
     "each refusal starts and stops a node in-process and waits out its reply, "
     "about a second each"},
};

/* Binaries whose group setup builds only memory (keys, a roster, the ONS lookups):
 * it runs once in the runner and every child inherits its state, instead of once
 * per child. The others (temporary directories that a case fills) set up per child,
 * so that no child sees the files of the one before. */
static const char *const s_setup_once[] = {"oom_test_board", "oom_test_envelope",
                                           "oom_test_federation", "oom_test_geo", "oom_test_pool"};

/* UBSan's report without a stack does not say which caller passed the NULL. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "print_stacktrace=1";
}

#define OOM_MAX_RECORDED (1u << 20)
#define OOM_EXIT_FAILED 255
#define OOM_CHILD_SECONDS 60
#define OOM_EXIT_GROUP_SETUP 254
#define OOM_EXIT_SKIPPED 253

/* Shared between the runner and its children (MAP_SHARED). */
typedef struct {
    uint64_t count;    /* allocations since armed */
    uint64_t injected; /* the allocation number refused, 0 if none yet */
    uint64_t errors;   /* errors reported after the refusal */
    uint64_t exhausted;
    int first_code;
    char first_msg[160];
    const char *assert_file; /* the last cmocka assertion the test made (a string */
    int assert_line;         /* literal, at the same address in the runner) */
    int assert_truth;        /* it was assert_true/assert_non_null */
    uint64_t recorded;       /* signatures recorded in the counting run */
    uint64_t sig[OOM_MAX_RECORDED];
} oom_shared_t;

static oom_shared_t *s_sh;
static int s_armed;        /* in a child, between case setup and the end of the test */
static uint64_t s_fail_at; /* 0: count only, recording signatures */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
void __real_err_set(cc_err_t *err, cc_code_t code, const char *fmt, ...);
void __wrap_err_set(cc_err_t *err, cc_code_t code, const char *fmt, ...);
int __real_err_oom(cc_err_t *err);
int __wrap_err_oom(cc_err_t *err);
ProtobufCMessage *__real_protobuf_c_message_unpack(const ProtobufCMessageDescriptor *d,
                                                   ProtobufCAllocator *a, size_t len,
                                                   const uint8_t *data);
ProtobufCMessage *__wrap_protobuf_c_message_unpack(const ProtobufCMessageDescriptor *d,
                                                   ProtobufCAllocator *a, size_t len,
                                                   const uint8_t *data);
int __wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *tests, size_t n,
                                   CMFixtureFunction group_setup, CMFixtureFunction group_teardown);
void __real__skip(const char *file, int line);
void __real__assert_true(const LargestIntegralType result, const char *const expression,
                         const char *const file, const int line);
void __wrap__assert_true(const LargestIntegralType result, const char *const expression,
                         const char *const file, const int line);
void __real__assert_int_equal(const LargestIntegralType a, const LargestIntegralType b,
                              const char *const file, const int line);
void __wrap__assert_int_equal(const LargestIntegralType a, const LargestIntegralType b,
                              const char *const file, const int line);
void __real__assert_int_not_equal(const LargestIntegralType a, const LargestIntegralType b,
                                  const char *const file, const int line);
void __wrap__assert_int_not_equal(const LargestIntegralType a, const LargestIntegralType b,
                                  const char *const file, const int line);
void __real__assert_string_equal(const char *const a, const char *const b, const char *const file,
                                 const int line);
void __wrap__assert_string_equal(const char *const a, const char *const b, const char *const file,
                                 const int line);
void __real__assert_memory_equal(const void *const a, const void *const b, const size_t size,
                                 const char *const file, const int line);
void __wrap__assert_memory_equal(const void *const a, const void *const b, const size_t size,
                                 const char *const file, const int line);
void __real__assert_memory_not_equal(const void *const a, const void *const b, const size_t size,
                                     const char *const file, const int line);
void __wrap__assert_memory_not_equal(const void *const a, const void *const b, const size_t size,
                                     const char *const file, const int line);
void __real__fail(const char *const file, const int line);
void __wrap__fail(const char *const file, const int line);
void __wrap__skip(const char *file, int line);

static int s_in_exe(void *pc)
{
    char *p = pc;
    if (p >= __start_concord_oom_text && p < __stop_concord_oom_text) {
        return 0;
    }
    return p >= __executable_start && p < etext;
}

/* The call site of the allocation being made: a hash of the first three frames of
 * the stack inside the executable (Concord's code), outside this file. */
OOM_TEXT static uint64_t s_signature(void)
{
    void *frames[32];
    int n = backtrace(frames, 32);
    uint64_t h = 1469598103934665603ull;
    int used = 0;
    for (int i = 0; i < n && used < 3; i++) {
        if (!s_in_exe(frames[i])) {
            continue;
        }
        uintptr_t pc = (uintptr_t)frames[i];
        for (size_t b = 0; b < sizeof pc; b++) {
            h = (h ^ ((pc >> (8 * b)) & 0xff)) * 1099511628211ull;
        }
        used++;
    }
    return h;
}

/* 1 if this allocation is to be refused. */
OOM_TEXT static int s_refuse(void)
{
    if (!s_armed) {
        return 0;
    }
    /* Atomic: the node's tests allocate from more than one thread. */
    uint64_t k = __atomic_add_fetch(&s_sh->count, 1, __ATOMIC_RELAXED);
    if (s_fail_at == 0) {
        if (k <= OOM_MAX_RECORDED) {
            s_sh->sig[k - 1] = s_signature();
            s_sh->recorded = k;
        }
        return 0;
    }
    if (k == s_fail_at) {
        s_sh->injected = k;
        return 1;
    }
    return 0;
}

OOM_TEXT void *__wrap_malloc(size_t n)
{
    return s_refuse() ? (errno = ENOMEM, NULL) : __real_malloc(n);
}

OOM_TEXT void *__wrap_calloc(size_t n, size_t size)
{
    return s_refuse() ? (errno = ENOMEM, NULL) : __real_calloc(n, size);
}

OOM_TEXT void *__wrap_realloc(void *p, size_t n)
{
    return s_refuse() ? (errno = ENOMEM, NULL) : __real_realloc(p, n);
}

OOM_TEXT char *__wrap_strdup(const char *s)
{
    return s_refuse() ? (errno = ENOMEM, NULL) : __real_strdup(s);
}

OOM_TEXT char *__wrap_strndup(const char *s, size_t n)
{
    return s_refuse() ? (errno = ENOMEM, NULL) : __real_strndup(s, n);
}

static void s_note_error(cc_code_t code, const char *msg)
{
    if (!s_armed || s_sh->injected == 0) {
        return;
    }
    if (s_sh->errors++ == 0) {
        s_sh->first_code = (int)code;
        snprintf(s_sh->first_msg, sizeof s_sh->first_msg, "%s", msg);
    }
    if (code == CC_RESOURCE_EXHAUSTED) {
        s_sh->exhausted++;
    }
}

void __wrap_err_set(cc_err_t *err, cc_code_t code, const char *fmt, ...)
{
    char msg[CC_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s_note_error(code, msg);
    __real_err_set(err, code, "%s", msg);
}

int __wrap_err_oom(cc_err_t *err)
{
    s_note_error(CC_RESOURCE_EXHAUSTED, "out of memory");
    return __real_err_oom(err);
}

/* protobuf-c: Concord passes no allocator, so unpacking would use libprotobuf-c's
 * own malloc; this one counts. Its free is free(), as the default allocator's, so
 * protobuf_c_message_free_unpacked(msg, NULL) releases what it returns. */
OOM_TEXT static void *s_pb_alloc(void *data, size_t n)
{
    (void)data;
    return s_refuse() ? NULL : __real_malloc(n);
}

static void s_pb_free(void *data, void *p)
{
    (void)data;
    free(p);
}

static ProtobufCAllocator s_pb_allocator = {s_pb_alloc, s_pb_free, NULL};

OOM_TEXT ProtobufCMessage *__wrap_protobuf_c_message_unpack(const ProtobufCMessageDescriptor *d,
                                                            ProtobufCAllocator *a, size_t len,
                                                            const uint8_t *data)
{
    return __real_protobuf_c_message_unpack(d, a != NULL ? a : &s_pb_allocator, len, data);
}

/* SQLite's allocator, counted. Each block carries its size in front (8 bytes keep
 * the alignment SQLite needs). */
OOM_TEXT static void *s_sq_malloc(int n)
{
    if (s_refuse()) {
        return NULL;
    }
    uint64_t *p = __real_malloc((size_t)n + 8);
    if (p == NULL) {
        return NULL;
    }
    p[0] = (uint64_t)n;
    return p + 1;
}

static void s_sq_free(void *p)
{
    if (p != NULL) {
        free((uint64_t *)p - 1);
    }
}

OOM_TEXT static void *s_sq_realloc(void *p, int n)
{
    if (s_refuse()) {
        return NULL;
    }
    uint64_t *q = __real_realloc((uint64_t *)p - 1, (size_t)n + 8);
    if (q == NULL) {
        return NULL;
    }
    q[0] = (uint64_t)n;
    return q + 1;
}

static int s_sq_size(void *p)
{
    return p == NULL ? 0 : (int)((uint64_t *)p)[-1];
}

static int s_sq_roundup(int n)
{
    return (n + 7) & ~7;
}

static int s_sq_init(void *data)
{
    (void)data;
    return SQLITE_OK;
}

static void s_sq_shutdown(void *data)
{
    (void)data;
}

/* jansson (linked by the CLI's renderers only): its allocations, counted, when this
 * executable has it (a weak reference is NULL otherwise). Its blocks are freed with
 * free(), as its default's. */
void json_set_alloc_funcs(void *(*malloc_fn)(size_t), void (*free_fn)(void *))
    __attribute__((weak));

OOM_TEXT static void *s_json_malloc(size_t n)
{
    return s_refuse() ? NULL : __real_malloc(n);
}

__attribute__((constructor)) static void s_sqlite_route(void)
{
    if (json_set_alloc_funcs != NULL) {
        json_set_alloc_funcs(s_json_malloc, free);
    }
    static const sqlite3_mem_methods m = {s_sq_malloc,  s_sq_free, s_sq_realloc,  s_sq_size,
                                          s_sq_roundup, s_sq_init, s_sq_shutdown, NULL};
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK) {
        fprintf(stderr, "[oom] SQLITE_CONFIG_MALLOC refused: SQLite allocations not failed\n");
    }
}

/* ---- which assertion a failed case stopped at ---- */

static void s_note_assert(const char *file, int line, int truth)
{
    if (s_sh != NULL && s_armed) {
        s_sh->assert_file = file;
        s_sh->assert_line = line;
        s_sh->assert_truth = truth;
    }
}

void __wrap__assert_true(const LargestIntegralType result, const char *const expression,
                         const char *const file, const int line)
{
    s_note_assert(file, line, 1);
    __real__assert_true(result, expression, file, line);
}

void __wrap__assert_int_equal(const LargestIntegralType a, const LargestIntegralType b,
                              const char *const file, const int line)
{
    s_note_assert(file, line, 0);
    __real__assert_int_equal(a, b, file, line);
}

void __wrap__assert_int_not_equal(const LargestIntegralType a, const LargestIntegralType b,
                                  const char *const file, const int line)
{
    s_note_assert(file, line, 0);
    __real__assert_int_not_equal(a, b, file, line);
}

/* cmocka 1.1's string and memory assertions read through a NULL: one is a failure. */
void __wrap__assert_string_equal(const char *const a, const char *const b, const char *const file,
                                 const int line)
{
    s_note_assert(file, line, 0);
    if ((a == NULL || b == NULL) && a != b) {
        fprintf(stderr, "%s:%d: error: a string is NULL\n", file, line);
        __real__fail(file, line);
    }
    if (a != NULL && b != NULL && strcmp(a, b) != 0) {
        /* cmocka keeps its own message for its runner, which is not running. */
        fprintf(stderr, "%s:%d: error: \"%s\" != \"%s\"\n", file, line, a, b);
    }
    __real__assert_string_equal(a, b, file, line);
}

void __wrap__assert_memory_equal(const void *const a, const void *const b, const size_t size,
                                 const char *const file, const int line)
{
    s_note_assert(file, line, 0);
    __real__assert_memory_equal(a, b, size, file, line);
}

void __wrap__assert_memory_not_equal(const void *const a, const void *const b, const size_t size,
                                     const char *const file, const int line)
{
    s_note_assert(file, line, 0);
    __real__assert_memory_not_equal(a, b, size, file, line);
}

void __wrap__fail(const char *const file, const int line)
{
    s_note_assert(file, line, 0);
    __real__fail(file, line);
}

/* ---- the child: one case, at most one refusal ---- */

static const struct CMUnitTest *s_case;
static CMFixtureFunction s_group_teardown;
static void *s_group_state; /* in the runner too, when set up once there */
static void *s_case_state;
static int s_case_set_up; /* the case setup succeeded: its teardown is owed */
static int s_finished;

/* On exit() from inside a failed assertion or setup: the teardowns the test did not
 * reach, so that what remains for LeakSanitizer is what nothing owns. */
static void s_child_atexit(void)
{
    if (s_finished) {
        return;
    }
    s_finished = 1;
    s_armed = 0;
    if (s_case_set_up && s_case->teardown_func != NULL) {
        s_case->teardown_func(&s_case_state);
    }
    if (s_group_teardown != NULL) {
        s_group_teardown(&s_group_state);
    }
}

/* cmocka's skip() outside its runner would end the child as a failure. */
void __wrap__skip(const char *file, int line)
{
    if (s_case == NULL) {
        __real__skip(file, line);
        return;
    }
    printf("%s:%d: skipped\n", file, line);
    s_child_atexit();
    fflush(NULL);
    _exit(OOM_EXIT_SKIPPED);
}

static void s_child(const struct CMUnitTest *t, CMFixtureFunction group_setup,
                    CMFixtureFunction group_teardown, uint64_t fail_at, int log_fd)
{
    if (log_fd >= 0) {
        dup2(log_fd, STDOUT_FILENO);
        dup2(log_fd, STDERR_FILENO);
    }
    s_case = t;
    s_fail_at = fail_at;
    /* A case that waits forever for what a refused allocation never sent is a
     * failure too: SIGALRM ends it as a crash. */
    alarm(OOM_CHILD_SECONDS);
    if (group_setup != NULL && group_setup(&s_group_state) != 0) {
        _exit(OOM_EXIT_GROUP_SETUP);
    }
    s_group_teardown = group_teardown;
    s_case_state = t->initial_state != NULL ? t->initial_state : s_group_state;
    atexit(s_child_atexit);
    s_armed = 1;
    if (t->setup_func != NULL && t->setup_func(&s_case_state) != 0) {
        exit(OOM_EXIT_FAILED);
    }
    s_case_set_up = 1;
    t->test_func(&s_case_state);
    s_armed = 0;
    s_finished = 1;
    if (t->teardown_func != NULL) {
        t->teardown_func(&s_case_state);
    }
    if (group_teardown != NULL) {
        group_teardown(&s_group_state);
    }
    fflush(NULL);
    exit(0);
}

/* ---- the runner ---- */

typedef enum { V_PASSED, V_CLEAN, V_OTHER_CODE, V_NULL, V_SILENT, V_CRASH, V_FLAKY, V_N } verdict_t;
static const char *const s_verdict_names[V_N] = {"passed", "clean", "other code", "NULL",
                                                 "SILENT", "CRASH", "flaky"};

typedef struct {
    int status;
    uint64_t count, injected, errors, exhausted;
    int first_code;
    char first_msg[160];
    const char *assert_file;
    int assert_line, assert_truth;
} run_t;

static char s_log_path[256];
static int s_log_fd = -1;

static int s_run(const struct CMUnitTest *t, CMFixtureFunction gs, CMFixtureFunction gt,
                 uint64_t fail_at, run_t *r)
{
    s_sh->count = s_sh->injected = s_sh->errors = s_sh->exhausted = 0;
    s_sh->recorded = 0;
    s_sh->first_code = 0;
    s_sh->first_msg[0] = '\0';
    s_sh->assert_file = NULL;
    s_sh->assert_line = s_sh->assert_truth = 0;
    if (s_log_fd >= 0 && (ftruncate(s_log_fd, 0) != 0 || lseek(s_log_fd, 0, SEEK_SET) != 0)) {
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        s_child(t, gs, gt, fail_at, s_log_fd);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    r->status = status;
    r->count = s_sh->count;
    r->injected = s_sh->injected;
    r->errors = s_sh->errors;
    r->exhausted = s_sh->exhausted;
    r->first_code = s_sh->first_code;
    snprintf(r->first_msg, sizeof r->first_msg, "%s", s_sh->first_msg);
    r->assert_file = s_sh->assert_file;
    r->assert_line = s_sh->assert_line;
    r->assert_truth = s_sh->assert_truth;
    return 0;
}

static verdict_t s_judge(const run_t *r)
{
    if (WIFEXITED(r->status) &&
        (WEXITSTATUS(r->status) == 0 || WEXITSTATUS(r->status) == OOM_EXIT_SKIPPED)) {
        return V_PASSED;
    }
    if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == OOM_EXIT_FAILED) {
        if (r->injected == 0) {
            return V_FLAKY;
        }
        if (r->errors == 0) {
            return r->assert_truth ? V_NULL : V_SILENT;
        }
        return r->exhausted > 0 ? V_CLEAN : V_OTHER_CODE;
    }
    return V_CRASH;
}

static void s_describe(const run_t *r, char *out, size_t size)
{
    if (WIFSIGNALED(r->status) && WTERMSIG(r->status) == SIGALRM) {
        snprintf(out, size, "still running after %d s", OOM_CHILD_SECONDS);
    } else if (WIFSIGNALED(r->status)) {
        snprintf(out, size, "killed by signal %d", WTERMSIG(r->status));
    } else {
        snprintf(out, size, "exit status %d", WEXITSTATUS(r->status));
    }
}

/* The child's output, for a verdict that needs reading: in full, or (brief) only its
 * first sanitizer line and the first frame in Concord's sources below it. */
static void s_print_log(int brief)
{
    static char buf[64 * 1024];
    fflush(stdout);
    if (s_log_fd < 0 || lseek(s_log_fd, 0, SEEK_SET) != 0) {
        return;
    }
    ssize_t n = read(s_log_fd, buf, sizeof buf - 1);
    if (n <= 0) {
        return;
    }
    buf[n] = '\0';
    if (!brief) {
        fprintf(stderr, "%s\n", buf);
        return;
    }
    const char *what = strstr(buf, "ERROR: ");
    const char *ub = strstr(buf, "runtime error");
    if (what == NULL || (ub != NULL && ub < what)) {
        what = ub;
    }
    if (what == NULL) {
        return;
    }
    while (what > buf && what[-1] != '\n') {
        what--;
    }
    const char *where = NULL;
    for (const char *l = strchr(what, '\n'); l != NULL && where == NULL; l = strchr(l + 1, '\n')) {
        const char *src = strstr(l, CONCORD_OOM_SOURCE_DIR);
        size_t len = strcspn(l + 1, "\n");
        if (src != NULL && src < l + 1 + len) {
            src += strlen(CONCORD_OOM_SOURCE_DIR);
            if (strncmp(src, "/common/", 8) == 0 || strncmp(src, "/node/", 6) == 0 ||
                strncmp(src, "/broker/", 8) == 0) {
                where = l + 1;
            }
        }
    }
    fprintf(stderr, "    %.*s\n", (int)strcspn(what, "\n"), what);
    if (where != NULL) {
        fprintf(stderr, "    %.*s\n", (int)strcspn(where, "\n"), where);
    }
}

static const char *s_not_covered_reason(const char *name)
{
    for (size_t i = 0; i < sizeof s_not_covered / sizeof s_not_covered[0]; i++) {
        if (s_not_covered[i].test != NULL && strcmp(s_not_covered[i].test, name) == 0) {
            return s_not_covered[i].reason;
        }
    }
    return NULL;
}

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The allocation numbers to refuse: the first of each distinct site, at most max
 * (spread evenly over the sites when there are more), or all of 1..count. */
static uint64_t *s_choose(uint64_t count, uint64_t recorded, int all, size_t max, size_t *n_out,
                          size_t *sites_out)
{
    uint64_t *firsts = __real_calloc(recorded + 1, sizeof *firsts);
    size_t cap = 1;
    while (cap < 2 * recorded + 2) {
        cap <<= 1;
    }
    uint64_t *seen = __real_calloc(cap, sizeof *seen);
    uint64_t *chosen = NULL;
    size_t sites = 0, n = 0;
    if (firsts == NULL || seen == NULL) {
        goto out;
    }
    for (uint64_t k = 0; k < recorded; k++) {
        uint64_t h = s_sh->sig[k] | 1; /* 0 marks an empty slot */
        size_t i = (size_t)(h * 11400714819323198485ull) & (cap - 1);
        while (seen[i] != 0 && seen[i] != h) {
            i = (i + 1) & (cap - 1);
        }
        if (seen[i] == 0) {
            seen[i] = h;
            firsts[sites++] = k + 1;
        }
    }
    if (all) {
        chosen = __real_calloc(count + 1, sizeof *chosen);
        for (uint64_t k = 1; chosen != NULL && k <= count; k++) {
            chosen[n++] = k;
        }
    } else {
        chosen = __real_calloc(sites + 1, sizeof *chosen);
        for (size_t i = 0; chosen != NULL && i < sites; i++) {
            if (sites <= max || (i * max) / sites != ((i + 1) * max) / sites) {
                chosen[n++] = firsts[i];
            }
        }
    }
out:
    free(firsts);
    free(seen);
    *n_out = n;
    *sites_out = sites;
    return chosen;
}

/* One case: 0 if every refusal ended passed or clean, else the number that did not. */
static int s_case_run(const char *binary, const struct CMUnitTest *t, CMFixtureFunction gs,
                      CMFixtureFunction gt, int all, size_t max, int verbose, int strict)
{
    double t0 = s_now();
    run_t r;
    char how[64];
    const char *reason = s_not_covered_reason(t->name);
    if (reason != NULL) {
        printf("[oom] %s/%s: NOT COVERED: %s\n", binary, t->name, reason);
        return 0;
    }
    if (s_run(t, gs, gt, 0, &r) != 0) {
        printf("[oom] %s/%s: cannot fork: %s\n", binary, t->name, strerror(errno));
        return 1;
    }
    if (WIFEXITED(r.status) && WEXITSTATUS(r.status) == OOM_EXIT_SKIPPED) {
        printf("[oom] %s/%s: skipped by the test itself\n", binary, t->name);
        return 0;
    }
    if (s_judge(&r) != V_PASSED) {
        s_describe(&r, how, sizeof how);
        printf("[oom] %s/%s: FAILS WITH NOTHING REFUSED (%s)\n", binary, t->name, how);
        s_print_log(0);
        return 1;
    }
    size_t n = 0, sites = 0;
    uint64_t *ns = s_choose(r.count, r.count < OOM_MAX_RECORDED ? r.count : OOM_MAX_RECORDED, all,
                            max, &n, &sites);
    if (ns == NULL) {
        printf("[oom] %s/%s: out of memory choosing refusals\n", binary, t->name);
        return 1;
    }
    size_t tally[V_N] = {0};
    int bad = 0, crashes = 0;
    uint64_t total = r.count;
    for (size_t i = 0; i < n; i++) {
        if (s_run(t, gs, gt, ns[i], &r) != 0) {
            printf("[oom] %s/%s: cannot fork: %s\n", binary, t->name, strerror(errno));
            bad++;
            break;
        }
        verdict_t v = s_judge(&r);
        tally[v]++;
        if (verbose || v == V_CRASH || v == V_FLAKY || v == V_SILENT) {
            char at[300] = "";
            if (r.assert_file != NULL && v != V_PASSED && v != V_CRASH) {
                const char *base = strrchr(r.assert_file, '/');
                snprintf(at, sizeof at, " at %s:%d", base ? base + 1 : r.assert_file,
                         r.assert_line);
            }
            s_describe(&r, how, sizeof how);
            fflush(stderr);
            printf("[oom] %s/%s: allocation %llu refused: %s (%s)%s%s%s%s%s\n", binary, t->name,
                   (unsigned long long)ns[i], s_verdict_names[v], how, at, r.errors ? ": " : "",
                   r.errors ? err_code_name((cc_code_t)r.first_code) : "", r.errors ? " " : "",
                   r.errors ? r.first_msg : "");
        }
        if (v == V_CRASH) {
            bad++;
            s_print_log(crashes++ > 0 && !verbose);
        }
        if (v == V_SILENT && verbose) {
            s_print_log(0);
        }
        if (v == V_SILENT && strict) {
            bad++;
        }
    }
    free(ns);
    printf("[oom] %s/%s: %llu allocations at %zu sites; refused %zu%s: %zu passed, %zu clean, "
           "%zu other code, %zu NULL, %zu silent, %zu crashed, %zu flaky (%.1f s)\n",
           binary, t->name, (unsigned long long)total, sites, n,
           all ? " (every one)" : (n < sites ? " (spread over the sites)" : " (one per site)"),
           tally[V_PASSED], tally[V_CLEAN], tally[V_OTHER_CODE], tally[V_NULL], tally[V_SILENT],
           tally[V_CRASH], tally[V_FLAKY], s_now() - t0);
    fflush(stdout);
    return bad;
}

int __wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *tests, size_t n,
                                   CMFixtureFunction group_setup, CMFixtureFunction group_teardown)
{
    const char *binary = program_invocation_short_name;
    const char *only = getenv("CONCORD_OOM_CASE");
    const char *all = getenv("CONCORD_OOM_ALL");
    const char *max = getenv("CONCORD_OOM_MAX_SITES");
    const char *verbose = getenv("CONCORD_OOM_VERBOSE");
    const char *strict = getenv("CONCORD_OOM_STRICT");
    const char *tmp = getenv("TMPDIR");
    int failed = 0;
    size_t covered = 0;
    double t0 = s_now();

    int once = 0;
    for (size_t i = 0; i < sizeof s_setup_once / sizeof s_setup_once[0]; i++) {
        once |= strcmp(s_setup_once[i], binary) == 0;
    }
    s_group_state = NULL;
    if (once && group_setup != NULL && group_setup(&s_group_state) != 0) {
        printf("[oom] %s: group %s: the group setup failed with nothing refused\n", binary,
               group_name);
        return 1;
    }
    if (s_sh == NULL) {
        s_sh = mmap(NULL, sizeof *s_sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (s_sh == MAP_FAILED) {
            perror("[oom] mmap");
            return 1;
        }
        snprintf(s_log_path, sizeof s_log_path, "%s/concord-oom-XXXXXX",
                 tmp != NULL ? tmp : "/tmp");
        s_log_fd = mkstemp(s_log_path);
        if (s_log_fd >= 0) {
            unlink(s_log_path);
        }
    }
    size_t max_sites = max != NULL ? (size_t)strtoul(max, NULL, 10) : 400;
    for (size_t i = 0; max == NULL && i < sizeof s_limited / sizeof s_limited[0]; i++) {
        if (strcmp(s_limited[i].binary, binary) == 0) {
            max_sites = s_limited[i].max_sites;
            printf("[oom] %s: at most %zu sites per case: %s\n", binary, max_sites,
                   s_limited[i].reason);
        }
    }
    printf("[oom] %s: group %s, %zu cases\n", binary, group_name, n);
    for (size_t i = 0; i < n; i++) {
        if (only != NULL && strstr(tests[i].name, only) == NULL) {
            continue;
        }
        int bad =
            s_case_run(binary, &tests[i], once ? NULL : group_setup, once ? NULL : group_teardown,
                       all != NULL && all[0] == '1', max_sites,
                       verbose != NULL && verbose[0] == '1', strict != NULL && strict[0] == '1');
        failed += bad != 0;
        covered++;
    }
    if (once && group_teardown != NULL) {
        group_teardown(&s_group_state);
    }
    printf("[oom] %s: group %s: %zu cases run, %d failing the run (a crash or leak) "
           "(%.1f s)\n",
           binary, group_name, covered, failed, s_now() - t0);
    return failed;
}
