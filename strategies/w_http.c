/*
 * w_http.c: the http workload. A task GETs the workload's URL with libcurl
 * and verifies the response (http.c): aiohttp's session.get() in the
 * article. A slot is one transfer with its easy handle, so a slot that
 * takes task after task keeps its connection. On the loop, transfers run
 * on curl's multi_socket API (evl_curl.c); polled, curl_multi_perform()
 * is called on every pass with no waiting.
 */
#include "evl_curl.h"
#include "workload.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static int global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -ENOMEM;
}

static void blocking(const struct cb_workload *w, size_t k, struct cb_task *t, struct cb_worker *wk)
{
    (void)k;
    cb_http_blocking(w, t, &wk->state, wk->one_shot);
}

static void worker_fini(struct cb_worker *wk)
{
    cb_http_easy_destroy(wk->state);
    wk->state = NULL;
}

/* Every slot's handle makes one request while all others run too, or
 * takes task after task on its connection (see http.c). */
static void slots_init(const struct cb_workload *w, struct cb_http_xfer *xs, size_t nslots)
{
    for (size_t i = 0; i < nslots; i++)
        xs[i].one_shot = cb_all_at_once(w);
}

static void slots_fini(struct cb_http_xfer *xs, size_t nslots)
{
    for (size_t i = 0; i < nslots; i++)
        cb_http_easy_destroy(xs[i].easy);
}

/* --- on the loop --------------------------------------------------------- */

static size_t loop_timers(const struct cb_workload *w, size_t nslots)
{
    (void)w, (void)nslots;
    return 64; /* curl needs one alarm; the heap is for other users */
}

static void xfer_done(struct evl_curl *g, struct cb_http_xfer *x)
{
    struct cb_loop_run *lr = g->data;
    lr->wake(lr, x->owner);
}

static int loop_open(struct cb_loop_run *lr, void *slots, size_t nslots, char *policy, size_t len)
{
    struct evl_curl *g = malloc(sizeof *g);
    int rc = g ? evl_curl_init(g, lr->loop, lr->w->max_in_flight, xfer_done) : -ENOMEM;
    if (rc) {
        free(g);
        return rc;
    }
    g->data = lr;
    lr->state = g;
    lr->loop->data = lr;
    slots_init(lr->w, slots, nslots);
    evl_curl_policy(g, policy, len);
    return 0;
}

static void loop_close(struct cb_loop_run *lr, void *slots, size_t nslots)
{
    /* The multi handle first: removing handles may still call back. */
    evl_curl_fini(lr->state);
    free(lr->state);
    lr->state = NULL;
    slots_fini(slots, nslots);
}

static int loop_start(struct cb_loop_run *lr, void *slot, struct cb_task *t, size_t k, void *waker)
{
    struct cb_http_xfer *x = slot;
    (void)k;
    x->owner = waker;
    int rc = cb_http_xfer_start(x, lr->w, t);
    return rc ? rc : evl_curl_add(lr->state, x);
}

static void loop_finish(struct cb_loop_run *lr, void *slot, struct cb_task *t)
{
    /* cb_http_drain filled the slot as the transfer ended. */
    (void)lr, (void)slot, (void)t;
}

/* --- polled -------------------------------------------------------------- */

static int poll_open(struct cb_poll_run *pr, void *slots, size_t nslots, char *policy, size_t len)
{
    CURLM *m = curl_multi_init();
    if (!m)
        return -ENOMEM;
    curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)pr->w->max_in_flight);
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)pr->w->max_in_flight);
    pr->state = m;
    slots_init(pr->w, slots, nslots);
    snprintf(policy, len, "curl_multi_perform in a loop, no waiting");
    return 0;
}

static void poll_close(struct cb_poll_run *pr, void *slots, size_t nslots)
{
    curl_multi_cleanup(pr->state);
    pr->state = NULL;
    slots_fini(slots, nslots);
}

static int poll_start(struct cb_poll_run *pr, void *slot, struct cb_task *t, size_t k)
{
    struct cb_http_xfer *x = slot;
    (void)k;
    x->finished = 0;
    int rc = cb_http_xfer_start(x, pr->w, t);
    if (rc)
        return rc;
    CURLMcode mc = curl_multi_add_handle(pr->state, x->easy);
    if (mc == CURLM_OK)
        return 0;
    cb_http_xfer_done(x, CURLE_FAILED_INIT);
    return mc == CURLM_OUT_OF_MEMORY ? -ENOMEM : -EINVAL;
}

static void poll_pass(struct cb_poll_run *pr)
{
    int running;
    curl_multi_perform(pr->state, &running);
    for (struct cb_http_xfer *x = cb_http_drain(pr->state); x; x = x->next_done)
        x->finished = 1;
}

static int poll_done(struct cb_poll_run *pr, void *slot, struct cb_task *t)
{
    const struct cb_http_xfer *x = slot;
    (void)pr, (void)t;
    return x->finished;
}

/* --- judged -------------------------------------------------------------- */

/* A GET takes what the server takes. */
static uint64_t task_ns(const struct cb_workload *w, uint64_t target_ns)
{
    (void)w;
    return target_ns;
}

/* Status 200 (the length was checked as it arrived: a short body is
 * CB_ERR_BODY), and the body's checksum when one is expected. */
static int judge(const struct cb_workload *w, uint64_t expect_sum, const struct cb_task *t,
                 size_t k)
{
    (void)w, (void)k;
    if (CB_AUX_STATUS(t->aux) != 200)
        return CB_ERR_HTTP;
    if (expect_sum && t->value != expect_sum)
        return CB_ERR_BODY;
    return CB_OK;
}

/* The length against Content-Length or the chunked end: libcurl fails a
 * short body (CURLE_PARTIAL_FILE); external clients must report it. */
static void checked(char *buf, size_t len, const char *expect, int all_xchecksum)
{
    snprintf(buf, len, "status+length%s%s%s", expect ? "+" : "", expect ? expect : "",
             !expect && all_xchecksum ? "+x-checksum" : "");
}

/* A C strategy's failure keeps curl's code: say it as curl does. */
static int detail(const struct cb_task *t, char *buf, size_t len)
{
    if (!t->value || t->value >= CURL_LAST)
        return 0;
    snprintf(buf, len, "curl: %s", curl_easy_strerror((CURLcode)t->value));
    return 1;
}

const struct cb_workload_type cb_workload_http = {
    .name = "http",
    .summary = "each task GETs a URL (-u, or the test server) and verifies the response",
    .target = 1,
    .value_base = 16,
    .global_init = global_init,
    .thread_stack = 256u << 10, /* a libcurl transfer needs a few tens of KiB */
    .blocking = blocking,
    .worker_fini = worker_fini,
    .slot_size = sizeof(struct cb_http_xfer),
    .loop_timers = loop_timers,
    .loop_open = loop_open,
    .loop_close = loop_close,
    .loop_start = loop_start,
    .loop_finish = loop_finish,
    .poll_open = poll_open,
    .poll_close = poll_close,
    .poll_start = poll_start,
    .poll_pass = poll_pass,
    .poll_done = poll_done,
    .task_ns = task_ns,
    .judge = judge,
    .checked = checked,
    .detail = detail,
};
