/*
 * s_busypoll.c: the article's first concurrent loop. Every pending task is
 * asked "are you done?" in turn, with no waiting in between, so the loop
 * burns a core for the whole run: what an event loop saves.
 *
 * sleep: a task is done when the clock passes its deadline (the article's
 *        Task.run()).
 * http:  curl_multi_perform() in a loop, never curl_multi_wait/poll.
 */
#include "http.h"
#include "work.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static int run_sleep(const struct cb_workload *w, struct cb_task *tasks, size_t slots)
{
    /* pending[] holds the indices of the tasks in flight, in no order. */
    size_t *pending = malloc(slots * sizeof *pending);
    size_t npending = 0, next = 0;
    if (!pending)
        return -ENOMEM;
    while (npending < slots && next < w->n) {
        tasks[next].started_ns = cb_now_ns();
        pending[npending++] = next++;
    }
    while (npending) {
        for (size_t i = 0; i < npending;) {
            struct cb_task *t = &tasks[pending[i]];
            uint64_t now = cb_now_ns();
            if (now < t->started_ns + w->sleep_ns) {
                i++;
                continue;
            }
            t->finished_ns = now;
            t->error = CB_OK;
            t->value = pending[i];
            if (next < w->n) {
                tasks[next].started_ns = cb_now_ns();
                pending[i] = next++;
            } else {
                pending[i] = pending[--npending];
            }
        }
    }
    free(pending);
    return 0;
}

/* Start the next task on x, skipping tasks whose start fails (their
 * slots hold the error). Returns 1 when one started. */
static int start_next(CURLM *m, struct cb_http_xfer *x, const struct cb_workload *w,
                      struct cb_task *tasks, size_t *next)
{
    while (*next < w->n) {
        struct cb_task *t = &tasks[(*next)++];
        if (cb_http_xfer_start(x, w, t) == 0) {
            if (curl_multi_add_handle(m, x->easy) == CURLM_OK)
                return 1;
            cb_http_xfer_done(x, CURLE_FAILED_INIT);
        }
    }
    return 0;
}

static int run_http(const struct cb_workload *w, struct cb_task *tasks, size_t slots,
                    struct cb_report *rep)
{
    CURLM *m = curl_multi_init();
    struct cb_http_xfer *xs = calloc(slots, sizeof *xs);
    size_t next = 0, in_flight = 0; /* in_flight: added, not done */
    if (!m || !xs) {
        free(xs);
        if (m)
            curl_multi_cleanup(m);
        return -ENOMEM;
    }
    curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)w->max_in_flight);
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)w->max_in_flight);
    snprintf(rep->policy, sizeof rep->policy, "curl_multi_perform in a loop, no waiting");
    for (size_t i = 0; i < slots; i++) {
        xs[i].one_shot = cb_all_at_once(w);
        in_flight += (size_t)start_next(m, &xs[i], w, tasks, &next);
    }
    while (in_flight) {
        int running;
        curl_multi_perform(m, &running);
        struct cb_http_xfer *x = cb_http_drain(m), *later;
        for (; x; x = later) {
            later = x->next_done; /* start_next may reuse x */
            in_flight--;
            /* This slot takes the next task, on the same connection. */
            in_flight += (size_t)start_next(m, x, w, tasks, &next);
        }
    }
    curl_multi_cleanup(m);
    for (size_t i = 0; i < slots; i++)
        cb_http_easy_destroy(xs[i].easy);
    free(xs);
    return 0;
}

static int busypoll_run(const struct cb_workload *w, struct cb_task *tasks, struct cb_report *rep)
{
    size_t slots = cb_slots(w);
    int rc;
    if (w->kind == CB_SLEEP) {
        snprintf(rep->policy, sizeof rep->policy, "poll every pending task's clock, no waiting");
        rc = run_sleep(w, tasks, slots);
    } else {
        rc = run_http(w, tasks, slots, rep);
    }
    if (rc) {
        cb_tasks_fail(tasks, 0, w->n, CB_ERR_NOMEM, -rc);
        return rc;
    }
    rep->started = w->n;
    return 0;
}

const struct cb_strategy cb_strategy_busypoll = {
    .name = "busypoll",
    .summary = "the article's loop: poll every pending task until done, burning a core",
    .run = busypoll_run,
};
