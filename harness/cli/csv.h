/*
 * csv.h: one row of results (the columns of columns.h), written and read
 * as RFC 4180 CSV. An unsigned field holding CB_NA, or a float field
 * holding NaN, is written empty: "not measured".
 */
#ifndef CB_CSV_H
#define CB_CSV_H

#include <stdint.h>
#include <stdio.h>

#define CB_NA UINT64_MAX
/* A string column's room. The CLI refuses longer input (a URL, a note)
 * with a message rather than cutting it. */
#define CB_STR_MAX 2048

#define CB_FIELD_s(name) char name[CB_STR_MAX];
#define CB_FIELD_u(name) uint64_t name;
#define CB_FIELD_f(name) double name;
struct cb_row {
#define CB_COL(name, type, desc) CB_FIELD_##type(name)
#include "columns.h"
};

/* The columns as data, in order: for readers by header name and exports. */
struct cb_col {
    const char *name;
    char type; /* 's' string, 'u' unsigned, 'f' float */
    size_t offset;
    const char *meaning;
};
extern const struct cb_col cb_cols[];
extern const size_t cb_ncols;

/* The index of the column called name in cb_cols, or -1. */
int cb_col_index(const char *name);

/* Column c of r as a number (NaN when not measured or a string). */
double cb_row_num(const struct cb_row *r, const struct cb_col *c);

/* Column c of r as a string (NULL for a number column). */
const char *cb_row_str(const struct cb_row *r, const struct cb_col *c);

/*
 * Read a runs CSV by header name: map[i] is the cb_cols index of field i of
 * the header (-1: a column this build does not know, ignored). Returns the
 * number of fields, or -EINVAL when the header lacks one of strategy,
 * workload, n, rep, status. line is split in place.
 */
int cb_csv_map_header(char *line, int *map, int max);

/*
 * Parse a data line read under such a header into r (columns the header
 * lacks stay "not measured"). 0, or a negative errno with *why saying what
 * is wrong in words (a static string or one written to whybuf):
 * -EINVAL wrong field count, empty row, bad number.
 */
int cb_csv_parse_mapped(char *line, const int *map, int nfields, struct cb_row *r, char *whybuf,
                        size_t whylen);

/* Rows in order (a sweep's, a configuration's repetitions). */
struct cb_rows {
    struct cb_row *v;
    size_t n, cap;
};

/* Append a copy of r. 0 or -ENOMEM. */
int cb_rows_add(struct cb_rows *rs, const struct cb_row *r);
void cb_rows_free(struct cb_rows *rs);

/* A row with every numeric field "not measured" and strings empty. */
void cb_row_init(struct cb_row *r);

/* Write the header line / one row. 0, or -EIO when the stream failed. */
int cb_csv_write_header(FILE *f);
int cb_csv_write_row(FILE *f, const struct cb_row *r);

/* Write s as one CSV field: quoted only when it holds , " CR or LF. */
void cb_csv_put_str(FILE *f, const char *s);

/*
 * Split one CSV line (no trailing newline needed) into at most max fields,
 * in place: quotes are removed and "" becomes ". Returns the number of
 * fields, or -EINVAL for an unterminated quote.
 */
int cb_csv_split(char *line, char **fields, int max);

/* Parse a data line of a runs CSV whose header was hdr into r.
 * 0 or -EINVAL (wrong number of fields, bad number). */
int cb_csv_parse_row(char *line, struct cb_row *r);

/* 0 when line is exactly the runs CSV header this build writes. */
int cb_csv_check_header(const char *line);

#endif
