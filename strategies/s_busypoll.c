/*
 * s_busypoll.c: the article's first concurrent loop. Every pending task is
 * asked "are you done?" in turn, with no waiting in between, so the loop
 * burns a core for the whole run: what an event loop saves.
 *
 * What "done" means is the workload's (workload.h): a sleep is done when
 * the clock passes its deadline (the article's Task.run()); an HTTP GET
 * when curl_multi_perform(), called once a pass and never
 * curl_multi_wait/poll, has finished it.
 */
#include "work.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* A task in flight and the slot it runs in, 8 bytes a million times. */
struct pending {
    uint32_t k, slot;
};

struct busy {
    const struct cb_workload *w;
    const struct cb_workload_type *type;
    struct cb_task *tasks;
    struct cb_poll_run pr;
    void *slots;
    size_t next;
};

/* Start the next task in slot i into *p, skipping tasks whose start fails
 * (their results hold the error). Returns 1 when one started. */
static int start_next(struct busy *b, uint32_t i, struct pending *p)
{
    while (b->next < b->w->n) {
        size_t k = b->next++;
        if (b->type->poll_start(&b->pr, cb_slot_at(b->type, b->slots, i), &b->tasks[k], k) == 0) {
            *p = (struct pending){.k = (uint32_t)k, .slot = i};
            return 1;
        }
    }
    return 0;
}

static int poll_all(struct busy *b, size_t nslots)
{
    /* pending[] holds the tasks in flight, in no order. */
    struct pending *pending = malloc(nslots * sizeof *pending);
    size_t npending = 0;
    if (!pending)
        return -ENOMEM;
    for (size_t i = 0; i < nslots; i++)
        npending += (size_t)start_next(b, (uint32_t)i, &pending[npending]);
    while (npending) {
        b->type->poll_pass(&b->pr);
        for (size_t i = 0; i < npending;) {
            struct pending *p = &pending[i];
            if (!b->type->poll_done(&b->pr, cb_slot_at(b->type, b->slots, p->slot),
                                    &b->tasks[p->k])) {
                i++;
                continue;
            }
            /* This slot takes the next task (on the same connection). */
            if (!start_next(b, p->slot, p))
                *p = pending[--npending];
        }
    }
    free(pending);
    return 0;
}

static int busypoll_run(const struct cb_workload *w, struct cb_task *tasks, struct cb_report *rep)
{
    size_t nslots = cb_slots(w);
    struct busy b = {.w = w, .type = cb_wl(w), .tasks = tasks, .pr = {.w = w}};
    int rc = w->n > UINT32_MAX ? -E2BIG : cb_slots_alloc(b.type, nslots, &b.slots);
    if (!rc) {
        rc = b.type->poll_open(&b.pr, b.slots, nslots, rep->policy, sizeof rep->policy);
        if (rc)
            free(b.slots);
    }
    if (rc) {
        cb_tasks_fail(tasks, 0, w->n, cb_error_from_errno(-rc), -rc);
        return rc;
    }
    rc = poll_all(&b, nslots);
    b.type->poll_close(&b.pr, b.slots, nslots);
    free(b.slots);
    if (rc) {
        cb_tasks_fail(tasks, b.next, w->n, CB_ERR_NOMEM, -rc);
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
