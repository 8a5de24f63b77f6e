/*
 * s_epoll.c: hand-written state machines on one epoll loop.
 *
 * A task is whatever its workload starts on the loop (workload.h): for a
 * sleep one timer in the loop's heap and no descriptor, for an HTTP GET
 * one libcurl transfer on the multi_socket API. The state machine is the
 * slot: when its task is ready the slot is filled and takes the next task
 * (an http slot reuses its easy handle, hence its connection). With
 * max_in_flight W there are W slots; otherwise one per task.
 */
#include "work.h"

#include <errno.h>
#include <stdlib.h>

struct epoll_ctx {
    const struct cb_workload *w;
    const struct cb_workload_type *type;
    struct cb_task *tasks;
    struct evl loop;
    struct cb_loop_run lr;
    void *slots; /* the workload's state, one per slot */
    size_t *cur; /* a pool's slot i runs task cur[i]; NULL: slot k runs task k */
    size_t next; /* next task to start */
    size_t done;
};

/* What a waker names: the task itself when every task has its own slot,
 * else the slot's entry in cur[]. Returns the slot's index; *k the task. */
static size_t slot_of(const struct epoll_ctx *c, void *waker, size_t *k)
{
    if (!c->cur)
        return *k = (size_t)((struct cb_task *)waker - c->tasks);
    size_t i = (size_t)((size_t *)waker - c->cur);
    *k = c->cur[i];
    return i;
}

/* Count one task done; stop the loop after the last. */
static void count_done(struct epoll_ctx *c)
{
    if (++c->done == c->w->n)
        evl_stop(&c->loop);
}

/* Start the next task in slot i, skipping tasks whose start fails (their
 * results hold the error). */
static void start_next(struct epoll_ctx *c, size_t i)
{
    while (c->next < c->w->n) {
        size_t k = c->next++;
        struct cb_task *t = &c->tasks[k];
        void *waker = c->cur ? (void *)&c->cur[i] : (void *)t;
        if (c->cur)
            c->cur[i] = k;
        /* Every task its own slot: task k's, whichever slot ended. */
        size_t slot = c->cur ? i : k;
        if (c->type->loop_start(&c->lr, cb_slot_at(c->type, c->slots, slot), t, k, waker) == 0)
            return;
        count_done(c);
    }
}

static void wake(struct cb_loop_run *lr, void *waker)
{
    struct epoll_ctx *c = lr->data;
    size_t k, i = slot_of(c, waker, &k);
    c->type->loop_finish(lr, cb_slot_at(c->type, c->slots, i), &c->tasks[k]);
    count_done(c);
    if (c->done < c->w->n)
        start_next(c, i); /* this slot takes the next task */
}

static int run_slots(struct epoll_ctx *c, size_t nslots, struct cb_report *rep)
{
    int rc = cb_slots_alloc(c->type, nslots, &c->slots);
    if (!rc && !cb_all_at_once(c->w) && !(c->cur = calloc(nslots, sizeof *c->cur)))
        rc = -ENOMEM;
    if (!rc)
        rc = c->type->loop_open(&c->lr, c->slots, nslots, rep->policy, sizeof rep->policy);
    if (rc) {
        free(c->slots);
        free(c->cur);
        return rc;
    }
    for (size_t i = 0; i < nslots && c->next < c->w->n; i++)
        start_next(c, i);
    rc = c->done == c->w->n ? 0 : evl_run(&c->loop);
    c->type->loop_close(&c->lr, c->slots, nslots);
    free(c->slots);
    free(c->cur);
    return rc;
}

static int epoll_run(const struct cb_workload *w, struct cb_task *tasks, struct cb_report *rep)
{
    size_t nslots = cb_slots(w);
    struct epoll_ctx c = {.w = w, .type = cb_wl(w), .tasks = tasks};
    /* The heap is sized once: a million timers must not be copied by
     * doubling reallocations (and their transient peak of memory). */
    int rc = evl_init(&c.loop, c.type->loop_timers(w, nslots));
    if (rc) {
        cb_tasks_fail(tasks, 0, w->n, cb_error_from_errno(-rc), -rc);
        return rc;
    }
    c.lr = (struct cb_loop_run){.loop = &c.loop, .w = w, .wake = wake, .data = &c};
    rc = run_slots(&c, nslots, rep);
    evl_fini(&c.loop);
    rep->started = c.next;
    if (rc)
        cb_tasks_fail(tasks, c.next, w->n, CB_ERR_OTHER, -rc);
    return rc;
}

const struct cb_strategy cb_strategy_epoll = {
    .name = "epoll",
    .summary =
        "state machines on one epoll loop: a timer heap for sleeps, curl multi_socket for HTTP",
    .run = epoll_run,
};
