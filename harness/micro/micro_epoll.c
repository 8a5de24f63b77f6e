/*
 * micro_epoll.c: one event-loop round trip on an eventfd: make it readable
 * (write), learn that it is (epoll_wait), consume it (read). Raw epoll
 * first, then the same through the shared loop of strategies/evloop.h, so
 * the loop's own overhead shows. One thread, no waiting: CPU time.
 */
#include "bench_shim.h"
#include "evloop.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

void micro_register_epoll(void);

/* Consume the eventfd's count, which must be 1. 0 or an errno. */
static int read_one(int efd)
{
    uint64_t got;
    ssize_t n = read(efd, &got, sizeof got);

    if (n < 0)
        return errno;
    return n == sizeof got && got == 1 ? 0 : EPROTO;
}

/* One round trip on raw epoll. 0, or an errno with *what naming the call
 * that failed. */
static int raw_roundtrip(int ep, int efd, const char **what)
{
    struct epoll_event ev;
    uint64_t one = 1;
    int n, err;

    if (write(efd, &one, sizeof one) != sizeof one) {
        *what = "write eventfd";
        return errno;
    }
    /* Timeout 0: the eventfd is already readable; blocking would turn a
     * lost event into a hang. */
    n = epoll_wait(ep, &ev, 1, 0);
    if (n != 1 || ev.data.fd != efd || !(ev.events & EPOLLIN)) {
        *what = "epoll_wait";
        return n < 0 ? errno : EPROTO;
    }
    if ((err = read_one(efd)))
        *what = "read eventfd";
    return err;
}

static void bm_epoll_raw(cbm_state *st, void *ctx)
{
    struct epoll_event ev = {.events = EPOLLIN};
    const char *what = NULL;
    int ep, efd, err = 0;

    (void)ctx;
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        cbm_skip_errno(st, "epoll_create1", errno);
        return;
    }
    efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) {
        err = errno, what = "eventfd";
        goto out;
    }
    ev.data.fd = efd;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) < 0) {
        err = errno, what = "epoll_ctl";
        goto out;
    }
    while (cbm_keep_running(st))
        if ((err = raw_roundtrip(ep, efd, &what)))
            break;
out:
    if (efd >= 0)
        close(efd);
    close(ep);
    if (what)
        cbm_skip_errno(st, what, err);
    else
        cbm_set_items_processed(st, cbm_iterations(st));
}

struct evl_rt {
    struct evl_io io;
    int fired;
    int err; /* errno of a failed read in the callback */
};

static void evl_rt_cb(struct evl *l, int fd, uint32_t events, void *arg)
{
    struct evl_rt *rt = arg;

    (void)events;
    rt->err = read_one(fd);
    rt->fired++;
    evl_stop(l);
}

static void bm_epoll_evl(cbm_state *st, void *ctx)
{
    struct evl l;
    struct evl_rt rt = {.io = {.cb = evl_rt_cb, .arg = &rt}};
    const char *what = NULL;
    uint64_t one = 1;
    int efd, rc, err = 0;

    (void)ctx;
    if ((rc = evl_init(&l, 0))) {
        cbm_skip_errno(st, "evl_init", -rc);
        return;
    }
    efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) {
        err = errno, what = "eventfd";
        goto out;
    }
    if ((rc = evl_io_add(&l, efd, EPOLLIN, &rt.io))) {
        err = -rc, what = "evl_io_add";
        goto out;
    }
    while (cbm_keep_running(st)) {
        if (write(efd, &one, sizeof one) != sizeof one) {
            err = errno, what = "write eventfd";
            break;
        }
        rt.fired = 0;
        if ((rc = evl_run(&l)) || rt.fired != 1 || rt.err) {
            err = rc ? -rc : rt.err ? rt.err : EPROTO, what = "evl_run";
            break;
        }
    }
    if ((rc = evl_io_del(&l, efd)) && !what)
        err = -rc, what = "evl_io_del";
out:
    if (efd >= 0)
        close(efd);
    evl_fini(&l);
    if (what)
        cbm_skip_errno(st, what, err);
    else
        cbm_set_items_processed(st, cbm_iterations(st));
}

/* Register this file's benchmarks (called once, from micro_main.c). */
void micro_register_epoll(void)
{
    cbm_register(&(struct cbm_def){.name = "epoll/eventfd_roundtrip", .fn = bm_epoll_raw});
    cbm_register(&(struct cbm_def){.name = "epoll/evl_eventfd_roundtrip", .fn = bm_epoll_evl});
}
