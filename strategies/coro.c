/* coro.c: coroutine scheduler, stacks and the policies. See coro.h. */
#include "coro.h"
#include "cb_limits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define CORO_ASAN 1
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#else
#define CORO_ASAN 0
#endif

enum coro_state { CORO_NEW, CORO_RUNNING, CORO_SUSPENDED, CORO_DONE };

struct coro {
    struct coro_ctx ctx;
    struct coro_sched *sched;
    void (*fn)(void *);
    void *arg;
    char *save; /* shared policy: the frames, while off the stack */
    uint32_t save_len, save_cap;
    char *stack; /* fixed policy: usable stack [stack, +stack_size) */
#ifdef CORO_USE_UCONTEXT
    char *sp_hint; /* lowest live stack address when it last yielded */
#endif
    uint8_t state;
    char inline_save[]; /* shared policy: frames live here when they fit */
};

/* Shared policy: one allocation holds a coroutine and, usually, its saved
 * frames (a task suspended in coro_sleep_until() has 150-200 bytes of
 * them), which saves a malloc and a free per coroutine. With the assembly
 * switch the whole allocation is 256 bytes. */
enum { CORO_INLINE_SAVE = 192 };

struct coro_slab {
    struct coro_slab *next;
    char *map;
    size_t len;
};

enum { SLAB_STACKS = 64 };

/* --- the switch, with ASan told about the stack change ------------------ */

static void switch_ctx(struct coro_ctx *from, struct coro_ctx *to, const void *to_lo,
                       size_t to_size, int from_done)
{
#if CORO_ASAN
    /* ASan must know which stack is live, or it mistakes the switch for a
     * stack overflow; a finished coroutine passes NULL (its fake stack can
     * go). */
    void *fake = NULL;
    __sanitizer_start_switch_fiber(from_done ? NULL : &fake, to_lo, to_size);
#else
    (void)to_lo, (void)to_size, (void)from_done;
#endif
#ifdef CORO_USE_UCONTEXT
    swapcontext(&from->uc, &to->uc);
#else
    coro_switch(from, to);
#endif
#if CORO_ASAN
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}

/* --- a new context ------------------------------------------------------ */

static void coro_entry(void *p);

#ifdef CORO_USE_UCONTEXT
/* makecontext passes ints: each pointer arrives in two halves. */
static void uc_entry(unsigned fhi, unsigned flo, unsigned ahi, unsigned alo)
{
    void (*entry)(void *) = (void (*)(void *))(((uintptr_t)fhi << 32) | flo);
    entry((void *)(((uintptr_t)ahi << 32) | alo));
}
#else
void coro_trampoline(void);
#endif

/* Build the frame coro_switch expects (see the .S file's table) at the top
 * of [lo, hi), so that switching to ctx calls entry(arg). */
void coro_ctx_init(struct coro_ctx *ctx, char *lo, char *hi, void (*entry)(void *), void *arg)
{
#if defined(CORO_USE_UCONTEXT)
    getcontext(&ctx->uc);
    ctx->uc.uc_stack.ss_sp = lo;
    ctx->uc.uc_stack.ss_size = (size_t)(hi - lo);
    ctx->uc.uc_link = NULL;
    uintptr_t f = (uintptr_t)entry, p = (uintptr_t)arg;
    makecontext(&ctx->uc, (void (*)(void))uc_entry, 4, (unsigned)(f >> 32), (unsigned)f,
                (unsigned)(p >> 32), (unsigned)p);
#elif defined(__x86_64__)
    (void)lo;
    uint64_t *sp = (uint64_t *)((uintptr_t)hi & ~(uintptr_t)15);
    sp -= 2; /* a zero "return address" above the trampoline */
    sp[0] = sp[1] = 0;
    sp -= 8; /* the 64-byte switch frame */
    uint32_t mxcsr;
    uint16_t fpucw;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    __asm__ volatile("fnstcw %0" : "=m"(fpucw));
    sp[0] = (uint64_t)mxcsr | ((uint64_t)fpucw << 32);
    sp[1] = 0;                          /* r15 */
    sp[2] = 0;                          /* r14 */
    sp[3] = (uint64_t)(uintptr_t)arg;   /* r13: the entry's argument */
    sp[4] = (uint64_t)(uintptr_t)entry; /* r12: the entry */
    sp[5] = 0;                          /* rbx */
    sp[6] = 0;                          /* rbp */
    sp[7] = (uint64_t)(uintptr_t)coro_trampoline;
    ctx->sp = sp;
#elif defined(__aarch64__)
    (void)lo;
    uint64_t *sp = (uint64_t *)((uintptr_t)hi & ~(uintptr_t)15);
    sp -= 22; /* the 176-byte switch frame */
    memset(sp, 0, 176);
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    sp[0] = (uint64_t)(uintptr_t)entry;            /* x19 */
    sp[1] = (uint64_t)(uintptr_t)arg;              /* x20 */
    sp[11] = (uint64_t)(uintptr_t)coro_trampoline; /* x30 */
    sp[20] = fpcr;
    ctx->sp = sp;
#else
#error "no context switch for this machine: build with -DCORO_USE_UCONTEXT"
#endif
}

/* --- copying frames on and off the shared stack -------------------------- */

/* The lowest address of c's live frames while it is suspended. */
static char *frames_lo(const struct coro *c)
{
#ifdef CORO_USE_UCONTEXT
    return c->sp_hint;
#else
    return c->ctx.sp;
#endif
}

#if CORO_ASAN
/* ASan poisons the red zones around locals on the stack; a copy of a
 * stack must not be checked against them. */
__attribute__((no_sanitize_address)) static void stack_copy(char *dst, const char *src, size_t len)
{
    volatile char *d = dst;
    for (size_t i = 0; i < len; i++)
        d[i] = src[i];
}
#else
#define stack_copy memcpy
#endif

static int save_frames(struct coro_sched *s, struct coro *c)
{
    char *lo = frames_lo(c);
    size_t len = (size_t)(s->shared_hi - lo);
    if (len > c->save_cap) {
        /* Round up: a coroutine's depth varies a little between yields. */
        size_t cap = (len + 63) & ~(size_t)63;
        char *p = malloc(cap);
        if (!p)
            return -ENOMEM;
        if (c->save != c->inline_save)
            free(c->save);
        c->save = p;
        c->save_cap = (uint32_t)cap;
    }
    stack_copy(c->save, lo, len);
    c->save_len = (uint32_t)len;
    s->bytes_copied += len;
    return 0;
}

static void restore_frames(struct coro_sched *s, struct coro *c)
{
    stack_copy(s->shared_hi - c->save_len, c->save, c->save_len);
    s->bytes_copied += c->save_len;
}

/* --- stacks for the fixed policy ---------------------------------------- */

static char *fixed_stack_get(struct coro_sched *s)
{
    if (!s->free_stacks) {
        size_t len = s->stack_size * SLAB_STACKS;
        struct coro_slab *slab = malloc(sizeof *slab);
        char *map = mmap(NULL, len, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (!slab || map == MAP_FAILED) {
            free(slab);
            if (map != MAP_FAILED)
                munmap(map, len);
            return NULL;
        }
        *slab = (struct coro_slab){s->slabs, map, len};
        s->slabs = slab;
        for (size_t i = SLAB_STACKS; i-- > 0;) {
            char *st = map + i * s->stack_size;
            /* A guard page splits the mapping: two more entries against
             * vm.max_map_count, so only while the budget lasts. */
            if (s->guard_budget && mprotect(st, s->page, PROT_NONE) == 0)
                s->guard_budget--;
            *(void **)(st + s->stack_size - sizeof(void *)) = s->free_stacks;
            s->free_stacks = st;
        }
    }
    char *st = s->free_stacks;
    s->free_stacks = *(void **)(st + s->stack_size - sizeof(void *));
    return st;
}

static void fixed_stack_put(struct coro_sched *s, char *st)
{
    *(void **)(st + s->stack_size - sizeof(void *)) = s->free_stacks;
    s->free_stacks = st;
}

/* --- the scheduler ------------------------------------------------------ */

int coro_sched_init(struct coro_sched *s, enum coro_stack_policy p, size_t stack_size)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    *s = (struct coro_sched){.policy = p, .page = pg};
    if (!stack_size)
        stack_size = p == CORO_STACK_SHARED ? 256u << 10 : 64u << 10;
    s->stack_size = (stack_size + pg - 1) & ~(pg - 1);
    if (p == CORO_STACK_FIXED) {
        long long maps = cb_read_ll("/proc/sys/vm/max_map_count");
        /* Keep half of the map budget for everything else. */
        s->guard_budget = maps > 0 ? (size_t)maps / 4 : 0;
        return 0;
    }
    s->shared_map_len = s->stack_size + pg;
    s->shared_map = mmap(NULL, s->shared_map_len, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (s->shared_map == MAP_FAILED) {
        s->shared_map = NULL;
        return -ENOMEM;
    }
    mprotect(s->shared_map, pg, PROT_NONE); /* guard page below the stack */
    s->shared_lo = s->shared_map + pg;
    s->shared_hi = s->shared_map + s->shared_map_len;
    return 0;
}

void coro_sched_fini(struct coro_sched *s)
{
    if (s->shared_map)
        munmap(s->shared_map, s->shared_map_len);
    while (s->slabs) {
        struct coro_slab *next = s->slabs->next;
        munmap(s->slabs->map, s->slabs->len);
        free(s->slabs);
        s->slabs = next;
    }
    s->shared_map = NULL;
    s->free_stacks = NULL;
}

struct coro *coro_create(struct coro_sched *s, void (*fn)(void *), void *arg)
{
    size_t size = sizeof(struct coro) + (s->policy == CORO_STACK_SHARED ? CORO_INLINE_SAVE : 0);
    struct coro *c = malloc(size);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    if (s->policy == CORO_STACK_SHARED) {
        c->save = c->inline_save;
        c->save_cap = (uint32_t)(size - sizeof *c);
    }
    c->sched = s;
    c->fn = fn;
    c->arg = arg;
    c->state = CORO_NEW;
    if (s->policy == CORO_STACK_FIXED && !(c->stack = fixed_stack_get(s))) {
        free(c);
        errno = ENOMEM;
        return NULL;
    }
    s->live++;
    return c;
}

static void stack_bounds(const struct coro_sched *s, const struct coro *c, char **lo, char **hi)
{
    if (s->policy == CORO_STACK_SHARED) {
        *lo = s->shared_lo;
        *hi = s->shared_hi;
    } else {
        /* The guard page, if any, is the lowest page of the stack. */
        *lo = c->stack + s->page;
        *hi = c->stack + s->stack_size - 16;
    }
}

/* Runs on the coroutine's stack, first thing. Never returns. */
static void coro_entry(void *p)
{
    struct coro *c = p;
    struct coro_sched *s = c->sched;
#if CORO_ASAN
    __sanitizer_finish_switch_fiber(NULL, &s->main_stack_lo, &s->main_stack_size);
#endif
    c->fn(c->arg);
    c->state = CORO_DONE;
    switch_ctx(&c->ctx, &s->main, s->main_stack_lo, s->main_stack_size, 1);
    abort(); /* a finished coroutine is never resumed */
}

int coro_resume(struct coro_sched *s, struct coro *c)
{
    char *lo = NULL, *hi = NULL;
    if (s->policy == CORO_STACK_SHARED && s->on_stack != c) {
        struct coro *o = s->on_stack;
        /* Lazily: the frames of the coroutine that last ran stay on the
         * stack until another one needs it. */
        if (o && o->state == CORO_SUSPENDED && save_frames(s, o))
            return -ENOMEM; /* o's frames cannot be kept: c cannot run */
#if CORO_ASAN
        /* The shadow still describes the previous owner's frames. */
        __asan_unpoison_memory_region(s->shared_lo, (size_t)(s->shared_hi - s->shared_lo));
#endif
        if (c->state == CORO_SUSPENDED)
            restore_frames(s, c);
        s->on_stack = c;
    }
    /* The bounds are needed to build a new context, and by ASan. */
    if (c->state == CORO_NEW || CORO_ASAN)
        stack_bounds(s, c, &lo, &hi);
    if (c->state == CORO_NEW)
        coro_ctx_init(&c->ctx, lo, hi, coro_entry, c);
    c->state = CORO_RUNNING;
    s->current = c;
    switch_ctx(&s->main, &c->ctx, lo, (size_t)(hi - lo), 0);
    s->current = NULL;
    if (c->state == CORO_DONE && s->on_stack == c)
        s->on_stack = NULL;
    return 0;
}

void coro_yield(struct coro_sched *s)
{
    struct coro *c = s->current;
#ifdef CORO_USE_UCONTEXT
    /* swapcontext keeps registers in the ucontext, not on the stack; its
     * own call frame lies a little below this local. */
    char here;
    c->sp_hint = (char *)((uintptr_t)&here - 512);
#endif
    c->state = CORO_SUSPENDED;
    switch_ctx(&c->ctx, &s->main, s->main_stack_lo, s->main_stack_size, 0);
}

int coro_done(const struct coro *c)
{
    return c->state == CORO_DONE;
}

void coro_destroy(struct coro_sched *s, struct coro *c)
{
    if (s->on_stack == c)
        s->on_stack = NULL;
    if (c->stack)
        fixed_stack_put(s, c->stack);
    if (c->save != c->inline_save)
        free(c->save);
    free(c);
    s->live--;
}

void coro_policy_describe(const struct coro_sched *s, char *buf, size_t len)
{
#ifdef CORO_USE_UCONTEXT
    const char *sw = "ucontext switch";
#else
    const char *sw = "assembly switch";
#endif
    if (s->policy == CORO_STACK_SHARED)
        snprintf(buf, len,
                 "%s; one shared %zu KiB stack + guard page, suspended frames copied to "
                 "buffers sized to use",
                 sw, s->stack_size >> 10);
    else
        snprintf(buf, len,
                 "%s; private %zu KiB stacks, %d per mmap, guard pages while the "
                 "map budget lasts",
                 sw, s->stack_size >> 10, SLAB_STACKS);
}
