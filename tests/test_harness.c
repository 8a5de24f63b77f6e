/* test_harness.c: CSV, statistics, parsing, and measuring in a fresh
 * process (isolation, a killed run, a limit row). */
#include "csv.h"
#include "helpers.h"
#include "measure.h"
#include "parse.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ull

Test(csv, escaping_round_trips)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const char *vals[] = {"plain", "a,b", "say \"hi\"", "", "x\"y,z\""};
    for (size_t i = 0; i < 5; i++) {
        if (i)
            fputc(',', f);
        cb_csv_put_str(f, vals[i]);
    }
    fclose(f);
    cr_assert_str_eq(buf, "plain,\"a,b\",\"say \"\"hi\"\"\",,\"x\"\"y,z\"\"\"");
    char *fields[8];
    int n = cb_csv_split(buf, fields, 8);
    cr_assert_eq(n, 5, "fields %d", n);
    for (int i = 0; i < 5; i++)
        cr_assert_str_eq(fields[i], vals[i]);
    free(buf);
    char bad[] = "a,\"unterminated";
    cr_assert_lt(cb_csv_split(bad, fields, 8), 0);
}

Test(csv, row_writes_and_parses_back)
{
    struct cb_row r, back;
    cb_row_init(&r);
    strcpy(r.strategy, "threads");
    strcpy(r.workload, "sleep");
    r.n = 40000;
    r.wall_s = 1.25;
    strcpy(r.status, "limit");
    strcpy(r.note, "pthread_create: EAGAIN, binding limit pid_max=32768 (x)");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cb_csv_write_header(f);
    cb_csv_write_row(f, &r);
    fclose(f);
    char *nl = strchr(buf, '\n');
    *nl = '\0';
    cr_assert_eq(cb_csv_check_header(buf), 0, "header %s", buf);
    cr_assert_eq(cb_csv_parse_row(nl + 1, &back), 0);
    cr_assert_str_eq(back.note, r.note);
    cr_assert_eq(back.n, 40000);
    cr_assert_float_eq(back.wall_s, 1.25, 1e-9);
    cr_assert_eq(back.mem_kb, CB_NA, "an unmeasured field reads back as not measured");
    cr_assert(isnan(back.fin_p99_s));
    free(buf);
}

Test(stats, percentiles_nearest_rank)
{
    uint64_t v[100];
    for (int i = 0; i < 100; i++)
        v[i] = (uint64_t)(100 - i); /* 100..1, unsorted */
    cr_assert_eq(cb_percentile_u64(v, 100, 50), 50);
    cr_assert_eq(cb_percentile_u64(v, 100, 99), 99);
    cr_assert_eq(cb_percentile_u64(v, 100, 100), 100);
    uint64_t one = 7;
    cr_assert_eq(cb_percentile_u64(&one, 1, 99), 7);
}

Test(stats, median_min_max_ignore_nan)
{
    double v[] = {3.0, NAN, 1.0, 2.0, 10.0};
    double med, lo, hi;
    cb_med_min_max(v, 5, &med, &lo, &hi);
    cr_assert_float_eq(med, 2.5, 1e-12, "median %f", med);
    cr_assert_float_eq(lo, 1.0, 1e-12);
    cr_assert_float_eq(hi, 10.0, 1e-12);
    double none[] = {NAN};
    cb_med_min_max(none, 1, &med, &lo, &hi);
    cr_assert(isnan(med));
}

Test(stats, summary_of_fixture)
{
    FILE *in = fopen("tests/fixtures/summary_input.csv", "r");
    cr_assert_not_null(in, "tests/fixtures/summary_input.csv missing");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_eq(cb_summarize(in, out, "summary_input.csv"), 0);
    fclose(in);
    fclose(out);
    /* epoll sleep n=1000: walls 1.002, 1.010, 1.004 -> med 1.004, not noisy.
     * threads sleep n=10: walls 1.0, 1.5, 1.1 -> noisy (1.5 > 1.25 x 1.0). */
    cr_assert_not_null(
        strstr(buf, "epoll,sleep,1000,0,1.000000,,,3,3,ok,1.004000,1.002000,1.010000,0,"),
        "summary:\n%s", buf);
    cr_assert_not_null(
        strstr(buf, "threads,sleep,10,0,1.000000,,,3,3,ok,1.100000,1.000000,1.500000,1,"),
        "summary:\n%s", buf);
    cr_assert_not_null(strstr(buf, "threads,sleep,40000,0,1.000000,,,1,0,limit,"), "summary:\n%s",
                       buf);
    free(buf);
    cb_leak_check();
}

Test(parse, durations_and_counts)
{
    uint64_t v;
    cr_assert_eq(cb_parse_duration("1s", &v), 0);
    cr_assert_eq(v, 1000000000ull);
    cr_assert_eq(cb_parse_duration("250ms", &v), 0);
    cr_assert_eq(v, 250 * MS);
    cr_assert_eq(cb_parse_duration("2.5", &v), 0);
    cr_assert_eq(v, 2500 * MS);
    cr_assert_lt(cb_parse_duration("-1s", &v), 0);
    cr_assert_lt(cb_parse_duration("1 s", &v), 0);
    cr_assert_lt(cb_parse_duration("fast", &v), 0);
    cr_assert_eq(cb_parse_count("1M", &v), 0);
    cr_assert_eq(v, 1000000);
    uint64_t l[4];
    size_t n;
    cr_assert_eq(cb_parse_count_list("1,10k,3", l, 4, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(l[1], 10000);
    cr_assert_lt(cb_parse_count_list("1,,3", l, 4, &n), 0);
    cr_assert_lt(cb_parse_count_list("1,2,3,4,5", l, 4, &n), 0);
}

static struct cb_spec sleep_spec(const char *strategy, size_t n, uint64_t d)
{
    struct cb_spec s = {.strategy = cb_strategy_find(strategy),
                        .exe = cb_bin(),
                        .duration_s = (double)d / 1e9,
                        .run_timeout_ns = 60000 * MS};
    s.w = (struct cb_workload){.kind = CB_SLEEP, .n = n, .sleep_ns = d, .timeout_ns = 10000 * MS};
    return s;
}

/* The run happens in a fresh exec'd process: this process's memory is not
 * in its figures, and it reports its own pid-independent measurements. */
Test(measure, fresh_process_isolation, .timeout = 60)
{
    size_t big = 64u << 20;
    char *junk = malloc(big);
    cr_assert_not_null(junk);
    memset(junk, 1, big); /* 64 MiB resident here */
    struct cb_spec s = sleep_spec("epoll", 100, 20 * MS);
    struct cb_row r;
    cr_assert_eq(cb_measure(&s, &r), 0);
    cr_assert_str_eq(r.status, "ok", "status %s note %s", r.status, r.note);
    cr_assert_eq(r.completed, 100);
    cr_assert_lt(r.peak_rss_kb, 32 * 1024, "the run's peak %llu kB includes our 64 MiB",
                 (unsigned long long)r.peak_rss_kb);
    cr_assert_geq(r.wall_s, 0.020, "wall %f", r.wall_s);
    cr_assert_gt(r.startup_s, 0.0);
    cr_assert_geq(r.fin_p50_s, 0.020);
    cr_assert_geq(r.fin_max_s, r.fin_p99_s);
    free(junk);
    cb_leak_check();
}

Test(measure, killed_run_is_a_timeout_row, .timeout = 60)
{
    struct cb_spec s = sleep_spec("threads", 10, 5000 * MS);
    s.run_timeout_ns = 300 * MS;
    struct cb_row r;
    uint64_t t0 = cb_now_ns();
    cr_assert_eq(cb_measure(&s, &r), 0);
    cr_assert_str_eq(r.status, "timeout", "status %s", r.status);
    cr_assert_lt(cb_now_ns() - t0, 3000 * MS, "the kill took too long");
    cr_assert(isnan(r.wall_s), "a killed run has no wall time");
}

Test(measure, unknown_child_failure_is_a_row, .timeout = 60)
{
    struct cb_spec s = sleep_spec("epoll", 3, 10 * MS);
    s.exe = "/bin/false"; /* "runs" and sends nothing */
    struct cb_row r;
    cr_assert_eq(cb_measure(&s, &r), 0);
    cr_assert_str_eq(r.status, "failed", "status %s", r.status);
    cr_assert_not_null(strstr(r.note, "0 bytes"), "note %s", r.note);
}

Test(measure, expected_time_for_budgets)
{
    struct cb_workload w = {.n = 100, .max_in_flight = 0};
    cr_assert_eq(cb_expected_ns(cb_strategy_find("sequential"), &w, 1000, 0), 100000);
    cr_assert_eq(cb_expected_ns(cb_strategy_find("epoll"), &w, 1000, 0), 1000);
    cr_assert_eq(cb_expected_ns(cb_strategy_find("epoll"), &w, 1000, 3), 34000); /* ceil(100/3) */
    w.max_in_flight = 10;
    cr_assert_eq(cb_expected_ns(cb_strategy_find("threads"), &w, 1000, 0), 10000);
}

/* --- the command line's pieces ------------------------------------------- */

enum { T_RUN = 1, T_LIST = 2 };
static const struct cb_opt test_opts[] = {
    {1, 's', "strategy", NULL, "NAME", T_RUN, 0, "the strategy", NULL},
    {2, 'c', "concurrency", "max-in-flight", "W", T_RUN, 0, "the cap", NULL},
    {3, 'q', "quiet", NULL, NULL, T_RUN | T_LIST, 0, "quiet", NULL},
    {4, 0, "tsv", NULL, NULL, T_LIST, 0, "tsv", NULL},
};

Test(options, one_table_every_spelling)
{
    char *argv[] = {"run",    "-s", "epoll", "--concurrency=4", "--max-in-flight", "8",
                    "-sfork", "-q", "pos",   "--tsv",           "--quiet=1",       "-c",
                    NULL};
    struct cb_optparse p;
    cb_opt_begin(&p, test_opts, 4, T_RUN, 12, argv);
    cr_assert_eq(cb_opt_next(&p), 1);
    cr_assert_str_eq(p.arg, "epoll");
    cr_assert_eq(cb_opt_next(&p), 2);
    cr_assert_str_eq(p.arg, "4");
    cr_assert_eq(cb_opt_next(&p), 2, "the alias is the same option");
    cr_assert_str_eq(p.arg, "8");
    cr_assert_eq(cb_opt_next(&p), 1);
    cr_assert_str_eq(p.arg, "fork");
    cr_assert_eq(cb_opt_next(&p), 3);
    cr_assert_eq(cb_opt_next(&p), CB_OPT_POSITIONAL);
    cr_assert_str_eq(p.arg, "pos");
    cr_assert_eq(cb_opt_next(&p), CB_OPT_UNKNOWN, "--tsv belongs to list, not run");
    cr_assert_eq(cb_opt_next(&p), CB_OPT_EXTRA, "a flag given a value");
    cr_assert_eq(cb_opt_next(&p), CB_OPT_NOVALUE);
    cr_assert_eq(cb_opt_next(&p), CB_OPT_END);
}

Test(options, help_from_the_table)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cb_opt_help(f, test_opts, 4, T_LIST);
    fclose(f);
    cr_assert_not_null(strstr(buf, "-q, --quiet"), "%s", buf);
    cr_assert_not_null(strstr(buf, "--tsv"), "%s", buf);
    cr_assert_null(strstr(buf, "--strategy"), "run's option in list's help:\n%s", buf);
    free(buf);
    cb_leak_check();
}

/* summarize's input checks: each bad file is an error naming its line. */
static int summarize_text(const char *text)
{
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int rc = cb_summarize(in, out, "t.csv");
    fclose(in);
    fclose(out);
    free(buf);
    return rc;
}

Test(stats, summarize_refuses_bad_input)
{
    cr_assert_eq(summarize_text(""), -EINVAL, "an empty file");
    cr_assert_eq(summarize_text("a,b\n1,2\n"), -EINVAL, "not a runs header");
    cr_assert_eq(summarize_text("strategy,workload,n,rep,status\n"), -EINVAL, "no rows");
    cr_assert_eq(summarize_text("strategy,workload,n,rep,status\n,,,,\n"), -EINVAL, "bare commas");
    cr_assert_eq(summarize_text("strategy,workload,n,rep,status\nepoll,sleep,3,1\n"), -EINVAL,
                 "a row short of fields");
    cr_assert_eq(summarize_text("strategy,workload,n,rep,status\nepoll,sleep,3,1,ok"), -EINVAL,
                 "a cut last row (no newline)");
    cr_assert_eq(summarize_text("strategy,workload,n,rep,status\nepoll,sleep,x,1,ok\n"), -EINVAL,
                 "a bad number");
    cr_assert_eq(summarize_text("strategy,workload,n,rep,status,wall_s\nepoll,sleep,3,1,ok,1.0\n"),
                 0, "a file with only some columns summarises");
    cb_leak_check();
}
