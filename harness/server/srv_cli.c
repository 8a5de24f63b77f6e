/* srv_cli.c: `concbench serve`, the test server on the command line. */
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

static void srv_usage(FILE *f)
{
    fprintf(f, "usage: concbench serve [options]\n"
               "  --model M          event (default), blocking or prefork\n"
               "  --workers W        blocking/prefork: W workers (default 1)\n"
               "  --listen HOST      address to bind (default 127.0.0.1)\n"
               "  --port P           port (default 0: any free port)\n"
               "  --latency DUR      latency when the URL does not say (default 1s)\n"
               "  --body BYTES       body size when the URL does not say (default 64)\n"
               "  --idle-timeout DUR close idle or slow connections (default 30s)\n"
               "  --backlog N        listen backlog (default net.core.somaxconn)\n"
               "  -h, --help         this help\n"
               "DUR: 1s, 250ms, 100us, 2.5s; a plain number is seconds.\n"
               "BYTES: 64, 16k (x1000), 1M (x1000000).\n"
               "URLs: /delay/<ms>, ?ms=<ms>&bytes=<n>&status=<code>&reset=<n>\n"
               "  ms at most 86400000 (a day), bytes at most 4294967296 (4 GiB): more is 400.\n"
               "  A big body's checksum is computed in slices: it never holds up others.\n"
               "The server ends with the process that started it. The models flask and\n"
               "fastapi (the real frameworks) run through `concbench run --server-model`.\n");
}

/* A count (parse.h) in [lo, hi] into *out. 0 or -EINVAL. */
static int opt_int(const char *s, uint64_t lo, uint64_t hi, int *out)
{
    uint64_t v;
    if (cb_parse_count(s, &v) || v < lo || v > hi)
        return -EINVAL;
    *out = (int)v;
    return 0;
}

/* Apply one option. 0, or -EINVAL for a bad value, -ENOENT for an unknown
 * option, -EDESTADDRREQ for a missing value (v NULL). */
static int srv_option(struct srv_config *c, const char *name, const char *v)
{
    static const char *const known[] = {"--model",   "--workers", "--listen",       "--port",
                                        "--backlog", "--latency", "--idle-timeout", "--body"};
    bool found = false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        found |= strcmp(name, known[i]) == 0;
    if (!found)
        return -ENOENT;
    if (!v)
        return -EDESTADDRREQ;
    if (strcmp(name, "--model") == 0)
        return srv_model_parse(v, &c->model) || c->model > SRV_PREFORK ? -EINVAL : 0;
    if (strcmp(name, "--workers") == 0)
        return opt_int(v, 1, 100000, &c->workers);
    if (strcmp(name, "--listen") == 0) {
        c->host = v;
        return *v ? 0 : -EINVAL;
    }
    if (strcmp(name, "--port") == 0)
        return opt_int(v, 0, 65535, &c->port);
    if (strcmp(name, "--backlog") == 0)
        return opt_int(v, 1, INT32_MAX, &c->backlog);
    if (strcmp(name, "--latency") == 0)
        return cb_parse_duration(v, &c->latency_ns) || c->latency_ns > SRV_LATENCY_MAX_NS ? -EINVAL
                                                                                          : 0;
    if (strcmp(name, "--idle-timeout") == 0)
        return cb_parse_duration(v, &c->idle_timeout_ns) || c->idle_timeout_ns == 0 ? -EINVAL : 0;
    if (strcmp(name, "--body") == 0)
        return cb_parse_count(v, &c->body_bytes) || c->body_bytes > SRV_BODY_MAX ? -EINVAL : 0;
    return -ENOENT;
}

__attribute__((format(printf, 1, 2))) static int srv_bad_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "concbench serve: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    srv_usage(stderr);
    return 2;
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

/* Parse argv into c. 0, 1 for --help (printed), or 2 (message printed). */
static int srv_parse_args(int argc, char **argv, struct srv_config *c)
{
    char name[32];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            srv_usage(stdout);
            return 1;
        }
        const char *eq = strchr(a, '=');
        if (strncmp(a, "--", 2) != 0 || (eq ? (size_t)(eq - a) : strlen(a)) >= sizeof name)
            return srv_bad_usage("unknown option '%s'", a);
        if (eq) {
            snprintf(name, sizeof name, "%.*s", (int)(eq - a), a);
            v = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
            v = i + 1 < argc ? argv[++i] : NULL;
        }
        int rc = srv_option(c, name, v);
        if (rc == -ENOENT)
            return srv_bad_usage("unknown option '%s'", name);
        if (rc == -EDESTADDRREQ)
            return srv_bad_usage("option %s needs a value", name);
        if (rc)
            return srv_bad_usage("bad value for %s: '%s'", name, v);
    }
    return 0;
}

int srv_main(int argc, char **argv)
{
    struct srv_ctx x = {.lfd = -1, .ready_fd = -1, .announce = true};
    struct srv_config c;
    srv_config_default(&c);
    int rc = srv_parse_args(argc, argv, &c);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (srv_resolve(&c, &x.c))
        return srv_bad_usage("bad configuration");
    if (srv_check_host(x.c.host))
        return 1;
    /* A server started by a script ends with the script (SIGTERM: the
     * clean stop). */
    pid_t parent = getppid();
    if (parent > 1 && !srv_die_with_parent(parent, SIGTERM))
        return 1;
    rc = srv_run_ctx(&x);
    if (rc) {
        fprintf(stderr, "concbench serve: cannot serve on %s:%d: %s\n", x.c.host, x.c.port,
                strerror(-rc));
        return 1;
    }
    return 0;
}