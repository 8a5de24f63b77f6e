/*
 * s_fork.c: a process per task, or a pool of max_in_flight processes that
 * take task indices from a counter in shared memory. Every child sends
 * each result back through one pipe, as multiprocessing must serialise
 * results. The memory of the whole tree is the harness's to measure (the
 * run's cgroup); a child measures nothing itself.
 */
#include "cb_limits.h"
#include "work.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* One message from a child. Smaller than PIPE_BUF, so a write is atomic
 * and messages from many children never interleave. */
struct fork_msg {
    uint64_t k; /* task index */
    struct cb_task t;
};
_Static_assert(sizeof(struct fork_msg) <= 512, "fork_msg must stay atomic");

/* A child: run task `first` (one_each), or take tasks from the shared
 * counter until it runs out (a pool child). */
static void child_main(const struct cb_workload *w, atomic_size_t *next, size_t first, int wfd)
{
    const struct cb_workload_type *type = cb_wl(w);
    struct cb_worker wk = {.one_shot = next == NULL};
    /* A child of a run that is killed (the harness's run timeout, Ctrl-C)
     * must not sleep on: it dies with its parent. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    size_t k = next ? atomic_fetch_add(next, 1) : first;
    struct fork_msg m;
    while (k < w->n) {
        memset(&m, 0, sizeof m);
        m.k = k;
        type->blocking(w, k, &m.t, &wk);
        if (cb_write_all(wfd, &m, sizeof m))
            break;
        if (!next)
            break;
        k = atomic_fetch_add(next, 1);
    }
    type->worker_fini(&wk);
    _exit(0); /* no atexit handlers, no stdio flush of the parent's buffers */
}

/* Read messages into the slots until the pipe is empty (rfd non-blocking)
 * or closed by every child (rfd blocking). */
static void drain(int rfd, struct cb_task *tasks, size_t n)
{
    struct fork_msg m;
    for (;;) {
        ssize_t r = read(rfd, &m, sizeof m);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != (ssize_t)sizeof m)
            return; /* EAGAIN, EOF; messages are never split */
        if (m.k < n)
            tasks[m.k] = m.t;
    }
}

/* What a fork run holds: the children and how they report back. */
struct fork_ctx {
    const struct cb_workload *w;
    struct cb_task *tasks;
    int one_each;        /* a process per task (else a pool) */
    pid_t *pids;         /* the children forked, in order */
    size_t created;      /* how many */
    atomic_size_t *next; /* a pool's shared task counter; NULL per task */
    int fds[2];          /* the results pipe */
};

/* Fork the children, keeping the pipe empty meanwhile. The errno of the
 * fork that failed, or 0. */
static int spawn_children(struct fork_ctx *c, size_t nproc)
{
    for (; c->created < nproc; c->created++) {
        pid_t pid = fork();
        if (pid == 0) {
            close(c->fds[0]);
            child_main(c->w, c->next, c->created, c->fds[1]);
        }
        if (pid < 0)
            return errno;
        c->pids[c->created] = pid;
        /* Children finish while we are still forking: empty the pipe so
         * none of them blocks on a full one. Finished children are not
         * reaped until all have started (like a gather), so each holds its
         * pid until then. */
        drain(c->fds[0], c->tasks, c->w->n);
    }
    return 0;
}

/* Reap every child; a task lost with a child that died is failed with
 * its signal (or 128 + exit status). */
static void reap_children(struct fork_ctx *c)
{
    int crashed = 0;
    for (size_t i = 0; i < c->created; i++) {
        int st = 0;
        while (waitpid(c->pids[i], &st, 0) < 0 && errno == EINTR)
            ;
        if (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st))) {
            crashed = WIFSIGNALED(st) ? WTERMSIG(st) : 128 + WEXITSTATUS(st);
            /* A child per task: that task is the lost one. */
            if (c->one_each && c->tasks[i].finished_ns == 0 && c->tasks[i].error == CB_OK)
                c->tasks[i].error = CB_ERR_OTHER, c->tasks[i].value = (uint64_t)crashed;
        }
    }
    /* A pool child that died took its task with it: whatever slot is
     * still empty is that. */
    if (crashed)
        cb_tasks_fail_unfilled(c->tasks, c->w->n, CB_ERR_OTHER, (uint64_t)crashed);
}

static int fork_run(const struct cb_workload *w, struct cb_task *tasks, struct cb_report *rep)
{
    size_t nproc = cb_slots(w);
    struct fork_ctx c = {.w = w, .tasks = tasks, .one_each = nproc == w->n};
    c.pids = malloc(nproc * sizeof *c.pids);
    c.next = c.one_each ? NULL
                        : mmap(NULL, sizeof *c.next, PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!c.pids || c.next == MAP_FAILED || pipe2(c.fds, O_CLOEXEC) < 0) {
        int rc = errno ? -errno : -ENOMEM;
        cb_tasks_fail(tasks, 0, w->n, cb_error_from_errno(-rc), -rc);
        free(c.pids);
        if (c.next && c.next != MAP_FAILED)
            munmap(c.next, sizeof *c.next);
        return rc;
    }
    if (c.next)
        atomic_init(c.next, 0); /* pool children take every index from it */
    fcntl(c.fds[0], F_SETFL, O_NONBLOCK);
    snprintf(rep->policy, sizeof rep->policy, "%s, results through one pipe",
             c.one_each ? "a process per task" : "pool of processes");
    int err = spawn_children(&c, nproc);
    close(c.fds[1]);
    if (err) {
        cb_limit_explain("fork", err, c.created, rep->limit, sizeof rep->limit);
        /* A smaller pool still runs every task (the children share the
         * counter); a process per task loses the ones never forked. */
        if (c.one_each || c.created == 0)
            cb_tasks_fail(tasks, c.created, w->n, CB_ERR_SPAWN, err);
    }
    /* Blocking now: read until every child has closed its end (EOF). */
    fcntl(c.fds[0], F_SETFL, 0);
    drain(c.fds[0], tasks, w->n);
    close(c.fds[0]);
    reap_children(&c);
    free(c.pids);
    if (c.next)
        munmap(c.next, sizeof *c.next);
    rep->started = c.one_each ? c.created : (c.created ? w->n : 0);
    return 0;
}

const struct cb_strategy cb_strategy_fork = {
    .name = "fork",
    .summary = "a process per task (or a pool of --max-in-flight), results through a pipe",
    .run = fork_run,
};
