/*
 * evloop.h: the one event loop that the epoll and coro strategies and the
 * test server share: epoll for file descriptors, a min-heap for timers,
 * and one "alarm" (a single re-armable timer, which is what libcurl's
 * multi_socket API asks for).
 *
 * Not thread-safe: one loop belongs to one thread.
 */
#ifndef CB_EVLOOP_H
#define CB_EVLOOP_H

#include <stddef.h>
#include <stdint.h>

struct evl;

/* Timer callback: the timer was due. The entry is already off the heap. */
typedef void (*evl_timer_cb)(struct evl *l, void *arg);

/* I/O callback: events is the epoll event mask (EPOLLIN, EPOLLOUT...). */
typedef void (*evl_io_cb)(struct evl *l, int fd, uint32_t events, void *arg);

/*
 * Timers are not cancellable: a user who needs to re-arm keeps its own
 * deadline and ignores a stale entry when it fires (the test server does
 * this for idle timeouts). This keeps an entry at 24 bytes, which matters
 * with a million timers.
 */
struct evl_timer {
    uint64_t deadline_ns; /* CLOCK_MONOTONIC */
    evl_timer_cb cb;
    void *arg;
};

/* A binary min-heap of timers, ordered by deadline. */
struct evl_heap {
    struct evl_timer *v;
    size_t len, cap;
};

/* 0 or -ENOMEM. cap_hint: expected peak entries (0: small). */
int evl_heap_init(struct evl_heap *h, size_t cap_hint);
void evl_heap_fini(struct evl_heap *h);
/* 0 or -ENOMEM (the heap is unchanged then). */
int evl_heap_push(struct evl_heap *h, uint64_t deadline_ns, evl_timer_cb cb, void *arg);
/* The earliest entry, or NULL when empty. Valid until the next push/pop. */
static inline const struct evl_timer *evl_heap_peek(const struct evl_heap *h)
{
    return h->len ? &h->v[0] : NULL;
}
/* Remove the earliest entry into *out. The heap must not be empty. */
void evl_heap_pop(struct evl_heap *h, struct evl_timer *out);

/*
 * Timers whose deadlines arrive in order (every task sleeping the same D,
 * every connection with the same idle timeout) need no heap: the loop
 * appends a timer to this FIFO when its deadline is not earlier than the
 * last one queued and its callback is the FIFO's, in O(1) and in
 * sequential memory, and uses the heap for the others. The earliest timer
 * is the earlier of the two heads. One callback for the whole FIFO keeps
 * an entry at 16 bytes: a million sleeping tasks save 8 MB.
 */
struct evl_fifo_entry {
    uint64_t deadline_ns;
    void *arg;
};

struct evl_fifo {
    struct evl_fifo_entry *v;
    size_t head, tail, cap; /* live entries are v[head..tail) */
    evl_timer_cb cb;        /* of every entry */
};

/* Registration of one fd; the caller owns the storage, which must outlive
 * the registration. The loop finds it through a table indexed by fd (not
 * through epoll's data pointer), so a callback may delete and free another
 * registration whose events are still pending in the same batch: those
 * events are dropped. A callback must tolerate a spurious event (an fd
 * closed and reused within one batch), as every non-blocking handler
 * does anyway. */
struct evl_io {
    evl_io_cb cb;
    void *arg;
};

struct evl {
    int epfd;
    struct evl_heap timers; /* out-of-order timers */
    struct evl_fifo fifo;   /* in-order timers */
    uint64_t alarm_ns;      /* 0: not armed */
    evl_timer_cb alarm_cb;
    void *alarm_arg;
    struct evl_io **ios; /* by fd */
    size_t ios_cap;
    size_t nfds; /* registered descriptors: the loop runs while any are */
    int stop;
    void *data; /* for the loop's user */
};

/* 0 or a negative errno (epoll_create1, -ENOMEM). timer_hint: how many
 * timers may be pending at once (sizes the FIFO once, so a million timers
 * are not copied by doubling reallocations). */
int evl_init(struct evl *l, size_t timer_hint);
void evl_fini(struct evl *l);

/* Add a timer that fires at deadline_ns. 0 or -ENOMEM. Timers added in
 * deadline order fire in the order they were added; the order among equal
 * deadlines of out-of-order timers is not defined. */
int evl_timer_add(struct evl *l, uint64_t deadline_ns, evl_timer_cb cb, void *arg);

/* Arm (or re-arm) the loop's single alarm; deadline 0 disarms it. */
void evl_alarm_set(struct evl *l, uint64_t deadline_ns, evl_timer_cb cb, void *arg);

/* Watch fd for events; 0, -ENOMEM, or a negative errno from epoll_ctl. */
int evl_io_add(struct evl *l, int fd, uint32_t events, struct evl_io *io);
int evl_io_mod(struct evl *l, int fd, uint32_t events, struct evl_io *io);
/* Stop watching fd (call before closing it). 0 or a negative errno. */
int evl_io_del(struct evl *l, int fd);

/*
 * Run until evl_stop() is called or nothing is left to wait for (no timer,
 * no alarm, no fd). Returns 0, or a negative errno if epoll_wait failed
 * for a reason other than EINTR.
 */
int evl_run(struct evl *l);

/* Make evl_run() return after the current callback. */
static inline void evl_stop(struct evl *l)
{
    l->stop = 1;
}

#endif
