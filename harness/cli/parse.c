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
    if (!s || !*s)
        return -EINVAL;
    /* strtok_r would silently skip empty items ("1,,3"): check first. */
    if (s[0] == ',' || strstr(s, ",,") || s[strlen(s) - 1] == ',')
        return -EINVAL;
    char *buf = strdup(s), *save = NULL;
    int rc = 0;
    if (!buf)
        return -ENOMEM;
    *len = 0;
    for (char *tok = strtok_r(buf, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
        if (*len == max || cb_parse_count(tok, &v[*len]))
            rc = -EINVAL;
        else
            (*len)++;
    }
    free(buf);
    return rc ? rc : *len ? 0 : -EINVAL;
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

/* --- the option table ---------------------------------------------------- */

void cb_opt_begin(struct cb_optparse *p, const struct cb_opt *table, size_t ntable, unsigned cmd,
                  int argc, char **argv)
{
    *p = (struct cb_optparse){
        .table = table, .ntable = ntable, .cmd = cmd, .argc = argc, .argv = argv, .i = 1};
}

static const struct cb_opt *find_long(const struct cb_optparse *p, const char *name, size_t len)
{
    for (size_t k = 0; k < p->ntable; k++) {
        const struct cb_opt *o = &p->table[k];
        if (!(o->cmds & p->cmd))
            continue;
        if ((strlen(o->name) == len && !strncmp(o->name, name, len)) ||
            (o->alias && strlen(o->alias) == len && !strncmp(o->alias, name, len)))
            return o;
    }
    return NULL;
}

static const struct cb_opt *find_short(const struct cb_optparse *p, char c)
{
    for (size_t k = 0; k < p->ntable; k++)
        if ((p->table[k].cmds & p->cmd) && p->table[k].short_name == c)
            return &p->table[k];
    return NULL;
}

int cb_opt_next(struct cb_optparse *p)
{
    if (p->i >= p->argc)
        return CB_OPT_END;
    const char *w = p->argv[p->i++];
    p->word = w;
    p->arg = NULL;
    p->opt = NULL;
    if (!p->rest && !strcmp(w, "--")) {
        p->rest = 1; /* every later word is positional */
        return cb_opt_next(p);
    }
    if (p->rest || w[0] != '-' || !w[1]) {
        p->arg = w;
        return CB_OPT_POSITIONAL;
    }
    const char *inline_val = NULL;
    if (w[1] == '-') {
        const char *eq = strchr(w + 2, '=');
        size_t len = eq ? (size_t)(eq - (w + 2)) : strlen(w + 2);
        p->opt = find_long(p, w + 2, len);
        inline_val = eq ? eq + 1 : NULL;
    } else {
        p->opt = find_short(p, w[1]);
        inline_val = w[2] ? w + 2 : NULL;
    }
    if (!p->opt)
        return CB_OPT_UNKNOWN;
    if (!p->opt->arg) {
        if (inline_val)
            return CB_OPT_EXTRA;
        return p->opt->id;
    }
    if (inline_val) {
        p->arg = inline_val;
    } else if (p->i < p->argc) {
        p->arg = p->argv[p->i++];
    } else {
        return CB_OPT_NOVALUE;
    }
    return p->opt->id;
}

const char *cb_opt_display(const struct cb_opt *o, char *buf, size_t len)
{
    if (o->short_name)
        snprintf(buf, len, "-%c/--%s", o->short_name, o->name);
    else
        snprintf(buf, len, "--%s", o->name);
    return buf;
}

void cb_opt_help(FILE *f, const struct cb_opt *table, size_t ntable, unsigned cmd)
{
    for (size_t k = 0; k < ntable; k++) {
        const struct cb_opt *o = &table[k];
        if (!(o->cmds & cmd))
            continue;
        char left[64];
        int n = snprintf(left, sizeof left, "  %c%c%c --%s%s%s", o->short_name ? '-' : ' ',
                         o->short_name ? o->short_name : ' ', o->short_name ? ',' : ' ', o->name,
                         o->arg ? " " : "", o->arg ? o->arg : "");
        if (n < 28)
            fprintf(f, "%-28s%s", left, o->help);
        else
            fprintf(f, "%s\n%28s%s", left, "", o->help);
        if (o->alias)
            fprintf(f, " (also --%s)", o->alias);
        fputc('\n', f);
    }
}
