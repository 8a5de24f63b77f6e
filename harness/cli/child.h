/*
 * child.h: the messages between the harness and a measured C run
 * (`concbench _child`), one typed, versioned struct each way.
 *
 *   harness -> child, stdin:  struct cb_child_spec, then url_len bytes of
 *                             URL; later one byte 'g' ("go"), or EOF
 *   child -> harness, fd 3:   struct cb_child_ready once set up; after the
 *                             work, struct cb_child_result and n slots
 *
 * External programs speak the line protocol of strategies/PROTOCOL.md
 * instead, with the same shape: spec, ready, go, results.
 */
#ifndef CB_CHILD_H
#define CB_CHILD_H

#include "strategy.h"

#include <stdint.h>

#define CB_CHILD_VERSION 2
#define CB_SPEC_MAGIC    0x6362737065633032ULL /* "cbspec02" */
#define CB_READY_MAGIC   0x6362726561647932ULL /* "cbready2" */
#define CB_RESULT_MAGIC  0x6362726573756c32ULL /* "cbresul2" */

struct cb_child_spec {
    uint64_t magic;
    uint32_t version, size; /* CB_CHILD_VERSION, sizeof this struct */
    char strategy[64];
    int32_t kind; /* enum cb_kind */
    uint32_t url_len;
    uint64_t n, max_in_flight, sleep_ns, timeout_ns;
    uint64_t t_fork; /* CLOCK_MONOTONIC when the harness forked */
};

struct cb_child_ready {
    uint64_t magic;
    uint64_t hwm_kb; /* VmHWM once set up: the proc method's baseline */
};

struct cb_child_result {
    uint64_t magic;
    int64_t rc;               /* run()'s return, or -errno before it */
    uint64_t t_run0, t_run1;  /* around run() */
    uint64_t user_ns, sys_ns; /* CPU over t_run0..t_run1, children reaped
                                 during run() included */
    uint64_t hwm_kb;          /* VmHWM after run() */
    uint64_t n;               /* slots that follow */
    struct cb_report rep;
};

/* The child side: `concbench _child`, descriptors as above. Returns the
 * exit code. */
int cb_child_main(void);

#endif
