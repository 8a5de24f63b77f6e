/*
 * w_sleep.c: the sleep workload. A task waits sleep_ns and reports its own
 * index: asyncio.sleep() in the article, and the pure cost of a concurrency
 * model, since the work itself costs nothing. On the loop a task is one
 * timer (no descriptor); polled, it is done when the clock passes its
 * deadline (the article's Task.run()).
 */
#include "workload.h"

#include <errno.h>
#include <stdio.h>

/* Stamp the start; the value (the task's index) is known from the start. */
static uint64_t begin(struct cb_task *t, size_t k)
{
    t->error = CB_OK;
    t->value = k;
    t->started_ns = cb_now_ns();
    return t->started_ns;
}

static void blocking(const struct cb_workload *w, size_t k, struct cb_task *t, struct cb_worker *wk)
{
    (void)wk;
    cb_sleep_until(begin(t, k) + w->sleep_ns);
    t->finished_ns = cb_now_ns();
}

static void worker_fini(struct cb_worker *wk)
{
    (void)wk;
}

/* --- on the loop --------------------------------------------------------- */

static size_t loop_timers(const struct cb_workload *w, size_t nslots)
{
    (void)w;
    return nslots;
}

static int loop_open(struct cb_loop_run *lr, void *slots, size_t nslots, char *policy, size_t len)
{
    (void)slots, (void)nslots;
    lr->loop->data = lr;
    snprintf(policy, len, "one timer per task (in-order FIFO; heap for the rest)");
    return 0;
}

static void loop_close(struct cb_loop_run *lr, void *slots, size_t nslots)
{
    (void)lr, (void)slots, (void)nslots;
}

static void fired(struct evl *l, void *waker)
{
    struct cb_loop_run *lr = l->data;
    lr->wake(lr, waker);
}

static int loop_start(struct cb_loop_run *lr, void *slot, struct cb_task *t, size_t k, void *waker)
{
    (void)slot;
    if (evl_timer_add(lr->loop, begin(t, k) + lr->w->sleep_ns, fired, waker)) {
        t->error = CB_ERR_NOMEM;
        t->value = ENOMEM;
        t->finished_ns = cb_now_ns();
        return -ENOMEM;
    }
    return 0;
}

static void loop_finish(struct cb_loop_run *lr, void *slot, struct cb_task *t)
{
    (void)lr, (void)slot;
    t->finished_ns = cb_now_ns();
}

/* --- polled -------------------------------------------------------------- */

static int poll_open(struct cb_poll_run *pr, void *slots, size_t nslots, char *policy, size_t len)
{
    (void)pr, (void)slots, (void)nslots;
    snprintf(policy, len, "poll every pending task's clock, no waiting");
    return 0;
}

static void poll_close(struct cb_poll_run *pr, void *slots, size_t nslots)
{
    (void)pr, (void)slots, (void)nslots;
}

static int poll_start(struct cb_poll_run *pr, void *slot, struct cb_task *t, size_t k)
{
    (void)pr, (void)slot;
    begin(t, k);
    return 0;
}

static void poll_pass(struct cb_poll_run *pr)
{
    (void)pr;
}

static int poll_done(struct cb_poll_run *pr, void *slot, struct cb_task *t)
{
    (void)slot;
    uint64_t now = cb_now_ns();
    if (now < t->started_ns + pr->w->sleep_ns)
        return 0;
    t->finished_ns = now;
    return 1;
}

/* --- judged -------------------------------------------------------------- */

static uint64_t task_ns(const struct cb_workload *w, uint64_t target_ns)
{
    (void)target_ns;
    return w->sleep_ns;
}

/* Its own index, and a wait no shorter than asked. */
static int judge(const struct cb_workload *w, uint64_t expect_sum, const struct cb_task *t,
                 size_t k)
{
    (void)expect_sum;
    if (t->value != k)
        return CB_V_WRONG_VALUE;
    if (t->finished_ns - t->started_ns < w->sleep_ns)
        return CB_V_SHORT_WAIT;
    return CB_OK;
}

static void checked(char *buf, size_t len, const char *expect, int all_xchecksum)
{
    (void)expect, (void)all_xchecksum;
    snprintf(buf, len, "index+wait");
}

const struct cb_workload_type cb_workload_sleep = {
    .name = "sleep",
    .summary = "each task waits D (-d) and returns its index",
    .value_base = 10,
    .thread_stack = 16u << 10, /* a sleeping task needs almost none */
    .blocking = blocking,
    .worker_fini = worker_fini,
    .loop_timers = loop_timers,
    .loop_open = loop_open,
    .loop_close = loop_close,
    .loop_start = loop_start,
    .loop_finish = loop_finish,
    .poll_open = poll_open,
    .poll_close = poll_close,
    .poll_start = poll_start,
    .poll_pass = poll_pass,
    .poll_done = poll_done,
    .task_ns = task_ns,
    .judge = judge,
    .checked = checked,
};
