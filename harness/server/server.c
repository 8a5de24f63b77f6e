/*
 * server.c: what every model of the test server shares: the config, the
 * model table (names, labels, packages), listening, srv_run with its
 * signal setup, and the pieces a response is sent with. The models are in
 * srv_event.c, srv_blocking.c and srv_python.c; process control in
 * srv_proc.c; the command line in srv_cli.c; HTTP in srv_http.c.
 */
#include "cb_limits.h"
#include "srv_internal.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

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

/* One line a model: its name, whether it bounds concurrency by its
 * workers, the Debian packages it needs beyond concbench's own. */
static const struct {
    const char *name;
    bool bounded;
    const char *packages;
} srv_models[] = {
    [SRV_EVENT] = {"event", false, NULL},
    [SRV_BLOCKING] = {"blocking", true, NULL},
    [SRV_PREFORK] = {"prefork", true, NULL},
    [SRV_FLASK] = {"flask", true, "python3-flask gunicorn"},
    [SRV_FASTAPI] = {"fastapi", false, "python3-fastapi python3-uvicorn"},
};
#define SRV_NMODELS (sizeof srv_models / sizeof srv_models[0])

const char *srv_model_name(enum srv_model m)
{
    return (unsigned)m < SRV_NMODELS ? srv_models[m].name : "?";
}

const char *srv_model_package(enum srv_model m)
{
    return (unsigned)m < SRV_NMODELS ? srv_models[m].packages : NULL;
}

int srv_concurrency(const struct srv_config *c)
{
    bool bounded = (unsigned)c->model < SRV_NMODELS && srv_models[c->model].bounded;
    return bounded ? (c->workers > 0 ? c->workers : 1) : 0;
}

int srv_label(const struct srv_config *c, char *buf, size_t len)
{
    const char *name = srv_model_name(c->model);
    const char *versions = srv_python_versions(c->model);
    int n;
    if (srv_concurrency(c))
        n = snprintf(buf, len, "%s:%d%s%s", name, srv_concurrency(c), versions ? " " : "",
                     versions ? versions : "");
    else
        n = snprintf(buf, len, "%s%s%s", name, versions ? " " : "", versions ? versions : "");
    return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int srv_model_parse(const char *s, enum srv_model *m)
{
    for (unsigned i = 0; s && i < SRV_NMODELS; i++)
        if (strcmp(s, srv_models[i].name) == 0) {
            *m = (enum srv_model)i;
            return 0;
        }
    return -EINVAL;
}

/* ---- shared pieces ------------------------------------------------------ */

ssize_t srv_out_send(int fd, const char *head, struct srv_out *o)
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

void srv_out_prepare(char *head, struct srv_out *o, const struct srv_req *r, bool keep_alive,
                     uint64_t sum)
{
    *o = (struct srv_out){0};
    if (r->error) {
        o->hlen = (uint16_t)srv_http_error(head, r->error);
        return;
    }
    o->hlen = (uint16_t)srv_http_head_sum(head, r, keep_alive, sum);
    o->bend = r->head_only ? 0 : r->body_bytes;
    if (r->reset_after < o->bend)
        o->bend = r->reset_after;
}

/* Close a client socket. GRACEFUL: send FIN first and drop what the client
 * already sent, because closing with unread input makes the kernel send RST,
 * which can destroy the response still in flight (RFC 9112 9.6). RESET:
 * SO_LINGER {1, 0} makes close() send RST at once. */
void srv_sock_close(int fd, enum srv_close_how how)
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

void srv_ready(struct srv_ctx *x)
{
    if (x->announce) {
        bool v6 = strchr(x->c.host, ':') != NULL;
        fprintf(stderr, "listening on http://%s%s%s:%d (model %s", v6 ? "[" : "", x->c.host,
                v6 ? "]" : "", x->port, srv_model_name(x->c.model));
        if (srv_concurrency(&x->c))
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

int srv_listen(struct srv_ctx *x, int flags)
{
    char port[16];
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
                    *res, *ai;
    int one = 1, rc = -EADDRNOTAVAIL, fd = -1;
    int type = SOCK_STREAM | SOCK_CLOEXEC | flags;

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

int srv_resolve(const struct srv_config *cfg, struct srv_config *c)
{
    *c = *cfg;
    if (!c->host || !*c->host)
        c->host = "127.0.0.1";
    if (c->workers == 0)
        c->workers = 1;
    if (c->idle_timeout_ns == 0)
        c->idle_timeout_ns = 30 * NS_PER_S;
    if ((unsigned)c->model >= SRV_NMODELS || c->workers < 0 || c->port < 0 || c->port > 65535 ||
        c->latency_ns > SRV_LATENCY_MAX_NS || c->body_bytes > SRV_BODY_MAX || c->backlog < 0)
        return -EINVAL;
    return 0;
}

/* The rest of srv_run: process setup, listen, the model, restore. */
int srv_run_ctx(struct srv_ctx *x)
{
    sigset_t set, old_mask;
    struct sigaction dfl = {.sa_handler = SIG_DFL}, ign = {.sa_handler = SIG_IGN};
    struct sigaction old_int, old_term, old_pipe, old_chld;
    int rc = srv_body_init();
    if (rc == 0 && x->c.model > SRV_PREFORK)
        rc = -EINVAL; /* the Python models run only through srv_spawn */
    if (rc)
        goto out;

    cb_raise_nofile(); /* 10,000 connections need 10,000 descriptors */
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

    rc = srv_listen(x, x->c.model == SRV_EVENT ? SOCK_NONBLOCK : 0);
    if (rc == 0) {
        rc = x->c.model == SRV_EVENT ? srv_event_serve(x) : srv_blocking_serve(x, &old_mask);
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
