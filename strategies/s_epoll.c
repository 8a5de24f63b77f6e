/*
 * s_epoll.c: hand-written state machines on one epoll loop.
 *
 * sleep: a task is one timer in the loop's heap; no fd per task.
 * http:  a task is one libcurl transfer on the multi_socket API.
 * With max_in_flight W, W slots each start the next task when theirs ends
 * (an http slot reuses its easy handle, hence its connection).
 */
#include "evl_curl.h"
#include "work.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct epoll_ctx {
    const struct cb_workload *w;
    struct cb_task *tasks;
    struct evl loop;
    size_t next; /* next task to start */
    size_t done;
};

/* --- sleep --------------------------------------------------------------- */

static void sleep_start(struct epoll_ctx *c);

static void sleep_fired_cb(struct evl *l, void *arg)
{
    struct epoll_ctx *c = l->data;
    struct cb_task *t = arg;
    t->finished_ns = cb_now_ns();
    t->error = CB_OK;
    t->value = (uint64_t)(t - c->tasks);
    if (++c->done == c->w->n)
        evl_stop(l);
    else if (c->next < c->w->n)
        sleep_start(c);
}

static void sleep_start(struct epoll_ctx *c)
{
    struct cb_task *t = &c->tasks[c->next];
    t->started_ns = cb_now_ns();
    if (evl_timer_add(&c->loop, t->started_ns + c->w->sleep_ns, sleep_fired_cb, t)) {
        /* Out of memory for the heap: this and every later task fail. */
        cb_tasks_fail(c->tasks, c->next, c->w->n, CB_ERR_NOMEM, ENOMEM);
        c->done += c->w->n - c->next;
        c->next = c->w->n;
        return;
    }
    c->next++;
}

static int run_sleep(struct epoll_ctx *c, size_t slots)
{
    for (size_t i = 0; i < slots && c->next < c->w->n; i++)
        sleep_start(c);
    return evl_run(&c->loop);
}

/* --- http ---------------------------------------------------------------- */

static void http_start(struct evl_curl *g, struct cb_http_xfer *x)
{
    struct epoll_ctx *c = g->data;
    while (c->next < c->w->n) {
        struct cb_task *t = &c->tasks[c->next++];
        if (cb_http_xfer_start(x, c->w, t) == 0 && evl_curl_add(g, x) == 0)
            return;
        /* The slot holds the error; count it and try the next task. */
        if (++c->done == c->w->n)
            evl_stop(&c->loop);
    }
}

static void http_done_cb(struct evl_curl *g, struct cb_http_xfer *x)
{
    struct epoll_ctx *c = g->data;
    if (++c->done == c->w->n)
        evl_stop(&c->loop);
    else
        http_start(g, x); /* this slot takes the next task */
}

static int run_http(struct epoll_ctx *c, size_t slots, struct cb_report *rep)
{
    struct evl_curl g;
    struct cb_http_xfer *xs = calloc(slots, sizeof *xs);
    for (size_t i = 0; xs && i < slots; i++)
        xs[i].one_shot = cb_all_at_once(c->w);
    int rc = xs ? evl_curl_init(&g, &c->loop, c->w->max_in_flight, http_done_cb) : -ENOMEM;
    if (rc) {
        free(xs);
        return rc;
    }
    g.data = c;
    evl_curl_policy(&g, rep->policy, sizeof rep->policy);
    for (size_t i = 0; i < slots; i++)
        http_start(&g, &xs[i]);
    rc = c->done == c->w->n ? 0 : evl_run(&c->loop);
    /* Handles first: removing them may still call the socket callback. */
    evl_curl_fini(&g);
    for (size_t i = 0; i < slots; i++)
        cb_http_easy_destroy(xs[i].easy);
    free(xs);
    return rc;
}

static int epoll_run(const struct cb_workload *w, struct cb_task *tasks, struct cb_report *rep)
{
    size_t slots = cb_slots(w);
    struct epoll_ctx c = {.w = w, .tasks = tasks};
    /* The heap is sized once: a million timers must not be copied by
     * doubling reallocations (and their transient peak of memory). */
    int rc = evl_init(&c.loop, w->kind == CB_SLEEP ? slots : 64);
    if (rc) {
        cb_tasks_fail(tasks, 0, w->n, cb_error_from_errno(-rc), -rc);
        return rc;
    }
    c.loop.data = &c;
    if (w->kind == CB_SLEEP) {
        snprintf(rep->policy, sizeof rep->policy,
                 "one timer per task (in-order FIFO; heap for the rest)");
        rc = run_sleep(&c, slots);
    } else {
        rc = run_http(&c, slots, rep);
    }
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
