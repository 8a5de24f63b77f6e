/* test_evloop.c: the shared loop's timers (in-order FIFO and heap) and its
 * fd dispatch. */
#include "evloop.h"
#include "helpers.h"

#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

enum { N = 2000 };

struct fired {
    uint64_t deadline[N];
    int id[N];
    size_t n;
    uint64_t deadlines[N];
};

static struct fired rec;

static void fire_a(struct evl *l, void *arg)
{
    (void)l;
    int id = (int)(intptr_t)arg;
    rec.deadline[rec.n] = rec.deadlines[id];
    rec.id[rec.n++] = id;
}

static void fire_b(struct evl *l, void *arg)
{
    fire_a(l, arg); /* another callback: such timers cannot share the FIFO */
}

/* Random deadlines, two callbacks, some in order and some not: every timer
 * fires once, in deadline order. */
Test(evloop, timers_fire_once_in_deadline_order)
{
    struct evl l;
    cr_assert_eq(evl_init(&l, 16), 0);
    uint64_t now = cb_now_ns();
    srand(7);
    for (int i = 0; i < N; i++) {
        /* Half ascending (the FIFO's case), half random (the heap's). */
        uint64_t d = i % 2 ? now + (uint64_t)i * 1000 : now + (uint64_t)(rand() % 2000000);
        rec.deadlines[i] = d;
        cr_assert_eq(evl_timer_add(&l, d, i % 3 ? fire_a : fire_b, (void *)(intptr_t)i), 0);
    }
    cr_assert_eq(evl_run(&l), 0);
    cr_assert_eq(rec.n, N, "fired %zu of %d", rec.n, N);
    int seen[N] = {0};
    for (size_t k = 0; k < rec.n; k++) {
        cr_assert_eq(seen[rec.id[k]]++, 0, "timer %d fired twice", rec.id[k]);
        if (k)
            cr_assert_geq(rec.deadline[k], rec.deadline[k - 1], "timer %zu fired out of order", k);
    }
    evl_fini(&l);
    cb_leak_check();
}

/* Equal deadlines, one callback: the order they were added in. */
Test(evloop, equal_deadlines_keep_insertion_order)
{
    struct evl l;
    cr_assert_eq(evl_init(&l, 0), 0);
    uint64_t d = cb_now_ns();
    for (int i = 0; i < 100; i++) {
        rec.deadlines[i] = d;
        evl_timer_add(&l, d, fire_a, (void *)(intptr_t)i);
    }
    cr_assert_eq(evl_run(&l), 0);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(rec.id[i], i, "position %d holds timer %d", i, rec.id[i]);
    evl_fini(&l);
    cb_leak_check();
}

struct two_fds {
    struct evl_io io[2];
    int fd[2];
    int calls[2];
};

/* Whichever fires first deletes and closes the other: the other's event,
 * pending in the same batch, must not be delivered. */
static void io_cb(struct evl *l, int fd, uint32_t events, void *arg)
{
    struct two_fds *t = arg;
    int me = fd == t->fd[1];
    (void)events;
    t->calls[me]++;
    for (int i = 0; i < 2; i++) {
        if (t->fd[i] >= 0) {
            evl_io_del(l, t->fd[i]);
            close(t->fd[i]);
            t->fd[i] = -1;
        }
    }
}

Test(evloop, fd_deleted_in_a_batch_gets_no_event)
{
    struct evl l;
    struct two_fds t = {0};
    cr_assert_eq(evl_init(&l, 0), 0);
    for (int i = 0; i < 2; i++) {
        t.fd[i] = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC); /* readable now */
        t.io[i] = (struct evl_io){io_cb, &t};
        cr_assert_eq(evl_io_add(&l, t.fd[i], EPOLLIN, &t.io[i]), 0);
    }
    cr_assert_eq(evl_run(&l), 0); /* returns: no fd is left */
    cr_assert_eq(t.calls[0] + t.calls[1], 1, "calls %d + %d", t.calls[0], t.calls[1]);
    evl_fini(&l);
    cb_leak_check();
}
