/*
 * micro_coro.c: the coroutines of strategies/coro.h, as the coro strategy
 * uses them (through the scheduler, not the bare coro_switch):
 *
 *  switch/coro_fixed_oneway        resume + yield of one coroutine with a
 *                                  private stack, per one-way switch
 *  switch/coro_shared_oneway       the same on the shared stack: with one
 *                                  coroutine its frames never leave it
 *  switch/coro_shared_copy_oneway  two coroutines take turns on the shared
 *                                  stack, so every resume copies the other
 *                                  one's frames out and these back in
 *  spawn/coro_*_create_run_destroy create one, run it to the end, destroy
 *
 * One thread, nothing waits: CPU time.
 */
#include "bench_shim.h"
#include "coro.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void micro_register_coro(void);

struct coro_case {
    enum coro_stack_policy policy;
    int ncoro; /* switch benchmarks: coroutines taking turns (1 or 2) */
};

struct yielder {
    struct coro_sched *s;
    int stop;
};

/* Yield until told to stop, then return so the coroutine can be destroyed. */
static void yielder_fn(void *arg)
{
    struct yielder *y = arg;

    while (!y->stop)
        coro_yield(y->s);
}

/* Each loop resumes every coroutine once: 2 one-way switches apiece. */
static void bm_coro_switch(cbm_state *st, void *ctx)
{
    const struct coro_case *cc = ctx;
    struct coro_sched s;
    struct yielder y = {.s = &s, .stop = 0};
    struct coro *c[2] = {NULL, NULL};
    int i, rc, n = cc->ncoro;

    if ((rc = coro_sched_init(&s, cc->policy, 0))) {
        cbm_skip_errno(st, "coro_sched_init", -rc);
        return;
    }
    for (i = 0; i < n; i++)
        if (!(c[i] = coro_create(&s, yielder_fn, &y))) {
            cbm_skip_errno(st, "coro_create", errno ? errno : ENOMEM);
            goto out;
        }
    while (cbm_keep_running_batch(st, 2 * n))
        for (i = 0; i < n; i++)
            coro_resume(&s, c[i]);
    /* Let every coroutine return, then check that it did. */
    y.stop = 1;
    for (i = 0; i < n; i++) {
        coro_resume(&s, c[i]);
        if (!coro_done(c[i])) {
            cbm_skip_with_error(st, "coroutine did not finish after stop");
            goto out;
        }
    }
    cbm_set_items_processed(st, cbm_iterations(st));
    if (cc->policy == CORO_STACK_SHARED)
        cbm_counter(st, "bytes_copied_per_switch", (double)s.bytes_copied, CBM_COUNTER_PER_ITER);
out:
    for (i = 0; i < n; i++)
        if (c[i])
            coro_destroy(&s, c[i]);
    coro_sched_fini(&s);
}

static void count_fn(void *arg)
{
    ++*(int *)arg;
}

static void bm_coro_lifecycle(cbm_state *st, void *ctx)
{
    const struct coro_case *cc = ctx;
    struct coro_sched s;
    struct coro *c;
    int rc, ran = 0;

    if ((rc = coro_sched_init(&s, cc->policy, 0))) {
        cbm_skip_errno(st, "coro_sched_init", -rc);
        return;
    }
    while (cbm_keep_running(st)) {
        if (!(c = coro_create(&s, count_fn, &ran))) {
            cbm_skip_errno(st, "coro_create", errno ? errno : ENOMEM);
            goto out;
        }
        coro_resume(&s, c);
        rc = coro_done(c);
        coro_destroy(&s, c);
        if (!rc) {
            cbm_skip_with_error(st, "coroutine did not finish in one resume");
            goto out;
        }
    }
    if (ran != cbm_iterations(st)) {
        cbm_skip_with_error(st, "coroutine count does not match iterations");
        goto out;
    }
    cbm_set_items_processed(st, cbm_iterations(st));
out:
    coro_sched_fini(&s);
}

#ifndef CORO_USE_UCONTEXT
/* The bare switch of coro_switch_*.S, without the scheduler: the main
 * context and one coroutine ping-pong; each loop is 2 one-way switches. */
static struct coro_ctx bare_main, bare_co;

static void bare_entry(void *arg)
{
    (void)arg;
    for (;;) /* never returns: the benchmark abandons it, suspended */
        coro_switch(&bare_co, &bare_main);
}

static void bm_bare_switch(cbm_state *st, void *ctx)
{
    enum { STACK = 64 << 10 };
    char *stack = malloc(STACK);
    (void)ctx;
    if (!stack) {
        cbm_skip_errno(st, "malloc", ENOMEM);
        return;
    }
    coro_ctx_init(&bare_co, stack, stack + STACK, bare_entry, NULL, NULL, NULL);
    while (cbm_keep_running_batch(st, 2))
        coro_switch(&bare_main, &bare_co);
    cbm_set_items_processed(st, cbm_iterations(st));
    free(stack);
}
#endif

/* Register this file's benchmarks (called once, from micro_main.c). */
void micro_register_coro(void)
{
    static struct coro_case fixed = {CORO_STACK_FIXED, 1};
    static struct coro_case shared = {CORO_STACK_SHARED, 1};
    static struct coro_case shared2 = {CORO_STACK_SHARED, 2};

#ifndef CORO_USE_UCONTEXT
    cbm_register(&(struct cbm_def){.name = "switch/coro_bare_asm_oneway", .fn = bm_bare_switch});
#endif
    cbm_register(
        &(struct cbm_def){.name = "switch/coro_fixed_oneway", .fn = bm_coro_switch, .ctx = &fixed});
    cbm_register(&(struct cbm_def){
        .name = "switch/coro_shared_oneway", .fn = bm_coro_switch, .ctx = &shared});
    cbm_register(&(struct cbm_def){
        .name = "switch/coro_shared_copy_oneway", .fn = bm_coro_switch, .ctx = &shared2});
    cbm_register(&(struct cbm_def){
        .name = "spawn/coro_fixed_create_run_destroy", .fn = bm_coro_lifecycle, .ctx = &fixed});
    cbm_register(&(struct cbm_def){
        .name = "spawn/coro_shared_create_run_destroy", .fn = bm_coro_lifecycle, .ctx = &shared});
}
