/* stats.c: percentiles and the summary of repetitions. */
#include "stats.h"
#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

uint64_t cb_percentile_u64(uint64_t *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, cmp_u64);
    /* Nearest rank, ceil(p * n / 100), in integers (p in hundredths): a
     * float product can land just above a whole rank and add one. */
    uint64_t p100 = (uint64_t)llround(p * 100.0);
    size_t rank = (size_t)((p100 * n + 9999) / 10000);
    return v[rank ? rank - 1 : 0];
}

void cb_med_min_max(double *v, size_t n, double *med, double *min, double *max)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            v[m++] = v[i];
    if (!m) {
        *med = *min = *max = NAN;
        return;
    }
    qsort(v, m, sizeof *v, cmp_double);
    *min = v[0];
    *max = v[m - 1];
    *med = m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
}

/* One configuration: the key columns and its repetitions' rows. */
struct config {
    struct cb_row first;
    struct cb_row *reps;
    size_t n, cap;
};

static int same_config(const struct cb_row *a, const struct cb_row *b)
{
    return !strcmp(a->strategy, b->strategy) && !strcmp(a->workload, b->workload) && a->n == b->n &&
           a->max_in_flight == b->max_in_flight &&
           (a->duration_s == b->duration_s || (isnan(a->duration_s) && isnan(b->duration_s))) &&
           !strcmp(a->target, b->target) && !strcmp(a->server, b->server);
}

static double u2d(uint64_t v)
{
    return v == CB_NA ? NAN : (double)v;
}

typedef double (*pick_fn)(const struct cb_row *r);
#define PICK(name, expr)                                                                           \
    static double name(const struct cb_row *r)                                                     \
    {                                                                                              \
        return (expr);                                                                             \
    }
PICK(pick_wall, r->wall_s)
PICK(pick_cpu, r->user_s + r->sys_s)
PICK(pick_user, r->user_s)
PICK(pick_sys, r->sys_s)
PICK(pick_mem, u2d(r->mem_kb))
PICK(pick_mpt, r->mem_per_task_b)
PICK(pick_kernel, u2d(r->mem_kernel_kb))
PICK(pick_p50, r->fin_p50_s)
PICK(pick_p99, r->fin_p99_s)
PICK(pick_max, r->fin_max_s)
PICK(pick_last, r->last_start_s)
PICK(pick_err, u2d(r->errors))

/* Over the repetitions that were ok, when any was: a repetition that
 * stopped early must not make the configuration look fast or small. */
static double median_of(const struct config *c, pick_fn f, double *min, double *max)
{
    double v[c->n ? c->n : 1], med, lo, hi;
    size_t m = 0, ok = 0;
    for (size_t i = 0; i < c->n; i++)
        ok += !strcmp(c->reps[i].status, "ok");
    for (size_t i = 0; i < c->n; i++)
        if (!ok || !strcmp(c->reps[i].status, "ok"))
            v[m++] = f(&c->reps[i]);
    cb_med_min_max(v, m, &med, &lo, &hi);
    if (min)
        *min = lo, *max = hi;
    return med;
}

static void put_num(FILE *f, double v, const char *fmt)
{
    putc(',', f);
    if (!isnan(v))
        fprintf(f, fmt, v);
}

static void write_summary_row(FILE *out, const struct config *c)
{
    const struct cb_row *k = &c->first, *bad = NULL;
    size_t ok = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (!strcmp(c->reps[i].status, "ok"))
            ok++;
        else if (!bad)
            bad = &c->reps[i];
    }
    double wmin, wmax, wall = median_of(c, pick_wall, &wmin, &wmax);
    int noisy = c->n > 1 && wmin > 0 && wmax / wmin > CB_NOISE_RATIO;
    const struct cb_row *shown = bad ? bad : k;
    cb_csv_put_str(out, k->strategy);
    putc(',', out);
    cb_csv_put_str(out, k->workload);
    fprintf(out, ",%llu,%llu", (unsigned long long)k->n, (unsigned long long)k->max_in_flight);
    put_num(out, k->duration_s, "%.6f");
    putc(',', out);
    cb_csv_put_str(out, k->target);
    putc(',', out);
    cb_csv_put_str(out, k->server);
    fprintf(out, ",%zu,%zu,%s", c->n, ok, bad ? bad->status : "ok");
    put_num(out, wall, "%.6f");
    put_num(out, wmin, "%.6f");
    put_num(out, wmax, "%.6f");
    fprintf(out, ",%d", noisy);
    static const struct {
        pick_fn f;
        const char *fmt; /* kB and counts are whole numbers */
    } rest[] = {{pick_cpu, "%.6f"}, {pick_user, "%.6f"},   {pick_sys, "%.6f"}, {pick_mem, "%.0f"},
                {pick_mpt, "%.1f"}, {pick_kernel, "%.0f"}, {pick_p50, "%.6f"}, {pick_p99, "%.6f"},
                {pick_max, "%.6f"}, {pick_last, "%.6f"},   {pick_err, "%.0f"}};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        put_num(out, median_of(c, rest[i].f, NULL, NULL), rest[i].fmt);
    putc(',', out);
    cb_csv_put_str(out, shown->error_kinds);
    putc(',', out);
    cb_csv_put_str(out, shown->policy);
    putc(',', out);
    cb_csv_put_str(out, shown->note);
    putc('\n', out);
}

static const char summary_header[] =
    "strategy,workload,n,max_in_flight,duration_s,target,server,reps,ok_reps,status,"
    "wall_med_s,wall_min_s,wall_max_s,noisy,cpu_med_s,user_med_s,sys_med_s,mem_med_kb,"
    "mem_per_task_med_b,kernel_med_kb,p50_med_s,p99_med_s,max_med_s,last_start_med_s,"
    "errors_med,error_kinds,policy,note\n";

int cb_summarize(FILE *in, FILE *out, const char *name)
{
    char line[8192];
    struct config *cs = NULL;
    size_t ncs = 0, lineno = 0;
    int rc = 0;
    while (fgets(line, sizeof line, in)) {
        lineno++;
        if (cb_csv_check_header(line) == 0)
            continue; /* the header, or a repeated one from appended runs */
        if (line[0] == '\n')
            continue;
        struct cb_row r;
        if (cb_csv_parse_row(line, &r)) {
            fprintf(stderr, "summarize: %s:%zu: not a concbench runs row\n", name, lineno);
            rc = -EINVAL;
            goto out;
        }
        size_t i = 0;
        while (i < ncs && !same_config(&cs[i].first, &r))
            i++;
        if (i == ncs) {
            struct config *p = realloc(cs, (ncs + 1) * sizeof *cs);
            if (!p) {
                rc = -ENOMEM;
                goto out;
            }
            cs = p;
            cs[ncs++] = (struct config){.first = r};
        }
        struct config *c = &cs[i];
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 4;
            struct cb_row *p = realloc(c->reps, cap * sizeof *p);
            if (!p) {
                rc = -ENOMEM;
                goto out;
            }
            c->reps = p;
            c->cap = cap;
        }
        c->reps[c->n++] = r;
    }
    fputs(summary_header, out);
    for (size_t i = 0; i < ncs; i++)
        write_summary_row(out, &cs[i]);
    if (fflush(out) || ferror(out))
        rc = -EIO;
out:
    for (size_t i = 0; i < ncs; i++)
        free(cs[i].reps);
    free(cs);
    return rc;
}
