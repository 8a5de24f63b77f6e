/* srv_cli.c: `concbench serve`, the test server on the command line (its
 * options are in the command line's option table, harness/cli/main.c). */
#include "parse.h"
#include "srv_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const char srv_url_help[] =
    "URLs: /delay/<ms>, ?ms=<ms>&bytes=<n>&status=<code>&reset=<n>\n"
    "  ms at most 86400000 (a day), bytes at most 4294967296 (4 GiB): more is 400.\n"
    "  A big body's checksum is computed in slices: it never holds up others.\n"
    "The server ends with the process that started it. The models flask and\n"
    "fastapi (the real frameworks) run through `concbench run --server-model`.\n";

/* A count (parse.h) in [lo, hi] into *out. 0 or -EINVAL. */
static int opt_int(const char *s, uint64_t lo, uint64_t hi, int *out)
{
    uint64_t v;
    if (cb_parse_count(s, &v) || v < lo || v > hi)
        return -EINVAL;
    *out = (int)v;
    return 0;
}

int srv_option(struct srv_config *c, const char *name, const char *v)
{
    if (strcmp(name, "server-model") == 0)
        return srv_model_parse(v, &c->model) || c->model > SRV_PREFORK ? -EINVAL : 0;
    if (strcmp(name, "server-workers") == 0)
        return opt_int(v, 1, 100000, &c->workers);
    if (strcmp(name, "listen") == 0) {
        c->host = v;
        return *v ? 0 : -EINVAL;
    }
    if (strcmp(name, "port") == 0)
        return opt_int(v, 0, 65535, &c->port);
    if (strcmp(name, "backlog") == 0)
        return opt_int(v, 1, INT32_MAX, &c->backlog);
    if (strcmp(name, "latency") == 0)
        return cb_parse_duration(v, &c->latency_ns) || c->latency_ns > SRV_LATENCY_MAX_NS ? -EINVAL
                                                                                          : 0;
    if (strcmp(name, "idle-timeout") == 0)
        return cb_parse_duration(v, &c->idle_timeout_ns) || c->idle_timeout_ns == 0 ? -EINVAL : 0;
    if (strcmp(name, "body") == 0)
        return cb_parse_count(v, &c->body_bytes) || c->body_bytes > SRV_BODY_MAX ? -EINVAL : 0;
    return -ENOENT;
}

/* Say in words what is wrong with --listen HOST, before trying to bind:
 * bind's own errno for a name that does not resolve would be "Cannot
 * assign requested address". Warn about a wildcard address. 0 or 1. */
static int srv_check_host(const char *host)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res;
    int e = getaddrinfo(host, NULL, &hints, &res);
    if (e) {
        fprintf(stderr, "concbench serve: cannot resolve --listen host '%s': %s\n", host,
                e == EAI_SYSTEM ? strerror(errno) : gai_strerror(e));
        return 1;
    }
    bool any = false;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET)
            any |= ((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr == htonl(INADDR_ANY);
        else if (ai->ai_family == AF_INET6)
            any |= IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr);
    }
    freeaddrinfo(res);
    if (any)
        fprintf(stderr,
                "concbench serve: warning: --listen %s listens on every address of this "
                "machine, not only loopback: anyone who can reach it can load it\n",
                host);
    return 0;
}

int srv_serve(const struct srv_config *c)
{
    struct srv_ctx x = {.lfd = -1, .ready_fd = -1, .announce = true};
    if (srv_resolve(c, &x.c)) {
        fprintf(stderr, "concbench serve: bad configuration\n");
        return 2;
    }
    if (srv_check_host(x.c.host))
        return 1;
    /* A server started by a script ends with the script (SIGTERM: the
     * clean stop). */
    pid_t parent = getppid();
    if (parent > 1 && !cb_proc_die_with_parent(parent, SIGTERM))
        return 1;
    int rc = srv_run_ctx(&x);
    if (rc) {
        fprintf(stderr, "concbench serve: cannot serve on %s:%d: %s\n", x.c.host, x.c.port,
                strerror(-rc));
        return 1;
    }
    return 0;
}