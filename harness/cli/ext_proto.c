/* ext_proto.c: the harness side of strategies/PROTOCOL.md. */
#include "outcome.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *cb_ext_spec_line(const struct cb_workload *w)
{
    char *line = NULL;
    int r = asprintf(&line,
                     "concbench-spec 1 kind=%s n=%zu max_in_flight=%zu sleep_ns=%" PRIu64
                     " timeout_ns=%" PRIu64 " url=%s\n",
                     cb_wl(w)->name, w->n, w->max_in_flight, w->sleep_ns, w->timeout_ns,
                     cb_wl(w)->target && w->url ? w->url : "-");
    return r < 0 ? NULL : line;
}

/* The rest of a line after "word ": its text, for policy, limit, skip. */
static void take_text(char *dst, const char *src)
{
    snprintf(dst, CB_STR_MAX, "%s", src);
}

/* task K STARTED FINISHED ERROR STATUS BYTES VALUE [DETAIL...] */
static int parse_task(char *l, size_t n, enum cb_kind kind, struct cb_outcome *o)
{
    unsigned long long k, st, fi, status, bytes;
    char err[32], value[32];
    int off = 0;
    if (sscanf(l, "task %llu %llu %llu %31s %llu %llu %31s%n", &k, &st, &fi, err, &status, &bytes,
               value, &off) != 7 ||
        k >= n)
        return -EPROTO;
    struct cb_task *t = &o->tasks[k];
    int e = cb_error_parse(err);
    t->started_ns = st;
    t->finished_ns = fi;
    t->error = e < 0 ? CB_ERR_OTHER : e;
    t->aux = (uint32_t)(status & 0xffff);
    char *end = NULL;
    errno = 0;
    /* In the workload's base (http: the body's FNV-1a in hex; sleep: the
     * index in decimal). A failed task's value is not judged. */
    t->value = strtoull(value, &end, cb_workload_types[kind]->value_base);
    if (errno || *end) {
        if (t->error == CB_OK)
            return -EPROTO;
        t->value = 0;
    }
    if (t->error != CB_OK && (!o->detail[0] || k < o->detail_k)) {
        const char *d = l + off;
        while (*d == ' ')
            d++;
        o->detail_k = k;
        snprintf(o->detail, sizeof o->detail, "%s%s%s", err, *d ? ": " : "", d);
    }
    return 0;
}

static int parse_line(char *l, size_t n, enum cb_kind kind, struct cb_outcome *o)
{
    unsigned long long t0, t1, started;
    if (!strncmp(l, "task ", 5))
        return parse_task(l, n, kind, o);
    if (!strncmp(l, "policy ", 7))
        take_text(o->policy, l + 7);
    else if (!strncmp(l, "limit ", 6))
        take_text(o->limit, l + 6);
    else if (!strncmp(l, "skip ", 5))
        take_text(o->skip, l + 5);
    else if (!strncmp(l, "end ", 4)) {
        if (sscanf(l, "end %llu %llu %llu", &t0, &t1, &started) != 3 || t1 < t0)
            return -EPROTO;
        o->t_run0 = t0, o->t_run1 = t1, o->started = started;
        return 1;
    } else if (strcmp(l, "ready") != 0 && l[0])
        return -EPROTO;
    return 0;
}

int cb_ext_parse(char *buf, size_t len, size_t n, enum cb_kind kind, struct cb_outcome *o,
                 char *why, size_t wlen)
{
    o->n = n;
    o->user_ns = o->sys_ns = UINT64_MAX;
    o->tasks = calloc(n ? n : 1, sizeof *o->tasks);
    if (!o->tasks)
        return -ENOMEM;
    size_t lineno = 0;
    for (size_t i = 0; i < len;) {
        char *nl = memchr(buf + i, '\n', len - i);
        if (!nl)
            break; /* a cut last line: as if it never came */
        *nl = '\0';
        char *l = buf + i;
        i = (size_t)(nl - buf) + 1;
        lineno++;
        int r = parse_line(l, n, kind, o);
        if (r < 0) {
            snprintf(why, wlen, "protocol error, line %zu: '%.80s'", lineno, l);
            return r;
        }
        if (r == 1)
            return 0;
        if (o->skip[0])
            return 0;
    }
    snprintf(why, wlen, "the program stopped before its `end` line (%zu lines)", lineno);
    return -ENODATA;
}
