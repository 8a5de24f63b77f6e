/*
 * work.h: one task done the blocking way, shared by the strategies that run
 * a task on a thread of its own (sequential, threads, fork).
 */
#ifndef CB_WORK_H
#define CB_WORK_H

#include "strategy.h"

/* What one worker (a thread, a process, the sequential loop) keeps between
 * the tasks it runs: for HTTP, one easy handle, so that a worker running
 * several tasks reuses its connection (keep-alive). */
struct cb_worker {
    void *easy;   /* CURL *, created on first use */
    int one_shot; /* this worker runs one task while all others run too */
};

/*
 * Run task k of w on the calling thread, blocking until it is done, and
 * fill t completely (started, finished, error, value). Never fails as a
 * call: failures go into t. Thread-safe for distinct workers.
 */
void cb_work_blocking(const struct cb_workload *w, size_t k, struct cb_task *t,
                      struct cb_worker *wk);

/* Release what the worker holds. */
void cb_worker_fini(struct cb_worker *wk);

/* Fill slots [from, n) with error (and errno in value): tasks that a
 * strategy could not start. */
void cb_tasks_fail(struct cb_task *tasks, size_t from, size_t n, int error, int err);

/* Fill every slot of [0, n) that holds no result yet (no error, no finish
 * time) with error and detail: tasks lost to a crashed child or a
 * coroutine that could not be resumed. Returns how many it filled. */
size_t cb_tasks_fail_unfilled(struct cb_task *tasks, size_t n, int error, uint64_t detail);

/* write() all of buf, across EINTR and short writes. 0 or -errno. */
int cb_write_all(int fd, const void *buf, size_t len);

#endif
