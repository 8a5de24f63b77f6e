/* verify.c: every slot of a finished run judged, and the row's outcome
 * columns filled. See outcome.h. */
#include "outcome.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* The names of enum cb_verdict (workload.h). */
static const char *const vnames[] = {"not_run", "wrong_value", "short_wait"};
_Static_assert(sizeof vnames / sizeof vnames[0] == CB_V_COUNT - CB_ERR_COUNT, "vnames");

/* snprintf for notes, which may be cut at CB_STR_MAX by design: a note
 * is a summary; the whole text is in the run's own output. */
__attribute__((format(printf, 3, 4))) static void say(char *dst, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, len, fmt, ap);
    va_end(ap);
}

static const char *verdict_name(int v)
{
    return v < CB_ERR_COUNT ? cb_error_name(v) : vnames[v - CB_ERR_COUNT];
}

/* The harness's verdict on slot k: CB_OK or why not. */
static int judge(const struct cb_spec *spec, const struct cb_task *t, size_t k)
{
    if (t->error)
        return t->error > 0 && t->error < CB_ERR_COUNT ? t->error : CB_ERR_OTHER;
    if (!t->finished_ns || !t->started_ns || t->finished_ns < t->started_ns)
        return CB_V_NOT_RUN;
    return cb_wl(&spec->w)->judge(&spec->w, spec->expect_checksum, t, k);
}

/* "first failure: task 17, refused (ECONNREFUSED: Connection refused)":
 * the detail a slot keeps in value, in words. */
static void first_failure(const struct cb_spec *spec, const struct cb_outcome *o, size_t k,
                          int verdict, char *note, size_t len)
{
    const struct cb_task *t = &o->tasks[k];
    const char *what = verdict_name(verdict);
    if (o->detail[0] && o->detail_k == k) {
        say(note, len, "first failure: task %zu, %s", k, o->detail);
        return;
    }
    switch (verdict) {
    case CB_ERR_SPAWN:
    case CB_ERR_NOMEM:
    case CB_ERR_EMFILE:
    case CB_ERR_REFUSED:
    case CB_ERR_ADDR:
        if (t->value && t->value < 4096 && strerrorname_np((int)t->value)) {
            say(note, len, "first failure: task %zu, %s (%s: %s)", k, what,
                strerrorname_np((int)t->value), strerror((int)t->value));
            return;
        }
        break;
    case CB_ERR_HTTP:
        say(note, len, "first failure: task %zu, HTTP status %u", k, CB_AUX_STATUS(t->aux));
        return;
    case CB_ERR_TIMEOUT:
    case CB_ERR_RESET:
    case CB_ERR_RESOLVE:
    case CB_ERR_BODY:
    case CB_ERR_OTHER:
        /* A C strategy's failure may keep the workload's own code (curl's):
         * say it in the workload's words. */
        if (cb_wl(&spec->w)->detail && !spec->strategy->external && t->error != CB_OK) {
            char words[160];
            if (cb_wl(&spec->w)->detail(t, words, sizeof words)) {
                say(note, len, "first failure: task %zu, %s (%s)", k, what, words);
                return;
            }
        }
        break;
    default:
        break;
    }
    say(note, len, "first failure: task %zu, %s", k, what);
}

/* What verification covered, for the row's `checked`. */
static void checked_label(const struct cb_spec *spec, size_t ok, size_t with_x, char *buf,
                          size_t len)
{
    const char *expect = !spec->expect_checksum ? NULL
                         : spec->expect_label   ? spec->expect_label
                                                : "checksum";
    cb_wl(&spec->w)->checked(buf, len, expect, ok && with_x == ok);
}

struct tally {
    size_t counts[CB_V_COUNT], ok, started, first_bad, with_x;
    int first_verdict;
    uint64_t last_start, *lat, *fin;
};

static void tally_slots(const struct cb_spec *spec, const struct cb_outcome *o, struct tally *ty)
{
    for (size_t k = 0; k < o->n; k++) {
        const struct cb_task *t = &o->tasks[k];
        int v = judge(spec, t, k);
        if (t->started_ns) {
            ty->started++;
            if (t->started_ns > ty->last_start)
                ty->last_start = t->started_ns;
        }
        if (spec->each_task)
            spec->each_task(spec->each_arg, k, t, verdict_name(v), o->t_run0);
        if (v != CB_OK) {
            ty->counts[v]++;
            if (ty->first_bad == SIZE_MAX)
                ty->first_bad = k, ty->first_verdict = v;
            continue;
        }
        ty->with_x += (t->aux & CB_AUX_XCHECKSUM) != 0;
        ty->lat[ty->ok] = t->finished_ns - t->started_ns;
        ty->fin[ty->ok++] = t->finished_ns > o->t_run0 ? t->finished_ns - o->t_run0 : 0;
    }
}

static double pct_s(uint64_t *v, size_t n, double p)
{
    return n ? (double)cb_percentile_u64(v, n, p) / 1e9 : NAN;
}

static void put_latency(struct cb_row *row, struct tally *ty)
{
    size_t ok = ty->ok;
    if (!ok)
        return;
    row->lat_p50_s = pct_s(ty->lat, ok, 50);
    row->lat_p90_s = pct_s(ty->lat, ok, 90);
    row->lat_p99_s = pct_s(ty->lat, ok, 99);
    row->lat_p999_s = pct_s(ty->lat, ok, 99.9);
    row->lat_max_s = (double)ty->lat[ok - 1] / 1e9; /* sorted by the percentile */
    row->fin_p50_s = pct_s(ty->fin, ok, 50);
    row->fin_p99_s = pct_s(ty->fin, ok, 99);
    row->fin_max_s = (double)ty->fin[ok - 1] / 1e9;
}

static void put_kinds(struct cb_row *row, const size_t *counts)
{
    size_t off = 0;
    for (int i = 1; i < CB_V_COUNT; i++) {
        if (!counts[i] || off >= sizeof row->error_kinds)
            continue;
        off += (size_t)snprintf(row->error_kinds + off, sizeof row->error_kinds - off, "%s%s=%zu",
                                off ? " " : "", verdict_name(i), counts[i]);
    }
}

static long long nofile_limit(void)
{
    struct rlimit r;
    return getrlimit(RLIMIT_NOFILE, &r) == 0 ? (long long)r.rlim_cur : -1;
}

/* "32768-60999 (28232 ports)" */
static void port_range(char *buf, size_t len)
{
    long lo = 0, hi = 0;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
    if (f && fscanf(f, "%ld %ld", &lo, &hi) == 2)
        snprintf(buf, len, "%ld-%ld (%ld ports)", lo, hi, hi - lo + 1);
    else
        snprintf(buf, len, "unknown");
    if (f)
        fclose(f);
}

/* status and note from what happened: the limit is the story when one
 * bound; a machine limit met by the tasks themselves (EMFILE, ports) too. */
static void put_status(const struct cb_outcome *o, struct cb_row *row)
{
    char first[CB_STR_MAX], ports[64];
    if (o->rc) {
        snprintf(row->status, sizeof row->status, "failed");
        say(row->note, sizeof row->note, "run() returned %s%s%s",
            strerrorname_np((int)-o->rc) ? strerrorname_np((int)-o->rc) : "?",
            o->limit[0] ? "; " : "", o->limit);
    } else if (o->limit[0] && row->errors) {
        snprintf(row->status, sizeof row->status, "limit");
        say(row->note, sizeof row->note, "%s", o->limit);
    } else if (o->limit[0]) {
        /* A pool that came out smaller still ran every task: ok, but say so. */
        snprintf(row->status, sizeof row->status, "ok");
        say(row->note, sizeof row->note, "%s (the pool ran smaller)", o->limit);
    } else if (strstr(row->error_kinds, "emfile=") || strstr(row->error_kinds, "eaddrnotavail=")) {
        say(first, sizeof first, "%s", row->note);
        snprintf(row->status, sizeof row->status, "limit");
        port_range(ports, sizeof ports);
        if (strstr(row->error_kinds, "emfile="))
            say(row->note, sizeof row->note, "EMFILE: binding limit RLIMIT_NOFILE=%lld; %.150s",
                nofile_limit(), first);
        else
            say(row->note, sizeof row->note,
                "EADDRNOTAVAIL: binding limit ip_local_port_range %s; %.120s", ports, first);
    } else {
        snprintf(row->status, sizeof row->status, row->errors ? "errors" : "ok");
    }
}

void cb_verify(const struct cb_spec *spec, const struct cb_outcome *o, struct cb_row *row)
{
    struct tally ty = {.first_bad = SIZE_MAX};
    size_t cap = o->n ? o->n : 1;
    ty.lat = malloc(cap * sizeof *ty.lat);
    ty.fin = malloc(cap * sizeof *ty.fin);
    if (!ty.lat || !ty.fin) {
        /* The harness's own failure is not the tasks': say so, judge none. */
        snprintf(row->status, sizeof row->status, "failed");
        say(row->note, sizeof row->note,
            "the harness could not allocate %zu bytes to verify the slots", 2 * cap * 8);
        free(ty.lat);
        free(ty.fin);
        return;
    }
    tally_slots(spec, o, &ty);
    row->started = o->started > ty.started ? o->started : ty.started;
    row->completed = ty.ok;
    row->errors = o->n - ty.ok;
    row->last_start_s =
        ty.started && ty.last_start > o->t_run0 ? (double)(ty.last_start - o->t_run0) / 1e9 : NAN;
    if (ty.started && ty.last_start <= o->t_run0)
        row->last_start_s = 0;
    put_latency(row, &ty);
    checked_label(spec, ty.ok, ty.with_x, row->checked, sizeof row->checked);
    if (ty.first_bad != SIZE_MAX)
        first_failure(spec, o, ty.first_bad, ty.first_verdict, row->note, sizeof row->note);
    put_kinds(row, ty.counts);
    snprintf(row->policy, sizeof row->policy, "%s", o->policy);
    put_status(o, row);
    free(ty.lat);
    free(ty.fin);
}
