/*
 * measure.h: one measurement, in a fresh process.
 *
 * The harness forks and execs itself (`concbench _child ...`), so every
 * run starts from the same clean address space and its peak memory is its
 * own. The child times run() and sends the slots back through a pipe; the
 * parent verifies every slot, computes the statistics, and takes CPU time,
 * context switches and faults from wait4 (which includes the child's own
 * children, for the fork strategy).
 */
#ifndef CB_MEASURE_H
#define CB_MEASURE_H

#include "csv.h"
#include "strategy.h"

struct cb_spec {
    const struct cb_strategy *strategy;
    struct cb_workload w;
    uint64_t run_timeout_ns;  /* kill the run after this (0: none) */
    uint64_t expect_checksum; /* http: the body's checksum, 0: unknown */
    const char *server;       /* for the row: "event", "blocking:2"... */
    const char *target;       /* for the row: "test-server" or the URL */
    double duration_s;        /* for the row: D or L */
    const char *exe;          /* the concbench program (NULL: this one) */
};

/*
 * Run spec once in a fresh process and fill row (every column but rep).
 * Returns 0 when a row was produced (whatever its status), or a negative
 * errno when the measurement itself could not start (pipe, fork).
 */
int cb_measure(const struct cb_spec *spec, struct cb_row *row);

/* The child side: `concbench _child FD STRATEGY KIND N W SLEEP_NS
 * TIMEOUT_NS FORK_NS URL`. Returns the exit code. */
int cb_measure_child(int argc, char **argv);

/* Expected wall time of a run, for budgets and timeouts: D (or L) for a
 * concurrent strategy, ceil(N/W) x D for a pool of W, N x D sequentially;
 * server_workers > 0 caps the concurrency the server allows. */
uint64_t cb_expected_ns(const char *strategy, const struct cb_workload *w, uint64_t per_task_ns,
                        uint64_t server_workers);

#endif
