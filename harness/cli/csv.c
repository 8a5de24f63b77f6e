/* csv.c: runs CSV in and out. */
#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cb_row_init(struct cb_row *r)
{
#define CB_COL(name, type, desc) init_##type(r->name);
#define init_s(x)                (x)[0] = '\0'
#define init_u(x)                (x) = CB_NA
#define init_f(x)                (x) = NAN
#include "columns.h"
#undef init_s
#undef init_u
#undef init_f
}

void cb_csv_put_str(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    putc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', f);
        putc(*s, f);
    }
    putc('"', f);
}

static void put_s(FILE *f, const char *v)
{
    cb_csv_put_str(f, v);
}

static void put_u(FILE *f, uint64_t v)
{
    if (v != CB_NA)
        fprintf(f, "%llu", (unsigned long long)v);
}

static void put_f(FILE *f, double v)
{
    if (!isnan(v))
        fprintf(f, "%.6f", v);
}

int cb_csv_write_header(FILE *f)
{
    const char *sep = "";
#define CB_COL(name, type, desc) fprintf(f, "%s%s", sep, #name), sep = ",";
#include "columns.h"
    fputc('\n', f);
    return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

int cb_csv_write_row(FILE *f, const struct cb_row *r)
{
    int first = 1;
#define CB_COL(name, type, desc)                                                                   \
    if (!first)                                                                                    \
        fputc(',', f);                                                                             \
    first = 0;                                                                                     \
    put_##type(f, r->name);
#include "columns.h"
    fputc('\n', f);
    /* Row by row: an interrupted sweep keeps every finished run. */
    return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

int cb_csv_split(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    line[strcspn(line, "\r\n")] = '\0';
    for (;;) {
        if (n == max)
            return -EINVAL;
        if (*p == '"') {
            char *out = ++p;
            fields[n++] = out;
            for (;;) {
                if (!*p)
                    return -EINVAL; /* unterminated quote */
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            *out = '\0';
            if (*p != ',' && *p)
                return -EINVAL;
        } else {
            fields[n++] = p;
            p += strcspn(p, ",");
        }
        if (!*p)
            return n;
        *p++ = '\0';
    }
}

static int get_s(const char *in, char *out)
{
    snprintf(out, CB_STR_MAX, "%s", in);
    return 0;
}

static int get_u(const char *in, uint64_t *out)
{
    char *end;
    if (!*in) {
        *out = CB_NA;
        return 0;
    }
    errno = 0;
    *out = strtoull(in, &end, 10);
    return errno || *end ? -EINVAL : 0;
}

static int get_f(const char *in, double *out)
{
    char *end;
    if (!*in) {
        *out = NAN;
        return 0;
    }
    *out = strtod(in, &end);
    return *end ? -EINVAL : 0;
}

enum {
#define CB_COL(name, type, desc) COL_##name,
#include "columns.h"
    COL_COUNT
};

int cb_csv_parse_row(char *line, struct cb_row *r)
{
    char *f[COL_COUNT + 1];
    if (cb_csv_split(line, f, COL_COUNT + 1) != COL_COUNT)
        return -EINVAL;
    int rc = 0;
/* A string field is an array (passed as is), a number by address. */
#define ADDR_s(x)                (x)
#define ADDR_u(x)                &(x)
#define ADDR_f(x)                &(x)
#define CB_COL(name, type, desc) rc |= get_##type(f[COL_##name], ADDR_##type(r->name));
#include "columns.h"
    return rc ? -EINVAL : 0;
}

int cb_csv_check_header(const char *line)
{
    char want[2048] = "";
#define CB_COL(name, type, desc) strcat(want, COL_##name ? "," #name : #name);
#include "columns.h"
    return strncmp(line, want, strlen(want)) == 0 &&
                   (line[strlen(want)] == '\0' || line[strlen(want)] == '\n' ||
                    line[strlen(want)] == '\r')
               ? 0
               : -EINVAL;
}

#include <stddef.h>

const struct cb_col cb_cols[] = {
#define CB_COL(name, type, desc) {#name, #type[0], offsetof(struct cb_row, name), desc},
#include "columns.h"
};
const size_t cb_ncols = sizeof cb_cols / sizeof cb_cols[0];

int cb_col_index(const char *name)
{
    for (size_t i = 0; i < cb_ncols; i++)
        if (!strcmp(cb_cols[i].name, name))
            return (int)i;
    return -1;
}

double cb_row_num(const struct cb_row *r, const struct cb_col *c)
{
    const char *p = (const char *)r + c->offset;
    if (c->type == 'f')
        return *(const double *)(const void *)p;
    if (c->type == 'u') {
        uint64_t v = *(const uint64_t *)(const void *)p;
        return v == CB_NA ? NAN : (double)v;
    }
    return NAN;
}

const char *cb_row_str(const struct cb_row *r, const struct cb_col *c)
{
    return c->type == 's' ? (const char *)r + c->offset : NULL;
}

int cb_csv_map_header(char *line, int *map, int max)
{
    char **f = calloc((size_t)max, sizeof *f);
    if (!f)
        return -ENOMEM;
    int n = cb_csv_split(line, f, max);
    static const char *const need[] = {"strategy", "workload", "n", "rep", "status"};
    int have = 0;
    for (int i = 0; i < n; i++) {
        map[i] = cb_col_index(f[i]);
        for (size_t k = 0; k < sizeof need / sizeof need[0]; k++)
            have += !strcmp(f[i], need[k]);
    }
    free(f);
    if (n < 0)
        return n;
    return have == (int)(sizeof need / sizeof need[0]) ? n : -EINVAL;
}

int cb_csv_parse_mapped(char *line, const int *map, int nfields, struct cb_row *r, char *whybuf,
                        size_t whylen)
{
    char **f = calloc((size_t)nfields + 1, sizeof *f);
    if (!f)
        return -ENOMEM;
    cb_row_init(r);
    int n = cb_csv_split(line, f, nfields + 1), rc = 0, empty = 1;
    if (n != nfields) {
        snprintf(whybuf, whylen, "%s%d fields, the header has %d",
                 n < 0 ? "an unterminated quote; " : "", n < 0 ? 0 : n, nfields);
        rc = -EINVAL;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        empty &= !*f[i];
        if (map[i] < 0)
            continue;
        const struct cb_col *c = &cb_cols[map[i]];
        char *p = (char *)r + c->offset;
        int bad = c->type == 's'   ? (strlen(f[i]) >= CB_STR_MAX ? -ERANGE : get_s(f[i], p))
                  : c->type == 'u' ? get_u(f[i], (uint64_t *)(void *)p)
                                   : get_f(f[i], (double *)(void *)p);
        if (bad) {
            snprintf(whybuf, whylen, "column %s: '%.40s' is not %s", c->name, f[i],
                     c->type == 's' ? "a string of at most 2047 bytes" : "a number");
            rc = -EINVAL;
            goto out;
        }
    }
    if (empty) {
        snprintf(whybuf, whylen, "an empty row (only commas)");
        rc = -EINVAL;
    } else if (!r->strategy[0] || !r->status[0] || r->n == CB_NA) {
        snprintf(whybuf, whylen, "no %s",
                 !r->strategy[0] ? "strategy"
                 : !r->status[0] ? "status"
                                 : "n");
        rc = -EINVAL;
    }
out:
    free(f);
    return rc;
}

int cb_rows_add(struct cb_rows *rs, const struct cb_row *r)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 16;
        struct cb_row *p = realloc(rs->v, cap * sizeof *p);
        if (!p)
            return -ENOMEM;
        rs->v = p;
        rs->cap = cap;
    }
    rs->v[rs->n++] = *r;
    return 0;
}

void cb_rows_free(struct cb_rows *rs)
{
    free(rs->v);
    *rs = (struct cb_rows){0};
}
