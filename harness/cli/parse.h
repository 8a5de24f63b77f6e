/* parse.h: command-line values: durations, counts, lists. */
#ifndef CB_PARSE_H
#define CB_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* "1s", "250ms", "100us", "50ns", "2.5s", "1m"; a plain number is seconds.
 * 0 or -EINVAL (negative, empty, trailing junk, overflow). */
int cb_parse_duration(const char *s, uint64_t *ns);

/* A decimal count, with an optional k/K (x1000) or M (x1000000) suffix,
 * e.g. "10000", "10k", "1M". 0 or -EINVAL. */
int cb_parse_count(const char *s, uint64_t *v);

/* A comma-separated list of counts into v[0..max); *len gets the number.
 * 0 or -EINVAL (bad item, empty item, more than max). */
int cb_parse_count_list(const char *s, uint64_t *v, size_t max, size_t *len);

/* Format ns as seconds for messages ("1 s", "50 ms"). Returns buf. */
const char *cb_fmt_duration(uint64_t ns, char *buf, size_t len);

#endif
