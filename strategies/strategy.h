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

enum cb_kind {
    CB_SLEEP, /* each task waits sleep_ns */
    CB_HTTP,  /* each task GETs url and verifies the response */
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
    uint64_t sleep_ns;    /* CB_SLEEP: how long each task waits */
    const char *url;      /* CB_HTTP: what each task GETs */
    uint64_t timeout_ns;  /* per task; 0: none */
};

struct cb_task {
    uint64_t started_ns;  /* CLOCK_MONOTONIC when the task began */
    uint64_t finished_ns; /* CLOCK_MONOTONIC when its result was in */
    int32_t error;        /* enum cb_error */
    uint32_t aux;         /* sleep: unused; http: response status */
    uint64_t value;       /* sleep: the task's index; http: body checksum;
                             on error: errno, curl code or HTTP status */
};

/*
 * What a strategy tells the harness besides the slots. Every field is
 * optional; the harness zeroes the struct before run().
 */
struct cb_report {
    size_t started;        /* tasks actually started */
    char limit[160];       /* why spawning stopped, e.g. "pid_max=32768 ..." */
    char policy[120];      /* stack size, stack policy, pool shape... */
    uint64_t child_mem_kb; /* memory of child processes not visible in the
                              parent's rusage (fork: sum of child USS) */
};

struct cb_strategy {
    const char *name;    /* "sequential", "threads", ... */
    const char *summary; /* one line for `concbench list` */
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

/* The registry, fed by strategies/list.h. NULL-terminated. */
extern const struct cb_strategy *const cb_strategies[];

/* The strategy called name, or NULL. */
const struct cb_strategy *cb_strategy_find(const char *name);

/* "timeout", "refused"... for enum cb_error; "?" when out of range. */
const char *cb_error_name(int error);

/* Map an errno seen while starting or running a task to a cb_error. */
enum cb_error cb_error_from_errno(int err);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t cb_now_ns(void);

/* Sleep until the absolute CLOCK_MONOTONIC time deadline_ns, across EINTR. */
void cb_sleep_until(uint64_t deadline_ns);

#endif
