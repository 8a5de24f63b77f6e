/* evl_curl.c: libcurl multi_socket on the shared loop. See evl_curl.h. */
#include "evl_curl.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>

/* One socket curl asked us to watch. */
struct evl_curl_sock {
    struct evl_io io;
    struct evl_curl *g;
    int registered;
};

static void check_done(struct evl_curl *g)
{
    struct cb_http_xfer *x = cb_http_drain(g->multi), *next;
    for (; x; x = next) {
        next = x->next_done; /* done_cb may start another transfer on x */
        g->done_cb(g, x);
    }
}

static void io_cb(struct evl *l, int fd, uint32_t events, void *arg)
{
    struct evl_curl_sock *s = arg;
    struct evl_curl *g = s->g;
    int flags = 0;
    (void)l;
    if (events & EPOLLIN)
        flags |= CURL_CSELECT_IN;
    if (events & EPOLLOUT)
        flags |= CURL_CSELECT_OUT;
    if (events & (EPOLLERR | EPOLLHUP))
        flags |= CURL_CSELECT_ERR;
    curl_multi_socket_action(g->multi, fd, flags, &g->running);
    check_done(g);
}

static int socket_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *sockp)
{
    struct evl_curl *g = userp;
    struct evl_curl_sock *s = sockp;
    (void)e;
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            if (s->registered)
                evl_io_del(g->loop, fd);
            curl_multi_assign(g->multi, fd, NULL);
            free(s);
        }
        return 0;
    }
    int fresh = !s;
    if (fresh) {
        if (!(s = calloc(1, sizeof *s)))
            return -1; /* curl fails the transfer with an error */
        s->io = (struct evl_io){io_cb, s};
        s->g = g;
    }
    uint32_t ev = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    int rc =
        s->registered ? evl_io_mod(g->loop, fd, ev, &s->io) : evl_io_add(g->loop, fd, ev, &s->io);
    if (rc) {
        /* Not assigned yet if fresh, so curl will not hand it back. */
        if (fresh)
            free(s);
        return -1; /* curl fails the transfer */
    }
    if (fresh)
        curl_multi_assign(g->multi, fd, s);
    s->registered = 1;
    return 0;
}

static void alarm_cb(struct evl *l, void *arg)
{
    struct evl_curl *g = arg;
    (void)l;
    curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0, &g->running);
    check_done(g);
}

/* curl asks for one timer: -1 removes it, 0 means "as soon as possible"
 * (never call socket_action from here, the loop does it next turn). */
static int timer_cb(CURLM *m, long timeout_ms, void *userp)
{
    struct evl_curl *g = userp;
    (void)m;
    if (timeout_ms < 0)
        evl_alarm_set(g->loop, 0, NULL, NULL);
    else
        evl_alarm_set(g->loop, cb_now_ns() + (uint64_t)timeout_ms * 1000000u, alarm_cb, g);
    return 0;
}

int evl_curl_init(struct evl_curl *g, struct evl *l, size_t max_conns, evl_curl_done_cb done_cb)
{
    *g = (struct evl_curl){.loop = l, .done_cb = done_cb, .max_conns = max_conns};
    if (!(g->multi = curl_multi_init()))
        return -ENOMEM;
    curl_multi_setopt(g->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(g->multi, CURLMOPT_SOCKETDATA, g);
    curl_multi_setopt(g->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(g->multi, CURLMOPT_TIMERDATA, g);
    curl_multi_setopt(g->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)max_conns);
    curl_multi_setopt(g->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)max_conns);
    /* Keep as many idle connections as transfers may run at once, so a
     * worker slot that starts its next transfer finds its connection. */
    if (max_conns)
        curl_multi_setopt(g->multi, CURLMOPT_MAXCONNECTS, (long)max_conns);
    return 0;
}

void evl_curl_fini(struct evl_curl *g)
{
    if (g->multi)
        curl_multi_cleanup(g->multi);
    g->multi = NULL;
}

int evl_curl_add(struct evl_curl *g, struct cb_http_xfer *x)
{
    CURLMcode rc = curl_multi_add_handle(g->multi, x->easy);
    if (rc != CURLM_OK) {
        cb_http_xfer_done(x, CURLE_FAILED_INIT);
        return rc == CURLM_OUT_OF_MEMORY ? -ENOMEM : -EINVAL;
    }
    return 0;
}

void evl_curl_policy(const struct evl_curl *g, char *buf, size_t len)
{
    if (g->max_conns)
        snprintf(buf, len, "multi_socket on epoll, max connections %zu", g->max_conns);
    else
        snprintf(buf, len, "multi_socket on epoll, connections unlimited");
}
