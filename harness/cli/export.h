/*
 * export.h: what `run` and `sweep` write besides the runs CSV: the human
 * summary on a terminal, JSON and Markdown exports, and output files that
 * appear whole or not at all.
 */
#ifndef CB_EXPORT_H
#define CB_EXPORT_H

#include "csv.h"

#include <stddef.h>
#include <stdio.h>

/*
 * The human summary of one configuration (its repetitions are rows
 * [first, first + count) of rs), hyperfine-like: wall time mean ± standard
 * deviation over the repetitions with min and max, CPU, memory in MiB or
 * KiB, per-task latency, the status and its note.
 */
void cb_print_config(FILE *f, const struct cb_rows *rs, size_t first, size_t count);

/*
 * For every (workload, N, in-flight cap, server) at which two or more
 * strategies ran ok: "epoll ran 1.80 ± 0.10 times faster than threads",
 * from the fastest mean wall time, the uncertainty propagated from both
 * standard deviations (as hyperfine does).
 */
void cb_print_comparisons(FILE *f, const struct cb_rows *rs);

/*
 * A file written under a temporary name beside its destination and renamed
 * over it once complete, so a reader never sees half of it. A destination
 * that is not a regular file (a device, a pipe: /dev/stdout, /dev/full) is
 * written directly.
 */
struct cb_outfile {
    FILE *f;
    char *path, *tmp; /* tmp NULL: written directly */
};

/* Open. 0 or a negative errno (nothing created). */
int cb_outfile_open(struct cb_outfile *o, const char *path);

/* Flush, close and rename into place; on any failure remove the temporary
 * and return a negative errno (the caller says it in words). */
int cb_outfile_commit(struct cb_outfile *o);

/* Close and remove the temporary without renaming. */
void cb_outfile_abort(struct cb_outfile *o);

/*
 * JSON export (schema: docs/results-schema.json): {"schema":
 * "concbench-results/1", "command": argv joined, "machine": {key: value of
 * the machine record}, "columns": [names], "rows": [{column: value}]} with
 * unmeasured numbers as null. 0 or -EIO.
 */
int cb_export_json(FILE *f, const struct cb_rows *rs, const char *command);

/* Markdown export: a table of every row's main columns. 0 or -EIO. */
int cb_export_markdown(FILE *f, const struct cb_rows *rs, const char *command);

#endif
