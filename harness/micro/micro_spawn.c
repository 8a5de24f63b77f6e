/*
 * micro_spawn.c: the cost of starting one task and waiting for it to
 * finish, for a task that does nothing: a thread (pthread_create + join),
 * a process (fork + waitpid, the child calls _exit(0) at once) and, for
 * contrast, a new program (posix_spawn of /bin/true + waitpid), which adds
 * exec and the dynamic loader. Timed by the wall clock: the work runs in
 * another thread or process.
 */
#include "bench_shim.h"
#include "cb_limits.h"

#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void micro_register_spawn(void);

extern char **environ;

static void *nop_thread(void *arg)
{
    return arg;
}

static void bm_pthread(cbm_state *st, void *ctx)
{
    pthread_t t;
    void *ret;
    int rc;

    (void)ctx;
    while (cbm_keep_running(st)) {
        if ((rc = pthread_create(&t, NULL, nop_thread, st))) {
            cbm_skip_errno(st, "pthread_create", rc);
            return;
        }
        if ((rc = pthread_join(t, &ret)) || ret != st) {
            cbm_skip_errno(st, "pthread_join", rc ? rc : EINVAL);
            return;
        }
    }
    cbm_set_items_processed(st, cbm_iterations(st));
}

/* Reap pid; 0 if it exited with status 0, else an errno (ECHILD for a
 * child that failed). */
static int reap(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return errno;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
}

static void bm_fork(cbm_state *st, void *ctx)
{
    pid_t pid;
    int err;

    (void)ctx;
    while (cbm_keep_running(st)) {
        pid = fork();
        if (pid < 0) {
            cbm_skip_errno(st, "fork", errno);
            return;
        }
        if (pid == 0)
            _exit(0); /* not exit(): no atexit handlers, no stdio flush */
        if ((err = reap(pid))) {
            cbm_skip_errno(st, "waitpid", err);
            return;
        }
    }
    cbm_set_items_processed(st, cbm_iterations(st));
    /* fork() copies every mapping (and its page tables) and the child's
     * exit tears them down, so its cost grows with the parent's address
     * space: linking libcurl and its ~30 libraries about doubles it. The
     * number of mappings is reported beside the time. */
    cbm_counter(st, "parent_maps", (double)cb_count_lines("/proc/self/maps"), CBM_COUNTER_PLAIN);
}

static void bm_posix_spawn(cbm_state *st, void *ctx)
{
    char *argv[] = {"/bin/true", NULL};
    pid_t pid;
    int err;

    (void)ctx;
    while (cbm_keep_running(st)) {
        if ((err = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ))) {
            cbm_skip_errno(st, "posix_spawn /bin/true", err);
            return;
        }
        if ((err = reap(pid))) {
            cbm_skip_errno(st, "waitpid /bin/true", err);
            return;
        }
    }
    cbm_set_items_processed(st, cbm_iterations(st));
}

/* Register this file's benchmarks (called once, from micro_main.c). */
void micro_register_spawn(void)
{
    cbm_register(
        &(struct cbm_def){.name = "spawn/pthread_create_join", .fn = bm_pthread, .real_time = 1});
    cbm_register(&(struct cbm_def){.name = "spawn/fork_waitpid", .fn = bm_fork, .real_time = 1});
    cbm_register(&(struct cbm_def){
        .name = "spawn/posix_spawn_true_waitpid", .fn = bm_posix_spawn, .real_time = 1});
}
