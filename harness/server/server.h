/*
 * server.h: concbench's controlled-latency HTTP/1.1 test server.
 *
 * GET (and HEAD) of any path answers after a latency with a body whose
 * bytes are cb_body_byte(0..len-1) (body.h) and an X-Checksum header. The
 * request target can change both, per request:
 *   /delay/<ms>          wait ms milliseconds (fractions allowed: 0.5);
 *                        at most SRV_LATENCY_MAX_NS (one day)
 *   ?ms=<ms>             the same, as a query parameter
 *   ?bytes=<n>           body of n bytes, at most SRV_BODY_MAX (4 GiB)
 *   ?status=<code>       answer with this status (200..599), same body
 *   ?reset=<n>           send the head and n body bytes, then reset the
 *                        connection (RST): "connection reset mid-body"
 * e.g. /delay/1000?bytes=1048576. A malformed request, or a number over
 * its bound, gets 400 (a method other than GET/HEAD 405) and the
 * connection is closed.
 *
 * Models:
 *   event     one epoll loop (evloop.h); latency by timers; keep-alive;
 *             holds tens of thousands of waiting connections (ASGI).
 *   blocking  W threads, each: accept, read one request, wait, answer,
 *             close (gunicorn's sync worker: N requests take ceil(N/W) x L).
 *   prefork   the same with W forked processes.
 *   flask     the real thing: a Flask app under gunicorn's sync worker, W
 *             processes, time.sleep(L) (harness/server/py/flask_app.py).
 *   fastapi   a FastAPI app under uvicorn, await asyncio.sleep(L)
 *             (harness/server/py/fastapi_app.py). flask and fastapi run
 *             with Debian's /usr/bin/python3, only through srv_spawn; they
 *             take ?bytes= up to 16 MiB (pure Python sums ~10 MB/s) and do
 *             not support ?reset= (400 for both).
 *
 * Robustness, in every model:
 *   - No request blocks the others. The X-Checksum of a big body costs
 *     about 1.5 s per GB (FNV-1a cannot skip ahead); the event model
 *     computes it in 1 MiB slices between other events, during the
 *     latency, and keeps the last sums; a blocking worker computes it
 *     for its own request only.
 *   - A client that goes away during the latency is noticed at once: the
 *     event model watches the socket for EPOLLRDHUP, a blocking or prefork
 *     worker waits in poll() on the socket (POLLRDHUP), not in a sleep,
 *     and goes back to accept().
 *   - Nothing outlives the process that started the server: srv_spawn's
 *     child, prefork's workers, `concbench serve`, gunicorn's master and
 *     workers and uvicorn die with their parent (PR_SET_PDEATHSIG, checked
 *     against the race with getppid()), and srv_stop kills and reaps the
 *     whole process group. The port is free within a second whatever
 *     killed the harness.
 */
#ifndef CB_SERVER_H
#define CB_SERVER_H

#include <stdint.h>
#include <sys/types.h>

enum srv_model { SRV_EVENT, SRV_BLOCKING, SRV_PREFORK, SRV_FLASK, SRV_FASTAPI };

struct srv_config {
    const char *host; /* default "127.0.0.1"; never 0.0.0.0 unless told */
    int port;         /* 0: ephemeral */
    enum srv_model model;
    int workers;              /* blocking/prefork/flask: W (default 1) */
    uint64_t latency_ns;      /* when the URL does not say (default 1 s) */
    uint64_t body_bytes;      /* when the URL does not say (default 64) */
    uint64_t idle_timeout_ns; /* close a connection idle this long, or whose
                                 request is not complete after this long, or
                                 that stops reading for this long (30 s) */
    int backlog;              /* listen backlog; 0: net.core.somaxconn */
};

/* Fill c with the defaults above. */
void srv_config_default(struct srv_config *c);

/* "event", "blocking", "prefork", "flask", "fastapi" ("?" when out of
 * range). */
const char *srv_model_name(enum srv_model m);

/* Parse a model name into *m. 0 or -EINVAL. */
int srv_model_parse(const char *s, enum srv_model *m);

/* How many requests a server of config c serves at once: W for blocking,
 * prefork and flask, 0 (no bound) for event and fastapi. */
int srv_concurrency(const struct srv_config *c);

/*
 * The row's `server` column for c: "event", "blocking:2", "prefork:4",
 * "flask:4 (Flask 2.2.2, gunicorn 20.1.0)", "fastapi (FastAPI 0.92.0,
 * uvicorn 0.17.6)". The framework versions are read once, at the first
 * call, from the installed packages (one run of /usr/bin/python3), then
 * cached; "(versions unknown)" when that fails. Writes at most len bytes,
 * NUL-terminated. Returns 0, or -ENOSPC when the label was cut. Not
 * thread-safe on the first call per model.
 */
int srv_label(const struct srv_config *c, char *buf, size_t len);

/* The Debian packages model m needs beyond concbench's own, space
 * separated ("python3-flask gunicorn"), or NULL for a built-in model. */
const char *srv_model_package(enum srv_model m);

/* The first of those packages that is not installed, or NULL when all are
 * (or m is built in). Checks the files the packages install; no process
 * is started. */
const char *srv_missing_package(enum srv_model m);

/*
 * Run the server in this process until SIGINT or SIGTERM (built-in models
 * only; flask and fastapi give -EINVAL). Raises
 * RLIMIT_NOFILE's soft limit to the hard one, ignores SIGPIPE, and blocks
 * SIGINT and SIGTERM in the calling thread while it runs (they are what
 * stops it; the old mask and dispositions come back on return). Once it
 * listens, writes the bound port as decimal text and '\n' to ready_fd (if
 * ready_fd >= 0) and closes ready_fd. Returns 0 after a clean stop (every
 * connection closed, everything freed, every worker reaped), or a negative
 * errno when it could not start (-EADDRINUSE, -EACCES, -EINVAL for a bad
 * config...). Call it from one thread at a time per process: it changes
 * process-wide signal dispositions.
 */
int srv_run(const struct srv_config *c, int ready_fd);

struct srv_handle {
    pid_t pid; /* the server process, leader of its own process group */
    int port;
    enum srv_model model;
};

/*
 * Fork a child that runs srv_run(c) (in its own process group, leaving with
 * _exit) and wait until it listens, at most 10 s. For flask and fastapi,
 * bind and listen on c->host port c->port here, fork a child that execs
 * gunicorn or uvicorn on that socket, and wait until a GET is answered
 * (at most 30 s; a line on stderr says what failed). The child dies with
 * the calling thread (PR_SET_PDEATHSIG): spawn from a thread that outlives
 * the server. Returns 0 with *h filled, or a negative errno: the child's
 * own (e.g. -EADDRINUSE), -ETIMEDOUT, fork's, or -ENOENT when a Debian
 * package a Python model needs is missing (srv_missing_package()). On
 * failure no child is left behind.
 */
int srv_spawn(const struct srv_config *c, struct srv_handle *h);

/*
 * Stop a server started by srv_spawn: SIGTERM to its process group (SIGINT
 * to gunicorn's master alone, which stops its workers), wait, SIGKILL after
 * 5 s, then SIGKILL whatever is left of the group and wait until it is
 * gone. Returns 0 when it exited cleanly, -ETIMEDOUT when it
 * had to be killed, -EIO when it exited with an error, -EINVAL for a handle
 * without a pid. In every case the server and its workers are gone and
 * reaped; h->pid is set to 0.
 */
int srv_stop(struct srv_handle *h);

/* Set the option called name (its long name in the command line's
 * table: "server-model", "latency"...) from text v. 0, -EINVAL for a bad
 * value, -ENOENT for a name that is not the server's. */
int srv_option(struct srv_config *c, const char *name, const char *v);

/*
 * `concbench serve` (its options: the command line's table, applied with
 * srv_option): serve c in the foreground. Prints "listening on
 * http://HOST:PORT (model ...)" to stderr and runs until SIGINT/SIGTERM,
 * or until its parent dies (SIGTERM). Warns when HOST is a wildcard
 * address (every interface); a HOST that does not resolve is said in
 * words. An exit status: 0, 1 when the server could not start, 2 for a
 * configuration srv_resolve refuses.
 */
int srv_serve(const struct srv_config *c);

/* The URL grammar, for `concbench serve --help`. */
extern const char srv_url_help[];

#endif
