/* proc.c: spawning a run so that it ends with the harness. See proc.h. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
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

/* The child between fork and exec: only async-signal-safe calls. */
static void child(const struct cb_proc_opts *o, pid_t parent, int err_pipe)
{
    int err;
    sigset_t none;
    setpgid(0, 0);
    /* Die with the harness, whatever kills it. The parent may already be
     * gone before prctl() takes effect: then getppid() is not it. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
        goto fail;
    if (o->cgroup && cb_cgroup_enter(o->cgroup) < 0)
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
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* An ignored signal stays ignored across exec: the harness ignores
     * SIGPIPE, and may itself have been started with SIGINT ignored (a
     * background job). The run gets the defaults. */
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    static const int sigs[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &dfl, NULL);
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
        /* exec failed: the child exits 127; reap it now. */
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
