/*
 * bench_shim.h: a small C interface to Google Benchmark (libbenchmark 1.7),
 * so that concbench's micro-benchmarks are written in C.
 *
 * A benchmark is a function that loops while cbm_keep_running() says so and
 * does one operation per iteration:
 *
 *     static void bm_nop(cbm_state *st, void *ctx)
 *     {
 *         while (cbm_keep_running(st))
 *             do_one_thing(ctx);
 *         cbm_set_items_processed(st, cbm_iterations(st));
 *     }
 *     ...
 *     cbm_register(&(struct cbm_def){ .name = "group/nop", .fn = bm_nop });
 *     return cbm_main(argc, argv);
 *
 * Everything here runs on the thread that calls cbm_main(); none of it is
 * thread-safe. A benchmark function may start threads or processes of its
 * own, but only it may call cbm_* on its state.
 */
#ifndef CB_BENCH_SHIM_H
#define CB_BENCH_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque: the benchmark::State of the running benchmark instance. */
typedef struct cbm_state cbm_state;

/* A benchmark body. ctx is the pointer given at registration. */
typedef void (*cbm_fn)(cbm_state *st, void *ctx);

/* What to register. Zero-initialise and set what you need. */
struct cbm_def {
    const char *name; /* "group/what_unit"; copied at registration */
    cbm_fn fn;
    void *ctx;           /* passed to fn; the caller keeps it alive */
    const int64_t *args; /* each value becomes one instance "name/value",
                            read with cbm_range(st, 0); NULL: one instance */
    size_t nargs;
    int real_time;     /* nonzero: time by the wall clock, not this thread's CPU
                          time; use it when the work waits or runs elsewhere */
    double min_time_s; /* minimum measuring time per instance; 0: default
                          (--benchmark_min_time) */
};

/* Flags for cbm_counter(); they may be or-ed. */
enum cbm_counter_flags {
    CBM_COUNTER_PLAIN = 0,    /* reported as given */
    CBM_COUNTER_RATE = 1,     /* divided by the measured time (per second) */
    CBM_COUNTER_PER_ITER = 2, /* divided by the number of iterations */
};

/*
 * Register a benchmark before cbm_main(). Returns 0, or -EINVAL if name or
 * fn is NULL. Not thread-safe.
 */
int cbm_register(const struct cbm_def *def);

/*
 * Parse Google Benchmark's own options (--benchmark_filter=REGEX,
 * --benchmark_repetitions=N, --benchmark_min_time=SECONDS,
 * --benchmark_out=FILE, --benchmark_out_format=json, ... see --help), run
 * the registered benchmarks that match, and shut the library down.
 * argv may be reordered. Returns 0; 2 if an argument was not recognised
 * (it is named on stderr and nothing runs); 1 if no benchmark matched the
 * filter. A benchmark that called cbm_skip_with_error() does not change
 * the return value: its error is in the reports. Call it once per process.
 */
int cbm_main(int argc, char **argv);

/*
 * True while the benchmark should do one more iteration. Call it until it
 * returns false, unless cbm_skip_with_error() was called: then return.
 */
int cbm_keep_running(cbm_state *st);

/*
 * Like cbm_keep_running(), but each true answer counts n iterations: for a
 * loop body that performs n operations (a round trip of two switches, n=2),
 * so the reported time is per operation. May overshoot by up to n.
 */
int cbm_keep_running_batch(cbm_state *st, int64_t n);

/* Stop and restart the clock around per-iteration set-up. Both cost about a
 * microsecond themselves: use them for work much larger than that. */
void cbm_pause_timing(cbm_state *st);
void cbm_resume_timing(cbm_state *st);

/* Iterations done so far (after the loop: all of them). */
int64_t cbm_iterations(const cbm_state *st);

/* The instance's argument (see cbm_def.args): i is 0. Only for benchmarks
 * registered with args; otherwise Google Benchmark's assertion aborts. */
int64_t cbm_range(const cbm_state *st, size_t i);

/* Report n items processed in total: shown as items_per_second. */
void cbm_set_items_processed(cbm_state *st, int64_t n);

/* Set (or replace) the user counter name, reported with the results.
 * flags: enum cbm_counter_flags. name is copied. */
void cbm_counter(cbm_state *st, const char *name, double value, int flags);

/*
 * Mark this instance as failed with msg (copied): it is reported with
 * "error_occurred" and "error_message", and its timings are discarded.
 * The clock stops and cbm_keep_running() answers false from now on; the
 * caller releases what it acquired (joins threads, reaps children) and
 * returns.
 */
void cbm_skip_with_error(cbm_state *st, const char *msg);

/* cbm_skip_with_error with "what: strerror(err)", for a call that failed
 * with errno err. */
void cbm_skip_errno(cbm_state *st, const char *what, int err);

#ifdef __cplusplus
}
#endif

#endif
