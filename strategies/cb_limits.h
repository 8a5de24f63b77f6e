/*
 * cb_limits.h: which machine limit stopped a strategy from starting a task.
 *
 * EAGAIN from pthread_create or fork does not say which limit bound: pid_max,
 * kernel.threads-max, RLIMIT_NPROC, a cgroup's pids.max, or (threads) an
 * mmap of a stack refused at vm.max_map_count. These functions read every
 * candidate at the moment of failure and name the closest to its ceiling.
 */
#ifndef CB_CB_LIMITS_H
#define CB_CB_LIMITS_H

#include <stddef.h>

/*
 * Describe in buf, in one line, why starting a task failed with errno err
 * after started tasks were running, e.g. "fork: EAGAIN after 32413 started;
 * binding limit pid_max=32768 (32745 tasks exist)". what names the call
 * ("fork", "pthread_create"). Reads /proc; never fails (unknown values are
 * left out). Thread-safe.
 */
void cb_limit_explain(const char *what, int err, size_t started, char *buf, size_t len);

/* Read one integer from a /proc or /sys file; -1 if unreadable. */
long long cb_read_ll(const char *path);

/* Lines in a file (e.g. /proc/self/maps: one a mapping); -1 if unreadable. */
long long cb_count_lines(const char *path);

/* The number after "key" (e.g. "VmHWM:") on its line of a /proc file of
 * "Key: value kB" lines (status, meminfo, smaps_rollup); -1 if absent. */
long long cb_proc_field(const char *path, const char *key);

/* Raise RLIMIT_NOFILE's soft limit to its hard limit: descriptors are the
 * first limit an HTTP run or a busy server meets. The soft limit after. */
long long cb_raise_nofile(void);

#endif
