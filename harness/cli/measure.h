/*
 * measure.h: one measurement, in a fresh process.
 *
 * The harness starts the run as a new process (itself as `concbench
 * _child` for a C strategy, the program for an external one) in a fresh
 * memory cgroup and its own process group (proc.h). The run sets up, says
 * ready; the harness takes the memory baseline and says go; the run times
 * its work and sends every slot back. The harness verifies every slot,
 * computes the statistics, and takes memory from the cgroup and the whole
 * process's CPU, context switches and faults from wait4.
 */
#ifndef CB_MEASURE_H
#define CB_MEASURE_H

#include "csv.h"
#include "workload.h"

struct cb_spec {
    const struct cb_strategy *strategy;
    struct cb_workload w;
    uint64_t run_timeout_ns;  /* kill the run after this (0: none) */
    uint64_t expect_checksum; /* http: every body's FNV-1a 64, 0: unknown */
    const char *expect_label; /* what expect_checksum stands for in the
                                 row's `checked` ("checksum", "sha256"...) */
    const char *server;       /* for the row: "event", "blocking:2"... */
    const char *target;       /* for the row: "test-server" or the URL */
    double duration_s;        /* for the row: D or L */
    const char *exe;          /* the concbench program (NULL: this one) */
    int no_cgroup;            /* measure with /proc instead (mem_method proc) */
    /* Called about every 250 ms while the run is in progress. */
    void (*tick)(void *arg, uint64_t elapsed_ns, uint64_t mem_now_kb);
    void *tick_arg;
    /* Called for every task after the run (verdict: "ok" or the kind;
     * t0_ns: the start of the work, which the row's times count from). */
    void (*each_task)(void *arg, size_t k, const struct cb_task *t, const char *verdict,
                      uint64_t t0_ns);
    void *each_arg;
};

/*
 * Run spec once in a fresh process and fill row (every column but rep).
 * Returns 0 when a row was produced (whatever its status: a strategy that
 * does not implement the workload or cannot run here gives a `skipped`
 * row; a signal from cb_interrupt_install() an `interrupted` one), or a
 * negative errno when the measurement itself could not start (pipe, fork).
 */
int cb_measure(const struct cb_spec *spec, struct cb_row *row);

/* Expected wall time of a run, for budgets and timeouts: D (or L) for a
 * concurrent strategy, ceil(N/W) x D for a pool of W, N x D for one that
 * runs one task at a time; server_workers > 0 caps the concurrency the
 * server allows. */
uint64_t cb_expected_ns(const struct cb_strategy *s, const struct cb_workload *w,
                        uint64_t per_task_ns, uint64_t server_workers);

#endif
