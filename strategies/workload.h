/*
 * workload.h: the one interface every workload implements (w_sleep.c,
 * w_http.c), as strategy.h is for strategies. A strategy decides how
 * tasks are scheduled; the workload decides what one task does, in each
 * of the three shapes the strategies need:
 *
 *  blocking   one task on the calling thread (sequential, threads, fork);
 *  loop       one task started on the shared event loop, which wakes the
 *             strategy when it is ready (epoll, coro);
 *  poll       one task started and then asked "are you done?" with no
 *             waiting at all (busypoll, the article's loop);
 *
 * and, on the harness's side, how a slot is judged and what a task is
 * expected to take. A strategy never tests which workload it runs.
 */
#ifndef CB_WORKLOAD_H
#define CB_WORKLOAD_H

#include "evloop.h"
#include "strategy.h"

/* What one worker (a thread, a process, the sequential loop) keeps between
 * the tasks it runs (http: one easy handle, so a worker running several
 * tasks reuses its connection). Zero it before the first task. */
struct cb_worker {
    void *state;  /* the workload's, created on first use */
    int one_shot; /* this worker runs one task while all others run too */
};

/*
 * Tasks on the shared loop (evloop.h). The strategy fills loop, w, wake
 * and data; the workload owns state and sets loop->data to this struct
 * (its timers find it there), so a strategy keeps its own context in data.
 */
struct cb_loop_run {
    struct evl *loop;
    const struct cb_workload *w;
    /* The task started with this waker is ready: call finish() for it
     * (after resuming the coroutine that waits, for instance). */
    void (*wake)(struct cb_loop_run *lr, void *waker);
    void *data;  /* the strategy's */
    void *state; /* the workload's */
};

/* Tasks asked in turn whether they are done, never waited for. */
struct cb_poll_run {
    const struct cb_workload *w;
    void *state; /* the workload's */
};

/*
 * A "slot" is where one task in flight keeps its state (http: the
 * transfer, with its connection); the strategy allocates slot_size zeroed
 * bytes per task it runs at once, and a slot takes task after task.
 * Memory in a slot must not be on a coroutine's stack (it is written while
 * the coroutine is suspended). slot_size 0: no state, slot pointers NULL.
 */
struct cb_workload_type {
    const char *name;         /* "sleep", "http": the CSV's workload column */
    const char *summary;      /* one line for --help */
    int target;               /* tasks talk to a server (a URL or the test server) */
    int value_base;           /* how the protocol writes a task's value: 10 or 16 */
    int (*global_init)(void); /* once per process before any task; NULL: none */

    /* blocking ----------------------------------------------------------- */
    size_t thread_stack; /* bytes a thread running one task needs */
    /* Run task k on the calling thread until it is done; fill t (started,
     * finished, error, value). Never fails as a call. Thread-safe for
     * distinct workers. */
    void (*blocking)(const struct cb_workload *w, size_t k, struct cb_task *t,
                     struct cb_worker *wk);
    void (*worker_fini)(struct cb_worker *wk);

    /* loop --------------------------------------------------------------- */
    size_t slot_size;
    /* Timers that may be pending at once with nslots tasks in flight (the
     * loop sizes its FIFO once: a million timers are not copied). */
    size_t (*loop_timers)(const struct cb_workload *w, size_t nslots);
    /* Set lr up for nslots slots (zeroed), the policy line into policy.
     * 0 or a negative errno. */
    int (*loop_open)(struct cb_loop_run *lr, void *slots, size_t nslots, char *policy, size_t len);
    void (*loop_close)(struct cb_loop_run *lr, void *slots, size_t nslots);
    /* Start task k, whose slot in the results is t, in slot: lr->wake(lr,
     * waker) follows when it is ready. 0, or a negative errno with t filled
     * with the error (no wake follows). */
    int (*loop_start)(struct cb_loop_run *lr, void *slot, struct cb_task *t, size_t k, void *waker);
    /* After the wake: fill t. */
    void (*loop_finish)(struct cb_loop_run *lr, void *slot, struct cb_task *t);

    /* poll --------------------------------------------------------------- */
    int (*poll_open)(struct cb_poll_run *pr, void *slots, size_t nslots, char *policy, size_t len);
    void (*poll_close)(struct cb_poll_run *pr, void *slots, size_t nslots);
    /* Start task k into t in slot: 0, or a negative errno with t filled. */
    int (*poll_start)(struct cb_poll_run *pr, void *slot, struct cb_task *t, size_t k);
    /* Once per pass over the pending tasks, before they are asked. */
    void (*poll_pass)(struct cb_poll_run *pr);
    /* 1 when the task in slot is done and t is filled, else 0. */
    int (*poll_done)(struct cb_poll_run *pr, void *slot, struct cb_task *t);

    /* the harness's side ------------------------------------------------- */
    /* What one task is expected to take, for budgets; target_ns: the
     * target's latency (the test server's, or --expect-latency). */
    uint64_t (*task_ns)(const struct cb_workload *w, uint64_t target_ns);
    /* The verdict on slot k that came back without an error: CB_OK or a
     * enum cb_verdict. expect_sum: the body checksum every task must have
     * (0: none). */
    int (*judge)(const struct cb_workload *w, uint64_t expect_sum, const struct cb_task *t,
                 size_t k);
    /* What judging covered, for the CSV's `checked` column. expect: the
     * label of the expected checksum (NULL: none); all_xchecksum: every
     * good slot's server sent a checksum that was compared. */
    void (*checked)(char *buf, size_t len, const char *expect, int all_xchecksum);
    /* A failed slot of a C strategy keeps the workload's own code in value
     * (curl's): its words into buf, 1; 0 when there are none. NULL: none. */
    int (*detail)(const struct cb_task *t, char *buf, size_t len);
};

/* Verdicts beyond enum cb_error: the run said ok, the harness disagrees. */
enum cb_verdict { CB_V_NOT_RUN = CB_ERR_COUNT, CB_V_WRONG_VALUE, CB_V_SHORT_WAIT, CB_V_COUNT };

/* Every workload, indexed by enum cb_kind (workloads.h). */
extern const struct cb_workload_type *const cb_workload_types[CB_KIND_COUNT];

/* The type of w. */
static inline const struct cb_workload_type *cb_wl(const struct cb_workload *w)
{
    return cb_workload_types[w->kind];
}

/* The enum cb_kind called name, or -1. */
int cb_workload_find(const char *name);

/* "sleep, http": every workload's name, for messages. */
const char *cb_workload_names(void);

/* Slot i of an array of nslots slots of type->slot_size bytes (NULL when
 * the workload keeps no state). */
static inline void *cb_slot_at(const struct cb_workload_type *type, void *slots, size_t i)
{
    return type->slot_size ? (char *)slots + i * type->slot_size : NULL;
}

/* The zeroed slots of nslots tasks in flight into *slots (NULL when the
 * workload keeps no state): 0 or -ENOMEM. free() them. */
int cb_slots_alloc(const struct cb_workload_type *type, size_t nslots, void **slots);

#endif
