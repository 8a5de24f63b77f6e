/*
 * micro_timer.c: the timer structure the epoll and coro strategies share
 * (strategies/evloop.h): the heap alone at two sizes, and one timer armed
 * and fired through a whole struct evl loop. One thread: CPU time.
 */
#include "bench_shim.h"
#include "evloop.h"
#include "strategy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void micro_register_timer(void);

/* xorshift64: cheap, deterministic deadlines (the same heap every run). */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void nop_cb(struct evl *l, void *arg)
{
    (void)l;
    (void)arg;
}

/*
 * The "hold" model of priority-queue benchmarks: with n timers pending,
 * push one that is due a random time (up to 1 s) after the last one that
 * fired, then pop the earliest. The heap stays at n entries, and pushed
 * deadlines land at random depths, as sleeps of mixed lengths do.
 */
static void bm_heap_push_pop(cbm_state *st, void *ctx)
{
    enum { SPAN_NS = 1000000000 };
    size_t n = (size_t)cbm_range(st, 0);
    struct evl_heap h;
    struct evl_timer t = {.deadline_ns = 0};
    uint64_t seed = 0x9e3779b97f4a7c15u;
    int rc;

    (void)ctx;
    if ((rc = evl_heap_init(&h, n + 1))) {
        cbm_skip_errno(st, "evl_heap_init", -rc);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if ((rc = evl_heap_push(&h, rnd(&seed) % SPAN_NS, nop_cb, NULL))) {
            cbm_skip_errno(st, "evl_heap_push (prefill)", -rc);
            goto out;
        }
    while (cbm_keep_running(st)) {
        uint64_t last = t.deadline_ns;
        if ((rc = evl_heap_push(&h, last + rnd(&seed) % SPAN_NS, nop_cb, NULL))) {
            cbm_skip_errno(st, "evl_heap_push", -rc);
            goto out;
        }
        evl_heap_pop(&h, &t);
        /* A min-heap pops in order: checking costs one compare and turns
         * a broken heap into an error rather than a fast number. */
        if (t.deadline_ns < last) {
            cbm_skip_with_error(st, "evl_heap_pop: deadlines out of order");
            goto out;
        }
    }
    cbm_set_items_processed(st, cbm_iterations(st));
out:
    evl_heap_fini(&h);
}

static void count_cb(struct evl *l, void *arg)
{
    (void)l;
    ++*(int *)arg;
}

/* Arm one timer due now and run the loop until it has fired: evl_run()
 * returns once nothing is left to wait for. */
static void bm_evl_arm_fire(cbm_state *st, void *ctx)
{
    struct evl l;
    int rc, fired, failed = 0;

    (void)ctx;
    if ((rc = evl_init(&l, 0))) {
        cbm_skip_errno(st, "evl_init", -rc);
        return;
    }
    while (cbm_keep_running(st)) {
        fired = 0;
        if ((rc = evl_timer_add(&l, cb_now_ns(), count_cb, &fired))) {
            cbm_skip_errno(st, "evl_timer_add", -rc);
            failed = 1;
            break;
        }
        if ((rc = evl_run(&l)) || fired != 1) {
            cbm_skip_errno(st, "evl_run: timer did not fire once", rc ? -rc : EPROTO);
            failed = 1;
            break;
        }
    }
    if (!failed)
        cbm_set_items_processed(st, cbm_iterations(st));
    evl_fini(&l);
}

/* Register this file's benchmarks (called once, from micro_main.c). */
void micro_register_timer(void)
{
    static const int64_t sizes[] = {1000, 1000000};

    cbm_register(&(struct cbm_def){
        .name = "timer/heap_push_pop", .fn = bm_heap_push_pop, .args = sizes, .nargs = 2});
    cbm_register(&(struct cbm_def){.name = "timer/evl_arm_fire", .fn = bm_evl_arm_fire});
}
