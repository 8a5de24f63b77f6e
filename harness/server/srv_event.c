/*
 * srv_event.c: the event model. One epoll loop (evloop.h). A connection is
 * a small state machine READ -> WAIT (a timer) -> WRITE -> READ ... with no
 * buffer of its own unless a request arrives in pieces; bodies are sent
 * straight from a shared read-only pattern. While a connection waits, the
 * loop watches it for the client going away, and computes the checksum of
 * a big body a slice at a time (struct sum_job), so no request holds up
 * the others.
 */
#include "evloop.h"
#include "srv_internal.h"
#include "strategy.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

enum conn_state { CS_READ, CS_WAIT, CS_WRITE };
enum { W_DONE, W_PENDING, W_CLOSED };

struct conn {
    struct evl_io io;
    int fd;
    uint32_t gen;           /* tells this connection from an earlier one on
                               the same fd, for timers that fire late */
    uint8_t state;          /* enum conn_state */
    uint8_t close_after;    /* close once the response is out */
    uint8_t reset;          /* reset once the response (cut short) is out */
    uint8_t due;            /* WAIT: the latency is over */
    struct sum_job *job;    /* WAIT: the body's checksum, being computed */
    uint32_t events;        /* the epoll mask registered now */
    uint64_t deadline_ns;   /* READ: request due by; WRITE: progress due by */
    uint64_t idle_armed_ns; /* the pending idle timer entry, 0: none */
    char *pend;             /* bytes received and not parsed yet */
    uint32_t plen;
    struct srv_out out;
    char head[SRV_RESP_HEAD_MAX];
};

/* A checksum computed in slices on the loop (srv_http.h's srv_sum), for a
 * body too big to sum at once. The connection waits in CS_WAIT meanwhile;
 * job->c is NULL once the connection is gone. */
struct sum_job {
    struct srv_sum sum;
    struct srv_req req;
    struct conn *c;
    struct sum_job *next;
};

/* One slice: about 1.5 ms of FNV-1a. Two a loop iteration at most, so other
 * connections wait a few milliseconds, never the whole body. */
#define SUM_SLICE  (1u << 20)
#define SUM_SLICES 2

struct ev_srv {
    struct srv_ctx *x;
    struct evl loop;
    int sfd, spare;
    int jfd;                       /* an eventfd, readable while jobs wait */
    struct sum_job *jhead, *jtail; /* round robin */
    struct evl_io lio, sio, jio;
    struct conn **tab; /* by fd */
    size_t tabcap;
    uint32_t gen;
    char *scratch; /* SRV_HEAD_MAX bytes, for reading */
};

/*
 * Timers cannot be cancelled (evloop.h), and a connection may be gone when
 * its timer fires, so a timer carries no pointer: its argument packs the
 * fd, the connection's generation and the kind of timer. A timer whose
 * generation does not match the connection now on that fd is stale.
 */
enum { T_IDLE = 0, T_DUE = 1 };
_Static_assert(sizeof(uintptr_t) >= 8, "timer keys need 64-bit pointers");

static void *tkey(const struct conn *c, unsigned kind)
{
    return (void *)(uintptr_t)((uint64_t)(uint32_t)c->fd | (uint64_t)c->gen << 32 |
                               (uint64_t)kind << 63);
}

static void ev_close(struct ev_srv *s, struct conn *c, enum srv_close_how how)
{
    if (c->job)
        c->job->c = NULL; /* the job is freed when its turn comes */
    evl_io_del(&s->loop, c->fd);
    srv_sock_close(c->fd, how);
    s->tab[c->fd] = NULL;
    free(c->pend);
    free(c);
}

/* 0 or a negative errno from epoll_ctl. */
static int ev_set_events(struct ev_srv *s, struct conn *c, uint32_t events)
{
    if (c->events == events)
        return 0;
    int rc = evl_io_mod(&s->loop, c->fd, events, &c->io);
    if (rc == 0)
        c->events = events;
    return rc;
}

static void ev_timer_cb(struct evl *l, void *arg);

/* Make sure a timer fires at or before c->deadline_ns. Deadlines only move
 * later, so one pending entry is enough: when it fires early it re-arms
 * itself (ev_timer_cb). This keeps the heap at about one entry per
 * connection however many requests a keep-alive connection makes. */
static int ev_arm_idle(struct ev_srv *s, struct conn *c)
{
    if (c->idle_armed_ns)
        return 0;
    int rc = evl_timer_add(&s->loop, c->deadline_ns, ev_timer_cb, tkey(c, T_IDLE));
    if (rc == 0)
        c->idle_armed_ns = c->deadline_ns;
    return rc;
}

/* Send what the socket takes of c's response. W_DONE: the response is out
 * and c reads the next request; W_PENDING: waiting for EPOLLOUT; W_CLOSED:
 * c is gone (an error, or the response asked for close or reset). */
static int ev_write(struct ev_srv *s, struct conn *c, uint64_t now)
{
    uint64_t idle = s->x->c.idle_timeout_ns;
    size_t sent = 0;
    ssize_t w;

    c->state = CS_WRITE;
    c->deadline_ns = now + idle;
    /* Level-triggered: stop after 1 MiB so one big body does not starve
     * the other connections; EPOLLOUT brings us back. */
    while (sent < (1u << 20) && (w = srv_out_send(c->fd, c->head, &c->out)) != 0) {
        if (w == -EINTR)
            continue;
        if (w == -EAGAIN)
            break;
        if (w < 0) {
            ev_close(s, c, CLOSE_PLAIN);
            return W_CLOSED;
        }
        sent += (size_t)w;
    }
    if (c->out.hoff < c->out.hlen || c->out.boff < c->out.bend) {
        if (ev_set_events(s, c, EPOLLOUT) || ev_arm_idle(s, c)) {
            ev_close(s, c, CLOSE_PLAIN);
            return W_CLOSED;
        }
        return W_PENDING;
    }
    if (c->reset || c->close_after) {
        ev_close(s, c, c->reset ? CLOSE_RESET : CLOSE_GRACEFUL);
        return W_CLOSED;
    }
    c->state = CS_READ;
    c->deadline_ns = now + idle;
    if (ev_set_events(s, c, EPOLLIN) || ev_arm_idle(s, c)) {
        ev_close(s, c, CLOSE_PLAIN);
        return W_CLOSED;
    }
    return W_DONE;
}

/* Queue a checksum job for c's body; the loop's jfd turns readable. */
static int ev_job_add(struct ev_srv *s, struct conn *c, const struct srv_req *r)
{
    struct sum_job *j = malloc(sizeof *j);
    if (!j)
        return -ENOMEM;
    srv_sum_init(&j->sum, r->body_bytes);
    j->req = *r;
    j->c = c;
    j->next = NULL;
    c->job = j;
    if (!s->jhead) {
        uint64_t one = 1;
        if (write(s->jfd, &one, sizeof one) != sizeof one) {
            free(j);
            c->job = NULL;
            return -EIO;
        }
        s->jhead = j;
    } else {
        s->jtail->next = j;
    }
    s->jtail = j;
    return 0;
}

/* Begin answering r: wait for its latency on a timer, or write now. The
 * checksum of a big body that is not cached is computed meanwhile, in
 * slices (ev_job_cb); the response goes when both are done. */
static int ev_start(struct ev_srv *s, struct conn *c, const struct srv_req *r, uint64_t now)
{
    uint64_t sum = 0;
    bool have_sum = r->error || srv_body_checksum_get(r->body_bytes, &sum);
    c->close_after = !r->keep_alive || r->error;
    c->reset = !r->error && r->reset_after != UINT64_MAX;
    if (have_sum)
        srv_out_prepare(c->head, &c->out, r, r->keep_alive, sum);
    if (have_sum && (r->error || r->latency_ns == 0))
        return ev_write(s, c, now);
    c->state = CS_WAIT;
    c->due = r->error || r->latency_ns == 0;
    /* Only EPOLLRDHUP while waiting: a client that goes away is noticed
     * at once, and the next pipelined request stays in the socket
     * (backpressure); EPOLLERR/EPOLLHUP arrive anyway. */
    if ((!have_sum && ev_job_add(s, c, r)) || ev_set_events(s, c, EPOLLRDHUP) ||
        (!c->due && evl_timer_add(&s->loop, now + r->latency_ns, ev_timer_cb, tkey(c, T_DUE)))) {
        ev_close(s, c, CLOSE_PLAIN);
        return W_CLOSED;
    }
    return W_PENDING;
}

/* Serve every complete request in buf[0..len); keep the rest in c->pend.
 * c->pend must be empty. Returns false when c was closed. */
static bool ev_feed(struct ev_srv *s, struct conn *c, const char *buf, size_t len, uint64_t now)
{
    const struct srv_config *cfg = &s->x->c;
    size_t off = 0;
    while (c->state == CS_READ) {
        struct srv_req r;
        size_t n = srv_http_parse(buf + off, len - off, cfg->latency_ns, cfg->body_bytes, &r);
        if (n == 0)
            break;
        off = r.error ? len : off + n;
        int rc = ev_start(s, c, &r, now);
        if (rc == W_CLOSED)
            return false;
    }
    if (off < len) {
        c->pend = malloc(len - off);
        if (!c->pend) {
            ev_close(s, c, CLOSE_PLAIN);
            return false;
        }
        memcpy(c->pend, buf + off, len - off);
        c->plen = (uint32_t)(len - off);
    }
    return true;
}

/* After a response went out from a timer or EPOLLOUT: serve any request
 * that was already received behind it (pipelining). */
static void ev_resume(struct ev_srv *s, struct conn *c, uint64_t now)
{
    if (c->plen == 0)
        return;
    size_t len = c->plen;
    memcpy(s->scratch, c->pend, len);
    free(c->pend);
    c->pend = NULL;
    c->plen = 0;
    ev_feed(s, c, s->scratch, len, now);
}

static void ev_read(struct ev_srv *s, struct conn *c, uint64_t now)
{
    size_t have = c->plen;
    if (have)
        memcpy(s->scratch, c->pend, have);
    ssize_t n = recv(c->fd, s->scratch + have, SRV_HEAD_MAX - have, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return; /* spurious (or an event meant for an earlier fd) */
    if (n <= 0) {
        ev_close(s, c, CLOSE_PLAIN);
        return;
    }
    free(c->pend);
    c->pend = NULL;
    c->plen = 0;
    ev_feed(s, c, s->scratch, have + (size_t)n, now);
}

static void ev_conn_cb(struct evl *l, int fd, uint32_t events, void *arg)
{
    struct ev_srv *s = l->data;
    struct conn *c = arg;
    uint64_t now = cb_now_ns();
    (void)fd;

    switch (c->state) {
    case CS_READ:
        ev_read(s, c, now);
        break;
    case CS_WRITE:
        if (ev_write(s, c, now) == W_DONE)
            ev_resume(s, c, now);
        break;
    case CS_WAIT:
        /* Only RDHUP/ERR/HUP arrive here: the client closed (or shut down
         * its side, which for a GET means the same: nobody will read the
         * answer), and level-triggered they would repeat. Free the
         * connection now, not when the latency ends. Check first: the
         * event may be for an earlier socket on this fd. */
        if (events & (EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
            struct pollfd p = {.fd = c->fd, .events = POLLRDHUP};
            if (poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLERR | POLLHUP)))
                ev_close(s, c, CLOSE_PLAIN);
        }
        break;
    }
}

static void ev_timer_cb(struct evl *l, void *arg)
{
    struct ev_srv *s = l->data;
    uint64_t key = (uint64_t)(uintptr_t)arg;
    int fd = (int)(uint32_t)key;
    uint32_t gen = (uint32_t)(key >> 32) & 0x7fffffffu;
    struct conn *c = (size_t)fd < s->tabcap ? s->tab[fd] : NULL;
    if (!c || c->gen != gen)
        return; /* stale: that connection is gone */
    uint64_t now = cb_now_ns();

    if (key >> 63 == T_DUE) {
        if (c->state != CS_WAIT)
            return;
        c->due = 1;
        if (!c->job && ev_write(s, c, now) == W_DONE)
            ev_resume(s, c, now);
        return;
    }
    c->idle_armed_ns = 0;
    if (c->state == CS_WAIT)
        return; /* the request's own timer is pending; re-armed after it */
    if (now >= c->deadline_ns || ev_arm_idle(s, c))
        ev_close(s, c, CLOSE_PLAIN);
}

/* The checksum of job j is done: answer its connection if it is still
 * there and its latency is over. */
static void ev_job_done(struct ev_srv *s, struct sum_job *j, uint64_t now)
{
    struct conn *c = j->c;
    srv_body_checksum_put(j->sum.len, j->sum.h);
    if (!c)
        return;
    c->job = NULL;
    srv_out_prepare(c->head, &c->out, &j->req, j->req.keep_alive, j->sum.h);
    if (c->due && ev_write(s, c, now) == W_DONE)
        ev_resume(s, c, now);
}

/* jfd is readable while jobs wait: level-triggered epoll calls this once
 * a loop iteration, between the other events, until the queue is empty. */
static void ev_job_cb(struct evl *l, int fd, uint32_t events, void *arg)
{
    struct ev_srv *s = arg;
    (void)l, (void)events;
    for (int i = 0; i < SUM_SLICES && s->jhead; i++) {
        struct sum_job *j = s->jhead;
        s->jhead = j->next;
        if (!s->jhead)
            s->jtail = NULL;
        j->next = NULL;
        if (j->c && !srv_sum_step(&j->sum, SUM_SLICE)) {
            if (s->jtail) /* not done: to the back of the queue */
                s->jtail->next = j;
            else
                s->jhead = j;
            s->jtail = j;
            continue;
        }
        if (j->c)
            ev_job_done(s, j, cb_now_ns());
        free(j);
    }
    uint64_t v;
    if (!s->jhead && read(fd, &v, sizeof v) < 0 && errno != EAGAIN)
        evl_stop(l); /* cannot happen with an eventfd; do not spin */
}

/* 0, or a negative errno (the fd is closed then). */
static int ev_conn_new(struct ev_srv *s, int fd, uint64_t now)
{
    int rc = -ENOMEM;
    if ((size_t)fd >= s->tabcap) {
        size_t cap = s->tabcap ? s->tabcap : 1024;
        while (cap <= (size_t)fd)
            cap *= 2;
        struct conn **t = realloc(s->tab, cap * sizeof *t);
        if (!t)
            goto fail;
        memset(t + s->tabcap, 0, (cap - s->tabcap) * sizeof *t);
        s->tab = t;
        s->tabcap = cap;
    }
    struct conn *c = calloc(1, sizeof *c);
    if (!c)
        goto fail;
    c->fd = fd;
    c->gen = ++s->gen & 0x7fffffffu;
    c->state = CS_READ;
    c->io = (struct evl_io){ev_conn_cb, c};
    c->deadline_ns = now + s->x->c.idle_timeout_ns;
    /* The responses are latency probes: never hold one back for Nagle. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    rc = evl_io_add(&s->loop, fd, EPOLLIN, &c->io);
    if (rc) {
        free(c);
        goto fail;
    }
    c->events = EPOLLIN;
    s->tab[fd] = c;
    rc = ev_arm_idle(s, c);
    if (rc)
        ev_close(s, c, CLOSE_PLAIN);
    return rc;
fail:
    close(fd);
    return rc;
}

static void ev_accept_cb(struct evl *l, int fd, uint32_t events, void *arg);

static void ev_unpause_cb(struct evl *l, void *arg)
{
    struct ev_srv *s = arg;
    evl_io_mod(l, s->x->lfd, EPOLLIN, &s->lio);
}

/* Stop accepting for 100 ms: the listening socket stays readable while
 * accept() fails, so level-triggered epoll would otherwise spin. */
static void ev_pause_accept(struct ev_srv *s)
{
    if (evl_timer_add(&s->loop, cb_now_ns() + 100 * NS_PER_MS, ev_unpause_cb, s) == 0)
        evl_io_mod(&s->loop, s->x->lfd, 0, &s->lio);
}

/* Out of descriptors: the classic trick. Free the spare fd, accept the
 * oldest waiting connection and close it at once (the client sees a close
 * instead of hanging in the backlog), take the spare back. 1: shed one;
 * 0: nothing was waiting; -1: no spare, pause instead. */
static int ev_shed_one(struct ev_srv *s)
{
    if (s->spare < 0)
        return -1;
    close(s->spare);
    int fd = accept4(s->x->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0)
        close(fd);
    s->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd >= 0 ? 1 : 0;
}

static void ev_accept_cb(struct evl *l, int fd, uint32_t events, void *arg)
{
    struct ev_srv *s = arg;
    uint64_t now = cb_now_ns();
    (void)l, (void)events;

    /* Until EAGAIN, but bounded: level-triggered epoll calls again. */
    for (int i = 0; i < 1024; i++) {
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd >= 0) {
            ev_conn_new(s, cfd, now);
            continue;
        }
        switch (errno) {
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
            return;
        /* Linux passes a connection's pending network errors to accept();
         * they concern that connection only. */
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
        case EPERM:
        case ENETDOWN:
        case ENOPROTOOPT:
        case EHOSTDOWN:
        case ENONET:
        case EHOSTUNREACH:
        case EOPNOTSUPP:
        case ENETUNREACH:
            continue;
        case EMFILE:
        case ENFILE: {
            int r = ev_shed_one(s);
            if (r > 0)
                continue;
            if (r < 0)
                ev_pause_accept(s);
            return;
        }
        default: /* ENOBUFS, ENOMEM: the kernel is short; try again later */
            ev_pause_accept(s);
            return;
        }
    }
}

static void ev_signal_cb(struct evl *l, int fd, uint32_t events, void *arg)
{
    struct signalfd_siginfo si;
    (void)events, (void)arg;
    if (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
        evl_stop(l);
}

/* Close every connection and free every job, at the end of ev_serve. */
static void ev_free_all(struct ev_srv *s)
{
    for (size_t i = 0; i < s->tabcap; i++)
        if (s->tab[i])
            ev_close(s, s->tab[i], CLOSE_PLAIN);
    while (s->jhead) {
        struct sum_job *j = s->jhead;
        s->jhead = j->next;
        free(j);
    }
    free(s->tab);
    free(s->scratch);
}

int srv_event_serve(struct srv_ctx *x)
{
    struct ev_srv s = {.x = x, .sfd = -1, .spare = -1, .jfd = -1};
    sigset_t set;
    int rc = evl_init(&s.loop, 1024);
    if (rc)
        return rc;
    s.loop.data = &s;
    rc = -ENOMEM;
    s.scratch = malloc(SRV_HEAD_MAX);
    if (!s.scratch)
        goto out;
    s.spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    s.sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    s.jfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s.sfd < 0 || s.jfd < 0) {
        rc = -errno;
        goto out;
    }
    s.lio = (struct evl_io){ev_accept_cb, &s};
    s.sio = (struct evl_io){ev_signal_cb, &s};
    s.jio = (struct evl_io){ev_job_cb, &s};
    if ((rc = evl_io_add(&s.loop, x->lfd, EPOLLIN, &s.lio)) ||
        (rc = evl_io_add(&s.loop, s.sfd, EPOLLIN, &s.sio)) ||
        (rc = evl_io_add(&s.loop, s.jfd, EPOLLIN, &s.jio)))
        goto out;
    srv_ready(x);
    rc = evl_run(&s.loop);
out:
    ev_free_all(&s);
    evl_io_del(&s.loop, s.jfd);
    evl_io_del(&s.loop, s.sfd);
    evl_io_del(&s.loop, x->lfd);
    if (s.jfd >= 0)
        close(s.jfd);
    if (s.sfd >= 0)
        close(s.sfd);
    if (s.spare >= 0)
        close(s.spare);
    evl_fini(&s.loop);
    return rc;
}
