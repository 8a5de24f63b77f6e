/*
 * srv_proc.c: the test server as a child process: srv_spawn, srv_stop, and
 * the parent-death and group-kill helpers every model's processes use.
 */
#include "srv_internal.h"
#include "strategy.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

bool srv_die_with_parent(pid_t parent, int sig)
{
    /* The kernel sends sig when the thread that forked us exits. Set after
     * fork, so the parent may have died before: then we were reparented
     * already and no signal will ever come. getppid() tells. */
    if (prctl(PR_SET_PDEATHSIG, sig) != 0)
        return false;
    return getppid() == parent;
}

/* Reap pid within timeout_ns. 0 (with *status), -ETIMEDOUT, or -errno. A
 * pidfd turns the wait into one poll(); without one (Linux < 5.3) we poll
 * waitpid every 10 ms, which is bounded and rare. */
int srv_wait_child(pid_t pid, uint64_t timeout_ns, int *status)
{
    uint64_t deadline = cb_now_ns() + timeout_ns;
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
        uint64_t now = cb_now_ns();
        if (now >= deadline) {
            rc = -ETIMEDOUT;
            break;
        }
        uint64_t left = deadline - now;
        if (pfd >= 0) {
            struct pollfd p = {.fd = pfd, .events = POLLIN};
            struct timespec ts = srv_ts(left);
            ppoll(&p, 1, &ts, NULL);
        } else {
            struct timespec ts = srv_ts(left < 10 * NS_PER_MS ? left : 10 * NS_PER_MS);
            nanosleep(&ts, NULL);
        }
    }
    if (pfd >= 0)
        close(pfd);
    return rc;
}

void srv_kill_group(pid_t pid, int *status, uint64_t timeout_ns)
{
    uint64_t deadline = cb_now_ns() + timeout_ns;
    kill(-pid, SIGKILL);
    if (status) {
        kill(pid, SIGKILL);
        /* Blocking is safe: SIGKILL cannot be refused. */
        while (waitpid(pid, status, 0) < 0 && errno == EINTR)
            ;
    }
    /* Workers whose parent died before them (gunicorn's, if its master
     * went first) are someone else's children now; we cannot reap them,
     * only see them gone. kill(..., 0) still finds a zombie, so a
     * reaper that is slow or absent costs this wait, bounded. */
    while (kill(-pid, SIGKILL) == 0 && cb_now_ns() < deadline) {
        struct timespec ts = srv_ts(5 * NS_PER_MS);
        nanosleep(&ts, NULL);
    }
}

/* Read the port line from the readiness pipe within 10 s. */
static int spawn_read_port(int fd, int *port)
{
    uint64_t deadline = cb_now_ns() + 10 * NS_PER_S;
    char buf[32];
    size_t len = 0;
    while (len < sizeof buf - 1) {
        uint64_t now = cb_now_ns();
        if (now >= deadline)
            return -ETIMEDOUT;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        struct timespec ts = srv_ts(deadline - now);
        int n = ppoll(&p, 1, &ts, NULL);
        if (n < 0 && errno != EINTR)
            return -errno;
        if (n <= 0)
            continue;
        ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -EIO; /* the child closed the pipe without a port */
        len += (size_t)r;
        buf[len] = 0;
        char *end;
        if (strchr(buf, '\n')) {
            long v = strtol(buf, &end, 10);
            if (end == buf || *end != '\n' || v <= 0 || v > 65535)
                return -EIO;
            *port = (int)v;
            return 0;
        }
    }
    return -EIO;
}

/* The child side of srv_spawn: its own group, death with the parent, the
 * server; never returns. */
static void spawn_child(const struct srv_config *c, pid_t parent, int ready_fd)
{
    setpgid(0, 0);
    /* SIGKILL, not SIGTERM: an orphaned server must let go of its port
     * whatever state it is in; prefork's workers follow by their own
     * parent-death signal. */
    if (!srv_die_with_parent(parent, SIGKILL))
        _exit(ECHILD);
    int rc = srv_run(c, ready_fd);
    _exit(rc == 0 ? 0 : rc < 0 && rc > -125 ? -rc : 125);
}

int srv_spawn(const struct srv_config *c, struct srv_handle *h)
{
    int p[2], status = 0;
    if (c->model == SRV_FLASK || c->model == SRV_FASTAPI)
        return srv_python_spawn(c, h);
    if (pipe2(p, O_CLOEXEC))
        return -errno;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int rc = -errno;
        close(p[0]);
        close(p[1]);
        return rc;
    }
    if (pid == 0) {
        close(p[0]);
        spawn_child(c, parent, p[1]);
    }
    /* Both sides set the group, so it is set whichever runs first. */
    setpgid(pid, pid);
    close(p[1]);
    int port = 0;
    int rc = spawn_read_port(p[0], &port);
    close(p[0]);
    if (rc == 0) {
        *h = (struct srv_handle){.pid = pid, .port = port, .model = c->model};
        return 0;
    }
    /* The child says why it failed in its exit status (srv_run's errno). */
    if (rc == -EIO && srv_wait_child(pid, NS_PER_S, &status) == 0) {
        if (WIFEXITED(status) && WEXITSTATUS(status) > 0 && WEXITSTATUS(status) < 125)
            return -WEXITSTATUS(status);
        return -EIO;
    }
    srv_kill_group(pid, &status, NS_PER_S);
    return rc;
}

int srv_stop(struct srv_handle *h)
{
    int status = 0, rc;
    if (!h || h->pid <= 0)
        return -EINVAL;
    pid_t pid = h->pid;
    h->pid = 0;
    /* The group: the server and its workers. gunicorn's master alone, and
     * SIGINT, its quick shutdown: it stops its workers at once (SIGTERM
     * would let them sleep out their requests) and reaps them before it
     * exits. A worker that outlived its master would be reparented, and
     * whether its zombie is ever reaped is then up to init. */
    bool flask = h->model == SRV_FLASK;
    int sig = flask ? SIGINT : SIGTERM;
    if (kill(flask ? pid : -pid, sig) && kill(pid, sig) && errno == ESRCH) {
        /* Already dead: just reap it. */
        rc = srv_wait_child(pid, NS_PER_S, &status) == 0 ? 0 : -ECHILD;
        srv_kill_group(pid, NULL, NS_PER_S);
        return rc;
    }
    rc = srv_wait_child(pid, 5 * NS_PER_S, &status);
    if (rc == -ETIMEDOUT) {
        srv_kill_group(pid, &status, NS_PER_S);
        return -ETIMEDOUT;
    }
    /* The group may outlive its leader only if a worker did not die of the
     * SIGTERM; make sure. Nothing else can be in that group. */
    srv_kill_group(pid, NULL, NS_PER_S);
    if (rc)
        return rc == -ECHILD ? 0 : rc;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status) && WTERMSIG(status) == sig)
        return 0;
    return -EIO;
}
