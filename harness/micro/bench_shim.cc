// bench_shim.cc: the C interface of bench_shim.h over Google Benchmark 1.7.
//
// cbm_state is never defined: a cbm_state * is a benchmark::State * under
// another name, so the shim adds no allocation or indirection to the loop.
#include "bench_shim.h"

#include <benchmark/benchmark.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace
{

benchmark::State *S(cbm_state *st)
{
    return reinterpret_cast<benchmark::State *>(st);
}

const benchmark::State *S(const cbm_state *st)
{
    return reinterpret_cast<const benchmark::State *>(st);
}

} // namespace

extern "C" int cbm_register(const struct cbm_def *def)
{
    if (!def || !def->name || !def->fn)
        return -EINVAL;
    cbm_fn fn = def->fn;
    void *ctx = def->ctx;
    // RegisterBenchmark copies the name into the benchmark's std::string.
    benchmark::internal::Benchmark *b =
        benchmark::RegisterBenchmark(def->name, [fn, ctx](benchmark::State &state) {
            fn(reinterpret_cast<cbm_state *>(&state), ctx);
        });
    for (size_t i = 0; i < def->nargs && def->args; i++)
        b->Arg(def->args[i]);
    if (def->real_time)
        b->UseRealTime();
    if (def->min_time_s > 0)
        b->MinTime(def->min_time_s);
    return 0;
}

extern "C" int cbm_main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    // Initialize() removed every option it knows; anything left is a typo
    // that would otherwise be ignored silently.
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            std::fprintf(stderr, "%s: unrecognised argument '%s' (try --help)\n", argv[0], argv[i]);
        benchmark::Shutdown();
        return 2;
    }
    size_t matched = benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return matched ? 0 : 1;
}

extern "C" int cbm_keep_running(cbm_state *st)
{
    return S(st)->KeepRunning();
}

extern "C" int cbm_keep_running_batch(cbm_state *st, int64_t n)
{
    return S(st)->KeepRunningBatch(n);
}

extern "C" void cbm_pause_timing(cbm_state *st)
{
    S(st)->PauseTiming();
}

extern "C" void cbm_resume_timing(cbm_state *st)
{
    S(st)->ResumeTiming();
}

extern "C" int64_t cbm_iterations(const cbm_state *st)
{
    return static_cast<int64_t>(S(st)->iterations());
}

extern "C" int64_t cbm_range(const cbm_state *st, size_t i)
{
    return S(st)->range(i);
}

extern "C" void cbm_set_items_processed(cbm_state *st, int64_t n)
{
    S(st)->SetItemsProcessed(n);
}

extern "C" void cbm_counter(cbm_state *st, const char *name, double value, int flags)
{
    int f = benchmark::Counter::kDefaults;
    if (flags & CBM_COUNTER_RATE)
        f |= benchmark::Counter::kIsRate;
    if (flags & CBM_COUNTER_PER_ITER)
        f |= benchmark::Counter::kAvgIterations;
    S(st)->counters[name] = benchmark::Counter(value, static_cast<benchmark::Counter::Flags>(f));
}

extern "C" void cbm_skip_with_error(cbm_state *st, const char *msg)
{
    S(st)->SkipWithError(msg);
}

extern "C" void cbm_skip_errno(cbm_state *st, const char *what, int err)
{
    std::string msg = std::string(what) + ": " + std::strerror(err);
    S(st)->SkipWithError(msg.c_str());
}
