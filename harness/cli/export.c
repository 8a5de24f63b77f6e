/* export.c: the human summary, JSON and Markdown exports, whole files. */
#include "export.h"
#include "machine.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- the human summary ---------------------------------------------------- */

struct spread {
    double mean, sd, min, max;
    size_t n;
};

/* Mean, sample standard deviation, min, max of the numbers among v. */
static struct spread spread_of(const double *v, size_t n)
{
    struct spread s = {.min = INFINITY, .max = -INFINITY};
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i]))
            continue;
        s.n++;
        sum += v[i];
        s.min = v[i] < s.min ? v[i] : s.min;
        s.max = v[i] > s.max ? v[i] : s.max;
    }
    if (!s.n)
        return (struct spread){NAN, NAN, NAN, NAN, 0};
    s.mean = sum / (double)s.n;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            sq += (v[i] - s.mean) * (v[i] - s.mean);
    s.sd = s.n > 1 ? sqrt(sq / (double)(s.n - 1)) : 0;
    return s;
}

/* The spread of one column over rows [first, first + count) whose status is
 * ok (all of them when none is). pick: the column, or NULL for user + sys. */
static struct spread column_spread(const struct cb_rows *rs, size_t first, size_t count,
                                   const char *col)
{
    double *v = malloc((count ? count : 1) * sizeof *v);
    size_t m = 0, ok = 0;
    int c = col ? cb_col_index(col) : -1;
    if (!v)
        return (struct spread){NAN, NAN, NAN, NAN, 0};
    for (size_t i = first; i < first + count; i++)
        ok += !strcmp(rs->v[i].status, "ok");
    for (size_t i = first; i < first + count; i++) {
        const struct cb_row *r = &rs->v[i];
        if (ok && strcmp(r->status, "ok"))
            continue;
        v[m++] = c < 0 ? r->user_s + r->sys_s : cb_row_num(r, &cb_cols[c]);
    }
    struct spread s = spread_of(v, m);
    free(v);
    return s;
}

/* "1.004 s", "12.3 ms", "85 µs" for seconds. */
static const char *secs(double s, char *buf, size_t len)
{
    if (isnan(s))
        snprintf(buf, len, "-");
    else if (s >= 1)
        snprintf(buf, len, "%.3f s", s);
    else if (s >= 1e-3)
        snprintf(buf, len, "%.1f ms", s * 1e3);
    else
        snprintf(buf, len, "%.0f us", s * 1e6);
    return buf;
}

/* kB (1024 bytes, as the kernel counts) in MiB or KiB. */
static const char *kib(double kb, char *buf, size_t len)
{
    if (isnan(kb))
        snprintf(buf, len, "-");
    else if (kb >= 1024)
        snprintf(buf, len, "%.1f MiB", kb / 1024);
    else
        snprintf(buf, len, "%.0f KiB", kb);
    return buf;
}

static const char *bytes(double b, char *buf, size_t len)
{
    if (isnan(b))
        snprintf(buf, len, "-");
    else if (fabs(b) >= 1048576)
        snprintf(buf, len, "%.1f MiB", b / 1048576);
    else if (fabs(b) >= 1024)
        snprintf(buf, len, "%.1f KiB", b / 1024);
    else
        snprintf(buf, len, "%.0f B", b);
    return buf;
}

void cb_print_config(FILE *f, const struct cb_rows *rs, size_t first, size_t count)
{
    const struct cb_row *k = &rs->v[first];
    size_t ok = 0;
    const struct cb_row *bad = NULL;
    for (size_t i = first; i < first + count; i++) {
        if (!strcmp(rs->v[i].status, "ok"))
            ok++;
        else if (!bad)
            bad = &rs->v[i];
    }
    fprintf(f, "%s, %s, n=%llu", k->strategy, k->workload, (unsigned long long)k->n);
    if (k->max_in_flight && k->max_in_flight != CB_NA)
        fprintf(f, ", at most %llu in flight", (unsigned long long)k->max_in_flight);
    if (k->server[0])
        fprintf(f, ", server %s", k->server);
    fprintf(f, " (%zu of %zu repetitions ok)\n", ok, count);
    struct spread w = column_spread(rs, first, count, "wall_s");
    char a[32], b[32], c[32], d[32];
    if (w.n) {
        fprintf(f, "  Wall time (mean ± σ):  %s ± %s   [min %s, max %s]\n", secs(w.mean, a, 32),
                secs(w.sd, b, 32), secs(w.min, c, 32), secs(w.max, d, 32));
        struct spread cpu = column_spread(rs, first, count, NULL);
        fprintf(f, "  CPU (user + sys):      %s ± %s\n", secs(cpu.mean, a, 32),
                secs(cpu.sd, b, 32));
        struct spread mem = column_spread(rs, first, count, "mem_kb");
        struct spread mpt = column_spread(rs, first, count, "mem_per_task_b");
        if (mem.n)
            fprintf(f, "  Memory (whole run):    %s ± %s   (%s a task)\n", kib(mem.mean, a, 32),
                    kib(mem.sd, b, 32), bytes(mpt.mean, c, 32));
        struct spread p50 = column_spread(rs, first, count, "lat_p50_s");
        struct spread p99 = column_spread(rs, first, count, "lat_p99_s");
        struct spread mx = column_spread(rs, first, count, "lat_max_s");
        if (p50.n)
            fprintf(f, "  Latency a task:        p50 %s, p99 %s, max %s\n", secs(p50.mean, a, 32),
                    secs(p99.mean, b, 32), secs(mx.mean, c, 32));
    }
    if (bad)
        fprintf(f, "  Status: %s%s%s\n", bad->status, bad->note[0] ? ": " : "", bad->note);
    else if (k->note[0])
        fprintf(f, "  Note: %s\n", k->note);
    fputc('\n', f);
}

/* Same workload, N, cap, duration and server: strategies are comparable. */
static int comparable(const struct cb_row *a, const struct cb_row *b)
{
    return !strcmp(a->workload, b->workload) && a->n == b->n &&
           a->max_in_flight == b->max_in_flight && !strcmp(a->server, b->server) &&
           !strcmp(a->target, b->target) &&
           (a->duration_s == b->duration_s || (isnan(a->duration_s) && isnan(b->duration_s)));
}

struct entry {
    const char *strategy;
    struct spread wall;
};

/* The configurations of rs whose every repetition was ok, comparable with
 * row `key`, one entry per strategy. Returns how many (<= max). */
static size_t ok_configs(const struct cb_rows *rs, const struct cb_row *key, struct entry *e,
                         size_t max)
{
    size_t m = 0;
    for (size_t i = 0; i < rs->n && m < max;) {
        size_t j = i + 1;
        while (j < rs->n && !strcmp(rs->v[j].strategy, rs->v[i].strategy) &&
               comparable(&rs->v[j], &rs->v[i]))
            j++;
        int all_ok = 1;
        for (size_t k = i; k < j; k++)
            all_ok &= !strcmp(rs->v[k].status, "ok");
        if (all_ok && comparable(&rs->v[i], key))
            e[m++] = (struct entry){rs->v[i].strategy, column_spread(rs, i, j - i, "wall_s")};
        i = j;
    }
    return m;
}

void cb_print_comparisons(FILE *f, const struct cb_rows *rs)
{
    struct entry *e = malloc((rs->n ? rs->n : 1) * sizeof *e);
    char *done = calloc(rs->n ? rs->n : 1, 1);
    for (size_t i = 0; e && done && i < rs->n; i++) {
        if (done[i])
            continue;
        for (size_t j = i; j < rs->n; j++)
            if (comparable(&rs->v[j], &rs->v[i]))
                done[j] = 1;
        size_t m = ok_configs(rs, &rs->v[i], e, rs->n);
        if (m < 2)
            continue;
        size_t best = 0;
        for (size_t k = 1; k < m; k++)
            if (e[k].wall.mean < e[best].wall.mean)
                best = k;
        fprintf(f, "%s, n=%llu: %s ran\n", rs->v[i].workload, (unsigned long long)rs->v[i].n,
                e[best].strategy);
        const struct spread *x = &e[best].wall;
        for (size_t k = 0; k < m; k++) {
            if (k == best)
                continue;
            const struct spread *y = &e[k].wall;
            double ratio = y->mean / x->mean;
            double sd = ratio * sqrt(pow(x->sd / x->mean, 2) + pow(y->sd / y->mean, 2));
            fprintf(f, "  %6.2f ± %.2f times faster than %s\n", ratio, sd, e[k].strategy);
        }
        fputc('\n', f);
    }
    free(e);
    free(done);
}

/* --- whole files ---------------------------------------------------------- */

int cb_outfile_open(struct cb_outfile *o, const char *path)
{
    struct stat st;
    *o = (struct cb_outfile){0};
    o->path = strdup(path);
    if (!o->path)
        return -ENOMEM;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        o->f = fopen(path, "we");
        if (!o->f) {
            int err = errno;
            free(o->path);
            return -err;
        }
        return 0;
    }
    size_t len = strlen(path) + 32;
    o->tmp = malloc(len);
    if (!o->tmp) {
        free(o->path);
        return -ENOMEM;
    }
    snprintf(o->tmp, len, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
        int err = errno;
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->tmp);
        free(o->path);
        return -err;
    }
    return 0;
}

int cb_outfile_commit(struct cb_outfile *o)
{
    int rc = 0;
    if (fflush(o->f) || ferror(o->f))
        rc = -(errno ? errno : EIO);
    if (fclose(o->f) && !rc)
        rc = -(errno ? errno : EIO);
    if (o->tmp) {
        if (!rc && rename(o->tmp, o->path))
            rc = -errno;
        if (rc)
            unlink(o->tmp);
    }
    free(o->tmp);
    free(o->path);
    *o = (struct cb_outfile){0};
    return rc;
}

void cb_outfile_abort(struct cb_outfile *o)
{
    if (!o->f)
        return;
    fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    *o = (struct cb_outfile){0};
}

/* --- JSON and Markdown -------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
    putc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            putc(*p, f);
    }
    putc('"', f);
}

/* The machine record's "key: value" lines as a JSON object. */
static void json_machine(FILE *f)
{
    char *buf = NULL, *save = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m || cb_machine_write(m)) {
        if (m)
            fclose(m);
        free(buf);
        fputs("{}", f);
        return;
    }
    fclose(m);
    const char *sep = "";
    putc('{', f);
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *colon = strstr(line, ": ");
        if (!colon)
            continue;
        *colon = '\0';
        fputs(sep, f);
        json_str(f, line);
        putc(':', f);
        json_str(f, colon + 2);
        sep = ",";
    }
    putc('}', f);
    free(buf);
}

static void json_value(FILE *f, const struct cb_row *r, const struct cb_col *c)
{
    if (c->type == 's') {
        json_str(f, cb_row_str(r, c));
        return;
    }
    double v = cb_row_num(r, c);
    if (isnan(v) || isinf(v))
        fputs("null", f);
    else if (c->type == 'u')
        fprintf(f, "%.0f", v);
    else
        fprintf(f, "%.9g", v);
}

int cb_export_json(FILE *f, const struct cb_rows *rs, const char *command)
{
    fputs("{\n  \"schema\": \"concbench-results/1\",\n  \"command\": ", f);
    json_str(f, command);
    fputs(",\n  \"machine\": ", f);
    json_machine(f);
    fputs(",\n  \"columns\": [", f);
    for (size_t c = 0; c < cb_ncols; c++) {
        fputs(c ? ", " : "", f);
        json_str(f, cb_cols[c].name);
    }
    fputs("],\n  \"rows\": [", f);
    for (size_t i = 0; i < rs->n; i++) {
        fputs(i ? ",\n    {" : "\n    {", f);
        for (size_t c = 0; c < cb_ncols; c++) {
            fputs(c ? ", " : "", f);
            json_str(f, cb_cols[c].name);
            fputs(": ", f);
            json_value(f, &rs->v[i], &cb_cols[c]);
        }
        putc('}', f);
    }
    fputs(rs->n ? "\n  ]\n}\n" : "]\n}\n", f);
    return ferror(f) ? -EIO : 0;
}

/* A Markdown cell: | escaped, newlines as spaces. */
static void md_cell(FILE *f, const char *s)
{
    fputs(" ", f);
    for (; *s; s++)
        if (*s == '|')
            fputs("\\|", f);
        else
            putc(*s == '\n' ? ' ' : *s, f);
    fputs(" |", f);
}

int cb_export_markdown(FILE *f, const struct cb_rows *rs, const char *command)
{
    static const char *const cols[] = {
        "strategy",  "workload",  "n",      "max_in_flight", "server",
        "rep",       "status",    "wall_s", "mem_kb",        "mem_per_task_b",
        "lat_p50_s", "lat_p99_s", "errors", "note"};
    enum { NC = sizeof cols / sizeof cols[0] };
    fprintf(f, "`%s`\n\n|", command);
    for (size_t c = 0; c < NC; c++)
        fprintf(f, " %s |", cols[c]);
    fputs("\n|", f);
    for (size_t c = 0; c < NC; c++)
        fputs(cb_cols[cb_col_index(cols[c])].type == 's' ? " --- |" : " ---: |", f);
    fputc('\n', f);
    for (size_t i = 0; i < rs->n; i++) {
        fputc('|', f);
        for (size_t c = 0; c < NC; c++) {
            const struct cb_col *col = &cb_cols[cb_col_index(cols[c])];
            char buf[64];
            double v = cb_row_num(&rs->v[i], col);
            if (col->type == 's')
                md_cell(f, cb_row_str(&rs->v[i], col));
            else if (isnan(v))
                md_cell(f, "");
            else {
                snprintf(buf, sizeof buf, col->type == 'u' ? "%.0f" : "%.6f", v);
                md_cell(f, buf);
            }
        }
        fputc('\n', f);
    }
    return ferror(f) ? -EIO : 0;
}
