/*
 * s_coro.c: stackful coroutines scheduled on the shared epoll loop.
 *
 * Each coroutine runs its tasks as plain blocking-looking code: it starts
 * the task on the loop the workload's way (a timer for a sleep, a transfer
 * on the shared multi handle for a GET) and yields until the loop wakes it,
 * like `await asyncio.sleep()` or `await session.get()`. With
 * max_in_flight W, W coroutines each run tasks until none is left;
 * otherwise one coroutine per task.
 */
#include "coro.h"
#include "work.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct coro_run {
    const struct cb_workload *w;
    const struct cb_workload_type *type;
    struct cb_task *tasks;
    struct coro_sched sched;
    struct evl loop;
    struct cb_loop_run lr;
    void *slots;  /* the workload's state, one per coroutine, off-stack */
    size_t next;  /* next task to take */
    size_t alive; /* coroutines not finished */
    size_t created;
};

/* The run on this thread, for a coroutine coming back from an await: read
 * from here, the run is not a value kept live across the await (see
 * one_main). */
static _Thread_local struct coro_run *running;

/* Resume c from a loop callback; free it when it has finished, or when it
 * cannot run (out of memory: its task's slot is failed at the end). */
static void resume(struct coro_run *r, struct coro *c)
{
    if (coro_resume(&r->sched, c) || coro_done(c)) {
        coro_destroy(&r->sched, c);
        if (--r->alive == 0)
            evl_stop(&r->loop);
    }
}

/* The workload's task is ready: its waker is the coroutine awaiting it. */
static void wake(struct cb_loop_run *lr, void *waker)
{
    resume(lr->data, waker);
}

/* Task k in the running coroutine, `await`ed: started on the loop, the
 * coroutine suspended until the loop wakes it, the result filled. Inlined
 * into both bodies. Only t is live across the await: the run comes back
 * from `running` and the slot from t's index, which keeps a sleeping
 * coroutine's saved frames small (one register). */
static inline __attribute__((always_inline)) void await_task(struct coro_run *r, size_t slot,
                                                             size_t k, int one_each)
{
    struct cb_task *t = &r->tasks[k];
    if (r->type->loop_start(&r->lr, cb_slot_at(r->type, r->slots, slot), t, k,
                            coro_current(&r->sched)))
        return; /* t holds the error */
    coro_yield(&r->sched);
    r = running;
    if (one_each) /* the coroutine's slot is its task's */
        slot = (size_t)(t - r->tasks);
    r->type->loop_finish(&r->lr, cb_slot_at(r->type, r->slots, slot), t);
}

/* The body of a coroutine in a pool: take tasks until none is left. */
static void pool_main(void *arg)
{
    struct coro_run *r = arg;
    size_t slot = r->created - 1;
    for (; r->next < r->w->n; r = running)
        await_task(r, slot, r->next++, 0);
}

/* The body of a coroutine for one task, all at once (a million of them
 * wait at the same time): the await sits directly in the coroutine's
 * function, which keeps few registers across it, so a sleeping task saves
 * a small frame and the switch's 64 bytes, where a loop would save more. */
static void one_main(void *arg)
{
    struct coro_run *r = arg;
    size_t k = r->next++;
    await_task(r, k, k, 1);
}

static int spawn_all(struct coro_run *r, size_t ncoro)
{
    void (*body)(void *) = cb_all_at_once(r->w) ? one_main : pool_main;
    for (size_t i = 0; i < ncoro; i++) {
        struct coro *c = coro_create(&r->sched, body, r);
        if (!c)
            return -ENOMEM;
        r->created++;
        r->alive++;
        resume(r, c); /* runs until its first await */
    }
    return 0;
}

/* The run's outcome: the policy line, how many started, and the slots of
 * tasks that never ran filled with why. */
static void account(struct coro_run *r, int spawn_rc, int rc, struct cb_report *rep)
{
    /* After the run: the policy line says how big the saved frames were. */
    coro_policy_describe(&r->sched, rep->policy, sizeof rep->policy);
    rep->started = r->next;
    /* A coroutine that could not be resumed (out of memory for the frames
     * of the one on the stack) was destroyed with its task unfinished. */
    if (cb_tasks_fail_unfilled(r->tasks, r->next, CB_ERR_NOMEM, ENOMEM) && !spawn_rc && !rc)
        snprintf(rep->limit, sizeof rep->limit,
                 "coro: out of memory for suspended frames after %zu coroutines", r->created);
    if (spawn_rc || rc) {
        int err = spawn_rc ? -spawn_rc : -rc;
        snprintf(rep->limit, sizeof rep->limit, "coro: %s after %zu coroutines",
                 strerrorname_np(err), r->created);
        cb_tasks_fail(r->tasks, r->next, r->w->n, cb_error_from_errno(err), err);
    }
}

static int coro_run_all(const struct cb_workload *w, struct cb_task *tasks, struct cb_report *rep)
{
    size_t ncoro = cb_slots(w);
    struct coro_run r = {.w = w, .type = cb_wl(w), .tasks = tasks};
    int rc = coro_sched_init(&r.sched, CORO_STACK_SHARED, 0);
    if (rc)
        goto fail;
    rc = evl_init(&r.loop, r.type->loop_timers(w, ncoro));
    if (rc)
        goto fail_sched;
    r.lr = (struct cb_loop_run){.loop = &r.loop, .w = w, .wake = wake, .data = &r};
    rc = cb_slots_alloc(r.type, ncoro, &r.slots);
    if (!rc)
        rc = r.type->loop_open(&r.lr, r.slots, ncoro, rep->policy, sizeof rep->policy);
    if (rc)
        goto fail_loop;
    running = &r;
    int spawn_rc = spawn_all(&r, ncoro);
    /* The coroutines that did start finish their tasks either way. */
    rc = r.alive ? evl_run(&r.loop) : 0;
    running = NULL;
    account(&r, spawn_rc, rc, rep);
    r.type->loop_close(&r.lr, r.slots, ncoro);
fail_loop:
    free(r.slots);
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
