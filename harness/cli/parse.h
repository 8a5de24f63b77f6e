/* parse.h: command-line values: durations, counts, lists. */
#ifndef CB_PARSE_H
#define CB_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "1s", "250ms", "100us", "50ns", "2.5s", "1m"; a plain number is seconds.
 * 0 or -EINVAL (negative, empty, trailing junk, overflow). */
int cb_parse_duration(const char *s, uint64_t *ns);

/* A decimal count, with an optional k/K (x1000) or M (x1000000) suffix,
 * e.g. "10000", "10k", "1M". 0 or -EINVAL. */
int cb_parse_count(const char *s, uint64_t *v);

/* A comma-separated list of counts into v[0..max); *len gets the number.
 * 0 or -EINVAL (bad item, empty item, more than max). */
int cb_parse_count_list(const char *s, uint64_t *v, size_t max, size_t *len);

/*
 * The option table: one entry per option and command where it applies. The
 * parser and the help both read it, so an option is spelled once. An option
 * may appear twice with different `cmds` when its help differs by command.
 */
struct cb_opt {
    int id;              /* what the caller switches on (> 0) */
    char short_name;     /* 's' for -s, or 0 */
    const char *name;    /* "strategy" for --strategy */
    const char *alias;   /* another long spelling ("max-in-flight"), or NULL */
    const char *arg;     /* "DUR", "LIST"...; NULL for a flag */
    unsigned cmds;       /* bit per command (the caller's numbering) */
    unsigned workloads;  /* bit per workload it applies to; 0: any */
    const char *help;    /* one line */
    const char *instead; /* when the workload does not apply: what to use */
};

/* Iterates argv[1..argc) against a table for one command. */
struct cb_optparse {
    const struct cb_opt *table;
    size_t ntable;
    unsigned cmd; /* the command's bit */
    int argc, i;  /* argv index of the next word */
    int rest;     /* after "--": only positional words */
    char **argv;
    const char *arg;  /* the value of the option just returned */
    const char *word; /* the word as the user wrote it ("-d", "--url=...") */
    const struct cb_opt *opt;
};

enum {
    CB_OPT_END = 0,         /* no more words */
    CB_OPT_POSITIONAL = -1, /* a word that is not an option: in p->arg */
    CB_OPT_UNKNOWN = -2,    /* not an option of this command: p->word */
    CB_OPT_NOVALUE = -3,    /* an option that takes a value got none: p->word */
    CB_OPT_EXTRA = -4,      /* a flag given a value (--quiet=1): p->word */
};

/* Start iterating argv[1..argc). */
void cb_opt_begin(struct cb_optparse *p, const struct cb_opt *table, size_t ntable, unsigned cmd,
                  int argc, char **argv);

/* The next option's id (p->opt, p->arg set), or one of CB_OPT_*. "--"
 * ends the options: every later word is positional. */
int cb_opt_next(struct cb_optparse *p);

/* Write the options of one command as help lines ("  -s, --strategy NAME
 * help"), aligned; aliases are said in parentheses. */
void cb_opt_help(FILE *f, const struct cb_opt *table, size_t ntable, unsigned cmd);

/* The option's display name: "-d/--duration" or "--latency". Returns buf. */
const char *cb_opt_display(const struct cb_opt *o, char *buf, size_t len);

/* Format ns as seconds for messages ("1 s", "50 ms"). Returns buf. */
const char *cb_fmt_duration(uint64_t ns, char *buf, size_t len);

#endif
