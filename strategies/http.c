/* http.c: a GET with libcurl, verified against the test server's body. */
#include "http.h"
#include "body.h"

#include <curl/curl.h>
#include <errno.h>
#include <sys/socket.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static size_t write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
    struct cb_http_xfer *x = arg;
    size_t len = size * nmemb;
    x->sum = cb_fnv1a(x->sum, data, len);
    x->bytes += len;
    return len;
}

static size_t header_cb(char *line, size_t size, size_t nitems, void *arg)
{
    struct cb_http_xfer *x = arg;
    size_t len = size * nitems;
    static const char name[] = "X-Checksum:";
    if (len > sizeof name - 1 && strncasecmp(line, name, sizeof name - 1) == 0) {
        /* The header line is not NUL-terminated; at most 16 hex digits
         * follow, and sscanf stops at the CR. */
        char hex[24] = {0};
        size_t n = len - (sizeof name - 1);
        memcpy(hex, line + sizeof name - 1, n < sizeof hex - 1 ? n : sizeof hex - 1);
        x->have_expect = sscanf(hex, " %" SCNx64, &x->expect_sum) == 1;
    }
    return len;
}

/* A constant header list: curl only reads it, so every transfer of every
 * thread shares it. */
static char conn_close_text[] = "Connection: close";
static struct curl_slist conn_close = {conn_close_text, NULL};

/* curl's own socket opening loses socket()'s errno (it reports "could not
 * connect", errno 0), and EMFILE is the first limit an HTTP run meets. */
static curl_socket_t opensocket_cb(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct cb_http_xfer *x = arg;
    (void)purpose;
    int fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    if (fd < 0) {
        x->sock_errno = errno;
        return CURL_SOCKET_BAD;
    }
    return fd;
}

int cb_http_xfer_start(struct cb_http_xfer *x, const struct cb_workload *w, struct cb_task *t)
{
    x->t = t;
    x->sum = CB_FNV_OFFSET;
    x->bytes = 0;
    x->have_expect = 0;
    x->sock_errno = 0;
    t->started_ns = cb_now_ns();
    if (!x->easy && !(x->easy = curl_easy_init())) {
        t->finished_ns = cb_now_ns();
        t->error = CB_ERR_NOMEM;
        t->value = ENOMEM;
        return -ENOMEM;
    }
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_URL, w->url);
    /* No signals: libcurl must not use SIGALRM for timeouts in threads. */
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(w->timeout_ns / 1000000));
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, opensocket_cb);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x);
    /* A one-shot transfer would search the connection cache for an idle
     * connection to the same host, and with N connections to one host that
     * search is O(N) per transfer, O(N^2) in all (0.9 s of CPU at N =
     * 10,000). None can be idle while all tasks run at once, so skip the
     * search and close the connection after. Pools and sequential runs
     * keep alive. */
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, (long)x->one_shot);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, (long)x->one_shot);
    /* And ask the server to close first. The side that closes first keeps
     * the connection in TIME_WAIT for 60 s; on the client that holds an
     * ephemeral port, and 10,000 of them slow every connect() of the next
     * run (measured: twice the system time). On the server they cost the
     * client nothing. */
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->one_shot ? &conn_close : NULL);
    return 0;
}

/* Map a failed transfer to an error kind; value keeps the detail. */
static void classify(struct cb_http_xfer *x, CURLcode rc)
{
    struct cb_task *t = x->t;
    long oserr = 0;
    curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &oserr);
    if (x->sock_errno && rc == CURLE_COULDNT_CONNECT) {
        t->error = cb_error_from_errno(x->sock_errno);
        t->value = (uint64_t)x->sock_errno;
        return;
    }
    t->value = (uint64_t)rc;
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        t->error = CB_ERR_TIMEOUT;
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        t->error = CB_ERR_RESOLVE;
        break;
    case CURLE_OUT_OF_MEMORY:
        t->error = CB_ERR_NOMEM;
        break;
    case CURLE_PARTIAL_FILE:
        t->error = CB_ERR_BODY;
        break;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
        t->error = CB_ERR_RESET;
        break;
    case CURLE_COULDNT_CONNECT:
        /* The socket error says why: refused, out of ports, out of fds. */
        t->error = oserr ? (int)cb_error_from_errno((int)oserr) : CB_ERR_REFUSED;
        if (t->error == CB_ERR_OTHER || t->error == CB_ERR_SPAWN)
            t->error = CB_ERR_REFUSED;
        t->value = (uint64_t)oserr;
        break;
    default:
        t->error = oserr == EMFILE ? CB_ERR_EMFILE : CB_ERR_OTHER;
        break;
    }
}

void cb_http_xfer_done(struct cb_http_xfer *x, int curl_code)
{
    struct cb_task *t = x->t;
    t->finished_ns = cb_now_ns();
    long status = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
    t->aux = (uint32_t)status | (x->have_expect ? CB_AUX_XCHECKSUM : 0);
    if (curl_code != CURLE_OK) {
        classify(x, (CURLcode)curl_code);
    } else if (status != 200) {
        t->error = CB_ERR_HTTP;
        t->value = (uint64_t)status;
    } else if (x->have_expect && x->expect_sum != x->sum) {
        t->error = CB_ERR_BODY;
        t->value = x->bytes;
    } else {
        t->error = CB_OK;
        t->value = x->sum;
    }
}

void cb_http_blocking(const struct cb_workload *w, struct cb_task *t, void **easy, int one_shot)
{
    struct cb_http_xfer x = {.easy = *easy, .one_shot = one_shot};
    int rc = cb_http_xfer_start(&x, w, t);
    *easy = x.easy;
    if (rc)
        return;
    cb_http_xfer_done(&x, curl_easy_perform(x.easy));
}

struct cb_http_xfer *cb_http_drain(void *multi)
{
    struct cb_http_xfer *head = NULL, **tail = &head;
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct cb_http_xfer *x = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        /* Fill the slot while the handle still has its transfer's info. */
        cb_http_xfer_done(x, (int)msg->data.result);
        x->next_done = NULL;
        *tail = x;
        tail = &x->next_done;
    }
    for (struct cb_http_xfer *x = head; x; x = x->next_done)
        curl_multi_remove_handle(multi, x->easy);
    return head;
}

void cb_http_easy_destroy(void *easy)
{
    if (easy)
        curl_easy_cleanup(easy);
}
