/* evloop.c: epoll + a timer min-heap + one alarm. See evloop.h. */
#include "evloop.h"
#include "strategy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

int evl_heap_init(struct evl_heap *h, size_t cap_hint)
{
    h->len = 0;
    h->cap = cap_hint ? cap_hint : 64;
    h->v = malloc(h->cap * sizeof *h->v);
    return h->v ? 0 : -ENOMEM;
}

void evl_heap_fini(struct evl_heap *h)
{
    free(h->v);
    h->v = NULL;
    h->len = h->cap = 0;
}

int evl_heap_push(struct evl_heap *h, uint64_t deadline_ns, evl_timer_cb cb, void *arg)
{
    if (h->len == h->cap) {
        size_t cap = h->cap * 2;
        struct evl_timer *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        h->v = v;
        h->cap = cap;
    }
    /* Sift up. Equal deadlines keep insertion order only approximately;
     * nobody relies on it. */
    size_t i = h->len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h->v[parent].deadline_ns <= deadline_ns)
            break;
        h->v[i] = h->v[parent];
        i = parent;
    }
    h->v[i] = (struct evl_timer){deadline_ns, cb, arg};
    return 0;
}

void evl_heap_pop(struct evl_heap *h, struct evl_timer *out)
{
    *out = h->v[0];
    struct evl_timer last = h->v[--h->len];
    size_t n = h->len, i = 0;
    /* Sift the last entry down from the root. */
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && h->v[c + 1].deadline_ns < h->v[c].deadline_ns)
            c++;
        if (last.deadline_ns <= h->v[c].deadline_ns)
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (n)
        h->v[i] = last;
}

/* Append to the FIFO; the caller checked the order and the callback.
 * 0 or -ENOMEM. */
static int fifo_push(struct evl_fifo *f, uint64_t deadline_ns, evl_timer_cb cb, void *arg)
{
    if (f->tail == f->cap) {
        if (f->head >= f->cap / 2) {
            /* Half of it is consumed: slide the live part down instead of
             * growing. Each entry moves at most once per halving. */
            memmove(f->v, f->v + f->head, (f->tail - f->head) * sizeof *f->v);
            f->tail -= f->head;
            f->head = 0;
        } else {
            size_t cap = f->cap ? f->cap * 2 : 64;
            struct evl_fifo_entry *v = realloc(f->v, cap * sizeof *v);
            if (!v)
                return -ENOMEM;
            f->v = v;
            f->cap = cap;
        }
    }
    f->v[f->tail++] = (struct evl_fifo_entry){deadline_ns, arg};
    f->cb = cb;
    return 0;
}

int evl_init(struct evl *l, size_t timer_hint)
{
    *l = (struct evl){.epfd = -1};
    int rc = evl_heap_init(&l->timers, 0);
    if (rc)
        return rc;
    l->fifo.cap = timer_hint ? timer_hint : 64;
    l->fifo.v = malloc(l->fifo.cap * sizeof *l->fifo.v);
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (!l->fifo.v || l->epfd < 0) {
        rc = l->fifo.v ? -errno : -ENOMEM;
        evl_fini(l);
        return rc;
    }
    return 0;
}

void evl_fini(struct evl *l)
{
    if (l->epfd >= 0)
        close(l->epfd);
    l->epfd = -1;
    free(l->fifo.v);
    l->fifo = (struct evl_fifo){0};
    free(l->ios);
    l->ios = NULL;
    l->ios_cap = 0;
    evl_heap_fini(&l->timers);
}

int evl_timer_add(struct evl *l, uint64_t deadline_ns, evl_timer_cb cb, void *arg)
{
    struct evl_fifo *f = &l->fifo;
    if (f->head == f->tail || (f->cb == cb && f->v[f->tail - 1].deadline_ns <= deadline_ns))
        return fifo_push(f, deadline_ns, cb, arg);
    return evl_heap_push(&l->timers, deadline_ns, cb, arg);
}

/* The earliest pending deadline (FIFO head or heap top) into *at; 0 when
 * no timer is pending, 1 when the FIFO's is the earliest, 2 the heap's. */
static int earliest(const struct evl *l, uint64_t *at)
{
    const struct evl_timer *h = evl_heap_peek(&l->timers);
    const struct evl_fifo *f = &l->fifo;
    int q = f->head < f->tail;
    if (q && (!h || f->v[f->head].deadline_ns <= h->deadline_ns)) {
        *at = f->v[f->head].deadline_ns;
        return 1;
    }
    if (h) {
        *at = h->deadline_ns;
        return 2;
    }
    return 0;
}

void evl_alarm_set(struct evl *l, uint64_t deadline_ns, evl_timer_cb cb, void *arg)
{
    l->alarm_ns = deadline_ns;
    l->alarm_cb = cb;
    l->alarm_arg = arg;
}

static int io_ctl(struct evl *l, int op, int fd, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};
    return epoll_ctl(l->epfd, op, fd, &ev) ? -errno : 0;
}

int evl_io_add(struct evl *l, int fd, uint32_t events, struct evl_io *io)
{
    if (fd < 0)
        return -EBADF;
    if ((size_t)fd >= l->ios_cap) {
        size_t cap = l->ios_cap ? l->ios_cap : 64;
        while (cap <= (size_t)fd)
            cap *= 2;
        struct evl_io **ios = realloc(l->ios, cap * sizeof *ios);
        if (!ios)
            return -ENOMEM;
        for (size_t i = l->ios_cap; i < cap; i++)
            ios[i] = NULL;
        l->ios = ios;
        l->ios_cap = cap;
    }
    int rc = io_ctl(l, EPOLL_CTL_ADD, fd, events);
    if (rc == 0) {
        l->ios[fd] = io;
        l->nfds++;
    }
    return rc;
}

int evl_io_mod(struct evl *l, int fd, uint32_t events, struct evl_io *io)
{
    int rc = io_ctl(l, EPOLL_CTL_MOD, fd, events);
    if (rc == 0)
        l->ios[fd] = io;
    return rc;
}

int evl_io_del(struct evl *l, int fd)
{
    int rc = io_ctl(l, EPOLL_CTL_DEL, fd, 0);
    if (rc == 0) {
        l->ios[fd] = NULL;
        l->nfds--;
    }
    return rc;
}

/* Fire every timer (and the alarm) due at or before now. Returns the
 * earliest deadline still pending, or 0 when none is. */
static uint64_t fire_due(struct evl *l, uint64_t now)
{
    uint64_t at;
    int which;
    while (!l->stop && (which = earliest(l, &at)) && at <= now) {
        if (which == 2) {
            struct evl_timer t;
            evl_heap_pop(&l->timers, &t);
            t.cb(l, t.arg);
        } else {
            struct evl_fifo *f = &l->fifo;
            void *arg = f->v[f->head++].arg;
            evl_timer_cb cb = f->cb;
            if (f->head == f->tail)
                f->head = f->tail = 0; /* empty: start again at the front */
            cb(l, arg);
        }
    }
    if (!l->stop && l->alarm_ns && l->alarm_ns <= now) {
        /* Disarm first: the callback may re-arm. */
        l->alarm_ns = 0;
        l->alarm_cb(l, l->alarm_arg);
    }
    uint64_t next = 0;
    if (!earliest(l, &next))
        next = 0;
    if (l->alarm_ns && (!next || l->alarm_ns < next))
        next = l->alarm_ns;
    return next;
}

/* epoll_pwait2 takes a nanosecond timeout (Linux 5.11); epoll_wait only
 * milliseconds, which would round every sleep up by up to 1 ms. */
static int wait_events(struct evl *l, struct epoll_event *evs, int max, uint64_t next, uint64_t now)
{
    static int have_pwait2 = 1;
    if (have_pwait2) {
        uint64_t d = next ? next - now : 0;
        struct timespec ts = {(time_t)(d / 1000000000u), (long)(d % 1000000000u)};
        int n = epoll_pwait2(l->epfd, evs, max, next ? &ts : NULL, NULL);
        if (n >= 0 || errno != ENOSYS)
            return n;
        have_pwait2 = 0;
    }
    int ms = -1;
    if (next)
        ms = (int)((next - now + 999999) / 1000000);
    return epoll_wait(l->epfd, evs, max, ms);
}

int evl_run(struct evl *l)
{
    struct epoll_event evs[256];
    l->stop = 0;
    while (!l->stop) {
        uint64_t now = cb_now_ns();
        uint64_t next = fire_due(l, now);
        if (l->stop || (!next && l->nfds == 0))
            break;
        if (next) {
            /* Callbacks took time: a deadline may have passed meanwhile. */
            now = cb_now_ns();
            if (next <= now)
                continue;
        }
        int n = wait_events(l, evs, 256, next, now);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        for (int i = 0; i < n && !l->stop; i++) {
            int fd = evs[i].data.fd;
            struct evl_io *io = l->ios[fd]; /* NULL: deleted in this batch */
            if (io)
                io->cb(l, fd, evs[i].events, io->arg);
        }
    }
    return 0;
}
