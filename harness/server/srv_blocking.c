/*
 * srv_blocking.c: the blocking and prefork models, one worker loop for
 * both: accept, read one request, wait out the latency in poll() on the
 * client's socket (so a client that leaves frees the worker), answer,
 * close. gunicorn's sync worker. blocking runs W threads, prefork W
 * forked processes supervised by the parent.
 */
#include "srv_internal.h"
#include "strategy.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

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
        struct timespec ts = srv_ts(deadline_ns - now);
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

/* The checksum of a body of len bytes, in slices so that a stop does not
 * wait for a big one (4 GiB take about 6 s). false: stopping. */
static bool blk_checksum(const struct blk_srv *b, uint64_t len, uint64_t *sum)
{
    if (srv_body_checksum_get(len, sum))
        return true;
    struct srv_sum s;
    srv_sum_init(&s, len);
    while (!srv_sum_step(&s, 16u << 20))
        if (blk_stopping(b))
            return false;
    srv_body_checksum_put(len, s.h);
    *sum = s.h;
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
    enum srv_close_how how = CLOSE_PLAIN;

    /* The socket timeouts are a backstop; every wait below is bounded by
     * the idle timeout already. */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!blk_read(b, fd, buf, &r))
        goto out;
    /* The latency, watching the client: POLLRDHUP (or ERR/HUP) means it
     * closed, and nobody is left to answer; back to accept(). A request
     * pipelined behind this one does not wake us (no POLLIN). */
    if (!r.error && r.latency_ns &&
        blk_wait(b, fd, POLLRDHUP, cb_now_ns() + r.latency_ns) != -ETIMEDOUT)
        goto out;
    uint64_t sum = 0;
    if (!r.error && !blk_checksum(b, r.body_bytes, &sum))
        goto out;
    srv_out_prepare(head, &o, &r, false, sum);
    for (;;) {
        ssize_t w = srv_out_send(fd, head, &o);
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
    srv_sock_close(fd, how);
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
    /* The worker dies with its parent (SIGKILL: an orphan must let go of
     * the port whatever it is doing), and of SIGTERM/SIGINT by default:
     * the parent forwards SIGTERM on stop, and Ctrl-C reaches the whole
     * process group. */
    if (!cb_proc_die_with_parent(parent, SIGKILL))
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

int srv_blocking_serve(struct srv_ctx *x, const sigset_t *old_mask)
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
