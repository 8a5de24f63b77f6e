/* test_protocol.c: the harness side of strategies/PROTOCOL.md, against a
 * program that misbehaves on demand (tests/protocol/fake.py). Whatever an
 * external strategy says, the harness judges every slot itself. */
#include "helpers.h"
#include "measure.h"
#include "proc.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define PY "/usr/bin/python3"
#define MS 1000000ull
#define S  1000000000ull

/* A strategy struct for one mode of fake.py; the harness runs it exactly
 * as it runs the listed external strategies. */
static struct cb_strategy fake(const char *mode, struct cb_external *e, char *cmd, size_t len)
{
    snprintf(cmd, len, PY " %s/tests/protocol/fake.py %s", cb_root(), mode);
    *e = (struct cb_external){.package = "python3", .version = PY " --version", .command = cmd};
    return (struct cb_strategy){.name = "fake",
                                .summary = "test",
                                .language = "python",
                                .workloads = CB_WORKLOAD_BIT(CB_SLEEP),
                                .external = e};
}

static struct cb_row run_fake(const char *mode, size_t n, uint64_t sleep_ns, uint64_t timeout_ns)
{
    struct cb_external e;
    char cmd[512];
    struct cb_strategy s = fake(mode, &e, cmd, sizeof cmd);
    struct cb_spec spec = {
        .strategy = &s,
        .w = {.kind = CB_SLEEP, .n = n, .sleep_ns = sleep_ns, .timeout_ns = 10 * S},
        .run_timeout_ns = timeout_ns};
    struct cb_row r;
    cr_assert_eq(cb_measure(&spec, &r), 0);
    return r;
}

static void skip_without_python(void)
{
    if (access(PY, X_OK) != 0)
        cr_skip_test(PY " is missing (Debian package python3)");
}

Test(protocol, truthful_program_is_ok, .timeout = 60)
{
    skip_without_python();
    struct cb_row r = run_fake("good", 5, 20 * MS, 0);
    cr_assert_str_eq(r.status, "ok", "status %s: %s", r.status, r.note);
    cr_assert_eq(r.completed, 5);
    cr_assert_geq(r.wall_s, 5 * 0.020, "wall %f: sequential sleeps", r.wall_s);
    cr_assert_str_eq(r.policy, "fake.py good");
    cr_assert_str_eq(r.checked, "index+wait");
}

Test(protocol, a_slot_that_did_not_wait_is_caught, .timeout = 60)
{
    skip_without_python();
    struct cb_row r = run_fake("liar", 3, 50 * MS, 0);
    cr_assert_str_eq(r.status, "errors", "status %s", r.status);
    cr_assert_eq(r.errors, 1);
    cr_assert_not_null(strstr(r.error_kinds, "short_wait=1"), "kinds %s", r.error_kinds);
}

Test(protocol, a_result_in_the_wrong_slot_is_caught, .timeout = 60)
{
    skip_without_python();
    struct cb_row r = run_fake("wrong_slot", 3, 1 * MS, 0);
    cr_assert_str_eq(r.status, "errors", "status %s", r.status);
    cr_assert_not_null(strstr(r.error_kinds, "wrong_value=1"), "kinds %s", r.error_kinds);
}

Test(protocol, a_crash_is_a_crashed_row, .timeout = 60)
{
    skip_without_python();
    struct cb_row r = run_fake("crash", 3, 1 * MS, 0);
    cr_assert_str_eq(r.status, "crashed", "status %s: %s", r.status, r.note);
    cr_assert_not_null(strstr(r.note, "SEGV"), "note %s", r.note);
}

Test(protocol, a_hang_is_a_timeout_row, .timeout = 60)
{
    skip_without_python();
    struct cb_row r = run_fake("hang", 3, 1 * MS, 2 * S);
    cr_assert_str_eq(r.status, "timeout", "status %s: %s", r.status, r.note);
}

Test(protocol, skip_garbage_and_missing_end, .timeout = 60)
{
    skip_without_python();
    struct cb_row r = run_fake("skip", 3, 1 * MS, 0);
    cr_assert_str_eq(r.status, "skipped", "status %s", r.status);
    cr_assert_not_null(strstr(r.note, "not implemented"), "note %s", r.note);
    r = run_fake("garbage", 3, 1 * MS, 0);
    cr_assert_str_eq(r.status, "failed", "status %s", r.status);
    cr_assert_not_null(strstr(r.note, "protocol error"), "note %s", r.note);
    r = run_fake("no_end", 3, 1 * MS, 0);
    cr_assert_str_eq(r.status, "failed", "status %s", r.status);
    cr_assert_not_null(strstr(r.note, "before its `end`"), "note %s", r.note);
}

Test(protocol, a_workload_not_implemented_is_skipped)
{
    struct cb_external e;
    char cmd[512];
    struct cb_strategy s = fake("good", &e, cmd, sizeof cmd);
    struct cb_spec spec = {.strategy = &s, .w = {.kind = CB_HTTP, .n = 1, .url = "http://x/"}};
    struct cb_row r;
    cr_assert_eq(cb_measure(&spec, &r), 0);
    cr_assert_str_eq(r.status, "skipped");
    cr_assert_not_null(strstr(r.note, "does not implement the http workload"), "note %s", r.note);
}

Test(protocol, a_missing_program_is_skipped_naming_the_package)
{
    struct cb_external e = {
        .package = "golang-go", .version = "true", .command = "@build/peers/no-such-program"};
    struct cb_strategy s = {.name = "ghost", .external = &e};
    struct cb_spec spec = {.strategy = &s, .w = {.kind = CB_SLEEP, .n = 1, .sleep_ns = MS}};
    struct cb_row r;
    cr_assert_eq(cb_measure(&spec, &r), 0);
    cr_assert_str_eq(r.status, "skipped");
    cr_assert_not_null(strstr(r.note, "golang-go"), "note %s", r.note);
}

Test(protocol, interrupt_kills_the_run_and_says_so, .timeout = 60)
{
    skip_without_python();
    cb_interrupt_install();
    /* The signal arrives while the run sleeps: the row says interrupted,
     * and the run's process is gone (cb_measure reaped it). */
    if (fork() == 0) {
        usleep(500000);
        kill(getppid(), SIGTERM);
        _exit(0);
    }
    struct cb_row r = run_fake("good", 3, 10 * S, 0);
    cr_assert_str_eq(r.status, "interrupted", "status %s", r.status);
    cr_assert_not_null(strstr(r.note, "TERM"), "note %s", r.note);
    cr_assert_eq(cb_interrupt_signal(), SIGTERM);
}
