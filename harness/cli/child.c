/* child.c: a measured C run, in its own fresh process. See child.h. */
#include "child.h"
#include "cb_limits.h"
#include "work.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define RESULT_FD 3

/*
 * Peak RSS of this process's address space (VmHWM), all threads. Not
 * getrusage's ru_maxrss: Linux carries that across exec from the address
 * space the process had before, so a run forked from a big harness would
 * report the harness's memory as its own. VmHWM belongs to the new mm.
 */
static uint64_t hwm_kb(void)
{
    long long v = cb_proc_field("/proc/self/status", "VmHWM:");
    return v < 0 ? 0 : (uint64_t)v;
}

static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len) {
        ssize_t r = read(fd, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

static uint64_t tv_ns(struct timeval tv)
{
    return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

/* User and system CPU of this process and of its reaped children. */
static void cpu_now(uint64_t *user, uint64_t *sys)
{
    struct rusage self, kids;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    *user = tv_ns(self.ru_utime) + tv_ns(kids.ru_utime);
    *sys = tv_ns(self.ru_stime) + tv_ns(kids.ru_stime);
}

/* Run the strategy between "go" and the result, CPU and time around it. */
static void measured_run(const struct cb_strategy *s, const struct cb_workload *w,
                         struct cb_task *tasks, struct cb_child_result *r)
{
    uint64_t u0, s0, u1, s1;
    cpu_now(&u0, &s0);
    r->t_run0 = cb_now_ns();
    r->rc = s->run(w, tasks, &r->rep);
    r->t_run1 = cb_now_ns();
    cpu_now(&u1, &s1);
    r->user_ns = u1 - u0;
    r->sys_ns = s1 - s0;
}

int cb_child_main(void)
{
    struct cb_child_spec sp;
    struct cb_child_result r = {.magic = CB_RESULT_MAGIC};
    if (read_all(0, &sp, sizeof sp) || sp.magic != CB_SPEC_MAGIC ||
        sp.version != CB_CHILD_VERSION || sp.size != sizeof sp)
        return 2;
    char *url = malloc((size_t)sp.url_len + 1);
    const struct cb_strategy *s = cb_strategy_find(sp.strategy);
    if (!url || read_all(0, url, sp.url_len) || !s || !s->run || sp.kind < 0 ||
        sp.kind >= CB_KIND_COUNT)
        return 2;
    url[sp.url_len] = '\0';
    struct cb_workload w = {.kind = (enum cb_kind)sp.kind,
                            .n = sp.n,
                            .max_in_flight = sp.max_in_flight,
                            .sleep_ns = sp.sleep_ns,
                            .timeout_ns = sp.timeout_ns,
                            .url = url};
    /* Once, before any thread or fork, and only for the workload that
     * needs it: a sleep run does not pay libcurl's and OpenSSL's
     * initialisation in its memory. */
    if (cb_wl(&w)->global_init && cb_wl(&w)->global_init())
        return 2;
    /* calloc of a large array maps zero pages: none is resident until the
     * strategy writes its slot, so slots count in the run, not before. */
    struct cb_task *tasks = calloc(w.n ? w.n : 1, sizeof *tasks);
    struct cb_child_ready ready = {.magic = CB_READY_MAGIC, .hwm_kb = hwm_kb()};
    char go = 0;
    if (cb_write_all(RESULT_FD, &ready, sizeof ready) || read_all(0, &go, 1) || go != 'g')
        return 0; /* the harness went away or said stop: nothing to do */
    if (!tasks)
        r.rc = -ENOMEM;
    else
        measured_run(s, &w, tasks, &r);
    r.hwm_kb = hwm_kb();
    r.n = tasks ? w.n : 0;
    if (cb_write_all(RESULT_FD, &r, sizeof r) ||
        cb_write_all(RESULT_FD, tasks, r.n * sizeof *tasks))
        return 1;
    /* No free() and no curl cleanup: the process ends here, and a million
     * frees are not free. */
    return 0;
}
