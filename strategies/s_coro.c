/*
 * s_coro.c: stackful coroutines scheduled on the shared epoll loop.
 *
 * Each coroutine runs tasks written as plain blocking-looking code:
 * coro_sleep_until() arms a timer and yields, like `await asyncio.sleep()`;
 * an HTTP task starts its transfer on the shared multi handle and yields
 * until the loop sees it complete, like `await session.get()`. The loop's
 * callbacks resume the coroutine. With max_in_flight W, W coroutines each
 * run tasks until none is left; otherwise one coroutine per task.
 */
#include "coro.h"
#include "evl_curl.h"
#include "work.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct coro_run {
    const struct cb_workload *w;
    struct cb_task *tasks;
    struct coro_sched sched;
    struct evl loop;
    struct evl_curl curl;
    struct cb_http_xfer *xs; /* http: one transfer per coroutine, off-stack */
    size_t next;             /* next task to take */
    size_t alive;            /* coroutines not finished */
    size_t created;
};

/* Resume c from a loop callback; free it when it has finished, or when it
 * cannot run (out of memory: its task's slot is failed at the end). */
static void wake(struct coro_run *r, struct coro *c)
{
    if (coro_resume(&r->sched, c) || coro_done(c)) {
        coro_destroy(&r->sched, c);
        if (--r->alive == 0)
            evl_stop(&r->loop);
    }
}

static void sleep_timer_cb(struct evl *l, void *arg)
{
    wake(l->data, arg);
}

/* Suspend the running coroutine until deadline_ns (CLOCK_MONOTONIC), as
 * `await asyncio.sleep()` does. 0, or -ENOMEM (no timer). */
static int coro_sleep_until(struct coro_run *r, uint64_t deadline_ns)
{
    struct coro *self = coro_current(&r->sched);
    if (evl_timer_add(&r->loop, deadline_ns, sleep_timer_cb, self))
        return -ENOMEM;
    coro_yield(&r->sched);
    return 0;
}

static void http_done_cb(struct evl_curl *g, struct cb_http_xfer *x)
{
    wake(g->data, x->owner);
}

/* Run one GET in the running coroutine; returns when the slot is filled. */
static void coro_http_get(struct coro_run *r, struct cb_http_xfer *x, struct cb_task *t)
{
    x->owner = coro_current(&r->sched);
    if (cb_http_xfer_start(x, r->w, t) == 0 && evl_curl_add(&r->curl, x) == 0)
        coro_yield(&r->sched); /* http_done_cb resumes us, slot filled */
}

/* Task k, a sleep, in the running coroutine. Inlined into both bodies:
 * the slot is its only value live across the await (k is written first),
 * which keeps a sleeping coroutine's saved frames small. */
static inline __attribute__((always_inline)) void sleep_task(struct coro_run *r, size_t k)
{
    struct cb_task *t = &r->tasks[k];
    t->error = CB_OK;
    t->value = k;
    t->started_ns = cb_now_ns();
    if (coro_sleep_until(r, t->started_ns + r->w->sleep_ns)) {
        t->error = CB_ERR_NOMEM;
        t->value = ENOMEM;
    }
    t->finished_ns = cb_now_ns();
}

/* The body of a coroutine in a pool, and of every HTTP one: take tasks
 * until none is left (or one). */
static void task_main(void *arg)
{
    struct coro_run *r = arg;
    size_t id = r->created - 1; /* this coroutine's number, for its xfer */
    int one_each = cb_all_at_once(r->w);
    while (r->next < r->w->n) {
        size_t k = r->next++;
        if (r->w->kind == CB_HTTP)
            coro_http_get(r, &r->xs[id], &r->tasks[k]);
        else
            sleep_task(r, k);
        if (one_each)
            break;
    }
}

/* The body of a coroutine for one sleep, all at once (a million of them
 * wait at the same time): the await sits directly in the coroutine's
 * function, which keeps one register across it, so a sleeping task saves
 * its 32-byte frame and the switch's 64 bytes, where task_main's loop
 * would save 144. */
static void sleep_main(void *arg)
{
    struct coro_run *r = arg;
    sleep_task(r, r->next++);
}

static int spawn_all(struct coro_run *r, size_t ncoro)
{
    int sleeps = r->w->kind == CB_SLEEP && cb_all_at_once(r->w);
    for (size_t i = 0; i < ncoro; i++) {
        struct coro *c = coro_create(&r->sched, sleeps ? sleep_main : task_main, r);
        if (!c)
            return -ENOMEM;
        r->created++;
        r->alive++;
        wake(r, c); /* runs until its first await */
    }
    return 0;
}

static int coro_run_all(const struct cb_workload *w, struct cb_task *tasks, struct cb_report *rep)
{
    size_t ncoro = cb_slots(w);
    struct coro_run r = {.w = w, .tasks = tasks};
    int rc = coro_sched_init(&r.sched, CORO_STACK_SHARED, 0);
    if (rc)
        goto fail;
    rc = evl_init(&r.loop, w->kind == CB_SLEEP ? ncoro : 64);
    if (rc)
        goto fail_sched;
    r.loop.data = &r;
    if (w->kind == CB_HTTP) {
        r.xs = calloc(ncoro, sizeof *r.xs);
        for (size_t i = 0; r.xs && i < ncoro; i++)
            r.xs[i].one_shot = cb_all_at_once(w);
        rc = r.xs ? evl_curl_init(&r.curl, &r.loop, w->max_in_flight, http_done_cb) : -ENOMEM;
        if (rc)
            goto fail_loop;
        r.curl.data = &r;
    }
    int spawn_rc = spawn_all(&r, ncoro);
    /* The coroutines that did start finish their tasks either way. */
    rc = r.alive ? evl_run(&r.loop) : 0;
    /* After the run: the policy line says how big the saved frames were. */
    coro_policy_describe(&r.sched, rep->policy, sizeof rep->policy);
    rep->started = r.next;
    /* A coroutine that could not be resumed (out of memory for the frames
     * of the one on the stack) was destroyed with its task unfinished. */
    if (cb_tasks_fail_unfilled(tasks, r.next, CB_ERR_NOMEM, ENOMEM) && !spawn_rc && !rc)
        snprintf(rep->limit, sizeof rep->limit,
                 "coro: out of memory for suspended frames after %zu coroutines", r.created);
    if (spawn_rc || rc) {
        int err = spawn_rc ? -spawn_rc : -rc;
        snprintf(rep->limit, sizeof rep->limit, "coro: %s after %zu coroutines",
                 strerrorname_np(err), r.created);
        cb_tasks_fail(tasks, r.next, w->n, cb_error_from_errno(err), err);
    }
    if (w->kind == CB_HTTP) {
        evl_curl_fini(&r.curl);
        for (size_t i = 0; i < ncoro; i++)
            cb_http_easy_destroy(r.xs[i].easy);
    }
fail_loop:
    free(r.xs);
    evl_fini(&r.loop);
fail_sched:
    if (r.sched.live == 0)
        coro_sched_fini(&r.sched);
fail:
    if (rc && r.next == 0)
        cb_tasks_fail(tasks, 0, w->n, cb_error_from_errno(-rc), -rc);
    return rc;
}

const struct cb_strategy cb_strategy_coro = {
    .name = "coro",
    .summary = "stackful coroutines (own assembly switch, copied stacks) on the epoll loop",
    .run = coro_run_all,
};
