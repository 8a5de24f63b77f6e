/*
 * coro_selfcheck.c: the coroutine checks of coro_checks.h as a plain
 * program, for machines and builds where Criterion is not at hand: `make
 * check-cross` builds it for AArch64 (run under qemu) and with the
 * ucontext fallback. Prints one line per check, then "N passed, N failed".
 */
#include "coro_checks.h"

int main(void)
{
    static const struct {
        const char *name;
        const char *(*fn)(enum coro_stack_policy);
        enum coro_stack_policy p;
    } checks[] = {
        {"callee-saved registers, shared stack", check_regs, CORO_STACK_SHARED},
        {"callee-saved registers, fixed stacks", check_regs, CORO_STACK_FIXED},
        {"300 coroutines, shared stack", check_many, CORO_STACK_SHARED},
        {"300 coroutines, fixed stacks", check_many, CORO_STACK_FIXED},
    };
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        const char *why = checks[i].fn(checks[i].p);
        printf("%s - %s%s%s\n", why ? "not ok" : "ok", checks[i].name, why ? ": " : "",
               why ? why : "");
        why ? failed++ : passed++;
    }
    const char *why = check_fp_control();
    printf("%s - floating-point control state per context%s%s\n", why ? "not ok" : "ok",
           why ? ": " : "", why ? why : "");
    why ? failed++ : passed++;
    why = check_frames();
    printf("%s - exact frames saved inline, shared stack%s%s\n", why ? "not ok" : "ok",
           why ? ": " : "", why ? why : "");
    why ? failed++ : passed++;
    printf("coro-selfcheck: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
