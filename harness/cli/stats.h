/* stats.h: percentiles of one run, and medians across repetitions. */
#ifndef CB_STATS_H
#define CB_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The p-th percentile (0..100, nearest rank) of v[0..n), sorting v in
 * place. n must be > 0. */
uint64_t cb_percentile_u64(uint64_t *v, size_t n, double p);

/* Median, min and max of v[0..n), ignoring NaN; sorts v. All NaN when no
 * value is a number. */
void cb_med_min_max(double *v, size_t n, double *med, double *min, double *max);

/* A configuration is noisy when its slowest repetition took this much
 * longer than its fastest. */
#define CB_NOISE_RATIO 1.25

/*
 * Read a runs CSV from in and write the summary CSV (one row per
 * configuration, in order of first appearance) to out. Medians, min and
 * max are over the repetitions whose status is ok, when any is; status,
 * error kinds and note come from the first repetition that was not ok
 * (columns: summary_columns.h). Columns are read by header name, so a runs
 * file with fewer or more columns summarises too. Returns 0; -EINVAL with a
 * message on stderr naming the line (empty file, no rows, a row of bare
 * commas, a wrong field count, a cut last row, a bad number); -EIO when out
 * failed; -ENOMEM. Nothing sized by the input lives on the stack.
 */
int cb_summarize(FILE *in, FILE *out, const char *name);

/* The summary CSV's header line. 0 or -EIO. */
int cb_summary_write_header(FILE *out);

#endif
