/*
 * strategy.h: the one interface every concurrency strategy implements.
 *
 * A strategy receives a workload and an array of N task slots, runs all N
 * tasks its own way, and fills every slot. Results come back in task order,
 * like asyncio.gather: slot k always describes task k, whatever order the
 * tasks finished in.
 */
#ifndef CB_STRATEGY_H
#define CB_STRATEGY_H

#include <stddef.h>
#include <stdint.h>

/* The workloads (workloads.h; their interface is workload.h). */
enum cb_kind {
#define CB_WORKLOAD(ID, name) ID,
#include "workloads.h"
    CB_KIND_COUNT
};

/* What went wrong with one task. CB_OK must stay 0: a slot nobody filled
 * reads as CB_OK with no finish time, which the harness counts as
 * "not_run". Keep cb_error_name() in step (strategy.c). */
enum cb_error {
    CB_OK = 0,
    CB_ERR_SPAWN,   /* could not start the task: errno in value */
    CB_ERR_NOMEM,   /* allocation failed */
    CB_ERR_EMFILE,  /* out of file descriptors */
    CB_ERR_TIMEOUT, /* task exceeded timeout_ns */
    CB_ERR_REFUSED, /* connection refused */
    CB_ERR_RESET,   /* connection reset or closed early */
    CB_ERR_RESOLVE, /* host name did not resolve */
    CB_ERR_ADDR,    /* EADDRNOTAVAIL: out of local ports */
    CB_ERR_HTTP,    /* status other than 200: status in value */
    CB_ERR_BODY,    /* short body or checksum mismatch */
    CB_ERR_OTHER,   /* anything else: errno or curl code in value */
    CB_ERR_COUNT
};

struct cb_workload {
    enum cb_kind kind;
    size_t n;             /* number of tasks */
    size_t max_in_flight; /* 0: all at once; W: at most W tasks in flight */
    uint64_t sleep_ns;    /* sleep: how long each task waits */
    const char *url;      /* http: what each task GETs */
    uint64_t timeout_ns;  /* per task; 0: none */
};

struct cb_task {
    uint64_t started_ns;  /* CLOCK_MONOTONIC when the task began */
    uint64_t finished_ns; /* CLOCK_MONOTONIC when its result was in */
    int32_t error;        /* enum cb_error */
    uint32_t aux;         /* sleep: unused; http: response status in the low
                             16 bits (CB_AUX_STATUS), CB_AUX_XCHECKSUM when
                             the server sent an X-Checksum that was compared */
    uint64_t value;       /* sleep: the task's index; http: body checksum;
                             on error: errno, curl code or HTTP status */
};

#define CB_AUX_STATUS(aux) ((aux)&0xffffu)
#define CB_AUX_XCHECKSUM   (1u << 16)

/*
 * What a strategy tells the harness besides the slots. Every field is
 * optional; the harness zeroes the struct before run().
 */
struct cb_report {
    size_t started;   /* tasks actually started */
    char limit[160];  /* why spawning stopped, e.g. "pid_max=32768 ..." */
    char policy[120]; /* stack size, stack policy, pool shape... */
};

/* Properties of a strategy that the harness acts on (budgets, expected
 * time): fields, never name compares. */
enum cb_strategy_flags {
    CB_ONE_AT_A_TIME = 1 << 0, /* runs one task after another: N x D */
};

/* A workload a strategy implements, as a bit: 1u << enum cb_kind. */
#define CB_WORKLOAD_BIT(kind) (1u << (kind))
#define CB_ALL_WORKLOADS      ((1u << CB_KIND_COUNT) - 1)
#define CB_WORKLOAD_UNKNOWN   (1u << 31) /* external.h named a workload that is not one */

/* A strategy that is a program in another language (strategies/external.h,
 * strategies/PROTOCOL.md). */
struct cb_external {
    const char *package; /* Debian package(s) it needs */
    const char *version; /* a shell command printing the runtime's version */
    const char *command; /* argv split at spaces; @path: under the root */
};

struct cb_strategy {
    const char *name;     /* "sequential", "threads", ... */
    const char *summary;  /* one line for `concbench list` */
    const char *language; /* "c" (NULL reads as "c"), "python", "go", ... */
    unsigned workloads;   /* CB_WORKLOAD_BIT()s; 0 reads as every workload */
    unsigned flags;       /* enum cb_strategy_flags */
    /* An external program: the harness runs it through the protocol, and
     * run is NULL. */
    const struct cb_external *external;
    /*
     * Run all w->n tasks, filling tasks[0..n-1]. Returns 0 when every slot
     * was filled (a slot may still hold an error), or a negative errno when
     * the strategy could not run at all (then the slots say how far it got).
     * Never exits, never leaves a child process or thread behind.
     */
    int (*run)(const struct cb_workload *w, struct cb_task *tasks, struct cb_report *rep);
};

/* How many tasks a strategy runs at once: W, or n when W is 0 or >= n. */
static inline size_t cb_slots(const struct cb_workload *w)
{
    return w->max_in_flight && w->max_in_flight < w->n ? w->max_in_flight : w->n;
}

/* 1 when every task of w runs at once (no pool): then a task's thread,
 * process or connection can never serve another task. */
static inline int cb_all_at_once(const struct cb_workload *w)
{
    return cb_slots(w) == w->n;
}

/* The registry: strategies/list.h (C), then strategies/external.h.
 * NULL-terminated; read-only once main() runs. */
extern const struct cb_strategy *cb_strategies[];

/* The strategy called name, or NULL. */
const struct cb_strategy *cb_strategy_find(const char *name);

/* "c" for a C strategy, else the external program's language. */
const char *cb_strategy_language(const struct cb_strategy *s);

/* 1 when s implements workload kind. */
int cb_strategy_does(const struct cb_strategy *s, enum cb_kind kind);

/* 1 when s can run on this machine; else 0 with the reason in why
 * ("needs Debian package golang-go: scripts/install-deps.sh peers"). */
int cb_strategy_available(const struct cb_strategy *s, char *why, size_t len);

/* The runtime's version on one line into buf ("CPython 3.11.2", "gcc
 * 12.2.0"); 0, or -ENOENT when it cannot be told. Runs the version
 * command of an external strategy (a shell). Not thread-safe. */
int cb_strategy_version(const struct cb_strategy *s, char *buf, size_t len);

/* The strategy's colour in charts, "#rrggbb", from one palette by
 * registry position. */
const char *cb_strategy_color(const struct cb_strategy *s);

/* concbench's root: CONCBENCH_ROOT, or the source tree it was built from. */
const char *cb_root(void);

/* The external strategy's argv, with @paths resolved under cb_root():
 * a NULL-terminated array in one allocation (free() it), or NULL with
 * errno set. */
char **cb_external_argv(const struct cb_external *e);

/* The enum cb_error whose cb_error_name() is name, or -1. */
int cb_error_parse(const char *name);

/* "timeout", "refused"... for enum cb_error; "?" when out of range. */
const char *cb_error_name(int error);

/* Map an errno seen while starting or running a task to a cb_error. */
enum cb_error cb_error_from_errno(int err);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t cb_now_ns(void);

/* Sleep until the absolute CLOCK_MONOTONIC time deadline_ns, across EINTR. */
void cb_sleep_until(uint64_t deadline_ns);

#endif
