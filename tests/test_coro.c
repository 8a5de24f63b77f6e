/*
 * test_coro.c: the context switch keeps what the ABI says it must
 * (callee-saved registers, floating-point control state), and the
 * scheduler runs, suspends and finishes coroutines under both stack
 * policies.
 */
#include "coro.h"
#include "helpers.h"

#include <criterion/criterion.h>
#include <fenv.h>
#include <stdint.h>
#include <string.h>

static struct coro_sched sched;

/* Overwrite every callee-saved register with junk. If the switch failed
 * to restore them, the caller's live values would be corrupted. */
static void clobber_callee_saved(void)
{
#if defined(__x86_64__)
    __asm__ volatile("mov $0x1111, %%rbx\n\tmov $0x2222, %%r12\n\tmov $0x3333, %%r13\n\t"
                     "mov $0x4444, %%r14\n\tmov $0x5555, %%r15" ::
                         : "rbx", "r12", "r13", "r14", "r15");
#elif defined(__aarch64__)
    __asm__ volatile("mov x19, #1\n\tmov x20, #2\n\tmov x21, #3\n\tmov x22, #4\n\t"
                     "mov x23, #5\n\tmov x24, #6\n\tmov x25, #7\n\tmov x26, #8\n\t"
                     "mov x27, #9\n\tmov x28, #10\n\tfmov d8, xzr\n\tfmov d9, xzr" ::
                         : "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28",
                           "d8", "d9");
#endif
}

struct regs_arg {
    uint64_t sum;
    double fsum;
};

/* Many values live across each yield: the compiler keeps them in
 * callee-saved registers (and on the stack, which the shared policy
 * copies out and back). */
static void regs_body(void *p)
{
    struct regs_arg *a = p;
    volatile uint64_t seed = 7;
    uint64_t v0 = seed, v1 = seed * 3, v2 = seed * 5, v3 = seed * 7, v4 = seed * 11;
    uint64_t v5 = seed * 13;
    double f0 = (double)seed * 0.5, f1 = (double)seed * 0.25;
    for (int i = 0; i < 5; i++) {
        clobber_callee_saved();
        coro_yield(&sched);
        v0 += 1, v1 += 2, v2 += 3, v3 += 4, v4 += 5, v5 += 6;
        f0 += 1.5, f1 += 0.5;
    }
    a->sum = v0 + v1 + v2 + v3 + v4 + v5;
    a->fsum = f0 + f1;
}

static void check_regs(enum coro_stack_policy p)
{
    cr_assert_eq(coro_sched_init(&sched, p, 0), 0);
    struct regs_arg a = {0};
    struct coro *c = coro_create(&sched, regs_body, &a);
    cr_assert_not_null(c);
    volatile uint64_t seed = 100;
    uint64_t m0 = seed, m1 = seed * 2, m2 = seed * 3, m3 = seed * 4, m4 = seed * 5;
    while (!coro_done(c)) {
        coro_resume(&sched, c);
        clobber_callee_saved();
        m0++, m1++, m2++, m3++, m4++;
    }
    /* 7*(1+3+5+7+11+13) + 5*(1+2+3+4+5+6) = 280 + 105 */
    cr_assert_eq(a.sum, 385, "coroutine's values: %llu", (unsigned long long)a.sum);
    cr_assert_float_eq(a.fsum, 3.5 + 1.75 + 5 * 2.0, 1e-9, "fsum %f", a.fsum);
    cr_assert_eq(m0 + m1 + m2 + m3 + m4, 1500 + 6 * 5, "scheduler's values: %llu",
                 (unsigned long long)(m0 + m1 + m2 + m3 + m4));
    coro_destroy(&sched, c);
    coro_sched_fini(&sched);
    cb_leak_check();
}

Test(coro, switch_preserves_callee_saved_shared)
{
    check_regs(CORO_STACK_SHARED);
}
Test(coro, switch_preserves_callee_saved_fixed)
{
    check_regs(CORO_STACK_FIXED);
}

static void round_body(void *p)
{
    int *seen = p;
    fesetround(FE_UPWARD);
    coro_yield(&sched);
    seen[0] = fegetround();
    coro_yield(&sched);
    seen[1] = fegetround();
}

/* The rounding mode (MXCSR / x87 control word / FPCR) is per context. */
Test(coro, switch_preserves_fp_control)
{
    cr_assert_eq(coro_sched_init(&sched, CORO_STACK_SHARED, 0), 0);
    int seen[2] = {0, 0};
    fesetround(FE_TONEAREST);
    struct coro *c = coro_create(&sched, round_body, seen);
    coro_resume(&sched, c);
    cr_assert_eq(fegetround(), FE_TONEAREST, "the coroutine's rounding mode leaked out");
    fesetround(FE_DOWNWARD);
    coro_resume(&sched, c);
    cr_assert_eq(fegetround(), FE_DOWNWARD, "the scheduler's rounding mode was lost");
    cr_assert_eq(seen[0], FE_UPWARD, "the coroutine's rounding mode was lost");
    fesetround(FE_TONEAREST);
    coro_resume(&sched, c);
    cr_assert(coro_done(c));
    cr_assert_eq(seen[1], FE_UPWARD);
    coro_destroy(&sched, c);
    coro_sched_fini(&sched);
    cb_leak_check();
}

/* Each coroutine keeps a local buffer across yields while others run on
 * the same shared stack: the copied frames must come back intact. */
static void stack_body(void *p)
{
    int id = *(int *)p;
    char buf[600];
    for (int round = 0; round < 3; round++) {
        memset(buf, 'a' + id % 26, sizeof buf);
        coro_yield(&sched);
        for (size_t i = 0; i < sizeof buf; i++)
            cr_assert_eq(buf[i], 'a' + id % 26, "coroutine %d byte %zu", id, i);
    }
}

static void check_many(enum coro_stack_policy p)
{
    enum { N = 300 };
    cr_assert_eq(coro_sched_init(&sched, p, 0), 0);
    struct coro *cs[N];
    int ids[N];
    for (int i = 0; i < N; i++) {
        ids[i] = i;
        cs[i] = coro_create(&sched, stack_body, &ids[i]);
        cr_assert_not_null(cs[i]);
    }
    int live = N;
    while (live) {
        for (int i = 0; i < N; i++) {
            if (!cs[i])
                continue;
            coro_resume(&sched, cs[i]);
            if (coro_done(cs[i])) {
                coro_destroy(&sched, cs[i]);
                cs[i] = NULL;
                live--;
            }
        }
    }
    cr_assert_eq(sched.live, 0);
    if (p == CORO_STACK_SHARED)
        cr_assert_gt(sched.bytes_copied, (uint64_t)N * 600, "frames were not copied");
    coro_sched_fini(&sched);
    cb_leak_check();
}

Test(coro, many_coroutines_shared_stack)
{
    check_many(CORO_STACK_SHARED);
}
Test(coro, many_coroutines_fixed_stacks)
{
    check_many(CORO_STACK_FIXED);
}
