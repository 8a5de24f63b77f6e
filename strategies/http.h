/*
 * http.h: one HTTP GET with libcurl and its verification, shared by every
 * strategy. A blocking strategy calls cb_http_blocking(); an event-driven
 * one sets a transfer up with cb_http_xfer_start(), hands xfer->easy to a
 * multi handle, and calls cb_http_xfer_done() with the result.
 *
 * A transfer's state must not live on a coroutine's stack: with the copying
 * stack policy that memory is reused while the coroutine is suspended, and
 * libcurl writes into the transfer as data arrives.
 */
#ifndef CB_HTTP_H
#define CB_HTTP_H

#include "strategy.h"

struct cb_http_xfer {
    void *easy;          /* CURL *, owned by the transfer */
    struct cb_task *t;   /* the slot to fill */
    uint64_t sum;        /* FNV-1a 64 of the body so far */
    uint64_t bytes;      /* body bytes so far */
    uint64_t expect_sum; /* from X-Checksum, when have_expect */
    int have_expect;
    int sock_errno;                 /* why socket() failed, which curl does not keep */
    int one_shot;                   /* set by the strategy: this handle makes one
                                       request while all others run too, so no
                                       connection can be reused (see http.c) */
    void *owner;                    /* who to wake when it ends (workload.h) */
    int finished;                   /* set by a polling pass (w_http.c) */
    struct cb_http_xfer *next_done; /* a finished batch: cb_http_drain() */
};

/*
 * Prepare x to GET w->url into slot t: create x->easy if NULL (else reuse
 * it, keeping its connection), set the options, stamp t->started_ns.
 * Returns 0 or -ENOMEM; on failure t is filled with the error.
 */
int cb_http_xfer_start(struct cb_http_xfer *x, const struct cb_workload *w, struct cb_task *t);

/* Fill x->t from curl's result code (a CURLcode) and what was received:
 * status, checksum, error kind. Stamps finished_ns. */
void cb_http_xfer_done(struct cb_http_xfer *x, int curl_code);

/* One blocking GET into t, reusing *easy (created on first use).
 * one_shot: as in struct cb_http_xfer. */
void cb_http_blocking(const struct cb_workload *w, struct cb_task *t, void **easy, int one_shot);

/*
 * Read every finished transfer off multi (a CURLM *), fill its slot with
 * cb_http_xfer_done(), remove its handle, and return them as a list linked
 * through next_done, in the order curl reported them. All messages are
 * read before any handle is removed: libcurl 7.88 removes a handle by
 * scanning the unread messages, so removing as we read is O(N^2) when
 * many transfers end at once (28 s of CPU for 100,000 at the fd limit).
 */
struct cb_http_xfer *cb_http_drain(void *multi);

/* curl_easy_cleanup, accepting NULL. */
void cb_http_easy_destroy(void *easy);

#endif
