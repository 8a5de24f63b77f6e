/* strategy.c: the registry and the small helpers every strategy shares. */
#include "strategy.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define CB_STRATEGY(name) extern const struct cb_strategy cb_strategy_##name;
#include "list.h"

const struct cb_strategy *const cb_strategies[] = {
#define CB_STRATEGY(name) &cb_strategy_##name,
#include "list.h"
    NULL,
};

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
