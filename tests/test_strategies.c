/*
 * test_strategies.c: the contract every strategy keeps, run against every
 * strategy in strategies/list.h. Each Criterion test runs in its own
 * process, which suits strategies that fork and spawn threads.
 */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define MS 1000000ull

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

/* Every slot filled, in order, each task waited at least D. */
static void check_sleeps(const struct cb_strategy *s, size_t n, uint64_t d)
{
    struct cb_workload w = {.kind = CB_SLEEP, .n = n, .sleep_ns = d, .timeout_ns = 10000 * MS};
    struct cb_report rep;
    int rc;
    uint64_t wall;
    struct cb_task *t = run_strategy(s, &w, &rep, &rc, &wall);
    cr_assert_eq(rc, 0, "%s: run returned %d", s->name, rc);
    cr_assert_eq(rep.started, n, "%s: started %zu of %zu", s->name, rep.started, n);
    for (size_t k = 0; k < n; k++) {
        cr_assert_eq(t[k].error, CB_OK, "%s: task %zu error %s", s->name, k,
                     cb_error_name(t[k].error));
        cr_assert_eq(t[k].value, k, "%s: slot %zu holds task %llu", s->name, k,
                     (unsigned long long)t[k].value);
        cr_assert_neq(t[k].started_ns, 0, "%s: task %zu never started", s->name, k);
        cr_assert_geq(t[k].finished_ns - t[k].started_ns, d, "%s: task %zu waited %llu ns < %llu",
                      s->name, k, (unsigned long long)(t[k].finished_ns - t[k].started_ns),
                      (unsigned long long)d);
    }
    if (strcmp(s->name, "sequential") == 0) {
        cr_assert_geq(wall, n * d, "sequential: %zu x %llu ns took only %llu ns", n,
                      (unsigned long long)d, (unsigned long long)wall);
    } else {
        /* Concurrency, with a wide margin: far under n x d. */
        cr_assert_lt(wall, n * d / 4, "%s: %zu sleeps of %llu ns took %llu ns", s->name, n,
                     (unsigned long long)d, (unsigned long long)wall);
        cr_assert_geq(max_overlap(t, n), n / 2, "%s: at most %zu tasks overlapped", s->name,
                      max_overlap(t, n));
    }
    free(t);
    cb_leak_check();
}

/* A pool of W never has more than W tasks in flight, and finishes all. */
static void check_pool(const struct cb_strategy *s)
{
    const size_t n = 30, wmax = 5;
    struct cb_workload w = {.kind = CB_SLEEP,
                            .n = n,
                            .max_in_flight = wmax,
                            .sleep_ns = 20 * MS,
                            .timeout_ns = 10000 * MS};
    struct cb_report rep;
    int rc;
    uint64_t wall;
    struct cb_task *t = run_strategy(s, &w, &rep, &rc, &wall);
    cr_assert_eq(rc, 0);
    for (size_t k = 0; k < n; k++) {
        cr_assert_eq(t[k].error, CB_OK, "%s: task %zu: %s", s->name, k, cb_error_name(t[k].error));
        cr_assert(t[k].finished_ns && t[k].value == k, "%s: slot %zu not filled by its task",
                  s->name, k);
    }
    size_t over = max_overlap(t, n);
    size_t want = strcmp(s->name, "sequential") == 0 ? 1 : wmax;
    cr_assert_leq(over, want, "%s: %zu tasks in flight with max_in_flight %zu", s->name, over,
                  want);
    cr_assert_geq(wall, (n / want) * 20 * MS, "%s: pool of %zu finished too early: %llu ns",
                  s->name, want, (unsigned long long)wall);
    free(t);
    cb_leak_check();
}

/*
 * Denied resources: few descriptors (no pipe, no epoll instance) and an
 * address space that cannot grow much (no thread stack, no large
 * allocation). The strategy must report it in the slots and return.
 */
static void check_denied(const struct cb_strategy *s)
{
    const size_t n = 200000;
    struct cb_workload w = {
        .kind = CB_SLEEP, .n = n, .sleep_ns = 10 * MS, .timeout_ns = 10000 * MS};
    struct cb_task *t = calloc(n, sizeof *t);
    struct cb_report rep = {0};
    cr_assert_not_null(t);
    /* Only the descriptors open now: the next pipe()/epoll_create fails. */
    int maxfd = 0;
    for (int fd = 0; fd < 64; fd++)
        if (fcntl(fd, F_GETFD) >= 0)
            maxfd = fd;
    struct rlimit nofile = {(rlim_t)maxfd + 1, (rlim_t)maxfd + 1};
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &nofile), 0, "setrlimit NOFILE: %s", strerror(errno));
    long long vm_kb = 0;
    FILE *f = fopen("/proc/self/status", "re");
    char line[128];
    while (f && fgets(line, sizeof line, f))
        sscanf(line, "VmSize: %lld", &vm_kb);
    if (f)
        fclose(f);
    struct rlimit as = {(rlim_t)(vm_kb + 512) * 1024, (rlim_t)(vm_kb + 512) * 1024};
    cr_assert_eq(setrlimit(RLIMIT_AS, &as), 0, "setrlimit AS: %s", strerror(errno));

    int rc = s->run(&w, t, &rep);
    size_t errors = 0;
    for (size_t k = 0; k < n; k++) {
        if (t[k].error) {
            errors++;
            cr_assert(t[k].error == CB_ERR_SPAWN || t[k].error == CB_ERR_NOMEM ||
                          t[k].error == CB_ERR_EMFILE,
                      "%s: task %zu: unexpected error %s", s->name, k, cb_error_name(t[k].error));
        } else {
            cr_assert(t[k].finished_ns && t[k].value == k,
                      "%s: slot %zu neither done nor failed (rc %d)", s->name, k, rc);
        }
    }
    cr_assert_gt(errors, 0, "%s: every task ran although resources were denied", s->name);
    free(t);
}

#define CB_STRATEGY(sn)                                                                            \
    Test(sn, hundred_sleeps_in_order, .timeout = 30)                                               \
    {                                                                                              \
        const struct cb_strategy *s = cb_strategy_find(#sn);                                       \
        cr_assert_not_null(s);                                                                     \
        if (strcmp(#sn, "sequential") == 0)                                                        \
            check_sleeps(s, 10, 50 * MS);                                                          \
        else                                                                                       \
            /* 300 ms, not 50: spawning 100 processes takes ~100 ms in                             \
             * the ASan build, and all must overlap. */                                            \
            check_sleeps(s, 100, 300 * MS);                                                        \
    }                                                                                              \
    Test(sn, pool_respects_max_in_flight, .timeout = 30)                                           \
    {                                                                                              \
        check_pool(cb_strategy_find(#sn));                                                         \
    }                                                                                              \
    Test(sn, denied_resources_are_reported, .timeout = 60)                                         \
    {                                                                                              \
        if (strcmp(#sn, "sequential") == 0)                                                        \
            cr_skip_test("sequential sleeps need no descriptor nor memory per task");              \
        if (SANITIZED)                                                                             \
            cr_skip_test("a sanitizer's shadow memory cannot live under RLIMIT_AS; "               \
                         "this test runs in the release suite");                                   \
        check_denied(cb_strategy_find(#sn));                                                       \
    }
#include "list.h"

Test(registry, every_listed_strategy_is_found)
{
    size_t n = 0;
#define CB_STRATEGY(sn)                                                                            \
    cr_assert_not_null(cb_strategy_find(#sn), "%s missing", #sn);                                  \
    cr_assert_str_eq(cb_strategy_find(#sn)->name, #sn);                                            \
    n++;
#include "list.h"
#define CB_EXTERNAL(name, sm, lang, ws, fl, pkg, ver, cmd)                                         \
    cr_assert_not_null(cb_strategy_find(name), "%s missing", name);                                \
    cr_assert_not_null(cb_strategy_find(name)->external);                                          \
    n++;
#include "external.h"
    size_t reg = 0;
    while (cb_strategies[reg])
        reg++;
    cr_assert_eq(reg, n, "registry has %zu, list.h + external.h %zu", reg, n);
    cr_assert_null(cb_strategy_find("nope"));
}
