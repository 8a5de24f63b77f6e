/*
 * proc.h: the processes a run starts, and how they end with it.
 *
 * Every measured run (and the test server) is started here: in its own
 * process group, with a parent-death signal so it cannot outlive the
 * harness even when the harness is killed with SIGKILL, optionally in a
 * memory cgroup (cgroup.h), with chosen descriptors in place. The harness
 * itself catches SIGINT, SIGTERM and SIGHUP (cb_interrupt_install) so a
 * run in progress is stopped, reaped and written as `interrupted` before
 * the harness exits with 128 + the signal.
 */
#ifndef CB_PROC_H
#define CB_PROC_H

#include "cgroup.h"

#include <sys/resource.h>
#include <sys/types.h>

struct cb_proc_opts {
    char *const *argv;              /* the program and its arguments */
    const char *exe;                /* what to exec; NULL: argv[0] */
    int fd_in;                      /* becomes stdin; -1: /dev/null */
    int fd_out;                     /* becomes stdout; -1: /dev/null */
    int fd_err;                     /* becomes stderr; -1: inherited */
    int fd_result;                  /* becomes descriptor 3; -1: none */
    const struct cb_cgroup *cgroup; /* joined before exec; NULL: none */
};

/*
 * Fork and exec o->argv as the leader of a new process group. In the
 * child, before exec: PR_SET_PDEATHSIG(SIGKILL) (and a check that the
 * parent did not die before it was set), the cgroup joined, the
 * descriptors moved into place, the signal mask emptied. Returns 0 with
 * *pid set, or a negative errno: from fork, or from exec itself (reported
 * back through a close-on-exec pipe, so a missing program is ENOENT here,
 * not a child that exits 127).
 */
int cb_proc_spawn(const struct cb_proc_opts *o, pid_t *pid);

/* wait4 across EINTR. 0 or a negative errno. */
int cb_proc_reap(pid_t pid, int *status, struct rusage *ru);

/* SIGKILL the whole process group pgid (a run and everything it forked). */
void cb_proc_kill_group(pid_t pgid);

/* Catch SIGINT, SIGTERM and SIGHUP: they set a flag that the measuring
 * loop watches (cb_interrupt_signal). Idempotent. */
void cb_interrupt_install(void);

/* The signal that asked the harness to stop, or 0. */
int cb_interrupt_signal(void);

#endif
