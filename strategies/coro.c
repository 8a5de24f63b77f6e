/* coro.c: coroutine scheduler, stacks and the policies. See coro.h. */
#include "coro.h"
#include "cb_limits.h"

#include <errno.h>
#include <stddef.h>
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

/*
 * One coroutine. With the assembly switch and the shared stack, a suspended
 * coroutine is nothing but its frames: the registers are on the stack (the
 * switch pushed them there), and its stack pointer is the top of the shared
 * stack minus save_len. So the record is 8 bytes of header and the frames,
 * kept inline (96 bytes for a task asleep in coro_sleep_until()); a frame
 * larger than the record's room goes to a buffer of its own.
 */
struct coro {
    uint8_t state;       /* enum coro_state */
    uint8_t spilled;     /* shared: the saved frames are in u.spill */
    uint16_t inline_cap; /* shared: bytes of frames the record holds; fixed: 0 */
    uint32_t save_len;   /* shared, suspended: bytes of frames [sp, top) */
#ifdef CORO_USE_UCONTEXT
    struct coro_ctx ctx; /* swapcontext keeps registers here, not on the stack */
    char *sp_hint;       /* lowest live stack address when it last yielded */
#endif
    union {
        struct {
            void (*fn)(void *); /* CORO_NEW: what the first resume runs */
            void *arg;
            void *sp;    /* fixed, suspended: the switch's saved sp */
            char *stack; /* fixed: usable stack [stack, +stack_size) */
        } run;
        char *spill;   /* shared, suspended and saved: the frames, when too big */
        char room[32]; /* shared, suspended and saved: the frames (see frames_in) */
    } u;
};

/* Where c's frames are kept inline: inline_cap bytes from the union on,
 * past its declared end when the record was made larger for them. */
static char *frames_in(struct coro *c)
{
    return (char *)c + offsetof(struct coro, u);
}

/* The record's size: the header and the union, or the inline frames. */
static size_t record_size(uint32_t inline_cap)
{
    size_t least = sizeof(((struct coro *)0)->u);
    return offsetof(struct coro, u) + (inline_cap > least ? inline_cap : least);
}

/* A record no bigger than this keeps the frames inline; larger ones would
 * cost every coroutine created after one deep frame. */
enum { CORO_INLINE_MAX = 512 };

struct coro_slab {
    struct coro_slab *next;
    char *map;
    size_t len;
};

enum { SLAB_STACKS = 64 };

/* --- the arena ----------------------------------------------------------- */

struct coro_arena_chunk {
    struct coro_arena_chunk *next;
    size_t len;
};

#if CORO_ASAN
/* Not inlined: gcc would warn that fresh (uninitialised) chunk memory is
 * passed to the const pointer parameter of ASan's function. */
__attribute__((noinline)) static void arena_poison(char *p, size_t n)
{
    __asan_poison_memory_region(p, n);
}
#define ARENA_POISON(p, n)   arena_poison((p), (n))
#define ARENA_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define ARENA_POISON(p, n)   ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

static size_t arena_round(size_t len)
{
    return len < 8 ? 8 : (len + 7) & ~(size_t)7;
}

/* A block of len bytes (8-byte aligned), or NULL. */
static void *arena_alloc(struct coro_arena *a, size_t len)
{
    len = arena_round(len);
    if (len > CORO_ARENA_MAX)
        return malloc(len);
    void **head = &a->free[len / 8];
    void *p = *head;
    if (p) {
        ARENA_UNPOISON(p, len);
        *head = *(void **)p;
        return p;
    }
    if ((size_t)(a->end - a->pos) < len) {
        /* The rest of the old chunk (under CORO_ARENA_MAX bytes) stays
         * unused. */
        size_t clen = a->next_len ? a->next_len : CORO_ARENA_FIRST;
        struct coro_arena_chunk *ch = malloc(clen);
        if (!ch)
            return NULL;
        *ch = (struct coro_arena_chunk){a->chunks, clen};
        a->chunks = ch;
        a->pos = (char *)(ch + 1);
        a->end = (char *)ch + clen;
        a->next_len = clen < CORO_ARENA_CHUNK ? 2 * clen : CORO_ARENA_CHUNK;
        ARENA_POISON(a->pos, (size_t)(a->end - a->pos));
    }
    p = a->pos;
    a->pos += len;
    ARENA_UNPOISON(p, len);
    return p;
}

/* Free a block from arena_alloc(a, len), with the same len. */
static void arena_free(struct coro_arena *a, void *p, size_t len)
{
    len = arena_round(len);
    if (len > CORO_ARENA_MAX) {
        free(p);
        return;
    }
    *(void **)p = a->free[len / 8];
    a->free[len / 8] = p;
    ARENA_POISON(p, len);
}

static void arena_fini(struct coro_arena *a)
{
    while (a->chunks) {
        struct coro_arena_chunk *ch = a->chunks;
        a->chunks = ch->next;
        ARENA_UNPOISON(ch, ch->len);
        free(ch);
    }
    *a = (struct coro_arena){0};
}

/* The switch frame's slots, in 8-byte words from the saved sp, as the .S
 * file's table names them. */
#if defined(__x86_64__)
enum {
    CORO_FRAME_FPCTL, /* MXCSR, x87 control word */
    CORO_FRAME_R15,
    CORO_FRAME_R14,
    CORO_FRAME_R13,
    CORO_FRAME_R12,
    CORO_FRAME_RBX,
    CORO_FRAME_RBP,
    CORO_FRAME_RET,
    CORO_FRAME_WORDS
};
#elif defined(__aarch64__)
enum {
    CORO_FRAME_X19,
    CORO_FRAME_X20,
    CORO_FRAME_X21,
    CORO_FRAME_X22,
    CORO_FRAME_X30 = 11,
    CORO_FRAME_FPCR = 20,
    CORO_FRAME_WORDS = 22
};
#endif

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

/* The exit of a context whose entry must not return. */
static void no_exit(void *arg)
{
    (void)arg;
    abort();
}

#ifdef CORO_USE_UCONTEXT
/* makecontext passes ints: each pointer arrives in two halves. */
static void *join(unsigned hi, unsigned lo)
{
    return (void *)(((uintptr_t)hi << 32) | lo);
}

static void uc_entry(unsigned fhi, unsigned flo, unsigned ahi, unsigned alo, unsigned xhi,
                     unsigned xlo, unsigned yhi, unsigned ylo)
{
    void (*entry)(void *) = (void (*)(void *))join(fhi, flo);
    void (*exit_fn)(void *) = (void (*)(void *))join(xhi, xlo);
    entry(join(ahi, alo));
    exit_fn(join(yhi, ylo));
}
#else
void coro_trampoline(void);
#endif

/* Build the frame coro_switch expects (see the .S file's table) at the top
 * of [lo, hi), so that switching to ctx calls entry(arg), then exit. */
void coro_ctx_init(struct coro_ctx *ctx, char *lo, char *hi, void (*entry)(void *), void *arg,
                   void (*exit)(void *), void *exit_arg)
{
    if (!exit)
        exit = no_exit;
#if defined(CORO_USE_UCONTEXT)
    getcontext(&ctx->uc);
    ctx->uc.uc_stack.ss_sp = lo;
    ctx->uc.uc_stack.ss_size = (size_t)(hi - lo);
    ctx->uc.uc_link = NULL;
    uintptr_t f = (uintptr_t)entry, p = (uintptr_t)arg;
    uintptr_t x = (uintptr_t)exit, y = (uintptr_t)exit_arg;
    makecontext(&ctx->uc, (void (*)(void))uc_entry, 8, (unsigned)(f >> 32), (unsigned)f,
                (unsigned)(p >> 32), (unsigned)p, (unsigned)(x >> 32), (unsigned)x,
                (unsigned)(y >> 32), (unsigned)y);
#elif defined(__x86_64__)
    (void)lo;
    /* The trampoline starts at hi itself, 16-byte aligned as at a call:
     * no unused words above it (rbp = 0 and .cfi_undefined rip end the
     * call chain for debuggers), so a suspended task saves no more than
     * its own frames. */
    uint64_t *sp = (uint64_t *)((uintptr_t)hi & ~(uintptr_t)15);
    sp -= CORO_FRAME_WORDS;
    uint32_t mxcsr;
    uint16_t fpucw;
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    __asm__ volatile("fnstcw %0" : "=m"(fpucw));
    sp[CORO_FRAME_FPCTL] = (uint64_t)mxcsr | ((uint64_t)fpucw << 32);
    sp[CORO_FRAME_R15] = (uint64_t)(uintptr_t)exit_arg;
    sp[CORO_FRAME_R14] = (uint64_t)(uintptr_t)exit;
    sp[CORO_FRAME_R13] = (uint64_t)(uintptr_t)arg;
    sp[CORO_FRAME_R12] = (uint64_t)(uintptr_t)entry;
    sp[CORO_FRAME_RBX] = 0;
    sp[CORO_FRAME_RBP] = 0;
    sp[CORO_FRAME_RET] = (uint64_t)(uintptr_t)coro_trampoline;
    ctx->sp = sp;
#elif defined(__aarch64__)
    (void)lo;
    uint64_t *sp = (uint64_t *)((uintptr_t)hi & ~(uintptr_t)15);
    sp -= CORO_FRAME_WORDS;
    memset(sp, 0, CORO_FRAME_WORDS * sizeof *sp);
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    sp[CORO_FRAME_X19] = (uint64_t)(uintptr_t)entry;
    sp[CORO_FRAME_X20] = (uint64_t)(uintptr_t)arg;
    sp[CORO_FRAME_X21] = (uint64_t)(uintptr_t)exit;
    sp[CORO_FRAME_X22] = (uint64_t)(uintptr_t)exit_arg;
    sp[CORO_FRAME_X30] = (uint64_t)(uintptr_t)coro_trampoline;
    sp[CORO_FRAME_FPCR] = fpcr;
    ctx->sp = sp;
#else
#error "no context switch for this machine: build with -DCORO_USE_UCONTEXT"
#endif
}

/* --- copying frames on and off the shared stack -------------------------- */

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

/* Copy the frames of c (suspended, on the shared stack) into its record,
 * or into a buffer of their exact size when the record has no room. New
 * records get room for the frame saved last: tasks alike suspend alike.
 * 0 or -ENOMEM. */
static int save_frames(struct coro_sched *s, struct coro *c)
{
    uint32_t len = c->save_len;
    char *dst = frames_in(c);
    if (len > c->inline_cap) {
        if (!(dst = arena_alloc(&s->arena, len)))
            return -ENOMEM;
        c->u.spill = dst;
        c->spilled = 1;
        s->saves_spilled++;
    }
    stack_copy(dst, s->shared_hi - len, len);
    s->bytes_copied += len;
    s->bytes_saved += len;
    s->saves++;
    if (len <= CORO_INLINE_MAX)
        s->frame_hint = len;
    return 0;
}

static void restore_frames(struct coro_sched *s, struct coro *c)
{
    const char *src = c->spilled ? c->u.spill : frames_in(c);
    stack_copy(s->shared_hi - c->save_len, src, c->save_len);
    s->bytes_copied += c->save_len;
    if (c->spilled) {
        /* Back on the stack: the buffer is dead until the next save. */
        arena_free(&s->arena, c->u.spill, c->save_len);
        c->spilled = 0;
    }
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
    arena_fini(&s->arena);
    s->shared_map = NULL;
    s->free_stacks = NULL;
}

struct coro *coro_create(struct coro_sched *s, void (*fn)(void *), void *arg)
{
    int shared = s->policy == CORO_STACK_SHARED;
    size_t size = record_size(shared ? s->frame_hint : 0);
    struct coro *c = arena_alloc(&s->arena, size);
    if (!c) {
        errno = ENOMEM;
        return NULL;
    }
    /* Only the header and u.run: the frames' room is written when they
     * are saved; clearing it first would store ~100 bytes per coroutine
     * twice. */
    c->state = CORO_NEW;
    c->spilled = 0;
    c->inline_cap = shared ? (uint16_t)(size - offsetof(struct coro, u)) : 0;
    c->save_len = 0;
    c->u.run.fn = fn;
    c->u.run.arg = arg;
    c->u.run.sp = NULL;
    c->u.run.stack = NULL;
    if (!shared && !(c->u.run.stack = fixed_stack_get(s))) {
        arena_free(&s->arena, c, size);
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
        *lo = c->u.run.stack + s->page;
        *hi = c->u.run.stack + s->stack_size - 16;
    }
}

/* Where the running coroutine's context is saved when it yields. With the
 * assembly switch that is only a stack pointer, kept in the scheduler and
 * turned into save_len (or u.run.sp) when the switch comes back: records
 * need no room for it. swapcontext saves the registers themselves, so
 * each coroutine has its own. */
static struct coro_ctx *co_ctx(struct coro_sched *s, struct coro *c)
{
#ifdef CORO_USE_UCONTEXT
    (void)s;
    return &c->ctx;
#else
    (void)c;
    return &s->co;
#endif
}

/* Runs when a coroutine's function returns, on its stack. Never returns. */
static void coro_exit(void *p)
{
    struct coro_sched *s = p;
    struct coro *c = s->current;
    c->state = CORO_DONE;
    switch_ctx(co_ctx(s, c), &s->main, s->main_stack_lo, s->main_stack_size, 1);
    abort(); /* a finished coroutine is never resumed */
}

#if CORO_ASAN
/* Under ASan the first code on a new stack must finish the fiber switch,
 * so a small frame runs before the coroutine's function. */
static void asan_entry(void *p)
{
    struct coro_sched *s = p;
    __sanitizer_finish_switch_fiber(NULL, &s->main_stack_lo, &s->main_stack_size);
    struct coro *c = s->current;
    c->u.run.fn(c->u.run.arg);
}
#endif

/* Point c's context at its new frame, or at its suspended one. */
static void load_ctx(struct coro_sched *s, struct coro *c, char *lo, char *hi)
{
    struct coro_ctx *ctx = co_ctx(s, c);
    if (c->state == CORO_NEW) {
#if CORO_ASAN
        coro_ctx_init(ctx, lo, hi, asan_entry, s, coro_exit, s);
#else
        coro_ctx_init(ctx, lo, hi, c->u.run.fn, c->u.run.arg, coro_exit, s);
#endif
        return;
    }
#ifndef CORO_USE_UCONTEXT
    ctx->sp = s->policy == CORO_STACK_SHARED ? s->shared_hi - c->save_len : c->u.run.sp;
#endif
}

/* c has just yielded: keep where its frames begin. */
static void keep_sp(struct coro_sched *s, struct coro *c)
{
#ifdef CORO_USE_UCONTEXT
    char *sp = c->sp_hint;
#else
    char *sp = s->co.sp;
    if (s->policy == CORO_STACK_FIXED)
        c->u.run.sp = sp;
#endif
    if (s->policy == CORO_STACK_SHARED)
        c->save_len = (uint32_t)(s->shared_hi - sp);
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
    load_ctx(s, c, lo, hi);
    c->state = CORO_RUNNING;
    s->current = c;
    switch_ctx(&s->main, co_ctx(s, c), lo, (size_t)(hi - lo), 0);
    s->current = NULL;
    if (c->state == CORO_SUSPENDED)
        keep_sp(s, c);
    else if (s->on_stack == c)
        s->on_stack = NULL; /* done: its frames are dead */
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
    switch_ctx(co_ctx(s, c), &s->main, s->main_stack_lo, s->main_stack_size, 0);
}

int coro_done(const struct coro *c)
{
    return c->state == CORO_DONE;
}

void coro_destroy(struct coro_sched *s, struct coro *c)
{
    if (s->on_stack == c)
        s->on_stack = NULL;
    if (s->policy == CORO_STACK_FIXED)
        fixed_stack_put(s, c->u.run.stack);
    else if (c->spilled)
        arena_free(&s->arena, c->u.spill, c->save_len);
    arena_free(&s->arena, c, record_size(c->inline_cap));
    s->live--;
}

void coro_policy_describe(const struct coro_sched *s, char *buf, size_t len)
{
#ifdef CORO_USE_UCONTEXT
    const char *sw = "ucontext switch";
#else
    const char *sw = "assembly switch";
#endif
    if (s->policy == CORO_STACK_SHARED && s->saves)
        snprintf(buf, len,
                 "%s; shared %zu KiB stack + guard page; frames copied out exactly (avg %.0f B) "
                 "into arena blocks",
                 sw, s->stack_size >> 10, (double)s->bytes_saved / (double)s->saves);
    else if (s->policy == CORO_STACK_SHARED)
        snprintf(buf, len,
                 "%s; shared %zu KiB stack + guard page; frames copied out exactly into arena "
                 "blocks",
                 sw, s->stack_size >> 10);
    else
        snprintf(buf, len,
                 "%s; private %zu KiB stacks, %d per mmap, guard pages while the "
                 "map budget lasts",
                 sw, s->stack_size >> 10, SLAB_STACKS);
}
