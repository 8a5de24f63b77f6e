/*
 * server.c: the test server's three models, its process control and its
 * command line. HTTP parsing and the body live in srv_http.c.
 *
 *   event     one epoll loop (evloop.h). A connection is a small state
 *             machine READ -> WAIT (a timer) -> WRITE -> READ ... with no
 *             buffer of its own unless a request arrives in pieces; bodies
 *             are sent straight from a shared read-only pattern.
 *   blocking  W threads blocking in accept() on one socket; one request per
 *             connection, a blocking sleep, Connection: close.
 *   prefork   the blocking worker loop in W forked processes.
 */
#include "server.h"
#include "evloop.h"
#include "parse.h"
#include "srv_http.h"
#include "strategy.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_S  1000000000ULL
#define NS_PER_MS 1000000ULL

/* Everything one srv_run() needs: the resolved config and the socket. */
struct srv_ctx {
    struct srv_config c; /* defaults filled in */
    int lfd;
    int port;
    int ready_fd;
    bool announce; /* srv_main: print the "listening on" line */
};

void srv_config_default(struct srv_config *c)
{
    *c = (struct srv_config){
        .host = "127.0.0.1",
        .port = 0,
        .model = SRV_EVENT,
        .workers = 1,
        .latency_ns = NS_PER_S,
        .body_bytes = 64,
        .idle_timeout_ns = 30 * NS_PER_S,
        .backlog = 0,
    };
}

static const char *const srv_model_names[] = {"event", "blocking", "prefork"};

const char *srv_model_name(enum srv_model m)
{
    return (unsigned)m < 3 ? srv_model_names[m] : "?";
}

int srv_model_parse(const char *s, enum srv_model *m)
{
    for (unsigned i = 0; s && i < 3; i++)
        if (strcmp(s, srv_model_names[i]) == 0) {
            *m = (enum srv_model)i;
            return 0;
        }
    return -EINVAL;
}

/* ---- shared pieces ------------------------------------------------------ */

/* A response on its way out: the head, then body bytes [boff, bend). */
struct srv_out {
    uint64_t boff, bend;
    uint16_t hlen, hoff;
};

/* One sendmsg of what is left of o (head and body in one call, so a small
 * response is one segment). Returns bytes sent (> 0), 0 when nothing is
 * left, or a negative errno (-EAGAIN: the socket buffer is full). */
static ssize_t out_send(int fd, const char *head, struct srv_out *o)
{
    struct iovec iov[2];
    int n = 0;
    if (o->hoff < o->hlen)
        iov[n++] = (struct iovec){(void *)(head + o->hoff), (size_t)(o->hlen - o->hoff)};
    if (o->boff < o->bend) {
        uint64_t left = o->bend - o->boff;
        size_t len = left > SRV_CHUNK ? SRV_CHUNK : (size_t)left;
        const unsigned char *p = srv_body_chunk(o->boff, &len);
        iov[n++] = (struct iovec){(void *)p, len};
    }
    if (n == 0)
        return 0;
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    /* MSG_NOSIGNAL: a client that went away is an error, not SIGPIPE. */
    ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0)
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    size_t h = o->hlen - o->hoff;
    if ((size_t)w <= h) {
        o->hoff = (uint16_t)(o->hoff + w);
    } else {
        o->hoff = o->hlen;
        o->boff += (size_t)w - h;
    }
    return w;
}

/* Prepare head and o for request r, or for its error response. */
static void out_prepare(char *head, struct srv_out *o, const struct srv_req *r, bool keep_alive)
{
    *o = (struct srv_out){0};
    if (r->error) {
        o->hlen = (uint16_t)srv_http_error(head, r->error);
        return;
    }
    o->hlen = (uint16_t)srv_http_head(head, r, keep_alive);
    o->bend = r->head_only ? 0 : r->body_bytes;
    if (r->reset_after < o->bend)
        o->bend = r->reset_after;
}

enum close_how { CLOSE_PLAIN, CLOSE_GRACEFUL, CLOSE_RESET };

/* Close a client socket. GRACEFUL: send FIN first and drop what the client
 * already sent, because closing with unread input makes the kernel send RST,
 * which can destroy the response still in flight (RFC 9112 9.6). RESET:
 * SO_LINGER {1, 0} makes close() send RST at once. */
static void sock_close(int fd, enum close_how how)
{
    if (how == CLOSE_RESET) {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    } else if (how == CLOSE_GRACEFUL) {
        char junk[4096];
        shutdown(fd, SHUT_WR);
        for (int i = 0; i < 4; i++)
            if (recv(fd, junk, sizeof junk, MSG_DONTWAIT) <= 0)
                break;
    }
    close(fd);
}

static struct timespec ns_to_ts(uint64_t ns)
{
    return (struct timespec){(time_t)(ns / NS_PER_S), (long)(ns % NS_PER_S)};
}

static void srv_ready(struct srv_ctx *x)
{
    if (x->announce) {
        bool v6 = strchr(x->c.host, ':') != NULL;
        fprintf(stderr, "listening on http://%s%s%s:%d (model %s", v6 ? "[" : "", x->c.host,
                v6 ? "]" : "", x->port, srv_model_name(x->c.model));
        if (x->c.model != SRV_EVENT)
            fprintf(stderr, ", %d worker%s", x->c.workers, x->c.workers == 1 ? "" : "s");
        fprintf(stderr, ")\n");
    }
    if (x->ready_fd >= 0) {
        char buf[16];
        int n = snprintf(buf, sizeof buf, "%d\n", x->port);
        ssize_t w;
        do
            w = write(x->ready_fd, buf, (size_t)n);
        while (w < 0 && errno == EINTR);
        close(x->ready_fd);
        x->ready_fd = -1;
    }
}

/* ---- event model -------------------------------------------------------- */

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
    uint32_t events;        /* the epoll mask registered now */
    uint64_t deadline_ns;   /* READ: request due by; WRITE: progress due by */
    uint64_t idle_armed_ns; /* the pending idle timer entry, 0: none */
    char *pend;             /* bytes received and not parsed yet */
    uint32_t plen;
    struct srv_out out;
    char head[SRV_RESP_HEAD_MAX];
};

struct ev_srv {
    struct srv_ctx *x;
    struct evl loop;
    int sfd, spare;
    struct evl_io lio, sio;
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

static void ev_close(struct ev_srv *s, struct conn *c, enum close_how how)
{
    evl_io_del(&s->loop, c->fd);
    sock_close(c->fd, how);
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
    while (sent < (1u << 20) && (w = out_send(c->fd, c->head, &c->out)) != 0) {
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

/* Begin answering r: wait for its latency on a timer, or write now. */
static int ev_start(struct ev_srv *s, struct conn *c, const struct srv_req *r, uint64_t now)
{
    out_prepare(c->head, &c->out, r, r->keep_alive);
    c->close_after = !r->keep_alive || r->error;
    c->reset = !r->error && r->reset_after != UINT64_MAX;
    if (r->error || r->latency_ns == 0)
        return ev_write(s, c, now);
    c->state = CS_WAIT;
    /* No events while waiting: the next pipelined request stays in the
     * socket (backpressure); EPOLLERR/EPOLLHUP still arrive. */
    if (evl_timer_add(&s->loop, now + r->latency_ns, ev_timer_cb, tkey(c, T_DUE)) ||
        ev_set_events(s, c, 0)) {
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
        /* With no events requested only ERR/HUP arrive, and they would
         * repeat forever (level-triggered): the peer is gone, close. Check
         * first: the event may be for an earlier socket on this fd. */
        if (events & (EPOLLERR | EPOLLHUP)) {
            struct pollfd p = {.fd = c->fd, .events = 0};
            if (poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)))
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
        if (c->state == CS_WAIT && ev_write(s, c, now) == W_DONE)
            ev_resume(s, c, now);
        return;
    }
    c->idle_armed_ns = 0;
    if (c->state == CS_WAIT)
        return; /* the request's own timer is pending; re-armed after it */
    if (now >= c->deadline_ns || ev_arm_idle(s, c))
        ev_close(s, c, CLOSE_PLAIN);
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

static int ev_serve(struct srv_ctx *x)
{
    struct ev_srv s = {.x = x, .sfd = -1, .spare = -1};
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
    if (s.sfd < 0) {
        rc = -errno;
        goto out;
    }
    s.lio = (struct evl_io){ev_accept_cb, &s};
    s.sio = (struct evl_io){ev_signal_cb, &s};
    if ((rc = evl_io_add(&s.loop, x->lfd, EPOLLIN, &s.lio)))
        goto out;
    if ((rc = evl_io_add(&s.loop, s.sfd, EPOLLIN, &s.sio))) {
        evl_io_del(&s.loop, x->lfd);
        goto out;
    }
    srv_ready(x);
    rc = evl_run(&s.loop);
    for (size_t i = 0; i < s.tabcap; i++)
        if (s.tab[i])
            ev_close(&s, s.tab[i], CLOSE_PLAIN);
    evl_io_del(&s.loop, s.sfd);
    evl_io_del(&s.loop, x->lfd);
out:
    if (s.sfd >= 0)
        close(s.sfd);
    if (s.spare >= 0)
        close(s.spare);
    free(s.tab);
    free(s.scratch);
    evl_fini(&s.loop);
    return rc;
}

/* ---- blocking and prefork models ---------------------------------------- */

struct blk_srv {
    struct srv_ctx *x;
    int stop_rd, stop_wr; /* a pipe: readable once the server stops */
};

/* Block until fd has events (fd < 0: just sleep), the deadline passes or
 * the server stops. 0, -ETIMEDOUT, -ECANCELED (stopping) or -errno. The
 * stop pipe is what lets a stop interrupt a worker in its sleep. */
static int blk_wait(const struct blk_srv *b, int fd, short events, uint64_t deadline_ns)
{
    for (;;) {
        uint64_t now = cb_now_ns();
        if (now >= deadline_ns)
            return -ETIMEDOUT;
        struct pollfd p[2] = {{.fd = fd, .events = events}, {.fd = b->stop_rd, .events = POLLIN}};
        struct timespec ts = ns_to_ts(deadline_ns - now);
        int n = ppoll(p, 2, &ts, NULL);
        if (n < 0 && errno != EINTR)
            return -errno;
        if (n > 0 && p[1].revents)
            return -ECANCELED;
        if (n > 0 && p[0].revents)
            return 0;
    }
}

static bool blk_stopping(const struct blk_srv *b)
{
    struct pollfd p = {.fd = b->stop_rd, .events = POLLIN};
    return poll(&p, 1, 0) == 1;
}

/* Read one request (within the idle timeout). true with *r filled. */
static bool blk_read(const struct blk_srv *b, int fd, char *buf, struct srv_req *r)
{
    const struct srv_config *c = &b->x->c;
    uint64_t deadline = cb_now_ns() + c->idle_timeout_ns;
    size_t len = 0;
    while (srv_http_parse(buf, len, c->latency_ns, c->body_bytes, r) == 0) {
        if (blk_wait(b, fd, POLLIN, deadline))
            return false;
        ssize_t n = recv(fd, buf + len, SRV_HEAD_MAX - len, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue;
        if (n <= 0)
            return false;
        len += (size_t)n;
    }
    return true;
}

/* One connection, one request: the sync worker. */
static void blk_serve_one(const struct blk_srv *b, int fd, char *buf)
{
    const struct srv_config *c = &b->x->c;
    struct timeval tv = {(time_t)(c->idle_timeout_ns / NS_PER_S),
                         (suseconds_t)(c->idle_timeout_ns % NS_PER_S / 1000)};
    int one = 1;
    struct srv_req r;
    char head[SRV_RESP_HEAD_MAX];
    struct srv_out o;
    enum close_how how = CLOSE_PLAIN;

    /* The socket timeouts are a backstop; every wait below is bounded by
     * the idle timeout already. */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!blk_read(b, fd, buf, &r))
        goto out;
    if (!r.error && r.latency_ns && blk_wait(b, -1, 0, cb_now_ns() + r.latency_ns) == -ECANCELED)
        goto out;
    out_prepare(head, &o, &r, false);
    for (;;) {
        ssize_t w = out_send(fd, head, &o);
        if (w == 0)
            break;
        if (w == -EINTR)
            continue;
        if (w != -EAGAIN && w < 0)
            goto out;
        if (w == -EAGAIN && blk_wait(b, fd, POLLOUT, cb_now_ns() + c->idle_timeout_ns))
            goto out;
    }
    how = !r.error && r.reset_after != UINT64_MAX ? CLOSE_RESET : CLOSE_GRACEFUL;
out:
    sock_close(fd, how);
}

static void blk_loop(const struct blk_srv *b)
{
    char *buf = malloc(SRV_HEAD_MAX);
    while (buf && !blk_stopping(b)) {
        int fd = accept4(b->x->lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            blk_serve_one(b, fd, buf);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
            continue;
        /* EINVAL after the stop's shutdown(); EMFILE, ENFILE, ENOBUFS,
         * ENOMEM: back off 50 ms instead of spinning on the same error. */
        if (blk_wait(b, -1, 0, cb_now_ns() + 50 * NS_PER_MS) == -ECANCELED)
            break;
    }
    free(buf);
}

static void *blk_thread(void *arg)
{
    blk_loop(arg);
    return NULL;
}

/* Tell every worker to stop: the pipe wakes sleepers and readers, and
 * shutdown() wakes the workers blocked in accept() (they get EINVAL). */
static void blk_signal_stop(struct blk_srv *b)
{
    ssize_t w;
    do
        w = write(b->stop_wr, "x", 1);
    while (w < 0 && errno == EINTR);
    shutdown(b->x->lfd, SHUT_RDWR);
}

/* Wait for SIGINT or SIGTERM (blocked by srv_run). 0 or -errno. */
static int wait_stop_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    for (;;) {
        int sig = sigwaitinfo(&set, NULL);
        if (sig >= 0)
            return 0;
        if (errno != EINTR)
            return -errno;
    }
}

static int blk_serve_threads(struct blk_srv *b)
{
    int n = b->x->c.workers, started = 0, rc = 0;
    pthread_t *th = calloc((size_t)n, sizeof *th);
    if (!th)
        return -ENOMEM;
    for (; started < n; started++) {
        int e = pthread_create(&th[started], NULL, blk_thread, b);
        if (e) {
            rc = -e;
            break;
        }
    }
    if (rc == 0) {
        srv_ready(b->x);
        rc = wait_stop_signal();
    }
    blk_signal_stop(b);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    return rc;
}

/* Fork one prefork worker. Its pid, or a negative errno. */
static pid_t pf_fork(const struct blk_srv *b, const sigset_t *old_mask)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid > 0)
        return pid;
    /* The worker dies with its parent, and of SIGTERM/SIGINT by default:
     * the parent forwards SIGTERM on stop, and Ctrl-C reaches the whole
     * process group. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(0);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    sigset_t m = *old_mask;
    sigdelset(&m, SIGTERM);
    sigdelset(&m, SIGINT);
    sigprocmask(SIG_SETMASK, &m, NULL);
    blk_loop(b);
    _exit(0);
}

/* Respawn a worker that died on its own (a crash), not one that was told
 * to stop or whose death comes with a stop signal on its way to us. */
static bool pf_should_respawn(int status)
{
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGTERM || sig == SIGINT || sig == SIGKILL)
            return false;
    }
    sigset_t p;
    sigpending(&p);
    return !sigismember(&p, SIGTERM) && !sigismember(&p, SIGINT);
}

/* The prefork parent's view of its workers. */
struct pf_pool {
    pid_t *pids; /* 0: slot empty */
    int n, alive, respawns;
};

/* Reap the workers that exited and respawn those that crashed (at most 100
 * respawns in all: a worker that crashes at once must not turn the parent
 * into a fork loop). */
static void pf_reap(struct pf_pool *p, const struct blk_srv *b, const sigset_t *old_mask)
{
    for (int i = 0; i < p->n; i++) {
        int st;
        if (p->pids[i] <= 0 || waitpid(p->pids[i], &st, WNOHANG) != p->pids[i])
            continue;
        p->pids[i] = 0;
        p->alive--;
        if (pf_should_respawn(st) && p->respawns++ < 100) {
            pid_t pid = pf_fork(b, old_mask);
            if (pid > 0) {
                p->pids[i] = pid;
                p->alive++;
            }
        }
    }
}

static int pf_serve(struct blk_srv *b, const sigset_t *old_mask)
{
    struct pf_pool p = {.n = b->x->c.workers};
    int rc = 0;
    sigset_t set;
    p.pids = calloc((size_t)p.n, sizeof *p.pids);
    if (!p.pids)
        return -ENOMEM;
    for (int i = 0; i < p.n && rc == 0; i++) {
        pid_t pid = pf_fork(b, old_mask);
        if (pid < 0)
            rc = (int)pid;
        else
            p.pids[p.alive++] = pid;
    }
    if (rc == 0)
        srv_ready(b->x);
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGCHLD);
    while (rc == 0) {
        int sig = sigwaitinfo(&set, NULL);
        if (sig < 0 && errno != EINTR)
            rc = -errno;
        if (sig == SIGINT || sig == SIGTERM)
            break;
        if (sig == SIGCHLD)
            pf_reap(&p, b, old_mask);
        if (p.alive == 0)
            rc = -ECHILD; /* every worker died and none could be replaced */
    }
    blk_signal_stop(b);
    for (int i = 0; i < p.n; i++)
        if (p.pids[i] > 0)
            kill(p.pids[i], SIGTERM);
    for (int i = 0; i < p.n; i++)
        while (p.pids[i] > 0 && waitpid(p.pids[i], NULL, 0) < 0 && errno == EINTR)
            ;
    free(p.pids);
    return rc;
}

static int blk_serve(struct srv_ctx *x, const sigset_t *old_mask)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC))
        return -errno;
    struct blk_srv b = {.x = x, .stop_rd = p[0], .stop_wr = p[1]};
    int rc = x->c.model == SRV_PREFORK ? pf_serve(&b, old_mask) : blk_serve_threads(&b);
    close(p[0]);
    close(p[1]);
    return rc;
}

/* ---- srv_run ------------------------------------------------------------ */

static int read_somaxconn(void)
{
    int v = 0;
    FILE *f = fopen("/proc/sys/net/core/somaxconn", "re");
    if (f) {
        if (fscanf(f, "%d", &v) != 1)
            v = 0;
        fclose(f);
    }
    return v > 0 ? v : SOMAXCONN;
}

/* Bind and listen on c->host:c->port; sets x->lfd and x->port. */
static int srv_listen(struct srv_ctx *x)
{
    char port[16];
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
                    *res, *ai;
    int one = 1, rc = -EADDRNOTAVAIL, fd = -1;
    int type = SOCK_STREAM | SOCK_CLOEXEC;
    if (x->c.model == SRV_EVENT)
        type |= SOCK_NONBLOCK;

    snprintf(port, sizeof port, "%d", x->c.port);
    int e = getaddrinfo(x->c.host, port, &hints, &res);
    if (e)
        return e == EAI_SYSTEM ? -errno : e == EAI_MEMORY ? -ENOMEM : -EADDRNOTAVAIL;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, type, 0);
        if (fd < 0) {
            rc = -errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
            listen(fd, x->c.backlog > 0 ? x->c.backlog : read_somaxconn()) == 0)
            break;
        rc = -errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return rc;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl)) {
        rc = -errno;
        close(fd);
        return rc;
    }
    x->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                             : ((struct sockaddr_in *)&ss)->sin_port);
    x->lfd = fd;
    return 0;
}

/* Copy cfg into x->c with the defaults filled in. 0 or -EINVAL. */
static int srv_resolve(const struct srv_config *cfg, struct srv_config *c)
{
    *c = *cfg;
    if (!c->host || !*c->host)
        c->host = "127.0.0.1";
    if (c->workers == 0)
        c->workers = 1;
    if (c->idle_timeout_ns == 0)
        c->idle_timeout_ns = 30 * NS_PER_S;
    if ((unsigned)c->model > SRV_PREFORK || c->workers < 0 || c->port < 0 || c->port > 65535 ||
        c->latency_ns > SRV_LATENCY_MAX_NS || c->body_bytes > SRV_BODY_MAX || c->backlog < 0)
        return -EINVAL;
    return 0;
}

/* The rest of srv_run: process setup, listen, the model, restore. */
static int srv_run_ctx(struct srv_ctx *x)
{
    sigset_t set, old_mask;
    struct sigaction dfl = {.sa_handler = SIG_DFL}, ign = {.sa_handler = SIG_IGN};
    struct sigaction old_int, old_term, old_pipe, old_chld;
    struct rlimit rl;
    int rc = srv_body_init();
    if (rc)
        goto out;

    /* 10,000 connections need 10,000 descriptors. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    /* SIGINT and SIGTERM are read (signalfd, sigwaitinfo), not handled.
     * Default disposition while blocked: an ignored signal would be
     * discarded, never read. SIGCHLD likewise for prefork, whose children
     * an ignored SIGCHLD would reap behind our back. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (x->c.model == SRV_PREFORK)
        sigaddset(&set, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &set, &old_mask);
    sigaction(SIGINT, &dfl, &old_int);
    sigaction(SIGTERM, &dfl, &old_term);
    if (x->c.model == SRV_PREFORK)
        sigaction(SIGCHLD, &dfl, &old_chld);
    sigaction(SIGPIPE, &ign, &old_pipe);

    rc = srv_listen(x);
    if (rc == 0) {
        rc = x->c.model == SRV_EVENT ? ev_serve(x) : blk_serve(x, &old_mask);
        close(x->lfd);
    }

    sigaction(SIGPIPE, &old_pipe, NULL);
    if (x->c.model == SRV_PREFORK)
        sigaction(SIGCHLD, &old_chld, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGINT, &old_int, NULL);
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
out:
    if (x->ready_fd >= 0) /* failed before listening: the spawner sees EOF */
        close(x->ready_fd);
    x->ready_fd = -1;
    return rc;
}

int srv_run(const struct srv_config *cfg, int ready_fd)
{
    struct srv_ctx x = {.lfd = -1, .ready_fd = ready_fd};
    int rc = srv_resolve(cfg, &x.c);
    if (rc) {
        if (ready_fd >= 0)
            close(ready_fd);
        return rc;
    }
    return srv_run_ctx(&x);
}

/* ---- spawn and stop ----------------------------------------------------- */

/* Reap pid within timeout_ns. 0 (with *status), -ETIMEDOUT, or -errno. A
 * pidfd turns the wait into one poll(); without one (Linux < 5.3) we poll
 * waitpid every 10 ms, which is bounded and rare. */
static int wait_child(pid_t pid, uint64_t timeout_ns, int *status)
{
    uint64_t deadline = cb_now_ns() + timeout_ns;
    int pfd = -1, rc;
#ifdef SYS_pidfd_open
    pfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid) {
            rc = 0;
            break;
        }
        if (r < 0 && errno != EINTR) {
            rc = -errno;
            break;
        }
        uint64_t now = cb_now_ns();
        if (now >= deadline) {
            rc = -ETIMEDOUT;
            break;
        }
        uint64_t left = deadline - now;
        if (pfd >= 0) {
            struct pollfd p = {.fd = pfd, .events = POLLIN};
            struct timespec ts = ns_to_ts(left);
            ppoll(&p, 1, &ts, NULL);
        } else {
            struct timespec ts = ns_to_ts(left < 10 * NS_PER_MS ? left : 10 * NS_PER_MS);
            nanosleep(&ts, NULL);
        }
    }
    if (pfd >= 0)
        close(pfd);
    return rc;
}

/* Kill the group and the process, then reap it (blocking: SIGKILL cannot be
 * refused). */
static void kill_and_reap(pid_t pid, int *status)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
}

/* Read the port line from the readiness pipe within 10 s. */
static int spawn_read_port(int fd, int *port)
{
    uint64_t deadline = cb_now_ns() + 10 * NS_PER_S;
    char buf[32];
    size_t len = 0;
    while (len < sizeof buf - 1) {
        uint64_t now = cb_now_ns();
        if (now >= deadline)
            return -ETIMEDOUT;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        struct timespec ts = ns_to_ts(deadline - now);
        int n = ppoll(&p, 1, &ts, NULL);
        if (n < 0 && errno != EINTR)
            return -errno;
        if (n <= 0)
            continue;
        ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -EIO; /* the child closed the pipe without a port */
        len += (size_t)r;
        buf[len] = 0;
        char *end;
        if (strchr(buf, '\n')) {
            long v = strtol(buf, &end, 10);
            if (end == buf || *end != '\n' || v <= 0 || v > 65535)
                return -EIO;
            *port = (int)v;
            return 0;
        }
    }
    return -EIO;
}

int srv_spawn(const struct srv_config *c, struct srv_handle *h)
{
    int p[2], status = 0;
    if (pipe2(p, O_CLOEXEC))
        return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int rc = -errno;
        close(p[0]);
        close(p[1]);
        return rc;
    }
    if (pid == 0) {
        setpgid(0, 0);
        close(p[0]);
        int rc = srv_run(c, p[1]);
        _exit(rc == 0 ? 0 : rc < 0 && rc > -126 ? -rc : 125);
    }
    /* Both sides set the group, so it is set whichever runs first. */
    setpgid(pid, pid);
    close(p[1]);
    int port = 0;
    int rc = spawn_read_port(p[0], &port);
    close(p[0]);
    if (rc == 0) {
        h->pid = pid;
        h->port = port;
        return 0;
    }
    /* The child says why it failed in its exit status (srv_run's errno). */
    if (rc == -EIO && wait_child(pid, NS_PER_S, &status) == 0) {
        if (WIFEXITED(status) && WEXITSTATUS(status) > 0 && WEXITSTATUS(status) < 125)
            return -WEXITSTATUS(status);
        return -EIO;
    }
    kill_and_reap(pid, &status);
    return rc;
}

int srv_stop(struct srv_handle *h)
{
    int status = 0, rc;
    if (!h || h->pid <= 0)
        return -EINVAL;
    pid_t pid = h->pid;
    h->pid = 0;
    /* The group: the server and, in prefork, its workers. */
    if (kill(-pid, SIGTERM) && kill(pid, SIGTERM) && errno == ESRCH) {
        /* Already dead: just reap it. */
        return wait_child(pid, NS_PER_S, &status) == 0 ? 0 : -ECHILD;
    }
    rc = wait_child(pid, 5 * NS_PER_S, &status);
    if (rc == -ETIMEDOUT) {
        kill_and_reap(pid, &status);
        return -ETIMEDOUT;
    }
    if (rc)
        return rc == -ECHILD ? 0 : rc;
    /* The group may outlive its leader only if a worker did not die of the
     * SIGTERM; make sure. Nothing else can be in that group. */
    kill(-pid, SIGKILL);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
        return 0;
    return -EIO;
}

/* ---- command line ------------------------------------------------------- */

static void srv_usage(FILE *f)
{
    fprintf(f, "usage: concbench serve [options]\n"
               "  --model M          event (default), blocking or prefork\n"
               "  --workers W        blocking/prefork: W workers (default 1)\n"
               "  --listen HOST      address to bind (default 127.0.0.1)\n"
               "  --port P           port (default 0: any free port)\n"
               "  --latency DUR      latency when the URL does not say (default 1s)\n"
               "  --body BYTES       body size when the URL does not say (default 64)\n"
               "  --idle-timeout DUR close idle or slow connections (default 30s)\n"
               "  --backlog N        listen backlog (default net.core.somaxconn)\n"
               "  -h, --help         this help\n"
               "DUR: 1s, 250ms, 100us, 2.5s; a plain number is seconds.\n"
               "BYTES: 64, 16k (x1000), 1M (x1000000).\n"
               "URLs: /delay/<ms>, ?ms=<ms>&bytes=<n>&status=<code>&reset=<n>\n");
}

static int parse_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    if (!s || !*s)
        return -EINVAL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -EINVAL;
    *out = (int)v;
    return 0;
}

/* Apply one option. 0, or -EINVAL for a bad value, -ENOENT for an unknown
 * option, -EDESTADDRREQ for a missing value (v NULL). */
static int srv_option(struct srv_config *c, const char *name, const char *v)
{
    static const char *const known[] = {"--model",   "--workers", "--listen",       "--port",
                                        "--backlog", "--latency", "--idle-timeout", "--body"};
    bool found = false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        found |= strcmp(name, known[i]) == 0;
    if (!found)
        return -ENOENT;
    if (!v)
        return -EDESTADDRREQ;
    if (strcmp(name, "--model") == 0)
        return srv_model_parse(v, &c->model);
    if (strcmp(name, "--workers") == 0)
        return parse_int(v, 1, 100000, &c->workers);
    if (strcmp(name, "--listen") == 0) {
        c->host = v;
        return *v ? 0 : -EINVAL;
    }
    if (strcmp(name, "--port") == 0)
        return parse_int(v, 0, 65535, &c->port);
    if (strcmp(name, "--backlog") == 0)
        return parse_int(v, 1, INT32_MAX, &c->backlog);
    if (strcmp(name, "--latency") == 0)
        return cb_parse_duration(v, &c->latency_ns) || c->latency_ns > SRV_LATENCY_MAX_NS ? -EINVAL
                                                                                          : 0;
    if (strcmp(name, "--idle-timeout") == 0)
        return cb_parse_duration(v, &c->idle_timeout_ns) || c->idle_timeout_ns == 0 ? -EINVAL : 0;
    if (strcmp(name, "--body") == 0)
        return cb_parse_count(v, &c->body_bytes) || c->body_bytes > SRV_BODY_MAX ? -EINVAL : 0;
    return -ENOENT;
}

__attribute__((format(printf, 1, 2))) static int srv_bad_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "concbench serve: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    srv_usage(stderr);
    return 2;
}

int srv_main(int argc, char **argv)
{
    struct srv_ctx x = {.lfd = -1, .ready_fd = -1, .announce = true};
    struct srv_config c;
    char name[32];
    srv_config_default(&c);

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            srv_usage(stdout);
            return 0;
        }
        const char *eq = strchr(a, '=');
        if (strncmp(a, "--", 2) != 0 || (eq ? (size_t)(eq - a) : strlen(a)) >= sizeof name)
            return srv_bad_usage("unknown option '%s'", a);
        if (eq) {
            snprintf(name, sizeof name, "%.*s", (int)(eq - a), a);
            v = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
            v = i + 1 < argc ? argv[++i] : NULL;
        }
        int rc = srv_option(&c, name, v);
        if (rc == -ENOENT)
            return srv_bad_usage("unknown option '%s'", name);
        if (rc == -EDESTADDRREQ)
            return srv_bad_usage("option %s needs a value", name);
        if (rc)
            return srv_bad_usage("bad value for %s: '%s'", name, v);
    }
    if (srv_resolve(&c, &x.c))
        return srv_bad_usage("bad configuration");
    int rc = srv_run_ctx(&x);
    if (rc) {
        fprintf(stderr, "concbench serve: cannot serve on %s:%d: %s\n", x.c.host, x.c.port,
                strerror(-rc));
        return 1;
    }
    return 0;
}
