/*
 * srv_proc.c: the test server as a child process (proc.h): srv_spawn and
 * srv_stop.
 */
#include "proc.h"
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

/* The child side of srv_spawn (proc.h put it in its own group, to die
 * with the parent by SIGKILL: an orphaned server must let go of its port
 * whatever state it is in; prefork's workers follow by their own
 * parent-death signal). The readiness pipe is descriptor 3. Exits with
 * srv_run's errno. */
static void spawn_main(void *arg)
{
    int rc = srv_run(arg, 3);
    _exit(rc == 0 ? 0 : rc < 0 && rc > -125 ? -rc : 125);
}

int srv_spawn(const struct srv_config *c, struct srv_handle *h)
{
    int p[2], status = 0;
    pid_t pid;
    if (c->model == SRV_FLASK || c->model == SRV_FASTAPI)
        return srv_python_spawn(c, h);
    if (pipe2(p, O_CLOEXEC))
        return -errno;
    struct cb_proc_opts o = {.main = spawn_main,
                             .arg = (void *)c,
                             .fd_in = -1,
                             .fd_out = -1,
                             .fd_err = -1,
                             .fd_result = p[1]};
    int rc = cb_proc_spawn(&o, &pid);
    close(p[1]);
    if (rc) {
        close(p[0]);
        return rc; /* it never started */
    }
    int port = 0;
    rc = spawn_read_port(p[0], &port);
    close(p[0]);
    if (rc == 0) {
        *h = (struct srv_handle){.pid = pid, .port = port, .model = c->model};
        return 0;
    }
    /* The child says why it failed in its exit status (srv_run's errno). */
    if (rc == -EIO && cb_proc_wait(pid, NS_PER_S, &status) == 0) {
        if (WIFEXITED(status) && WEXITSTATUS(status) > 0 && WEXITSTATUS(status) < 125)
            return -WEXITSTATUS(status);
        return -EIO;
    }
    cb_proc_end_group(pid, &status, NS_PER_S);
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
        rc = cb_proc_wait(pid, NS_PER_S, &status) == 0 ? 0 : -ECHILD;
        cb_proc_end_group(pid, NULL, NS_PER_S);
        return rc;
    }
    rc = cb_proc_wait(pid, 5 * NS_PER_S, &status);
    if (rc == -ETIMEDOUT) {
        cb_proc_end_group(pid, &status, NS_PER_S);
        return -ETIMEDOUT;
    }
    /* The group may outlive its leader only if a worker did not die of the
     * SIGTERM; make sure. Nothing else can be in that group. */
    cb_proc_end_group(pid, NULL, NS_PER_S);
    if (rc)
        return rc == -ECHILD ? 0 : rc;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status) && WTERMSIG(status) == sig)
        return 0;
    return -EIO;
}
