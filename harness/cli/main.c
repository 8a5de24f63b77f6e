/* main.c: the concbench command line. Only main() exits. */
#include "body.h"
#include "csv.h"
#include "machine.h"
#include "child.h"
#include "measure.h"
#include "proc.h"
#include "parse.h"
#include "server.h"
#include "stats.h"
#include "strategy.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define MAX_LIST 64

static const char usage_top[] =
    "usage: concbench COMMAND [options]\n"
    "\n"
    "Measures how concurrency strategies run the same I/O-bound work.\n"
    "\n"
    "commands:\n"
    "  list        the strategies\n"
    "  run         one strategy, one N, in a fresh process per repetition\n"
    "  sweep       strategies x N list x repetitions, CSV row by row\n"
    "  summarize   medians, min, max per configuration of a runs CSV\n"
    "  serve       the test HTTP server (controlled latency)\n"
    "  machine     the machine record written beside results\n"
    "\n"
    "`concbench COMMAND --help` for a command's options and examples.\n";

static const char usage_run[] =
    "usage: concbench %s [options]\n"
    "\n"
    "  -s, --strategy LIST     %s\n"
    "  -w, --workload KIND     sleep (default) or http\n"
    "  -n, --n LIST            number of tasks%s (10k and 1M work)\n"
    "  -d, --duration DUR      sleep: each task waits DUR (default 1s)\n"
    "  -r, --reps R            repetitions (default %s)\n"
    "      --max-in-flight W   a pool of W threads/processes/slots (default: all at once)\n"
    "  -u, --url URL           http: GET this URL instead of starting the test server\n"
    "      --latency DUR       http: test server latency L (default 1s)\n"
    "      --server-model M    http: event (default), blocking or prefork\n"
    "      --server-workers W  http: workers of a blocking/prefork server (default 1)\n"
    "      --body BYTES        http: response body size (default 64)\n"
    "      --task-timeout DUR  per task (default 60s)\n"
    "      --run-timeout DUR   kill a run after DUR (default 3 x expected + 60s)\n"
    "      --budget DUR        skip, with a row that says why, a run expected to take\n"
    "                          longer than DUR (default %s)\n"
    "  -o, --output FILE       append CSV rows to FILE (header if new) and write\n"
    "                          machine.txt beside it; default: CSV on stdout\n"
    "  -q, --quiet             no progress on stderr\n"
    "\n"
    "DUR: 1s, 250ms, 100us, 2.5s (a plain number is seconds).\n"
    "\n"
    "examples:\n"
    "%s";

static const char examples_run[] =
    "  concbench run -s epoll -n 1000000 -d 1s\n"
    "  concbench run -s threads -n 40000 -r 3 -o results/threads.csv\n"
    "  concbench run -s coro -w http -n 1000 --latency 1s\n"
    "  concbench run -s epoll -w http -n 100 --server-model blocking --server-workers 2\n";
static const char examples_sweep[] =
    "  concbench sweep -n 1,10,100,1000,10000 -r 3 -o results/now/runs.csv\n"
    "  concbench sweep -s epoll,coro -n 1k,10k,100k,1M -d 1s --budget 30s\n"
    "  concbench sweep -w http -s sequential,epoll -n 3,100 --latency 1s\n";

struct opts {
    const char *strategies[MAX_LIST];
    size_t nstrategies;
    uint64_t ns[MAX_LIST];
    size_t nns;
    struct cb_workload w;
    unsigned reps;
    uint64_t latency_ns, budget_ns, run_timeout_ns;
    enum srv_model server_model;
    int server_workers;
    uint64_t body_bytes;
    const char *url, *output;
    int quiet;
};

static int fail(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "concbench %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(`concbench %s --help` for usage)\n", cmd);
    return 2;
}

static int parse_strategies(struct opts *o, const char *list)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    o->nstrategies = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        const struct cb_strategy *s = cb_strategy_find(t);
        if (!s || o->nstrategies == MAX_LIST)
            return -EINVAL;
        o->strategies[o->nstrategies++] = s->name;
    }
    return o->nstrategies ? 0 : -EINVAL;
}

static int parse_opts(int argc, char **argv, struct opts *o, int sweep)
{
    enum { O_MIF = 256, O_LAT, O_SM, O_SW, O_BODY, O_TT, O_RT, O_BUDGET };
    static const struct option lo[] = {
        {"strategy", 1, 0, 's'},
        {"workload", 1, 0, 'w'},
        {"n", 1, 0, 'n'},
        {"duration", 1, 0, 'd'},
        {"reps", 1, 0, 'r'},
        {"max-in-flight", 1, 0, O_MIF},
        {"url", 1, 0, 'u'},
        {"latency", 1, 0, O_LAT},
        {"server-model", 1, 0, O_SM},
        {"server-workers", 1, 0, O_SW},
        {"body", 1, 0, O_BODY},
        {"task-timeout", 1, 0, O_TT},
        {"run-timeout", 1, 0, O_RT},
        {"budget", 1, 0, O_BUDGET},
        {"output", 1, 0, 'o'},
        {"quiet", 0, 0, 'q'},
        {"help", 0, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *cmd = sweep ? "sweep" : "run";
    uint64_t v;
    int c;
    *o = (struct opts){.reps = sweep ? 3 : 1,
                       .latency_ns = 1000000000u,
                       .budget_ns = sweep ? 60000000000u : 0,
                       .server_workers = 1,
                       .body_bytes = 64};
    o->w =
        (struct cb_workload){.kind = CB_SLEEP, .sleep_ns = 1000000000u, .timeout_ns = 60000000000u};
    if (sweep) {
        for (size_t i = 0; cb_strategies[i] && i < MAX_LIST; i++)
            o->strategies[o->nstrategies++] = cb_strategies[i]->name;
        static const uint64_t dflt[] = {1, 10, 100, 1000, 10000};
        memcpy(o->ns, dflt, sizeof dflt);
        o->nns = 5;
    }
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:w:n:d:r:u:o:qh", lo, NULL)) != -1) {
        switch (c) {
        case 's':
            if (parse_strategies(o, optarg))
                return fail(cmd, "unknown strategy in '%s' (see `concbench list`)", optarg);
            if (!sweep && o->nstrategies != 1)
                return fail(cmd, "run takes one strategy, not '%s' (use sweep)", optarg);
            break;
        case 'w':
            if (strcmp(optarg, "sleep") && strcmp(optarg, "http"))
                return fail(cmd, "workload must be sleep or http, not '%s'", optarg);
            o->w.kind = strcmp(optarg, "http") ? CB_SLEEP : CB_HTTP;
            break;
        case 'n':
            if (cb_parse_count_list(optarg, o->ns, MAX_LIST, &o->nns))
                return fail(cmd, "-n wants counts like 100 or 1,10,1k, not '%s'", optarg);
            for (size_t i = 0; i < o->nns; i++)
                if (!o->ns[i])
                    return fail(cmd, "-n must be at least 1 (got '%s')", optarg);
            if (!sweep && o->nns != 1)
                return fail(cmd, "run takes one N, not '%s' (use sweep)", optarg);
            break;
        case 'd':
            if (cb_parse_duration(optarg, &o->w.sleep_ns))
                return fail(cmd, "bad duration '%s' (try 1s or 50ms)", optarg);
            break;
        case 'r':
            if (cb_parse_count(optarg, &v) || !v || v > 1000)
                return fail(cmd, "repetitions must be 1..1000, not '%s'", optarg);
            o->reps = (unsigned)v;
            break;
        case O_MIF:
            if (cb_parse_count(optarg, &v))
                return fail(cmd, "bad --max-in-flight '%s'", optarg);
            o->w.max_in_flight = v;
            break;
        case 'u':
            if (strncmp(optarg, "http://", 7) && strncmp(optarg, "https://", 8))
                return fail(cmd, "the URL must start with http:// or https://: '%s'", optarg);
            o->url = optarg;
            o->w.kind = CB_HTTP;
            break;
        case O_LAT:
            if (cb_parse_duration(optarg, &o->latency_ns))
                return fail(cmd, "bad latency '%s' (try 1s or 50ms)", optarg);
            break;
        case O_SM:
            if (srv_model_parse(optarg, &o->server_model))
                return fail(cmd, "server model must be event, blocking or prefork, not '%s'",
                            optarg);
            break;
        case O_SW:
            if (cb_parse_count(optarg, &v) || !v || v > 10000)
                return fail(cmd, "server workers must be 1..10000, not '%s'", optarg);
            o->server_workers = (int)v;
            break;
        case O_BODY:
            if (cb_parse_count(optarg, &o->body_bytes) || o->body_bytes > (1u << 30))
                return fail(cmd, "bad body size '%s' (bytes, at most 1 GiB)", optarg);
            break;
        case O_TT:
            if (cb_parse_duration(optarg, &o->w.timeout_ns) || !o->w.timeout_ns)
                return fail(cmd, "bad task timeout '%s'", optarg);
            break;
        case O_RT:
            if (cb_parse_duration(optarg, &o->run_timeout_ns))
                return fail(cmd, "bad run timeout '%s'", optarg);
            break;
        case O_BUDGET:
            if (cb_parse_duration(optarg, &o->budget_ns))
                return fail(cmd, "bad budget '%s'", optarg);
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'h':
            printf(usage_run, cmd,
                   sweep ? "comma-separated strategies (default: all)" : "the strategy (required)",
                   sweep ? ", comma-separated (default 1,10,100,1000,10000)" : " (default 3)",
                   sweep ? "3" : "1", sweep ? "60s" : "none",
                   sweep ? examples_sweep : examples_run);
            return 1;
        case ':':
            return fail(cmd, "%s needs a value", argv[optind - 1]);
        default:
            return fail(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return fail(cmd, "unexpected argument '%s'", argv[optind]);
    if (!sweep && !o->nstrategies)
        return fail(cmd, "%s", "which strategy? -s STRATEGY (see `concbench list`)");
    if (!sweep && !o->nns)
        o->ns[o->nns++] = 3;
    return 0;
}

/* --- runs --------------------------------------------------------------- */

struct session {
    struct opts *o;
    FILE *out;
    struct srv_handle srv;
    int have_srv;
    char url[256], target[256], server[64];
    uint64_t expect_checksum;
    size_t done, total;
};

static int start_server(struct session *ss)
{
    struct opts *o = ss->o;
    if (o->url) {
        snprintf(ss->url, sizeof ss->url, "%s", o->url);
        snprintf(ss->target, sizeof ss->target, "%s", o->url);
        snprintf(ss->server, sizeof ss->server, "external");
        return 0;
    }
    struct srv_config c;
    srv_config_default(&c);
    c.model = o->server_model;
    c.workers = o->server_workers;
    c.latency_ns = o->latency_ns;
    c.body_bytes = o->body_bytes;
    int rc = srv_spawn(&c, &ss->srv);
    if (rc) {
        fprintf(stderr, "concbench: cannot start the test server: %s\n", strerror(-rc));
        return rc;
    }
    ss->have_srv = 1;
    snprintf(ss->url, sizeof ss->url, "http://127.0.0.1:%d/", ss->srv.port);
    /* The row names the test server, not its port, which changes every
     * time: rows of two sweeps must summarise together. */
    snprintf(ss->target, sizeof ss->target, "test-server");
    srv_label(&c, ss->server, sizeof ss->server);
    ss->expect_checksum = cb_body_checksum(o->body_bytes);
    return 0;
}

static void progress(const struct session *ss, const struct cb_row *r, unsigned reps)
{
    if (ss->o->quiet)
        return;
    fprintf(stderr, "[%zu/%zu] %-10s %-5s n=%-7llu rep %llu/%u: ", ss->done, ss->total, r->strategy,
            r->workload, (unsigned long long)r->n, (unsigned long long)r->rep, reps);
    if (!isnan(r->wall_s))
        fprintf(stderr, "wall %.3f s, cpu %.3f s, mem %.1f MB, ", r->wall_s, r->user_s + r->sys_s,
                (double)r->mem_kb / 1024);
    fprintf(stderr, "%s%s%s\n", r->status, r->note[0] ? ": " : "", r->note);
}

/* How many requests the test server serves at once; 0: no bound. */
static uint64_t server_workers(const struct opts *o)
{
    struct srv_config c = {.model = o->server_model, .workers = o->server_workers};
    return o->w.kind != CB_HTTP || o->url ? 0 : (uint64_t)srv_concurrency(&c);
}

/* Why this configuration is skipped, or NULL to run it. */
static const char *skip_reason(struct session *ss, const char *strategy, size_t n,
                               const char *limit_at, char *buf, size_t len)
{
    struct opts *o = ss->o;
    struct cb_workload w = o->w;
    w.n = n;
    if (limit_at) {
        snprintf(buf, len, "%s already hit a limit at %s", strategy, limit_at);
        return buf;
    }
    uint64_t per = w.kind == CB_HTTP ? o->latency_ns : w.sleep_ns;
    uint64_t sw = server_workers(o);
    uint64_t exp = cb_expected_ns(cb_strategy_find(strategy), &w, per, sw);
    if (o->budget_ns && exp > o->budget_ns) {
        char a[32], b[32];
        snprintf(buf, len, "expected %s > budget %s (%s)", cb_fmt_duration(exp, a, sizeof a),
                 cb_fmt_duration(o->budget_ns, b, sizeof b),
                 (cb_strategy_find(strategy)->flags & CB_ONE_AT_A_TIME) ? "one at a time: N x D"
                 : sw ? "blocking server: ceil(N/W) x L"
                      : "pool: ceil(N/W) x D");
        return buf;
    }
    return NULL;
}

static int run_config(struct session *ss, const char *strategy, size_t n, char *limit_at,
                      size_t limit_len)
{
    struct opts *o = ss->o;
    struct cb_spec spec = {.strategy = cb_strategy_find(strategy),
                           .w = o->w,
                           .expect_checksum = ss->expect_checksum,
                           .server = ss->server,
                           .target = ss->target};
    spec.w.n = n;
    spec.w.url = ss->url;
    spec.duration_s = o->w.kind == CB_HTTP ? (o->url ? NAN : (double)o->latency_ns / 1e9)
                                           : (double)o->w.sleep_ns / 1e9;
    char why[CB_STR_MAX];
    const char *skip = skip_reason(ss, strategy, n, limit_at[0] ? limit_at : NULL, why, sizeof why);
    if (skip) {
        struct cb_row r;
        cb_row_init(&r);
        snprintf(r.strategy, sizeof r.strategy, "%s", strategy);
        snprintf(r.workload, sizeof r.workload, "%s", o->w.kind == CB_HTTP ? "http" : "sleep");
        r.n = n;
        r.max_in_flight = o->w.max_in_flight;
        r.duration_s = spec.duration_s;
        if (o->w.kind == CB_HTTP) {
            snprintf(r.target, sizeof r.target, "%s", ss->target);
            snprintf(r.server, sizeof r.server, "%s", ss->server);
        }
        r.rep = 1;
        snprintf(r.status, sizeof r.status, "skipped");
        snprintf(r.note, sizeof r.note, "%s", skip);
        ss->done += o->reps;
        progress(ss, &r, o->reps);
        return cb_csv_write_row(ss->out, &r);
    }
    uint64_t per = o->w.kind == CB_HTTP ? o->latency_ns : o->w.sleep_ns;
    uint64_t exp = cb_expected_ns(spec.strategy, &spec.w, per, server_workers(o));
    spec.run_timeout_ns = o->run_timeout_ns                       ? o->run_timeout_ns
                          : exp > (UINT64_MAX - 60000000000u) / 3 ? UINT64_MAX
                                                                  : 3 * exp + 60000000000u;
    for (unsigned rep = 1; rep <= o->reps; rep++) {
        struct cb_row r;
        int rc = cb_measure(&spec, &r);
        if (rc) {
            fprintf(stderr, "concbench: cannot start a measurement: %s\n", strerror(-rc));
            return rc;
        }
        r.rep = rep;
        ss->done++;
        progress(ss, &r, o->reps);
        if (cb_csv_write_row(ss->out, &r))
            return -EIO;
        if (!strcmp(r.status, "limit"))
            snprintf(limit_at, limit_len, "n=%zu", n);
    }
    return 0;
}

static FILE *open_output(const char *path)
{
    if (!path)
        return stdout;
    FILE *f = fopen(path, "ae"); /* e: not inherited by measured runs */
    if (!f)
        return NULL;
    if (ftell(f) == 0)
        cb_csv_write_header(f);
    /* The machine record goes beside the CSV, once. */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char mpath[4200];
    snprintf(mpath, sizeof mpath, "%s/machine.txt", dirname(dir));
    if (access(mpath, F_OK) != 0) {
        FILE *m = fopen(mpath, "w");
        if (m) {
            cb_machine_write(m);
            fclose(m);
        }
    }
    return f;
}

static int cmd_run(int argc, char **argv, int sweep)
{
    struct opts o;
    int rc = parse_opts(argc, argv, &o, sweep);
    if (rc)
        return rc == 1 ? 0 : rc;
    struct session ss = {.o = &o, .total = o.nstrategies * o.nns * o.reps};
    ss.out = open_output(o.output);
    if (!ss.out) {
        fprintf(stderr, "concbench: cannot write %s: %s\n", o.output, strerror(errno));
        return 1;
    }
    if (!o.output)
        cb_csv_write_header(stdout);
    if (o.w.kind == CB_HTTP && start_server(&ss)) {
        rc = 1;
        goto out;
    }
    for (size_t i = 0; i < o.nstrategies && !rc; i++) {
        char limit_at[32] = "";
        for (size_t j = 0; j < o.nns && !rc; j++)
            rc = run_config(&ss, o.strategies[i], o.ns[j], limit_at, sizeof limit_at);
    }
    if (rc)
        fprintf(stderr, "concbench: stopped: %s\n", strerror(-rc));
out:
    if (ss.have_srv)
        srv_stop(&ss.srv);
    if (ss.out != stdout)
        fclose(ss.out);
    return rc ? 1 : 0;
}

/* --- the small commands ------------------------------------------------- */

static int cmd_list(void)
{
    for (size_t i = 0; cb_strategies[i]; i++)
        printf("%s\t%s\n", cb_strategies[i]->name, cb_strategies[i]->summary);
    return 0;
}

static int cmd_summarize(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: concbench summarize RUNS.csv [-o SUMMARY.csv]\n\n"
                   "One row per configuration: median, min and max wall time over the\n"
                   "repetitions (noisy=1 when max/min > %.2f), medians of the rest.\n",
                   CB_NOISE_RATIO);
            return 0;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else if (argv[i][0] != '-' && !in) {
            in = argv[i];
        } else {
            return fail("summarize", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!in)
        return fail("summarize", "%s", "which runs CSV?");
    FILE *fi = fopen(in, "r");
    if (!fi) {
        fprintf(stderr, "concbench summarize: cannot read %s: %s\n", in, strerror(errno));
        return 1;
    }
    FILE *fo = out ? fopen(out, "w") : stdout;
    if (!fo) {
        fprintf(stderr, "concbench summarize: cannot write %s: %s\n", out, strerror(errno));
        fclose(fi);
        return 1;
    }
    int rc = cb_summarize(fi, fo, in);
    fclose(fi);
    if (fo != stdout)
        fclose(fo);
    return rc ? 1 : 0;
}

/* Descriptors are the first limit an HTTP run meets: take all we may. */
static void raise_nofile(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        fputs(usage_top, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    raise_nofile();
    const char *cmd = argv[1];
    int rc;
    if (!strcmp(cmd, "_child"))
        return cb_child_main();
    else if (!strcmp(cmd, "list"))
        rc = cmd_list();
    else if (!strcmp(cmd, "run"))
        rc = cmd_run(argc - 1, argv + 1, 0);
    else if (!strcmp(cmd, "sweep"))
        rc = cmd_run(argc - 1, argv + 1, 1);
    else if (!strcmp(cmd, "summarize"))
        rc = cmd_summarize(argc - 1, argv + 1);
    else if (!strcmp(cmd, "serve"))
        rc = srv_main(argc - 1, argv + 1);
    else if (!strcmp(cmd, "machine"))
        rc = cb_machine_write(stdout) ? 1 : 0;
    else {
        fprintf(stderr, "concbench: unknown command '%s'\n\n%s", cmd, usage_top);
        rc = 2;
    }
    return rc;
}
