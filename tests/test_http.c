/*
 * test_http.c: every strategy against a live test server: all responses
 * verified and in order; and each failure (server down, HTTP 500, slower
 * than the timeout, reset mid-body) reported as its kind, every slot
 * filled, nothing lost from the tasks that did succeed.
 */
#include "body.h"
#include "helpers.h"
#include "server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MS 1000000ull

static struct srv_handle srv;
static int have_srv;

static void start_server(enum srv_model m, int workers, uint64_t latency)
{
    srv = cb_test_server(m, workers, latency, 0);
    have_srv = 1;
}

static void init(void)
{
    /* Each test is its own process: libcurl is initialised there, first. */
    cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
}

static void fini(void)
{
    if (have_srv)
        srv_stop(&srv);
    curl_global_cleanup();
}

TestSuite(http, .init = init, .fini = fini, .timeout = 30);

static struct cb_task *get_all(const char *strategy, const char *url, size_t n, size_t w,
                               uint64_t timeout, uint64_t *wall)
{
    struct cb_workload wl = {
        .kind = CB_HTTP, .n = n, .max_in_flight = w, .url = url, .timeout_ns = timeout};
    struct cb_report rep;
    int rc;
    struct cb_task *t = run_strategy(cb_strategy_find(strategy), &wl, &rep, &rc, wall);
    cr_assert_eq(rc, 0, "%s: run returned %d", strategy, rc);
    return t;
}

/*
 * Connections that involved port: every TCP connection leaves exactly one
 * TIME_WAIT entry, on the side that closed first, for 60 s. The server of
 * one test has a port of its own, so nothing else is counted.
 */
static size_t connections_to(int port)
{
    FILE *f = fopen("/proc/net/tcp", "re");
    char line[512];
    size_t n = 0;
    cr_assert_not_null(f);
    while (fgets(line, sizeof line, f)) {
        unsigned lport, rport, st;
        if (sscanf(line, " %*d: %*x:%x %*x:%x %x", &lport, &rport, &st) == 3 && st == 0x06 &&
            ((int)lport == port || (int)rport == port))
            n++;
    }
    fclose(f);
    return n;
}

static void check_all_ok(const char *strategy, size_t w)
{
    start_server(SRV_EVENT, 0, 50 * MS);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/?bytes=1000", srv.port);
    const size_t n = 30;
    uint64_t wall;
    struct cb_task *t = get_all(strategy, url, n, w, 5000 * MS, &wall);
    uint64_t sum = cb_body_checksum(1000);
    for (size_t k = 0; k < n; k++) {
        cr_assert_eq(t[k].error, CB_OK, "%s: task %zu: %s (%llu)", strategy, k,
                     cb_error_name(t[k].error), (unsigned long long)t[k].value);
        cr_assert_eq(CB_AUX_STATUS(t[k].aux), 200, "%s: task %zu status %u", strategy, k,
                     CB_AUX_STATUS(t[k].aux));
        cr_assert_eq(t[k].value, sum, "%s: task %zu checksum", strategy, k);
        cr_assert_geq(t[k].finished_ns - t[k].started_ns, 50 * MS, "%s: task %zu too fast",
                      strategy, k);
    }
    if (strcmp(strategy, "sequential") && !w)
        cr_assert_lt(wall, n * 50 * MS / 3, "%s: %zu requests of 50 ms took %llu ms", strategy, n,
                     (unsigned long long)(wall / MS));
    if (w) {
        /* A pool keeps its connections alive: at most one per worker
         * (sequential: one), not one per request. */
        srv_stop(&srv);
        have_srv = 0;
        size_t conns = connections_to(srv.port);
        size_t most = strcmp(strategy, "sequential") ? w : 1;
        cr_assert(conns >= 1 && conns <= most, "%s: %zu requests over %zu connections (pool %zu)",
                  strategy, n, conns, w);
    }
    free(t);
    cb_leak_check();
}

/* Every task fails the same way: every slot says so. */
static void check_all_fail(const char *strategy, const char *url, uint64_t timeout, int kind1,
                           int kind2)
{
    const size_t n = 6;
    uint64_t wall;
    struct cb_task *t = get_all(strategy, url, n, 0, timeout, &wall);
    for (size_t k = 0; k < n; k++)
        cr_assert(t[k].error == kind1 || t[k].error == kind2, "%s: task %zu: %s, expected %s",
                  strategy, k, cb_error_name(t[k].error), cb_error_name(kind1));
    free(t);
    cb_leak_check();
}

static void check_down(const char *strategy)
{
    /* A port nobody listens on: bind one, note it, close it. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", ntohs(a.sin_port));
    check_all_fail(strategy, url, 2000 * MS, CB_ERR_REFUSED, CB_ERR_REFUSED);
}

/* The event server misbehaves as query asks (?status=, ?ms=, ?reset=):
 * every task must report it as kind1 or kind2. */
static void check_fault(const char *strategy, const char *query, uint64_t timeout, int kind1,
                        int kind2)
{
    start_server(SRV_EVENT, 0, 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/%s", srv.port, query);
    check_all_fail(strategy, url, timeout, kind1, kind2);
}

/* One blocking worker, 100 ms a request, 350 ms per task: the first few
 * succeed, the rest time out waiting for the worker. Both kinds arrive. */
static void check_mixed(const char *strategy)
{
    start_server(SRV_BLOCKING, 1, 100 * MS);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", srv.port);
    const size_t n = 8;
    uint64_t wall;
    struct cb_task *t = get_all(strategy, url, n, 0, 350 * MS, &wall);
    size_t ok = 0, timeouts = 0;
    for (size_t k = 0; k < n; k++) {
        if (t[k].error == CB_OK) {
            cr_assert_eq(t[k].value, cb_body_checksum(64), "%s: task %zu checksum", strategy, k);
            ok++;
        } else {
            cr_assert_eq(t[k].error, CB_ERR_TIMEOUT, "%s: task %zu: %s", strategy, k,
                         cb_error_name(t[k].error));
            timeouts++;
        }
    }
    if (strcmp(strategy, "sequential") == 0) {
        cr_assert_eq(ok, n, "sequential never queues behind itself: %zu ok", ok);
    } else {
        cr_assert_geq(ok, 1, "%s: nothing succeeded", strategy);
        cr_assert_geq(timeouts, 1, "%s: nothing timed out", strategy);
    }
    free(t);
    cb_leak_check();
}

#define CB_STRATEGY(sn)                                                                            \
    Test(http, sn##_all_verified_in_order)                                                         \
    {                                                                                              \
        check_all_ok(#sn, 0);                                                                      \
    }                                                                                              \
    Test(http, sn##_pool_keeps_alive)                                                              \
    {                                                                                              \
        check_all_ok(#sn, 3);                                                                      \
    }                                                                                              \
    Test(http, sn##_server_down_is_refused)                                                        \
    {                                                                                              \
        check_down(#sn);                                                                           \
    }                                                                                              \
    Test(http, sn##_status_500_is_http_status)                                                     \
    {                                                                                              \
        check_fault(#sn, "?status=500", 2000 * MS, CB_ERR_HTTP, CB_ERR_HTTP);                      \
    }                                                                                              \
    Test(http, sn##_slow_server_is_timeout)                                                        \
    {                                                                                              \
        check_fault(#sn, "?ms=3000", 200 * MS, CB_ERR_TIMEOUT, CB_ERR_TIMEOUT);                    \
    }                                                                                              \
    Test(http, sn##_reset_mid_body_is_reset)                                                       \
    {                                                                                              \
        check_fault(#sn, "?bytes=100000&reset=100", 2000 * MS, CB_ERR_RESET, CB_ERR_BODY);         \
    }                                                                                              \
    Test(http, sn##_errors_beside_successes)                                                       \
    {                                                                                              \
        check_mixed(#sn);                                                                          \
    }
#include "list.h"
