/*
 * srv_python.c: the flask and fastapi models, the real frameworks. The
 * harness binds and listens here, on c->host (127.0.0.1) port 0, and hands
 * the listening socket to the child as fd 3: gunicorn's `--bind fd://3`,
 * uvicorn's `--fd 3`. The port is known before the child starts and no
 * other process can take it meanwhile. The apps are harness/server/py/,
 * run with Debian's /usr/bin/python3; srv_spawn returns once a GET has
 * been answered and verified.
 */
#include "srv_internal.h"
#include "strategy.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define PYTHON      "/usr/bin/python3"
#define DIST        "/usr/lib/python3/dist-packages/"
#define READY_NS    (30 * NS_PER_S) /* importing FastAPI takes ~1 s here */
#define VERSIONS_NS (10 * NS_PER_S)

/* What a Python model needs: Debian package and a file it installs. */
struct py_need {
    const char *package, *file;
};

static const struct py_need need_flask[] = {{"python3", PYTHON},
                                            {"python3-flask", DIST "flask/__init__.py"},
                                            {"gunicorn", DIST "gunicorn/__init__.py"},
                                            {NULL, NULL}};
static const struct py_need need_fastapi[] = {{"python3", PYTHON},
                                              {"python3-fastapi", DIST "fastapi/__init__.py"},
                                              {"python3-uvicorn", DIST "uvicorn/__init__.py"},
                                              {NULL, NULL}};

/* CB_PY_HIDE=flask,uvicorn makes those modules count as missing, as the
 * Python strategies' cbproto.py does: how the tests see a machine without
 * a package. */
static int hidden(const char *file)
{
    const char *hide = getenv("CB_PY_HIDE");
    const char *mod = strstr(file, "dist-packages/");
    if (!hide || !mod)
        return 0;
    mod += strlen("dist-packages/");
    size_t ml = strcspn(mod, "/");
    for (const char *h = hide; *h; h += strcspn(h, ",") + (h[strcspn(h, ",")] == ',')) {
        if (strcspn(h, ",") == ml && strncmp(h, mod, ml) == 0)
            return 1;
        if (!h[strcspn(h, ",")])
            break;
    }
    return 0;
}

const char *srv_missing_package(enum srv_model m)
{
    const struct py_need *n = m == SRV_FLASK ? need_flask : m == SRV_FASTAPI ? need_fastapi : NULL;
    for (; n && n->package; n++)
        if (access(n->file, R_OK) != 0 || hidden(n->file))
            return n->package;
    return NULL;
}

/* The folder of the apps: $CB_SRV_PY_DIR, or harness/server/py under
 * concbench's root (cb_root(), as external strategies find theirs). */
static int py_dir(char *out, size_t len)
{
    const char *env = getenv("CB_SRV_PY_DIR");
    int w = env && *env ? snprintf(out, len, "%s", env)
                        : snprintf(out, len, "%s/harness/server/py", cb_root());
    char probe[PATH_MAX + 32];
    if (w < 0 || (size_t)w >= len || (size_t)w + 16 > sizeof probe)
        return -ENAMETOOLONG;
    snprintf(probe, sizeof probe, "%s/cbserver.py", out);
    return access(probe, R_OK) == 0 ? 0 : -ENOENT;
}

/* ---- versions ------------------------------------------------------------ */

/* Run argv with stdout into buf (at most len - 1 bytes, NUL-terminated),
 * within timeout_ns. 0 when it exited 0, else a negative errno. */
static int run_capture(char *const argv[], char *buf, size_t len, uint64_t timeout_ns)
{
    int p[2], status = 0, rc;
    pid_t pid;
    if (pipe2(p, O_CLOEXEC))
        return -errno;
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    struct cb_proc_opts o = {
        .argv = argv, .fd_in = -1, .fd_out = p[1], .fd_err = null, .fd_result = -1};
    rc = null < 0 ? -errno : cb_proc_spawn(&o, &pid);
    close(p[1]);
    if (null >= 0)
        close(null);
    if (rc) {
        close(p[0]);
        return rc;
    }
    size_t have = 0;
    uint64_t deadline = cb_now_ns() + timeout_ns;
    for (;;) {
        uint64_t now = cb_now_ns();
        struct pollfd pf = {.fd = p[0], .events = POLLIN};
        if (now >= deadline || poll(&pf, 1, (int)((deadline - now) / NS_PER_MS) + 1) <= 0)
            break;
        ssize_t r = read(p[0], buf + have, len - 1 - have);
        if (r <= 0 || (have += (size_t)r) == len - 1)
            break;
    }
    buf[have] = 0;
    close(p[0]);
    uint64_t now = cb_now_ns();
    rc = cb_proc_wait(pid, deadline > now ? deadline - now : 0, &status);
    if (rc) {
        cb_proc_end_group(pid, &status, NS_PER_S);
        return rc;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

const char *srv_python_versions(enum srv_model m)
{
    static char cache[2][96];
    static const char *const script[2] = {
        "import importlib.metadata as m;"
        "print('(Flask %s, gunicorn %s)' % (m.version('flask'), m.version('gunicorn')))",
        "import importlib.metadata as m;"
        "print('(FastAPI %s, uvicorn %s)' % (m.version('fastapi'), m.version('uvicorn')))"};
    if (m != SRV_FLASK && m != SRV_FASTAPI)
        return NULL;
    int i = m == SRV_FLASK ? 0 : 1;
    if (cache[i][0])
        return cache[i];
    char *argv[] = {PYTHON, "-I", "-c", (char *)script[i], NULL};
    if (run_capture(argv, cache[i], sizeof cache[i], VERSIONS_NS) == 0 && cache[i][0] == '(') {
        cache[i][strcspn(cache[i], "\n")] = 0;
    } else {
        snprintf(cache[i], sizeof cache[i], "(versions unknown)");
    }
    return cache[i];
}

/* ---- spawn --------------------------------------------------------------- */

/* Storage for the strings of a command line. */
struct py_args {
    char workers[16];
    char conf[PATH_MAX + 32];
    char *argv[32];
};

/* The command line of model c with its apps in dir. */
static void py_argv(const struct srv_config *c, const char *dir, struct py_args *pa)
{
    size_t n = 0, max = sizeof pa->argv / sizeof pa->argv[0];
    char **argv = pa->argv;
    if (c->model == SRV_FLASK) {
        /* --timeout 0: a request may sleep as long as its URL asks (the
         * default would kill a worker after 30 s of sleep); the workers
         * still check their master every 0.5 s. --graceful-timeout 3: how
         * long the master waits for its workers to exit on srv_stop's
         * SIGINT before it kills them (they exit within 0.1 s). */
        snprintf(pa->workers, sizeof pa->workers, "%d", c->workers > 0 ? c->workers : 1);
        snprintf(pa->conf, sizeof pa->conf, "%.*s/gunicorn_conf.py", PATH_MAX, dir);
        const char *a[] = {PYTHON,   "-m",          "gunicorn",  "--bind",
                           "fd://3", "--workers",   pa->workers, "--worker-class",
                           "sync",   "--timeout",   "0",         "--graceful-timeout",
                           "3",      "--log-level", "warning",   "--chdir",
                           dir,      "--config",    pa->conf,    "flask_app:app"};
        for (; n < sizeof a / sizeof a[0] && n < max - 1; n++)
            argv[n] = (char *)a[n];
    } else {
        const char *a[] = {PYTHON,           "-m", "uvicorn",     "--fd",    "3",
                           "--app-dir",      dir,  "--log-level", "warning", "--no-access-log",
                           "fastapi_app:app"};
        for (; n < sizeof a / sizeof a[0] && n < max - 1; n++)
            argv[n] = (char *)a[n];
    }
    argv[n] = NULL;
}

/* In the child (proc.h gave it its own group, death with the parent, the
 * socket on fd 3, stdout (perhaps the harness's CSV) to /dev/null, a
 * clean signal state): the settings in the environment. */
static int py_env(void *arg)
{
    const struct srv_config *c = arg;
    char lat[32], bytes[32];
    snprintf(lat, sizeof lat, "%" PRIu64, c->latency_ns);
    snprintf(bytes, sizeof bytes, "%" PRIu64, c->body_bytes);
    setenv("CB_SRV_LATENCY_NS", lat, 1);
    setenv("CB_SRV_BODY_BYTES", bytes, 1);
    setenv("PYTHONDONTWRITEBYTECODE", "1", 1); /* no __pycache__ in the tree */
    return 0;
}

/* Has pid exited? It stays a zombie for cb_proc_end_group to reap. */
static bool py_exited(pid_t pid)
{
    siginfo_t si = {0};
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

/* Send a GET of /?ms=0 to port and read the answer (at most len - 1
 * bytes, NUL-terminated) until the server closes, while pid lives, within
 * deadline_ns. 0, -ECHILD (pid exited), -ETIMEDOUT or -errno. */
static int py_get(int port, pid_t pid, uint64_t deadline_ns, char *buf, size_t len)
{
    static const char req[] = "GET /?ms=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Connection: close\r\n\r\n";
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = -ETIMEDOUT;
    if (fd < 0)
        return -errno;
    /* The socket listens already: connect() and send() succeed at once,
     * and the answer comes when the app is up. */
    if (connect(fd, (struct sockaddr *)&a, sizeof a) ||
        send(fd, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1)) {
        rc = -errno;
        goto out;
    }
    size_t have = 0;
    while (cb_now_ns() < deadline_ns) {
        if (py_exited(pid)) {
            rc = -ECHILD;
            break;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t r = recv(fd, buf + have, len - 1 - have, 0);
        if (r <= 0 || (have += (size_t)r) == len - 1) {
            rc = r < 0 ? -errno : 0;
            break;
        }
    }
    buf[have] = 0;
out:
    close(fd);
    return rc;
}

/* Is resp a 200 with the body and X-Checksum of bytes bytes? */
static bool py_verify(const char *resp, uint64_t bytes)
{
    char want[40];
    snprintf(want, sizeof want, "x-checksum: %016" PRIx64 "\r\n", srv_body_checksum(bytes));
    const char *end = strstr(resp, "\r\n\r\n");
    if (strncmp(resp, "HTTP/1.1 200 ", 13) != 0 || !end || strlen(end + 4) != bytes)
        return false;
    for (const char *p = resp; p < end; p++)
        if (strncasecmp(p, want, strlen(want)) == 0)
            return true;
    return false;
}

/* Wait until the child answers a GET correctly. 0 or a negative errno,
 * with a line on stderr saying what went wrong. */
static int py_ready(const struct srv_config *c, pid_t pid, int port)
{
    const char *name = c->model == SRV_FLASK ? "gunicorn (flask)" : "uvicorn (fastapi)";
    size_t len = c->body_bytes + 4096;
    char *buf = c->body_bytes <= 1u << 20 ? malloc(len) : NULL;
    if (!buf) {
        fprintf(stderr, "concbench: %s: cannot check a body of %" PRIu64 " bytes\n", name,
                c->body_bytes);
        return -EINVAL;
    }
    int rc = py_get(port, pid, cb_now_ns() + READY_NS, buf, len);
    /* A reset or an early EOF: usually the child dying with our request
     * in its backlog. Give its exit a moment to show. */
    for (int i = 0; i < 100 && rc != 0 && rc != -ECHILD && rc != -ETIMEDOUT; i++) {
        if (py_exited(pid))
            rc = -ECHILD;
        struct timespec ts = srv_ts(10 * NS_PER_MS);
        nanosleep(&ts, NULL);
    }
    if (rc == -ECHILD) {
        fprintf(stderr, "concbench: %s exited before answering (its messages are above)\n", name);
        rc = -EIO;
    } else if (rc == -ETIMEDOUT)
        fprintf(stderr, "concbench: %s did not answer within %d s\n", name,
                (int)(READY_NS / NS_PER_S));
    else if (rc)
        fprintf(stderr, "concbench: %s: the first GET failed: %s\n", name, strerror(-rc));
    else if (!py_verify(buf, c->body_bytes)) {
        fprintf(stderr, "concbench: %s answered, but not the expected body: %.200s\n", name, buf);
        rc = -EPROTO;
    }
    free(buf);
    return rc;
}

int srv_python_spawn(const struct srv_config *c, struct srv_handle *h)
{
    struct srv_ctx x = {.lfd = -1, .ready_fd = -1};
    char dir[PATH_MAX];
    struct py_args pa;
    int status, rc;
    if (srv_missing_package(c->model))
        return -ENOENT;
    if (py_dir(dir, sizeof dir)) {
        fprintf(stderr, "concbench: cannot find harness/server/py (set CB_SRV_PY_DIR)\n");
        return -ENOENT;
    }
    if ((rc = srv_resolve(c, &x.c)) || (rc = srv_listen(&x, 0)))
        return rc;
    py_argv(&x.c, dir, &pa);
    pid_t pid;
    struct cb_proc_opts o = {.argv = pa.argv,
                             .fd_in = -1,
                             .fd_out = -1,
                             .fd_err = -1,
                             .fd_result = x.lfd, /* fd 3 */
                             .setup = py_env,
                             .setup_arg = &x.c};
    rc = cb_proc_spawn(&o, &pid);
    close(x.lfd); /* the child's now: the port stays bound while it lives */
    if (rc)
        return rc;
    rc = py_ready(&x.c, pid, x.port);
    if (rc) {
        cb_proc_end_group(pid, &status, NS_PER_S);
        return rc;
    }
    *h = (struct srv_handle){.pid = pid, .port = x.port, .model = c->model};
    return 0;
}
