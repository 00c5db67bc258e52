/* SPDX-License-Identifier: Apache-2.0 */
/* vpool: a fixed set of threads over one array of jobs at a time. */
#include "vpool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

struct vpool {
    pthread_mutex_t mu;
    pthread_cond_t work; /* a run started, or the pool stops */
    pthread_cond_t done; /* a job finished */
    pthread_t *threads;
    unsigned n_threads;
    vpool_fn fn;
    /* The run: jobs[0..n) of size bytes; next is the first job not taken;
     * is_done[i] once job i finished. */
    unsigned char *jobs;
    size_t size, n, next, n_done;
    unsigned char *is_done;
    size_t cap;
    int stop;
};

/* Takes the next job (mu held), runs it without the lock, marks it done.
 * Returns 0 if every job was already taken. */
static int s_run_one(vpool_t *p)
{
    if (p->next >= p->n) {
        return 0;
    }
    size_t i = p->next++;
    void *job = p->jobs + i * p->size;
    pthread_mutex_unlock(&p->mu);
    p->fn(job);
    pthread_mutex_lock(&p->mu);
    p->is_done[i] = 1;
    p->n_done++;
    pthread_cond_broadcast(&p->done);
    return 1;
}

static void *s_thread(void *arg)
{
    vpool_t *p = arg;
    prctl(PR_SET_NAME, "verifier", 0, 0, 0); /* as top and perf show it */
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        if (!s_run_one(p)) {
            pthread_cond_wait(&p->work, &p->mu);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

vpool_t *vpool_new(unsigned threads, vpool_fn fn, cc_err_t *err)
{
    if (threads > VPOOL_THREADS_MAX) {
        threads = VPOOL_THREADS_MAX;
    }
    vpool_t *p = calloc(1, sizeof *p);
    if (!p || (threads && !(p->threads = calloc(threads, sizeof *p->threads)))) {
        free(p);
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    p->fn = fn;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    for (unsigned i = 0; i < threads; i++) {
        if (pthread_create(&p->threads[i], NULL, s_thread, p) != 0) {
            vpool_destroy(&p);
            err_set(err, CC_RESOURCE_EXHAUSTED, "cannot start verifier thread %u of %u", i + 1,
                    threads);
            return NULL;
        }
        p->n_threads++;
    }
    return p;
}

unsigned vpool_threads(const vpool_t *p)
{
    return p ? p->n_threads : 0;
}

int vpool_start(vpool_t *p, void *jobs, size_t size, size_t n)
{
    pthread_mutex_lock(&p->mu);
    if (n > p->cap) {
        unsigned char *grown = realloc(p->is_done, n);
        if (!grown) {
            pthread_mutex_unlock(&p->mu);
            return -1;
        }
        p->is_done = grown;
        p->cap = n;
    }
    if (n) {
        memset(p->is_done, 0, n);
    }
    p->jobs = jobs;
    p->size = size;
    p->n = n;
    p->next = 0;
    p->n_done = 0;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void vpool_wait(vpool_t *p, size_t i)
{
    pthread_mutex_lock(&p->mu);
    while (i < p->n && !p->is_done[i]) {
        if (!s_run_one(p)) {
            pthread_cond_wait(&p->done, &p->mu);
        }
    }
    pthread_mutex_unlock(&p->mu);
}

void vpool_finish(vpool_t *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->n_done < p->n) {
        if (!s_run_one(p)) {
            pthread_cond_wait(&p->done, &p->mu);
        }
    }
    p->jobs = NULL;
    p->n = p->next = p->n_done = 0;
    pthread_mutex_unlock(&p->mu);
}

void vpool_destroy(vpool_t **pp)
{
    if (!pp || !*pp) {
        return;
    }
    vpool_t *p = *pp;
    vpool_finish(p);
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n_threads; i++) {
        pthread_join(p->threads[i], NULL);
    }
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p->is_done);
    free(p);
    *pp = NULL;
}
