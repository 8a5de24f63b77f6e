/* helpers.h: what several test files need. Header-only on purpose. */
#ifndef CB_TEST_HELPERS_H
#define CB_TEST_HELPERS_H

#include "server.h"
#include "strategy.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
/*
 * Criterion passes a test whose process leaks: LeakSanitizer reports at
 * exit, after the result is in, and a suite's .fini runs after it too (an
 * assertion or abort there changes nothing). So a test that owns memory
 * calls this last, in its body, and fails if anything leaked.
 */
static inline void cb_leak_check(void)
{
    if (__lsan_do_recoverable_leak_check())
        cr_assert_fail("LeakSanitizer found a leak (report above)");
}
#else
static inline void cb_leak_check(void) {}
#endif

/* The test server: model m, W workers, latency_ns a request unless the
 * URL says, idle_ns the idle timeout (0: the default). Started, or the
 * test fails. */
static inline struct srv_handle cb_test_server(enum srv_model m, int workers, uint64_t latency_ns,
                                               uint64_t idle_ns)
{
    struct srv_config c;
    struct srv_handle h;
    srv_config_default(&c);
    c.model = m;
    c.workers = workers;
    c.latency_ns = latency_ns;
    if (idle_ns)
        c.idle_timeout_ns = idle_ns;
    int rc = srv_spawn(&c, &h);
    cr_assert_eq(rc, 0, "srv_spawn: %d (%s)", rc, strerror(-rc));
    cr_assert_gt(h.port, 0, "port %d", h.port);
    return h;
}

/* Run s on w in this process; returns the slots (caller frees). */
static inline struct cb_task *run_strategy(const struct cb_strategy *s, const struct cb_workload *w,
                                           struct cb_report *rep, int *rc, uint64_t *wall_ns)
{
    struct cb_task *tasks = calloc(w->n, sizeof *tasks);
    cr_assert_not_null(tasks);
    *rep = (struct cb_report){0};
    uint64_t t0 = cb_now_ns();
    *rc = s->run(w, tasks, rep);
    *wall_ns = cb_now_ns() - t0;
    return tasks;
}

/* The most tasks in flight at once, from the slots' start/finish times. */
static inline size_t max_overlap(const struct cb_task *t, size_t n)
{
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        size_t c = 0;
        for (size_t j = 0; j < n; j++)
            if (t[j].started_ns <= t[i].started_ns && t[i].started_ns < t[j].finished_ns)
                c++;
        if (c > best)
            best = c;
    }
    return best;
}

/* The concbench program the tests drive (make test sets CB_BIN). */
static inline const char *cb_bin(void)
{
    const char *b = getenv("CB_BIN");
    return b ? b : "build/concbench";
}

#endif
