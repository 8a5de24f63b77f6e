/*
 * srv_internal.h: what the test server's files share and nothing outside
 * harness/server uses. server.h is the public face.
 *
 *   server.c        config, model names and labels, listen, srv_run, the
 *                   response pieces every model sends with
 *   srv_proc.c      srv_spawn / srv_stop: the server as a child process
 *   srv_cli.c       `concbench serve`
 *   srv_event.c     the event model
 *   srv_blocking.c  the blocking and prefork models (one worker loop)
 *   srv_python.c    flask and fastapi: the real frameworks, in Python
 *   srv_http.c      parsing, heads, the body and its checksum (no I/O)
 */
#ifndef CB_SRV_INTERNAL_H
#define CB_SRV_INTERNAL_H

#include "server.h"
#include "proc.h"
#include "srv_http.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define NS_PER_S  1000000000ULL
#define NS_PER_MS 1000000ULL

/* Everything one srv_run() needs: the resolved config and the socket. */
struct srv_ctx {
    struct srv_config c; /* defaults filled in */
    int lfd;
    int port;
    int ready_fd;
    bool announce; /* srv_serve: print the "listening on" line */
};

static inline struct timespec srv_ts(uint64_t ns)
{
    return (struct timespec){(time_t)(ns / NS_PER_S), (long)(ns % NS_PER_S)};
}

/* ---- server.c ----------------------------------------------------------- */

/* A response on its way out: the head, then body bytes [boff, bend). */
struct srv_out {
    uint64_t boff, bend;
    uint16_t hlen, hoff;
};

/* One sendmsg of what is left of o (head and body in one call, so a small
 * response is one segment). Returns bytes sent (> 0), 0 when nothing is
 * left, or a negative errno (-EAGAIN: the socket buffer is full). */
ssize_t srv_out_send(int fd, const char *head, struct srv_out *o);

/* Prepare head and o for request r (whose body checksums to sum), or for
 * its error response. */
void srv_out_prepare(char *head, struct srv_out *o, const struct srv_req *r, bool keep_alive,
                     uint64_t sum);

enum srv_close_how { CLOSE_PLAIN, CLOSE_GRACEFUL, CLOSE_RESET };

/* Close a client socket the way `how` says (server.c explains each). */
void srv_sock_close(int fd, enum srv_close_how how);

/* The server listens: print the "listening on" line if asked, write the
 * port to the ready pipe and close it. */
void srv_ready(struct srv_ctx *x);

/* Bind and listen on x->c.host:x->c.port; sets x->lfd and x->port. 0 or a
 * negative errno. flags: extra socket() type flags (SOCK_NONBLOCK). */
int srv_listen(struct srv_ctx *x, int flags);

/* Copy cfg into *c with the defaults filled in. 0 or -EINVAL. */
int srv_resolve(const struct srv_config *cfg, struct srv_config *c);

/* srv_run() on a resolved context. */
int srv_run_ctx(struct srv_ctx *x);

/* ---- the models --------------------------------------------------------- */

/* Serve on x->lfd until SIGINT/SIGTERM (blocked by srv_run_ctx). */
int srv_event_serve(struct srv_ctx *x);
/* old_mask: the signal mask before srv_run_ctx, for prefork's workers. */
int srv_blocking_serve(struct srv_ctx *x, const sigset_t *old_mask);

/* srv_python.c: start flask or fastapi as a child serving on a listening
 * socket of its own, and wait until it answers a GET. 0 with *h filled,
 * -ENOENT when a package is missing (srv_missing_package says which),
 * or another negative errno with a line on stderr. */
int srv_python_spawn(const struct srv_config *c, struct srv_handle *h);

/* "(Flask 2.2.2, gunicorn 20.1.0)" for flask, the same for fastapi, read
 * once from the installed packages; NULL for a built-in model. */
const char *srv_python_versions(enum srv_model m);

#endif
