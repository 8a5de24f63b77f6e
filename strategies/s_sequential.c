/* s_sequential.c: one task after another, the article's `for` loop. */
#include "work.h"

static int sequential_run(const struct cb_workload *w, struct cb_task *tasks, struct cb_report *rep)
{
    const struct cb_workload_type *type = cb_wl(w);
    struct cb_worker wk = {0};
    for (size_t k = 0; k < w->n; k++)
        type->blocking(w, k, &tasks[k], &wk);
    type->worker_fini(&wk);
    rep->started = w->n;
    return 0;
}

const struct cb_strategy cb_strategy_sequential = {
    .name = "sequential",
    .summary = "one task after another on one thread (time.sleep, requests.get)",
    .flags = CB_ONE_AT_A_TIME,
    .run = sequential_run,
};
