/*
 * test_workloads.c: the contract every workload keeps (workload.h), run
 * against every workload in strategies/workloads.h: a complete table, the
 * three shapes a strategy drives, and the judge that the harness applies.
 * That every strategy runs every workload is test_strategies.c's.
 */
#include "helpers.h"
#include "workload.h"

#include <string.h>

#define MS 1000000ull

Test(workloads, every_table_is_complete_and_named_once)
{
    for (int k = 0; k < CB_KIND_COUNT; k++) {
        const struct cb_workload_type *t = cb_workload_types[k];
        cr_assert_not_null(t, "workload %d has no type", k);
        cr_assert(t->name && t->summary, "workload %d has no name or summary", k);
        cr_assert_eq(cb_workload_find(t->name), k, "%s is not found by its name", t->name);
        cr_assert(strstr(cb_workload_names(), t->name), "%s is not in the names", t->name);
        cr_assert(t->value_base == 10 || t->value_base == 16, "%s: value base", t->name);
        cr_assert_gt(t->thread_stack, 0, "%s: a thread needs a stack", t->name);
        cr_assert(t->blocking && t->worker_fini, "%s: no blocking shape", t->name);
        cr_assert(t->loop_timers && t->loop_open && t->loop_close && t->loop_start &&
                      t->loop_finish,
                  "%s: no loop shape", t->name);
        cr_assert(t->poll_open && t->poll_close && t->poll_start && t->poll_pass && t->poll_done,
                  "%s: no poll shape", t->name);
        cr_assert(t->task_ns && t->judge && t->checked, "%s: no harness side", t->name);
    }
    cr_assert_eq(cb_workload_find("nap"), -1);
}

Test(workloads, every_strategy_names_workloads_that_exist)
{
    for (size_t i = 0; cb_strategies[i]; i++) {
        const struct cb_strategy *s = cb_strategies[i];
        cr_assert_eq(s->workloads & ~CB_ALL_WORKLOADS, 0,
                     "%s names a workload that is not in workloads.h", s->name);
        cr_assert(!s->external || s->workloads, "%s (external.h) names no workload", s->name);
    }
}

/* --- sleep, in each shape -------------------------------------------------- */

struct woken {
    void *wakers[8];
    size_t n;
};

static void record_wake(struct cb_loop_run *lr, void *waker)
{
    struct woken *wk = lr->data;
    wk->wakers[wk->n++] = waker;
}

Test(workloads, sleep_on_the_loop_wakes_each_waker_once_after_its_wait)
{
    const struct cb_workload w = {.kind = CB_SLEEP, .n = 3, .sleep_ns = 20 * MS};
    const struct cb_workload_type *type = cb_wl(&w);
    struct evl loop;
    struct woken wk = {0};
    struct cb_task tasks[3] = {0};
    int wakers[3];
    cr_assert_eq(evl_init(&loop, type->loop_timers(&w, 3)), 0);
    struct cb_loop_run lr = {.loop = &loop, .w = &w, .wake = record_wake, .data = &wk};
    char policy[120] = "";
    cr_assert_eq(type->loop_open(&lr, NULL, 3, policy, sizeof policy), 0);
    cr_assert_neq(policy[0], '\0', "the loop shape says its policy");
    for (size_t k = 0; k < 3; k++)
        cr_assert_eq(type->loop_start(&lr, NULL, &tasks[k], k, &wakers[k]), 0);
    cr_assert_eq(wk.n, 0, "nothing wakes before the loop runs");
    cr_assert_eq(evl_run(&loop), 0);
    cr_assert_eq(wk.n, 3, "woke %zu times for 3 tasks", wk.n);
    for (size_t k = 0; k < 3; k++) {
        cr_assert_eq(wk.wakers[k], &wakers[k], "the waker given to task %zu comes back", k);
        type->loop_finish(&lr, NULL, &tasks[k]);
        cr_assert_eq(type->judge(&w, 0, &tasks[k], k), CB_OK, "task %zu judged", k);
    }
    type->loop_close(&lr, NULL, 3);
    evl_fini(&loop);
}

Test(workloads, sleep_polled_is_done_only_when_its_time_has_passed)
{
    const struct cb_workload w = {.kind = CB_SLEEP, .n = 1, .sleep_ns = 30 * MS};
    const struct cb_workload_type *type = cb_wl(&w);
    struct cb_poll_run pr = {.w = &w};
    struct cb_task t = {0};
    char policy[120];
    cr_assert_eq(type->poll_open(&pr, NULL, 1, policy, sizeof policy), 0);
    cr_assert_eq(type->poll_start(&pr, NULL, &t, 0), 0);
    type->poll_pass(&pr);
    cr_assert_eq(type->poll_done(&pr, NULL, &t), 0, "done at once after a 30 ms sleep began");
    cb_sleep_until(t.started_ns + w.sleep_ns);
    type->poll_pass(&pr);
    cr_assert_eq(type->poll_done(&pr, NULL, &t), 1, "not done after its 30 ms");
    cr_assert_eq(type->judge(&w, 0, &t, 0), CB_OK);
    type->poll_close(&pr, NULL, 1);
}

/* --- the judge the harness applies ---------------------------------------- */

Test(workloads, sleep_judge_rejects_a_wrong_index_and_a_short_wait)
{
    const struct cb_workload w = {.kind = CB_SLEEP, .n = 2, .sleep_ns = 10 * MS};
    const struct cb_workload_type *type = cb_wl(&w);
    struct cb_task good = {.started_ns = 1, .finished_ns = 1 + 10 * MS, .value = 1};
    cr_assert_eq(type->judge(&w, 0, &good, 1), CB_OK);
    struct cb_task swapped = good;
    swapped.value = 0;
    cr_assert_eq(type->judge(&w, 0, &swapped, 1), CB_V_WRONG_VALUE);
    struct cb_task early = good;
    early.finished_ns -= 1;
    cr_assert_eq(type->judge(&w, 0, &early, 1), CB_V_SHORT_WAIT);
    char label[64];
    type->checked(label, sizeof label, NULL, 0);
    cr_assert_str_eq(label, "index+wait");
    cr_assert_eq(type->task_ns(&w, 5 * MS), 10 * MS, "a sleep takes its own D");
}

Test(workloads, http_judge_wants_200_and_the_expected_body)
{
    const struct cb_workload w = {.kind = CB_HTTP, .n = 1, .url = "http://127.0.0.1:1/"};
    const struct cb_workload_type *type = cb_wl(&w);
    struct cb_task ok = {.started_ns = 1, .finished_ns = 2, .aux = 200, .value = 0xabc};
    cr_assert_eq(type->judge(&w, 0, &ok, 0), CB_OK);
    cr_assert_eq(type->judge(&w, 0xabc, &ok, 0), CB_OK);
    cr_assert_eq(type->judge(&w, 0xabd, &ok, 0), CB_ERR_BODY, "another body passed");
    struct cb_task err = ok;
    err.aux = 503;
    cr_assert_eq(type->judge(&w, 0, &err, 0), CB_ERR_HTTP, "a 503 passed");
    char label[64];
    type->checked(label, sizeof label, "sha256", 0);
    cr_assert_str_eq(label, "status+length+sha256");
    type->checked(label, sizeof label, NULL, 1);
    cr_assert_str_eq(label, "status+length+x-checksum");
    cr_assert_eq(type->task_ns(&w, 5 * MS), 5 * MS, "a GET takes what its server takes");
    cr_assert(type->target, "http talks to a target");
}
