/*
 * evl_curl.h: libcurl's multi_socket API driven by the shared event loop,
 * in the shape of curl's ephiperfifo.c: curl's socket callback registers
 * fds with the loop, its timer callback arms the loop's alarm, and
 * curl_multi_info_read is drained after every action. Used by the epoll
 * and coro strategies.
 */
#ifndef CB_EVL_CURL_H
#define CB_EVL_CURL_H

#include "evloop.h"
#include "http.h"

struct evl_curl;

/* A transfer finished (x->t is already filled). The callback may start
 * another transfer with evl_curl_add(). */
typedef void (*evl_curl_done_cb)(struct evl_curl *g, struct cb_http_xfer *x);

struct evl_curl {
    struct evl *loop;
    void *multi; /* CURLM * */
    evl_curl_done_cb done_cb;
    void *data;  /* for the user */
    int running; /* transfers curl reports running */
    size_t max_conns;
};

/*
 * Create the multi handle on loop l. max_conns: connection limit (0: no
 * limit), set explicitly so libcurl never queues transfers silently
 * (aiohttp's default cap of 100 did, in the article). 0 or -ENOMEM.
 */
int evl_curl_init(struct evl_curl *g, struct evl *l, size_t max_conns, evl_curl_done_cb done_cb);
void evl_curl_fini(struct evl_curl *g);

/* Start x (prepared with cb_http_xfer_start). 0, or -ENOMEM / -EINVAL
 * when curl refused it (x->t is then filled with the error). */
int evl_curl_add(struct evl_curl *g, struct cb_http_xfer *x);

/* "multi_socket on epoll, max connections N" for the results. */
void evl_curl_policy(const struct evl_curl *g, char *buf, size_t len);

#endif
