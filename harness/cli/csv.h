/*
 * csv.h: one row of results (the columns of columns.h), written and read
 * as RFC 4180 CSV. An unsigned field holding CB_NA, or a float field
 * holding NaN, is written empty: "not measured".
 */
#ifndef CB_CSV_H
#define CB_CSV_H

#include <stdint.h>
#include <stdio.h>

#define CB_NA      UINT64_MAX
#define CB_STR_MAX 256

#define CB_FIELD_s(name) char name[CB_STR_MAX];
#define CB_FIELD_u(name) uint64_t name;
#define CB_FIELD_f(name) double name;
struct cb_row {
#define CB_COL(name, type, desc) CB_FIELD_##type(name)
#include "columns.h"
};

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
