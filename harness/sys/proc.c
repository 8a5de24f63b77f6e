/* proc.c: the processes concbench starts, and how they end. See proc.h. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Put fd at target in the child; -1 means /dev/null (or leave, for err). */
static int place_fd(int fd, int target, int null_if_none)
{
    if (fd < 0 && !null_if_none)
        return 0;
    if (fd < 0) {
        fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fd < 0)
            return -1;
    }
    if (fd == target)
        return fcntl(fd, F_SETFD, 0); /* keep it across exec */
    return dup2(fd, target) < 0 ? -1 : 0;
}

bool cb_proc_die_with_parent(pid_t parent, int sig)
{
    /* The kernel sends sig when the thread that forked us exits. Set after
     * fork, so the parent may have died before: then we were reparented
     * already and no signal will ever come. getppid() tells. */
    return prctl(PR_SET_PDEATHSIG, sig) == 0 && getppid() == parent;
}

/* The child between fork and exec: only async-signal-safe calls (but
 * o->setup's). */
static void child(const struct cb_proc_opts *o, pid_t parent, int err_pipe)
{
    int err;
    sigset_t none;
    setpgid(0, 0);
    /* Die with the harness, whatever kills it. */
    if (!cb_proc_die_with_parent(parent, SIGKILL))
        goto fail;
    /* Lift every source above the targets first: a pipe may be numbered
     * 0..3 now, and moving one into place must not close another. From 4
     * up, not higher: under a low RLIMIT_NOFILE a high minimum fails. */
    int in = o->fd_in >= 0 ? fcntl(o->fd_in, F_DUPFD_CLOEXEC, 4) : -1;
    int out = o->fd_out >= 0 ? fcntl(o->fd_out, F_DUPFD_CLOEXEC, 4) : -1;
    int er = o->fd_err >= 0 ? fcntl(o->fd_err, F_DUPFD_CLOEXEC, 4) : -1;
    int res = o->fd_result >= 0 ? fcntl(o->fd_result, F_DUPFD_CLOEXEC, 4) : -1;
    if ((o->fd_in >= 0 && in < 0) || (o->fd_out >= 0 && out < 0) || (o->fd_err >= 0 && er < 0) ||
        (o->fd_result >= 0 && res < 0))
        goto fail;
    if (place_fd(in, 0, 1) || place_fd(out, 1, 1) || place_fd(er, 2, 0) || place_fd(res, 3, 0))
        goto fail;
    /* An ignored signal stays ignored across exec, and a caught one stays
     * caught without it: the harness ignores SIGPIPE, catches SIGINT, and
     * may itself have been started with SIGINT ignored (a background job).
     * The child gets the defaults. */
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (o->setup && o->setup(o->setup_arg) < 0)
        goto fail;
    if (o->main) {
        /* No exec closes the close-on-exec descriptors here: close every
         * one above the placed 0..3 (the parent's, the lifted copies, the
         * error pipe, so the parent stops waiting), so that main's own
         * close of fd 3 is the last of that pipe. */
        close_range(4, ~0u, 0);
        o->main(o->arg);
        _exit(127); /* main must not return */
    }
    execv(o->exe ? o->exe : o->argv[0], o->argv);
fail:
    err = errno;
    (void)!write(err_pipe, &err, sizeof err);
    _exit(127);
}

int cb_proc_spawn(const struct cb_proc_opts *o, pid_t *pid)
{
    int ep[2];
    if (pipe2(ep, O_CLOEXEC) < 0)
        return -errno;
    pid_t parent = getpid();
    pid_t p = fork();
    if (p < 0) {
        int err = errno;
        close(ep[0]);
        close(ep[1]);
        return -err;
    }
    if (p == 0)
        child(o, parent, ep[1]);
    /* Here too, so a kill of the group right after fork cannot miss. */
    setpgid(p, p);
    close(ep[1]);
    int err = 0;
    ssize_t r;
    while ((r = read(ep[0], &err, sizeof err)) < 0 && errno == EINTR)
        ;
    close(ep[0]);
    if (r == (ssize_t)sizeof err) {
        /* setup or exec failed: the child exits 127; reap it now. */
        cb_proc_reap(p, NULL, NULL);
        return -(err ? err : ENOEXEC);
    }
    *pid = p;
    return 0;
}

int cb_proc_reap(pid_t pid, int *status, struct rusage *ru)
{
    int st = 0;
    struct rusage r;
    while (wait4(pid, &st, 0, &r) < 0) {
        if (errno != EINTR)
            return -errno;
    }
    if (status)
        *status = st;
    if (ru)
        *ru = r;
    return 0;
}

void cb_proc_kill_group(pid_t pgid)
{
    if (pgid > 0)
        kill(-pgid, SIGKILL);
}

static struct timespec ts_of(uint64_t ns)
{
    return (struct timespec){.tv_sec = (time_t)(ns / 1000000000u),
                             .tv_nsec = (long)(ns % 1000000000u)};
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A pidfd turns the wait into one poll(); without one (Linux < 5.3) we
 * poll waitpid every 10 ms, which is bounded and rare. */
int cb_proc_wait(pid_t pid, uint64_t timeout_ns, int *status)
{
    uint64_t deadline = now_ns() + timeout_ns;
    int pfd = -1, rc;
#ifdef SYS_pidfd_open
    pfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid) {
            rc = 0;
            break;
        }
        if (r < 0 && errno != EINTR) {
            rc = -errno;
            break;
        }
        uint64_t now = now_ns();
        if (now >= deadline) {
            rc = -ETIMEDOUT;
            break;
        }
        uint64_t left = deadline - now;
        struct timespec ts = ts_of(pfd >= 0 || left < 10000000u ? left : 10000000u);
        if (pfd >= 0) {
            struct pollfd p = {.fd = pfd, .events = POLLIN};
            ppoll(&p, 1, &ts, NULL);
        } else {
            nanosleep(&ts, NULL);
        }
    }
    if (pfd >= 0)
        close(pfd);
    return rc;
}

void cb_proc_end_group(pid_t pgid, int *status, uint64_t timeout_ns)
{
    uint64_t deadline = now_ns() + timeout_ns;
    kill(-pgid, SIGKILL);
    if (status) {
        kill(pgid, SIGKILL);
        /* Blocking is safe: SIGKILL cannot be refused. */
        while (waitpid(pgid, status, 0) < 0 && errno == EINTR)
            ;
    }
    /* kill(..., 0) still finds a zombie, so a reaper that is slow or
     * absent costs this wait, bounded. */
    while (kill(-pgid, SIGKILL) == 0 && now_ns() < deadline) {
        struct timespec ts = ts_of(5000000u);
        nanosleep(&ts, NULL);
    }
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

void cb_interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a blocking call in the harness returns EINTR, and the
     * loop that made it looks at the flag. */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int cb_interrupt_signal(void)
{
    return interrupted;
}
