/*
 * micro_http.c: one HTTP GET against concbench's test server with L = 0,
 * through the code the strategies use: curl_easy_perform (sequential,
 * threads, fork: strategies/http.c) and libcurl's multi_socket API on the
 * shared epoll loop (epoll, coro: strategies/evl_curl.c), each on a
 * kept-alive connection and on a new one. Real time: the server is another
 * process.
 */
#include "bench_shim.h"
#include "body.h"
#include "evl_curl.h"
#include "http.h"
#include "server.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void micro_register_http(void);

static struct srv_handle srv;
static int srv_state; /* 0: not started, 1: running, -1: failed */
static char url[64];

static void stop_server(void)
{
    if (srv_state == 1)
        srv_stop(&srv);
    srv_state = 0;
}

/* Start the server on first use; 0, or the benchmark is skipped. */
static int need_server(cbm_state *st)
{
    if (srv_state == 0) {
        struct srv_config c;
        srv_config_default(&c);
        c.latency_ns = 0;
        int rc = srv_spawn(&c, &srv);
        srv_state = rc ? -1 : 1;
        if (!rc) {
            snprintf(url, sizeof url, "http://127.0.0.1:%d/", srv.port);
            atexit(stop_server);
        }
    }
    if (srv_state != 1) {
        cbm_skip_with_error(st, "could not start the test server");
        return -1;
    }
    return 0;
}

static int check(cbm_state *st, const struct cb_task *t)
{
    if (t->error == CB_OK && t->value == cb_body_checksum(64))
        return 0;
    char msg[96];
    snprintf(msg, sizeof msg, "GET failed: %s (%llu)", cb_error_name(t->error),
             (unsigned long long)t->value);
    cbm_skip_with_error(st, msg);
    return -1;
}

/* ctx: (void *)1 for a new connection per request, NULL to keep alive. */
static void bm_easy(cbm_state *st, void *ctx)
{
    struct cb_workload w = {.kind = CB_HTTP, .n = 1, .url = url, .timeout_ns = 5000000000u};
    void *easy = NULL;
    struct cb_task t;
    if (need_server(st))
        return;
    while (cbm_keep_running(st)) {
        memset(&t, 0, sizeof t);
        cb_http_blocking(&w, &t, &easy, ctx != NULL);
        if (check(st, &t))
            break;
    }
    cb_http_easy_destroy(easy);
    cbm_set_items_processed(st, cbm_iterations(st));
}

static void done_cb(struct evl_curl *g, struct cb_http_xfer *x)
{
    (void)x;
    evl_stop(g->loop);
}

static void bm_multi(cbm_state *st, void *ctx)
{
    struct cb_workload w = {.kind = CB_HTTP, .n = 1, .url = url, .timeout_ns = 5000000000u};
    struct evl loop;
    struct evl_curl g;
    struct cb_http_xfer x = {.one_shot = ctx != NULL};
    struct cb_task t;
    if (need_server(st))
        return;
    if (evl_init(&loop, 0)) {
        cbm_skip_with_error(st, "evl_init failed");
        return;
    }
    if (evl_curl_init(&g, &loop, 0, done_cb)) {
        evl_fini(&loop);
        cbm_skip_with_error(st, "evl_curl_init failed");
        return;
    }
    while (cbm_keep_running(st)) {
        memset(&t, 0, sizeof t);
        if (cb_http_xfer_start(&x, &w, &t) == 0 && evl_curl_add(&g, &x) == 0)
            evl_run(&loop); /* done_cb stops it */
        if (check(st, &t))
            break;
    }
    evl_curl_fini(&g);
    cb_http_easy_destroy(x.easy);
    evl_fini(&loop);
    cbm_set_items_processed(st, cbm_iterations(st));
}

void micro_register_http(void)
{
    /* Once, before any thread (libcurl's rule): registration runs first. */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    static const struct {
        const char *name;
        cbm_fn fn;
        void *ctx;
    } b[] = {
        {"http/easy_perform_keepalive", bm_easy, NULL},
        {"http/easy_perform_new_connection", bm_easy, (void *)1},
        {"http/multi_socket_keepalive", bm_multi, NULL},
        {"http/multi_socket_new_connection", bm_multi, (void *)1},
    };
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
        cbm_register(
            &(struct cbm_def){.name = b[i].name, .fn = b[i].fn, .ctx = b[i].ctx, .real_time = 1});
}
