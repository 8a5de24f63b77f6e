/*
 * micro_switch.c: the cost of one switch between two flows of control that
 * take turns: two ucontexts in one thread, two threads through a futex, two
 * processes through a pair of pipes.
 *
 * Every benchmark here does a round trip (A -> B -> A) per loop and counts
 * it as two iterations, so the reported time is per one-way switch, the
 * unit the coroutine switch is reported in. The "_1cpu" variants pin both
 * sides to one CPU, so a switch is a context switch on that CPU rather than
 * a wake-up sent to another core (which includes the idle core's wake-up
 * latency and is usually slower).
 */
#include "bench_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

void micro_register_switch(void);

/* ---- ucontext ---------------------------------------------------------- */

struct uc_pp {
    ucontext_t main_ctx, peer_ctx;
    int err; /* errno of a failed swapcontext in the peer */
};

/* makecontext() passes only int arguments; one thread runs this benchmark,
 * so a file-level pointer is the portable way to hand over the state. */
static struct uc_pp *uc_current;

static void uc_peer(void)
{
    struct uc_pp *p = uc_current;

    for (;;)
        if (swapcontext(&p->peer_ctx, &p->main_ctx) < 0)
            p->err = errno;
}

/* The peer loops for ever; it is abandoned (its stack freed) at the end,
 * which is safe because it holds nothing. */
static void bm_ucontext(cbm_state *st, void *ctx)
{
    enum { STACK = 64 * 1024 };
    struct uc_pp p = {.err = 0};
    void *stack = malloc(STACK);

    (void)ctx;
    if (!stack) {
        cbm_skip_with_error(st, "malloc: out of memory");
        return;
    }
    if (getcontext(&p.peer_ctx) < 0) {
        cbm_skip_errno(st, "getcontext", errno);
        goto out;
    }
    p.peer_ctx.uc_stack.ss_sp = stack;
    p.peer_ctx.uc_stack.ss_size = STACK;
    p.peer_ctx.uc_link = NULL;
    makecontext(&p.peer_ctx, uc_peer, 0);
    uc_current = &p;
    while (cbm_keep_running_batch(st, 2)) {
        if (swapcontext(&p.main_ctx, &p.peer_ctx) < 0 || p.err) {
            cbm_skip_errno(st, "swapcontext", p.err ? p.err : errno);
            goto out;
        }
    }
    cbm_set_items_processed(st, cbm_iterations(st));
out:
    uc_current = NULL;
    free(stack);
}

/* ---- CPU pinning for the _1cpu variants -------------------------------- */

/* Pin the calling thread to the CPU it runs on; save its old mask in *old.
 * Returns the CPU, or a negative errno. */
static int pin_here(cpu_set_t *old)
{
    cpu_set_t one;
    int cpu, rc;

    rc = pthread_getaffinity_np(pthread_self(), sizeof *old, old);
    if (rc)
        return -rc;
    cpu = sched_getcpu();
    if (cpu < 0)
        return -errno;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    rc = pthread_setaffinity_np(pthread_self(), sizeof one, &one);
    return rc ? -rc : cpu;
}

static void unpin(const cpu_set_t *old)
{
    /* Restoring a mask we just read cannot fail in a way we could act on. */
    (void)pthread_setaffinity_np(pthread_self(), sizeof *old, old);
}

/* ---- two threads, one futex -------------------------------------------- */

struct futex_pp {
    _Atomic uint32_t turn; /* 0: the benchmark thread's turn; 1: the peer's */
    _Atomic int stop;
    _Atomic int err; /* errno of a failed futex call in the peer */
};

static long futex(_Atomic uint32_t *w, int op, uint32_t val)
{
    return syscall(SYS_futex, (uint32_t *)w, op, val, NULL, NULL, 0);
}

/* Sleep while *w == v. Returns 0 or an errno. EAGAIN (the value changed
 * before we slept) and EINTR are not failures: the loop re-checks. */
static int wait_while(_Atomic uint32_t *w, uint32_t v)
{
    while (atomic_load(w) == v)
        if (futex(w, FUTEX_WAIT_PRIVATE, v) < 0 && errno != EAGAIN && errno != EINTR)
            return errno;
    return 0;
}

/* Store v into *w and wake its waiter. Returns 0 or an errno. */
static int hand_over(_Atomic uint32_t *w, uint32_t v)
{
    atomic_store(w, v);
    return futex(w, FUTEX_WAKE_PRIVATE, 1) < 0 ? errno : 0;
}

static void *futex_peer(void *arg)
{
    struct futex_pp *p = arg;
    int err;

    for (;;) {
        if ((err = wait_while(&p->turn, 0)))
            break;
        if (atomic_load(&p->stop))
            return NULL;
        if ((err = hand_over(&p->turn, 0)))
            break;
    }
    /* Give the turn back so the benchmark thread does not sleep for ever. */
    atomic_store(&p->err, err);
    hand_over(&p->turn, 0);
    return NULL;
}

static void bm_thread_futex(cbm_state *st, void *ctx)
{
    int one_cpu = ctx != NULL;
    struct futex_pp p = {.turn = 0, .stop = 0, .err = 0};
    cpu_set_t old;
    pthread_t t;
    int rc, err = 0;

    if (one_cpu && (rc = pin_here(&old)) < 0) {
        cbm_skip_errno(st, "pin to one CPU", -rc);
        return;
    }
    /* The peer inherits the creating thread's affinity, hence one CPU. */
    if ((rc = pthread_create(&t, NULL, futex_peer, &p))) {
        cbm_skip_errno(st, "pthread_create", rc);
        goto unpin;
    }
    while (cbm_keep_running_batch(st, 2)) {
        if ((err = hand_over(&p.turn, 1)) || (err = wait_while(&p.turn, 1)))
            break;
        if ((err = atomic_load(&p.err)))
            break;
    }
    atomic_store(&p.stop, 1);
    hand_over(&p.turn, 1);
    pthread_join(t, NULL);
    if (err)
        cbm_skip_errno(st, "futex", err);
    else
        cbm_set_items_processed(st, cbm_iterations(st));
unpin:
    if (one_cpu)
        unpin(&old);
}

/* ---- two processes, two pipes ------------------------------------------ */

/* The child echoes each byte back until the parent closes its pipe. */
static _Noreturn void pipe_child(int in, int out)
{
    char c;
    ssize_t n;

    for (;;) {
        n = read(in, &c, 1);
        if (n == 0)
            _exit(0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || write(out, &c, 1) != 1)
            _exit(1);
    }
}

/* The parent's ends of the two pipes, and the echo child. */
struct echo {
    int to_child, from_child;
    pid_t pid;
};

/* Start the echo child. 0, or an errno with *what naming the failed call
 * (nothing is left open then). */
static int echo_start(struct echo *e, const char **what)
{
    int down[2], up[2], err;

    if (pipe2(down, O_CLOEXEC) < 0) {
        *what = "pipe2";
        return errno;
    }
    if (pipe2(up, O_CLOEXEC) < 0) {
        err = errno, *what = "pipe2";
        goto close_down;
    }
    e->pid = fork(); /* the child inherits the caller's CPU pinning */
    if (e->pid < 0) {
        err = errno, *what = "fork";
        close(up[0]), close(up[1]);
        goto close_down;
    }
    if (e->pid == 0) {
        close(down[1]);
        close(up[0]);
        pipe_child(down[0], up[1]);
    }
    close(down[0]);
    close(up[1]);
    e->to_child = down[1];
    e->from_child = up[0];
    return 0;
close_down:
    close(down[0]), close(down[1]);
    return err;
}

/* Close the child's input, which ends it, and reap it. 0, or an errno with
 * *what set (ECHILD: the child failed). */
static int echo_stop(struct echo *e, const char **what)
{
    int status;

    close(e->to_child);
    close(e->from_child);
    while (waitpid(e->pid, &status, 0) < 0)
        if (errno != EINTR) {
            *what = "waitpid";
            return errno;
        }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    *what = "echo child failed";
    return ECHILD;
}

static void bm_process_pipe(cbm_state *st, void *ctx)
{
    int one_cpu = ctx != NULL;
    const char *what = NULL, *stop_what = NULL;
    struct echo e = {.to_child = -1, .from_child = -1, .pid = -1};
    cpu_set_t old;
    int rc, err = 0, stop_err;
    ssize_t n;
    char c = 'x';

    if (one_cpu && (rc = pin_here(&old)) < 0) {
        cbm_skip_errno(st, "pin to one CPU", -rc);
        return;
    }
    if ((err = echo_start(&e, &what)))
        goto out;
    while (cbm_keep_running_batch(st, 2)) {
        if (write(e.to_child, &c, 1) != 1) {
            err = errno, what = "write";
            break;
        }
        if ((n = read(e.from_child, &c, 1)) != 1) {
            /* 0 bytes: the child is gone; errno would be stale. */
            err = n < 0 ? errno : EPIPE, what = "read";
            break;
        }
    }
    /* Reap the child whatever happened; the first error is the one shown. */
    if ((stop_err = echo_stop(&e, &stop_what)) && !what)
        err = stop_err, what = stop_what;
out:
    if (what)
        cbm_skip_errno(st, what, err);
    else
        cbm_set_items_processed(st, cbm_iterations(st));
    if (one_cpu)
        unpin(&old);
}

/* Register this file's benchmarks (called once, from micro_main.c). */
void micro_register_switch(void)
{
    static int pin = 1; /* a non-NULL ctx selects the _1cpu variant */

    cbm_register(&(struct cbm_def){.name = "switch/ucontext_oneway", .fn = bm_ucontext});
    cbm_register(&(struct cbm_def){
        .name = "switch/thread_futex_oneway", .fn = bm_thread_futex, .real_time = 1});
    cbm_register(&(struct cbm_def){.name = "switch/thread_futex_1cpu_oneway",
                                   .fn = bm_thread_futex,
                                   .ctx = &pin,
                                   .real_time = 1});
    cbm_register(&(struct cbm_def){
        .name = "switch/process_pipe_oneway", .fn = bm_process_pipe, .real_time = 1});
    cbm_register(&(struct cbm_def){.name = "switch/process_pipe_1cpu_oneway",
                                   .fn = bm_process_pipe,
                                   .ctx = &pin,
                                   .real_time = 1});
}
