/* stats.c: percentiles and the summary of repetitions. */
#include "stats.h"
#include "csv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
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
    struct cb_rows reps; /* its repetitions, in file order */
};

static int same_config(const struct cb_row *a, const struct cb_row *b)
{
    return !strcmp(a->strategy, b->strategy) && !strcmp(a->workload, b->workload) && a->n == b->n &&
           a->max_in_flight == b->max_in_flight &&
           (a->duration_s == b->duration_s || (isnan(a->duration_s) && isnan(b->duration_s))) &&
           !strcmp(a->target, b->target) && !strcmp(a->server, b->server);
}

enum how { KEY, REPS, OK_REPS, STATUS, MED, MIN, MAX, NOISY, CPU, SHOWN };

static const struct scol {
    const char *name, *source, *fmt;
    enum how how;
} scols[] = {
#define CB_SCOL(name, how, source, fmt, meaning) {#name, #source, fmt, how},
#include "summary_columns.h"
};

static int is_ok(const struct cb_row *r)
{
    return !strcmp(r->status, "ok");
}

/* Median, min and max of one runs column over the repetitions that were ok,
 * when any was: a repetition that stopped early must not make the
 * configuration look fast or small. v has room for c->reps.n values (heap). */
static void med_min_max(const struct config *c, const struct cb_col *col, int cpu, double *v,
                        double out[3])
{
    size_t m = 0, ok = 0;
    for (size_t i = 0; i < c->reps.n; i++)
        ok += is_ok(&c->reps.v[i]);
    for (size_t i = 0; i < c->reps.n; i++) {
        const struct cb_row *r = &c->reps.v[i];
        if (ok && !is_ok(r))
            continue;
        v[m++] = cpu ? r->user_s + r->sys_s : cb_row_num(r, col);
    }
    cb_med_min_max(v, m, &out[0], &out[1], &out[2]);
}

static void put_num(FILE *f, double v, const char *fmt)
{
    if (!isnan(v))
        fprintf(f, fmt, v);
}

static void put_key(FILE *out, const struct cb_row *r, const struct cb_col *col)
{
    const char *s = cb_row_str(r, col);
    if (s)
        cb_csv_put_str(out, s);
    else if (col->type == 'u')
        put_num(out, cb_row_num(r, col), "%.0f");
    else
        put_num(out, cb_row_num(r, col), "%.6f");
}

static void write_summary_row(FILE *out, const struct config *c, double *v)
{
    const struct cb_row *bad = NULL;
    size_t ok = 0;
    for (size_t i = 0; i < c->reps.n; i++) {
        if (is_ok(&c->reps.v[i]))
            ok++;
        else if (!bad)
            bad = &c->reps.v[i];
    }
    const struct cb_row *shown = bad ? bad : &c->first;
    double wall[3];
    med_min_max(c, &cb_cols[cb_col_index("wall_s")], 0, v, wall);
    for (size_t k = 0; k < sizeof scols / sizeof scols[0]; k++) {
        const struct scol *s = &scols[k];
        const struct cb_col *col = &cb_cols[cb_col_index(s->source)];
        double m[3];
        if (k)
            putc(',', out);
        switch (s->how) {
        case KEY:
            put_key(out, &c->first, col);
            break;
        case SHOWN:
            put_key(out, shown, col);
            break;
        case REPS:
            fprintf(out, "%zu", c->reps.n);
            break;
        case OK_REPS:
            fprintf(out, "%zu", ok);
            break;
        case STATUS:
            fputs(bad ? bad->status : "ok", out);
            break;
        case NOISY:
            fprintf(out, "%d", c->reps.n > 1 && wall[1] > 0 && wall[2] / wall[1] > CB_NOISE_RATIO);
            break;
        case MED:
        case MIN:
        case MAX:
        case CPU:
            med_min_max(c, col, s->how == CPU, v, m);
            put_num(out, m[s->how == MIN ? 1 : s->how == MAX ? 2 : 0], s->fmt);
            break;
        }
    }
    putc('\n', out);
}

int cb_summary_write_header(FILE *out)
{
    for (size_t k = 0; k < sizeof scols / sizeof scols[0]; k++)
        fprintf(out, "%s%s", k ? "," : "", scols[k].name);
    putc('\n', out);
    return ferror(out) ? -EIO : 0;
}

/* Add r to its configuration (a new one when none matches). 0 or -ENOMEM. */
static int add_row(struct config **cs, size_t *ncs, const struct cb_row *r)
{
    size_t i = 0;
    while (i < *ncs && !same_config(&(*cs)[i].first, r))
        i++;
    if (i == *ncs) {
        /* Capacity doubles at 8, 16, 32...: a config holds a whole row. */
        if (*ncs == 0 || (*ncs >= 8 && (*ncs & (*ncs - 1)) == 0)) {
            struct config *p = realloc(*cs, (*ncs ? *ncs * 2 : 8) * sizeof *p);
            if (!p)
                return -ENOMEM;
            *cs = p;
        }
        (*cs)[(*ncs)++] = (struct config){.first = *r};
    }
    return cb_rows_add(&(*cs)[i].reps, r);
}

/* Read every row of in into configurations. 0, or -EINVAL / -ENOMEM with
 * the line said on stderr. */
/* The header of a runs CSV: line (len bytes) kept in *hdr, its fields'
 * columns in *map (*nf of them). 0, or a negative errno (said). */
static int read_header(char *line, ssize_t len, const char *where, char **hdr, int **map, int *nf)
{
    *hdr = strdup(line);
    *map = calloc((size_t)len + 1, sizeof **map); /* at most len fields */
    if (!*hdr || !*map)
        return -ENOMEM;
    *nf = cb_csv_map_header(line, *map, (int)len + 1);
    if (*nf < 0) {
        fprintf(stderr,
                "summarize: %s: not a runs CSV header (it needs strategy, workload, n, rep and "
                "status)\n",
                where);
        return -EINVAL;
    }
    return 0;
}

/* What was read, or not: 0, or a negative errno (said). */
static int read_end(FILE *in, const char *name, const char *hdr, size_t rows)
{
    if (ferror(in)) {
        fprintf(stderr, "summarize: %s: read error: %s\n", name, strerror(errno));
        return -EIO;
    }
    if (!hdr) {
        fprintf(stderr, "summarize: %s: empty file (no header line)\n", name);
        return -EINVAL;
    }
    if (!rows) {
        fprintf(stderr, "summarize: %s: no rows after the header\n", name);
        return -EINVAL;
    }
    return 0;
}

static int read_runs(FILE *in, const char *name, struct config **cs, size_t *ncs)
{
    char *line = NULL, *hdr = NULL, why[160], where[PATH_MAX + 32];
    size_t cap = 0, lineno = 0, rows = 0;
    ssize_t len;
    int *map = NULL, nf = 0, rc = 0;
    struct cb_row *r = malloc(sizeof *r);
    if (!r)
        return -ENOMEM;
    while (!rc && (len = getline(&line, &cap, in)) > 0) {
        snprintf(where, sizeof where, "%s:%zu", name, ++lineno);
        if (line[len - 1] != '\n') {
            fprintf(stderr, "summarize: %s: the last row is cut short (no newline at its end)\n",
                    where);
            rc = -EINVAL;
        } else if (!hdr) {
            rc = read_header(line, len, where, &hdr, &map, &nf);
        } else if (strcmp(line, hdr) != 0) { /* not a repeated header, from appended runs */
            rc = cb_csv_parse_mapped(line, map, nf, r, why, sizeof why);
            if (rc)
                fprintf(stderr, "summarize: %s: %s\n", where, why);
            else if (!(rc = add_row(cs, ncs, r)))
                rows++;
        }
    }
    if (!rc)
        rc = read_end(in, name, hdr, rows);
    free(line);
    free(hdr);
    free(map);
    free(r);
    return rc;
}

int cb_summarize(FILE *in, FILE *out, const char *name)
{
    struct config *cs = NULL;
    size_t ncs = 0, most = 1;
    double *v = NULL;
    int rc = read_runs(in, name, &cs, &ncs);
    if (rc)
        goto out;
    for (size_t i = 0; i < ncs; i++)
        most = cs[i].reps.n > most ? cs[i].reps.n : most;
    v = malloc(most * sizeof *v);
    if (!v) {
        rc = -ENOMEM;
        goto out;
    }
    cb_summary_write_header(out);
    for (size_t i = 0; i < ncs; i++)
        write_summary_row(out, &cs[i], v);
    if (fflush(out) || ferror(out))
        rc = -EIO;
out:
    for (size_t i = 0; i < ncs; i++)
        cb_rows_free(&cs[i].reps);
    free(cs);
    free(v);
    return rc;
}
