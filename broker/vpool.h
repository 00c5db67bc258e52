/* SPDX-License-Identifier: Apache-2.0 */
/* vpool: the broker's verifier threads.
 *
 * One run at a time: the loop hands the pool an array of n jobs
 * (vpool_start), the threads take them in index order, each calling fn on
 * one job, and the loop consumes the results in index order (vpool_wait),
 * helping with the next job not yet taken whenever the one it needs is
 * not done. fn must touch nothing but its job: it runs on any thread, in
 * any order with the other jobs. vpool_finish returns once every job of
 * the run is done; from then on, until the next vpool_start, no thread
 * touches the array. Every access to the run's bookkeeping is under one
 * mutex, so each job's results are visible to the loop once vpool_wait
 * returns for it. A pool of 0 threads runs every job on the caller, in
 * vpool_wait: the same results, one core. */
#ifndef CONCORD_VPOOL_H
#define CONCORD_VPOOL_H

#include <stddef.h>

#include "err.h"

typedef struct vpool vpool_t;

typedef void (*vpool_fn)(void *job);

/* The most threads a pool runs. */
#define VPOOL_THREADS_MAX 64

/* A pool of threads (0..VPOOL_THREADS_MAX) running fn. Returns NULL with
 * err set if memory or threads ran out. */
vpool_t *vpool_new(unsigned threads, vpool_fn fn, cc_err_t *err);

/* The number of threads of p. */
unsigned vpool_threads(const vpool_t *p);

/* Starts a run over the n jobs of size bytes each at jobs; the previous
 * run must be finished. Returns 0, or -1 if memory ran out (nothing
 * started). */
int vpool_start(vpool_t *p, void *jobs, size_t size, size_t n);

/* Returns once job i of the running run is done. */
void vpool_wait(vpool_t *p, size_t i);

/* Returns once every job of the running run is done, and ends the run. */
void vpool_finish(vpool_t *p);

/* Stops and joins the threads (after finishing any run) and frees p. */
void vpool_destroy(vpool_t **p);

#endif
