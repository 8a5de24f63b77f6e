/*
 * outcome.h: what a finished run sent back, whatever its language, and
 * how the harness judges it (verify.c) and reads it (ext_proto.c).
 */
#ifndef CB_OUTCOME_H
#define CB_OUTCOME_H

#include "csv.h"
#include "measure.h"

struct cb_outcome {
    int64_t rc;               /* run()'s return (C), 0 for external */
    uint64_t t_run0, t_run1;  /* the span of the work */
    uint64_t user_ns, sys_ns; /* CPU over that span; UINT64_MAX: unknown */
    uint64_t hwm_kb;          /* VmHWM of the measured process at the end */
    size_t n;                 /* slots */
    struct cb_task *tasks;    /* n slots (owned by whoever filled them) */
    size_t started;           /* tasks started, as the run counted them */
    char limit[CB_STR_MAX];   /* the limit that stopped spawning, or "" */
    char policy[CB_STR_MAX];
    char skip[CB_STR_MAX];   /* external: why it cannot run this spec */
    size_t detail_k;         /* the task whose error detail is kept */
    char detail[CB_STR_MAX]; /* external: that task's error in words */
};

/*
 * Parse the result lines of an external program (PROTOCOL.md) in buf
 * into o (o->tasks allocated for n slots; free() it). Returns 0 when an
 * `end` line was read, -EPROTO with the reason in why when a line is
 * malformed, -ENODATA when the stream stopped before `end`.
 */
int cb_ext_parse(char *buf, size_t len, size_t n, enum cb_kind kind, struct cb_outcome *o,
                 char *why, size_t wlen);

/* The spec line of PROTOCOL.md for w, newline included, malloc()ed (the
 * URL has no length limit), or NULL. */
char *cb_ext_spec_line(const struct cb_workload *w);

/* Judge every slot of o against spec and fill row's outcome columns
 * (status, counts, error kinds, latency, checked, note). */
void cb_verify(const struct cb_spec *spec, const struct cb_outcome *o, struct cb_row *row);

#endif
