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
