/*
 * test_micro.c: the Google Benchmark shim (bench_shim.h) from C, and the
 * concbench-micro program with a filter and a minimal time.
 *
 * Google Benchmark keeps global state (registered benchmarks, flags), and
 * cbm_main() may run once per process; Criterion runs each test in a
 * process of its own, so each test registers what it needs.
 */
#include "bench_shim.h"
#include "helpers.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The console report is noise in the test log; the JSON file is checked. */
static void quiet_stdout(void)
{
    fflush(stdout);
    int fd = open("/dev/null", O_WRONLY);
    cr_assert(fd >= 0, "open /dev/null: %s", strerror(errno));
    cr_assert(dup2(fd, STDOUT_FILENO) >= 0);
    close(fd);
}

TestSuite(micro, .init = quiet_stdout, .timeout = 60);

/* A fresh output path per test process; unlinked by the caller. */
static void out_path(char *buf, size_t len, const char *tag)
{
    snprintf(buf, len, "/tmp/cb_test_micro_%s_%ld.json", tag, (long)getpid());
}

/* Read a whole file into a NUL-terminated malloc'd string. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "open %s: %s", path, strerror(errno));
    cr_assert(fseek(f, 0, SEEK_END) == 0);
    long len = ftell(f);
    cr_assert(len >= 0);
    rewind(f);
    char *s = malloc((size_t)len + 1);
    cr_assert(s);
    cr_assert(fread(s, 1, (size_t)len, f) == (size_t)len, "short read of %s", path);
    s[len] = '\0';
    fclose(f);
    return s;
}

/*
 * The JSON object of the benchmark run called name (Google Benchmark writes
 * one flat object per run: no nested braces), copied into a malloc'd
 * string, or NULL.
 */
static char *bench_object(const char *json, const char *name)
{
    char key[256];
    snprintf(key, sizeof key, "\"name\": \"%s\",", name);
    const char *p = strstr(json, key);
    if (!p)
        return NULL;
    const char *lo = p, *hi = strchr(p, '}');
    while (lo > json && *lo != '{')
        lo--;
    if (!hi || *lo != '{')
        return NULL;
    return strndup(lo, (size_t)(hi - lo + 1));
}

/* The number after "field": in obj; fails the test if it is absent. */
static double number_field(const char *obj, const char *field)
{
    char key[128];
    snprintf(key, sizeof key, "\"%s\": ", field);
    const char *p = strstr(obj, key);
    cr_assert(p, "field %s missing in %s", field, obj);
    char *end;
    double v = strtod(p + strlen(key), &end);
    cr_assert(end != p + strlen(key), "field %s is not a number in %s", field, obj);
    return v;
}

/* Run cbm_main() on the given filter, writing JSON to out. */
static int run_shim(const char *filter, const char *out)
{
    char fbuf[256], obuf[256];
    snprintf(fbuf, sizeof fbuf, "--benchmark_filter=%s", filter);
    snprintf(obuf, sizeof obuf, "--benchmark_out=%s", out);
    char *argv[] = {
        "test_micro", fbuf, obuf, "--benchmark_out_format=json", "--benchmark_min_time=0.01", NULL};
    return cbm_main(5, argv);
}

static void bm_counters(cbm_state *st, void *ctx)
{
    volatile int sink = 0;
    while (cbm_keep_running(st))
        sink += *(int *)ctx;
    cbm_counter(st, "answer", 42.5, CBM_COUNTER_PLAIN);
    /* 3 per iteration, reported per iteration: exactly 3. */
    cbm_counter(st, "three_per_iter", 3.0 * (double)cbm_iterations(st), CBM_COUNTER_PER_ITER);
    cbm_set_items_processed(st, cbm_iterations(st));
}

Test(micro, counter_reaches_json)
{
    static int one = 1;
    char out[128];
    out_path(out, sizeof out, "counter");
    cr_assert_eq(
        cbm_register(&(struct cbm_def){.name = "test/counters", .fn = bm_counters, .ctx = &one}),
        0);
    cr_assert_eq(run_shim("^test/counters$", out), 0);

    char *json = slurp(out);
    char *obj = bench_object(json, "test/counters");
    cr_assert(obj, "test/counters missing from %s", json);
    cr_expect_float_eq(number_field(obj, "answer"), 42.5, 1e-9);
    cr_expect_float_eq(number_field(obj, "three_per_iter"), 3.0, 1e-9);
    cr_expect_gt(number_field(obj, "iterations"), 0);
    cr_expect_gt(number_field(obj, "items_per_second"), 0);
    cr_expect_null(strstr(obj, "error_occurred"), "unexpected error: %s", obj);
    free(obj);
    free(json);
    unlink(out);
}

static void bm_args(cbm_state *st, void *ctx)
{
    (void)ctx;
    while (cbm_keep_running(st))
        ;
    cbm_counter(st, "arg", (double)cbm_range(st, 0), CBM_COUNTER_PLAIN);
}

Test(micro, each_arg_is_an_instance_with_real_time)
{
    static const int64_t args[] = {7, 9};
    char out[128];
    out_path(out, sizeof out, "args");
    cr_assert_eq(cbm_register(&(struct cbm_def){.name = "test/args",
                                                .fn = bm_args,
                                                .args = args,
                                                .nargs = 2,
                                                .real_time = 1,
                                                .min_time_s = 0.01}),
                 0);
    cr_assert_eq(run_shim("^test/args/", out), 0);

    char *json = slurp(out);
    char *a = bench_object(json, "test/args/7/min_time:0.010/real_time");
    char *b = bench_object(json, "test/args/9/min_time:0.010/real_time");
    cr_assert(a && b, "instances missing from %s", json);
    cr_expect_float_eq(number_field(a, "arg"), 7.0, 1e-9);
    cr_expect_float_eq(number_field(b, "arg"), 9.0, 1e-9);
    free(a);
    free(b);
    free(json);
    unlink(out);
}

static void bm_fails(cbm_state *st, void *ctx)
{
    (void)ctx;
    while (cbm_keep_running(st)) {
        cbm_skip_with_error(st, "pipe2: Too many open files");
        return;
    }
}

Test(micro, skip_with_error_is_reported)
{
    char out[128];
    out_path(out, sizeof out, "error");
    cr_assert_eq(cbm_register(&(struct cbm_def){.name = "test/fails", .fn = bm_fails}), 0);
    cr_assert_eq(run_shim("^test/fails$", out), 0);

    char *json = slurp(out);
    char *obj = bench_object(json, "test/fails");
    cr_assert(obj, "test/fails missing from %s", json);
    cr_expect(strstr(obj, "\"error_occurred\": true"), "no error_occurred in %s", obj);
    cr_expect(strstr(obj, "\"error_message\": \"pipe2: Too many open files\""),
              "no error_message in %s", obj);
    free(obj);
    free(json);
    unlink(out);
}

Test(micro, unknown_flag_is_an_error)
{
    char *argv[] = {"test_micro", "--benchmark_filtr=oops", NULL};
    cr_assert_eq(cbm_register(&(struct cbm_def){.name = "test/args0", .fn = bm_args}), 0);
    cr_expect_eq(cbm_main(2, argv), 2);
}

Test(micro, no_match_is_an_error)
{
    char out[128];
    out_path(out, sizeof out, "nomatch");
    cr_assert_eq(cbm_register(&(struct cbm_def){.name = "test/args0", .fn = bm_args}), 0);
    cr_expect_eq(run_shim("^no/such/benchmark$", out), 1);
    unlink(out);
}

Test(micro, register_rejects_missing_fields)
{
    cr_expect_eq(cbm_register(&(struct cbm_def){.name = "test/nofn"}), -EINVAL);
    cr_expect_eq(cbm_register(&(struct cbm_def){.fn = bm_args}), -EINVAL);
    cr_expect_eq(cbm_register(NULL), -EINVAL);
}

/*
 * The real program: one cheap benchmark, minimal time. CB_MICRO_BIN names
 * it (make test-rel sets it); without it, build/concbench-micro is used if
 * it was built, and the test is skipped if not (make test-asan does not
 * build it: benchmarks are never sanitizer builds).
 */
Test(micro, program_runs_one_benchmark)
{
    const char *bin = getenv("CB_MICRO_BIN");
    if (!bin) {
        bin = "build/concbench-micro";
        if (access(bin, X_OK) != 0)
            cr_skip_test("%s not built and CB_MICRO_BIN not set", bin);
    }
    char out[128], obuf[160];
    out_path(out, sizeof out, "program");
    snprintf(obuf, sizeof obuf, "--benchmark_out=%s", out);

    pid_t pid = fork();
    cr_assert(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        execl(bin, bin, "--benchmark_filter=^timer/evl_arm_fire$", "--benchmark_min_time=0.01",
              obuf, "--benchmark_out_format=json", (char *)NULL);
        _exit(127);
    }
    int status;
    cr_assert(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s exited with status 0x%x", bin,
              status);

    char *json = slurp(out);
    char *obj = bench_object(json, "timer/evl_arm_fire");
    cr_assert(obj, "timer/evl_arm_fire missing from %s", json);
    cr_expect_null(strstr(obj, "error_occurred"), "benchmark failed: %s", obj);
    cr_expect_gt(number_field(obj, "iterations"), 0);
    cr_expect_gt(number_field(obj, "real_time"), 0);
    free(obj);
    free(json);
    unlink(out);
}
