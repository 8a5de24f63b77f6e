/*
 * proc.h: the processes concbench starts, and how they end with it. The
 * one child-process module of every program under harness/: a measured
 * run (cli/measure.c), the test server and its Python servers
 * (server/srv_proc.c, server/srv_python.c).
 *
 * A child is started in its own process group, with a parent-death signal
 * so it cannot outlive concbench even when concbench is killed with
 * SIGKILL, with chosen descriptors in place (a result pipe on descriptor
 * 3), optionally after a hook (joining a memory cgroup), and then either
 * execs a program or runs a function. The harness catches SIGINT, SIGTERM
 * and SIGHUP (cb_interrupt_install) so a run in progress is stopped,
 * reaped and written as `interrupted` before it exits with 128 + the
 * signal.
 */
#ifndef CB_PROC_H
#define CB_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

struct cb_proc_opts {
    char *const *argv; /* the program and its arguments */
    const char *exe;   /* what to exec; NULL: argv[0] */
    /* Instead of exec (argv NULL): run main(arg) in the child, which must
     * not return (it _exit()s). */
    void (*main)(void *arg);
    void *arg;
    int fd_in;     /* becomes stdin; -1: /dev/null */
    int fd_out;    /* becomes stdout; -1: /dev/null */
    int fd_err;    /* becomes stderr; -1: inherited */
    int fd_result; /* becomes descriptor 3; -1: none */
    /* Called in the child before exec or main (join a cgroup, set the
     * environment): 0, or -1 with errno, which fails the spawn. NULL:
     * none. Between fork and exec: keep to async-signal-safe calls where
     * the parent may have threads. */
    int (*setup)(void *arg);
    void *setup_arg;
};

/*
 * Fork o as the leader of a new process group. In the child, before exec
 * or main: PR_SET_PDEATHSIG(SIGKILL) (and a check that the parent did not
 * die before it was set), the descriptors moved into place, the signal
 * mask emptied and every signal's disposition the default, o->setup.
 * Returns 0 with *pid set, or a negative errno: from fork, from setup, or
 * from exec itself (reported back through a close-on-exec pipe, so a
 * missing program is ENOENT here, not a child that exits 127).
 */
int cb_proc_spawn(const struct cb_proc_opts *o, pid_t *pid);

/* wait4 across EINTR. 0 or a negative errno. */
int cb_proc_reap(pid_t pid, int *status, struct rusage *ru);

/* Reap pid within timeout_ns: 0 (with *status), -ETIMEDOUT, or -errno. */
int cb_proc_wait(pid_t pid, uint64_t timeout_ns, int *status);

/* SIGKILL the whole process group pgid (a run and everything it forked). */
void cb_proc_kill_group(pid_t pgid);

/* SIGKILL group pgid, reap its leader when status is not NULL, and wait
 * up to timeout_ns for every member to be gone (members whose leader died
 * first are someone else's children: they can only be seen gone). */
void cb_proc_end_group(pid_t pgid, int *status, uint64_t timeout_ns);

/* In a child after fork: ask for sig when the parent dies. false when
 * the parent (whose pid was parent) is already gone or prctl failed. */
bool cb_proc_die_with_parent(pid_t parent, int sig);

/* Catch SIGINT, SIGTERM and SIGHUP: they set a flag that the measuring
 * loop watches (cb_interrupt_signal). Idempotent. */
void cb_interrupt_install(void);

/* The signal that asked the harness to stop, or 0. */
int cb_interrupt_signal(void);

#endif
