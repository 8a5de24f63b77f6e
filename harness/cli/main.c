/* main.c: the concbench command line. Only main() exits. */
#include "body.h"
#include "cb_limits.h"
#include "cgroup.h"
#include "child.h"
#include "csv.h"
#include "export.h"
#include "machine.h"
#include "measure.h"
#include "parse.h"
#include "probe.h"
#include "proc.h"
#include "server.h"
#include "stats.h"
#include "strategy.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cb_version.h"

/* The commands, as bits of the option table's `cmds`. */
enum {
    C_RUN = 1 << 0,
    C_SWEEP = 1 << 1,
    C_SUMMARIZE = 1 << 2,
    C_LIST = 1 << 3,
    C_MACHINE = 1 << 4,
    C_SERVE = 1 << 5,
    C_RS = C_RUN | C_SWEEP,
    C_ALL = C_RS | C_SUMMARIZE | C_LIST | C_MACHINE | C_SERVE,
};
#define W_SLEEP (1u << CB_SLEEP)
#define W_HTTP  (1u << CB_HTTP)

/* Exit statuses (README "Exit statuses"; `concbench help`). */
enum {
    EX_CB_OK = 0,       /* every row ok (or skipped by a budget) */
    EX_CB_HARNESS = 1,  /* concbench itself failed: output, test server, a measurement */
    EX_CB_USAGE = 2,    /* a bad command line */
    EX_CB_ERRORS = 3,   /* a row had task errors */
    EX_CB_LIMIT = 4,    /* a row stopped at a limit */
    EX_CB_TIMEOUT = 5,  /* a row was killed by --run-timeout */
    EX_CB_FAILED = 6,   /* a row failed or crashed */
    EX_CB_SIGNAL = 128, /* + the signal: interrupted (130 for SIGINT) */
};

enum {
    O_STRATEGY = 1,
    O_WORKLOAD,
    O_TASKS,
    O_DURATION,
    O_REPS,
    O_CONC,
    O_URL,
    O_LATENCY,
    O_EXPECT,
    O_LISTEN,
    O_SMODEL,
    O_SWORKERS,
    O_BODY,
    O_TTIMEOUT,
    O_RTIMEOUT,
    O_BUDGET,
    O_OUTPUT,
    O_CSV,
    O_JSON,
    O_MD,
    O_RAW,
    O_QUIET,
    O_IGNORE,
    O_TSV,
    O_HELP,
    O_XBYTES,
    O_XSHA,
    O_NOCG,
    O_PORT,
    O_IDLE,
    O_BACKLOG,
};

/* -w's help: every workload's name, from workloads.h. */
static const char workload_help[] = "the workload (default sleep), one of:"
#define CB_WORKLOAD(ID, name) " " #name
#include "workloads.h"
    ;

/* Every option of every command. serve's are the test server's: applied
 * by their long name (srv_option), spelled as run's where they are run's. */
static const struct cb_opt options[] = {
    {O_STRATEGY, 's', "strategy", NULL, "NAME", C_RUN, 0,
     "the strategy, one name (required; `concbench list`)", NULL},
    {O_STRATEGY, 's', "strategy", NULL, "LIST", C_SWEEP, 0,
     "comma-separated strategies (default: every available one that does the workload)", NULL},
    {O_WORKLOAD, 'w', "workload", NULL, "KIND", C_RS, 0, workload_help, NULL},
    {O_TASKS, 'n', "tasks", "n", "N", C_RUN, 0, "number of tasks, one value (default 3; 10k, 1M)",
     NULL},
    {O_TASKS, 'n', "tasks", "n", "LIST", C_SWEEP, 0,
     "comma-separated numbers of tasks (default 1,10,100,1000,10000)", NULL},
    {O_DURATION, 'd', "duration", NULL, "DUR", C_RS, W_SLEEP, "each task waits DUR (default 1s)",
     "for http the server's latency is --latency DUR"},
    {O_REPS, 'r', "reps", NULL, "R", C_RUN, 0, "repetitions (default 1)", NULL},
    {O_REPS, 'r', "reps", NULL, "R", C_SWEEP, 0, "repetitions (default 3)", NULL},
    {O_CONC, 'c', "concurrency", "max-in-flight", "W", C_RS, 0,
     "at most W tasks in flight: a pool of W (default 0: all at once)", NULL},
    {O_URL, 'u', "url", NULL, "URL", C_RS, W_HTTP,
     "GET this URL instead of starting the test server (implies -w http)", NULL},
    {O_LATENCY, 0, "latency", NULL, "DUR", C_RS, W_HTTP, "the test server's latency L (default 1s)",
     "for sleep each task's wait is -d/--duration DUR"},
    {O_EXPECT, 0, "expect-latency", NULL, "DUR", C_RS, W_HTTP,
     "with -u: plan budgets and timeouts for DUR a GET (default: measured by 3 probe GETs)",
     "it only applies to http"},
    {O_XBYTES, 0, "expect-bytes", NULL, "N", C_RS, W_HTTP,
     "with -u: every body must be N bytes (and the probe's body)", "it only applies to http"},
    {O_XSHA, 0, "expect-sha256", NULL, "HEX", C_RS, W_HTTP,
     "with -u: the probe's body must have this SHA-256, and every body that body",
     "it only applies to http"},
    {O_LISTEN, 0, "listen", NULL, "ADDR", C_RS, W_HTTP,
     "address the test server binds (default 127.0.0.1)", "it only applies to http"},
    {O_SMODEL, 0, "server-model", NULL, "M", C_RS, W_HTTP, "event (default), blocking or prefork",
     "it only applies to http"},
    {O_SWORKERS, 0, "server-workers", NULL, "W", C_RS, W_HTTP,
     "workers of a blocking/prefork server (default 1)", "it only applies to http"},
    {O_BODY, 0, "body", NULL, "BYTES", C_RS, W_HTTP, "the test server's body size (default 64)",
     "it only applies to http"},
    {O_SMODEL, 0, "server-model", "model", "M", C_SERVE, 0, "event (default), blocking or prefork",
     NULL},
    {O_SWORKERS, 0, "server-workers", "workers", "W", C_SERVE, 0,
     "blocking/prefork: W workers (default 1)", NULL},
    {O_LISTEN, 0, "listen", NULL, "ADDR", C_SERVE, 0, "address to bind (default 127.0.0.1)", NULL},
    {O_PORT, 0, "port", NULL, "P", C_SERVE, 0, "port (default 0: any free port)", NULL},
    {O_LATENCY, 0, "latency", NULL, "DUR", C_SERVE, 0,
     "latency when the URL does not say (default 1s)", NULL},
    {O_BODY, 0, "body", NULL, "BYTES", C_SERVE, 0,
     "body size when the URL does not say (default 64)", NULL},
    {O_IDLE, 0, "idle-timeout", NULL, "DUR", C_SERVE, 0,
     "close idle or slow connections (default 30s)", NULL},
    {O_BACKLOG, 0, "backlog", NULL, "N", C_SERVE, 0, "listen backlog (default net.core.somaxconn)",
     NULL},
    {O_TTIMEOUT, 0, "task-timeout", NULL, "DUR", C_RS, 0, "per task (default 60s)", NULL},
    {O_RTIMEOUT, 0, "run-timeout", NULL, "DUR", C_RS, 0,
     "kill a run after DUR (default 3 x expected + 60s)", NULL},
    {O_BUDGET, 0, "budget", NULL, "DUR", C_RUN, 0,
     "skip, with a row that says why, a run expected to take longer (default none)", NULL},
    {O_BUDGET, 0, "budget", NULL, "DUR", C_SWEEP, 0,
     "skip, with a row that says why, a run expected to take longer (default 60s)", NULL},
    {O_OUTPUT, 'o', "output", NULL, "FILE", C_RS, 0,
     "append CSV rows to FILE (header when new, machine.txt beside it); -: stdout", NULL},
    {O_OUTPUT, 'o', "output", NULL, "FILE", C_SUMMARIZE, 0,
     "write the summary CSV to FILE (default: stdout)", NULL},
    {O_CSV, 0, "csv", NULL, NULL, C_RS, 0, "CSV rows on stdout instead of the summary (= -o -)",
     NULL},
    {O_JSON, 0, "export-json", NULL, "FILE", C_RS, 0,
     "every row and the machine record as JSON (docs/results-schema.json)", NULL},
    {O_MD, 0, "export-markdown", NULL, "FILE", C_RS, 0, "every row as a Markdown table", NULL},
    {O_RAW, 0, "raw", NULL, "FILE", C_RS, 0,
     "every task's start, finish, latency and verdict as CSV (for your own plots)", NULL},
    {O_NOCG, 0, "no-cgroup", NULL, NULL, C_RS, 0,
     "measure memory from /proc instead of a memory cgroup (mem_method proc)", NULL},
    {O_QUIET, 'q', "quiet", NULL, NULL, C_RS, 0,
     "no progress on stderr (none either when not a terminal)", NULL},
    {O_IGNORE, 0, "ignore-failure", NULL, NULL, C_RS, 0,
     "exit 0 even when a row is not ok (not when interrupted)", NULL},
    {O_TSV, 0, "tsv", NULL, NULL, C_LIST, 0,
     "tab-separated, with a header: name, language, kind, workloads, available, version, color, "
     "summary",
     NULL},
    {O_HELP, 'h', "help", NULL, NULL, C_ALL, 0, "this help", NULL},
};
#define NOPTIONS (sizeof options / sizeof options[0])

static const struct command {
    const char *name;
    unsigned bit;
    const char *args, *what, *examples;
} commands[] = {
    {"list", C_LIST, "[--tsv]", "the strategies", "  concbench list\n  concbench list --tsv\n"},
    {"run", C_RUN, "-s NAME [options]", "one strategy, one N, in a fresh process per repetition",
     "  concbench run -s epoll -n 1000 -d 100ms\n"
     "  concbench run -s threads -n 40000 -r 3 -o out/runs.csv\n"
     "  concbench run -s coro -w http -n 1000 --latency 1s\n"
     "  concbench run -s epoll -w http -n 100 --server-model blocking --server-workers 2\n"
     "  concbench run -s sequential -n 5 -u http://127.0.0.1:8080/\n"},
    {"sweep", C_SWEEP, "[options]", "strategies x N list x repetitions, CSV row by row",
     "  concbench sweep -s epoll,coro,threads -n 100,1000 -d 100ms -r 3\n"
     "  concbench sweep -s epoll,coro -n 1k,10k,100k,1M -d 1s --budget 30s -o out/runs.csv\n"
     "  concbench sweep -w http -s sequential,epoll -n 3,100 --latency 1s --export-json "
     "out.json\n"},
    {"summarize", C_SUMMARIZE, "RUNS.csv [-o SUMMARY.csv]",
     "medians, min, max per configuration of a runs CSV",
     "  concbench summarize out/runs.csv -o out/summary.csv\n"},
    {"serve", C_SERVE, "[options]", "the test HTTP server (controlled latency)",
     "  concbench serve --server-model event --latency 1s --port 8080\n"},
    {"machine", C_MACHINE, "", "the machine record written beside results",
     "  concbench machine\n"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const char exit_help[] =
    "exit status: 0 every row ok (rows skipped by --budget count as ok); 1 concbench\n"
    "itself failed (output, test server); 2 bad usage; 3 a row had task errors; 4 a row\n"
    "hit a limit; 5 a row timed out; 6 a row failed or crashed (the highest applies);\n"
    "128 + signal when interrupted (130 for Ctrl-C). --ignore-failure turns 3-6 into 0.\n";

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static void usage_top(FILE *f)
{
    fprintf(f, "usage: concbench COMMAND [options]\n\n"
               "Measures how concurrency strategies run the same I/O-bound work.\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s  %s\n", commands[i].name, commands[i].what);
    fprintf(f, "  %-10s  %s\n", "help CMD", "a command's options and examples");
    fprintf(f, "\n  concbench --version    the version (git describe at build time)\n\n%s",
            exit_help);
}

static void usage_cmd(FILE *f, const struct command *c)
{
    fprintf(f, "usage: concbench %s %s\n\n%c%s.\n\noptions:\n", c->name, c->args,
            toupper((unsigned char)c->what[0]), c->what + 1);
    cb_opt_help(f, options, NOPTIONS, c->bit);
    if (c->bit & C_RS)
        fprintf(f,
                "\nDUR: 1s, 250ms, 100us, 2.5s (a plain number is seconds). N: 100, 10k, 1M.\n"
                "Progress goes to stderr when it is a terminal; a summary to stdout, or CSV\n"
                "with --csv or -o -.\n\n%s",
                exit_help);
    if (c->bit & C_SERVE)
        fprintf(
            f, "\nDUR: 1s, 250ms, 100us, 2.5s (a plain number is seconds). BYTES: 64, 16k, 1M.\n%s",
            srv_url_help);
    fprintf(f, "\nexamples:\n%s", c->examples);
}

__attribute__((format(printf, 2, 3))) static int fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "concbench %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(`concbench help %s` for usage)\n", cmd);
    va_end(ap);
    return EX_CB_USAGE;
}

/* "sequential, threads, fork, ..." for messages. */
static void strategy_names(char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; cb_strategies[i] && off < len; i++)
        off +=
            (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", cb_strategies[i]->name);
}

/* --- run and sweep: options ----------------------------------------------- */

struct opts {
    const struct cb_strategy **strategies;
    size_t nstrategies;
    uint64_t *ns;
    size_t nns;
    struct cb_workload w;
    unsigned reps;
    uint64_t latency_ns, expect_ns, budget_ns, run_timeout_ns;
    enum srv_model server_model;
    int server_workers;
    uint64_t body_bytes;
    const char *url, *listen, *output, *json, *markdown, *raw, *expect_sha256;
    uint64_t expect_bytes;
    int quiet, csv, ignore_failure, workload_given, no_cgroup;
    char *command; /* argv joined, for the records */
};

static void opts_free(struct opts *o)
{
    free(o->strategies);
    free(o->ns);
    free(o->command);
}

static int parse_strategies(const char *cmd, struct opts *o, const char *list)
{
    char *buf = strdup(list), *save = NULL;
    size_t cap = 1;
    for (const char *p = list; *p; p++)
        cap += *p == ',';
    free(o->strategies);
    o->strategies = calloc(cap, sizeof *o->strategies);
    o->nstrategies = 0;
    if (!buf || !o->strategies) {
        free(buf);
        return fail(cmd, "out of memory");
    }
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        const struct cb_strategy *s = cb_strategy_find(t);
        if (!s) {
            char names[1024];
            strategy_names(names, sizeof names);
            int rc = fail(cmd, "unknown strategy '%s'; the strategies are: %s", t, names);
            free(buf);
            return rc;
        }
        o->strategies[o->nstrategies++] = s;
    }
    free(buf);
    return o->nstrategies ? 0 : fail(cmd, "-s wants a strategy name");
}

/* The most task slots this machine can hold: the harness keeps N slots of
 * sizeof(struct cb_task) bytes, so N beyond memory + swap cannot run. */
static uint64_t max_tasks(void)
{
    long long kb = 0;
    FILE *f = fopen("/proc/meminfo", "re");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        long long v;
        if (sscanf(line, "MemTotal: %lld", &v) == 1 || sscanf(line, "SwapTotal: %lld", &v) == 1)
            kb += v;
    }
    if (f)
        fclose(f);
    return kb > 0 ? (uint64_t)kb * 1024 / sizeof(struct cb_task) : UINT64_MAX / 2;
}

static int parse_tasks(const char *cmd, struct opts *o, const char *arg, int sweep)
{
    size_t cap = 1;
    for (const char *p = arg; *p; p++)
        cap += *p == ',';
    free(o->ns);
    o->ns = calloc(cap, sizeof *o->ns);
    if (!o->ns)
        return fail(cmd, "out of memory");
    if (cb_parse_count_list(arg, o->ns, cap, &o->nns))
        return fail(cmd, "-n wants %s like 100, 10k or 1M, not '%s'",
                    sweep ? "counts" : "one count", arg);
    if (!sweep && o->nns != 1)
        return fail(cmd, "run takes one N, not '%s' (a list of N is for sweep)", arg);
    uint64_t most = max_tasks();
    for (size_t i = 0; i < o->nns; i++) {
        if (!o->ns[i])
            return fail(cmd, "-n must be at least 1 (got '%s')", arg);
        if (o->ns[i] > most)
            return fail(cmd,
                        "-n %llu is more tasks than this machine can hold: the harness keeps "
                        "%zu bytes a task, and memory + swap hold at most %llu",
                        (unsigned long long)o->ns[i], sizeof(struct cb_task),
                        (unsigned long long)most);
    }
    return 0;
}

/* Options that need a number or a duration. 0 or the usage status. */
static int parse_value(const char *cmd, struct opts *o, int id, const char *arg, const char *word)
{
    uint64_t v;
    switch (id) {
    case O_DURATION:
        return cb_parse_duration(arg, &o->w.sleep_ns)
                   ? fail(cmd, "bad duration '%s' for %s (try 1s or 50ms)", arg, word)
                   : 0;
    case O_REPS:
        if (cb_parse_count(arg, &v) || !v || v > 1000)
            return fail(cmd, "repetitions must be 1..1000, not '%s'", arg);
        o->reps = (unsigned)v;
        return 0;
    case O_CONC:
        return cb_parse_count(arg, &v) ? fail(cmd, "bad %s '%s' (a count)", word, arg)
                                       : (o->w.max_in_flight = v, 0);
    case O_LATENCY:
        return cb_parse_duration(arg, &o->latency_ns)
                   ? fail(cmd, "bad latency '%s' (try 1s or 50ms)", arg)
                   : 0;
    case O_EXPECT:
        return cb_parse_duration(arg, &o->expect_ns) || !o->expect_ns
                   ? fail(cmd, "bad --expect-latency '%s' (try 10ms)", arg)
                   : 0;
    case O_SWORKERS:
        if (cb_parse_count(arg, &v) || !v || v > 10000)
            return fail(cmd, "server workers must be 1..10000, not '%s'", arg);
        o->server_workers = (int)v;
        return 0;
    case O_BODY:
        return cb_parse_count(arg, &o->body_bytes) || o->body_bytes > (1u << 30)
                   ? fail(cmd, "bad body size '%s' (bytes, at most 1 GiB)", arg)
                   : 0;
    case O_TTIMEOUT:
        return cb_parse_duration(arg, &o->w.timeout_ns) || !o->w.timeout_ns
                   ? fail(cmd, "bad task timeout '%s'", arg)
                   : 0;
    case O_RTIMEOUT:
        return cb_parse_duration(arg, &o->run_timeout_ns) ? fail(cmd, "bad run timeout '%s'", arg)
                                                          : 0;
    case O_BUDGET:
        return cb_parse_duration(arg, &o->budget_ns) ? fail(cmd, "bad budget '%s'", arg) : 0;
    }
    return 0;
}

/* One option of run/sweep. 0, the usage status, or -1 after --help. */
/* The options that only record a flag or a file name: 1 when id is one. */
static int record_option(struct opts *o, int id, const char *arg)
{
    switch (id) {
    case O_OUTPUT:
        o->output = arg;
        return 1;
    case O_CSV:
        o->csv = 1;
        return 1;
    case O_JSON:
        o->json = arg;
        return 1;
    case O_MD:
        o->markdown = arg;
        return 1;
    case O_RAW:
        o->raw = arg;
        return 1;
    case O_NOCG:
        o->no_cgroup = 1;
        return 1;
    case O_QUIET:
        o->quiet = 1;
        return 1;
    case O_IGNORE:
        o->ignore_failure = 1;
        return 1;
    }
    return 0;
}

static int apply_option(const char *cmd, struct opts *o, const struct cb_optparse *p, int sweep)
{
    const char *arg = p->arg;
    switch (p->opt->id) {
    case O_STRATEGY: {
        int rc = parse_strategies(cmd, o, arg);
        if (!rc && !sweep && o->nstrategies != 1)
            return fail(cmd, "run takes one strategy, not '%s' (several are for sweep)", arg);
        return rc;
    }
    case O_WORKLOAD: {
        int kind = cb_workload_find(arg);
        if (kind < 0)
            return fail(cmd, "unknown workload '%s'; the workloads are: %s", arg,
                        cb_workload_names());
        o->w.kind = (enum cb_kind)kind;
        o->workload_given = 1;
        return 0;
    }
    case O_TASKS:
        return parse_tasks(cmd, o, arg, sweep);
    case O_URL:
        if (strncmp(arg, "http://", 7) && strncmp(arg, "https://", 8))
            return fail(cmd, "the URL must start with http:// or https://: '%s'", arg);
        if (strlen(arg) >= CB_STR_MAX)
            return fail(cmd, "the URL is %zu bytes; a results row holds at most %d", strlen(arg),
                        CB_STR_MAX - 1);
        o->url = arg;
        return 0;
    case O_LISTEN:
        if (!*arg || strlen(arg) > 255)
            return fail(cmd, "--listen wants an address like 127.0.0.1 or 10.0.0.1");
        o->listen = arg;
        return 0;
    case O_SMODEL:
        return srv_model_parse(arg, &o->server_model)
                   ? fail(cmd,
                          "unknown server model '%s'; the models are: event, blocking, "
                          "prefork",
                          arg)
                   : 0;
    case O_XSHA:
        if (strlen(arg) != 64 || arg[strspn(arg, "0123456789abcdef")])
            return fail(cmd, "--expect-sha256 wants 64 lowercase hex digits, not '%s'", arg);
        o->expect_sha256 = arg;
        return 0;
    case O_XBYTES:
        return cb_parse_count(arg, &o->expect_bytes) || !o->expect_bytes
                   ? fail(cmd, "bad --expect-bytes '%s' (a byte count)", arg)
                   : 0;
    case O_HELP:
        usage_cmd(stdout, find_command(cmd));
        return -1;
    }
    return record_option(o, p->opt->id, arg) ? 0 : parse_value(cmd, o, p->opt->id, arg, p->word);
}

static void set_defaults(struct opts *o, int sweep)
{
    *o = (struct opts){.reps = sweep ? 3 : 1,
                       .latency_ns = 1000000000u,
                       .budget_ns = sweep ? 60000000000u : 0,
                       .server_workers = 1,
                       .body_bytes = 64};
    o->w =
        (struct cb_workload){.kind = CB_SLEEP, .sleep_ns = 1000000000u, .timeout_ns = 60000000000u};
}

/* Defaults that depend on what was given, and options that do not apply. */
static int finish_opts(const char *cmd, struct opts *o, const struct cb_opt **seen, size_t nseen,
                       int sweep)
{
    if (o->url && o->workload_given && !cb_wl(&o->w)->target)
        return fail(cmd, "-u/--url is for -w http, not -w %s", cb_wl(&o->w)->name);
    if (o->url && !o->workload_given)
        o->w.kind = CB_HTTP; /* a URL alone: GET it */
    unsigned wbit = 1u << o->w.kind;
    for (size_t i = 0; i < nseen; i++) {
        char name[64];
        if (seen[i]->workloads && !(seen[i]->workloads & wbit))
            return fail(cmd, "%s does not apply to -w %s: %s",
                        cb_opt_display(seen[i], name, sizeof name), cb_wl(&o->w)->name,
                        seen[i]->instead);
        if (o->url &&
            (seen[i]->id == O_LATENCY || seen[i]->id == O_SMODEL || seen[i]->id == O_SWORKERS ||
             seen[i]->id == O_BODY || seen[i]->id == O_LISTEN))
            return fail(cmd,
                        "%s is for the test server; with -u the server is yours "
                        "(--expect-latency DUR plans budgets for it)",
                        cb_opt_display(seen[i], name, sizeof name));
        if (!o->url &&
            (seen[i]->id == O_EXPECT || seen[i]->id == O_XBYTES || seen[i]->id == O_XSHA))
            return fail(cmd,
                        "%s is for -u URL; the test server's latency is --latency DUR and "
                        "its body is checked already",
                        cb_opt_display(seen[i], name, sizeof name));
    }
    if (o->output && !strcmp(o->output, "-"))
        o->csv = 1, o->output = NULL;
    if (!sweep && !o->nstrategies)
        return fail(cmd, "which strategy? -s NAME (see `concbench list`)");
    if (sweep && !o->nstrategies) {
        size_t all = 0;
        while (cb_strategies[all])
            all++;
        o->strategies = calloc(all ? all : 1, sizeof *o->strategies);
        if (!o->strategies)
            return fail(cmd, "out of memory");
        for (size_t i = 0; i < all; i++) {
            char why[256];
            if (cb_strategy_does(cb_strategies[i], o->w.kind) &&
                cb_strategy_available(cb_strategies[i], why, sizeof why))
                o->strategies[o->nstrategies++] = cb_strategies[i];
        }
    }
    if (!o->nns) {
        static const uint64_t dflt[] = {1, 10, 100, 1000, 10000};
        o->nns = sweep ? 5 : 1;
        o->ns = calloc(o->nns, sizeof *o->ns);
        if (!o->ns)
            return fail(cmd, "out of memory");
        if (sweep)
            memcpy(o->ns, dflt, sizeof dflt);
        else
            o->ns[0] = 3;
    }
    return 0;
}

/* argv joined by spaces, words with spaces or quotes in single quotes. */
static char *join_argv(int argc, char **argv)
{
    size_t len = 16;
    for (int i = 0; i < argc; i++)
        len += 4 * strlen(argv[i]) + 3;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    p += sprintf(p, "concbench");
    for (int i = 0; i < argc; i++) {
        int q = argv[i][strcspn(argv[i], " \t'\"\\$&;|<>*?")] != '\0' || !argv[i][0];
        *p++ = ' ';
        if (q)
            *p++ = '\'';
        for (const char *c = argv[i]; *c; c++) {
            if (*c == '\'') {
                memcpy(p, "'\\''", 4);
                p += 4;
            } else {
                *p++ = *c;
            }
        }
        if (q)
            *p++ = '\'';
    }
    *p = '\0';
    return s;
}

/* Parse run/sweep's argv. 0, the usage status, or -1 after --help. */
static int parse_opts(int argc, char **argv, struct opts *o, int sweep)
{
    const char *cmd = sweep ? "sweep" : "run";
    struct cb_optparse p;
    const struct cb_opt **seen = calloc((size_t)argc + 1, sizeof *seen);
    size_t nseen = 0;
    int rc = 0, id;
    set_defaults(o, sweep);
    o->command = join_argv(argc, argv);
    if (!seen || !o->command) {
        free(seen);
        return fail(cmd, "out of memory");
    }
    cb_opt_begin(&p, options, NOPTIONS, sweep ? C_SWEEP : C_RUN, argc, argv);
    while (!rc && (id = cb_opt_next(&p)) != CB_OPT_END) {
        if (id == CB_OPT_UNKNOWN)
            rc = fail(cmd, "unknown option '%s'", p.word);
        else if (id == CB_OPT_NOVALUE)
            rc = fail(cmd, "%s needs a value (%s)", p.word, p.opt->arg);
        else if (id == CB_OPT_EXTRA)
            rc = fail(cmd, "%s takes no value", p.word);
        else if (id == CB_OPT_POSITIONAL)
            rc = fail(cmd, "unexpected argument '%s'", p.arg);
        else {
            seen[nseen++] = p.opt;
            rc = apply_option(cmd, o, &p, sweep);
        }
    }
    if (!rc)
        rc = finish_opts(cmd, o, seen, nseen, sweep);
    free(seen);
    return rc;
}

/* --- run and sweep: the session ------------------------------------------ */

/* One task as the --raw file needs it. */
struct raw_task {
    uint64_t started_ns, finished_ns;
    uint32_t aux;
    const char *verdict; /* a static name from the verifier */
};

struct session {
    struct opts *o;
    FILE *out; /* CSV rows: the -o file, stdout with --csv, or NULL */
    int out_fd;
    const char *out_name;
    struct srv_handle srv;
    int have_srv;
    char *url;
    const char *target;
    char server[64];
    uint64_t expect_checksum;
    const char *expect_label;
    uint64_t per_task_ns; /* D, L, or a foreign server's measured latency */
    char probe_note[192];
    char srv_skip[256]; /* why every run is skipped: the server cannot start */
    struct cb_rows rows;
    struct cb_outfile raw; /* --raw: per-task CSV, renamed into place at the end */
    struct raw_task *tasks;
    size_t ntasks, cap_tasks;
    uint64_t t0_ns;           /* the start of the work of the run in ss->tasks */
    const char *cur_strategy; /* the run in progress, for the tick */
    size_t cur_n;
    unsigned cur_rep;
    uint64_t cur_expected;
    size_t done, total; /* runs and skip rows, for the progress counter */
    uint64_t t0, expected_done, expected_left;
    int progress, human, status;
    int stdout_err; /* errno of a failed write of the summary to stdout */
};

/* Where an output failure is said in words. */
static void say_write_error(const char *what, const char *path, int err)
{
    fprintf(stderr, "concbench: cannot write %s to %s: %s\n", what, path, strerror(err));
}

static int write_machine_beside(const char *csv_path)
{
    char *dir = strdup(csv_path);
    if (!dir)
        return -ENOMEM;
    size_t len = strlen(csv_path) + 16;
    char *mpath = malloc(len);
    int rc = 0;
    if (mpath) {
        snprintf(mpath, len, "%s/machine.txt", dirname(dir));
        struct cb_outfile m;
        if (access(mpath, F_OK) != 0 && cb_outfile_open(&m, mpath) == 0) {
            cb_machine_write(m.f);
            if ((rc = cb_outfile_commit(&m)))
                say_write_error("the machine record", mpath, -rc);
        }
    }
    free(mpath);
    free(dir);
    return rc;
}

/* mkdir -p of path's folder, so -o out/runs.csv works in a fresh clone. */
static void make_parents(const char *path)
{
    char *p = strdup(path);
    for (char *s = p ? strchr(p + 1, '/') : NULL; s; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(p, 0755); /* EEXIST is fine; any other failure shows at open */
        *s = '/';
    }
    free(p);
}

/*
 * Open -o FILE for appending rows. The header goes in under an exclusive
 * flock when the file is empty, so two runs starting one new file cannot
 * both write it; rows are appended under the same lock. machine.txt goes
 * beside a regular file only (never /dev/machine.txt for -o /dev/null).
 */
static int open_output(struct session *ss)
{
    const char *path = ss->o->output;
    struct stat st;
    make_parents(path);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        say_write_error("the CSV", path, errno);
        return -1;
    }
    ss->out = fdopen(fd, "a");
    if (!ss->out) {
        close(fd);
        return -1;
    }
    setvbuf(ss->out, NULL, _IOFBF, 1 << 16); /* a row goes out in one write */
    ss->out_fd = fd;
    ss->out_name = path;
    flock(fd, LOCK_EX);
    int rc = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0
                 ? 0
                 : cb_csv_write_header(ss->out);
    int err = errno;
    flock(fd, LOCK_UN);
    if (rc) {
        say_write_error("the CSV", path, err ? err : EIO);
        return -1;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        write_machine_beside(path);
    return 0;
}

/* One row out, whole, under the file's lock. 0 or -1 (said). */
static int put_row(struct session *ss, const struct cb_row *r)
{
    if (cb_rows_add(&ss->rows, r)) {
        fprintf(stderr, "concbench: out of memory keeping the rows\n");
        return -1;
    }
    if (!ss->out)
        return 0;
    if (ss->out_fd >= 0)
        flock(ss->out_fd, LOCK_EX);
    errno = 0;
    int rc = cb_csv_write_row(ss->out, r);
    int err = errno;
    if (ss->out_fd >= 0)
        flock(ss->out_fd, LOCK_UN);
    if (rc) {
        say_write_error("the CSV", ss->out_name, err ? err : EIO);
        return -1;
    }
    return 0;
}

/* The row's status as an exit status (the highest applies). */
static int status_code(const char *status)
{
    static const struct {
        const char *status;
        int code;
    } codes[] = {{"ok", EX_CB_OK},          {"skipped", EX_CB_OK},      {"errors", EX_CB_ERRORS},
                 {"limit", EX_CB_LIMIT},    {"timeout", EX_CB_TIMEOUT}, {"failed", EX_CB_FAILED},
                 {"crashed", EX_CB_FAILED}, {"interrupted", EX_CB_OK}};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (!strcmp(status, codes[i].status))
            return codes[i].code;
    return EX_CB_FAILED;
}

/* --- progress on stderr -------------------------------------------------- */

static const char *fmt_s(double s, char *buf, size_t len)
{
    if (s < 60)
        snprintf(buf, len, "%.1f s", s);
    else
        snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
    return buf;
}

/* "elapsed 12.0 s, ETA ~40 s": the time left is the expected time of the
 * runs left, plus each run's share of the overhead seen so far. */
static void put_elapsed(const struct session *ss)
{
    char a[32], b[32];
    double el = (double)(cb_now_ns() - ss->t0) / 1e9;
    double over = ss->done ? (el - (double)ss->expected_done / 1e9) / (double)ss->done : 0;
    double left =
        (double)ss->expected_left / 1e9 + (over > 0 ? over : 0) * (double)(ss->total - ss->done);
    fprintf(stderr, "elapsed %s", fmt_s(el, a, sizeof a));
    if (ss->total > 1 && ss->done < ss->total)
        fprintf(stderr, ", ETA ~%s", fmt_s(left, b, sizeof b));
}

static void progress_start(struct session *ss, const struct cb_strategy *s, size_t n, unsigned rep,
                           uint64_t expected)
{
    ss->cur_strategy = s->name;
    ss->cur_n = n;
    ss->cur_rep = rep;
    ss->cur_expected = expected;
    if (!ss->progress)
        return;
    char a[32];
    fprintf(stderr, "\r\033[K[%zu/%zu] %s %s n=%zu rep %u/%u: running, expected %s; ", ss->done + 1,
            ss->total, s->name, cb_wl(&ss->o->w)->name, n, rep, ss->o->reps,
            fmt_s((double)expected / 1e9, a, sizeof a));
    put_elapsed(ss);
    fflush(stderr);
}

static void progress_row(const struct session *ss, const struct cb_row *r)
{
    if (!ss->progress)
        return;
    fprintf(stderr, "\r\033[K[%zu/%zu] %s %s n=%llu rep %llu: %s", ss->done, ss->total, r->strategy,
            r->workload, (unsigned long long)r->n, (unsigned long long)r->rep, r->status);
    if (!isnan(r->wall_s))
        fprintf(stderr, ", wall %.3f s, cpu %.3f s", r->wall_s, r->user_s + r->sys_s);
    if (r->mem_kb != CB_NA)
        fprintf(stderr, ", mem %.1f MiB", (double)r->mem_kb / 1024);
    if (strcmp(r->status, "ok") && r->note[0])
        fprintf(stderr, " (%s)", r->note);
    fprintf(stderr, "; ");
    put_elapsed(ss);
    fputc('\n', stderr);
}

/* Called by cb_measure about every 250 ms: the line in progress. */
static void tick_cb(void *arg, uint64_t elapsed_ns, uint64_t mem_now_kb)
{
    const struct session *ss = arg;
    char a[32], b[32];
    fprintf(stderr, "\r\033[K[%zu/%zu] %s %s n=%zu rep %u/%u: %s of ~%s", ss->done + 1, ss->total,
            ss->cur_strategy, cb_wl(&ss->o->w)->name, ss->cur_n, ss->cur_rep, ss->o->reps,
            fmt_s((double)elapsed_ns / 1e9, a, sizeof a),
            fmt_s((double)ss->cur_expected / 1e9, b, sizeof b));
    if (mem_now_kb && mem_now_kb != CB_NA)
        fprintf(stderr, ", memory %.1f MiB", (double)mem_now_kb / 1024);
    fputs("; ", stderr);
    put_elapsed(ss);
    fflush(stderr);
}

/* --- the per-task file (--raw) --------------------------------------------- */

static const char raw_header[] = "strategy,workload,n,max_in_flight,server,rep,task,start_s,"
                                 "finish_s,latency_s,error,http_status\n";

/* Called by the verifier for every task, in order, after the run. */
static void each_task_cb(void *arg, size_t k, const struct cb_task *t, const char *verdict,
                         uint64_t t0_ns)
{
    struct session *ss = arg;
    ss->t0_ns = t0_ns;
    if (k >= ss->cap_tasks) {
        size_t cap = ss->cap_tasks ? ss->cap_tasks * 2 : 1024;
        while (cap <= k)
            cap *= 2;
        struct raw_task *p = realloc(ss->tasks, cap * sizeof *p);
        if (!p)
            return; /* said when written: fewer tasks than n */
        ss->tasks = p;
        ss->cap_tasks = cap;
    }
    ss->tasks[k] = (struct raw_task){t->started_ns, t->finished_ns, t->aux, verdict};
    ss->ntasks = k + 1 > ss->ntasks ? k + 1 : ss->ntasks;
}

static void put_rel(FILE *f, uint64_t t, uint64_t t0)
{
    if (t && t >= t0)
        fprintf(f, "%.9f", (double)(t - t0) / 1e9);
}

/* The tasks of the run just measured, one line each. 0 or -1 (said). */
static int write_raw(struct session *ss, const struct cb_row *r)
{
    FILE *f = ss->raw.f;
    uint64_t t0 = ss->t0_ns;
    int wl = cb_workload_find(r->workload); /* the status column: a target's answer */
    for (size_t k = 0; k < ss->ntasks; k++) {
        const struct raw_task *t = &ss->tasks[k];
        cb_csv_put_str(f, r->strategy);
        fprintf(f, ",%s,%llu,%llu,", r->workload, (unsigned long long)r->n,
                (unsigned long long)r->max_in_flight);
        cb_csv_put_str(f, r->server);
        fprintf(f, ",%llu,%zu,", (unsigned long long)r->rep, k);
        put_rel(f, t->started_ns, t0);
        putc(',', f);
        put_rel(f, t->finished_ns, t0);
        putc(',', f);
        if (t->started_ns && t->finished_ns >= t->started_ns)
            fprintf(f, "%.9f", (double)(t->finished_ns - t->started_ns) / 1e9);
        fprintf(f, ",%s,", t->verdict ? t->verdict : "not_run");
        if (wl >= 0 && cb_workload_types[wl]->target && CB_AUX_STATUS(t->aux))
            fprintf(f, "%u", CB_AUX_STATUS(t->aux));
        putc('\n', f);
    }
    ss->ntasks = 0;
    if (ferror(f)) {
        say_write_error("the per-task CSV", ss->o->raw, errno ? errno : EIO);
        return -1;
    }
    return 0;
}

/* --- the test server and foreign URLs ------------------------------------ */

static int start_server(struct session *ss)
{
    struct opts *o = ss->o;
    struct srv_config c;
    srv_config_default(&c);
    c.model = o->server_model;
    c.workers = o->server_workers;
    c.latency_ns = o->latency_ns;
    c.body_bytes = o->body_bytes;
    if (o->listen)
        c.host = o->listen;
    int rc = srv_spawn(&c, &ss->srv);
    const char *pkg = rc == -ENOENT ? srv_missing_package(c.model) : NULL;
    if (pkg) {
        /* A real framework that is not installed: every run of the sweep
         * is a skipped row that names the package, never a failed bench. */
        snprintf(ss->srv_skip, sizeof ss->srv_skip,
                 "the %s server needs Debian package(s) %s (scripts/install-deps.sh python)",
                 srv_model_name(c.model), pkg);
        snprintf(ss->server, sizeof ss->server, "%s", srv_model_name(c.model));
        ss->target = "test-server";
        ss->url = strdup("http://127.0.0.1:1/");
        ss->per_task_ns = o->latency_ns;
        fprintf(stderr, "concbench: %s\n", ss->srv_skip);
        return ss->url ? 0 : -ENOMEM;
    }
    if (rc) {
        fprintf(stderr, "concbench: cannot start the test server on %s: %s\n", c.host,
                strerror(-rc));
        return rc;
    }
    ss->have_srv = 1;
    /* The client connects where the server listens; a wildcard bind is
     * reached through loopback. */
    const char *host = !strcmp(c.host, "0.0.0.0") ? "127.0.0.1"
                       : !strcmp(c.host, "::")    ? "::1"
                                                  : c.host;
    size_t len = strlen(host) + 32;
    ss->url = malloc(len);
    if (!ss->url)
        return -ENOMEM;
    snprintf(ss->url, len, strchr(host, ':') ? "http://[%s]:%d/" : "http://%s:%d/", host,
             ss->srv.port);
    /* The row names the test server, not its port, which changes every
     * time: rows of two sweeps must summarise together. */
    ss->target = "test-server";
    srv_label(&c, ss->server, sizeof ss->server);
    ss->expect_checksum = cb_body_checksum(o->body_bytes);
    ss->per_task_ns = o->latency_ns;
    return 0;
}

/*
 * A foreign server, probed: 3 GETs by the harness itself (probe.h), one
 * after another; budgets and timeouts are planned from the median (or from
 * --expect-latency), which goes on stderr and into every row's note. With
 * --expect-bytes or --expect-sha256 the probe's body must meet them and
 * every task's body must then be that body. A probe that fails is said and
 * the runs go on, planned for 1 s a GET: their rows show what the server
 * does. 0, or -1 when the body does not meet the expectation (said).
 */
static int probe_url(struct session *ss)
{
    struct opts *o = ss->o;
    struct cb_probe p[3];
    uint64_t lat[3];
    char a[32], why[256];
    size_t ok = 0;
    ss->url = strdup(o->url);
    ss->target = o->url;
    snprintf(ss->server, sizeof ss->server, "external");
    ss->per_task_ns = 1000000000u;
    for (size_t i = 0; i < 3; i++)
        if (cb_probe(o->url, o->w.timeout_ns, &p[ok]) == 0)
            lat[ok] = p[ok].latency_ns, ok++;
    if (ok) {
        for (size_t i = 1; i < ok; i++) /* three values: insertion sort */
            for (size_t k = i; k > 0 && lat[k] < lat[k - 1]; k--) {
                uint64_t t = lat[k];
                lat[k] = lat[k - 1], lat[k - 1] = t;
            }
        ss->per_task_ns = lat[ok / 2];
        snprintf(ss->probe_note, sizeof ss->probe_note,
                 "probe: %s a GET (median of %zu, status %ld)",
                 cb_fmt_duration(ss->per_task_ns, a, sizeof a), ok, p[0].status);
    } else {
        snprintf(ss->probe_note, sizeof ss->probe_note, "probe failed: %.60s", p[0].error);
    }
    if (o->expect_ns) {
        ss->per_task_ns = o->expect_ns;
        size_t len = strlen(ss->probe_note);
        snprintf(ss->probe_note + len, sizeof ss->probe_note - len,
                 "; planned for %s a GET "
                 "(--expect-latency)",
                 cb_fmt_duration(o->expect_ns, a, sizeof a));
    } else if (!ok) {
        size_t len = strlen(ss->probe_note);
        snprintf(ss->probe_note + len, sizeof ss->probe_note - len, "; planned for 1 s a GET");
    }
    if (!o->quiet || !ok)
        fprintf(stderr, "concbench: %s: %s\n", o->url, ss->probe_note);
    if (!o->expect_bytes && !o->expect_sha256)
        return 0;
    if (!ok) {
        fprintf(stderr, "concbench: cannot check --expect-bytes/--expect-sha256 without a body\n");
        return -1;
    }
    if (cb_probe_expect(&p[0], o->expect_bytes, o->expect_sha256, &ss->expect_checksum,
                        &ss->expect_label, why, sizeof why)) {
        fprintf(stderr, "concbench: %s: %s\n", o->url, why);
        return -1;
    }
    return 0;
}

/* --- the runs ------------------------------------------------------------- */

/* How many requests the test server serves at once; 0: no bound. */
static uint64_t server_workers(const struct opts *o)
{
    struct srv_config c = {.model = o->server_model, .workers = o->server_workers};
    return !cb_wl(&o->w)->target || o->url ? 0 : (uint64_t)srv_concurrency(&c);
}

static uint64_t expected_ns(const struct session *ss, const struct cb_strategy *s, size_t n)
{
    struct cb_workload w = ss->o->w;
    w.n = n;
    return cb_expected_ns(s, &w, cb_wl(&w)->task_ns(&w, ss->per_task_ns), server_workers(ss->o));
}

/* Why this configuration is skipped (into buf), or NULL to run it. */
static const char *skip_reason(const struct session *ss, const struct cb_strategy *s, size_t n,
                               const char *limit_at, char *buf, size_t len)
{
    const struct opts *o = ss->o;
    if (ss->srv_skip[0])
        return ss->srv_skip;
    if (limit_at) {
        snprintf(buf, len, "%s already hit %s", s->name, limit_at);
        return buf;
    }
    uint64_t exp = expected_ns(ss, s, n);
    if (o->budget_ns && exp > o->budget_ns) {
        char a[32], b[32];
        int one = (s->flags & CB_ONE_AT_A_TIME) != 0;
        snprintf(buf, len, "expected %s > budget %s (%s)", cb_fmt_duration(exp, a, sizeof a),
                 cb_fmt_duration(o->budget_ns, b, sizeof b),
                 one                 ? "one at a time: N x D"
                 : server_workers(o) ? "blocking server: ceil(N/W) x L"
                                     : "pool: ceil(N/W) x D");
        return buf;
    }
    return NULL;
}

static void row_key(const struct session *ss, const struct cb_strategy *s, size_t n,
                    struct cb_row *r)
{
    const struct opts *o = ss->o;
    cb_row_init(r);
    snprintf(r->strategy, sizeof r->strategy, "%s", s->name);
    snprintf(r->workload, sizeof r->workload, "%s", cb_wl(&o->w)->name);
    r->n = n;
    r->max_in_flight = o->w.max_in_flight;
    /* What a task takes: the workload's, against a foreign server unknown. */
    r->duration_s = cb_wl(&o->w)->target && o->url
                        ? NAN
                        : (double)cb_wl(&o->w)->task_ns(&o->w, o->latency_ns) / 1e9;
    if (cb_wl(&o->w)->target) {
        snprintf(r->target, sizeof r->target, "%s", ss->target);
        snprintf(r->server, sizeof r->server, "%s", ss->server);
    }
}

/* The note gets the probe's figure, for rows against a foreign server. */
static void add_probe_note(const struct session *ss, struct cb_row *r)
{
    if (!ss->probe_note[0])
        return;
    size_t len = strlen(r->note);
    snprintf(r->note + len, sizeof r->note - len, "%s%s", len ? "; " : "", ss->probe_note);
}

/* After a row: the human summary of a finished configuration. */
static void show_config(struct session *ss, size_t first)
{
    if (ss->human && ss->rows.n > first)
        cb_print_config(stdout, &ss->rows, first, ss->rows.n - first);
    if (fflush(stdout) && !ss->stdout_err)
        ss->stdout_err = errno ? errno : EIO; /* said once, at the end */
}

/* A run is done (or skipped): its expected time is no longer ahead. */
static void take_expected(struct session *ss, uint64_t ns)
{
    ss->expected_left -= ns < ss->expected_left ? ns : ss->expected_left;
}

/* Run one configuration's repetitions. 0, or -1 when the session must stop
 * (an output failure, an interruption; said). */
/*
 * 1 when the test server is gone (crashed, killed): the row just measured
 * says so in its note, stderr says so, and the sweep stops. The server is
 * reaped here, so srv_stop has nothing left to do.
 */
static int server_died(struct session *ss, struct cb_row *r)
{
    int st;
    if (!ss->have_srv || ss->srv.pid <= 0 || waitpid(ss->srv.pid, &st, WNOHANG) != ss->srv.pid)
        return 0;
    char how[64];
    if (WIFSIGNALED(st))
        snprintf(how, sizeof how, "killed by SIG%s",
                 sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
    else
        snprintf(how, sizeof how, "exit %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    size_t l = strlen(r->note);
    snprintf(r->note + l, sizeof r->note - l, "%sthe test server died during this run (%s)",
             l ? "; " : "", how);
    if (!strcmp(r->status, "ok"))
        snprintf(r->status, sizeof r->status, "failed");
    fprintf(stderr, "\nconcbench: the test server (%s, pid %d) died (%s); the sweep stops here\n",
            ss->server, (int)ss->srv.pid, how);
    cb_proc_kill_group(ss->srv.pid); /* its workers, if any are left */
    ss->srv.pid = 0;
    ss->have_srv = 0;
    return 1;
}

/* The row of a configuration that is not run, and why; put_row's result.
 * limited: it had been planned as runs (a limit came first). */
static int put_skipped(struct session *ss, const struct cb_strategy *s, size_t n, const char *skip,
                       int limited, uint64_t exp)
{
    struct cb_row *r = malloc(sizeof *r);
    if (!r)
        return -1;
    row_key(ss, s, n, r);
    r->rep = 1;
    snprintf(r->status, sizeof r->status, "skipped");
    snprintf(r->note, sizeof r->note, "%s", skip);
    add_probe_note(ss, r);
    if (limited) { /* planned as runs: one row stands for them now */
        ss->total -= ss->o->reps - 1;
        take_expected(ss, exp * ss->o->reps);
    }
    ss->done++;
    progress_row(ss, r);
    int rc = put_row(ss, r);
    free(r);
    return rc;
}

/* What cb_measure runs for strategy s at n; r gets the row's key. */
static void make_spec(struct session *ss, const struct cb_strategy *s, size_t n, uint64_t exp,
                      struct cb_row *r, struct cb_spec *spec)
{
    const struct opts *o = ss->o;
    *spec = (struct cb_spec){.strategy = s,
                             .w = o->w,
                             .expect_checksum = ss->expect_checksum,
                             .expect_label = ss->expect_label,
                             .no_cgroup = o->no_cgroup,
                             .tick = ss->progress ? tick_cb : NULL,
                             .tick_arg = ss,
                             .each_task = ss->raw.f ? each_task_cb : NULL,
                             .each_arg = ss,
                             .server = ss->server,
                             .target = ss->target};
    spec->w.n = n;
    spec->w.url = ss->url;
    row_key(ss, s, n, r);
    spec->duration_s = r->duration_s;
    spec->run_timeout_ns = o->run_timeout_ns                       ? o->run_timeout_ns
                           : exp > (UINT64_MAX - 60000000000u) / 3 ? UINT64_MAX
                                                                   : 3 * exp + 60000000000u;
}

/* One repetition's row r is in: count it, show it, write it. 0 to go on,
 * 1 when the other repetitions are pointless (a timeout), -1 to stop. */
static int after_rep(struct session *ss, struct cb_row *r, size_t n, uint64_t exp, char *limit_at,
                     size_t limit_len)
{
    int rc = 0;
    take_expected(ss, exp);
    add_probe_note(ss, r);
    if (server_died(ss, r))
        rc = -1; /* the runs after it would only measure refusals */
    ss->done++;
    ss->expected_done += exp;
    progress_row(ss, r);
    if (put_row(ss, r) || (ss->raw.f && write_raw(ss, r))) {
        ss->status = EX_CB_HARNESS;
        rc = -1;
    }
    int code = status_code(r->status);
    ss->status = code > ss->status ? code : ss->status;
    if (!strcmp(r->status, "limit"))
        snprintf(limit_at, limit_len, "a limit at n=%zu", n);
    if (cb_interrupt_signal())
        rc = -1;
    /* A run killed at its timeout would be killed again: the other
     * repetitions and every larger N are skipped rows that say so. */
    if (!strcmp(r->status, "timeout")) {
        snprintf(limit_at, limit_len, "its run timeout at n=%zu", n);
        rc = rc ? rc : 1;
    }
    return rc;
}

/* Every repetition of strategy s at n, or the one row that says why not.
 * limit_at: where s stopped at a smaller n ("" if it did not), updated. */
static int run_config(struct session *ss, const struct cb_strategy *s, size_t n, char *limit_at,
                      size_t limit_len)
{
    char why[CB_STR_MAX];
    size_t first = ss->rows.n;
    uint64_t exp = expected_ns(ss, s, n);
    const char *skip = skip_reason(ss, s, n, limit_at[0] ? limit_at : NULL, why, sizeof why);
    struct cb_row *r = skip ? NULL : malloc(sizeof *r);
    int rc = 0;
    if (skip) {
        rc = put_skipped(ss, s, n, skip, limit_at[0] != 0, exp);
        show_config(ss, first);
        return rc;
    }
    if (!r)
        return -1;
    struct cb_spec spec;
    make_spec(ss, s, n, exp, r, &spec);
    for (unsigned rep = 1; rep <= ss->o->reps && !rc; rep++) {
        progress_start(ss, s, n, rep, exp);
        int mrc = cb_measure(&spec, r);
        if (mrc) {
            fprintf(stderr, "\nconcbench: cannot start a measurement: %s\n", strerror(-mrc));
            ss->status = EX_CB_HARNESS;
            rc = -1;
            break;
        }
        r->rep = rep;
        rc = after_rep(ss, r, n, exp, limit_at, limit_len);
    }
    show_config(ss, first);
    free(r);
    return rc < 0 ? rc : 0;
}

/* Write one export file whole; 0 or EX_CB_HARNESS (said). */
static int write_export(const char *path, const char *what, struct session *ss,
                        int (*fn)(FILE *, const struct cb_rows *, const char *))
{
    struct cb_outfile f;
    int rc = cb_outfile_open(&f, path);
    if (rc) {
        say_write_error(what, path, -rc);
        return EX_CB_HARNESS;
    }
    errno = 0;
    fn(f.f, &ss->rows, ss->o->command);
    if ((rc = cb_outfile_commit(&f))) {
        say_write_error(what, path, -rc);
        return EX_CB_HARNESS;
    }
    return 0;
}

static int session_open(struct session *ss)
{
    struct opts *o = ss->o;
    ss->out_fd = -1;
    ss->human = !o->csv;
    ss->progress = !o->quiet && isatty(STDERR_FILENO);
    ss->t0 = cb_now_ns();
    if (o->csv) {
        ss->out = stdout;
        ss->out_name = "stdout";
        if (cb_csv_write_header(stdout)) {
            say_write_error("the CSV", "stdout", errno ? errno : EIO);
            return -1;
        }
    }
    if (o->output && open_output(ss))
        return -1;
    if (o->raw) {
        int rc = cb_outfile_open(&ss->raw, o->raw);
        if (rc || fputs(raw_header, ss->raw.f) == EOF) {
            say_write_error("the per-task CSV", o->raw, rc ? -rc : errno);
            return -1;
        }
    }
    if (cb_wl(&o->w)->target) {
        if (o->url ? probe_url(ss) : start_server(ss))
            return -1;
    }
    /* The plan: a configuration over the budget is one row and no time. */
    for (size_t i = 0; i < o->nstrategies; i++)
        for (size_t j = 0; j < o->nns; j++) {
            uint64_t exp = expected_ns(ss, o->strategies[i], o->ns[j]);
            int over = o->budget_ns && exp > o->budget_ns;
            uint64_t e = over ? 0 : exp * o->reps;
            ss->total += over ? 1 : o->reps;
            ss->expected_left =
                e > UINT64_MAX - ss->expected_left ? UINT64_MAX : ss->expected_left + e;
        }
    return 0;
}

/* Close every output of the session, ss->status saying whether all were
 * written. opened: the runs began (or rows exist): files are committed,
 * not discarded. */
static void session_close(struct session *ss, int opened)
{
    const struct opts *o = ss->o;
    if (ss->out && ss->out != stdout && fclose(ss->out)) {
        say_write_error("the CSV", o->output, errno);
        ss->status = EX_CB_HARNESS;
    }
    if (ss->raw.f) {
        int r = opened ? cb_outfile_commit(&ss->raw) : (cb_outfile_abort(&ss->raw), 0);
        if (r) {
            say_write_error("the per-task CSV", o->raw, -r);
            ss->status = EX_CB_HARNESS;
        }
    }
    free(ss->tasks);
    ss->tasks = NULL;
    if (opened && o->json && write_export(o->json, "the JSON export", ss, cb_export_json))
        ss->status = EX_CB_HARNESS;
    if (opened && o->markdown &&
        write_export(o->markdown, "the Markdown export", ss, cb_export_markdown))
        ss->status = EX_CB_HARNESS;
    if (fflush(stdout) && !ss->stdout_err)
        ss->stdout_err = errno ? errno : EIO;
    if (ss->stdout_err && ss->out != stdout) { /* the CSV on stdout said it already */
        say_write_error("the summary", "stdout", ss->stdout_err);
        ss->status = EX_CB_HARNESS;
    }
}

static int cmd_run(int argc, char **argv, int sweep)
{
    struct opts o;
    int rc = parse_opts(argc, argv, &o, sweep);
    if (rc) {
        opts_free(&o);
        return rc < 0 ? EX_CB_OK : rc;
    }
    cb_machine_set_command(o.command);
    cb_interrupt_install();
    /* The cgroups of runs whose concbench was killed with SIGKILL (their
     * processes died with it; the empty directories stay): remove them. */
    if (!o.no_cgroup)
        cb_cgroup_sweep_stale();
    struct session ss = {.o = &o};
    int stop = session_open(&ss) ? -1 : 0;
    if (stop)
        ss.status = EX_CB_HARNESS;
    for (size_t i = 0; i < o.nstrategies && !stop; i++) {
        char limit_at[64] = "";
        for (size_t j = 0; j < o.nns && !stop; j++)
            stop = run_config(&ss, o.strategies[i], o.ns[j], limit_at, sizeof limit_at);
    }
    if (ss.have_srv)
        srv_stop(&ss.srv);
    if (ss.human && sweep && !cb_interrupt_signal())
        cb_print_comparisons(stdout, &ss.rows);
    session_close(&ss, !stop || ss.rows.n);
    int sig = cb_interrupt_signal();
    if (sig)
        fprintf(stderr, "concbench: interrupted by %s; %zu rows written\n", sigabbrev_np(sig),
                ss.rows.n);
    rc = sig                                              ? EX_CB_SIGNAL + sig
         : o.ignore_failure && ss.status != EX_CB_HARNESS ? EX_CB_OK
                                                          : ss.status;
    free(ss.url);
    cb_rows_free(&ss.rows);
    opts_free(&o);
    return rc;
}

/* --- the small commands -------------------------------------------------- */

/* Parse a command with no options but --help (and list's --tsv). Returns
 * 0 to go on, -1 after --help, or the usage status. */
static int simple_opts(const char *cmd, unsigned bit, int argc, char **argv, int *tsv,
                       const char **pos, const char **output)
{
    struct cb_optparse p;
    int id;
    cb_opt_begin(&p, options, NOPTIONS, bit, argc, argv);
    while ((id = cb_opt_next(&p)) != CB_OPT_END) {
        if (id == O_HELP) {
            usage_cmd(stdout, find_command(cmd));
            return -1;
        } else if (id == O_TSV) {
            *tsv = 1;
        } else if (id == O_OUTPUT) {
            *output = p.arg;
        } else if (id == CB_OPT_POSITIONAL && pos && !*pos) {
            *pos = p.arg;
        } else if (id == CB_OPT_POSITIONAL) {
            return fail(cmd, "unexpected argument '%s'", p.arg);
        } else if (id == CB_OPT_NOVALUE) {
            return fail(cmd, "%s needs a value", p.word);
        } else {
            return fail(cmd, "unknown option '%s'", p.word);
        }
    }
    return 0;
}

/* "sleep,http": the workloads s implements. */
static const char *workloads_of(const struct cb_strategy *s, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int k = 0; k < CB_KIND_COUNT; k++)
        if (cb_strategy_does(s, (enum cb_kind)k))
            off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "",
                                    cb_workload_types[k]->name);
    return buf;
}

/* `concbench serve`: the test server in the foreground, until a signal. */
static int cmd_serve(int argc, char **argv)
{
    struct srv_config c;
    struct cb_optparse p;
    char name[64];
    int id;
    srv_config_default(&c);
    cb_opt_begin(&p, options, NOPTIONS, C_SERVE, argc, argv);
    while ((id = cb_opt_next(&p)) != CB_OPT_END) {
        if (id == O_HELP) {
            usage_cmd(stdout, find_command("serve"));
            return EX_CB_OK;
        } else if (id == CB_OPT_POSITIONAL) {
            return fail("serve", "unexpected argument '%s'", p.arg);
        } else if (id == CB_OPT_NOVALUE) {
            return fail("serve", "%s needs a value", p.word);
        } else if (id < 0) {
            return fail("serve", "unknown option '%s'", p.word);
        } else if (srv_option(&c, p.opt->name, p.arg)) {
            return fail("serve", "bad value for %s: '%s'", cb_opt_display(p.opt, name, sizeof name),
                        p.arg);
        }
    }
    return srv_serve(&c);
}

static int cmd_list(int argc, char **argv)
{
    int tsv = 0, rc = simple_opts("list", C_LIST, argc, argv, &tsv, NULL, NULL);
    if (rc)
        return rc < 0 ? EX_CB_OK : rc;
    if (tsv)
        printf("name\tlanguage\tkind\tworkloads\tavailable\tversion\tcolor\tsummary\n");
    for (size_t i = 0; cb_strategies[i]; i++) {
        const struct cb_strategy *s = cb_strategies[i];
        char why[256], version[128], wl[32];
        int avail = cb_strategy_available(s, why, sizeof why);
        if (!tsv) {
            /* name TAB summary: scripts cut -f1 */
            printf("%s\t%s%s%s%s\n", s->name, s->summary,
                   avail ? "" : " [not available: ", avail ? "" : why, avail ? "" : "]");
            continue;
        }
        if (!avail || cb_strategy_version(s, version, sizeof version))
            version[0] = '\0';
        version[strcspn(version, "\t\n")] = '\0';
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s->name, cb_strategy_language(s),
               s->external ? "external" : "c", workloads_of(s, wl, sizeof wl), avail ? "yes" : "no",
               version, cb_strategy_color(s), avail ? s->summary : why);
    }
    if (fflush(stdout) || ferror(stdout)) {
        say_write_error("the list", "stdout", errno ? errno : EIO);
        return EX_CB_HARNESS;
    }
    return EX_CB_OK;
}

static int cmd_machine(int argc, char **argv)
{
    int tsv = 0, rc = simple_opts("machine", C_MACHINE, argc, argv, &tsv, NULL, NULL);
    if (rc)
        return rc < 0 ? EX_CB_OK : rc;
    return cb_machine_write(stdout) ? EX_CB_HARNESS : EX_CB_OK;
}

/* 1 when a and b name the same file (both exist). */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

static int cmd_summarize(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    int tsv = 0, rc = simple_opts("summarize", C_SUMMARIZE, argc, argv, &tsv, &in, &out);
    if (rc)
        return rc < 0 ? EX_CB_OK : rc;
    if (!in)
        return fail("summarize", "which runs CSV? concbench summarize RUNS.csv [-o SUMMARY.csv]");
    if (out && same_file(in, out))
        return fail("summarize", "-o %s is the input file: the summary would overwrite the runs",
                    out);
    FILE *fi = fopen(in, "re");
    if (!fi) {
        fprintf(stderr, "concbench summarize: cannot read %s: %s\n", in, strerror(errno));
        return EX_CB_HARNESS;
    }
    struct cb_outfile fo = {.f = stdout};
    if (out && (rc = cb_outfile_open(&fo, out))) {
        fprintf(stderr, "concbench summarize: cannot write the summary to %s: %s\n", out,
                strerror(-rc));
        fclose(fi);
        return EX_CB_HARNESS;
    }
    errno = 0;
    rc = cb_summarize(fi, fo.f, in);
    int err = errno;
    fclose(fi);
    if (rc == -EIO && !out)
        fprintf(stderr, "concbench summarize: cannot write the summary to stdout: %s\n",
                strerror(err ? err : EIO));
    if (!out)
        return rc ? EX_CB_HARNESS : EX_CB_OK;
    if (rc) {
        if (rc == -EIO)
            fprintf(stderr, "concbench summarize: cannot write the summary to %s: %s\n", out,
                    strerror(err ? err : EIO));
        cb_outfile_abort(&fo);
        return EX_CB_HARNESS;
    }
    if ((rc = cb_outfile_commit(&fo))) {
        fprintf(stderr, "concbench summarize: cannot write the summary to %s: %s\n", out,
                strerror(-rc));
        return EX_CB_HARNESS;
    }
    return EX_CB_OK;
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        usage_top(stdout);
        return EX_CB_OK;
    }
    const struct command *c = find_command(argv[1]);
    if (!c) {
        fprintf(stderr, "concbench help: unknown command '%s'\n\n", argv[1]);
        usage_top(stderr);
        return EX_CB_USAGE;
    }
    usage_cmd(stdout, c);
    return EX_CB_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage_top(stderr);
        return EX_CB_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help"))
        return cmd_help(1, argv + 1);
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("concbench %s\n", CB_VERSION);
        return EX_CB_OK;
    }
    cb_raise_nofile(); /* what every run inherits */
    int rc;
    if (!strcmp(cmd, "_child"))
        return cb_child_main(); /* a measured C run (child.h) */
    else if (!strcmp(cmd, "list"))
        rc = cmd_list(argc - 1, argv + 1);
    else if (!strcmp(cmd, "run"))
        rc = cmd_run(argc - 1, argv + 1, 0);
    else if (!strcmp(cmd, "sweep"))
        rc = cmd_run(argc - 1, argv + 1, 1);
    else if (!strcmp(cmd, "summarize"))
        rc = cmd_summarize(argc - 1, argv + 1);
    else if (!strcmp(cmd, "serve"))
        rc = cmd_serve(argc - 1, argv + 1);
    else if (!strcmp(cmd, "machine"))
        rc = cmd_machine(argc - 1, argv + 1);
    else if (!strcmp(cmd, "help"))
        rc = cmd_help(argc - 1, argv + 1);
    else {
        fprintf(stderr, "concbench: unknown command '%s'; the commands are: ", cmd);
        for (size_t i = 0; i < NCOMMANDS; i++)
            fprintf(stderr, "%s, ", commands[i].name);
        fprintf(stderr, "help (`concbench help`)\n");
        rc = EX_CB_USAGE;
    }
    return rc;
}
