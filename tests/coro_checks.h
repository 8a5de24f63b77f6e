/*
 * coro_checks.h: the checks of the coroutine switch and scheduler, as
 * plain functions that return NULL, or what went wrong. tests/test_coro.c
 * runs them under Criterion; tests/coro_selfcheck.c runs them without it,
 * so that `make check-cross` can run them on AArch64 (under qemu) and
 * with the ucontext fallback. Header-only: each program includes it once.
 */
#ifndef CB_CORO_CHECKS_H
#define CB_CORO_CHECKS_H

#include "coro.h"

#include <fenv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static struct coro_sched sched;
static char check_msg[160];

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            snprintf(check_msg, sizeof check_msg, __VA_ARGS__);                                    \
            return check_msg;                                                                      \
        }                                                                                          \
    } while (0)

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
                     "mov x27, #9\n\tmov x28, #10\n\tfmov d8, xzr\n\tfmov d9, xzr\n\t"
                     "fmov d10, xzr\n\tfmov d11, xzr\n\tfmov d12, xzr\n\tfmov d13, xzr\n\t"
                     "fmov d14, xzr\n\tfmov d15, xzr" ::
                         : "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28",
                           "d8", "d9", "d10", "d11", "d12", "d13", "d14", "d15");
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

static const char *check_regs(enum coro_stack_policy p)
{
    CHECK(coro_sched_init(&sched, p, 0) == 0, "coro_sched_init failed");
    struct regs_arg a = {0};
    struct coro *c = coro_create(&sched, regs_body, &a);
    CHECK(c, "coro_create failed");
    volatile uint64_t seed = 100;
    uint64_t m0 = seed, m1 = seed * 2, m2 = seed * 3, m3 = seed * 4, m4 = seed * 5;
    while (!coro_done(c)) {
        coro_resume(&sched, c);
        clobber_callee_saved();
        m0++, m1++, m2++, m3++, m4++;
    }
    coro_destroy(&sched, c);
    coro_sched_fini(&sched);
    /* 7*(1+3+5+7+11+13) + 5*(1+2+3+4+5+6) = 280 + 105 */
    CHECK(a.sum == 385, "the coroutine's integers came back as %llu, not 385",
          (unsigned long long)a.sum);
    CHECK(a.fsum > 15.2499 && a.fsum < 15.2501, "the coroutine's doubles: %f, not 15.25", a.fsum);
    CHECK(m0 + m1 + m2 + m3 + m4 == 1530, "the scheduler's values: %llu, not 1530",
          (unsigned long long)(m0 + m1 + m2 + m3 + m4));
    return NULL;
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
static const char *check_fp_control(void)
{
    CHECK(coro_sched_init(&sched, CORO_STACK_SHARED, 0) == 0, "coro_sched_init failed");
    int seen[2] = {0, 0};
    fesetround(FE_TONEAREST);
    struct coro *c = coro_create(&sched, round_body, seen);
    CHECK(c, "coro_create failed");
    coro_resume(&sched, c);
    int leaked = fegetround() != FE_TONEAREST;
    fesetround(FE_DOWNWARD);
    coro_resume(&sched, c);
    int lost_main = fegetround() != FE_DOWNWARD;
    fesetround(FE_TONEAREST);
    coro_resume(&sched, c);
    int done = coro_done(c);
    coro_destroy(&sched, c);
    coro_sched_fini(&sched);
    CHECK(!leaked, "the coroutine's rounding mode leaked out");
    CHECK(!lost_main, "the scheduler's rounding mode was lost");
    CHECK(seen[0] == FE_UPWARD && seen[1] == FE_UPWARD, "the coroutine's rounding mode was lost");
    CHECK(done, "the coroutine did not finish");
    return NULL;
}

static int stack_bad; /* first coroutine whose buffer came back wrong, + 1 */

/* Each coroutine keeps a local buffer across yields while others run on
 * the same shared stack: the copied frames must come back intact. The
 * empty asm lets buf's address escape, so the compiler must keep buf on
 * the stack and read it again after the yield (without it, -O2 proves the
 * check always true and drops the buffer altogether). */
static void stack_body(void *p)
{
    int id = *(int *)p;
    char buf[600];
    for (int round = 0; round < 3; round++) {
        memset(buf, 'a' + id % 26, sizeof buf);
        __asm__ volatile("" : : "r"(buf) : "memory");
        coro_yield(&sched);
        for (size_t i = 0; i < sizeof buf; i++)
            if (buf[i] != 'a' + id % 26 && !stack_bad)
                stack_bad = id + 1;
    }
}

static const char *check_many(enum coro_stack_policy p)
{
    enum { N = 300 };
    CHECK(coro_sched_init(&sched, p, 0) == 0, "coro_sched_init failed");
    struct coro *cs[N];
    int ids[N];
    stack_bad = 0;
    for (int i = 0; i < N; i++) {
        ids[i] = i;
        cs[i] = coro_create(&sched, stack_body, &ids[i]);
        CHECK(cs[i], "coro_create %d failed", i);
    }
    for (int live = N; live;) {
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
    size_t live = sched.live;
    uint64_t copied = sched.bytes_copied;
    coro_sched_fini(&sched);
    CHECK(!stack_bad, "coroutine %d found its stack buffer changed", stack_bad - 1);
    CHECK(live == 0, "%zu coroutines still live", live);
    CHECK(p != CORO_STACK_SHARED || copied > (uint64_t)N * 600, "frames were not copied");
    return NULL;
}

static void yield_once(void *p)
{
    coro_yield(&sched);
    ++*(int *)p;
}

/* Shared stack: a coroutine suspended directly in its function saves
 * exactly its frames, [sp, top), into its own record, and every record
 * after the first few has room for them (nothing else is allocated). With
 * the assembly switch that is the switch frame and the function's own:
 * at most 128 bytes on x86-64 (64 + 32 for yield_once at -O2), 256 on
 * AArch64 (176 + 32); ASan's frames are larger. */
static const char *check_frames(void)
{
    enum { N = 100 };
    CHECK(coro_sched_init(&sched, CORO_STACK_SHARED, 0) == 0, "coro_sched_init failed");
    struct coro *cs[N];
    int ran = 0;
    for (int i = 0; i < N; i++) {
        cs[i] = coro_create(&sched, yield_once, &ran);
        CHECK(cs[i], "coro_create %d failed", i);
        coro_resume(&sched, cs[i]);
    }
    for (int i = 0; i < N; i++) {
        coro_resume(&sched, cs[i]);
        CHECK(coro_done(cs[i]), "coroutine %d did not finish", i);
        coro_destroy(&sched, cs[i]);
    }
    uint64_t saves = sched.saves, bytes = sched.bytes_saved, spilled = sched.saves_spilled;
    coro_sched_fini(&sched);
    CHECK(ran == N, "%d of %d coroutines ran to the end", ran, N);
    /* Each is saved once: when the next one is created, or (the last)
     * when the first is resumed again. */
    CHECK(saves == N, "%llu saves, not %d", (unsigned long long)saves, N);
    CHECK(bytes % N == 0, "saved frames differ in size: %llu bytes in %d saves",
          (unsigned long long)bytes, N);
#ifndef CORO_USE_UCONTEXT
    /* The first coroutine was created before any frame was saved; the
     * second before the first's was. */
    CHECK(spilled <= 2, "%llu of %d saves did not fit their record", (unsigned long long)spilled,
          N);
#if !defined(__SANITIZE_ADDRESS__) && defined(__x86_64__)
    CHECK(bytes / N <= 128, "a suspended yield_once saves %llu bytes, more than 128",
          (unsigned long long)(bytes / N));
#elif !defined(__SANITIZE_ADDRESS__) && defined(__aarch64__)
    CHECK(bytes / N <= 256, "a suspended yield_once saves %llu bytes, more than 256",
          (unsigned long long)(bytes / N));
#endif
#else
    (void)spilled;
#endif
    return NULL;
}

#endif
