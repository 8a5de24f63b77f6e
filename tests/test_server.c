/*
 * test_server.c: the test server, through raw sockets. Every test starts its
 * own server (srv_spawn, port 0) and stops it.
 */
#include <criterion/criterion.h>
#include <dirent.h>

#include "body.h"
#include "helpers.h"
#include "server.h"
#include "srv_http.h"
#include "strategy.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MS 1000000ULL

/* ---- helpers ------------------------------------------------------------ */

static struct srv_handle start(enum srv_model m, int workers, uint64_t latency_ns, uint64_t idle_ns)
{
    return cb_test_server(m, workers, latency_ns, idle_ns);
}

/* Stop the server and check that nothing of it is left. */
static void stop(struct srv_handle *h)
{
    pid_t pid = h->pid;
    int rc = srv_stop(h);
    cr_assert_eq(rc, 0, "srv_stop: %d (%s)", rc, strerror(-rc));
    errno = 0;
    cr_assert_eq(kill(pid, 0), -1, "server %d still exists", (int)pid);
    cr_assert_eq(errno, ESRCH, "kill(pid, 0): %s", strerror(errno));
    errno = 0;
    cr_assert_eq(kill(-pid, 0), -1, "process group %d still exists", (int)pid);
    cr_assert_eq(errno, ESRCH, "kill(-pgid, 0): %s", strerror(errno));
    cr_assert_eq(waitpid(pid, NULL, WNOHANG), -1, "server not reaped");
}

static int cl_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    cr_assert_eq(rc, 0, "connect to %d: %s", port, strerror(errno));
    /* A server that never answers fails the test instead of hanging it. */
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void cl_send(int fd, const char *s)
{
    size_t len = strlen(s), off = 0;
    while (off < len) {
        ssize_t w = send(fd, s + off, len - off, MSG_NOSIGNAL);
        cr_assert_gt(w, 0, "send: %s", strerror(errno));
        off += (size_t)w;
    }
}

static void cl_get(int fd, const char *target)
{
    char req[512];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", target);
    cl_send(fd, req);
}

/* A client connection with a read buffer (responses may arrive together). */
struct client {
    int fd;
    size_t len;
    char buf[65536];
};

struct resp {
    int status;
    long long clen; /* -1: none */
    int has_xsum;
    uint64_t xsum;
    int close;    /* Connection: close */
    uint64_t got; /* body bytes received */
    uint64_t sum; /* their FNV-1a */
    uint64_t bad; /* body bytes that are not cb_body_byte(i) */
    int end_err;  /* 0 complete; else errno, or -1 for EOF */
};

/* More bytes into cl->buf. >0, 0 on EOF, -errno. */
static ssize_t cl_fill(struct client *cl)
{
    ssize_t n = recv(cl->fd, cl->buf + cl->len, sizeof cl->buf - cl->len, 0);
    if (n < 0)
        return -errno;
    cl->len += (size_t)n;
    return n;
}

static void cl_take(struct client *cl, size_t n)
{
    memmove(cl->buf, cl->buf + n, cl->len - n);
    cl->len -= n;
}

/* Read one response. The head must arrive; the body may end early (reset),
 * which r->end_err records. head_only: a HEAD response, no body. */
static void cl_response(struct client *cl, struct resp *r, int head_only)
{
    *r = (struct resp){.clen = -1, .sum = CB_FNV_OFFSET};
    char *end;
    for (;;) {
        end = memmem(cl->buf, cl->len, "\r\n\r\n", 4);
        if (end)
            break;
        ssize_t n = cl_fill(cl);
        cr_assert_gt(n, 0, "response head: recv %zd (%s), %zu bytes so far", n,
                     n < 0 ? strerror((int)-n) : "EOF", cl->len);
    }
    size_t hlen = (size_t)(end - cl->buf) + 4;
    char head[4096];
    cr_assert_lt(hlen, sizeof head, "head of %zu bytes", hlen);
    memcpy(head, cl->buf, hlen);
    head[hlen] = 0;
    cl_take(cl, hlen);
    cr_assert_eq(sscanf(head, "HTTP/1.1 %d ", &r->status), 1, "status line: %s", head);
    for (char *line = strstr(head, "\r\n") + 2; *line && line[0] != '\r';
         line = strstr(line, "\r\n") + 2) {
        /* Field names are case-insensitive (uvicorn sends lower case). */
        unsigned long long v;
        if (strncasecmp(line, "Content-Length:", 15) == 0 && sscanf(line + 15, "%llu", &v) == 1)
            r->clen = (long long)v;
        if (strncasecmp(line, "X-Checksum:", 11) == 0 && sscanf(line + 11, "%llx", &v) == 1) {
            r->has_xsum = 1;
            r->xsum = v;
        }
        if (strncasecmp(line, "Connection: close", 17) == 0)
            r->close = 1;
    }
    cr_assert_geq(r->clen, 0, "no Content-Length in:\n%s", head);
    uint64_t want = head_only ? 0 : (uint64_t)r->clen;
    while (r->got < want) {
        if (cl->len == 0) {
            ssize_t n = cl_fill(cl);
            if (n <= 0) {
                r->end_err = n == 0 ? -1 : (int)-n;
                return;
            }
        }
        size_t take = cl->len < want - r->got ? cl->len : (size_t)(want - r->got);
        for (size_t i = 0; i < take; i++)
            r->bad += (unsigned char)cl->buf[i] != cb_body_byte(r->got + i);
        r->sum = cb_fnv1a(r->sum, cl->buf, take);
        r->got += take;
        cl_take(cl, take);
    }
}

/* Check a complete, correct 200 response of n body bytes. */
static void check_ok(const struct resp *r, uint64_t n)
{
    cr_assert_eq(r->status, 200, "status %d", r->status);
    cr_assert_eq(r->clen, (long long)n, "Content-Length %lld, want %llu", r->clen,
                 (unsigned long long)n);
    cr_assert_eq(r->end_err, 0, "body ended early: %d after %llu bytes", r->end_err,
                 (unsigned long long)r->got);
    cr_assert_eq(r->got, n, "got %llu body bytes, want %llu", (unsigned long long)r->got,
                 (unsigned long long)n);
    cr_assert_eq(r->bad, 0, "%llu wrong body bytes", (unsigned long long)r->bad);
    cr_assert(r->has_xsum, "no X-Checksum");
    cr_assert_eq(r->xsum, cb_body_checksum(n), "X-Checksum %016llx, want %016llx",
                 (unsigned long long)r->xsum, (unsigned long long)cb_body_checksum(n));
    cr_assert_eq(r->sum, r->xsum, "body checksum %016llx, header %016llx",
                 (unsigned long long)r->sum, (unsigned long long)r->xsum);
}

/* One GET on a new connection; the response in *r. */
static void get_once(int port, const char *target, struct resp *r)
{
    struct client *cl = calloc(1, sizeof *cl);
    cl->fd = cl_connect(port);
    cl_get(cl->fd, target);
    cl_response(cl, r, 0);
    close(cl->fd);
    free(cl);
}

/* True when the peer closed fd (EOF or reset) within timeout_ms. */
static int closed_within(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char b[256];
    uint64_t deadline = cb_now_ns() + (uint64_t)timeout_ms * MS;
    for (;;) {
        uint64_t now = cb_now_ns();
        if (now >= deadline)
            return 0;
        if (poll(&p, 1, (int)((deadline - now) / MS) + 1) <= 0)
            continue;
        ssize_t n = recv(fd, b, sizeof b, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 1;
    }
}

static double ms_since(uint64_t t0)
{
    return (double)(cb_now_ns() - t0) / 1e6;
}

/* ---- responses ---------------------------------------------------------- */

/* One plain GET per built-in model; event keeps the connection alive,
 * blocking and prefork close it (one request per connection). */
Test(server, get_plain, .timeout = 10)
{
    static const struct {
        enum srv_model m;
        int workers;
        const char *target;
        uint64_t bytes;
        int close;
    } cases[] = {{SRV_EVENT, 1, "/", 64, 0},
                 {SRV_BLOCKING, 2, "/anything?x=1", 64, 1},
                 {SRV_PREFORK, 2, "/?bytes=1000", 1000, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct srv_handle h = start(cases[i].m, cases[i].workers, 0, 0);
        struct resp r;
        get_once(h.port, cases[i].target, &r);
        check_ok(&r, cases[i].bytes);
        cr_assert_eq(r.close, cases[i].close, "%s: Connection: close is %d, want %d",
                     srv_model_name(cases[i].m), r.close, cases[i].close);
        stop(&h);
    }
}

Test(server, body_sizes, .timeout = 10)
{
    struct srv_handle h = start(SRV_EVENT, 1, 0, 0);
    struct resp r;
    get_once(h.port, "/?bytes=0", &r);
    check_ok(&r, 0);
    get_once(h.port, "/?bytes=1048576", &r);
    check_ok(&r, 1048576);
    get_once(h.port, "/delay/0?bytes=16777216", &r);
    check_ok(&r, 16777216);
    stop(&h);

    h = start(SRV_BLOCKING, 1, 0, 0);
    get_once(h.port, "/?bytes=1048576", &r);
    check_ok(&r, 1048576);
    stop(&h);
}

Test(server, head_request, .timeout = 10)
{
    struct srv_handle h = start(SRV_EVENT, 1, 0, 0);
    struct client *cl = calloc(1, sizeof *cl);
    struct resp r;
    cl->fd = cl_connect(h.port);
    cl_send(cl->fd, "HEAD /?bytes=500 HTTP/1.1\r\n\r\n");
    cl_response(cl, &r, 1);
    cr_assert_eq(r.status, 200, "status %d", r.status);
    cr_assert_eq(r.clen, 500, "Content-Length %lld", r.clen);
    /* Then a GET on the same connection: the HEAD sent no body. */
    cl_get(cl->fd, "/?bytes=10");
    cl_response(cl, &r, 0);
    check_ok(&r, 10);
    close(cl->fd);
    free(cl);
    stop(&h);
}

Test(server, keepalive, .timeout = 10)
{
    struct srv_handle h = start(SRV_EVENT, 1, 0, 0);
    struct client *cl = calloc(1, sizeof *cl);
    struct resp r;
    cl->fd = cl_connect(h.port);
    cl_get(cl->fd, "/?bytes=100");
    cl_response(cl, &r, 0);
    check_ok(&r, 100);
    cl_get(cl->fd, "/?bytes=200&ms=10");
    cl_response(cl, &r, 0);
    check_ok(&r, 200);
    /* Connection: close is honoured. */
    cl_send(cl->fd, "GET /?bytes=5 HTTP/1.1\r\nConnection: close\r\n\r\n");
    cl_response(cl, &r, 0);
    check_ok(&r, 5);
    cr_assert_eq(r.close, 1, "no Connection: close in the answer");
    cr_assert(closed_within(cl->fd, 1000), "connection not closed");
    close(cl->fd);
    free(cl);
    stop(&h);
}

Test(server, pipelined, .timeout = 10)
{
    struct srv_handle h = start(SRV_EVENT, 1, 0, 0);
    struct client *cl = calloc(1, sizeof *cl);
    struct resp r;
    cl->fd = cl_connect(h.port);
    /* Three requests in one write, the first the slowest: answers in order. */
    cl_send(cl->fd, "GET /?bytes=3&ms=50 HTTP/1.1\r\n\r\n"
                    "GET /?bytes=70000 HTTP/1.1\r\n\r\n"
                    "GET /delay/5?bytes=1 HTTP/1.1\r\n\r\n");
    cl_response(cl, &r, 0);
    check_ok(&r, 3);
    cl_response(cl, &r, 0);
    check_ok(&r, 70000);
    cl_response(cl, &r, 0);
    check_ok(&r, 1);
    close(cl->fd);
    free(cl);
    stop(&h);
}

Test(server, split_request, .timeout = 10)
{
    struct srv_handle models[] = {start(SRV_EVENT, 1, 0, 0), start(SRV_BLOCKING, 1, 0, 0)};
    for (int m = 0; m < 2; m++) {
        struct client *cl = calloc(1, sizeof *cl);
        struct resp r;
        struct timespec pause = {0, 50 * 1000000L};
        cl->fd = cl_connect(models[m].port);
        cl_send(cl->fd, "GET /?byt");
        nanosleep(&pause, NULL);
        cl_send(cl->fd, "es=77 HTTP/1.1\r\nHost: x\r");
        nanosleep(&pause, NULL);
        cl_send(cl->fd, "\n\r\n");
        cl_response(cl, &r, 0);
        check_ok(&r, 77);
        close(cl->fd);
        free(cl);
        stop(&models[m]);
    }
}

/* Send raw, expect status want and a closed connection. */
static void expect_error(int port, const char *raw, int want)
{
    struct client *cl = calloc(1, sizeof *cl);
    struct resp r;
    cl->fd = cl_connect(port);
    cl_send(cl->fd, raw);
    cl_response(cl, &r, 0);
    cr_assert_eq(r.status, want, "status %d, want %d for %.40s", r.status, want, raw);
    cr_assert_eq(r.close, 1, "no Connection: close on an error (%.40s)", raw);
    cr_assert(closed_within(cl->fd, 2000), "connection left open (%.40s)", raw);
    close(cl->fd);
    free(cl);
}

Test(server, malformed, .timeout = 10)
{
    struct srv_handle models[] = {start(SRV_EVENT, 1, 0, 0), start(SRV_BLOCKING, 1, 0, 0)};
    char *big = malloc(20000);
    strcpy(big, "GET / HTTP/1.1\r\nX-Big: ");
    memset(big + strlen(big), 'a', 18000);
    strcpy(big + 18000, "\r\n\r\n");
    for (int m = 0; m < 2; m++) {
        int port = models[m].port;
        expect_error(port, "GARBAGE\r\n\r\n", 400);
        expect_error(port, "GET /?ms=abc HTTP/1.1\r\n\r\n", 400);
        expect_error(port, "GET /?bytes=-1 HTTP/1.1\r\n\r\n", 400);
        expect_error(port, "GET /delay/x HTTP/1.1\r\n\r\n", 400);
        expect_error(port, "GET /?status=99 HTTP/1.1\r\n\r\n", 400);
        expect_error(port, "GET / HTTP/9.9\r\n\r\n", 400);
        expect_error(port, "GET / HTTP/1.1\r\nno colon here\r\n\r\n", 400);
        expect_error(port, "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405);
        expect_error(port, big, 400);
        /* The server still serves after all that. */
        struct resp r;
        get_once(port, "/?bytes=9", &r);
        check_ok(&r, 9);
        stop(&models[m]);
    }
    free(big);
}

Test(server, latency, .timeout = 10)
{
    struct srv_handle h = start(SRV_EVENT, 1, 0, 0);
    const char *targets[] = {"/?ms=150", "/delay/150", "/delay/150?bytes=1"};
    for (int i = 0; i < 3; i++) {
        struct resp r;
        uint64_t t0 = cb_now_ns();
        get_once(h.port, targets[i], &r);
        double ms = ms_since(t0);
        cr_assert_eq(r.status, 200, "status %d", r.status);
        cr_assert_geq(ms, 150.0, "%s answered after %.1f ms", targets[i], ms);
        cr_assert_lt(ms, 1000.0, "%s answered after %.1f ms", targets[i], ms);
    }
    stop(&h);

    /* The configured default applies when the URL says nothing. */
    h = start(SRV_BLOCKING, 1, 120 * MS, 0);
    struct resp r;
    uint64_t t0 = cb_now_ns();
    get_once(h.port, "/", &r);
    double ms = ms_since(t0);
    check_ok(&r, 64);
    cr_assert_geq(ms, 120.0, "default latency: %.1f ms", ms);
    cr_assert_lt(ms, 1000.0, "default latency: %.1f ms", ms);
    stop(&h);
}

Test(server, status_and_reset, .timeout = 10)
{
    struct srv_handle h = start(SRV_EVENT, 1, 0, 0);
    struct resp r;
    get_once(h.port, "/?status=500", &r);
    cr_assert_eq(r.status, 500, "status %d", r.status);
    cr_assert_eq(r.got, 64, "body of %llu bytes", (unsigned long long)r.got);
    cr_assert_eq(r.bad, 0, "body differs");

    get_once(h.port, "/?reset=100&bytes=100000", &r);
    cr_assert_eq(r.status, 200, "status %d", r.status);
    cr_assert_eq(r.clen, 100000, "Content-Length %lld", r.clen);
    cr_assert_lt(r.got, 100000, "got the whole body despite reset");
    cr_assert_leq(r.got, 100, "got %llu bytes, more than reset=100", (unsigned long long)r.got);
    cr_assert(r.end_err == ECONNRESET || r.end_err == -1, "body ended with %d (%s)", r.end_err,
              r.end_err > 0 ? strerror(r.end_err) : "EOF");
    stop(&h);

    h = start(SRV_BLOCKING, 1, 0, 0);
    get_once(h.port, "/?reset=10&bytes=5000&status=503", &r);
    cr_assert_eq(r.status, 503, "status %d", r.status);
    cr_assert_leq(r.got, 10, "got %llu bytes", (unsigned long long)r.got);
    cr_assert_neq(r.end_err, 0, "no reset");
    stop(&h);
}

/* ---- concurrency -------------------------------------------------------- */

/* n concurrent GETs of target; returns the wall time in ms. */
static double concurrent(int port, int n, const char *target)
{
    struct client *cl = calloc((size_t)n, sizeof *cl);
    uint64_t t0 = cb_now_ns();
    for (int i = 0; i < n; i++) {
        cl[i].fd = cl_connect(port);
        cl_get(cl[i].fd, target);
    }
    for (int i = 0; i < n; i++) {
        struct resp r;
        cl_response(&cl[i], &r, 0);
        cr_assert_eq(r.status, 200, "request %d: status %d", i, r.status);
        cr_assert_eq(r.got, 64, "request %d: %llu bytes", i, (unsigned long long)r.got);
    }
    double ms = ms_since(t0);
    for (int i = 0; i < n; i++)
        close(cl[i].fd);
    free(cl);
    return ms;
}

/* n requests of path at once take at least lo ms and less than hi ms. */
static void check_concurrent(const struct srv_handle *h, int n, const char *path, double lo,
                             double hi)
{
    double ms = concurrent(h->port, n, path);
    cr_assert_geq(ms, lo, "%d requests of %s: %.1f ms, expected at least %.0f", n, path, ms, lo);
    cr_assert_lt(ms, hi, "%d requests of %s: %.1f ms, expected under %.0f", n, path, ms, hi);
}

/* 4 requests of 200 ms on 2 workers (threads or processes): two rounds. */
Test(server, blocking_concurrency_is_w, .timeout = 10)
{
    struct srv_handle h = start(SRV_BLOCKING, 2, 0, 0);
    check_concurrent(&h, 4, "/?ms=200", 380.0, 750.0);
    stop(&h);
}

Test(server, prefork_concurrency_is_w, .timeout = 10)
{
    struct srv_handle h = start(SRV_PREFORK, 2, 0, 0);
    check_concurrent(&h, 4, "/?ms=200", 380.0, 750.0);
    stop(&h);
}

Test(server, event_concurrency, .timeout = 10)
{
    struct srv_handle h = start(SRV_EVENT, 1, 0, 0);
    check_concurrent(&h, 20, "/?ms=200", 200.0, 600.0);
    check_concurrent(&h, 1000, "/delay/300", 300.0, 3000.0);
    stop(&h);
}

/* ---- timeouts and limits ------------------------------------------------ */

Test(server, idle_timeout, .timeout = 10)
{
    struct srv_handle h = start(SRV_EVENT, 1, 0, 200 * MS);
    /* Idle from the start. */
    int fd = cl_connect(h.port);
    uint64_t t0 = cb_now_ns();
    cr_assert(closed_within(fd, 2000), "idle connection still open after 2 s");
    double ms = ms_since(t0);
    cr_assert_geq(ms, 150.0, "closed after %.1f ms", ms);
    close(fd);

    /* Idle after a response on a keep-alive connection. */
    struct client *cl = calloc(1, sizeof *cl);
    struct resp r;
    cl->fd = cl_connect(h.port);
    cl_get(cl->fd, "/?bytes=1");
    cl_response(cl, &r, 0);
    check_ok(&r, 1);
    cr_assert(closed_within(cl->fd, 2000), "keep-alive connection not closed");
    close(cl->fd);

    /* A request that never ends (slow client). */
    fd = cl_connect(h.port);
    cl_send(fd, "GET / HTTP/1.1\r\nHost:");
    cr_assert(closed_within(fd, 2000), "slow client not cut off");
    close(fd);

    /* A request longer than the idle timeout is still answered. */
    cl->len = 0;
    cl->fd = cl_connect(h.port);
    cl_get(cl->fd, "/?ms=400&bytes=2");
    cl_response(cl, &r, 0);
    check_ok(&r, 2);
    close(cl->fd);
    free(cl);
    stop(&h);

    h = start(SRV_BLOCKING, 1, 0, 200 * MS);
    fd = cl_connect(h.port);
    cr_assert(closed_within(fd, 2000), "blocking: idle connection still open");
    close(fd);
    stop(&h);
}

Test(server, stop_leaves_nothing, .timeout = 15)
{
    enum srv_model models[] = {SRV_EVENT, SRV_BLOCKING, SRV_PREFORK};
    for (int m = 0; m < 3; m++) {
        struct srv_handle h = start(models[m], 3, 0, 0);
        /* A request in flight (a 5 s wait) must not hold the stop up. */
        int fd = cl_connect(h.port);
        cl_get(fd, "/delay/5000");
        struct timespec pause = {0, 50 * 1000000L};
        nanosleep(&pause, NULL);
        uint64_t t0 = cb_now_ns();
        stop(&h);
        double ms = ms_since(t0);
        cr_assert_lt(ms, 2000.0, "%s: stop took %.1f ms", srv_model_name(models[m]), ms);
        close(fd);
    }
    struct srv_handle none = {0};
    cr_assert_eq(srv_stop(&none), -EINVAL, "stop of an empty handle");
}

/* A prefork worker that dies (here of SIGUSR1, which neither dumps core
 * nor trips ASan) is replaced; the server keeps serving. */
Test(server, prefork_respawns_crashed_worker, .timeout = 10)
{
    struct srv_handle h = start(SRV_PREFORK, 1, 0, 0);
    char path[96];
    int worker = 0;
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)h.pid, (int)h.pid);
    FILE *f = fopen(path, "r");
    if (!f) {
        stop(&h);
        cr_skip_test("no %s (CONFIG_PROC_CHILDREN)", path);
    }
    cr_assert_eq(fscanf(f, "%d", &worker), 1, "no worker in %s", path);
    fclose(f);
    cr_assert_eq(kill(worker, SIGUSR1), 0, "kill worker %d", worker);
    struct timespec pause = {0, 200 * 1000000L};
    nanosleep(&pause, NULL);
    struct resp r;
    get_once(h.port, "/?bytes=12", &r);
    check_ok(&r, 12);
    stop(&h);
}

Test(server, spawn_failure_leaves_nothing, .timeout = 10)
{
    struct srv_handle h = start(SRV_EVENT, 1, 0, 0), h2;
    struct srv_config c;
    srv_config_default(&c);
    c.port = h.port;
    int rc = srv_spawn(&c, &h2);
    cr_assert_eq(rc, -EADDRINUSE, "second server on one port: %d (%s)", rc, strerror(-rc));
    stop(&h);
    cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child is left");
    cr_assert_eq(errno, ECHILD, "waitpid: %s", strerror(errno));

    c.port = 0;
    c.host = "203.0.113.1"; /* TEST-NET-3: not an address of this machine */
    rc = srv_spawn(&c, &h2);
    cr_assert_eq(rc, -EADDRNOTAVAIL, "bind to a foreign address: %d (%s)", rc, strerror(-rc));
}

/* The server at EMFILE: it sheds connections, keeps serving, and does not
 * spin. Run in a child with a small RLIMIT_NOFILE. */
/* The user + system CPU of process pid so far, in clock ticks. */
static unsigned long cpu_ticks(pid_t pid)
{
    char path[64];
    unsigned long ut, st;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    cr_assert(f, "open %s", path);
    cr_assert_eq(fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st),
                 2, "stat");
    fclose(f);
    return ut + st;
}

Test(server, emfile, .timeout = 10)
{
    int p[2];
    cr_assert_eq(pipe(p), 0, "pipe");
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork");
    if (pid == 0) {
        struct rlimit rl = {24, 24};
        struct srv_config c;
        /* Only stdio and the readiness pipe: the limit is the server's. */
        dup2(p[1], 3);
        close_range(4, ~0u, 0);
        setrlimit(RLIMIT_NOFILE, &rl);
        srv_config_default(&c);
        c.latency_ns = 0;
        _exit(srv_run(&c, 3) == 0 ? 0 : 1);
    }
    close(p[1]);
    char buf[16] = {0};
    cr_assert_gt(read(p[0], buf, sizeof buf - 1), 0, "no port");
    close(p[0]);
    int port = atoi(buf), n = 60, shed = 0;
    int *fds = calloc((size_t)n, sizeof *fds);
    for (int i = 0; i < n; i++)
        fds[i] = cl_connect(port);
    struct timespec pause = {0, 300 * 1000000L};
    nanosleep(&pause, NULL);

    unsigned long ticks0 = cpu_ticks(pid);
    for (int i = 0; i < n; i++)
        shed += closed_within(fds[i], 1);
    cr_assert_gt(shed, 0, "no connection shed at EMFILE");
    cr_assert_lt(shed, n, "every connection shed");
    nanosleep(&pause, NULL);
    /* 300 ms at EMFILE; a spinning server burns ~30 ticks. */
    unsigned long ticks = cpu_ticks(pid) - ticks0;
    cr_assert_lt(ticks, 5ul, "server used %lu ticks at EMFILE", ticks);

    for (int i = 0; i < n; i++)
        close(fds[i]);
    free(fds);
    nanosleep(&pause, NULL);
    struct resp r;
    get_once(port, "/?bytes=33", &r);
    check_ok(&r, 33);
    kill(pid, SIGTERM);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid, "waitpid");
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "server exit status %#x", st);
}

/* ---- srv_run in this process (ASan sees its leaks) ---------------------- */

struct run_arg {
    struct srv_config c;
    int ready_fd;
    int rc;
};

static void *run_thread(void *p)
{
    struct run_arg *a = p;
    a->rc = srv_run(&a->c, a->ready_fd);
    return NULL;
}

static void run_in_process(enum srv_model m)
{
    struct run_arg a = {.rc = -1};
    int p[2];
    pthread_t th;
    srv_config_default(&a.c);
    a.c.model = m;
    a.c.workers = 2;
    a.c.latency_ns = 0;
    cr_assert_eq(pipe(p), 0, "pipe");
    a.ready_fd = p[1];
    cr_assert_eq(pthread_create(&th, NULL, run_thread, &a), 0, "pthread_create");
    char buf[16] = {0};
    cr_assert_gt(read(p[0], buf, sizeof buf - 1), 0, "no port");
    close(p[0]);
    int port = atoi(buf);
    struct resp r;
    get_once(port, "/?bytes=4096", &r);
    check_ok(&r, 4096);
    /* Leave a connection open (and one half-read request) at the stop. */
    int fd = cl_connect(port), fd2 = cl_connect(port);
    cl_send(fd2, "GET /?by");
    struct timespec pause = {0, 50 * 1000000L};
    nanosleep(&pause, NULL);
    pthread_kill(th, SIGTERM);
    pthread_join(th, NULL);
    cr_assert_eq(a.rc, 0, "srv_run returned %d", a.rc);
    close(fd);
    close(fd2);
    cb_leak_check(); /* srv_run ran in this process: nothing may be left */
}

Test(server, run_in_process_event, .timeout = 10)
{
    run_in_process(SRV_EVENT);
}
Test(server, run_in_process_blocking, .timeout = 10)
{
    run_in_process(SRV_BLOCKING);
}

/* ---- configuration and command line ------------------------------------- */

Test(server, http_parser)
{
    struct srv_req r;
    const char *full = "GET /delay/2.5?bytes=10&status=404&reset=3&zz=q HTTP/1.1\r\n\r\n";
    for (size_t n = 0; n < strlen(full); n++)
        cr_assert_eq(srv_http_parse(full, n, 7, 8, &r), 0, "complete at %zu", n);
    cr_assert_eq(srv_http_parse(full, strlen(full), 7, 8, &r), strlen(full), "not complete");
    cr_assert_eq(r.error, 0, "error %d", r.error);
    cr_assert_eq(r.latency_ns, 2500000, "latency %llu", (unsigned long long)r.latency_ns);
    cr_assert_eq(r.body_bytes, 10, "bytes %llu", (unsigned long long)r.body_bytes);
    cr_assert_eq(r.status, 404, "status %d", r.status);
    cr_assert_eq(r.reset_after, 3, "reset %llu", (unsigned long long)r.reset_after);
    cr_assert(r.keep_alive, "HTTP/1.1 is keep-alive");

    const char *h10 = "GET http://host:1/?ms=1 HTTP/1.0\r\n\r\n";
    cr_assert_eq(srv_http_parse(h10, strlen(h10), 7, 8, &r), strlen(h10), "1.0");
    cr_assert(!r.keep_alive, "HTTP/1.0 without keep-alive");
    cr_assert_eq(r.latency_ns, 1000000, "latency %llu", (unsigned long long)r.latency_ns);
    cr_assert_eq(r.body_bytes, 8, "default bytes %llu", (unsigned long long)r.body_bytes);

    const char *body = "GET / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET";
    cr_assert_eq(srv_http_parse(body, strlen(body) - 5, 7, 8, &r), 0,
                 "request body not waited for");
    cr_assert_eq(srv_http_parse(body, strlen(body), 7, 8, &r), strlen(body) - 3,
                 "request body not taken");
}

/* serve's options by their long names (the command line's table spells
 * them; tests/test_cli.sh runs the command line). */
Test(server, options_bad_values)
{
    struct srv_config c;
    srv_config_default(&c);
    cr_assert_eq(srv_option(&c, "bogus", "1"), -ENOENT, "an unknown option");
    cr_assert_eq(srv_option(&c, "latency", "abc"), -EINVAL, "--latency abc");
    cr_assert_eq(srv_option(&c, "server-workers", "0"), -EINVAL, "--server-workers 0");
    cr_assert_eq(srv_option(&c, "server-model", "asgi"), -EINVAL, "--server-model asgi");
    cr_assert_eq(srv_option(&c, "server-model", "flask"), -EINVAL, "flask runs only through run");
    cr_assert_eq(srv_option(&c, "port", "65536"), -EINVAL, "--port 65536");
    cr_assert_eq(srv_option(&c, "idle-timeout", "0"), -EINVAL, "--idle-timeout 0");
    cr_assert_eq(srv_option(&c, "server-model", "prefork"), 0);
    cr_assert_eq(srv_option(&c, "server-workers", "4"), 0);
    cr_assert_eq(srv_option(&c, "latency", "250ms"), 0);
    cr_assert_eq(c.model, SRV_PREFORK);
    cr_assert_eq(c.workers, 4);
    cr_assert_eq(c.latency_ns, 250000000u);
}

/* ---- robustness (issue 9) ------------------------------------------------ */

/* Read a response head only (the body may be huge); *status and the
 * X-Checksum. Returns 0, or -1 when the connection ended first. */
static int head_only(int fd, int *status, uint64_t *xsum, int timeout_ms)
{
    char buf[4096];
    size_t len = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    uint64_t deadline = cb_now_ns() + (uint64_t)timeout_ms * MS;
    while (!memmem(buf, len, "\r\n\r\n", 4)) {
        uint64_t now = cb_now_ns();
        if (now >= deadline || len == sizeof buf - 1)
            return -1;
        if (poll(&p, 1, (int)((deadline - now) / MS) + 1) <= 0)
            continue;
        ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0)
            return -1;
        len += (size_t)n;
    }
    buf[len] = 0;
    unsigned long long v = 0;
    char *x = strcasestr(buf, "\r\nX-Checksum:");
    if (sscanf(buf, "HTTP/1.1 %d", status) != 1 || !x || sscanf(x + 13, "%llx", &v) != 1)
        return -1;
    *xsum = v;
    return 0;
}

/* While one client asks for a 1 GB body (whose checksum takes about 1.5 s
 * to compute), other GETs are answered at once, and the big one gets the
 * right X-Checksum in the end. */
Test(server, big_body_does_not_block, .timeout = 60)
{
    const uint64_t big = 1000000000;
    struct srv_handle h = start(SRV_EVENT, 1, 0, 0);
    int fd = cl_connect(h.port);
    cl_get(fd, "/?bytes=1000000000");
    struct timespec pause = {0, 50 * 1000000L};
    nanosleep(&pause, NULL);
    for (int i = 0; i < 5; i++) {
        uint64_t t0 = cb_now_ns();
        struct resp r;
        get_once(h.port, "/?ms=0&bytes=100", &r);
        double ms = ms_since(t0);
        check_ok(&r, 100);
        cr_assert_lt(ms, 1000.0, "GET %d took %.1f ms behind ?bytes=1e9", i, ms);
    }
    int status = 0;
    uint64_t xsum = 0;
    cr_assert_eq(head_only(fd, &status, &xsum, 45000), 0, "no head for ?bytes=1e9");
    cr_assert_eq(status, 200, "status %d", status);
    cr_assert_eq(xsum, cb_body_checksum(big), "X-Checksum %016llx, want %016llx",
                 (unsigned long long)xsum, (unsigned long long)cb_body_checksum(big));
    close(fd);
    /* Over the documented bound: 400, at once. */
    struct resp r;
    get_once(h.port, "/?bytes=4294967297", &r);
    cr_assert_eq(r.status, 400, "bytes over 4 GiB: status %d", r.status);
    get_once(h.port, "/?ms=86400001", &r);
    cr_assert_eq(r.status, 400, "ms over a day: status %d", r.status);
    stop(&h);
}

/* Descriptors the process pid has open. */
static int count_fds(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    int n = 0;
    DIR *d = opendir(path);
    cr_assert_not_null(d, "opendir %s: %s", path, strerror(errno));
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* A blocking server of one worker: a client that asks for ten minutes and
 * goes away must not hold the worker; the next request is served. */
static void abandoned_frees_worker(enum srv_model m)
{
    struct srv_handle h = start(m, 1, 0, 0);
    for (int i = 0; i < 2; i++) {
        int fd = cl_connect(h.port);
        cl_get(fd, "/delay/600000");
        struct timespec pause = {0, 100 * 1000000L};
        nanosleep(&pause, NULL);
        close(fd);
    }
    uint64_t t0 = cb_now_ns();
    struct resp r;
    get_once(h.port, "/?ms=0", &r);
    double ms = ms_since(t0);
    check_ok(&r, 64);
    cr_assert_lt(ms, 3000.0, "%s: next request after two abandoned ones took %.1f ms",
                 srv_model_name(m), ms);
    stop(&h);
}

Test(server, abandoned_frees_blocking_worker, .timeout = 15)
{
    abandoned_frees_worker(SRV_BLOCKING);
}

Test(server, abandoned_frees_prefork_worker, .timeout = 15)
{
    abandoned_frees_worker(SRV_PREFORK);
}

/* The event server closes a connection whose client left during the
 * latency now, not when the latency (ten minutes) ends. */
Test(server, abandoned_freed_by_event_server, .timeout = 15)
{
    struct srv_handle h = start(SRV_EVENT, 1, 0, 0);
    /* Once a GET is answered, the server is in its loop: the readiness
     * pipe is closed, the GET's connection too after a moment. */
    struct resp r;
    get_once(h.port, "/?ms=0", &r);
    struct timespec settle = {0, 100 * 1000000L};
    nanosleep(&settle, NULL);
    int base = count_fds(h.pid), fds[20];
    for (int i = 0; i < 20; i++) {
        fds[i] = cl_connect(h.port);
        cl_get(fds[i], "/delay/600000");
    }
    uint64_t t0 = cb_now_ns();
    while (count_fds(h.pid) < base + 20 && ms_since(t0) < 5000) {
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
    cr_assert_eq(count_fds(h.pid), base + 20, "20 waiting connections: %d",
                 count_fds(h.pid) - base);
    for (int i = 0; i < 20; i++)
        close(fds[i]);
    t0 = cb_now_ns();
    while (count_fds(h.pid) > base && ms_since(t0) < 2000) {
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
    cr_assert_eq(count_fds(h.pid), base, "%d connections still open 2 s after their clients left",
                 count_fds(h.pid) - base);
    stop(&h);
}

/* Can we bind 127.0.0.1:port (nobody listens there any more)? */
/* 1 when nothing listens on TCP port `port` any more (/proc/net/tcp and
 * tcp6, state 0A). Not a bind() probe: the parallel tests' clients take
 * ephemeral ports too, and one of them holding this number as its local
 * port would make bind() fail although the server is gone. */
static int port_free(int port)
{
    static const char *const tables[] = {"/proc/net/tcp", "/proc/net/tcp6"};
    for (size_t i = 0; i < 2; i++) {
        FILE *f = fopen(tables[i], "re");
        char line[512];
        while (f && fgets(line, sizeof line, f)) {
            char local[128];
            unsigned st;
            if (sscanf(line, " %*d: %127s %*s %x", local, &st) != 2)
                continue;
            const char *colon = strrchr(local, ':');
            if (colon && st == 0x0A && (int)strtol(colon + 1, NULL, 16) == port) {
                fclose(f);
                return 0;
            }
        }
        if (f)
            fclose(f);
    }
    return 1;
}

/*
 * A "harness" process starts a server of config c and is killed by sig.
 * Within a second the server's port is free and nothing of its process
 * group is left. This process is made a subreaper, so the orphans come to
 * it and are reaped (the container's init may not reap).
 */
static void dies_with_parent(const struct srv_config *c, int sig)
{
    int p[2];
    cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0, "subreaper: %s", strerror(errno));
    cr_assert_eq(pipe(p), 0);
    pid_t harness = fork();
    cr_assert_geq(harness, 0, "fork: %s", strerror(errno));
    if (harness == 0) {
        /* The signal must do what it does to a harness in a shell: the test
         * runner may ignore or block it in its workers (with --jobs), and
         * the child would inherit that. */
        struct sigaction dfl = {.sa_handler = SIG_DFL};
        sigaction(sig, &dfl, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        struct srv_handle h;
        int got[2] = {-1, -1};
        if (srv_spawn(c, &h) == 0)
            got[0] = h.pid, got[1] = h.port;
        if (write(p[1], got, sizeof got) != sizeof got)
            _exit(1);
        for (int i = 0; i < 600; i++) /* bounded: killed long before */
            sleep(1);
        _exit(0);
    }
    close(p[1]);
    int got[2];
    cr_assert_eq(read(p[0], got, sizeof got), (ssize_t)sizeof got, "no word from the harness");
    close(p[0]);
    cr_assert_gt(got[0], 0, "%s: the harness could not start the server", srv_model_name(c->model));
    struct resp r;
    get_once(got[1], "/?ms=0", &r);
    check_ok(&r, 64);
    cr_assert_eq(kill(harness, sig), 0);
    uint64_t t0 = cb_now_ns();
    int gone = 0, free_port = 0;
    while (ms_since(t0) < 1000 && !(gone && free_port)) {
        while (waitpid(-1, NULL, WNOHANG) > 0) /* the harness, then the orphans */
            ;
        gone = kill(-got[0], 0) == -1 && errno == ESRCH;
        free_port = port_free(got[1]);
        struct timespec pause = {0, 5 * 1000000L};
        nanosleep(&pause, NULL);
    }
    cr_assert(free_port, "%s, harness killed by %s: port %d still taken after %.0f ms",
              srv_model_name(c->model), strsignal(sig), got[1], ms_since(t0));
    cr_assert(gone, "%s, harness killed by %s: process group %d still there after %.0f ms",
              srv_model_name(c->model), strsignal(sig), got[0], ms_since(t0));
}

Test(server, dies_with_parent, .timeout = 30)
{
    int sigs[] = {SIGKILL, SIGTERM, SIGINT, SIGHUP};
    struct srv_config c;
    srv_config_default(&c);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        dies_with_parent(&c, sigs[i]);
    c.model = SRV_PREFORK;
    c.workers = 3;
    dies_with_parent(&c, SIGKILL);
    c.model = SRV_BLOCKING;
    dies_with_parent(&c, SIGKILL);
}

/* serve --listen: a wildcard is warned about (tested on a port already
 * taken, so that nothing ever listens on every address), an unknown host
 * is said in words. */
Test(server, main_listen_messages, .timeout = 10)
{
    struct srv_handle h = start(SRV_EVENT, 1, 0, 0);
    char port[16], path[] = "/tmp/cb-serve-XXXXXX";
    snprintf(port, sizeof port, "%d", h.port);
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    unlink(path);
    int saved = dup(2);
    dup2(fd, 2);
    struct srv_config c1, c2;
    srv_config_default(&c1);
    srv_config_default(&c2);
    cr_assert_eq(srv_option(&c1, "listen", "0.0.0.0") | srv_option(&c1, "port", port), 0);
    cr_assert_eq(srv_option(&c2, "listen", "no-such-host.invalid"), 0);
    int rc1 = srv_serve(&c1), rc2 = srv_serve(&c2);
    dup2(saved, 2);
    close(saved);
    char out[2048] = "";
    ssize_t n = pread(fd, out, sizeof out - 1, 0);
    out[n > 0 ? n : 0] = 0;
    close(fd);
    stop(&h);
    cr_assert_eq(rc1, 1, "0.0.0.0 on a taken port: exit %d", rc1);
    cr_assert(strstr(out, "warning: --listen 0.0.0.0 listens on every address"),
              "no warning in:\n%s", out);
    cr_assert_eq(rc2, 1, "unknown host: exit %d", rc2);
    cr_assert(strstr(out, "cannot resolve --listen host 'no-such-host.invalid'"),
              "no word on the unknown host in:\n%s", out);
    cr_assert_null(strstr(out, "Cannot assign requested address"), "errno text in:\n%s", out);
}

/* ---- the real servers: flask and fastapi (issue 11) ---------------------- */

/* Start model m (W workers, latency L 1 s), or skip when a Debian package
 * is missing. */
static struct srv_handle start_py(enum srv_model m, int workers)
{
    const char *missing = srv_missing_package(m);
    if (missing)
        cr_skip_test("%s needs the Debian package %s (scripts/install-deps.sh python)",
                     srv_model_name(m), missing);
    return start(m, workers, 1000 * MS, 0);
}

static void py_checks(enum srv_model m, int workers, const char *label_prefix)
{
    struct srv_handle h = start_py(m, workers);
    struct resp r;
    get_once(h.port, "/?ms=0", &r);
    check_ok(&r, 64);
    get_once(h.port, "/delay/10?bytes=100000", &r);
    check_ok(&r, 100000);
    get_once(h.port, "/?ms=0&status=404&bytes=7", &r);
    cr_assert_eq(r.status, 404, "status %d", r.status);
    cr_assert_eq(r.got, 7, "404 body %llu bytes", (unsigned long long)r.got);
    get_once(h.port, "/?ms=abc", &r);
    cr_assert_eq(r.status, 400, "bad ms: status %d", r.status);
    uint64_t t0 = cb_now_ns();
    get_once(h.port, "/", &r); /* the default latency, 1 s */
    double ms = ms_since(t0);
    check_ok(&r, 64);
    cr_assert(ms >= 990 && ms < 3000, "default latency 1 s took %.1f ms", ms);

    struct srv_config c;
    srv_config_default(&c);
    c.model = m;
    c.workers = workers;
    char label[128];
    cr_assert_eq(srv_label(&c, label, sizeof label), 0);
    cr_assert_eq(strncmp(label, label_prefix, strlen(label_prefix)), 0, "label '%s'", label);
    cr_assert_null(strstr(label, "unknown"), "label '%s'", label);
    stop(&h);
}

Test(server, flask_serves_and_stops, .timeout = 60)
{
    py_checks(SRV_FLASK, 2, "flask:2 (Flask ");
    /* W = 2 sync workers: 4 requests of 300 ms take two rounds. */
    struct srv_handle h = start_py(SRV_FLASK, 2);
    check_concurrent(&h, 4, "/?ms=300", 590.0, 1500.0);
    stop(&h);
}

Test(server, fastapi_serves_and_stops, .timeout = 60)
{
    py_checks(SRV_FASTAPI, 1, "fastapi (FastAPI ");
    /* One process, one event loop: 20 requests of 300 ms at once. */
    struct srv_handle h = start_py(SRV_FASTAPI, 1);
    check_concurrent(&h, 20, "/?ms=300", 300.0, 1500.0);
    stop(&h);
}

Test(server, python_dies_with_parent, .timeout = 60)
{
    struct srv_config c;
    srv_config_default(&c);
    enum srv_model ms[] = {SRV_FLASK, SRV_FASTAPI};
    for (int i = 0; i < 2; i++) {
        const char *missing = srv_missing_package(ms[i]);
        if (missing)
            cr_skip_test("%s needs the Debian package %s", srv_model_name(ms[i]), missing);
        c.model = ms[i];
        c.workers = 3;
        dies_with_parent(&c, SIGKILL);
    }
}

/* An app that cannot start is said, and leaves nothing behind. */
Test(server, python_start_failure, .timeout = 40)
{
    struct srv_config c;
    struct srv_handle h;
    srv_config_default(&c);
    c.model = SRV_FASTAPI;
    if (srv_missing_package(c.model))
        cr_skip_test("fastapi needs %s", srv_missing_package(c.model));
    setenv("CB_SRV_PY_DIR", "/nonexistent-cb-py-dir", 1);
    int null = open("/dev/null", O_WRONLY); /* the expected messages */
    dup2(null, 2);
    close(null);
    int rc = srv_spawn(&c, &h);
    cr_assert_eq(rc, -ENOENT, "spawn of an app that is not there: %d (%s)", rc, strerror(-rc));
    cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child is left");
    cr_assert_eq(errno, ECHILD, "waitpid: %s", strerror(errno));
}

Test(server, model_table)
{
    enum srv_model m;
    const char *names[] = {"event", "blocking", "prefork", "flask", "fastapi"};
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(srv_model_parse(names[i], &m), 0, "parse %s", names[i]);
        cr_assert_eq((int)m, i, "model %d, want %d", (int)m, i);
        cr_assert_str_eq(srv_model_name(m), names[i]);
        cr_assert_eq(srv_model_package(m) == NULL, i < 3, "%s: package", names[i]);
    }
    struct srv_config c;
    srv_config_default(&c);
    char label[64];
    c.workers = 4;
    srv_label(&c, label, sizeof label);
    cr_assert_str_eq(label, "event");
    c.model = SRV_PREFORK;
    srv_label(&c, label, sizeof label);
    cr_assert_str_eq(label, "prefork:4");
    c.model = SRV_BLOCKING;
    c.workers = 2;
    srv_label(&c, label, sizeof label);
    cr_assert_str_eq(label, "blocking:2");
    cr_assert_eq(srv_concurrency(&c), 2);
    c.model = SRV_FASTAPI;
    cr_assert_eq(srv_concurrency(&c), 0);
    cr_assert_str_eq(srv_model_package(SRV_FLASK), "python3-flask gunicorn");
    cr_assert_eq(srv_run(&c, -1), -EINVAL, "srv_run of a Python model");
}
