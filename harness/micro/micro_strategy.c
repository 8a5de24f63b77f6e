/*
 * micro_strategy.c: one task through each strategy of strategies/list.h,
 * end to end: run() of a sleep workload with a zero sleep, so what is
 * measured is the strategy's own cost per task (start it, let it finish,
 * collect its result) and not the work. BATCH tasks per run() spread the
 * per-run set-up (an epoll instance, a coroutine scheduler) as a real run
 * does; the reported time is per task. Wall clock: tasks run on other
 * threads and processes.
 */
#include "bench_shim.h"
#include "strategy.h"

#include <stdio.h>
#include <string.h>

void micro_register_strategy(void);

enum { BATCH = 100 };

static void bm_strategy(cbm_state *st, void *ctx)
{
    const struct cb_strategy *s = ctx;
    const struct cb_workload w = {.kind = CB_SLEEP, .n = BATCH, .sleep_ns = 0};
    struct cb_task tasks[BATCH];
    struct cb_report rep;
    char msg[200];
    int rc;

    while (cbm_keep_running_batch(st, BATCH)) {
        memset(tasks, 0, sizeof tasks);
        memset(&rep, 0, sizeof rep);
        if ((rc = s->run(&w, tasks, &rep))) {
            snprintf(msg, sizeof msg, "%s: run: %s", s->name, strerror(-rc));
            cbm_skip_with_error(st, msg);
            return;
        }
        /* Every slot must hold its own index: the result arrived, in order. */
        for (size_t i = 0; i < BATCH; i++)
            if (tasks[i].error != CB_OK || tasks[i].value != i) {
                snprintf(msg, sizeof msg, "%s: task %zu: %s (value %llu)", s->name, i,
                         cb_error_name(tasks[i].error), (unsigned long long)tasks[i].value);
                cbm_skip_with_error(st, msg);
                return;
            }
    }
    cbm_set_items_processed(st, cbm_iterations(st));
}

/* Register this file's benchmarks (called once, from micro_main.c): one
 * per entry of the registry, which strategies/list.h feeds. */
void micro_register_strategy(void)
{
    char name[96];

    for (const struct cb_strategy *const *s = cb_strategies; *s; s++) {
        /* cbm_register() copies the name. The const is cast away only to
         * pass the strategy through the void *ctx; it is never written. */
        snprintf(name, sizeof name, "task/%s_sleep0_per_task", (*s)->name);
        cbm_register(
            &(struct cbm_def){.name = name, .fn = bm_strategy, .ctx = (void *)*s, .real_time = 1});
    }
}
