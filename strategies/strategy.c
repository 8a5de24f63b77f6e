/* strategy.c: the registry and the small helpers every strategy shares. */
#include "strategy.h"
#include "workload.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

#define CB_STRATEGY(name) extern const struct cb_strategy cb_strategy_##name;
#include "list.h"

/* External programs: one struct each, built from external.h. The
 * workloads string becomes bits here, once. */
#define CB_EXTERNAL(nm, sm, lang, ws, fl, pkg, ver, cmd)                                           \
    {                                                                                              \
        .name = nm,                                                                                \
        .summary = sm,                                                                             \
        .language = lang,                                                                          \
        .workloads = 0,                                                                            \
        .flags = fl,                                                                               \
        .external = &(const struct cb_external){.package = pkg, .version = ver, .command = cmd},   \
    },
static struct cb_strategy externals[] = {
#include "external.h"
};
#define CB_EXTERNAL(nm, sm, lang, ws, fl, pkg, ver, cmd) ws,
static const char *const external_workloads[] = {
#include "external.h"
};
#define N_EXTERNAL (sizeof externals / sizeof externals[0])

const struct cb_strategy *cb_strategies[] = {
#define CB_STRATEGY(name) &cb_strategy_##name,
#include "list.h"
#define CB_EXTERNAL(nm, sm, lang, ws, fl, pkg, ver, cmd) NULL,
#include "external.h"
    NULL,
};

/* "sleep,http" as bits of the workloads named (workloads.h); a name that
 * is none of them sets CB_WORKLOAD_UNKNOWN, which the tests look for. */
static unsigned workload_bits(const char *list)
{
    unsigned bits = 0;
    char name[32];
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        snprintf(name, sizeof name, "%.*s", (int)len, p);
        int k = cb_workload_find(name);
        bits |= k >= 0 ? CB_WORKLOAD_BIT(k) : CB_WORKLOAD_UNKNOWN;
        p += len + (p[len] == ',');
    }
    return bits;
}

/* The external entries of cb_strategies[] point into externals[]; a
 * constructor fills them (and the workload bits) before main, because a
 * static initialiser cannot parse a list. */
__attribute__((constructor)) static void externals_init(void)
{
    size_t c = 0;
    while (cb_strategies[c])
        c++;
    for (size_t i = 0; i < N_EXTERNAL; i++) {
        externals[i].workloads = workload_bits(external_workloads[i]);
        cb_strategies[c + i] = &externals[i];
    }
}

const struct cb_strategy *cb_strategy_find(const char *name)
{
    for (size_t i = 0; cb_strategies[i]; i++)
        if (strcmp(cb_strategies[i]->name, name) == 0)
            return cb_strategies[i];
    return NULL;
}

static const char *const error_names[CB_ERR_COUNT] = {
    [CB_OK] = "ok",
    [CB_ERR_SPAWN] = "spawn",
    [CB_ERR_NOMEM] = "nomem",
    [CB_ERR_EMFILE] = "emfile",
    [CB_ERR_TIMEOUT] = "timeout",
    [CB_ERR_REFUSED] = "refused",
    [CB_ERR_RESET] = "reset",
    [CB_ERR_RESOLVE] = "resolve",
    [CB_ERR_ADDR] = "eaddrnotavail",
    [CB_ERR_HTTP] = "http_status",
    [CB_ERR_BODY] = "bad_body",
    [CB_ERR_OTHER] = "other",
};

const char *cb_strategy_language(const struct cb_strategy *s)
{
    return s->language ? s->language : "c";
}

int cb_strategy_does(const struct cb_strategy *s, enum cb_kind kind)
{
    return !s->workloads || (s->workloads & CB_WORKLOAD_BIT(kind));
}

/* One palette, by registry position: C strategies first, then external
 * ones. Distinct enough side by side on a white chart. */
const char *cb_strategy_color(const struct cb_strategy *s)
{
    static const char *const palette[] = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39",
        "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363",
    };
    size_t i = 0;
    while (cb_strategies[i] && cb_strategies[i] != s)
        i++;
    return palette[i % (sizeof palette / sizeof palette[0])];
}

int cb_error_parse(const char *name)
{
    for (int e = 0; e < CB_ERR_COUNT; e++)
        if (error_names[e] && strcmp(error_names[e], name) == 0)
            return e;
    return -1;
}

const char *cb_error_name(int error)
{
    if (error < 0 || error >= CB_ERR_COUNT || !error_names[error])
        return "?";
    return error_names[error];
}

enum cb_error cb_error_from_errno(int err)
{
    switch (err) {
    case 0:
        return CB_OK;
    case EAGAIN:
        return CB_ERR_SPAWN;
    case ENOMEM:
        return CB_ERR_NOMEM;
    case EMFILE:
    case ENFILE:
        return CB_ERR_EMFILE;
    case ETIMEDOUT:
        return CB_ERR_TIMEOUT;
    case ECONNREFUSED:
        return CB_ERR_REFUSED;
    case ECONNRESET:
    case EPIPE:
        return CB_ERR_RESET;
    case EADDRNOTAVAIL:
        return CB_ERR_ADDR;
    default:
        return CB_ERR_OTHER;
    }
}

uint64_t cb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void cb_sleep_until(uint64_t deadline_ns)
{
    struct timespec ts = {
        .tv_sec = (time_t)(deadline_ns / 1000000000u),
        .tv_nsec = (long)(deadline_ns % 1000000000u),
    };
    /* TIMER_ABSTIME: a signal that interrupts the sleep does not shorten
     * or lengthen it; we simply sleep again to the same deadline. */
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}
