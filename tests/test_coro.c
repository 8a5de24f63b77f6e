/*
 * test_coro.c: the context switch keeps what the ABI says it must
 * (callee-saved registers, floating-point control state), and the
 * scheduler runs, suspends and finishes coroutines under both stack
 * policies. The checks live in coro_checks.h, shared with
 * coro_selfcheck.c (make check-cross).
 */
#include "coro_checks.h"
#include "helpers.h"

#define RUN(check)                                                                                 \
    do {                                                                                           \
        const char *why = (check);                                                                 \
        cr_assert_null(why, "%s", why);                                                            \
        cb_leak_check();                                                                           \
    } while (0)

Test(coro, switch_preserves_callee_saved_shared)
{
    RUN(check_regs(CORO_STACK_SHARED));
}
Test(coro, switch_preserves_callee_saved_fixed)
{
    RUN(check_regs(CORO_STACK_FIXED));
}
Test(coro, switch_preserves_fp_control)
{
    RUN(check_fp_control());
}
Test(coro, many_coroutines_shared_stack)
{
    RUN(check_many(CORO_STACK_SHARED));
}
Test(coro, many_coroutines_fixed_stacks)
{
    RUN(check_many(CORO_STACK_FIXED));
}
Test(coro, shared_stack_saves_exact_frames_inline)
{
    RUN(check_frames());
}
