/* parse.c: command-line values. */
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cb_parse_duration(const char *s, uint64_t *ns)
{
    static const struct {
        const char *suffix;
        double scale;
    } units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"", 1e9}};
    char *end;
    if (!s || !*s)
        return -EINVAL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v) || v < 0)
        return -EINVAL;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].suffix) == 0) {
            double r = v * units[i].scale;
            if (r >= 1.8e19)
                return -EINVAL;
            *ns = (uint64_t)llround(r);
            return 0;
        }
    }
    return -EINVAL;
}

int cb_parse_count(const char *s, uint64_t *v)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno)
        return -EINVAL;
    uint64_t mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1000, end++;
    else if (*end == 'M')
        mul = 1000000, end++;
    if (*end || x > UINT64_MAX / mul)
        return -EINVAL;
    *v = x * mul;
    return 0;
}

int cb_parse_count_list(const char *s, uint64_t *v, size_t max, size_t *len)
{
    char buf[1024];
    if (!s || strlen(s) >= sizeof buf)
        return -EINVAL;
    strcpy(buf, s);
    *len = 0;
    char *save = NULL;
    /* strtok_r would silently skip empty items ("1,,3"): check first. */
    if (buf[0] == ',' || strstr(buf, ",,") || buf[strlen(buf) - 1] == ',')
        return -EINVAL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (*len == max || cb_parse_count(tok, &v[*len]))
            return -EINVAL;
        (*len)++;
    }
    return *len ? 0 : -EINVAL;
}

const char *cb_fmt_duration(uint64_t ns, char *buf, size_t len)
{
    if (ns >= 1000000000u)
        snprintf(buf, len, "%g s", (double)ns / 1e9);
    else if (ns >= 1000000u)
        snprintf(buf, len, "%g ms", (double)ns / 1e6);
    else
        snprintf(buf, len, "%g us", (double)ns / 1e3);
    return buf;
}
