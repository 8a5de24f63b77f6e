/*
 * server.h: concbench's controlled-latency HTTP/1.1 test server.
 *
 * GET (and HEAD) of any path answers after a latency with a body whose
 * bytes are cb_body_byte(0..len-1) (body.h) and an X-Checksum header. The
 * request target can change both, per request:
 *   /delay/<ms>          wait ms milliseconds (fractions allowed: 0.5)
 *   ?ms=<ms>             the same, as a query parameter
 *   ?bytes=<n>           body of n bytes
 *   ?status=<code>       answer with this status (200..599), same body
 *   ?reset=<n>           send the head and n body bytes, then reset the
 *                        connection (RST): "connection reset mid-body"
 * e.g. /delay/1000?bytes=1048576. A malformed request gets 400 (a method
 * other than GET/HEAD 405) and the connection is closed.
 *
 * Three models:
 *   event     one epoll loop (evloop.h); latency by timers; keep-alive;
 *             holds tens of thousands of waiting connections (ASGI).
 *   blocking  W threads, each: accept, read one request, sleep, answer,
 *             close (gunicorn's sync worker: N requests take ceil(N/W) x L).
 *   prefork   the same with W forked processes.
 */
#ifndef CB_SERVER_H
#define CB_SERVER_H

#include <stdint.h>
#include <sys/types.h>

enum srv_model { SRV_EVENT, SRV_BLOCKING, SRV_PREFORK };

struct srv_config {
    const char *host; /* default "127.0.0.1"; never 0.0.0.0 unless told */
    int port;         /* 0: ephemeral */
    enum srv_model model;
    int workers;              /* blocking/prefork: W (default 1) */
    uint64_t latency_ns;      /* when the URL does not say (default 1 s) */
    uint64_t body_bytes;      /* when the URL does not say (default 64) */
    uint64_t idle_timeout_ns; /* close a connection idle this long, or whose
                                 request is not complete after this long, or
                                 that stops reading for this long (30 s) */
    int backlog;              /* listen backlog; 0: net.core.somaxconn */
};

/* Fill c with the defaults above. */
void srv_config_default(struct srv_config *c);

/* "event", "blocking", "prefork" ("?" when out of range). */
const char *srv_model_name(enum srv_model m);

/* Parse a model name into *m. 0 or -EINVAL. */
int srv_model_parse(const char *s, enum srv_model *m);

/*
 * Run the server in this process until SIGINT or SIGTERM. Raises
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
};

/*
 * Fork a child that runs srv_run(c) (in its own process group, leaving with
 * _exit) and wait until it listens, at most 10 s. Returns 0 with *h filled,
 * or a negative errno: the child's own (e.g. -EADDRINUSE), -ETIMEDOUT, or
 * fork's. On failure no child is left behind.
 */
int srv_spawn(const struct srv_config *c, struct srv_handle *h);

/*
 * Stop a server started by srv_spawn: SIGTERM to its process group, wait,
 * SIGKILL after 5 s. Returns 0 when it exited cleanly, -ETIMEDOUT when it
 * had to be killed, -EIO when it exited with an error, -EINVAL for a handle
 * without a pid. In every case the server and its workers are gone and
 * reaped; h->pid is set to 0.
 */
int srv_stop(struct srv_handle *h);

/*
 * `concbench serve [--model event|blocking|prefork] [--workers W]
 * [--listen HOST] [--port P] [--latency DUR] [--body BYTES]
 * [--idle-timeout DUR] [--backlog N] [-h|--help]`. argv[0] is the command
 * name. Prints "listening on http://HOST:PORT (model ...)" to stderr and
 * runs until SIGINT/SIGTERM. DUR and BYTES are read by cb_parse_duration()
 * and cb_parse_count() (parse.h), as `concbench run` reads them. Returns
 * the exit code: 0, 1 when the server could not start, 2 for a bad command
 * line (message and usage on stderr).
 */
int srv_main(int argc, char **argv);

#endif
