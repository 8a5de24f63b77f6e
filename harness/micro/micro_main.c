/*
 * micro_main.c: concbench-micro, the Google Benchmark micro-benchmarks.
 * Each harness/micro_<group>.c registers its benchmarks through the C shim
 * (bench_shim.h); this file calls them all, then hands the command line to
 * Google Benchmark (--benchmark_filter=REGEX, --benchmark_out=FILE ...).
 * scripts/micro.sh runs it for `make micro`.
 */
#include "bench_shim.h"

#include <signal.h>
#include <stdio.h>

/* One line per file; each defines micro_register_<file>(void). The order
 * is the run order: coroutines first, as the reference for the rest. */
#define MICRO_GROUPS(X) X(coro) X(switch) X(spawn) X(strategy) X(epoll) X(timer) X(http)

#define DECLARE(g) void micro_register_##g(void);
MICRO_GROUPS(DECLARE)
#undef DECLARE

int main(int argc, char **argv)
{
    /* A peer process that dies must show up as EPIPE from write(), which
     * the benchmark reports, not as a SIGPIPE that kills the whole run. */
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
        perror("signal(SIGPIPE)");
        return 1;
    }
#define REGISTER(g) micro_register_##g();
    MICRO_GROUPS(REGISTER)
#undef REGISTER
    return cbm_main(argc, argv);
}
