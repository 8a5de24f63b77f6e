/*
 * s_threads.c: a pthread per task, or a pool of max_in_flight threads that
 * take task indices from a shared counter.
 */
#include "cb_limits.h"
#include "work.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct threads_ctx {
    const struct cb_workload *w;
    struct cb_task *tasks;
    atomic_size_t next; /* next task index to take */
    int one_each;       /* per-task mode: a thread runs exactly one task */
};

static void *worker_main(void *arg)
{
    struct threads_ctx *c = arg;
    const struct cb_workload_type *type = cb_wl(c->w);
    struct cb_worker wk = {.one_shot = c->one_each};
    for (;;) {
        size_t k = atomic_fetch_add_explicit(&c->next, 1, memory_order_relaxed);
        if (k >= c->w->n)
            break;
        type->blocking(c->w, k, &c->tasks[k], &wk);
        if (c->one_each)
            break;
    }
    type->worker_fini(&wk);
    return NULL;
}

/* Small explicit stacks, what the workload says a task needs (a sleep
 * almost none). Sanitizers need far more. */
static size_t stack_size(const struct cb_workload *w)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    (void)w;
    return 1u << 20;
#else
    long min = sysconf(_SC_THREAD_STACK_MIN);
    size_t want = cb_wl(w)->thread_stack;
    return min > 0 && (size_t)min > want ? (size_t)min : want;
#endif
}

static int threads_run(const struct cb_workload *w, struct cb_task *tasks, struct cb_report *rep)
{
    size_t nthreads = cb_slots(w);
    struct threads_ctx c = {.w = w, .tasks = tasks, .one_each = nthreads == w->n};
    atomic_init(&c.next, 0);
    pthread_t *tids = malloc(nthreads * sizeof *tids);
    if (!tids) {
        cb_tasks_fail(tasks, 0, w->n, CB_ERR_NOMEM, ENOMEM);
        return -ENOMEM;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    size_t ss = stack_size(w);
    pthread_attr_setstacksize(&attr, ss);
    snprintf(rep->policy, sizeof rep->policy, "%s, stack %zu KiB + guard page",
             c.one_each ? "a thread per task" : "pool of threads", ss >> 10);

    size_t created = 0;
    int err = 0;
    for (; created < nthreads; created++) {
        err = pthread_create(&tids[created], &attr, worker_main, &c);
        if (err)
            break;
    }
    pthread_attr_destroy(&attr);
    if (err) {
        /* Read the limits now, while the threads that did start exist. */
        cb_limit_explain("pthread_create", err, created, rep->limit, sizeof rep->limit);
        if (c.one_each) {
            /* Each created thread takes exactly one index, so indices
             * below `created` are theirs and the rest never start. */
            cb_tasks_fail(tasks, created, w->n, CB_ERR_SPAWN, err);
        } else if (created == 0) {
            cb_tasks_fail(tasks, 0, w->n, CB_ERR_SPAWN, err);
        }
        /* A smaller pool still runs every task: only the pool shrank. */
    }
    for (size_t i = 0; i < created; i++)
        pthread_join(tids[i], NULL);
    free(tids);
    rep->started = c.one_each ? created : (created ? w->n : 0);
    return 0;
}

const struct cb_strategy cb_strategy_threads = {
    .name = "threads",
    .summary = "a pthread per task (or a pool of --max-in-flight threads), blocking work",
    .run = threads_run,
};
