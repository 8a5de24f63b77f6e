/*
 * work.h: what every strategy does with its slots besides running tasks
 * (what a task does is its workload's: workload.h).
 */
#ifndef CB_WORK_H
#define CB_WORK_H

#include "workload.h"

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
